"""read_world: text -> WorldReading (a preset, recipe changes, edits, and what was and was not understood).

The one reading of world words for every door: `Session(prompt=...)`, the trailer's planner and Direct mode's
"turn this into a desert". Deterministic; nothing is downloaded.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from oyster.language import direct_words as D
from oyster.language.describe import change_words
from oyster.language.match import FILLER, Hit, find
from oyster.language.vocab import ABSENT, ALREADY, AXES, CHANGES, NEGATIONS, PAINT, PART_WORDS, PROFILES, Entry

MIN_SCORE = 0.6          # below this no preset is named (the world stays as it is, plus any changes)
ATTR_WEIGHT = 0.8        # how much the climate attributes count beside explicit votes
SNOW_ADJECTIVES = frozenset({"snowy", "snow", "wintry", "wintery"})
NEAR = 3                 # tokens between a colour word and the part it paints ("the sky is deep purple")


@dataclass
class WorldReading:
    preset: str | None = None                               # a name in oyster.world.recipe.PRESETS, or None
    changes: dict[str, object] = field(default_factory=dict)   # dotted recipe paths -> values
    edits: list[dict] = field(default_factory=list)         # weather / time / gravity / eruption edits
    understood: list[str] = field(default_factory=list)     # "word: what it did", for the reply
    not_understood: list[str] = field(default_factory=list)  # words that said nothing we know
    places: list[str] = field(default_factory=list)         # places to show (trailer), first = emphasis

    @property
    def shapes_world(self) -> bool:
        """True when the text asks for a world of its own (a preset or recipe changes)."""
        return self.preset is not None or bool(self.changes)

    def recipe(self):
        """The WorldRecipe this reading describes: its preset (or today's world) with its changes."""
        from oyster.world.recipe import DEFAULT, preset
        base = preset(self.preset) if self.preset else DEFAULT
        return base.changed(self.changes)

    def summary(self) -> str:
        """One plain sentence: what the text made and what it did not understand."""
        parts = [f"World: {self.recipe().terrain.style}"] if self.shapes_world else []
        parts += [change_words(k, v) for k, v in self.changes.items()]
        text = (parts[0][0].upper() + "; ".join(parts)[1:] + ".") if parts else ""
        text = " ".join([t for t in (text, *(D.describe(e) for e in self.edits)) if t])   # Direct mode's words
        text = text or "Nothing in that changes the world."
        if self.not_understood:
            text += " Not understood: " + ", ".join(repr(w) for w in self.not_understood) + "."
        return text


def _vector(entries: list[Entry]) -> list[float]:
    v = dict.fromkeys(AXES, 0.0)
    for e in entries:
        for axis, amount in e.attrs:
            v[axis] += amount
    return [max(-2.0, min(2.0, v[a])) for a in AXES]


def choose(entries: list[Entry]) -> tuple[str | None, dict[str, float]]:
    """The preset these world words point at (votes plus nearness of climate), and every preset's score."""
    v = _vector(entries)
    size = math.sqrt(sum(x * x for x in v))
    scores = {}
    for name, profile in PROFILES.items():
        p = [profile.get(a, 0.0) for a in AXES]
        norm = math.sqrt(sum(x * x for x in p)) or 1.0
        cosine = sum(a * b for a, b in zip(v, p, strict=True)) / norm / (size or 1.0)
        sim = 1.5 * cosine * min(1.0, size)          # a faint hint counts less than a clear one
        scores[name] = ATTR_WEIGHT * sim + sum(w for e in entries for p_, w in e.votes if p_ == name)
    best = max(sorted(scores), key=lambda n: scores[n])   # sorted: ties go the same way every time
    return (best if scores[best] >= MIN_SCORE else None), scores


def _part(h: Hit) -> str | None:
    return h.entry.part or PART_WORDS.get(h.entry.phrase)


def _paint(tokens: list[str], hits: list[Hit]) -> tuple[dict[str, tuple], set[int]]:
    """Colour words next to a paintable part ("a purple sky", "the sea is pink") -> {recipe path: rgb}."""
    parts = [h for h in hits if _part(h)]
    out, used = {}, set()
    for h in hits:
        if h.entry.color is None:
            continue
        near = [p for p in parts if abs(p.start - h.start) <= NEAR]
        if near:
            part = min(near, key=lambda p: (abs(p.start - h.start), p.start < h.start))
            out[PAINT[_part(part)]] = h.entry.color
            used.add(id(h))
    return out, used


def _ground_snow(tokens: list[str], i: int, hits: list[Hit]) -> bool:
    """'snowy' before a landform within two words is snow on the ground, not snow falling."""
    return tokens[i] in SNOW_ADJECTIVES and any(h.entry.land and 0 < h.start - i <= 2 for h in hits)


def _negation(tokens: list[str], start: int) -> int | None:
    """Index of the "no" / "without" that denies the world word at `start` ("without any cacti"), or None."""
    j = start - 1
    while j >= 0 and tokens[j] in ("a", "an", "any", "the", "more", "single"):
        j -= 1
    return j if j >= 0 and tokens[j] in NEGATIONS else None


def _absent(e: Entry) -> dict[str, object]:
    off: dict[str, object] = {}
    for key in [*e.changes, *(f"@{p}" for p in e.places), *([f"^{PART_WORDS.get(e.phrase, e.part)}"] if
                                                              (e.part or e.phrase in PART_WORDS) else [])]:
        off.update(ABSENT.get(key, {}))
    return off


def read_world(text: str, choose_preset: bool = True) -> WorldReading:
    """Read a sentence into a WorldReading; never raises on odd text (unknown words are reported).

    `choose_preset=False` reads words as changes to the world one is in ("add palm trees"): no preset is named,
    so every change the words carry is kept."""
    reading = WorldReading()
    if not isinstance(text, str):
        return reading
    entries: list[Entry] = []
    changes: dict[str, object] = {}
    deferred: list[str] = []                    # changes that depend on the preset chosen (ALREADY)
    negated: dict[str, object] = {}             # what "no X" / "without X" turns off
    hours: list[float] = []
    edits: list[dict] = []
    for clause in D.clauses(D.clean(text)):
        tokens = clause.split()
        hits = find(tokens)
        painted, paint_hits = _paint(tokens, hits)
        changes.update(painted)
        snow_ground = {i for i in range(len(tokens)) if _ground_snow(tokens, i, hits)}
        lying = {i for h in hits if "winter" in h.entry.changes for i in range(h.start, h.end)}
        denied = {id(h): j for h in hits if (j := _negation(tokens, h.start)) is not None}
        quiet = snow_ground | lying | set(denied.values())      # words the weather reading must not see
        weather_text = " ".join("" if i in quiet else t for i, t in enumerate(tokens))
        said, used = D.read_clause(weather_text)
        edits += said
        covered = set(snow_ground)
        for i in sorted(snow_ground):
            deferred.append("winter")
            reading.understood.append(f"{tokens[i]}: snow on the ground")
        for h in hits:
            e = h.entry
            if h.start in snow_ground:
                continue
            covered.update(range(h.start, h.end))
            words = " ".join(tokens[h.start:h.end])
            if id(h) in paint_hits:
                reading.understood.append(f"{words}: colour")
                continue
            if id(h) in denied:
                covered.update(range(denied[id(h)], h.end))
                off = _absent(e)
                if off:
                    negated.update(off)
                    reading.understood.append(f"{tokens[denied[id(h)]]} {words}")
                else:
                    reading.not_understood.append(f"{tokens[denied[id(h)]]} {words}")
                continue
            entries.append(e)
            for name in e.changes:
                if name in ALREADY:
                    deferred.append(name)
                else:
                    changes.update(CHANGES[name])
            if e.hour is not None:
                hours.append(e.hour)
            for p in e.places:
                if p not in reading.places:
                    reading.places.append(p)
            if not e.empty:
                reading.understood.append(f"{words}{'' if h.how == 'exact' else f' ({e.phrase})'}")
        for i, t in enumerate(tokens):
            if i in covered or t in used or t in FILLER or t.isdigit():
                continue
            if t not in reading.not_understood:
                reading.not_understood.append(t)
    reading.preset = choose(entries)[0] if choose_preset else None
    for name in deferred:
        if reading.preset not in ALREADY[name]:
            changes.update(CHANGES[name])
    changes.update(negated)                     # "without cacti" wins over the preset's own cacti
    reading.changes = changes
    if hours and not any(e["op"] == "time" for e in edits):
        edits.append({"op": "time", "hour": hours[-1]})
    reading.edits = merge(edits)
    return reading


def read_prompt(text: str) -> WorldReading | None:
    """A new world's prompt: its reading, or None when it is a Direct-mode command rather than a description
    ("plant three trees": 'plant' is no world word, and Direct mode knows the command)."""
    reading = read_world(text)
    if reading.not_understood and D.is_command(text):
        return None
    return reading


def merge(edits: list[dict]) -> list[dict]:
    """One edit per op (the last said wins), in the order the ops were first said."""
    out: dict[str, dict] = {}
    for e in edits:
        out[e["op"]] = e if e["op"] not in out else {**out[e["op"]], **e}
    return list(out.values())
