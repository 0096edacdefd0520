"""Volcanic eruption: lava bombs and smoke as analytic particles, a lava flow from the crater rim, cooling to rock.

An eruption is a pure function of (seed, start tick, strength, terrain at the start): the flow steps on its own grid
(lava.py) and the particles are closed-form in time, so a share code only needs those four things and replays the
flow to the current tick. When the last lava freezes the rock becomes a terrain edit (sculpt.RockPatch) and stays.
"""
import math
from dataclasses import dataclass

import numpy as np

from . import terrain
from .kinds import PARTICLE_ID
from .lava import LDT, lava_step
from .scene import CHUNK, MAT_LAVA, MAT_ROCK
from .sculpt import ROCK_COLOR, ROCK_MIN, RockPatch
from .state import DT, rng

GRID = 384                    # cells (metres) per side of the flow grid, centred on the crater
EVERY = int(round(LDT / DT))  # fixed steps per lava step
LAVA_COLOR = np.array([150, 45, 12], np.uint8)  # albedo of molten lava; the renderer adds glow from `heat`
SMOKE_EVERY = 0.4             # seconds between smoke puffs
SMOKE_LIFE = 25.0
EMBER_EVERY = 0.1
EMBER_LIFE = 1.5


def emit_seconds(strength: float) -> float:
    return 20.0 + 40.0 * strength


