"""The world recipe: a small, typed, versioned description of a world from which the generator takes its numbers.

A recipe is data. `DEFAULT` is today's grassland world (bit-identical); a style is an entry in PRESET_CHANGES (dotted
field paths -> values), never a new code path. Change one with `recipe.changed({"sky.day_color": (150, 60, 200)})`;
share codes carry `to_doc()`; caches key on `key()`.
"""
import hashlib
import json
import math
from dataclasses import dataclass, field, fields, replace

VERSION = 1
MAX_DOC_BYTES = 8192        # a recipe document, as compact JSON, is at most this long
RGB = tuple                 # (r, g, b), ints 0..255
SEASONS = ("summer", "spring", "autumn", "winter", "dry")
WEATHERS = ("clear", "rain", "snow", "fog", "storm")


def _num(default: float, lo: float, hi: float):
    return field(default=default, metadata={"kind": "num", "lo": lo, "hi": hi})


def _int(default: int, lo: int, hi: int):
    return field(default=default, metadata={"kind": "int", "lo": lo, "hi": hi})


def _flag(default: bool):
    return field(default=default, metadata={"kind": "flag"})


def _rgb(default, optional: bool = False):
    return field(default=default, metadata={"kind": "rgb", "optional": optional})


def _choice(default, options: tuple, optional: bool = False):
    return field(default=default, metadata={"kind": "choice", "options": options, "optional": optional})


def _text(default: str, longest: int):
    return field(default=default, metadata={"kind": "text", "longest": longest})


@dataclass(frozen=True)
class Terrain:
    style: str = _text("rolling hills", 40)    # what the HUD calls it
    relief: float = _num(1.0, 0.0, 4.0)         # scale of hills
    roughness: float = _num(1.0, 0.0, 3.0)      # scale of small-scale detail on the hills
    mountains: float = _num(0.0, 0.0, 1.0)      # extra ridged mountains, with valleys between them
    dunes: float = _num(0.0, 0.0, 1.0)          # sand dune field (also makes the ground a desert)
    canyons: float = _num(0.0, 0.0, 1.0)        # mesas: a raised plateau cut by steep canyons, in terraces
    islands: float = _num(0.0, 0.0, 1.0)        # the land breaks into islands in open sea
    craters: float = _num(0.0, 0.0, 1.0)        # a field of impact craters
    lakes: float = _num(1.0, 0.0, 1.0)          # how many lakes (1 = today's, 0 = none)
    volcano: bool = _flag(True)                 # the volcano near the start
    lava_flows: bool = _flag(False)             # glowing lava rivers in the lowlands


@dataclass(frozen=True)
class Ground:
    season: str = _choice("summer", SEASONS)    # tints grass and leaves; winter lays snow on everything
    snowline: float = _num(128.0, -200.0, 400.0)   # metres; snow above it (lower on cold ground)
    desert: float = _num(0.0, 0.0, 1.0)         # dryness everywhere: sand instead of grass
    forest: float = _num(0.0, 0.0, 1.0)         # lushness everywhere: forest instead of grass
    color: tuple | None = _rgb(None, optional=True)   # overrides grass, forest and sand with one colour
    grass: tuple = _rgb((80, 132, 50))          # lush grass
    dry_grass: tuple = _rgb((152, 156, 78))
    forest_floor: tuple = _rgb((44, 84, 36))
    sand: tuple = _rgb((208, 162, 102))         # desert
    beach: tuple = _rgb((222, 205, 160))
    seabed: tuple = _rgb((196, 182, 134))
    rock: tuple = _rgb((112, 109, 104))         # bare rock on steep slopes (grey, warm bands added)
    snow: tuple = _rgb((236, 239, 245))
    strata: tuple | None = _rgb(None, optional=True)   # banded canyon rock colour (None: no bands)


@dataclass(frozen=True)
class Water:
    level: float = _num(0.0, -60.0, 60.0)       # metres the sea stands above today's (floods the lowlands)
    color: tuple | None = _rgb(None, optional=True)   # deep water colour (None: today's blue-green)
    frozen: bool = _flag(False)                 # lakes and sea are walkable ice
    enabled: bool = _flag(True)                 # False: dry basins, no water at all


