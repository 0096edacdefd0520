"""A synthetic Scene for renderer tests, the benchmark and the contact sheet when no real world is at hand.

Rolling hills from tiling sines and value noise, a lake below WATER_LEVEL, a volcano cone with hot lava at
its top, and ~300 sprites of every kind around the camera. Deterministic: fixed seeds only.
"""
from dataclasses import replace

import numpy as np

from oyster.world.kinds import ACTION_ID, KIND_ID, KINDS, PARTICLE_ID
from oyster.world.scene import MAP_SIZE, MAT_LAND, MAT_LAVA, MAT_ROCK, MAT_WATER, WATER_LEVEL, RingMap, Scene

LAKE = (70.0, 35.0, 45.0)          # centre x, y and radius in metres
VOLCANO = (230.0, -40.0, 110.0, 85.0)   # centre x, y, base radius, height in metres
EYE = 1.7                          # metres above the ground


def _tiling_noise(size: int, grids: tuple, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    acc = np.zeros((size, size))
    amp = 1.0
    for g in grids:
        grid = rng.random((g, g)) - 0.5
        t = np.arange(size) * g / size
        i0 = np.floor(t).astype(int)
        f = t - i0
        f = f * f * (3 - 2 * f)
        i1 = (i0 + 1) % g
        rows = grid[i0] * (1 - f)[:, None] + grid[i1] * f[:, None]
        acc += amp * (rows[:, i0] * (1 - f)[None, :] + rows[:, i1] * f[None, :])
        amp *= 0.5
    return acc


def _wrapped_dist(a: np.ndarray, c: float) -> np.ndarray:
    d = (a - c + MAP_SIZE / 2) % MAP_SIZE - MAP_SIZE / 2
    return d


def make_ring(seed: int = 3) -> RingMap:
    """Fill a RingMap (world cell (ix, iy) at [iy & MASK, ix & MASK]) with a small synthetic landscape."""
    n = MAP_SIZE
    idx = np.arange(n, dtype=np.float64)
    X, Y = np.meshgrid(idx, idx)          # ring indices double as world metres (CELL = 1)
    k = 2 * np.pi / n
    h = (9 * np.sin(3 * k * X + 1.0) * np.cos(2 * k * Y) + 6 * np.sin(5 * k * Y + 0.5 * np.sin(4 * k * X))
         + 55 * _tiling_noise(n, (8, 16, 32, 64, 128), seed) + 15.0)
    lx, ly, lr = LAKE
    dl = np.hypot(_wrapped_dist(X, lx), _wrapped_dist(Y, ly))
    h = np.where(dl < lr * 1.6, h * np.clip((dl - lr * 0.6) / lr, 0, 1) - 4.0 * np.clip(1 - dl / lr, 0, 1) ** 0.5, h)
    vx, vy, vr, vh = VOLCANO
    dv = np.hypot(_wrapped_dist(X, vx), _wrapped_dist(Y, vy))
    cone = vh * np.clip(1 - dv / vr, 0, 1) ** 1.4
    crater = np.clip(1 - dv / 14.0, 0, 1) * 14.0
    h = h + cone - crater
    h = h.astype(np.float32)

    gy, gx = np.gradient(h)
    slope = np.hypot(gx, gy)
    col = np.empty((n, n, 3), np.float32)
    fnoise = _tiling_noise(n, (32, 64, 128, 256), seed + 1)
    col[:] = (86, 140, 58)                          # grass
    col[fnoise > 0.05] = (48, 98, 44)               # forest floor
    col[h < WATER_LEVEL + 1.5] = (196, 182, 132)    # sand
    col[slope > 0.7] = (118, 110, 104)              # rock
    col[h > 62] = (236, 240, 246)                   # snow
    col[dv < vr * 0.75] = (70, 62, 60)              # volcanic ash
    col *= (1.0 + 0.35 * _tiling_noise(n, (128, 256), seed + 2))[..., None]   # break up flat colour
    ring = RingMap()
    ring.height[:] = h
    ring.color[:] = np.clip(col, 0, 255).astype(np.uint8)
    mat = np.full((n, n), MAT_LAND, np.uint8)
    mat[h < WATER_LEVEL] = MAT_WATER
    mat[dv < vr * 0.75] = MAT_ROCK
    hot = np.clip(1 - dv / 18.0, 0, 1) ** 0.5
    # a lava tongue running down the east flank
    flow = np.clip(1 - np.abs(_wrapped_dist(Y, vy) + 0.05 * _wrapped_dist(X, vx) ** 1) / 4.0, 0, 1) * (
        (_wrapped_dist(X, vx) > 0) & (dv < vr * 0.7))
    heat = np.maximum(hot, flow * 0.8).astype(np.float32)
    mat[heat > 0.1] = MAT_LAVA
    ring.material[:] = mat
    ring.heat[:] = heat
    return ring


_RING: RingMap | None = None


def shared_ring() -> RingMap:
    """The fixture ring map, built once per process (about a second)."""
    global _RING
    if _RING is None:
        _RING = make_ring()
    return _RING


def ground(ring: RingMap, x: float, y: float) -> float:
    return float(ring.height[int(np.floor(y)) & (MAP_SIZE - 1), int(np.floor(x)) & (MAP_SIZE - 1)])


def _sprites(ring: RingMap, n: int, seed: int):
    rng = np.random.default_rng(seed)
    xyz, kind, action = [], [], []
    plan = [("tree", 0.30), ("pine", 0.25), ("rock", 0.12), ("house", 0.05), ("cactus", 0.04),
            ("campfire", 0.02), ("villager", 0.14), ("animal", 0.08)]
    names = [p[0] for p in plan]
    probs = np.array([p[1] for p in plan])
    probs /= probs.sum()
    while len(xyz) < n:
        r = 8 + rng.random() ** 0.7 * 260
        a = rng.uniform(-1.2, 1.2)                       # mostly in front of the default camera (+x)
        x, y = r * np.cos(a), r * np.sin(a)
        z = ground(ring, x, y)
        if z < WATER_LEVEL + 0.3 or np.hypot(x - VOLCANO[0], y - VOLCANO[1]) < VOLCANO[2] * 0.8:
            continue
        k = names[rng.choice(len(names), p=probs)]
        xyz.append((x, y, z))
        kind.append(KIND_ID[k])
        action.append(int(rng.integers(0, 7)) if k in ("villager", "animal") else 0)
    # a little group close to the camera, each doing a different action
    for i in range(7):
        x, y = 9.0 + (i % 2) * 1.5, -6.0 + i * 2.0
        xyz.append((x, y, ground(ring, x, y)))
        kind.append(KIND_ID["villager"])
        action.append(i)
    return (np.array(xyz, np.float32), np.array(kind, np.int32), np.array(action, np.int32))


def _particles(ring: RingMap, n: int, seed: int):
    rng = np.random.default_rng(seed)
    vx, vy, _, _ = VOLCANO
    top = ground(ring, vx + 16, vy) + 4
    pts, kinds, sizes = [], [], []
    for i in range(n):
        k = ("lava_bomb", "smoke", "ember")[i % 3]
        a, r = rng.uniform(0, 2 * np.pi), rng.random() * (25 if k != "smoke" else 12)
        z = top + rng.random() * (60 if k != "smoke" else 90)
        pts.append((vx + r * np.cos(a), vy + r * np.sin(a), z))
        kinds.append(PARTICLE_ID[k])
        sizes.append({"lava_bomb": 1.6, "smoke": 9.0, "ember": 0.5}[k] * (0.6 + rng.random()))
    return np.array(pts, np.float32).reshape(-1, 3), np.array(kinds, np.int32), np.array(sizes, np.float32)


def make_scene(n_sprites: int = 300, n_particles: int = 150, seed: int = 5, **overrides) -> Scene:
    """A clear-noon Scene looking east over the lake towards the volcano; keyword args override fields."""
    ring = shared_ring()
    xyz, kind, action = _sprites(ring, max(n_sprites - 7, 0), seed)
    pxyz, pkind, psize = _particles(ring, n_particles, seed + 1)
    x, y = 0.0, 0.0
    s = Scene(cam_x=x, cam_y=y, cam_z=max(ground(ring, x, y), WATER_LEVEL) + EYE, yaw=0.0, pitch=0.05, hour=12.0,
              time=10.0, rain=0.0, snow=0.0, fog=0.0, storm=0.0, snow_cover=0.0, wind_x=2.0, wind_y=1.0, lightning=0.0,
              ring=ring, sprite_xyz=xyz, sprite_kind=kind, sprite_action=action,
              sprite_phase=(np.arange(len(kind)) * 0.37 % 3).astype(np.float32),
              sprite_scale=np.ones(len(kind), np.float32),
              particle_xyz=pxyz, particle_kind=pkind, particle_size=psize)
    if "cam_x" in overrides or "cam_y" in overrides:
        cx, cy = overrides.get("cam_x", x), overrides.get("cam_y", y)
        overrides.setdefault("cam_z", max(ground(ring, cx, cy), WATER_LEVEL) + EYE)
    return replace(s, **overrides)


# the plan covers today's world's kinds; the recipe kinds after them (palm ... building) are drawn by the tests
assert len(KINDS) == 13, "fixture sprite plan: decide whether a newly appended kind belongs in it"


def character_scene(action: str, kind: str = "villager", dist: float = 4.0, phase: float = 0.3, **overrides) -> Scene:
    """One character `dist` metres in front of the camera on flat ground, doing `action` (for tests/sheets)."""
    ring = RingMap()
    ring.height[:] = 1.0
    ring.color[:] = (90, 140, 60)
    xyz = np.array([[dist, 0.0, 1.0]], np.float32)
    s = Scene(cam_x=0.0, cam_y=0.0, cam_z=1.0 + 1.2, yaw=0.0, pitch=-0.1, hour=12.0, time=phase,
              rain=0.0, snow=0.0, fog=0.0, storm=0.0, snow_cover=0.0, wind_x=0.0, wind_y=0.0, lightning=0.0,
              ring=ring, sprite_xyz=xyz, sprite_kind=np.array([KIND_ID[kind]], np.int32),
              sprite_action=np.array([ACTION_ID[action]], np.int32), sprite_phase=np.array([phase], np.float32),
              sprite_scale=np.ones(1, np.float32), particle_xyz=np.zeros((0, 3), np.float32),
              particle_kind=np.zeros(0, np.int32), particle_size=np.zeros(0, np.float32))
    return replace(s, **overrides)
