"""The start pose: near the seed's spawn point, facing (about) the volcano, with a clear view ahead.

A bare spawn point often put a tree 2-3 m in front of the camera. The search below keeps the volcano bearing where
it can, then turns a little, then walks to nearby cells, and takes the first pose whose view wedge holds no object
within CLEAR_M: a pure function of the seed (the world at tick 0, before any edit).
"""
import math

from . import places, terrain
from .state import wrap_angle

CLEAR_M = 12.0                      # metres ahead kept free of objects
HALF_WEDGE = math.radians(20.0)     # half-angle of the wedge kept free (40 degrees in all)
CANOPY_M = 1.5                      # metres added to collision radii: crowns and roofs are wider than trunks
TURNS = tuple(math.radians(d) for d in (0, 10, -10, 20, -20, 30, -30))
STEP_M = 2.0                        # grid of the position search
WIDE_STEP_M = 6.0                   # grid of the second, wider search of a dense world (48 m around)
RINGS = 8                           # rings of that grid searched around the spawn point (16 m)
STAND_M = 1.0                       # metres kept between the player and any object's collision circle


def start_pose(world) -> tuple[float, float, float]:
    """(x, y, yaw) of a fresh world's player: see the module docstring."""
    seed = world.seed
    r = world.recipe
    x0, y0 = terrain.spawn_point(seed, r)
    # today's world faces its volcano; other recipes face the best view (water, lava, relief, no wall)
    facing_volcano = r.terrain.volcano and not r.terrain.lava_flows
    vx, vy, _, _ = terrain.volcano_site(seed, r) if facing_volcano else places.view_target(world, x0, y0)
    if r.terrain.islands > 0.0:     # walk towards the sea in view, to stand above the shore
        x0, y0 = places.shore_towards(world, x0, y0, vx, vy)
        vx, vy, _, _ = places.view_target(world, x0, y0)
    best, gap = _search(world, x0, y0, vx, vy, STEP_M, RINGS)
    if gap < CLEAR_M and not r.is_default:     # a dense forest or city: look further for a clearing
        wide, wide_gap = _search(world, x0, y0, vx, vy, WIDE_STEP_M, RINGS)
        if wide_gap > gap:
            best = wide
    return best if best is not None else (x0, y0, math.atan2(vy - y0, vx - x0))


def _search(world, x0: float, y0: float, vx: float, vy: float, step: float, rings: int):
    """(pose, clear metres ahead) of the first pose on the grid around (x0, y0) facing about (vx, vy) with
    CLEAR_M free ahead, else the clearest one found."""
    reach = rings * step + CLEAR_M + 8.0
    objs = [(x, y, rad) for _, _, _, x, y, rad, _ in world.things.near(x0, y0, reach)]
    best, best_gap = None, -1.0
    for x, y in _positions(world.seed, x0, y0, world.recipe, step, rings):
        if any(math.hypot(x - ox, y - oy) < rad + STAND_M for ox, oy, rad in objs):
            continue
        toward = math.atan2(vy - y, vx - x)
        for turn in TURNS:
            yaw = toward + turn
            gap = _nearest_ahead(objs, x, y, yaw)
            if gap >= CLEAR_M:
                return (x, y, wrap_angle(yaw)), gap
            if gap > best_gap:
                best, best_gap = (x, y, wrap_angle(yaw)), gap
    return best, best_gap


def _positions(seed: int, x0: float, y0: float, recipe, step: float = STEP_M, rings: int = RINGS):
    """Walkable grid points around (x0, y0), nearest first (ties in a fixed order)."""
    yield x0, y0
    pts = [(a, b) for b in range(-rings, rings + 1) for a in range(-rings, rings + 1) if (a, b) != (0, 0)]
    pts.sort(key=lambda ab: (ab[0] ** 2 + ab[1] ** 2, ab[1], ab[0]))
    for a, b in pts:
        x, y = x0 + a * step, y0 + b * step
        if terrain.walkable(seed, math.floor(x), math.floor(y), recipe):
            yield x, y


def _nearest_ahead(objs, x: float, y: float, yaw: float) -> float:
    """Distance to the nearest object (widened by CANOPY_M) inside the view wedge; inf when none within reach."""
    fx, fy = math.cos(yaw), math.sin(yaw)
    tan = math.tan(HALF_WEDGE)
    best = math.inf
    for ox, oy, r in objs:
        rx, ry = ox - x, oy - y
        r = r + CANOPY_M
        ahead = rx * fx + ry * fy
        side = abs(rx * fy - ry * fx)
        if ahead > -r and side <= max(ahead, 0.0) * tan + r:
            best = min(best, max(0.0, ahead - r))
    return best


def view_clear(world, x: float, y: float, yaw: float) -> float:
    """Distance to the nearest object in the view wedge from (x, y, yaw) (for tests and tools)."""
    objs = [(ox, oy, r) for _, _, _, ox, oy, r, _ in world.things.near(x, y, CLEAR_M + 40.0)]
    return _nearest_ahead(objs, x, y, yaw)
