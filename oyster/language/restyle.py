"""Direct mode's world changes: "turn this into a desert", "make the sky green", "add palm trees", "make it look
like autumn" -> one `recipe` edit (plus any weather or time said with it) and a plain reply.

The words are read by `read_world`, so a Direct-mode change and a new world from the same words agree.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from oyster.language.describe import change_words
from oyster.language.direct_words import clean, describe, weather_or_time_word
from oyster.language.reader import WorldReading, read_world
from oyster.language.vocab import PAINT

_POLITE = r"(?:(?:please|can you|could you|would you|now|lets|let us|i want to|id like to|go ahead and|just) )*"
_WORLD = (r"(?:it|this|that|everything|here|the world|this world|the whole world|the land|this land|this place|"
          r"the place|the landscape|this landscape|the scenery|the map|the area|this area|all of it|the terrain)")
# "turn this into a desert", "transform the world to an alien planet", "change it to a tundra"
_TRANSFORM = re.compile(_POLITE + r"(?:turn|transform|change|convert|switch|morph|terraform|remake|reshape|"
                        r"make over)(?: " + _WORLD + r")?(?: back)? (?:in)?to (?P<x>.+)$")
# "make it look like autumn", "make this a desert", "make the world snowy"
_MAKE = re.compile(_POLITE + r"(?:make|let|have|set) " + _WORLD +
                   r"(?: (?:look|looks|feel|seem|be|become))?(?: (?:like|into))? (?P<x>.+)$")
# "make the sky green", "paint the sea pink", "turn the grass orange", "the sky should be purple"
_PAINT = re.compile(_POLITE + r"(?:(?:make|turn|paint|colou?r|change|dye|tint|set) )?(?:the |a )?(?P<x>(?:" +
                    "|".join(sorted({"sky", "skies", "water", "sea", "ocean", "lake", "lakes", "ground", "grass",
                                     "trees", "leaves", "soil"}, key=len, reverse=True)) +
                    r")\b.*)$")
# "add palm trees", "plant some dead trees", "more crystals", "fill it with ruins"
_ADD = re.compile(_POLITE + r"(?:add|plant|grow|put|place|bring|scatter|spawn|give me|fill (?:it|the world) with|"
                  r"more|cover (?:it|the world|everything) (?:in|with)) (?P<x>.+)$")
_FREEZE = re.compile(_POLITE + r"(?P<verb>freeze|unfreeze|thaw|melt|ice over) (?:all )?(?:the )?"
                     r"(?:lakes?|water|sea|ocean|rivers?|ponds?)\b")
_COUNTED = re.compile(r"^(?:a|an|one|\d+|two|three|four|five|six|seven|eight|nine|ten|a few|a couple of)\b")
# Things only a recipe can add (trees, pines, rocks, houses and cacti are Direct-mode spawns; a counted
# "3 palm trees" stays a spawn of trees too).
_ADDABLE = frozenset({"flora.palm", "flora.dead_tree", "flora.ruin", "flora.crystal"})


@dataclass
class Restyle:
    edits: list[dict] = field(default_factory=list)   # the recipe edit first, then weather / time edits
    reply: str = ""


def recipe_edit(reading: WorldReading) -> dict:
    """The typed edit that makes a live world what `reading` describes."""
    edit: dict = {"op": "recipe"}
    if reading.preset is not None:
        edit["preset"] = reading.preset
    if reading.changes:
        edit["changes"] = {k: list(v) if isinstance(v, tuple) else v for k, v in reading.changes.items()}
    return edit


def _reading_for(text: str) -> WorldReading | None:
    m = _FREEZE.match(text)
    if m:
        frozen = m.group("verb") in ("freeze", "ice over")
        return WorldReading(changes={"water.frozen": frozen},
                            understood=[f"{m.group('verb')}: water {'frozen' if frozen else 'thawed'}"])
    for rx in (_TRANSFORM, _MAKE):
        m = rx.match(text)
        if m and rx is _MAKE and weather_or_time_word(m.group("x").split()[0]):
            return None                     # "make it rain on the village", "let it snow over the town"
        if m:
            reading = read_world(m.group("x"))
            if reading.shapes_world or (rx is _TRANSFORM and reading.not_understood and not reading.edits):
                return reading      # an unknown world after "turn this into" is said so, not guessed
            return None
    m = _PAINT.match(text)
    if m:
        reading = read_world(m.group("x"), choose_preset=False)   # "paint the sea pink" recolours this world
        if any(k in PAINT.values() for k in reading.changes):
            reading.changes = {k: v for k, v in reading.changes.items() if k in PAINT.values()}
            return reading
        return None
    m = _ADD.match(text)
    if m and not _COUNTED.match(m.group("x")):
        reading = read_world(m.group("x"), choose_preset=False)   # adding palm trees keeps this world
        if reading.changes and set(reading.changes) <= _ADDABLE:
            return reading
    return None


def restyle(text: str) -> Restyle | None:
    """A world change asked in Direct mode, or None when the text asks for something else (then Direct mode
    reads it). `Session.command` asks this first."""
    if not isinstance(text, str):
        return None
    reading = _reading_for(clean(text))
    if reading is None:
        return None
    if not reading.shapes_world:
        return Restyle([], "I could not tell what world that is" + (
            ": I did not understand " + ", ".join(reading.not_understood) if reading.not_understood else "") +
            ". Try a desert, snowy mountains, an island, the moon, an alien planet or a city.")
    edits = [recipe_edit(reading)] + [e for e in reading.edits if e["op"] in ("weather", "time", "gravity")]
    return Restyle(edits, reply(reading))


def reply(reading: WorldReading) -> str:
    """What changed, in plain words, and what was not understood."""
    said = []
    if reading.preset:
        said.append(f"the world turns into {reading.recipe().terrain.style}")
    said += [change_words(k, v) for k, v in reading.changes.items()]
    text = ("; ".join(said) + ".") if said else "Nothing changed."
    text = text[0].upper() + text[1:]
    rest = [e for e in reading.edits if e["op"] in ("weather", "time", "gravity")]
    if rest:
        text += " " + " ".join(describe(e) for e in rest)
    if reading.not_understood:
        text += " I did not understand: " + ", ".join(reading.not_understood) + "."
    return text
