"""Location scouting for a trailer: where the asked places are, what to look at, and where to land.

Reads the terrain of (seed, recipe) through `oyster.world.terrain` and `oyster.world.places` (find_feature,
volcano_site, height_at, walkable, view_target); it never changes a world.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache

from oyster.trailer.camera import Poi
from oyster.world.recipe import DEFAULT, WorldRecipe

REACH = 420.0          # metres; places further than this from the main one are left out of the shot
SEED_TRIES = 16        # a prompt-derived seed may step forward this often to find every asked place
STYLE_TRIES = 4        # ... and this often in a world of another recipe (a moon has no lake at any seed)
# Where to stand relative to each kind of place (min, max metres from it) and what height to look at.
STANDOFF = {"volcano": (230.0, 320.0), "mountain": (90.0, 160.0), "lake": (30.0, 70.0),
            "village": (35.0, 60.0), "forest": (25.0, 60.0), "desert": (20.0, 60.0), "beach": (20.0, 50.0)}
LOOK_UP = {"volcano": 0.0, "mountain": 10.0, "lake": 8.0, "village": 3.0, "forest": 12.0, "desert": 10.0, "beach": 8.0,
           "view": 6.0}
# (metres above the ground: flat places are looked at from just above, so the horizon stays in the shot)
VIEW_CLEAR = 30.0      # metres in front of the landing spot that should be free of trees and houses
MAX_DOWN = {"lake": 0.25, "forest": 0.2, "desert": 0.2, "beach": 0.25}   # radians; flat places keep the horizon
# Places you stand inside (the landing spot must be of that biome); the others you look at from outside.
STAND_IN = {"forest": ("forest",), "desert": ("desert",), "beach": ("beach",), "mountain": ("mountains",)}


@dataclass
class Scouting:
    seed: int
    pois: list[Poi]                                    # first is the main place
    stand: tuple[float, float]                         # where the player ends up (x, y), metres
    notes: list[str] = field(default_factory=list)     # places asked for but not found, said to the user
    recipe: WorldRecipe = DEFAULT                      # the world scouted


@dataclass(frozen=True)
class _Land:
    """The unedited land of (seed, recipe): what `oyster.world.places` reads of a world."""
    seed: int
    recipe: WorldRecipe


def _terrain():
    from oyster.world import terrain  # lazy: keeps `import oyster.trailer` cheap
    return terrain


def ground(seed: int, x: float, y: float, recipe: WorldRecipe = DEFAULT) -> float:
    """Unedited terrain height, never below the water surface (the camera must stay above both)."""
    from oyster.world.scene import WATER_LEVEL
    h = _terrain().height_at(seed, x, y, recipe)
    return max(h, WATER_LEVEL + recipe.water.level) if recipe.water.enabled else h


def _poi(seed: int, name: str, near: tuple[float, float], recipe: WorldRecipe) -> Poi | None:
    t = _terrain()
    if name == "volcano":
        if not recipe.terrain.volcano:
            return None
        x, y, _, summit = t.volcano_site(seed, recipe)
        return Poi(name, x, y, summit, weight=2.0)
    hit = t.find_feature(seed, name, near[0], near[1], recipe)
    if hit is None:
        return None
    x, y = hit
    return Poi(name, x, y, ground(seed, x, y, recipe) + LOOK_UP[name], max_down=MAX_DOWN.get(name, 0.45))


def _view(seed: int, recipe: WorldRecipe) -> tuple[Poi, tuple[float, float]]:
    """No place asked (or none in this world): the spawn's own best view, which shows the world's style."""
    from oyster.world import places
    x0, y0 = _terrain().spawn_point(seed, recipe)
    tx, ty, _, _ = places.view_target(_Land(seed, recipe), x0, y0)
    return Poi("view", tx, ty, ground(seed, tx, ty, recipe) + LOOK_UP["view"], max_down=0.3), (x0, y0)


@lru_cache(maxsize=256)
def _objects(seed: int, cx: int, cy: int, recipe: WorldRecipe = DEFAULT) -> tuple:
    """(x, y, radius) of the placed objects of a chunk (trees, rocks, houses, ...): a pure function of the world."""
    return tuple((o.x, o.y, o.radius) for o in _terrain().generate_chunk(seed, cx, cy, recipe).objects)


def clutter(seed: int, x: float, y: float, tx: float, ty: float, recipe: WorldRecipe = DEFAULT) -> float:
    """How much stands in the way at (x, y) looking towards (tx, ty): objects close by, and in the view cone."""
    from oyster.world.scene import CHUNK
    look = math.atan2(ty - y, tx - x)
    score = 0.0
    for cy in range(math.floor((y - VIEW_CLEAR) / CHUNK), math.floor((y + VIEW_CLEAR) / CHUNK) + 1):
        for cx in range(math.floor((x - VIEW_CLEAR) / CHUNK), math.floor((x + VIEW_CLEAR) / CHUNK) + 1):
            for ox, oy, r in _objects(seed, cx, cy, recipe):
                d = math.dist((x, y), (ox, oy))
                if d < 2.0 + r:
                    score += 10.0                       # the player would stand in it
                elif d < VIEW_CLEAR:
                    off = abs((math.atan2(oy - y, ox - x) - look + math.pi) % (2 * math.pi) - math.pi)
                    if off < math.radians(35) + math.atan2(r, d):
                        score += 2.0 * (1.0 - d / VIEW_CLEAR) + r / d   # near and wide objects block most
    return score


def _walkable(seed: int, x: float, y: float, recipe: WorldRecipe) -> bool:
    from oyster.world import places
    return places.walkable(_Land(seed, recipe), x, y)


def stand_point(seed: int, main: Poi, recipe: WorldRecipe = DEFAULT) -> tuple[float, float] | None:
    """A walkable spot at the standoff distance from the main place with a clear-ish view of it.

    For forest, desert, beach and mountains the spot must be of that biome, so the player stands in it."""
    lo, hi = STANDOFF.get(main.name, (40.0, 90.0))
    inside = STAND_IN.get(main.name)
    best = None
    for k in range(24):
        a = 2 * math.pi * k / 24
        for r in (lo, (lo + hi) / 2, hi):
            x, y = main.x + r * math.cos(a), main.y + r * math.sin(a)
            if not _walkable(seed, x, y, recipe):
                continue
            # prefer spots whose line of sight to the place is not blocked by a ridge
            eye = ground(seed, x, y, recipe) + 1.7
            block = max(ground(seed, x + (main.x - x) * f, y + (main.y - y) * f, recipe) - (eye + (main.z - eye) * f)
                        for f in (0.2, 0.4, 0.6, 0.8))
            score = max(block, 0.0) + 0.02 * abs(r - (lo + hi) / 2) + clutter(seed, x, y, main.x, main.y, recipe)
            if inside and _terrain().biome_at(seed, x, y, recipe) not in inside:
                score += 1e6   # only if no spot of the biome exists at all
            if best is None or score < best[0]:
                best = (score, x, y)
    return None if best is None else (best[1], best[2])


def _scout_seed(seed: int, biomes: list[str], recipe: WorldRecipe) -> Scouting | None:
    t = _terrain()
    if not biomes:
        view, stand = _view(seed, recipe)
        return Scouting(seed, [view], stand, recipe=recipe)
    origin = t.spawn_point(seed, recipe)
    main = _poi(seed, biomes[0], origin, recipe)
    if main is None:
        return None
    pois, notes = [main], []
    for name in biomes[1:] + [b for b in ("lake", "village") if b not in biomes]:
        p = _poi(seed, name, (main.x, main.y), recipe)
        if p is not None and math.dist((p.x, p.y), (main.x, main.y)) <= REACH:
            pois.append(p)
        elif name in biomes:
            notes.append(f"no {name} within {REACH:.0f} m of the {main.name}")
    stand = stand_point(seed, main, recipe)
    if stand is None:
        return None
    return Scouting(seed, pois, stand, notes, recipe)


def scout(seed: int, biomes: list[str], fixed_seed: bool, recipe: WorldRecipe = DEFAULT) -> Scouting:
    """Find the asked places in the world of (seed, recipe). A prompt-derived seed steps forward
    (deterministically) until all are in reach; a world with none of them is filmed from its spawn's view."""
    if not biomes and recipe.terrain.volcano:
        biomes = ["volcano"]      # nothing asked: the volcano is the showpiece of a world that has one
    tries = 1 if fixed_seed else (SEED_TRIES if recipe.is_default else STYLE_TRIES)
    best = None
    for k in range(tries):
        s = _scout_seed(seed + k, biomes, recipe)
        if s is not None and not s.notes:
            return s
        if s is not None and (best is None or len(s.notes) < len(best.notes)):
            best = s
    if best is None:
        best = _scout_seed(seed, [], recipe)
        best.notes.append(f"this world has no {biomes[0]} near the start; showing the view from the start")
    return best
