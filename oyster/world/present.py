"""What a World presents, read-only: the per-frame Scene for the renderer (visible sprites, characters, particles)
and the JSON-able state() summary. Nothing here changes the world beyond its caches.
"""
import math

import numpy as np

from . import characters, terrain, volcano, weather
from .recipe_pack import look
from .scene import DRAW_DISTANCE, MAP_MASK, Scene
from .state import DT, EYE_HEIGHT

NEAR = 60.0             # metres: entities listed in state()
CULL_TAN = 1.0          # sprites within 45 degrees of the view axis are kept (the renderer's half-FOV is 40)
CULL_MARGIN = 16.0      # metres: the widest sprite's half-width, so nothing pops at the frustum's edge


def scene(world, camera: tuple | None = None, fill: bool = True) -> Scene:
    """The read-only Scene for the renderer, from the player's eyes or from camera = (x, y, z, yaw, pitch).
    Only sprites the camera can see (within draw distance, inside the view frustum plus a margin) are passed.
    fill=False: the caller has already filled the ring map around the camera (several cameras share it)."""
    s, p = world.s, world.s.player
    cam = camera if camera is not None else (p.x, p.y, p.z + EYE_HEIGHT, p.yaw, p.pitch)
    if fill:
        world.cache.ensure(cam[0], cam[1])
    v = world.things.view()
    ring = world.cache.ring
    seeds_s, seeds_c = world.things.look_seeds(v)
    keep = _cull(v.s_xyz[:, 0], v.s_xyz[:, 1], cam)
    sxyz, skind, sscale, sseed = v.s_xyz[keep], v.s_kind[keep], v.s_scale[keep], seeds_s[keep]
    n_s = len(sxyz)
    saction, sphase = np.zeros(n_s, np.int32), np.zeros(n_s, np.float32)
    if len(v.c_ids):
        # commanded characters may be anywhere: always drawn
        rows = world.things.with_overridden(v, np.flatnonzero(_cull(v.c_home[:, 0], v.c_home[:, 1], cam,
                                                             2 * characters.MAX_WANDER)))
        if len(rows):
            x, y, _, act, ph = world.things.char_states(rows)
            z = _ground_vec(ring.height, x, y)
            sxyz = np.concatenate([sxyz, np.stack([x, y, z], 1).astype(np.float32)])
            skind = np.concatenate([skind, v.c_kind[rows]])
            saction = np.concatenate([saction, act.astype(np.int32)])
            sphase = np.concatenate([sphase, ph.astype(np.float32)])
            sscale = np.concatenate([sscale, v.c_scale[rows]])
            sseed = np.concatenate([sseed, seeds_c[rows]])
    w = s.weather
    t = s.tick * DT
    wx, wy = weather.wind(w, world.seed, t)
    pxyz, pkind, psize = np.zeros((0, 3), np.float32), np.zeros(0, np.int32), np.zeros(0, np.float32)
    e = world.eruptions[-1] if world.eruptions else None
    if e is not None and (s.tick - e.tick0) * DT < volcano.emit_seconds(e.strength) + volcano.SMOKE_LIFE + 20:
        pxyz, pkind, psize = world.eruption_particles(e, (wx, wy))
    return Scene(float(cam[0]), float(cam[1]), float(cam[2]), float(cam[3]), float(cam[4]),
                 s.clock.hour(s.tick), t, w.rain, w.snow, w.fog, w.storm, w.snow_cover, wx, wy,
                 weather.lightning(w, s.tick), ring, np.ascontiguousarray(sxyz, np.float32),
                 np.ascontiguousarray(skind, np.int32), np.ascontiguousarray(saction, np.int32),
                 np.ascontiguousarray(sphase, np.float32), np.ascontiguousarray(sscale, np.float32),
                 pxyz, pkind, psize, np.ascontiguousarray(sseed, np.int32), float(ring.slot_max.max()),
                 look(world.recipe))

def state(world) -> dict:
    """JSON-able summary: player, clock, weather, gravity, biome, events, entities near the player."""
    s, p, w = world.s, world.s.player, world.s.weather
    events = []
    if w.storm > 0.3:
        events.append({"kind": "storm", "strikes": w.strikes})
    for e in world.eruptions:
        if not e.done or (s.tick - e.tick0) * DT < 600:
            events.append({"kind": "eruption", "id": f"eruption{e.uid}", "stage": e.stage(s.tick),
                           "strength": e.strength, "seconds": round((s.tick - e.tick0) * DT, 2),
                           "x": e.cx, "y": e.cy})
    near = world.things.near(p.x, p.y, NEAR)[:24]
    return {
        "seed": world.seed,
        "time": round(s.tick * DT, 4),
        "player": {"x": float(p.x), "y": float(p.y), "z": float(p.z), "yaw": float(p.yaw),
                   "pitch": float(p.pitch), "on_ground": bool(p.on_ground), "in_water": bool(p.in_water)},
        "clock": {"hour": s.clock.hour(s.tick), "speed": s.clock.speed},
        "weather": {"kind": w.kind, "intensity": w.intensity, "rain": w.rain, "snow": w.snow, "fog": w.fog,
                    "storm": w.storm, "snow_cover": w.snow_cover},
        "gravity": s.gravity,
        "biome": terrain.biome_at(world.seed, p.x, p.y, world.recipe),
        "recipe": {"name": world.recipe.name, "style": world.recipe.terrain.style, "doc": world.recipe.to_doc()},
        "events": events,
        "entities": [{"id": i, "kind": k, "x": x, "y": y, "radius": r, "action": a, "distance": round(d, 3)}
                     for d, i, k, x, y, r, a in near],
        "spawned": world.things.spawned_count(),
        "edits": len(world.log),
        "can_undo": world.can_undo(),
    }


def _cull(x: np.ndarray, y: np.ndarray, cam: tuple, slack: float = 0.0) -> np.ndarray:
    """Mask of points within draw distance of the camera and inside its horizontal view wedge (plus margins)."""
    fx, fy = math.cos(cam[3]), math.sin(cam[3])
    rx, ry = x - cam[0], y - cam[1]
    d = rx * fx + ry * fy
    lat = np.abs(rx * fy - ry * fx)
    m = CULL_MARGIN + slack
    r = DRAW_DISTANCE + m
    return (d > -m) & (lat <= d * CULL_TAN + m) & (rx * rx + ry * ry < r * r)


def _ground_vec(height: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Bilinear ground height at many points from the ring map."""
    x0, y0 = np.floor(x), np.floor(y)
    fx, fy = x - x0, y - y0
    i0, j0 = x0.astype(np.int64) & MAP_MASK, y0.astype(np.int64) & MAP_MASK
    i1, j1 = (i0 + 1) & MAP_MASK, (j0 + 1) & MAP_MASK
    a, b, c, d = height[j0, i0], height[j0, i1], height[j1, i0], height[j1, i1]
    return (a + (b - a) * fx) * (1 - fy) + (c + (d - c) * fx) * fy
