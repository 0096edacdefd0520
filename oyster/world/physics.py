"""Player physics in fixed steps: walk/strafe relative to yaw, turn, look, sprint, jump under gravity, ground
following with a slope limit, swimming at the water surface, and circle collisions with objects.

Invariants after every step: the feet are never below the ground (or below the swimming level over deep water) and
never closer to an obstacle's centre than its radius plus the player's.
"""
import math
from dataclasses import dataclass

import numpy as np

from .scene import MAP_MASK, WATER_LEVEL
from .state import DT, EARTH_G, Player, wrap_angle


@dataclass
class PhysicsConfig:
    walk: float = 4.0          # m/s
    sprint: float = 8.0        # m/s
    turn: float = 2.2          # rad/s
    look: float = 1.2          # rad/s
    max_pitch: float = 0.9     # radians
    jump_speed: float = 5.0    # m/s take-off, the same at any gravity (airtime ~ 2 v / g)
    radius: float = 0.4        # m, the player's collision circle
    max_slope: float = 1.0     # rise per metre walkable uphill (45 degrees)
    water_slow: float = 0.5    # speed factor while swimming
    swim_depth: float = 1.2    # m the feet float below the surface over deep water
    air_control: float = 0.05  # fraction of the wanted velocity reached per step in the air


CONFIG = PhysicsConfig()


def ground(height: np.ndarray, x: float, y: float) -> float:
    """Terrain height at (x, y), bilinear between the ring map's cell heights."""
    x0, y0 = math.floor(x), math.floor(y)
    fx, fy = x - x0, y - y0
    i0, i1 = x0 & MAP_MASK, (x0 + 1) & MAP_MASK
    j0, j1 = y0 & MAP_MASK, (y0 + 1) & MAP_MASK
    a, b = float(height[j0, i0]), float(height[j0, i1])
    c, d = float(height[j1, i0]), float(height[j1, i1])
    return (a + (b - a) * fx) * (1.0 - fy) + (c + (d - c) * fx) * fy


def support(height: np.ndarray, x: float, y: float, cfg: PhysicsConfig = CONFIG) -> tuple[float, bool]:
    """(height the feet rest on, swimming?): the ground, or the swimming level over water deeper than that."""
    return support_over(ground(height, x, y), cfg)


def support_over(h: float, cfg: PhysicsConfig = CONFIG) -> tuple[float, bool]:
    swim = WATER_LEVEL - cfg.swim_depth
    return (swim, True) if h < swim else (h, False)


def push_out(x: float, y: float, obstacles: np.ndarray, radius: float) -> tuple[float, float]:
    """Move (x, y) out of every obstacle circle (rows x, y, r); a few passes settle clusters of trees."""
    if len(obstacles) == 0:
        return x, y
    for _ in range(4):
        dx = x - obstacles[:, 0]
        dy = y - obstacles[:, 1]
        d2 = dx * dx + dy * dy
        lim = obstacles[:, 2] + radius
        hit = np.flatnonzero(d2 < lim * lim)
        if len(hit) == 0:
            break
        for k in hit:
            ddx, ddy = x - obstacles[k, 0], y - obstacles[k, 1]
            d = math.hypot(ddx, ddy)
            if d < 1e-6:                        # dead centre: leave along +x, deterministically
                ddx, ddy, d = 1.0, 0.0, 1.0
            push = obstacles[k, 2] + radius + 1e-4
            x = float(obstacles[k, 0]) + ddx / d * push
            y = float(obstacles[k, 1]) + ddy / d * push
    return x, y


def look(p: Player, dyaw: float, dpitch: float, cfg: PhysicsConfig = CONFIG) -> None:
    """Turn by an analog look delta (radians, yaw counter-clockwise, pitch up), pitch clamped."""
    p.yaw = wrap_angle(p.yaw + float(dyaw))
    p.pitch = max(-cfg.max_pitch, min(cfg.max_pitch, p.pitch + float(dpitch)))


