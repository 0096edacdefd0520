"""Screen-space weather: rain streaks slanted by the wind, drifting snow flakes, lightning flash and bolt.

Fog, storm darkening and snow haze are not drawn here: they change the light and fog parameters
(sky.sky_light), so every pass agrees. Streaks and flakes have a pseudo depth and are depth-tested, so
rain falls in front of distant hills but never on the near side of a house you stand next to.
"""
import math

import numpy as np
from numba import njit, prange

from oyster.render import param_slots as S
from oyster.render.sprite_shapes import hash01

RAIN_STREAKS = 2400        # streaks on a 640x360 frame at full rain (scaled by frame area)
SNOW_FLAKES = 2200
RAIN_FALL = 9.0            # metres/second
SNOW_FALL = 1.3
NEAR_Z, FAR_Z = 1.0, 28.0  # metres; pseudo depth range of drops and flakes
REF_AREA = 640.0 * 360.0
FLASH_GAIN = 0.22          # how far a full lightning flash pushes the frame towards white
BOLT_SEGMENTS = 14


@njit(cache=True, nogil=True, fastmath=True)
def _blend(img, px, py, r, g, b, a):
    img[px, py, 0] = min(255.0, img[px, py, 0] + (r - img[px, py, 0]) * a)
    img[px, py, 1] = min(255.0, img[px, py, 1] + (g - img[px, py, 1]) * a)
    img[px, py, 2] = min(255.0, img[px, py, 2] + (b - img[px, py, 2]) * a)


@njit(cache=True, nogil=True, fastmath=True)
def _turns(focal, W, z):
    """Whole screen widths a drop at pseudo depth z slides per full turn of the camera: about the parallax
    of something 3/z times nearer than the scene, rounded so yaw wrapping from 2 pi to 0 does not jump."""
    return max(1.0, math.floor(2.0 * math.pi * focal * (3.0 / z) / W + 0.5))


@njit(cache=True, nogil=True, fastmath=True)
def _precip_color(P):
    """Drops and flakes catch the sky light: bright by day, dim blue-grey by night."""
    lum = (P[S.HORIZON_COL] + P[S.HORIZON_COL + 1] + P[S.HORIZON_COL + 2]) / 3.0
    k = 255.0 * min(0.35 + lum * 0.9, 1.2)
    return 0.85 * k, 0.9 * k, 1.0 * k


@njit(cache=True, nogil=True, fastmath=True)
def _rain_slope(P):
    """Pixels sideways per pixel down: the wind across the view over the fall speed."""
    return (P[S.WIND_X] * P[S.RIGHT_X] + P[S.WIND_Y] * P[S.RIGHT_Y]) / RAIN_FALL


@njit(cache=True, nogil=True, fastmath=True)
def rain_streaks(P, level, W, H):
    """Every rain streak of this frame once, as rows of (x, y, pseudo depth, length, alpha): the column bands
    then only draw, instead of each band working out every streak again."""
    n = max(int(RAIN_STREAKS * level * W * H / REF_AREA), 0)
    out = np.empty((n, 5), np.float64)
    focal, t = P[S.FOCAL], P[S.TIME]
    slope = _rain_slope(P)
    turn = -P[S.YAW] / (2.0 * math.pi) * W             # streaks slide as the camera turns (see _turns)
    span = H + 60.0
    for i in range(n):
        z = NEAR_Z + (FAR_Z - NEAR_Z) * hash01(i, 1) ** 1.5
        ppm = focal / z
        y = (hash01(i, 2) * span + t * RAIN_FALL * ppm) % span - 30.0
        out[i, 0] = (hash01(i, 3) * W + turn * _turns(focal, W, z) + slope * y) % W
        out[i, 1] = y
        out[i, 2] = z
        out[i, 3] = min(max(ppm * 0.35, 3.0), 32.0)
        out[i, 4] = 0.22 + 0.3 * (NEAR_Z / z) ** 0.5
    return out


@njit(cache=True, nogil=True, fastmath=True)
def draw_rain(img, depth, P, streaks, c0, c1):
    W, H = depth.shape
    slope = _rain_slope(P)
    cr, cg, cb = _precip_color(P)
    for i in range(streaks.shape[0]):
        x, y, z, a = streaks[i, 0], streaks[i, 1], streaks[i, 2], streaks[i, 4]
        steps = int(streaks[i, 3])
        end = x + slope * steps
        if max(x, end) < c0 - 1 or min(x, end) >= c1:
            continue                                   # no pixel of this streak falls in the band
        for j in range(steps):
            py = int(y + j)
            px = int(x + slope * j)
            if 0 <= py < H and c0 <= px < c1 and depth[px, py] > z:
                _blend(img, px, py, cr, cg, cb, a)


