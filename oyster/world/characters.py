"""Villagers and animals: ambient wandering as a pure function of time, plus actions set by edits.

A character with no override wanders around its home in segments of SEGMENT seconds: it walks to a hashed target
for WALK seconds, then idles, waves, sits, dances or jumps there. Because the path is a function of (seed, id,
time) only, characters in evicted chunks come back exactly where they would have been. Edits pin a character to an
action (wave, dance, ...), shift its home (walk), or make it follow the player (the only stateful case).
"""
from dataclasses import dataclass

import numpy as np

from .kinds import ACTION_ID
from .state import DT, hash01_vec

SEGMENT = 8.0               # seconds per wander segment
WALK = 3.5                  # seconds of walking at the start of each segment
WANDER = {"villager": 5.0, "animal": 8.0}   # wander radius around home, metres
FOLLOW_GAP = 2.5            # metres a follower keeps from the player
FOLLOW_SPEED = 4.5          # metres/second
# ambient activities at the end of a walk, with cumulative probabilities (villagers; animals always idle)
_VILLAGER_ACTS = np.array([ACTION_ID["idle"], ACTION_ID["wave"], ACTION_ID["sit"], ACTION_ID["dance"],
                           ACTION_ID["jump"]], np.int32)
_VILLAGER_CDF = np.array([0.45, 0.65, 0.82, 0.94, 1.0])
WALK_ID = ACTION_ID["walk"]


@dataclass
class Override:
    """An action set by a `character` edit. Static actions stay at (x, y); walk wanders around home + (dhx, dhy)."""
    action: str             # kinds.ACTIONS name
    tick0: int              # tick the action started (animation phase)
    x: float                # metres: where it stands (static actions) / where it is (follow)
    y: float
    heading: float          # radians
    dhx: float = 0.0        # home shift for "walk", metres
    dhy: float = 0.0

    def to_list(self) -> list:
        return [self.action, self.tick0, self.x, self.y, self.heading, self.dhx, self.dhy]


def _target(keys, k, home_x, home_y, radius):
    a = 2.0 * np.pi * hash01_vec(keys, k, 11)
    r = radius * np.sqrt(hash01_vec(keys, k, 12))
    return home_x + r * np.cos(a), home_y + r * np.sin(a)


def ambient(keys: np.ndarray, home_x: np.ndarray, home_y: np.ndarray, radius: np.ndarray, villager: np.ndarray,
            t: float):
    """Wander state at time t (seconds): (x, y, heading, action id, phase seconds), one entry per character."""
    offset = hash01_vec(keys, 0, 10) * SEGMENT                     # desynchronise the characters
    s = (t + offset) / SEGMENT
    k = np.floor(s)
    u = (s - k) * SEGMENT                                          # seconds into this segment
    ki = k.astype(np.int64)
    x0, y0 = _target(keys, ki - 1, home_x, home_y, radius)
    x1, y1 = _target(keys, ki, home_x, home_y, radius)
    f = np.clip(u / WALK, 0.0, 1.0)
    f = f * f * (3.0 - 2.0 * f)                                    # ease in and out
    x = x0 + (x1 - x0) * f
    y = y0 + (y1 - y0) * f
    heading = np.arctan2(y1 - y0, x1 - x0)
    walking = u < WALK
    pick = np.searchsorted(_VILLAGER_CDF, hash01_vec(keys, ki, 13), side="right")
    rest = np.where(villager, _VILLAGER_ACTS[np.minimum(pick, len(_VILLAGER_ACTS) - 1)], ACTION_ID["idle"])
    action = np.where(walking, WALK_ID, rest).astype(np.int32)
    phase = np.where(walking, u, u - WALK)
    return x, y, heading, action, phase


def follow_step(o: Override, px: float, py: float) -> None:
    """Move a follower one fixed step toward the player, stopping FOLLOW_GAP short (in place)."""
    dx, dy = px - o.x, py - o.y
    d = (dx * dx + dy * dy) ** 0.5
    if d <= FOLLOW_GAP:
        return
    step = min(FOLLOW_SPEED * DT, d - FOLLOW_GAP)
    o.x += dx / d * step
    o.y += dy / d * step
    o.heading = float(np.arctan2(dy, dx))


def hop(action: np.ndarray, phase: np.ndarray) -> np.ndarray:
    """Feet lift of jumping characters, metres (so a jump shows even in a renderer without animation)."""
    up = 0.5 * np.abs(np.sin(np.pi * phase / 0.7))
    return np.where(action == ACTION_ID["jump"], up, 0.0)
