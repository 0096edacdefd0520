"""Infinite seeded terrain: height, biome, albedo and placed objects per chunk, as pure functions of (seed, chunk).

Everything here is deterministic in (seed, world cell): chunk borders are seamless, a rebuilt chunk is bit-identical,
and objects come back in the same place with the same ids. The numba kernels live in terrain_kernels.py.
"""
import math
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from . import recipe_pack as rk
from . import terrain_kernels as tk
from .noise import hash01, seed_salts
from .recipe import DEFAULT, WorldRecipe
from .recipe_pack import pack
from .scene import CHUNK, MAT_LAVA

BIOMES = tk.BIOMES
BIOME_ID = tk.BIOME_ID
FEATURES = ("volcano", "lake", "village", "forest", "desert", "mountain", "beach")
# collision radius of each kind at scale 1, metres
OBJ_RADIUS = {"tree": 0.45, "pine": 0.4, "rock": 0.8, "house": 3.6, "cactus": 0.35,
              "campfire": 0.7, "villager": 0.35, "animal": 0.6,
              "palm": 0.35, "dead_tree": 0.3, "crystal": 0.6, "ruin": 2.6, "building": 5.0}
_KIND_NAMES = {v: k for k, v in tk.KIND_ID.items()}
_FEATURE_BIOMES = {"lake": (tk.B_LAKE,), "forest": (tk.B_FOREST,), "desert": (tk.B_DESERT,),
                   "mountain": (tk.B_MOUNT, tk.B_SNOW), "beach": (tk.B_BEACH,)}
