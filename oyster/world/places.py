"""Places of a world, for Direct mode, the trailer and the spawn alike: where is X, where to stand to see it, is a
spot walkable, how high is the ground. Everything reads the world's seed and recipe (never the seed alone).
"""
import math

from . import terrain

BEARINGS = 16                  # directions tried when choosing a view
WALL_M = 40.0                  # metres ahead that must not rise like a wall
WALL_SLOPE = 0.45              # rise per metre above which the ground ahead counts as a wall
VOLCANO_VIEW = 240.0           # metres from the crater where a teleport to the volcano lands
VILLAGE_VIEW = 9.0             # metres from the campfire where a teleport to the village lands


def ground(world, x: float, y: float) -> float:
    """Edited ground height at (x, y), metres."""
    return world.land.ground(x, y)


def walkable(world, x: float, y: float) -> bool:
    """(x, y) is dry, gentle land of the world's recipe (not water, ice, lava, the volcano or a cliff)."""
    return terrain.walkable(world.seed, math.floor(x), math.floor(y), world.recipe)


def find(world, name: str, x: float | None = None, y: float | None = None) -> tuple[float, float] | None:
    """Nearest place of a kind ("volcano", "lake", "village", "forest", "desert", "mountain", "beach") around
    (x, y) (default: the player), or None when this world has none within reach."""
    p = world.player
    return terrain.find_feature(world.seed, name, p.x if x is None else x, p.y if y is None else y, world.recipe)


def vantage(world, tx: float, ty: float, standoff: float = 60.0, near: tuple | None = None):
    """(x, y, yaw) of a walkable spot about `standoff` metres from (tx, ty) facing it, on the side nearest to
    `near` (default: the player) where it can; None if no spot around it is walkable."""
    p = world.player
    nx, ny = near if near is not None else (p.x, p.y)
    a0 = math.atan2(ny - ty, nx - tx)
    for scale in (1.0, 0.7, 1.4, 2.0):
        for k in range(BEARINGS):
            a = a0 + (k + 1) // 2 * (2 * math.pi / BEARINGS) * (1 if k % 2 else -1)
            x, y = tx + standoff * scale * math.cos(a), ty + standoff * scale * math.sin(a)
            if walkable(world, x, y):
                return x, y, math.atan2(ty - y, tx - x)
    return None


def view_score(world, x: float, y: float, yaw: float) -> float:
    """How good a first view from (x, y) along yaw is, in the world's unedited terrain: no wall or hill close
    ahead, then what can be seen beyond (open water, lava, relief, land rising in the distance). Higher is better."""
    r = world.recipe
    h0 = terrain.height_at(world.seed, x, y, r) + 1.7
    c, s = math.cos(yaw), math.sin(yaw)
    score = 0.0
    seen = []
    horizon = -1.0            # steepest sight line so far: what lies below it is hidden
    wet = r.water.enabled and not r.water.frozen
    for d in (8.0, 16.0, 24.0, 32.0, 40.0, 60.0, 80.0, 110.0, 140.0, 180.0, 220.0, 270.0, 320.0):
        px, py = x + c * d, y + s * d
        h = terrain.height_at(world.seed, px, py, r)
        angle = (h - h0) / d
        if d <= WALL_M and angle > WALL_SLOPE:
            score -= 100.0                                        # a wall in the face
        elif d <= WALL_M and angle > 0.12:
            score -= 40.0 * angle                                 # a hill that hides the land beyond
        visible = angle >= horizon - 0.01
        horizon = max(horizon, angle)
        if d > WALL_M and visible:
            seen.append(h)
            if h < 0.0 and wet:
                score += 10.0                                     # open water in view
            elif r.terrain.lava_flows and terrain.lava_near(world.seed, px, py, r, 12):
                score += 10.0                                     # a glowing lava flow in view
    if seen:
        mean = sum(seen) / len(seen)
        score += math.sqrt(sum((h - mean) ** 2 for h in seen) / len(seen))   # relief in view
        score += 0.05 * (max(seen) - h0) + 0.5 * len(seen)                   # far land rising, a long view
    return score


def view_target(world, x: float, y: float) -> tuple[float, float, float, float]:
    """A point to face from (x, y) for the best first view (volcano_site's shape: x, y, 0, 0)."""
    best, best_yaw = -math.inf, 0.0
    for k in range(BEARINGS):
        yaw = 2 * math.pi * k / BEARINGS
        sc = view_score(world, x, y, yaw)
        if sc > best + 1e-9:
            best, best_yaw = sc, yaw
    return x + 100.0 * math.cos(best_yaw), y + 100.0 * math.sin(best_yaw), 0.0, 0.0


def shore_towards(world, x: float, y: float, tx: float, ty: float, step: float = 4.0,
                  ahead: float = 40.0) -> tuple[float, float]:
    """The last walkable point walking from (x, y) towards (tx, ty) before the ground `ahead` metres on is water
    (where to stand to see the sea); (x, y) itself when the first step is not walkable."""
    d = math.hypot(tx - x, ty - y) or 1.0
    ux, uy = (tx - x) / d, (ty - y) / d
    bx, by = x, y
    for k in range(1, 200):
        px, py = x + ux * step * k, y + uy * step * k
        if not walkable(world, px, py):
            break
        bx, by = px, py
        if terrain.height_at(world.seed, px + ux * ahead, py + uy * ahead, world.recipe) < 0.0:
            break
    return bx, by


def landing(world, name: str) -> tuple[float, float, float]:
    """(x, y, yaw) where a teleport to a named place lands ("start" or a kind `find` knows); the volcano is viewed
    from its flank, facing the crater, the village from among its houses. ValueError when there is none in reach."""
    p = world.player
    if name == "start":
        return world.start
    got = world.land.find(name, p.x, p.y)
    if got is None:
        raise ValueError(f"there is no {name} within reach of here")
    x, y = got
    if name == "volcano":     # stand back on dry land where the whole cone is in view, facing the crater
        a0 = math.atan2(p.y - y, p.x - x) if (p.x, p.y) != (x, y) else 0.0
        for k in range(12):
            a = a0 + (k + 1) // 2 * (math.pi / 6) * (1 if k % 2 else -1)
            vx, vy = x + VOLCANO_VIEW * math.cos(a), y + VOLCANO_VIEW * math.sin(a)
            if world.land.height(vx, vy) > 1.0:
                return vx, vy, a + math.pi
        return vx, vy, a + math.pi
    if name == "village":     # stand among the houses a few metres from the campfire, facing it
        return clear_spot(world, x, y, VILLAGE_VIEW)
    return x, y, p.yaw


def clear_spot(world, x: float, y: float, dist: float) -> tuple[float, float, float]:
    """(x, y, yaw facing the centre) of the first point `dist` from (x, y), starting on the player's side, that
    keeps 1.5 m clear of every object (houses, trees, the campfire)."""
    p = world.player
    objs = world.land.objects_near(x, y, dist + 16)
    a0 = math.atan2(p.y - y, p.x - x) if (p.x, p.y) != (x, y) else 0.0
    best = None
    for k in range(24):
        a = a0 + (k + 1) // 2 * (math.pi / 12) * (1 if k % 2 else -1)
        sx, sy = x + dist * math.cos(a), y + dist * math.sin(a)
        room = min((math.hypot(sx - ox, sy - oy) - r for ox, oy, r in objs), default=99.0)
        if best is None or room > best[0]:
            best = (room, sx, sy, a + math.pi)
        if room >= 1.5:
            break
    return best[1], best[2], best[3]
