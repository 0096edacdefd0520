"""A world's land as a service (`world.land`): the edited ground height, the unedited terrain of its seed and
recipe, places by name, the generated objects standing somewhere, and sculpting (a terrain edit with its undo)."""
import math

import numpy as np

from . import terrain, volcano
from .caps import MAX_TERRAIN_EDITS
from .scene import CHUNK
from .sculpt import Shape, overlaps


class Land:
    """Terrain queries and terrain edits of one World."""

    def __init__(self, world):
        self._w = world

    def ground(self, x: float, y: float) -> float:
        """Edited ground height at (x, y) (chunks loaded on demand)."""
        x0, y0 = math.floor(x), math.floor(y)
        h = self._w.cache.heights(x0, y0, 2, 2).astype(np.float64)
        fx, fy = x - x0, y - y0
        return float((h[0, 0] + (h[0, 1] - h[0, 0]) * fx) * (1 - fy) + (h[1, 0] + (h[1, 1] - h[1, 0]) * fx) * fy)

    def height(self, x: float, y: float) -> float:
        """Unedited terrain height at (x, y) of this world's seed and recipe."""
        return terrain.height_at(self._w.seed, x, y, self._w.recipe)

    def find(self, name: str, x: float, y: float) -> tuple[float, float] | None:
        """The nearest place of a kind ("volcano", "lake", ...) around (x, y), or None within reach."""
        return terrain.find_feature(self._w.seed, name, x, y, self._w.recipe)

    def objects_near(self, x: float, y: float, reach: float) -> list[tuple[float, float, float]]:
        """(x, y, radius) of the generated objects that stand (not characters) in the chunks within `reach` metres
        of (x, y) on each axis."""
        cache, objs = self._w.cache, []
        for cy in range(math.floor((y - reach) / CHUNK), math.floor((y + reach) / CHUNK) + 1):
            for cx in range(math.floor((x - reach) / CHUNK), math.floor((x + reach) / CHUNK) + 1):
                c = cache.get(cx, cy)
                keep = c.alive & ~c.is_char
                objs += [(float(c.xyz[k, 0]), float(c.xyz[k, 1]), float(c.radius[k])) for k in np.flatnonzero(keep)]
        return objs

    def edit_count(self) -> int:
        """Terrain edits standing now: sculpted shapes and cooled lava."""
        return len(self._w.terrain_edits)

    def sculpt(self, action: str, x: float, y: float, radius: float, amount: float, level: float):
        """Raise, lower, blast or flatten the ground around (x, y); returns undo. ValueError changes nothing."""
        w = self._w
        shapes = sum(1 for t in w.terrain_edits if isinstance(t, Shape))
        if shapes >= MAX_TERRAIN_EDITS:
            raise ValueError(f"this world already holds {MAX_TERRAIN_EDITS} terrain edits; undo some or start a new "
                             "world")
        shape = Shape(w.uid + 1, action, x, y, radius, amount, level)
        if self._under_lava(shape):
            raise ValueError("lava is still flowing there; wait until it has cooled")
        w.new_uid()
        w.terrain_edits.append(shape)
        self._rebuild(shape)

        def undo():
            w.terrain_edits.remove(shape)
            self._rebuild(shape)
        return undo

    def _rebuild(self, edit) -> None:
        """Rebuild cached chunks touched by a terrain edit (added or removed)."""
        x0, y0, x1, y1 = edit.bbox()
        self._w.cache.refresh(math.floor(x0), math.floor(y0), math.ceil(x1), math.ceil(y1), rebuild=True)

    def _under_lava(self, edit) -> bool:
        e = self._w.active_eruption()
        if e is None:
            return False
        return overlaps(edit, e.x0, e.y0, volcano.GRID, volcano.GRID)
