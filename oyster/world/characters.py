"""Villagers and animals: ambient wandering as a pure function of time, plus actions set by edits.

A character with no override wanders around its home in segments of SEGMENT seconds: it walks to a hashed target
for WALK seconds, then idles, waves, sits, dances or jumps there. Because the path is a function of (seed, id,
time) only, characters in evicted chunks come back exactly where they would have been. Edits pin a character to an
action (wave, dance, ...), shift its home (walk), or make it follow the player (the only stateful case).
"""
from dataclasses import dataclass

import numpy as np
from numba import njit

from .kinds import ACTION_ID
from .state import DT

SEGMENT = 8.0               # seconds per wander segment
WALK = 3.5                  # seconds of walking at the start of each segment
WANDER = {"villager": 3.0, "animal": 8.0}   # wander radius around home, metres (villages keep clear of houses)
MAX_WANDER = max(WANDER.values())
FOLLOW_GAP = 2.5            # metres a follower keeps from the player
FOLLOW_SPEED = 4.5          # metres/second
FLEE_SPEED = 5.0            # metres/second a fleeing character runs
FLEE_DIST = 25.0            # metres it runs before it stops
# ambient activities at the end of a walk, with cumulative probabilities (villagers; animals always idle)
_VILLAGER_ACTS = np.array([ACTION_ID["idle"], ACTION_ID["wave"], ACTION_ID["sit"], ACTION_ID["dance"],
                           ACTION_ID["jump"]], np.int32)
_VILLAGER_CDF = np.array([0.45, 0.65, 0.82, 0.94, 1.0])
WALK_ID = ACTION_ID["walk"]
IDLE_ID = ACTION_ID["idle"]


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


@njit(cache=True, nogil=True)
def _h01(key, k, salt):
    """Uniform [0, 1) from (key, counter, salt): splitmix64 finaliser on wrapping uint64 arithmetic."""
    h = key ^ (np.uint64(k) * np.uint64(0x9E3779B97F4A7C15))
    h = h + np.uint64(salt) * np.uint64(0x632BE59BD9B4E019)
    h = (h ^ (h >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    h = (h ^ (h >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    h = h ^ (h >> np.uint64(31))
    return np.float64(h >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@njit(cache=True, nogil=True)   # no fastmath: positions feed collisions and edits, which must replay exactly
def _ambient(keys, home_x, home_y, radius, villager, t, acts, cdf, x, y, heading, action, phase):
    for n in range(len(keys)):
        key = keys[n]
        s = (t + _h01(key, 0, 10) * SEGMENT) / SEGMENT       # per-character offset desynchronises them
        k = np.floor(s)
        u = (s - k) * SEGMENT                                 # seconds into this segment
        ki = np.int64(k)
        a0, r0 = 2.0 * np.pi * _h01(key, ki - 1, 11), radius[n] * np.sqrt(_h01(key, ki - 1, 12))
        a1, r1 = 2.0 * np.pi * _h01(key, ki, 11), radius[n] * np.sqrt(_h01(key, ki, 12))
        x0, y0 = home_x[n] + r0 * np.cos(a0), home_y[n] + r0 * np.sin(a0)
        x1, y1 = home_x[n] + r1 * np.cos(a1), home_y[n] + r1 * np.sin(a1)
        f = min(max(u / WALK, 0.0), 1.0)
        f = f * f * (3.0 - 2.0 * f)                           # ease in and out
        x[n] = x0 + (x1 - x0) * f
        y[n] = y0 + (y1 - y0) * f
        heading[n] = np.arctan2(y1 - y0, x1 - x0)
        if u < WALK:
            action[n] = WALK_ID
            phase[n] = u
        else:
            a = 0
            if villager[n]:
                r = _h01(key, ki, 13)
                while a < len(cdf) - 1 and r >= cdf[a]:
                    a += 1
            action[n] = acts[a] if villager[n] else IDLE_ID
            phase[n] = u - WALK


def ambient(keys: np.ndarray, home_x: np.ndarray, home_y: np.ndarray, radius: np.ndarray, villager: np.ndarray,
            t: float):
    """Wander state at time t (seconds): (x, y, heading, action id, phase seconds), one entry per character."""
    n = len(keys)
    x, y, hd, ph = np.empty(n), np.empty(n), np.empty(n), np.empty(n)
    act = np.empty(n, np.int32)
    _ambient(keys.astype(np.uint64), home_x.astype(np.float64), home_y.astype(np.float64),
             radius.astype(np.float64), villager.astype(np.bool_), float(t), _VILLAGER_ACTS, _VILLAGER_CDF,
             x, y, hd, act, ph)
    return x, y, hd, act, ph


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


def flee_pos(o: Override, tick: int) -> tuple[float, float, bool]:
    """(x, y, still running) of a fleeing character: a straight run from (o.x, o.y) along o.heading, closed form
    in time (so it needs no state of its own and replays exactly)."""
    d = min(FLEE_SPEED * max(0, tick - o.tick0) * DT, FLEE_DIST)
    return o.x + d * float(np.cos(o.heading)), o.y + d * float(np.sin(o.heading)), d < FLEE_DIST