@dataclass(frozen=True)
class Sky:
    day_color: tuple | None = _rgb(None, optional=True)      # zenith at noon (None: today's blue)
    horizon_color: tuple | None = _rgb(None, optional=True)  # horizon at noon (None: from day_color)
    night_color: tuple | None = _rgb(None, optional=True)    # zenith at night
    dusk_color: tuple | None = _rgb(None, optional=True)     # sunset glow
    black: bool = _flag(False)                  # no atmosphere: a black sky with stars even at noon
    stars: float = _num(0.0, 0.0, 1.0)          # stars visible by day as well
    moons: int = _int(1, 0, 3)
    planet: bool = _flag(False)                 # a large planet hangs in the sky
    haze: float = _num(1.0, 0.0, 5.0)           # scale of distance fog
    clouds: float = _num(1.0, 0.0, 2.0)         # scale of cloud cover


@dataclass(frozen=True)
class Flora:
    """Objects by kind: each number scales that kind's density in its usual biomes (1 = today's, 0 = none)."""
    broadleaf: float = _num(1.0, 0.0, 4.0)
    pine: float = _num(1.0, 0.0, 4.0)
    palm: float = _num(0.0, 0.0, 4.0)
    cactus: float = _num(1.0, 0.0, 4.0)
    dead_tree: float = _num(0.0, 0.0, 4.0)
    rock: float = _num(1.0, 0.0, 4.0)
    crystal: float = _num(0.0, 0.0, 4.0)
    ruin: float = _num(0.0, 0.0, 4.0)
    house: float = _num(1.0, 0.0, 1.6)          # villages
    building: float = _num(0.0, 0.0, 4.0)       # tall city buildings (lit windows, neon at night)
    animal: float = _num(1.0, 0.0, 4.0)         # creatures
    leaf_color: tuple | None = _rgb(None, optional=True)   # canopy colour (None: green, or the season's)


@dataclass(frozen=True)
class WorldRecipe:
    name: str = _text("meadow", 40)             # the preset it started from
    terrain: Terrain = field(default_factory=Terrain)
    ground: Ground = field(default_factory=Ground)
    water: Water = field(default_factory=Water)
    sky: Sky = field(default_factory=Sky)
    flora: Flora = field(default_factory=Flora)
    gravity: float = _num(1.0, 0.05, 3.0)       # scale of Earth's
    weather: str = _choice("clear", WEATHERS)   # the weather a fresh world starts with
    hour: float | None = field(default=None, metadata={"kind": "num", "lo": 0.0, "hi": 24.0, "optional": True})
    version: int = VERSION

    # -------------------------------------------------------------------------------------------- changing
    def changed(self, changes: dict) -> "WorldRecipe":
        """A copy with dotted field paths set ({"water.frozen": True}); ValueError on an unknown path or bad value."""
        if not isinstance(changes, dict):
            raise ValueError("recipe changes must be a dict of dotted field paths to values")
        if len(changes) > 64:
            raise ValueError("at most 64 recipe changes at once")
        out = self
        for path, value in changes.items():
            out = _set(out, path, value)
        return out

    def get(self, path: str):
        obj = self
        for part in _parts(path):
            obj = getattr(obj, part)
        return obj

    def diff(self, other: "WorldRecipe | None" = None) -> dict:
        """Dotted paths whose values differ from `other` (default: the preset this recipe started from)."""
        base = other if other is not None else PRESETS.get(self.name, DEFAULT)
        a, b = _flat(self.to_doc()), _flat(base.to_doc())
        return {k: v for k, v in a.items() if b.get(k) != v and k != "name"}

    # -------------------------------------------------------------------------------------------- storing
    def to_doc(self) -> dict:
        """A JSON-able dict (colours as lists) that from_doc reads back to an equal recipe."""
        return _to_doc(self)

    def to_compact_doc(self) -> dict:
        """Only what differs from DEFAULT (plus the name and version): from_doc reads it back to an equal recipe."""
        full, base = _to_doc(self), _to_doc(DEFAULT)
        out = {"name": self.name, "version": VERSION}
        for k, v in full.items():
            if isinstance(v, dict):
                d = {g: x for g, x in v.items() if base[k][g] != x}
                if d:
                    out[k] = d
            elif k not in ("name", "version") and base[k] != v:
                out[k] = v
        return out

    def key(self) -> str:
        """Stable 16-hex hash of the recipe's content (cache keys; equal recipes give equal keys)."""
        k = self.__dict__.get("_key")
        if k is None:
            k = _key(self)
            object.__setattr__(self, "_key", k)   # memo on a frozen instance: the content never changes
        return k

    @property
    def is_default(self) -> bool:
        return _without_name(self) == _without_name(DEFAULT)


def _without_name(r: WorldRecipe) -> WorldRecipe:
    return replace(r, name="meadow")


