"""Prompt -> world plan: seed, the world's recipe, places to show, weather, time of day and events for a trailer.

The words are read by the language layer (`oyster.language.read_world`), the same reading `Session(prompt=...)` and
Direct mode use, so a trailer films the world its prompt makes. Whatever is not understood is listed.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from oyster.language import read_world
from oyster.world.state import hhmm

MAX_PROMPT_CHARS = 300   # a trailer prompt is a sentence, not an essay
# Ops a world plan may use; an eruption is timed into the shot.
PLAN_OPS = frozenset({"weather", "time", "gravity", "eruption"})
_SEED = re.compile(r"\bseed\s*[:=#]?\s*(-?\d{1,12})\b", re.I)
_WORD = re.compile(r"[a-z0-9:']+")


@dataclass
class WorldPlan:
    prompt: str
    seed: int
    seed_given: bool = False                               # True: the seed is the user's and never moves
    preset: str | None = None                              # the world's preset (None: today's world)
    changes: dict = field(default_factory=dict)            # recipe changes on top of the preset
    biomes: list[str] = field(default_factory=list)        # places to show, first = emphasis
    edits: list[dict] = field(default_factory=list)        # applied at the start (weather, time, ...)
    eruption: dict | None = None                           # eruption edit, timed into the shot
    understood: list[str] = field(default_factory=list)    # what the words became, for the user
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

    def recipe(self):
        """The WorldRecipe the trailer films."""
        from oyster.world.recipe import DEFAULT, preset
        return (preset(self.preset) if self.preset else DEFAULT).changed(self.changes)

    def summary(self) -> str:
        parts = [f"seed {self.seed}"]
        if self.preset or self.changes:
            parts.append(f"world: {self.recipe().terrain.style}")
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


def _describe(edit: dict) -> str:
    op = edit["op"]
    if op == "weather":
        return f"weather {edit['kind']}" + (f" {edit['intensity']:.1f}" if "intensity" in edit else "")
    if op == "time":
        return f"time {hhmm(edit['hour'])}" if "hour" in edit else "time speed"
    if op == "eruption":
        return "an eruption during the shot"
    return " ".join(str(v) for k, v in edit.items() if k in ("op", "kind", "action", "scale", "strength"))


def plan_world(prompt: str, seed: int | None = None) -> WorldPlan:
    """Turn a prompt into a WorldPlan; ValueError if the prompt is unusable or nothing in it is understood."""
    text = check_prompt(prompt)
    m = _SEED.search(text)
    if seed is None and m:
        seed = int(m.group(1))
    if m:
        text = (text[:m.start()] + text[m.end():]).strip() or "clear"
    given = seed is not None
    seed = prompt_seed(text) if seed is None else int(seed)
    reading = read_world(text)
    plan = WorldPlan(prompt=text, seed=seed, seed_given=given, preset=reading.preset, changes=dict(reading.changes),
                     biomes=list(reading.places), not_understood=list(reading.not_understood))
    plan.understood += [f"{k} {v}" for k, v in reading.changes.items()]
    for e in reading.edits:
        if e["op"] not in PLAN_OPS:
            continue
        if e["op"] == "eruption":
            plan.eruption = e
        else:
            plan.edits.append(e)
        plan.understood.append(_describe(e))
    if not (plan.preset or plan.changes or plan.biomes or plan.edits or plan.eruption):
        raise ValueError(
            f"could not understand anything in the prompt {text[:60]!r}: try a world (desert, snowy mountains, "
            "tropical island, the moon, an alien planet, a neon city, autumn forest), weather (rain, snow, fog, "
            "storm) and a time (dawn, noon, sunset, night), e.g. 'a snowy volcanic island at sunset'")
    return plan
