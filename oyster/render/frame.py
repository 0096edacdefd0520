"""Frame composition: terrain + sky, stars, sprites, particles, weather, then one transpose into `out`.

Every pass works on a column-major (W, H, 3) image because the ray-caster walks screen columns; a single
cv2.transpose (releases the GIL) turns it into the HxWx3 frame the caller wants. With more than one numba thread
(where the probe allows) terrain, sprites, weather and the transpose are each split over the threads, by column
groups, column bands and row tiles, and draw exactly what the one-thread passes draw.
"""
import threading
import time

import cv2
import numba
import numpy as np
from numba import njit, prange

from oyster.fastpaths import render_paths
from oyster.render.params import frame_params
from oyster.render.particles import draw_particles
from oyster.render.sky import STARS, draw_bodies, draw_stars, sky_bodies
from oyster.render.sprites import draw_sprites, draw_sprites_parallel, sprite_seeds
from oyster.render.terrain_pass import terrain_pass
from oyster.render.weather import draw_weather

_LOCAL = threading.local()
BANDS_PER_THREAD = 3    # column bands per thread for sprites and weather: sprites bunch up, so more bands than
                        # threads keep every thread busy (each band walks every sprite: not too many)
TILE = 32               # rows and columns per tile of the parallel transpose (cache-friendly blocks)


def _buffers(width: int, height: int) -> tuple[np.ndarray, np.ndarray]:
    """This thread's column-major image and depth buffers for the size. Reused across frames: fresh 1.6 MB
    arrays each frame cost ~0.3 ms in page faults. Per thread, so concurrent sessions never share one."""
    cache = getattr(_LOCAL, "buffers", None)
    if cache is None or cache[0].shape[:2] != (width, height):
        cache = (np.empty((width, height, 3), np.uint8), np.empty((width, height), np.float32))
        _LOCAL.buffers = cache
    return cache


def _check(scene, out: np.ndarray) -> None:
    if out.ndim != 3 or out.shape[2] != 3 or out.dtype != np.uint8 or not out.flags.c_contiguous:
        raise ValueError(f"out must be a C-contiguous HxWx3 uint8 array, got {out.dtype} {out.shape}")
    ring = scene.ring
    for name, dtype in (("height", np.float32), ("color", np.uint8), ("material", np.uint8), ("heat", np.float32)):
        a = getattr(ring, name)
        if a.dtype != dtype or not a.flags.c_contiguous:
            raise ValueError(f"scene.ring.{name} must be C-contiguous {np.dtype(dtype).name}, got {a.dtype}")


def _arr(a, dtype, shape_tail=()) -> np.ndarray:
    """The scene's array as the dtype the kernels are compiled for (no copy when it already is)."""
    a = np.ascontiguousarray(a, dtype)
    return a.reshape((-1,) + shape_tail) if shape_tail else a


def render(scene, out: np.ndarray, times: dict | None = None) -> np.ndarray:
    """Draw `scene` into `out` (HxWx3 uint8 RGB, C-contiguous) and return it; the scene is not modified.

    Uses numba's thread count of the calling thread: with numba.set_num_threads(1) everything runs on this
    thread; with more, the terrain pass spreads columns over them where the probe found parallel kernels working
    (oyster.fastpaths.render_paths). `times`, if given, gets each pass's wall seconds (python -m oyster.bench
    --only passes).
    """
    _check(scene, out)
    H, W = out.shape[:2]
    P = frame_params(scene, W, H)
    img, depth = _buffers(W, H)      # every pixel is overwritten by the terrain pass
    threads = numba.get_num_threads() if render_paths().parallel else 1
    clock = _PassClock(times)
    terrain_pass(img, depth, scene.ring, P, threads > 1)
    clock.lap("terrain")
    draw_stars(img, depth, P, STARS)
    if getattr(scene, "look", None) is not None:
        draw_bodies(img, depth, P, sky_bodies(scene))
    sprites = (img, depth, P, _arr(scene.sprite_xyz, np.float32, (3,)), _arr(scene.sprite_kind, np.int32),
               _arr(scene.sprite_action, np.int32), _arr(scene.sprite_phase, np.float32),
               _arr(scene.sprite_scale, np.float32), sprite_seeds(scene))
    clock.lap("sky")
    if threads > 1:
        draw_sprites_parallel(*sprites, threads * BANDS_PER_THREAD)
    else:
        draw_sprites(*sprites)
    clock.lap("sprites")
    draw_particles(img, depth, P, _arr(scene.particle_xyz, np.float32, (3,)), _arr(scene.particle_kind, np.int32),
                   _arr(scene.particle_size, np.float32), scene.ring.height, scene.ring.heat)
    clock.lap("particles")
    draw_weather(img, depth, P, threads * BANDS_PER_THREAD if threads > 1 else 1)
    clock.lap("weather")
    if threads > 1:
        transpose_parallel(img, out)
    else:
        cv2.transpose(img, out)
    clock.lap("transpose")
    return out


class _PassClock:
    """Adds each pass's wall seconds to a dict (or does nothing without one)."""

    def __init__(self, times: dict | None):
        self.times = times
        self.t = time.perf_counter() if times is not None else 0.0

    def lap(self, name: str) -> None:
        if self.times is not None:
            now = time.perf_counter()
            self.times[name] = self.times.get(name, 0.0) + now - self.t
            self.t = now


@njit(cache=True, nogil=True, parallel=True)
def transpose_parallel(img, out):
    """out[y, x] = img[x, y] (what cv2.transpose does), row tiles in parallel."""
    W, H = img.shape[0], img.shape[1]
    for t in prange((H + TILE - 1) // TILE):
        y0 = t * TILE
        y1 = min(y0 + TILE, H)
        for x0 in range(0, W, TILE):
            for y in range(y0, y1):
                for x in range(x0, min(x0 + TILE, W)):
                    out[y, x, 0] = img[x, y, 0]
                    out[y, x, 1] = img[x, y, 1]
                    out[y, x, 2] = img[x, y, 2]


def warm_up() -> None:
    """Compile (or load from numba's cache) every render kernel on a tiny scene; call once at app start."""
    from dataclasses import replace

    from oyster.render.fixture import character_scene
    from oyster.world.kinds import KINDS, PARTICLES
    base = character_scene("walk", "villager")
    n = len(KINDS)
    scene = replace(base, rain=0.5, snow=0.5, lightning=0.5, hour=20.0,
                    sprite_xyz=np.tile(base.sprite_xyz, (n, 1)), sprite_kind=np.arange(n, dtype=np.int32),
                    sprite_action=np.ones(n, np.int32), sprite_phase=np.zeros(n, np.float32),
                    sprite_scale=np.ones(n, np.float32),
                    particle_xyz=np.tile(base.sprite_xyz + 1.0, (len(PARTICLES), 1)),
                    particle_kind=np.arange(len(PARTICLES), dtype=np.int32),
                    particle_size=np.ones(len(PARTICLES), np.float32))
    render(scene, np.zeros((36, 64, 3), np.uint8))
    if render_paths().parallel:      # the parallel passes too (a lone visitor's frame uses them)
        before = numba.get_num_threads()
        numba.set_num_threads(render_paths().max_threads)
        try:
            render(scene, np.zeros((36, 64, 3), np.uint8))
        finally:
            numba.set_num_threads(before)
