"""Prompt -> world plan: seed, biome emphasis, weather, time of day and events for a trailer.

Weather, time, gravity and events come from Direct mode (`oyster.direct.interpret`, one clause at a
time); the biome words are the trailer's own small lexicon. Whatever is not understood is listed.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from oyster.direct import interpret

MAX_PROMPT_CHARS = 300   # a trailer prompt is a sentence, not an essay

# Words that name a place the trailer should show; values are teleport / find_feature targets.
BIOME_WORDS = {
    "volcano": "volcano", "volcanoes": "volcano", "volcanic": "volcano", "lava": "volcano",
    "crater": "volcano", "caldera": "volcano",
    "lake": "lake", "lakes": "lake", "pond": "lake", "lakeside": "lake",
    "village": "village", "villages": "village", "town": "village", "hamlet": "village",
    "settlement": "village", "houses": "village", "cabins": "village", "villagers": "village",
    "forest": "forest", "forests": "forest", "woods": "forest", "woodland": "forest", "pine": "forest",
    "pines": "forest", "jungle": "forest", "trees": "forest",
    "desert": "desert", "deserts": "desert", "dunes": "desert", "canyon": "desert", "canyons": "desert",
    "sand": "desert", "sandy": "desert", "arid": "desert", "cactus": "desert", "cacti": "desert",
    "mountain": "mountain", "mountains": "mountain", "peaks": "mountain", "peak": "mountain",
    "alpine": "mountain", "mountainous": "mountain", "cliffs": "mountain", "highlands": "mountain",
    "beach": "beach", "beaches": "beach", "island": "beach", "islands": "beach", "coast": "beach",
    "coastal": "beach", "shore": "beach", "seaside": "beach", "ocean": "beach", "sea": "beach",
}
# Words that carry no world meaning in a trailer prompt (never reported as "not understood").
FILLER = frozenset("""
a an the of in on at to with and or during under over by from for into near while then plus but
is are be it its this that some very really quite so just bit lot
world scene place land landscape view shot trailer video film movie cinematic epic beautiful
scenic gorgeous stunning lovely nice cool amazing magical dramatic show me please make create
generate give want i we you like looking look full big small little huge wide tall old
""".split())
# Ops a world plan may use; eruption is timed into the shot, teleport targets become the biome.
PLAN_OPS = frozenset({"weather", "time", "gravity", "eruption", "teleport", "spawn", "character"})
_CLAUSE_SPLIT = re.compile(r"[,;.!?]+|\b(?:and|with|while|then|plus|but)\b", re.I)
_PREPOSITIONS = re.compile(r"\b(?:at|during|in|under|on|by|near|from|of)\b")
_SEED = re.compile(r"\bseed\s*[:=#]?\s*(-?\d{1,12})\b", re.I)
_WORD = re.compile(r"[a-z0-9:']+")


@dataclass
class WorldPlan:
    prompt: str
    seed: int
    seed_given: bool = False                               # True: the seed is the user's and never moves
    biomes: list[str] = field(default_factory=list)        # places to show, first = emphasis
    edits: list[dict] = field(default_factory=list)        # applied at the start (weather, time, ...)
    eruption: dict | None = None                           # eruption edit, timed into the shot
    understood: list[str] = field(default_factory=list)    # clause -> what it became, for the user
    not_understood: list[str] = field(default_factory=list)

    @property
    def biome(self) -> str | None:
        return self.biomes[0] if self.biomes else None

    @property
    def weather(self) -> dict | None:
        return next((e for e in reversed(self.edits) if e["op"] == "weather"), None)

    @property
    def hour(self) -> float | None:
        e = next((e for e in reversed(self.edits) if e["op"] == "time" and "hour" in e), None)
        return None if e is None else float(e["hour"])

    def summary(self) -> str:
        parts = [f"seed {self.seed}"]
        if self.biome:
            parts.append("showing " + ", ".join(self.biomes))
        parts += self.understood
        text = "; ".join(parts) + "."
        if self.not_understood:
            text += " Not understood: " + ", ".join(repr(w) for w in self.not_understood) + "."
        return text


def prompt_seed(prompt: str) -> int:
    """Stable seed from the prompt text: the same words (any case/spacing) give the same world."""
    norm = " ".join(prompt.lower().split())
    return int.from_bytes(hashlib.blake2b(norm.encode(), digest_size=8).digest(), "big") % (2**31 - 1)


def check_prompt(prompt: str) -> str:
    """Return the cleaned prompt or raise ValueError saying what is wrong with it."""
    if not isinstance(prompt, str):
        raise ValueError(f"the prompt must be text, got {type(prompt).__name__}")
    text = " ".join(prompt.split())
    if not text:
        raise ValueError("the prompt is empty: describe a world, e.g. 'a snowy volcanic island at sunset'")
    if len(text) > MAX_PROMPT_CHARS:
        raise ValueError(f"the prompt is too long ({len(text)} characters; the limit is {MAX_PROMPT_CHARS})")
    if not _WORD.search(text.lower()):
        raise ValueError("the prompt has no words in it: describe a world, e.g. 'misty pine forest at dawn'")
    return text


def _interpret(text: str, state: dict) -> list[dict]:
    return [dict(e) for e in interpret(text, state).edits]


def _neutral_state(seed: int) -> dict:
    """What Direct mode sees when no live session is given: a player at the origin, no one near."""
    return {"seed": seed, "player": {"x": 0.0, "y": 0.0, "z": 0.0, "yaw": 0.0, "pitch": 0.0, "on_ground": True},
            "clock": {"hour": 12.0, "speed": 60.0}, "weather": {"kind": "clear", "intensity": 0.0},
            "gravity": 1.0, "biome": "grassland", "entities": []}


def _describe(edit: dict) -> str:
    op = edit["op"]
    if op == "weather":
        return f"weather {edit['kind']}" + (f" {edit['intensity']:.1f}" if "intensity" in edit else "")
    if op == "time":
        h = float(edit.get("hour", 0.0))
        return f"time {int(h):02d}:{int(round(h % 1 * 60)) % 60:02d}" if "hour" in edit else "time speed"
    if op == "teleport":
        return f"place {edit.get('target', 'given')}"
    if op == "eruption":
        return "an eruption during the shot"
    return " ".join(str(v) for k, v in edit.items() if k in ("op", "kind", "action", "scale", "strength"))


def _understand(words: list[str], state: dict) -> list[dict]:
    """Direct mode's edits for a clause, plus any kind of edit only a prepositional piece of it yields.

    Direct mode reads one intent per clause best ("erupting at night" -> only the eruption), so the pieces
    between prepositions get a second reading; a piece only adds ops the whole clause lacked, which keeps
    "6:30 in the morning" at 6:30. Pieces of filler only ("a", "the") are not read: the fallback classifier
    guesses wildly on them."""
    if not any(w not in FILLER for w in words):
        return []
    edits = _interpret(" ".join(words), state)
    pieces = [p.split() for p in _PREPOSITIONS.split(" ".join(words))]
    pieces = [p for p in pieces if any(w not in FILLER for w in p)]
    if len(pieces) > 1:
        for piece in pieces:
            have = {e.get("op") for e in edits}
            edits += [e for e in _interpret(" ".join(piece), state) if e.get("op") not in have]
    return edits


def _unexplained(words: list[str], edits: list[dict], state: dict) -> list[str]:
    """Words whose removal leaves the understood edits unchanged: nothing used them."""
    out = []
    for i, w in enumerate(words):
        if w in FILLER or w.isdigit():
            continue
        rest = words[:i] + words[i + 1:]
        alone = {e.get("op") for e in _interpret(w, state)}
        if alone & {e.get("op") for e in edits}:
            continue   # "morning" in "6:30 in the morning": it says the same thing as the clause
        if rest and _understand(rest, state) == edits:
            out.append(w)
    return out


def _plan_clause(clause: str, state: dict, plan: WorldPlan) -> bool:
    """Fold one clause into the plan; return True if any of it was understood."""
    words = _WORD.findall(clause.lower())
    biomes = [BIOME_WORDS[w] for w in words if w in BIOME_WORDS]
    rest = [w for w in words if w not in BIOME_WORDS]
    for b in biomes:
        if b not in plan.biomes:
            plan.biomes.append(b)
    content = [w for w in rest if w not in FILLER]
    if not content:
        return bool(biomes)
    edits = _understand(rest, state)
    if not edits:
        plan.not_understood.append(" ".join(content))
        return bool(biomes)
    used = [e for e in edits if e.get("op") in PLAN_OPS]
    for e in edits:
        if e.get("op") not in PLAN_OPS:
            plan.not_understood.append(f"{' '.join(content)} ({e.get('op')} is not something a trailer can show)")
    for e in used:
        if e["op"] == "eruption":
            plan.eruption = e
        elif e["op"] == "teleport" and "target" in e:
            if e["target"] not in plan.biomes and e["target"] != "start":
                plan.biomes.append(e["target"])
        elif e["op"] != "teleport":   # a teleport to raw x, y would fight the camera path
            plan.edits.append(e)
        plan.understood.append(_describe(e))
    plan.not_understood += _unexplained(rest, edits, state)
    return bool(used) or bool(biomes)


def plan_world(prompt: str, seed: int | None = None, state: dict | None = None) -> WorldPlan:
    """Turn a prompt into a WorldPlan; ValueError if the prompt is unusable or nothing in it is understood."""
    text = check_prompt(prompt)
    m = _SEED.search(text)
    if seed is None and m:
        seed = int(m.group(1))
    if m:
        text = (text[:m.start()] + text[m.end():]).strip() or "clear"
    given = seed is not None
    seed = prompt_seed(text) if seed is None else int(seed)
    plan = WorldPlan(prompt=text, seed=seed, seed_given=given)
    state = state or _neutral_state(seed)
    clauses = [c.strip() for c in _CLAUSE_SPLIT.split(text) if c and c.strip()]
    understood = [_plan_clause(c, state, plan) for c in clauses]
    if not any(understood):
        raise ValueError(
            f"could not understand anything in the prompt {text[:60]!r}: try places (volcano, lake, village, "
            "forest, desert, mountains, beach), weather (rain, snow, fog, storm) and a time (dawn, noon, sunset, "
            "night), e.g. 'a snowy volcanic island at sunset'")
    return plan
