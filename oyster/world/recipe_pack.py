"""Recipe -> the numbers the terrain kernels read: a float64 vector with named slots, a palette and a density table.

DEFAULT packs to exactly today's literals (the kernels read the same float64 values they used to hard-code, and
every style term is gated on a slot that is 0 by default), which is what keeps the default world bit-identical.
"""
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .kinds import KIND_ID
from .recipe import DEFAULT, WorldRecipe

# ------------------------------------------------------------------------------------------- vector slots
(R_STYLED, R_RELIEF, R_ROUGH, R_MOUNT, R_DUNES, R_CANYON, R_ISLANDS, R_CRATERS, R_LAKES, R_LAVA,
 R_SNOW0, R_SNOWT, R_DESERT, R_FOREST, R_SEA, R_FLOOR_ON, R_FLOOR, R_FROZEN, R_RAMP0, R_RAMP1,
 R_ROCK0, R_ROCK_D1, R_ROCK_D2, R_STRATA, R_MRAMP0, R_MRAMP1) = range(26)
N_SLOTS = 26

# ------------------------------------------------------------------------------------------- palette rows
(P_SEABED, P_SEAMUD, P_DRY, P_LUSH, P_TINT_DRY, P_TINT_LUSH, P_FOREST, P_SAND, P_BEACH, P_SHORE, P_ALPINE,
 P_ASH_D, P_ASH_L, P_CRATER, P_SNOW, P_STRATA, P_ICE) = range(17)
N_PAL = 17
_TODAY = {P_SEABED: (196, 182, 134), P_SEAMUD: (88, 84, 64), P_DRY: (152, 156, 78), P_LUSH: (80, 132, 50),
          P_TINT_DRY: (158, 150, 76), P_TINT_LUSH: (60, 118, 44), P_FOREST: (44, 84, 36), P_SAND: (208, 162, 102),
          P_BEACH: (222, 205, 160), P_SHORE: (98, 90, 62), P_ALPINE: (128, 136, 72), P_ASH_D: (50, 44, 43),
          P_ASH_L: (92, 84, 76), P_CRATER: (96, 52, 36), P_SNOW: (236, 239, 245), P_STRATA: (180, 100, 60),
          P_ICE: (196, 220, 236)}
# season: (lush grass, dry grass, forest floor) replacing the recipe's when the season is not summer
_SEASON_GRASS = {"spring": ((76, 150, 52), (130, 160, 70), (48, 100, 38)),
                 "autumn": ((150, 120, 52), (176, 140, 70), (112, 66, 30)),
                 "winter": ((150, 150, 130), (170, 168, 150), (90, 96, 84)),
                 "dry": ((150, 146, 76), (186, 166, 96), (96, 100, 52))}
WINTER_SNOWLINE = -40.0