def _parts(path) -> list:
    if not isinstance(path, str) or not 0 < len(path) <= 60:
        raise ValueError(f"a recipe path must be a short dotted string, got {path!r}")
    parts = path.split(".")
    if len(parts) not in (1, 2) or (len(parts) == 1 and parts[0] in _SECTIONS):
        raise ValueError(f"unknown recipe path {path!r}; e.g. 'sky.day_color', 'water.frozen', 'gravity'")
    return parts


_SECTIONS = {"terrain": Terrain, "ground": Ground, "water": Water, "sky": Sky, "flora": Flora}


def _field(cls, name: str, path: str):
    for f in fields(cls):
        if f.name == name and f.metadata:
            return f
    allowed = ", ".join(f.name for f in fields(cls) if f.metadata)
    raise ValueError(f"unknown recipe path {path!r}; that part has: {allowed}")


def _set(r: WorldRecipe, path, value) -> WorldRecipe:
    parts = _parts(path)
    if len(parts) == 1:
        if parts[0] == "version":
            raise ValueError("the recipe version cannot be changed")
        f = _field(WorldRecipe, parts[0], path)
        return replace(r, **{parts[0]: _check(f, value, path)})
    sec, name = parts
    cls = _SECTIONS.get(sec)
    if cls is None:
        raise ValueError(f"unknown recipe section {sec!r}; expected one of {', '.join(_SECTIONS)}")
    f = _field(cls, name, path)
    return replace(r, **{sec: replace(getattr(r, sec), **{name: _check(f, value, path)})})


def _check(f, v, path: str):
    """The value normalised for field f (tuples for colours, floats for numbers); ValueError if it does not fit."""
    m = f.metadata
    kind = m["kind"]
    if v is None:
        if m.get("optional"):
            return None
        raise ValueError(f"{path} cannot be empty")
    if kind == "num":
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            raise ValueError(f"{path} must be a number, got {v!r}")
        if not m["lo"] <= v <= m["hi"]:
            raise ValueError(f"{path} must be between {m['lo']} and {m['hi']}, got {v!r}")
        return float(v)
    if kind == "int":
        if isinstance(v, bool) or not isinstance(v, (int, float)) or v != int(v) or not m["lo"] <= v <= m["hi"]:
            raise ValueError(f"{path} must be a whole number between {m['lo']} and {m['hi']}, got {v!r}")
        return int(v)
    if kind == "flag":
        if not isinstance(v, bool):
            raise ValueError(f"{path} must be true or false, got {v!r}")
        return v
    if kind == "rgb":
        if (not isinstance(v, (list, tuple)) or len(v) != 3
                or any(isinstance(c, bool) or not isinstance(c, (int, float)) or not math.isfinite(c)
                       or not 0 <= c <= 255 for c in v)):
            raise ValueError(f"{path} must be an (r, g, b) colour of numbers 0..255, got {v!r}")
        return tuple(int(round(c)) for c in v)
    if kind == "choice":
        if v not in m["options"]:
            raise ValueError(f"{path} must be one of {', '.join(m['options'])}, got {v!r}")
        return v
    if kind == "text":
        if not isinstance(v, str) or not 0 < len(v) <= m["longest"] or not v.isprintable():
            raise ValueError(f"{path} must be a short printable string, got {v!r}")
        return v
    raise AssertionError(kind)


def _to_doc(r: WorldRecipe) -> dict:
    doc = {}
    for f in fields(WorldRecipe):
        v = getattr(r, f.name)
        if f.name in _SECTIONS:
            doc[f.name] = {g.name: (list(x) if isinstance(x := getattr(v, g.name), tuple) else x) for g in fields(v)}
        else:
            doc[f.name] = v
    return doc


def _flat(doc: dict) -> dict:
    out = {}
    for k, v in doc.items():
        if isinstance(v, dict):
            out.update({f"{k}.{g}": (tuple(x) if isinstance(x, list) else x) for g, x in v.items()})
        else:
            out[k] = v
    return out