def step(p: Player, held: frozenset, gravity: float, height: np.ndarray, obstacles: np.ndarray,
         cfg: PhysicsConfig = CONFIG) -> None:
    """Advance the player by one fixed step DT (in place)."""
    turn = ("turn_left" in held) - ("turn_right" in held)
    look = ("look_up" in held) - ("look_down" in held)
    if turn:
        p.yaw = wrap_angle(p.yaw + turn * cfg.turn * DT)
    if look:
        p.pitch = max(-cfg.max_pitch, min(cfg.max_pitch, p.pitch + look * cfg.look * DT))
    mf = ("forward" in held) - ("back" in held)
    ms = ("right" in held) - ("left" in held)
    fx, fy = math.cos(p.yaw), math.sin(p.yaw)
    wx = wy = 0.0
    if mf or ms:
        n = math.hypot(mf, ms)
        speed = (cfg.sprint if "sprint" in held else cfg.walk) * (cfg.water_slow if p.in_water else 1.0)
        # right = forward rotated by -90 degrees = (sin yaw, -cos yaw)
        wx = (fx * mf + fy * ms) / n * speed
        wy = (fy * mf - fx * ms) / n * speed
    if p.on_ground:
        p.vx, p.vy = wx, wy
    else:
        p.vx += (wx - p.vx) * cfg.air_control
        p.vy += (wy - p.vy) * cfg.air_control
    _move_horizontal(p, height, obstacles, cfg)
    _move_vertical(p, "jump" in held, gravity, height, cfg)
    # numpy scalars creep in from the obstacle arrays; keep the state plain Python (same doubles, JSON-able)
    p.x, p.y, p.z, p.vx, p.vy, p.vz = float(p.x), float(p.y), float(p.z), float(p.vx), float(p.vy), float(p.vz)
    p.on_ground, p.in_water = bool(p.on_ground), bool(p.in_water)


def _move_horizontal(p: Player, height: np.ndarray, obstacles: np.ndarray, cfg: PhysicsConfig) -> None:
    if p.vx == 0.0 and p.vy == 0.0:
        x, y = push_out(p.x, p.y, obstacles, cfg.radius)   # something may have been spawned on us
    else:
        x, y = _slope_limited(p, p.x + p.vx * DT, p.y + p.vy * DT, height, cfg)
        x, y = push_out(x, y, obstacles, cfg.radius)
    p.x, p.y = x, y


def _slope_limited(p: Player, nx: float, ny: float, height: np.ndarray, cfg: PhysicsConfig) -> tuple[float, float]:
    """The target if walkable, else the walkable axis-aligned part of the move (sliding along the slope), else stay."""
    if not p.on_ground:
        return nx, ny
    h0 = support(height, p.x, p.y, cfg)[0]
    for tx, ty in ((nx, ny), (nx, p.y), (p.x, ny)):
        dist = math.hypot(tx - p.x, ty - p.y)
        if dist == 0.0:
            continue
        if support(height, tx, ty, cfg)[0] - h0 <= cfg.max_slope * dist + 0.02:
            return tx, ty
    return p.x, p.y


def _move_vertical(p: Player, jump: bool, gravity: float, height: np.ndarray, cfg: PhysicsConfig) -> None:
    sup, swim = support(height, p.x, p.y, cfg)
    p.in_water = swim or ground(height, p.x, p.y) < WATER_LEVEL - 0.5
    if p.on_ground:
        if jump:
            p.vz = cfg.jump_speed
            p.on_ground = False
        elif sup >= p.z - (0.3 + cfg.max_slope * math.hypot(p.vx, p.vy) * DT):
            p.z, p.vz = sup, 0.0          # follow the ground down gentle slopes instead of hopping
        else:
            p.on_ground = False           # walked off an edge
    if not p.on_ground:
        p.vz -= EARTH_G * gravity * DT
        p.z += p.vz * DT
        if p.z <= sup:
            p.z, p.vz, p.on_ground = sup, 0.0, True
    if p.z < sup:                          # the ground rose under us (an edit, lava): stand on it
        p.z = sup
