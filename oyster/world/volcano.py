"""Volcanic eruption: lava bombs with ember trails, a dark ash plume and crater spatter as analytic particles, a
glowing crater lake, and lava flows from the rim (the lowest point, plus side vents when strong) cooling to rock.

An eruption is a pure function of (seed, start tick, strength, terrain at the start): the flow steps on its own grid
(lava.py) and the particles are closed-form in time (steam follows the current flow), so a share code only needs those
four things and replays the flow to the current tick. When the last lava freezes the rock becomes a terrain edit
(sculpt.RockPatch) and stays.
"""
import math
from dataclasses import dataclass

import cv2
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
SMOKE_LIFE = 40.0             # seconds the ash plume lingers after emission ends (scene keeps particles that long)
PLUME_EVERY = 0.6             # seconds between ash puffs leaving the crater
PLUME_LIFE = 40.0             # seconds an ash puff lives
PLUME_RISE = 17.0             # m/s: initial rise speed of the ash column at full strength
PLUME_TAU = 14.0              # seconds: the column's rise slows with this time constant (tops out ~240 m up)
TRAIL = 7                     # embers trailing each lava bomb
TRAIL_DT = 0.035              # seconds between trail embers
STEAM_ONE_IN = 13             # one molten cell in this many smokes
STEAM_MAX = 140
STEAM_LIFE = 6.0
EMBER_EVERY = 0.025           # seconds between spatter blobs from the crater
EMBER_LIFE = 3.0
HALO = 2                      # cells of glowing ground around molten lava
HALO_GLOW = 0.55              # their glow relative to the lava beside them
SIDE_SHARE = 0.25             # share of the lava each side vent takes
CRATER_LAKE = 0.6             # fraction of the crater radius that glows as a lava lake while erupting
QUENCH_TAU = 1.0              # seconds: heat time constant of lava once an eruption is ended (frozen in a few s)


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
    vent: tuple                   # (gx, gy) main vent cell on the grid (the lowest point of the rim)
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
    crater_r: float = 0.0         # metres
    side_vents: tuple = ()        # ((gx, gy), ...) lower-rate overflows in the other thirds of the rim
    end_s: float = math.inf       # seconds after the start when an `eruption` edit of strength 0 ended it

    def emit(self) -> float:
        """Seconds of emission: the natural length, or less if the eruption was ended."""
        return min(emit_seconds(self.strength), self.end_s)

    def end(self, tick: int) -> None:
        """Stop emitting now; the lava then cools to rock within a few seconds (see QUENCH_TAU)."""
        self.end_s = min(self.end_s, max(0.0, (tick - self.tick0) * DT))

    def lake_on(self) -> bool:
        """True while the crater holds a glowing lava lake (emission plus a few seconds)."""
        return not self.done and self.steps * LDT <= self.emit() + (0.0 if self.end_s < math.inf else 3.0)

    def crater_box(self) -> list:
        """Grid cells [x0, y0, x1, y1] of the crater lake."""
        r = self.crater_r * CRATER_LAKE + 1.0
        gx, gy = self.cx - self.x0, self.cy - self.y0
        return [int(gx - r), int(gy - r), int(gx + r) + 1, int(gy + r) + 1]

    # ------------------------------------------------------------------------------------------ flow
    def advance_to(self, tick: int) -> bool:
        """Run lava steps up to `tick`; returns True if anything molten changed (the ring needs a refresh)."""
        changed = False
        scratch = None
        while not self.done and self.tick0 + (self.steps + 1) * EVERY <= tick:
            if scratch is None:
                scratch = (np.empty_like(self.lava), np.empty_like(self.lava))
            t = (self.steps + 1) * LDT
            q = self.rate() * LDT if t <= self.emit() else 0.0
            if t > self.end_s and self.box[2] >= 0:   # ended: quench the flow so it freezes in a few seconds
                b = self.box
                self.energy[b[1]:b[3] + 1, b[0]:b[2] + 1] *= np.float32(math.exp(-LDT / QUENCH_TAU))
            if q > 0.0:
                for vx, vy in self.side_vents:
                    _pour(self.lava, self.energy, self.box, vx, vy, q * SIDE_SHARE)
                q *= 1.0 - SIDE_SHARE * len(self.side_vents)
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
        return "erupting" if s <= self.emit() and s < self.end_s else ("cooling" if not self.done else "cooled")

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
        if self.lake_on():
            lake = self._lake(gs)
            col[cs][lake] = LAVA_COLOR
            mat[cs][lake] = MAT_LAVA
        heat[cs] = self._heat(ay - self.y0, by - self.y0, ax - self.x0, bx - self.x0)
        return True

    def _lake(self, gs) -> np.ndarray:
        """Crater-floor cells of the grid slice that hold the glowing lava lake."""
        ys = np.arange(gs[0].start, gs[0].stop)[:, None] + self.y0 + 0.5 - self.cy
        xs = np.arange(gs[1].start, gs[1].stop)[None, :] + self.x0 + 0.5 - self.cx
        inside = xs * xs + ys * ys <= (self.crater_r * CRATER_LAKE) ** 2
        return inside & (self.base[gs] < self.floor_z + 2.5)

    def _heat(self, y0: int, y1: int, x0: int, x1: int) -> np.ndarray:
        """Glow of grid rows y0:y1, columns x0:x1: molten cells by their heat, plus a fading halo of HALO cells
        around them (the ground beside a flow glows too, and a thin flow still reads from far away). Computed on
        a padded window so the halo is seamless across chunk borders."""
        pad = HALO
        a0, b0 = max(y0 - pad, 0), max(x0 - pad, 0)
        a1, b1 = min(y1 + pad, GRID), min(x1 + pad, GRID)
        lava, energy = self.lava[a0:a1, b0:b1], self.energy[a0:a1, b0:b1]
        glow = np.where(lava > 0.02, np.clip((energy / np.maximum(lava, 1e-3) - 0.15) / 0.85 + 0.2, 0, 1), 0)
        glow = glow.astype(np.float32)
        if self.lake_on():
            lake = self._lake((slice(a0, a1), slice(b0, b1)))
            glow[lake] = np.maximum(glow[lake], 0.95)
        if glow.any():
            k = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * pad + 1, 2 * pad + 1))
            glow = np.maximum(glow, cv2.dilate(glow, k) * HALO_GLOW)
        return glow[y0 - a0:y1 - a0, x0 - b0:x1 - b0]

    # ------------------------------------------------------------------------------------------ particles
    def particles(self, tick: int, wind: tuple) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(xyz, kind, size) of the bombs (with ember trails), the ash plume, steam off the flow and the crater's
        fountain, alive at `tick`. Closed form in time (plus the current flow for the steam): deterministic."""
        t = (tick - self.tick0) * DT
        parts = [self._bombs(t), self._plume(t, wind), self._steam(t, wind), self._fountain(t)]
        xyz = np.concatenate([p[0] for p in parts]).astype(np.float32)
        kind = np.concatenate([np.full(len(p[0]), PARTICLE_ID[p[1]]) for p in parts]).astype(np.int32)
        size = np.concatenate([p[2] for p in parts]).astype(np.float32)
        return xyz, kind, size

    def _bombs(self, t: float):
        """Ballistic lava bombs, each with a short trail of embers along the path it just flew."""
        b = self.bombs
        s0 = t - b[:, 0]
        live = (s0 >= 0) & (s0 < 2.0 * b[:, 3] / self.g + 4.0) & (b[:, 0] <= self.end_s)
        b, s0 = b[live], s0[live]
        lag = np.arange(TRAIL + 1) * TRAIL_DT                 # 0 = the bomb itself, then its trail
        s = np.maximum(s0[:, None] - lag[None, :], 0.0)
        z = self.floor_z + b[:, 3:4] * s - 0.5 * self.g * s * s
        xyz = np.stack([self.cx + b[:, 1:2] * s, self.cy + b[:, 2:3] * s, z], 2)
        size = b[:, 5:6] * np.maximum(1.0 - lag[None, :] / (TRAIL_DT * (TRAIL + 2)), 0.25)
        keep = (z > self.floor_z - 160.0) & (s0[:, None] - lag[None, :] > 0.0)
        keep[:, 1:] &= s0[:, None] > TRAIL_DT                 # no trail sitting in the crater at launch
        return xyz[keep], "lava_bomb", size[keep] * np.where(lag[None, :] > 0, 0.55, 1.0).repeat(len(b), 0)[keep]

    def _plume(self, t: float, wind: tuple):
        """The ash column: dark puffs leave the crater fast, slow as they rise, swell and bend downwind."""
        emit = self.emit()
        k = np.arange(max(0, math.floor((t - PLUME_LIFE) / PLUME_EVERY)),
                      math.floor(min(t, emit + 8.0) / PLUME_EVERY) + 1)
        age = t - k * PLUME_EVERY
        k, age = k[age >= 0], age[age >= 0]
        power = 0.6 + 0.4 * self.strength
        rise = PLUME_RISE * power * PLUME_TAU * (1.0 - np.exp(-age / PLUME_TAU))
        drift = np.minimum(np.maximum(rise - 30.0, 0.0) / 90.0, 1.5)   # high ash rides the wind, low ash rises
        wx, wy = wind
        if wx * wx + wy * wy < 9.0:           # still air: the ash still leans downwind of a gentle breeze
            wx, wy = wx + 2.5, wy + 1.5
        jx, jy = np.sin(k * 1.7) * (4.0 + 0.5 * age), np.cos(k * 2.3) * (4.0 + 0.5 * age)
        xyz = np.stack([self.cx + wx * drift * age + jx + 3.0 * age * np.sin(k * 0.37),
                        self.cy + wy * drift * age + jy + 3.0 * age * np.cos(k * 0.53),
                        self.floor_z + 12.0 + rise], 1)
        size = (48.0 + 5.0 * age) * power * (0.8 + 0.4 * np.abs(np.sin(k * 0.91)))
        return xyz, "ash", size

    def _steam(self, t: float, wind: tuple):
        """Smoke rising off a fixed hashed subset of the molten cells (it follows the flow as it spreads)."""
        bx0, by0, bx1, by1 = (int(v) for v in self.box)
        if bx1 < 0:
            return np.zeros((0, 3)), "smoke", np.zeros(0)
        lava = self.lava[by0:by1 + 1, bx0:bx1 + 1]
        ys, xs = np.nonzero(lava > 0.3)
        gx, gy = xs + bx0, ys + by0
        h = (gx * 73856093 ^ gy * 19349663) & 0xFFFF
        pick = h % STEAM_ONE_IN == 0
        gx, gy, h = gx[pick][:STEAM_MAX], gy[pick][:STEAM_MAX], h[pick][:STEAM_MAX]
        age = (t + (h % 997) * 0.01) % STEAM_LIFE
        xyz = np.stack([self.x0 + gx + wind[0] * 0.5 * age, self.y0 + gy + wind[1] * 0.5 * age,
                        self.base[gy, gx] + self.rock[gy, gx] + 2.0 + 3.0 * age], 1)
        return xyz, "smoke", 4.0 + 3.0 * age

    def _fountain(self, t: float):
        """Incandescent spatter thrown up out of the crater (and a little at the vent while lava pours out)."""
        emit = self.emit()
        ke = np.arange(max(0, math.floor((t - EMBER_LIFE) / EMBER_EVERY)), math.floor(min(t, emit) / EMBER_EVERY) + 1)
        ae = t - ke * EMBER_EVERY
        ang = ke * 2.399963                     # golden angle spreads the spatter around the crater
        out = 3.0 + 5.0 * ((ke * 0.618034) % 1.0)
        up = 14.0 + 16.0 * ((ke * 0.414214) % 1.0) * (0.6 + 0.4 * self.strength)
        at_vent = ke % 4 == 0
        vx, vy = self.vent
        ox = np.where(at_vent, self.x0 + vx, self.cx)
        oy = np.where(at_vent, self.y0 + vy, self.cy)
        oz = np.where(at_vent, self.base[vy, vx] + 1.0, self.floor_z)
        up = np.where(at_vent, 5.0, up)
        xyz = np.stack([ox + np.cos(ang) * out * ae, oy + np.sin(ang) * out * ae,
                        oz + up * ae - 0.5 * self.g * ae * ae], 1)
        return xyz, "ember", np.full(len(ke), 0.9)


def start(seed: int, uid: int, tick: int, strength: float, g: float, heights) -> Eruption:
    """A new eruption at the seed's volcano; heights(x0, y0, w, h) gives the current (edited) ground."""
    cx, cy, crater_r, _ = terrain.volcano_site(seed)
    x0, y0 = int(math.floor(cx)) - GRID // 2, int(math.floor(cy)) - GRID // 2
    base = heights(x0, y0, GRID, GRID).astype(np.float32)
    vents = _vents(base, cx - x0, cy - y0, crater_r)
    floor_z = float(base[int(cy) - y0, int(cx) - x0]) + 1.0
    r = rng(seed, 0xE7, uid)
    nb = int(80 + 320 * strength)
    speed = r.uniform(22.0, 52.0, nb) * (0.7 + 0.3 * strength)
    elev = r.uniform(math.radians(48), math.radians(86), nb)
    az = r.uniform(0.0, 2 * math.pi, nb)
    bombs = np.stack([np.sort(r.uniform(0.0, emit_seconds(strength), nb)), speed * np.cos(elev) * np.cos(az),
                      speed * np.cos(elev) * np.sin(az), speed * np.sin(elev), np.zeros(nb),
                      r.uniform(1.2, 2.8, nb)], 1)
    z = np.zeros((GRID, GRID), np.float32)
    e = Eruption(uid, tick, float(strength), float(g), cx, cy, floor_z, x0, y0, vents[0], base, z.copy(), z.copy(),
                 z.copy(), np.array([GRID, GRID, -1, -1], np.int64), [GRID, GRID, -1, -1], bombs, crater_r=crater_r,
                 side_vents=tuple(vents[1:]) if strength >= 0.3 else ())
    e.touched = e.crater_box()    # the lake glows from the start: its chunks are redrawn with the flow's
    return e