def from_doc(doc) -> WorldRecipe:
    """The recipe of a document from to_doc (strict: unknown keys, bad values, oversize -> ValueError).
    Keys it leaves out keep DEFAULT's values, so documents of older recipes with fewer fields still read."""
    if not isinstance(doc, dict):
        raise ValueError("a recipe document must be a JSON object")
    try:
        size = len(json.dumps(doc, separators=(",", ":")))
    except (TypeError, ValueError) as e:
        raise ValueError(f"a recipe document must be plain JSON: {e}") from None
    if size > MAX_DOC_BYTES:
        raise ValueError(f"a recipe document must be at most {MAX_DOC_BYTES} bytes, got {size}")
    v = doc.get("version", VERSION)
    if v != VERSION:
        raise ValueError(f"unknown recipe version {v!r}; this build reads version {VERSION}")
    changes = {}
    for k, val in doc.items():
        if k == "version":
            continue
        if k in _SECTIONS:
            if not isinstance(val, dict):
                raise ValueError(f"recipe section {k!r} must be an object")
            changes.update({f"{k}.{g}": x for g, x in val.items()})
        else:
            changes[k] = val
    if len(changes) > 200:
        raise ValueError("too many recipe fields")
    out = DEFAULT
    for path, val in changes.items():
        out = _set(out, path, val)
    return out


def _key(r: WorldRecipe) -> str:
    doc = _to_doc(_without_name(r))
    return hashlib.sha256(json.dumps(doc, sort_keys=True, separators=(",", ":")).encode()).hexdigest()[:16]


DEFAULT = WorldRecipe()