# ------------------------------------------------------------------------------------------- objects
# the generator's object kinds, in table-column order (today's five first: appending keeps the scatter identical)
SCATTER_KINDS = ("tree", "pine", "rock", "cactus", "animal", "palm", "dead_tree", "crystal", "ruin", "building")
_FLORA_OF = ("broadleaf", "pine", "rock", "cactus", "animal", "palm", "dead_tree", "crystal", "ruin", "building")
# per-biome probability per 4x4 m cell at flora scale 1 (rows: ocean lake beach grassland forest desert mountains
# snowy_peaks volcano); the first five columns are today's table
HABITAT = np.array([
    [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    [0.0, 0.0, 0.012, 0.0, 0.0, 0.03, 0.002, 0.004, 0.0, 0.004],
    [0.045, 0.0, 0.015, 0.0, 0.004, 0.012, 0.008, 0.006, 0.003, 0.01],
    [0.33, 0.2, 0.02, 0.0, 0.006, 0.03, 0.02, 0.006, 0.002, 0.008],
    [0.0, 0.0, 0.02, 0.035, 0.0, 0.004, 0.006, 0.008, 0.004, 0.01],
    [0.0, 0.08, 0.07, 0.0, 0.0, 0.0, 0.01, 0.02, 0.0, 0.002],
    [0.0, 0.015, 0.03, 0.0, 0.0, 0.0, 0.004, 0.02, 0.0, 0.0],
    [0.0, 0.0, 0.035, 0.0, 0.0, 0.0, 0.01, 0.01, 0.0, 0.0],
])


@dataclass(frozen=True, eq=False)
class KernelPack:
    vec: np.ndarray        # (N_SLOTS,) float64
    pal: np.ndarray        # (N_PAL, 3) float64 RGB 0..255
    density: np.ndarray    # (9, len(SCATTER_KINDS)) float64
    dkinds: np.ndarray     # (len(SCATTER_KINDS),) int64 kinds.KINDS ids
    volcano: bool          # the volcano near the start exists
    village_rate: float    # today's 0.6: share of village regions that get a village


def _mix(a, b, t: float) -> tuple:
    return tuple(x + (y - x) * t for x, y in zip(a, b, strict=True))


def _palette(r: WorldRecipe) -> np.ndarray:
    g, d = r.ground, DEFAULT.ground
    pal = dict(_TODAY)
    lush, dry, forest = g.grass, g.dry_grass, g.forest_floor
    if g.season != "summer" and (lush, dry, forest) == (d.grass, d.dry_grass, d.forest_floor):
        lush, dry, forest = _SEASON_GRASS[g.season]
    if g.color is not None:
        lush = dry = g.color
        forest = _mix(g.color, (0, 0, 0), 0.15)
    if (lush, dry, forest) != (d.grass, d.dry_grass, d.forest_floor):
        pal[P_LUSH], pal[P_DRY], pal[P_FOREST] = lush, dry, forest
        pal[P_TINT_DRY] = _mix(dry, (200, 180, 100), 0.1)
        pal[P_TINT_LUSH] = _mix(lush, (0, 0, 0), 0.15)
        pal[P_ALPINE] = _mix(lush, dry, 0.5)
        pal[P_SHORE] = _mix(dry, (60, 50, 40), 0.5)
    sand = g.color if (g.color is not None and g.sand == d.sand) else g.sand
    pal[P_SAND] = sand
    pal[P_BEACH] = g.beach
    pal[P_SEABED] = g.seabed
    if g.seabed != d.seabed:
        pal[P_SEAMUD] = _mix(g.seabed, (0, 0, 0), 0.5)
    pal[P_SNOW] = g.snow
    if g.strata is not None:
        pal[P_STRATA] = g.strata
    return np.array([pal[k] for k in range(N_PAL)], np.float64)


def _vector(r: WorldRecipe) -> np.ndarray:
    t, g, w = r.terrain, r.ground, r.water
    v = np.zeros(N_SLOTS, np.float64)
    v[R_RELIEF], v[R_ROUGH], v[R_MOUNT], v[R_DUNES] = t.relief, t.roughness, t.mountains, t.dunes
    v[R_CANYON], v[R_ISLANDS], v[R_CRATERS], v[R_LAKES] = t.canyons, t.islands, t.craters, t.lakes
    v[R_LAVA] = 1.0 if t.lava_flows else 0.0
    v[R_SNOW0] = min(g.snowline, WINTER_SNOWLINE) if g.season == "winter" else g.snowline
    v[R_SNOWT] = 30.0
    v[R_DESERT], v[R_FOREST] = g.desert, g.forest
    v[R_SEA] = w.level
    if w.frozen or not w.enabled:
        v[R_FLOOR_ON], v[R_FLOOR] = 1.0, (0.0 if w.frozen else 0.4)
    v[R_FROZEN] = 1.0 if (w.frozen and w.enabled) else 0.0
    # the start stays on land: today's ramp, a small island in an archipelago
    v[R_RAMP0], v[R_RAMP1] = (300.0, 1400.0) if t.islands == 0.0 else (50.0, 180.0 + 900.0 * (1.0 - t.islands))
    # mountains keep this far from the start (today's: a 250-550 m ramp); high ranges close in on a valley
    v[R_MRAMP0], v[R_MRAMP1] = (250.0, 550.0) if t.mountains < 0.5 else (140.0, 380.0)
    rock = g.rock
    v[R_ROCK0], v[R_ROCK_D1], v[R_ROCK_D2] = float(rock[0]), float(rock[0] - rock[1]), float(rock[0] - rock[2])
    v[R_STRATA] = 1.0 if g.strata is not None else 0.0
    terms = (t.relief != 1.0, t.roughness != 1.0, t.mountains, t.dunes, t.canyons, t.islands, t.craters,
             t.lakes != 1.0, t.lava_flows, g.desert, g.forest, w.level, v[R_FLOOR_ON], v[R_STRATA])
    v[R_STYLED] = 1.0 if any(terms) else 0.0
    return v


def _density(r: WorldRecipe) -> np.ndarray:
    scale = np.array([getattr(r.flora, n) for n in _FLORA_OF], np.float64)
    return np.ascontiguousarray(HABITAT * scale[None, :])


@lru_cache(maxsize=64)
def _pack(r: WorldRecipe) -> KernelPack:
    return KernelPack(_vector(r), _palette(r), _density(r),
                      np.array([KIND_ID[k] for k in SCATTER_KINDS], np.int64),
                      r.terrain.volcano, 0.6 * r.flora.house)


@dataclass(frozen=True)
class Look:
    """What the renderer takes from a non-default recipe: colours 0..1 (None: today's), sky bodies, fog."""
    day_zenith: tuple | None
    day_horizon: tuple | None
    night_zenith: tuple | None
    dusk: tuple | None
    black: bool
    stars: float
    moons: int
    planet: bool
    haze: float
    clouds: float
    water: tuple | None
    leaf: tuple | None


_AUTUMN_LEAF = (205, 96, 30)


def _unit(c) -> tuple | None:
    return None if c is None else tuple(v / 255.0 for v in c)


@lru_cache(maxsize=64)
def look(r: WorldRecipe) -> Look | None:
    """The render look of recipe r, or None when it draws exactly like today's world."""
    s = r.sky
    leaf = r.flora.leaf_color
    if leaf is None and r.ground.season == "autumn":
        leaf = _AUTUMN_LEAF
    out = Look(_unit(s.day_color), _unit(s.horizon_color), _unit(s.night_color), _unit(s.dusk_color), s.black,
               s.stars, s.moons, s.planet, s.haze, s.clouds, _unit(r.water.color), _unit(leaf))
    today = Look(None, None, None, None, False, 0.0, 1, False, 1.0, 1.0, None, None)
    return None if out == today else out


def pack(r: WorldRecipe) -> KernelPack:
    """The kernel numbers of recipe r (cached; the arrays are shared: do not write to them)."""
    return _pack(r)