def _vents(base: np.ndarray, gx: float, gy: float, crater_r: float) -> list[tuple[int, int]]:
    """Vents just outside the rim: the lowest point of the crater rim (where lava spills over first), then the
    lowest point of each other third of the rim (an eruption this strong overflows on several sides)."""
    crests = []
    for k in range(72):
        a = 2 * math.pi * k / 72
        crests.append(max(float(base[int(gy + r * math.sin(a)), int(gx + r * math.cos(a))])
                          for r in np.arange(0.6 * crater_r, 1.4 * crater_r, 1.0)))
    k0 = int(np.argmin(crests))
    picks = [k0] + [min(((k0 + off + j) % 72 for j in range(-10, 11)), key=lambda k: crests[k]) for off in (24, 48)]
    r = crater_r + 4.0
    return [(int(gx + r * math.cos(2 * math.pi * k / 72)), int(gy + r * math.sin(2 * math.pi * k / 72)))
            for k in picks]


def _pour(lava: np.ndarray, energy: np.ndarray, box: np.ndarray, vx: int, vy: int, q: float) -> None:
    """Add q metres of fresh (heat 1) lava spread over the 3x3 cells of a side vent; grow the active box."""
    a = np.float32(q / 9.0)
    lava[vy - 1:vy + 2, vx - 1:vx + 2] += a
    energy[vy - 1:vy + 2, vx - 1:vx + 2] += a
    box[0], box[1] = min(box[0], vx - 1), min(box[1], vy - 1)
    box[2], box[3] = max(box[2], vx + 1), max(box[3], vy + 1)