# Every style as data: dotted changes from DEFAULT. Default weather and hour are part of the look.
PRESET_CHANGES: dict[str, dict] = {
    "meadow": {},
    "alpine": {"terrain.style": "snowy mountains", "terrain.mountains": 0.9, "terrain.relief": 1.3,
               "terrain.volcano": False, "ground.snowline": 22.0, "ground.season": "winter",
               "flora.broadleaf": 0.0, "flora.pine": 2.5, "flora.house": 0.5, "water.frozen": True,
               "sky.day_color": (70, 130, 225), "hour": 10.0},
    "plains": {"terrain.style": "open plains", "terrain.relief": 0.25, "terrain.roughness": 0.5,
               "terrain.volcano": False, "terrain.lakes": 0.5, "ground.grass": (104, 150, 58),
               "ground.dry_grass": (150, 160, 80),
               "flora.broadleaf": 0.25, "flora.pine": 0.0, "flora.animal": 3.0},
    "dunes": {"terrain.style": "sand dunes", "terrain.dunes": 1.0, "terrain.volcano": False, "terrain.lakes": 0.0,
              "ground.desert": 1.0, "flora.broadleaf": 0.0, "flora.pine": 0.0, "flora.cactus": 0.5,
              "flora.palm": 0.2, "flora.animal": 0.0, "flora.house": 0.0, "sky.day_color": (70, 140, 230),
              "sky.horizon_color": (236, 214, 176), "sky.clouds": 0.2, "hour": 11.0},
    "canyon": {"terrain.style": "red rock canyons", "terrain.canyons": 1.0, "terrain.volcano": False,
               "terrain.lakes": 0.0, "ground.desert": 1.0, "ground.sand": (196, 112, 70),
               "ground.rock": (170, 84, 52), "ground.strata": (186, 96, 58), "flora.broadleaf": 0.0,
               "flora.pine": 0.3, "flora.cactus": 0.6, "flora.dead_tree": 0.3, "flora.house": 0.0,
               "sky.horizon_color": (230, 200, 170), "sky.clouds": 0.4, "hour": 16.0},
    "archipelago": {"terrain.style": "islands in the open sea", "terrain.islands": 1.0, "terrain.relief": 0.45,
                    "terrain.volcano": False,
                    "terrain.lakes": 0.0, "flora.palm": 2.0, "flora.broadleaf": 0.3, "flora.pine": 0.0,
                    "water.color": (10, 90, 130), "ground.beach": (236, 224, 186), "hour": 12.0},
    "moon": {"terrain.style": "cratered moon", "terrain.craters": 1.0, "terrain.relief": 0.4,
             "terrain.volcano": False, "terrain.lakes": 0.0, "ground.color": (128, 128, 128),
             "ground.rock": (96, 96, 98), "ground.beach": (128, 128, 128), "ground.snowline": 400.0,
             "water.enabled": False, "sky.black": True, "sky.stars": 1.0, "sky.planet": True, "sky.moons": 0,
             "sky.haze": 0.0, "sky.clouds": 0.0, "flora.broadleaf": 0.0, "flora.pine": 0.0, "flora.cactus": 0.0,
             "flora.animal": 0.0, "flora.house": 0.0, "flora.rock": 2.0, "gravity": 0.165},
    "volcanic": {"terrain.style": "volcanic wasteland", "terrain.lava_flows": True, "water.enabled": False,
                 "terrain.roughness": 1.6, "ground.color": (58, 52, 50), "ground.rock": (44, 40, 40),
                 "ground.beach": (60, 56, 54), "ground.seabed": (40, 36, 34), "flora.broadleaf": 0.0,
                 "flora.pine": 0.0, "flora.cactus": 0.0, "flora.dead_tree": 1.5, "flora.house": 0.0,
                 "flora.animal": 0.0, "sky.day_color": (110, 96, 92), "sky.horizon_color": (150, 112, 96),
                 "sky.haze": 1.4, "hour": 17.2},
    "tundra": {"terrain.style": "frozen tundra", "terrain.relief": 0.35, "terrain.volcano": False,
               "ground.snowline": -60.0, "ground.season": "winter", "water.frozen": True,
               "flora.broadleaf": 0.0, "flora.pine": 0.3, "flora.cactus": 0.0, "flora.house": 0.0,
               "flora.dead_tree": 0.3, "sky.day_color": (150, 175, 210), "sky.horizon_color": (220, 226, 236),
               "weather": "snow"},
    "autumn_forest": {"terrain.style": "autumn forest", "terrain.volcano": False, "ground.forest": 1.0,
                      "ground.season": "autumn", "flora.broadleaf": 1.3, "flora.pine": 0.3, "hour": 15.0},
    "jungle": {"terrain.style": "jungle", "terrain.volcano": False, "terrain.relief": 1.4, "ground.forest": 1.0,
               "ground.grass": (40, 118, 34), "ground.forest_floor": (30, 76, 26), "flora.broadleaf": 1.6,
               "flora.pine": 0.0, "flora.palm": 1.0, "flora.leaf_color": (30, 110, 30), "flora.house": 0.0,
               "sky.haze": 2.2, "weather": "rain"},
    "alien": {"terrain.style": "alien planet", "terrain.volcano": False, "terrain.craters": 0.3,
              "ground.color": (70, 150, 120), "ground.rock": (90, 60, 120), "ground.beach": (180, 120, 190),
              "ground.snow": (200, 240, 220), "water.color": (150, 40, 120), "sky.day_color": (120, 40, 170),
              "sky.horizon_color": (90, 200, 140), "sky.night_color": (30, 5, 45), "sky.moons": 2,
              "sky.planet": True, "flora.broadleaf": 0.0, "flora.pine": 0.0, "flora.cactus": 0.0,
              "flora.crystal": 2.0, "flora.house": 0.0, "flora.leaf_color": (200, 60, 160), "gravity": 0.6},
    "city": {"terrain.style": "city", "terrain.relief": 0.15, "terrain.roughness": 0.3, "terrain.volcano": False,
             "terrain.lakes": 0.0, "ground.color": (92, 94, 98), "ground.rock": (80, 80, 84),
             "flora.building": 1.5, "flora.broadleaf": 0.3, "flora.pine": 0.0, "flora.rock": 0.0,
             "flora.animal": 0.0, "flora.house": 0.0, "hour": 21.0},
    "swamp": {"terrain.style": "swamp", "terrain.relief": 0.2, "terrain.volcano": False, "water.level": 1.2,
              "water.color": (40, 60, 30), "ground.forest": 0.6, "ground.grass": (70, 96, 44),
              "ground.forest_floor": (46, 60, 32), "flora.dead_tree": 1.0, "flora.pine": 0.0,
              "flora.leaf_color": (70, 96, 40), "sky.day_color": (120, 140, 130),
              "sky.horizon_color": (170, 180, 165), "sky.haze": 4.0, "sky.clouds": 1.6},
    "savanna": {"terrain.style": "savanna", "terrain.relief": 0.4, "terrain.volcano": False,
                "terrain.lakes": 0.3, "ground.season": "dry", "ground.grass": (176, 160, 80),
                "ground.dry_grass": (200, 170, 90), "flora.broadleaf": 0.2, "flora.pine": 0.0,
                "flora.leaf_color": (96, 120, 40), "flora.animal": 3.0, "flora.house": 0.3, "hour": 17.5},
}

PRESETS: dict[str, WorldRecipe] = {n: replace(DEFAULT.changed(c), name=n) for n, c in PRESET_CHANGES.items()}
PRESETS["meadow"] = DEFAULT


def preset(name: str) -> WorldRecipe:
    if name not in PRESETS:
        raise ValueError(f"unknown world preset {name!r}; expected one of {', '.join(PRESETS)}")
    return PRESETS[name]
