"""Plain words for what a reading changed in a world recipe, for replies and summaries."""
from __future__ import annotations

from functools import lru_cache

_FLORA_WORDS = {"palm": "palm trees", "dead_tree": "dead trees", "ruin": "ruins", "crystal": "crystals",
                "house": "houses", "rock": "rocks", "cactus": "cacti", "pine": "pines", "broadleaf": "broadleaf trees",
                "building": "buildings", "animal": "animals"}


def a(word: str) -> str:
    return ("an " if word[:1] in "aeiou" else "a ") + word


@lru_cache(maxsize=1)
def _colour_names() -> dict:
    from oyster.language.vocab import vocabulary
    named: dict = {}
    for e in vocabulary().values():
        if e.color is not None and " " not in e.phrase:
            named.setdefault(e.color, e.phrase)
    return named


def colour_name(rgb) -> str:
    return _colour_names().get(tuple(rgb), "#" + "".join(f"{int(c):02x}" for c in rgb))


def change_words(path: str, value) -> str:
    part, _, name = path.partition(".")
    if name == "frozen":
        return "the water freezes" if value else "the water thaws"
    if name == "season":
        return f"the land turns to {value}"
    if name.endswith("color"):
        return "the trees turn " + colour_name(value) if part == "flora" else f"the {part} turns {colour_name(value)}"
    if name == "moons":
        return f"{value} moons rise"
    if name == "planet":
        return "a planet hangs in the sky"
    if name in ("volcano", "lava_flows"):
        return ("a volcano stands" if name == "volcano" else "lava flows") if value else f"no {name.replace('_', ' ')}"
    if part == "terrain":
        return f"{name} rise" if name in ("mountains", "dunes", "islands") else f"{name} appear"
    if part == "flora":
        things = _FLORA_WORDS.get(name, name.replace("_", " "))
        return f"{things} appear" if value else f"no more {things}"
    return f"{path} set to {value}"
