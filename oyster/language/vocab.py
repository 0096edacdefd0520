"""The world vocabulary: words -> climate attributes, preset votes, recipe changes and places (data in world_words.txt).

Attributes give open vocabulary a place to land: a word with no preset of its own ("frostbitten", "parched")
still moves the reading towards the preset whose climate profile it matches.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).with_name("world_words.txt")
AXES = ("temp", "wet", "relief", "sea", "life", "urban", "alien", "fire", "space", "fall")

# Attribute tags: (axis, amount).
ATTRIBUTES = {
    "hot": ("temp", 1.0), "warm": ("temp", 0.5), "cool": ("temp", -0.5), "cold": ("temp", -1.0),
    "dry": ("wet", -1.0), "damp": ("wet", 0.5), "wet": ("wet", 1.0),
    "high": ("relief", 1.0), "hilly": ("relief", 0.4), "flat": ("relief", -1.0),
    "sea": ("sea", 1.0), "coast": ("sea", 0.5), "inland": ("sea", -1.0),
    "barren": ("life", -1.0), "sparse": ("life", -0.5), "lush": ("life", 1.0),
    "urban": ("urban", 1.0), "alien": ("alien", 1.0), "fire": ("fire", 1.0), "space": ("space", 1.0),
    "fall": ("fall", 1.0),
}

# Each preset's climate profile on AXES (0 where unsaid); the reader picks the nearest to what was said.
PROFILES: dict[str, dict[str, float]] = {
    "meadow": {"temp": 0.3, "wet": 0.3, "relief": 0.2, "life": 0.7},
    "plains": {"temp": 0.2, "relief": -1.0, "life": 0.3},
    "alpine": {"temp": -0.7, "relief": 1.0, "life": 0.2},
    "dunes": {"temp": 1.0, "wet": -1.0, "life": -0.9, "sea": -0.5},
    "canyon": {"temp": 0.7, "wet": -0.8, "relief": 0.7, "life": -0.6},
    "archipelago": {"temp": 0.6, "wet": 0.3, "sea": 1.0, "life": 0.3},
    "moon": {"space": 1.0, "life": -1.0, "wet": -1.0, "sea": -0.8, "temp": -0.3},
    "volcanic": {"fire": 1.0, "temp": 0.8, "life": -0.9, "wet": -0.4},
    "tundra": {"temp": -1.0, "relief": -0.5, "life": -0.6, "wet": -0.2},
    "autumn_forest": {"fall": 1.0, "life": 0.8, "temp": -0.2},
    "jungle": {"temp": 0.9, "wet": 1.0, "life": 1.0},
    "alien": {"alien": 1.0},
    "city": {"urban": 1.0},
    "swamp": {"wet": 1.0, "relief": -0.8, "life": 0.6, "temp": 0.3, "sea": 0.3},
    "savanna": {"temp": 0.8, "wet": -0.5, "life": 0.1, "relief": -0.6},
}
PRESETS = tuple(PROFILES)
STRONG, WEAK = 3.0, 0.6      # vote of a word that names a world ("desert") and of a hint ("sandy")
DEFAULT_PRESET = "meadow"

# Named recipe changes (+name in the data): dotted recipe paths (oyster.world.recipe) and values, in one place so
# the schema's field names are spelled once. Flora numbers scale a kind's density (1 = today's).
CHANGES: dict[str, dict[str, object]] = {
    "frozen": {"water.frozen": True},
    "winter": {"ground.season": "winter"},
    "autumn": {"ground.season": "autumn"},
    "spring": {"ground.season": "spring"},
    "palm": {"flora.palm": 1.5},
    "cactus": {"flora.cactus": 2.0},
    "pine": {"flora.pine": 2.0},
    "broadleaf": {"flora.broadleaf": 2.0},
    "dead_trees": {"flora.dead_tree": 1.0},
    "ruins": {"flora.ruin": 1.0},
    "crystals": {"flora.crystal": 1.5},
    "houses": {"flora.house": 1.6},
    "rocks": {"flora.rock": 2.0},
    "volcano": {"terrain.volcano": True},
    "lava": {"terrain.volcano": True, "terrain.lava_flows": True},
    "moons": {"sky.moons": 2},
    "planet": {"sky.planet": True},
    "coral_water": {"water.color": (40, 170, 190)},
    "mountains": {"terrain.mountains": 0.8},
    "islands": {"terrain.islands": 0.8},
    "dunes": {"terrain.dunes": 0.8},
    "canyons": {"terrain.canyons": 0.8},
    "craters": {"terrain.craters": 0.6},
}
# A change is left out when the chosen preset already is that ("snowy mountains" stay alpine, without snow
# and mountains added on top); with another preset it composes ("jungle mountains", "a snowy island").
ALREADY = {"winter": ("alpine", "tundra"), "autumn": ("autumn_forest",), "mountains": ("alpine",),
           "islands": ("archipelago",), "dunes": ("dunes",), "canyons": ("canyon",), "craters": ("moon",),
           "palm": ("archipelago", "jungle"), "lava": ("volcanic",), "frozen": ("alpine", "tundra"),
           "crystals": ("alien",), "moons": ("alien",), "planet": ("alien", "moon")}
# What "no X" / "without X" sets, by the change X names, by the place it is, or by the part it paints
# ("a desert without cacti", "an island with no trees", "a world with no water").
ABSENT: dict[str, dict[str, object]] = {
    "palm": {"flora.palm": 0.0}, "cactus": {"flora.cactus": 0.0}, "pine": {"flora.pine": 0.0},
    "broadleaf": {"flora.broadleaf": 0.0}, "dead_trees": {"flora.dead_tree": 0.0}, "ruins": {"flora.ruin": 0.0},
    "crystals": {"flora.crystal": 0.0}, "houses": {"flora.house": 0.0}, "rocks": {"flora.rock": 0.0},
    "volcano": {"terrain.volcano": False, "terrain.lava_flows": False}, "lava": {"terrain.lava_flows": False},
    "frozen": {"water.frozen": False}, "moons": {"sky.moons": 0}, "planet": {"sky.planet": False},
    "mountains": {"terrain.mountains": 0.0}, "islands": {"terrain.islands": 0.0}, "dunes": {"terrain.dunes": 0.0},
    "canyons": {"terrain.canyons": 0.0}, "craters": {"terrain.craters": 0.0},
    "@forest": {"flora.broadleaf": 0.0, "flora.pine": 0.0, "flora.palm": 0.0},
    "@lake": {"terrain.lakes": 0.0}, "@village": {"flora.house": 0.0},
    "^water": {"water.enabled": False}, "^sky": {"sky.clouds": 0.0},
}
NEGATIONS = frozenset({"no", "without", "not", "never", "zero", "nor", "lacking"})
# Which recipe colour a painted part of the world sets.
PAINT = {"sky": "sky.day_color", "water": "water.color", "ground": "ground.color", "trees": "flora.leaf_color"}
# World words that also name a paintable part ("a pink sea", "orange trees").
PART_WORDS = {**dict.fromkeys(("sea", "seas", "ocean", "oceans", "lake", "lakes", "river", "rivers", "pond"), "water"),
              **dict.fromkeys(("grass", "grasses", "sand", "sands", "rock", "rocks", "dunes", "hills"), "ground"),
              **dict.fromkeys(("trees", "tree", "forest", "forests", "woods", "leaves", "jungle"), "trees")}
PLACES = ("volcano", "lake", "village", "forest", "desert", "mountain", "beach")

_LINE = re.compile(r"^([^:#]+):(.*)$")


@dataclass(frozen=True)
class Entry:
    """What one world word (or phrase) says."""
    phrase: str
    attrs: tuple[tuple[str, float], ...] = ()
    votes: tuple[tuple[str, float], ...] = ()       # (preset, weight)
    changes: tuple[str, ...] = ()                    # names in CHANGES
    places: tuple[str, ...] = ()
    land: bool = False                               # a landform noun ("mountains", "island")
    part: str | None = None                          # a paintable part ("sky", "water", ...)
    color: tuple[int, int, int] | None = None        # a colour word's RGB
    hour: float | None = None                        # an hour of the day it asks for
    words: tuple[str, ...] = field(default=(), compare=False)

    @property
    def empty(self) -> bool:
        """Understood, but it says nothing about the world ("vast", "scenery")."""
        return not (self.attrs or self.votes or self.changes or self.places or self.color or self.hour is not None)


def parse_tags(tags: list[str], phrase: str) -> Entry:
    attrs, votes, changes, places = [], [], [], []
    land, part, color, hour = False, None, None, None
    for t in tags:
        head, name = t[0], t[1:]
        if t in ATTRIBUTES:
            attrs.append(ATTRIBUTES[t])
        elif head in "=~" and name in PROFILES:
            votes.append((name, STRONG if head == "=" else WEAK))
        elif head == "+" and name in CHANGES:
            changes.append(name)
        elif head == "@" and name in PLACES:
            places.append(name)
        elif t == "!land":
            land = True
        elif head == "^" and name in PAINT:
            part = name
        elif head == "%" and re.fullmatch(r"[0-9a-f]{6}", name):
            color = tuple(int(name[i:i + 2], 16) for i in (0, 2, 4))
        elif head == ">" and re.fullmatch(r"\d{1,2}(?:\.\d+)?", name) and float(name) < 24:
            hour = float(name)
        elif t != ".":
            raise ValueError(f"world_words.txt: unknown tag {t!r} for {phrase!r}")
    return Entry(phrase, tuple(attrs), tuple(votes), tuple(changes), tuple(places), land, part, color, hour,
                 tuple(phrase.split()))


def parse(text: str) -> dict[str, Entry]:
    """phrase -> Entry; ValueError on an unknown tag or a phrase listed twice (the data must not disagree)."""
    out: dict[str, Entry] = {}
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        m = _LINE.match(line)
        if not m:
            raise ValueError(f"world_words.txt line {n}: expected 'words : tags'")
        tags = m.group(2).split()
        for phrase in (" ".join(p.split()) for p in m.group(1).split(",")):
            if not phrase:
                continue
            if phrase in out:
                raise ValueError(f"world_words.txt line {n}: {phrase!r} is listed twice")
            out[phrase] = parse_tags(tags, phrase)
    return out


@lru_cache(maxsize=1)
def vocabulary() -> dict[str, Entry]:
    return parse(DATA.read_text(encoding="utf-8"))
