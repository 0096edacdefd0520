"""Terrain edits as shapes applied to any rectangle of the heightfield: raise, lower, crater, flatten, lava rock.

A chunk is rebuilt as generate_chunk + every overlapping edit applied in log order, so an evicted chunk comes back
bit-identical. Lava rock is a float32 patch of added height produced by an eruption once its flow has cooled.
"""
from dataclasses import dataclass

import numpy as np

from .scene import MAT_ROCK

ROCK_COLOR = np.array([62, 58, 56], np.uint8)      # cooled basalt albedo
ROCK_MIN = 0.02                                     # metres of rock before a cell counts as rock
SHAPES = ("raise", "lower", "crater", "flatten")


@dataclass
class Shape:
    """One analytic terrain edit (resolved: absolute position and, for flatten, the target level)."""
    uid: int
    action: str       # one of SHAPES
    x: float          # centre, metres
    y: float
    radius: float     # metres
    amount: float     # metres (raise/lower/crater depth)
    level: float = 0.0  # flatten: target height, metres

    def bbox(self) -> tuple[float, float, float, float]:
        r = self.radius * (1.6 if self.action == "crater" else 1.0) + 1.0
        return self.x - r, self.y - r, self.x + r, self.y + r


@dataclass
class RockPatch:
    """Cooled lava from eruption `uid`: rock[j, i] metres added at cell (x0 + i, y0 + j)."""
    uid: int
    x0: int
    y0: int
    rock: np.ndarray  # (h, w) float32

    def bbox(self) -> tuple[float, float, float, float]:
        h, w = self.rock.shape
        return self.x0, self.y0, self.x0 + w - 1, self.y0 + h - 1


def overlaps(edit, x0: int, y0: int, w: int, h: int) -> bool:
    a, b, c, d = edit.bbox()
    return not (c < x0 or a > x0 + w - 1 or d < y0 or b > y0 + h - 1)


def shape_delta(s: Shape, height: np.ndarray, x0: int, y0: int) -> np.ndarray:
    """New heights of a rectangle (origin cell x0, y0) after shape `s`; float32, same shape."""
    hgt, wid = height.shape
    gx = np.arange(x0, x0 + wid, dtype=np.float64) - s.x
    gy = np.arange(y0, y0 + hgt, dtype=np.float64) - s.y
    q = np.sqrt(gx[None, :] ** 2 + gy[:, None] ** 2) / s.radius   # distance in radii
    h64 = height.astype(np.float64)
    if s.action in ("raise", "lower"):
        bump = np.where(q < 1.0, (1.0 - np.minimum(q, 1.0) ** 2) ** 2, 0.0)
        h64 = h64 + (s.amount if s.action == "raise" else -s.amount) * bump
    elif s.action == "crater":
        bowl = np.where(q < 1.0, 1.0 - np.minimum(q, 1.0) ** 2, 0.0)
        rim = np.where(q < 1.6, np.exp(-(((q - 1.0) / 0.25) ** 2)), 0.0)
        h64 = h64 - s.amount * bowl + 0.3 * s.amount * rim
    else:  # flatten: full weight inside 0.6 r, smooth falloff to the edge
        t = np.clip((1.0 - q) / 0.4, 0.0, 1.0)
        w = t * t * (3.0 - 2.0 * t)
        h64 = h64 + w * (s.level - h64)
    return h64.astype(np.float32)


def apply_edits(height: np.ndarray, x0: int, y0: int, edits: list) -> tuple[np.ndarray, np.ndarray | None]:
    """Apply `edits` (Shape / RockPatch, in order) to a copy of `height`; returns (height, rock mask or None)."""
    out = height.copy()
    rock = None
    hgt, wid = out.shape
    for e in edits:
        if not overlaps(e, x0, y0, wid, hgt):
            continue
        if isinstance(e, Shape):
            out = shape_delta(e, out, x0, y0)
            continue
        ph, pw = e.rock.shape
        ax, ay = max(x0, e.x0), max(y0, e.y0)
        bx, by = min(x0 + wid, e.x0 + pw), min(y0 + hgt, e.y0 + ph)
        if ax >= bx or ay >= by:
            continue
        src = e.rock[ay - e.y0:by - e.y0, ax - e.x0:bx - e.x0]
        out[ay - y0:by - y0, ax - x0:bx - x0] += src
        if rock is None:
            rock = np.zeros(out.shape, bool)
        rock[ay - y0:by - y0, ax - x0:bx - x0] |= src > ROCK_MIN
    return out, rock


def paint_rock(color: np.ndarray, material: np.ndarray, rock: np.ndarray | None) -> None:
    """Basalt albedo and MAT_ROCK where lava has cooled (in place)."""
    if rock is None:
        return
    color[rock] = ROCK_COLOR
    material[rock] = MAT_ROCK