_MAX_OBJ = (CHUNK // tk.SUB) ** 2


@dataclass
class PlacedObject:
    id: str          # deterministic: "cx:cy:k"
    kind: str        # a name from kinds.KINDS
    x: float         # metres
    y: float
    z: float         # ground height under the object (unedited terrain)
    radius: float    # collision radius, metres
    scale: float     # size multiplier (1 = the kind's usual size)


@dataclass(eq=False)   # arrays: compare fields with np.array_equal
class ChunkData:
    cx: int
    cy: int
    height: np.ndarray                 # (CHUNK, CHUNK) float32 metres, [j, i] = cell (cx*CHUNK+i, cy*CHUNK+j)
    color: np.ndarray                  # (CHUNK, CHUNK, 3) uint8 albedo (no lighting)
    material: np.ndarray               # (CHUNK, CHUNK) uint8 MAT_WATER below WATER_LEVEL else MAT_LAND
    biome: np.ndarray                  # (CHUNK, CHUNK) uint8 index into BIOMES
    objects: list = field(default_factory=list)   # PlacedObject, in id order
    heat: np.ndarray | None = None     # (CHUNK, CHUNK) float32 lava glow of the recipe's lava flows, or None


def _params(seed: int, recipe: WorldRecipe = DEFAULT) -> tuple:
    """(salts, volcano, recipe vector, palette): what the kernels read for (seed, recipe)."""
    salts, vol = _seed_params(seed, recipe.terrain.volcano)
    kp = pack(recipe)
    return salts, vol, kp.vec, kp.pal


@lru_cache(maxsize=64)
def _seed_params(seed: int, volcano: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Noise salts and the volcano (x, y, base radius, crater radius, rim height, 3 gully phases) of a seed."""
    salts = seed_salts(seed)
    s = int(salts[tk.S_VOLC])
    ang = 2.0 * math.pi * float(hash01(1, 2, s))
    dist = 185.0 + 45.0 * float(hash01(3, 4, s))
    phases = [2.0 * math.pi * float(hash01(7 + k, 8, s)) for k in range(3)]   # of the radial gullies
    vol = np.array([dist * math.cos(ang), dist * math.sin(ang), 170.0, 24.0, 118.0 + 10.0 * float(hash01(5, 6, s))]
                   + phases)
    if not volcano:   # far beyond any world anyone walks: every volcano term is then exactly zero
        vol[0], vol[1] = 1.0e9, 1.0e9
    return salts, vol


def volcano_site(seed: int, recipe: WorldRecipe = DEFAULT) -> tuple[float, float, float, float]:
    """(x, y, crater_radius, summit_z) of the volcano near the origin (its crater centre and rim height)."""
    _, vol = _seed_params(seed, recipe.terrain.volcano)
    return float(vol[0]), float(vol[1]), float(vol[3]), float(vol[4])


def height_cell(seed: int, ix: int, iy: int, recipe: WorldRecipe = DEFAULT) -> float:
    """Unedited height of world cell (ix, iy); equals the chunk array value bit for bit."""
    return float(tk._point(int(ix), int(iy), *_params(seed, recipe)[:3])[0])


def height_at(seed: int, x: float, y: float, recipe: WorldRecipe = DEFAULT) -> float:
    """Unedited terrain height at (x, y) metres, bilinear between cells."""
    x0 = math.floor(x)
    y0 = math.floor(y)
    fx = x - x0
    fy = y - y0
    a, b = height_cell(seed, x0, y0, recipe), height_cell(seed, x0 + 1, y0, recipe)
    c, d = height_cell(seed, x0, y0 + 1, recipe), height_cell(seed, x0 + 1, y0 + 1, recipe)
    return (a + (b - a) * fx) * (1 - fy) + (c + (d - c) * fx) * fy


def biome_id_at(seed: int, x: float, y: float, recipe: WorldRecipe = DEFAULT) -> int:
    return int(tk._point(int(math.floor(x + 0.5)), int(math.floor(y + 0.5)), *_params(seed, recipe)[:3])[1])


def biome_at(seed: int, x: float, y: float, recipe: WorldRecipe = DEFAULT) -> str:
    """Biome name of the cell nearest to (x, y) (unedited terrain)."""
    return BIOMES[biome_id_at(seed, x, y, recipe)]


def surface(seed: int, cx: int, cy: int, height: np.ndarray,
            recipe: WorldRecipe = DEFAULT) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(color, material, biome) of chunk (cx, cy) for a given (possibly edited) height array."""
    salts, vol, rp, pal = _params(seed, recipe)
    nodes = np.empty((tk.NG, tk.NG, tk.NF))
    tk._chunk_fields(cx, cy, salts, vol, rp, nodes)
    return _surface(cx, cy, salts, vol, rp, pal, nodes, np.ascontiguousarray(height, np.float32))[:3]


def recolor(seed: int, cx: int, cy: int, height: np.ndarray,
            recipe: WorldRecipe = DEFAULT) -> tuple[np.ndarray, np.ndarray]:
    """(color, material) for an edited height array, consistent with generate_chunk's colouring."""
    return surface(seed, cx, cy, height, recipe)[:2]


def _surface(cx, cy, salts, vol, rp, pal, nodes, height):
    color = np.empty((CHUNK, CHUNK, 3), np.uint8)
    material = np.empty((CHUNK, CHUNK), np.uint8)
    biome = np.empty((CHUNK, CHUNK), np.uint8)
    slope = np.empty((CHUNK, CHUNK), np.float32)
    tk._chunk_surface(cx, cy, salts, vol, rp, pal, nodes, height, color, material, biome, slope)
    return color, material, biome, slope


def generate_chunk(seed: int, cx: int, cy: int, recipe: WorldRecipe = DEFAULT) -> ChunkData:
    """Height, albedo, material, biome and objects of chunk (cx, cy)."""
    salts, vol, rp, pal = _params(seed, recipe)
    kp = pack(recipe)
    nodes = np.empty((tk.NG, tk.NG, tk.NF))
    height = np.empty((CHUNK, CHUNK), np.float32)
    tk._chunk_height(cx, cy, salts, vol, rp, nodes, height)
    color, material, biome, slope = _surface(cx, cy, salts, vol, rp, pal, nodes, height)
    vills = _villages_near(seed, cx, cy, recipe)
    centres = np.array([v[0] for v in vills], np.float64).reshape(-1, 3)
    okind = np.empty(_MAX_OBJ, np.int64)
    oxyz = np.empty((_MAX_OBJ, 3), np.float64)
    oscale = np.empty(_MAX_OBJ, np.float32)
    n = tk._chunk_objects(cx, cy, salts, height, biome, slope, centres, kp.density, kp.dkinds, okind, oxyz, oscale)
    rows = [(_KIND_NAMES[int(okind[k])], float(oxyz[k, 0]), float(oxyz[k, 1]), float(oxyz[k, 2]), float(oscale[k]))
            for k in range(n)]
    x0, y0 = cx * CHUNK, cy * CHUNK
    for _, members in vills:
        for kind, x, y, s in members:
            if x0 <= x < x0 + CHUNK and y0 <= y < y0 + CHUNK:
                rows.append((kind, x, y, float(height[math.floor(y) - y0, math.floor(x) - x0]), s))
    objects = [PlacedObject(f"{cx}:{cy}:{k}", kind, x, y, z, OBJ_RADIUS[kind] * s, s)
               for k, (kind, x, y, z, s) in enumerate(rows)]
    heat = (material == MAT_LAVA).astype(np.float32) if rp[rk.R_LAVA] > 0.0 else None
    return ChunkData(cx, cy, height, color, material, biome, objects, heat)


# ----------------------------------------------------------------------------------------------- villages


def _h(a: int, b: int, salt: int) -> float:
    return float(hash01(a, b, salt))


@lru_cache(maxsize=8192)
def village(seed: int, rx: int, ry: int, recipe: WorldRecipe = DEFAULT):
    """The village of region (rx, ry), or None: ((x, y, radius), ((kind, x, y, scale), ...))."""
    salts, vol, rp, _ = _params(seed, recipe)
    s = int(salts[tk.S_VIL])
    if _h(rx, ry, s) > pack(recipe).village_rate:
        return None
    span = tk.VILLAGE_REGION - 2 * 48
    x = rx * tk.VILLAGE_REGION + 48 + _h(rx, ry, s + 1) * span
    y = ry * tk.VILLAGE_REGION + 48 + _h(rx, ry, s + 2) * span
    h0, b0 = tk._point(math.floor(x), math.floor(y), salts, vol, rp)
    if b0 != tk.B_GRASS or h0 < 1.5:
        return None
    for k in range(12):
        a = k * math.pi / 6
        for rr in (14.0, 28.0):
            h, b = tk._point(math.floor(x + rr * math.cos(a)), math.floor(y + rr * math.sin(a)), salts, vol, rp)
            if b not in (tk.B_GRASS, tk.B_FOREST) or abs(h - h0) > 3.5 or h < 1.0:
                return None
    members = [("campfire", x, y, 1.0)]
    nh = 4 + int(_h(rx, ry, s + 3) * 4)
    a0 = _h(rx, ry, s + 4) * 2 * math.pi
    for k in range(nh):
        a = a0 + 2 * math.pi * k / nh + 0.3 * (_h(k, rx, s + 5) - 0.5)
        rr = 13.0 + 9.0 * _h(k, ry, s + 6)
        members.append(("house", x + rr * math.cos(a), y + rr * math.sin(a), 0.9 + 0.3 * _h(k, rx, s + 7)))
    nv = 3 + int(_h(rx, ry, s + 8) * 3)
    for k in range(nv):
        a = a0 + math.pi / nv + 2 * math.pi * k / nv
        rr = 4.0 + 3.0 * _h(k, ry, s + 9)
        members.append(("villager", x + rr * math.cos(a), y + rr * math.sin(a), 0.9 + 0.2 * _h(k, rx, s + 10)))
    return (x, y, tk.VILLAGE_RADIUS), tuple(members)


def _villages_near(seed: int, cx: int, cy: int, recipe: WorldRecipe = DEFAULT) -> list:
    margin = tk.VILLAGE_RADIUS + 10
    r = tk.VILLAGE_REGION
    out = []
    for ry in range(math.floor((cy * CHUNK - margin) / r), math.floor((cy * CHUNK + CHUNK + margin) / r) + 1):
        for rx in range(math.floor((cx * CHUNK - margin) / r), math.floor((cx * CHUNK + CHUNK + margin) / r) + 1):
            v = village(seed, rx, ry, recipe)
            if v is not None:
                out.append(v)
    return out


# ----------------------------------------------------------------------------------------------- features


def find_feature(seed: int, name: str, x: float = 0.0, y: float = 0.0,
                 recipe: WorldRecipe = DEFAULT) -> tuple[float, float] | None:
    """Nearest teleport target of a kind ("volcano", "lake", "village", ...) around (x, y), or None.

    volcano: the crater centre; village: its campfire; others: a cell of that biome (lake: a water cell)."""
    if name not in FEATURES:
        raise ValueError(f"unknown feature {name!r}; expected one of {FEATURES}")
    if name == "volcano":
        if not recipe.terrain.volcano:
            return None
        vx, vy, _, _ = volcano_site(seed, recipe)
        return vx, vy
    if name == "village":
        r = tk.VILLAGE_REGION
        rx0, ry0 = math.floor(x / r), math.floor(y / r)
        for k in range(13):
            best = None
            for ry in range(ry0 - k, ry0 + k + 1):
                for rx in range(rx0 - k, rx0 + k + 1):
                    if max(abs(rx - rx0), abs(ry - ry0)) != k:
                        continue
                    v = village(seed, rx, ry, recipe)
                    if v is not None:
                        d = (v[0][0] - x) ** 2 + (v[0][1] - y) ** 2
                        if best is None or d < best[0]:
                            best = (d, v[0][0], v[0][1])
            if best is not None:
                return best[1], best[2]
        return None
    salts, vol, rp, _ = _params(seed, recipe)
    targets = np.array(_FEATURE_BIOMES[name], np.int64)
    extent = 24 if name == "lake" else (8 if name in ("forest", "desert", "mountain") else 0)
    ok, fx, fy = tk._find_biome(salts, vol, rp, float(x), float(y), targets, 40, 60, extent)
    return (float(fx), float(fy)) if ok else None


@lru_cache(maxsize=64)
def spawn_point(seed: int, recipe: WorldRecipe = DEFAULT) -> tuple[float, float]:
    """A walkable land cell near the origin (not water, not the volcano, gentle slope)."""
    for k in range(200):
        for b in range(-k, k + 1):
            for a in range(-k, k + 1):
                if max(abs(a), abs(b)) != k:
                    continue
                if walkable(seed, 4 * a, 4 * b, recipe):
                    return float(4 * a), float(4 * b)
    return 0.0, 0.0


def walkable(seed: int, ix: int, iy: int, recipe: WorldRecipe = DEFAULT) -> bool:
    """Cell (ix, iy) is dry land fit to stand on: not water, ice, lava or the volcano, not snow (unless the whole
    world is snowy), and a gentle slope."""
    salts, vol, rp, _ = _params(seed, recipe)
    h, bio = tk._point(int(ix), int(iy), salts, vol, rp)
    snowy = rp[rk.R_SNOW0] < 60.0
    if h < 1.0 or bio in (tk.B_OCEAN, tk.B_LAKE, tk.B_VOLC) or (bio == tk.B_SNOW and not snowy):
        return False
    if rp[rk.R_LAVA] > 0.0 and lava_near(seed, ix, iy, recipe):
        return False
    hx = tk._point(int(ix) + 2, int(iy), salts, vol, rp)[0]
    hy = tk._point(int(ix), int(iy) + 2, salts, vol, rp)[0]
    return abs(hx - h) < 0.8 and abs(hy - h) < 0.8


def lava_near(seed: int, ix: int, iy: int, recipe: WorldRecipe = DEFAULT, reach: int = 6) -> bool:
    """A lava flow of the recipe within `reach` cells of (ix, iy) (keeps spawns and stand points off it)."""
    salts, vol, rp, _ = _params(seed, recipe)
    f = np.empty(tk.NF)
    for dy in (-reach, 0, reach):
        for dx in (-reach, 0, reach):
            a, b = int(ix) + dx, int(iy) + dy
            tk._point_fields(a, b, salts, vol, rp, f)
            h = tk._point(a, b, salts, vol, rp)[0]
            if tk._lava(a, b, f, salts, rp) > 0.2 or tk._lava_cell(a, b, h, f, salts, rp):
                return True
    return False


def warm_up() -> None:
    """Compile (or load from cache) every kernel."""
    c = generate_chunk(0, 0, 0)
    recolor(0, 0, 0, c.height)
    height_at(0, 0.5, 0.5)
    biome_at(0, 0.0, 0.0)
    find_feature(0, "forest", 0.0, 0.0)
    spawn_point(0)