@dataclass
class Eruption:
    uid: int
    tick0: int
    strength: float
    g: float                      # m/s^2 for the bombs (the gravity when it started)
    cx: float                     # crater centre, metres
    cy: float
    floor_z: float                # crater floor height, metres
    x0: int                       # grid origin cell
    y0: int
    vent: tuple                   # (gx, gy) vent cell on the grid
    base: np.ndarray              # (GRID, GRID) float32 ground at the start
    rock: np.ndarray
    lava: np.ndarray
    energy: np.ndarray
    box: np.ndarray               # int64[4] molten region on the grid
    touched: list                 # [x0, y0, x1, y1] grid cells ever covered
    bombs: np.ndarray             # (B, 6) launch time s, vx, vy, vz, unused, size
    steps: int = 0
    molten: int = 0
    done: bool = False

    # ------------------------------------------------------------------------------------------ flow
    def advance_to(self, tick: int) -> bool:
        """Run lava steps up to `tick`; returns True if anything molten changed (the ring needs a refresh)."""
        changed = False
        scratch = None
        while not self.done and self.tick0 + (self.steps + 1) * EVERY <= tick:
            if scratch is None:
                scratch = (np.empty_like(self.lava), np.empty_like(self.lava))
            t = (self.steps + 1) * LDT
            q = self.rate() * LDT if t <= emit_seconds(self.strength) else 0.0
            sx, sy = self.vent
            self.molten = lava_step(self.base, self.rock, self.lava, self.energy, scratch[0], scratch[1],
                                    self.box, sx, sy, 3, q)
            self.steps += 1
            if self.box[2] >= 0:
                tb = self.touched
                tb[0], tb[1] = min(tb[0], int(self.box[0])), min(tb[1], int(self.box[1]))
                tb[2], tb[3] = max(tb[2], int(self.box[2])), max(tb[3], int(self.box[3]))
            if q == 0.0 and self.molten == 0:
                self.done = True
            changed = True
        return changed

    def rate(self) -> float:
        """Cubic metres of lava per second from the vent."""
        return 60.0 + 140.0 * self.strength

    def stage(self, tick: int) -> str:
        s = (tick - self.tick0) * DT
        return "erupting" if s <= emit_seconds(self.strength) else ("cooling" if not self.done else "cooled")

    def world_box(self) -> tuple[int, int, int, int]:
        """World cells (x0, y0, x1, y1) the flow ever covered (empty box if none)."""
        t = self.touched
        return self.x0 + t[0], self.y0 + t[1], self.x0 + t[2], self.y0 + t[3]

    def rock_patch(self) -> RockPatch:
        t = self.touched
        return RockPatch(self.uid, self.x0 + t[0], self.y0 + t[1], self.rock[t[1]:t[3] + 1, t[0]:t[2] + 1].copy())

    def overlay(self, c, h, col, mat, heat) -> bool:
        """Draw rock and molten lava over a chunk's layers (chunk cache overlay hook); h=None only asks whether
        the flow touches this chunk. Returns True if it does."""
        if self.touched[2] < 0:
            return False
        ax0, ay0, ax1, ay1 = self.world_box()
        cx0, cy0 = c.cx * CHUNK, c.cy * CHUNK
        ax, ay = max(ax0, cx0), max(ay0, cy0)
        bx, by = min(ax1 + 1, cx0 + CHUNK), min(ay1 + 1, cy0 + CHUNK)
        if ax >= bx or ay >= by:
            return False
        if h is None:
            return True
        gs = (slice(ay - self.y0, by - self.y0), slice(ax - self.x0, bx - self.x0))
        cs = (slice(ay - cy0, by - cy0), slice(ax - cx0, bx - cx0))
        rock, lava = self.rock[gs], self.lava[gs]
        h[cs] += rock + lava
        is_rock = rock > ROCK_MIN
        molten = lava > 0.02
        col[cs][is_rock] = ROCK_COLOR
        mat[cs][is_rock] = MAT_ROCK
        col[cs][molten] = LAVA_COLOR
        mat[cs][molten] = MAT_LAVA
        glow = np.where(molten, np.clip((self.energy[gs] / np.maximum(lava, 1e-3) - 0.15) / 0.85 + 0.2, 0, 1), 0)
        heat[cs] = glow.astype(np.float32)
        return True

    # ------------------------------------------------------------------------------------------ particles
    def particles(self, tick: int, wind: tuple) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(xyz, kind, size) of the bombs, smoke and embers alive at `tick` (closed form in time)."""
        t = (tick - self.tick0) * DT
        emit = emit_seconds(self.strength)
        b = self.bombs
        s = t - b[:, 0]
        live = (s >= 0) & (s < 2.0 * b[:, 3] / self.g + 1.0)
        s = s[live]
        bz = self.floor_z + b[live, 3] * s - 0.5 * self.g * s * s
        bomb = np.stack([self.cx + b[live, 1] * s, self.cy + b[live, 2] * s, bz], 1)
        keep = bz > self.floor_z - 120.0
        bomb, bsize = bomb[keep], b[live, 5][keep]
        k = np.arange(max(0, math.floor((t - SMOKE_LIFE) / SMOKE_EVERY)),
                      math.floor(min(t, emit + 20.0) / SMOKE_EVERY) + 1)
        age = t - k * SMOKE_EVERY
        wig = np.sin(k * 1.7) * 3.0
        smoke = np.stack([self.cx + wind[0] * 0.6 * age + wig, self.cy + wind[1] * 0.6 * age + np.cos(k * 2.3) * 3.0,
                          self.floor_z + 10.0 + 4.0 * age], 1)
        ssize = 4.0 + 1.2 * age
        ke = np.arange(max(0, math.floor((t - EMBER_LIFE) / EMBER_EVERY)), math.floor(min(t, emit) / EMBER_EVERY) + 1)
        ae = t - ke * EMBER_EVERY
        ang = ke * 2.399963                     # golden angle spreads the embers around the vent
        vx, vy = self.vent
        ember = np.stack([self.x0 + vx + np.cos(ang) * 2.0 * ae, self.y0 + vy + np.sin(ang) * 2.0 * ae,
                          self.base[vy, vx] + 1.0 + 6.0 * ae - 4.0 * ae * ae], 1)
        xyz = np.concatenate([bomb, smoke, ember]).astype(np.float32)
        kind = np.concatenate([np.full(len(bomb), PARTICLE_ID["lava_bomb"]), np.full(len(smoke), PARTICLE_ID["smoke"]),
                               np.full(len(ember), PARTICLE_ID["ember"])]).astype(np.int32)
        size = np.concatenate([bsize, ssize, np.full(len(ember), 0.3)]).astype(np.float32)
        return xyz, kind, size


def start(seed: int, uid: int, tick: int, strength: float, g: float, heights) -> Eruption:
    """A new eruption at the seed's volcano; heights(x0, y0, w, h) gives the current (edited) ground."""
    cx, cy, crater_r, _ = terrain.volcano_site(seed)
    x0, y0 = int(math.floor(cx)) - GRID // 2, int(math.floor(cy)) - GRID // 2
    base = heights(x0, y0, GRID, GRID).astype(np.float32)
    vent = _vent(base, cx - x0, cy - y0, crater_r)
    floor_z = float(base[int(cy) - y0, int(cx) - x0]) + 1.0
    r = rng(seed, 0xE7, uid)
    nb = int(40 + 120 * strength)
    speed = r.uniform(18.0, 34.0, nb) * (0.7 + 0.3 * strength)
    elev = r.uniform(math.radians(55), math.radians(85), nb)
    az = r.uniform(0.0, 2 * math.pi, nb)
    bombs = np.stack([np.sort(r.uniform(0.0, emit_seconds(strength), nb)), speed * np.cos(elev) * np.cos(az),
                      speed * np.cos(elev) * np.sin(az), speed * np.sin(elev), np.zeros(nb),
                      r.uniform(0.5, 1.4, nb)], 1)
    z = np.zeros((GRID, GRID), np.float32)
    return Eruption(uid, tick, float(strength), float(g), cx, cy, floor_z, x0, y0, vent, base, z.copy(), z.copy(),
                    z.copy(), np.array([GRID, GRID, -1, -1], np.int64), [GRID, GRID, -1, -1], bombs)


def _vent(base: np.ndarray, gx: float, gy: float, crater_r: float) -> tuple[int, int]:
    """The vent: just outside the lowest point of the crater rim, where lava spills over first."""
    best = None
    for k in range(72):
        a = 2 * math.pi * k / 72
        crest = max(float(base[int(gy + r * math.sin(a)), int(gx + r * math.cos(a))])
                    for r in np.arange(0.6 * crater_r, 1.4 * crater_r, 1.0))
        if best is None or crest < best[0]:
            best = (crest, a)
    a = best[1]
    r = crater_r + 4.0
    return int(gx + r * math.cos(a)), int(gy + r * math.sin(a))