@njit(cache=True, nogil=True, fastmath=True)
def snow_flakes(P, level, W, H):
    """Every snow flake of this frame once, as rows of (x, y, pseudo depth, size in pixels, alpha)."""
    n = max(int(SNOW_FLAKES * level * W * H / REF_AREA), 0)
    out = np.empty((n, 5), np.float64)
    focal, t = P[S.FOCAL], P[S.TIME]
    wind_lat = P[S.WIND_X] * P[S.RIGHT_X] + P[S.WIND_Y] * P[S.RIGHT_Y]
    turn = -P[S.YAW] / (2.0 * math.pi) * W
    span = H + 20.0
    for i in range(n):
        z = NEAR_Z + (FAR_Z - NEAR_Z) * hash01(i, 4) ** 1.3
        ppm = focal / z
        y = (hash01(i, 5) * span + t * SNOW_FALL * ppm) % span - 10.0
        sway = math.sin(t * 1.3 + hash01(i, 6) * 6.28) * 0.4 + wind_lat * (y / ppm) / SNOW_FALL
        out[i, 0] = (hash01(i, 7) * W + turn * _turns(focal, W, z) + sway * ppm) % W
        out[i, 1] = y
        out[i, 2] = z
        out[i, 3] = max(1, min(int(0.035 * ppm), 4))
        out[i, 4] = 0.5 + 0.4 * (NEAR_Z / z) ** 0.5
    return out


@njit(cache=True, nogil=True, fastmath=True)
def draw_snow(img, depth, P, flakes, c0, c1):
    W, H = depth.shape
    cr, cg, cb = _precip_color(P)
    for i in range(flakes.shape[0]):
        x0, y0, z, a = int(flakes[i, 0]), int(flakes[i, 1]), flakes[i, 2], flakes[i, 4]
        size = int(flakes[i, 3])
        if x0 + size <= c0 or x0 >= c1:
            continue                                   # no pixel of this flake falls in the band
        for sxo in range(size):
            for syo in range(size):
                if size > 2 and (sxo == 0 or sxo == size - 1) and (syo == 0 or syo == size - 1):
                    continue                            # round the corners of bigger flakes
                px = x0 + sxo
                py = y0 + syo
                if 0 <= py < H and c0 <= px < c1 and depth[px, py] > z:
                    _blend(img, px, py, cr, cg, cb, a)


@njit(cache=True, nogil=True, fastmath=True)
def draw_lightning(img, depth, P, c0, c1):
    """Brighten the frame by the flash level and draw a jagged bolt while it is bright."""
    flash = P[S.LIGHTNING]
    if flash <= 0.01:
        return
    W, H = depth.shape
    gain = flash * FLASH_GAIN
    for px in range(c0, c1):
        for py in range(H):
            for c in range(3):
                v = img[px, py, c]
                img[px, py, c] = v + (255.0 - v) * gain
    if flash < 0.15:
        return
    seed = int(math.floor(P[S.TIME] * 2.0))           # one bolt shape per half second of flashes
    x = W * (0.15 + 0.7 * hash01(seed, 11))
    y_end = min(max(P[S.HORIZON] + 0.05 * H, 0.3 * H), H - 1.0)
    y = 0.0
    dy = y_end / BOLT_SEGMENTS
    width = max(1, W // 400)
    for s in range(BOLT_SEGMENTS):
        nx = x + (hash01(seed, 100 + s) - 0.5) * dy * 1.6
        for j in range(int(dy) + 1):
            f = j / dy
            px = int(x + (nx - x) * f)
            py = int(y + j)
            for w in range(-width - 1, width + 2):
                qx = px + w
                if c0 <= qx < c1 and 0 <= py < H and depth[qx, py] > 300.0:
                    a = 1.0 if abs(w) <= width // 2 else 0.35
                    _blend(img, qx, py, 255.0, 255.0, 255.0, a * min(flash * 1.5, 1.0))
        x = nx
        y += dy


@njit(cache=True, nogil=True, fastmath=True)
def _weather_band(img, depth, P, streaks, flakes, c0, c1):
    """All screen-space weather in the screen columns [c0, c1), back-to-front-ish. Every drop, flake and bolt is
    walked in the same order in every band and only its pixels in the band are touched, so bands drawn side by
    side (in parallel) give exactly the whole-screen frame (each pixel sees the same blends in the same order)."""
    draw_rain(img, depth, P, streaks, c0, c1)
    draw_snow(img, depth, P, flakes, c0, c1)
    draw_lightning(img, depth, P, c0, c1)


@njit(cache=True, nogil=True, fastmath=True, parallel=True)
def _weather_parallel(img, depth, P, streaks, flakes, bands):
    W = depth.shape[0]
    for b in prange(bands):
        _weather_band(img, depth, P, streaks, flakes, b * W // bands, (b + 1) * W // bands)


_NONE = np.empty((0, 5), np.float64)   # no streaks or flakes (never written)


def draw_weather(img, depth, P, bands: int = 1) -> None:
    """All screen-space weather for this frame; `bands` > 1 splits the screen into that many column bands drawn in
    parallel (the same frame)."""
    rain = max(float(P[S.RAIN]), float(P[S.STORM]))
    snow = float(P[S.SNOW])
    if rain <= 0.01 and snow <= 0.01 and P[S.LIGHTNING] <= 0.01:
        return
    W, H = depth.shape
    streaks = rain_streaks(P, rain, W, H) if rain > 0.01 else _NONE
    flakes = snow_flakes(P, snow, W, H) if snow > 0.01 else _NONE
    if bands > 1:
        _weather_parallel(img, depth, P, streaks, flakes, bands)
    else:
        _weather_band(img, depth, P, streaks, flakes, 0, W)
