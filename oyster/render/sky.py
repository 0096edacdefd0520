"""Sky and light by hour and weather: sun/moon direction and colour, sky gradient, clouds, stars.

`sky_light(scene)` runs once per frame in Python; `sky_pixel` / `sky_gradient` are the numba pieces the
terrain pass calls for every sky pixel and every water reflection; `draw_stars` adds the fixed star field.
"""
import math
from dataclasses import dataclass

import numpy as np
from numba import njit

from oyster.render import param_slots as P_

SUN_TILT = -0.45            # sun path leans south (y < 0), so north-facing slopes stay darker at noon
MOON_TILT = 0.30
SUN_COS = math.cos(0.028)   # angular radius of the drawn sun disc (bigger than the real one: reads better)
MOON_COS = math.cos(0.022)
CLOUD_HEIGHT = 220.0        # metres above the camera of the cloud layer
CLOUD_SCALE = 3.0           # metres per cloud texel
CLOUD_FAR = 3500.0          # metres along the ray where clouds have faded into haze
CLOUD_TEX = 256             # texels per side of the tiling cloud noise (uint8: 64 KB, stays in cache)
CLOUD_MIP = 4               # the far-cloud texture is this many times coarser (pre-filtered: no shimmer)
CLOUD_MIP_T = 700.0         # metres along the ray beyond which the coarse texture is used
SKY_DEPTH = 10000.0         # depth-buffer value of sky pixels; depth - SKY_DEPTH = cloud alpha (for stars)
N_STARS = 900


@dataclass
class SkyLight:
    sun_dir: np.ndarray
    sun_col: np.ndarray
    moon_dir: np.ndarray
    moon_col: np.ndarray
    ambient: np.ndarray
    zenith: np.ndarray
    horizon: np.ndarray
    glow: np.ndarray
    fog_density: float
    cloud_cover: float
    cloud_col: np.ndarray
    stars: float
    sun_disc: float
    moon_disc: float


def _smooth(a: float, b: float, x: float) -> float:
    t = min(1.0, max(0.0, (x - a) / (b - a)))
    return t * t * (3 - 2 * t)


def _unit(x: float, y: float, z: float) -> np.ndarray:
    v = np.array([x, y, z], np.float64)
    return v / np.linalg.norm(v)


def _mix(a, b, t: float) -> np.ndarray:
    return np.asarray(a, np.float64) * (1 - t) + np.asarray(b, np.float64) * t


def sky_light(scene) -> SkyLight:
    """Sun rises in the east (+x) at 6:00, peaks at 12:00, sets in the west at 18:00; the moon opposes it."""
    a = (float(scene.hour) - 6.0) / 12.0 * math.pi
    sun = _unit(math.cos(a), SUN_TILT, math.sin(a))
    moon = _unit(-math.cos(a), MOON_TILT, -math.sin(a))
    e = sun[2]                                    # sine of the sun's elevation
    day = _smooth(-0.12, 0.3, e)
    twilight = math.exp(-(e / 0.16) ** 2)         # peaks at sunrise and sunset
    moon_up = _smooth(-0.05, 0.2, moon[2])

    sun_col = _mix((1.0, 0.45, 0.18), (1.05, 1.0, 0.92), _smooth(0.0, 0.45, e)) * _smooth(-0.04, 0.08, e) * 1.05
    moon_col = np.array([0.20, 0.23, 0.34]) * moon_up
    zenith = _mix((0.012, 0.018, 0.05), (0.20, 0.42, 0.85), day)
    zenith = _mix(zenith, (0.20, 0.22, 0.45), twilight * 0.5)
    horizon = _mix((0.035, 0.05, 0.10), (0.68, 0.80, 0.93), day)
    horizon = _mix(horizon, (0.62, 0.45, 0.48), twilight * 0.6)
    glow = np.array([1.0, 0.42, 0.12]) * twilight * 0.85
    ambient = _mix((0.10, 0.12, 0.20), (0.40, 0.44, 0.52), day) + np.array([0.12, 0.07, 0.05]) * twilight

    lk = getattr(scene, "look", None)
    if lk is not None:
        zenith, horizon, glow, ambient = _recipe_sky(lk, zenith, horizon, glow, ambient, day, twilight)
    overcast = max(scene.rain * 0.8, scene.storm, scene.snow * 0.7, scene.fog * 0.6)
    grey = float(horizon.mean())
    zenith = _mix(zenith, (grey * 0.9,) * 3, overcast * 0.8)
    horizon = _mix(horizon, (grey,) * 3, max(overcast * 0.7, scene.fog * 0.85))
    glow = glow * (1 - overcast * 0.8)
    sun_col = sun_col * (1 - 0.72 * overcast)
    dark = 1 - 0.55 * scene.storm                 # storms darken everything
    zenith, horizon, ambient = zenith * dark, horizon * dark, ambient * (1 - 0.35 * scene.storm)
    # snow and fog brighten the haze: a white-out, not a black-out
    horizon = _mix(horizon, np.array([0.80, 0.82, 0.86]) * (0.3 + 0.7 * day), scene.snow * 0.5)

    flash = float(scene.lightning) * np.array([0.9, 0.92, 1.1])
    zenith, horizon, ambient = zenith + flash * 0.35, horizon + flash * 0.35, ambient + flash * 0.6

    fog_density = 0.0022 + 0.055 * scene.fog + 0.004 * scene.rain + 0.014 * scene.snow + 0.006 * scene.storm
    cover = 0.32 + 0.68 * overcast
    cloud_col = (sun_col * 0.75 + ambient * 1.3 + glow * 0.9) * (1 - 0.45 * scene.storm)
    stars = 1 - _smooth(-0.22, 0.04, e)
    moon_disc = moon_up * (1 - overcast * 0.9)
    if lk is not None:
        fog_density *= lk.haze
        cover = min(cover * lk.clouds, 1.0)
        stars = max(stars, 1.0 if lk.black else lk.stars * (1 - overcast))
        if lk.moons == 0:
            moon_disc = 0.0
    return SkyLight(sun, sun_col, moon, moon_col, ambient, zenith, horizon, glow, fog_density, cover,
                    cloud_col, stars, 1 - overcast * 0.92, moon_disc)


NIGHT_ZENITH = (0.012, 0.018, 0.05)
DUSK_HORIZON = (0.62, 0.45, 0.48)


def _recipe_sky(lk, zenith, horizon, glow, ambient, day: float, twilight: float):
    """Zenith, horizon, glow and ambient of a recipe's sky (colours through the day: night, dusk, noon)."""
    night = lk.night_zenith if lk.night_zenith is not None else NIGHT_ZENITH
    if lk.black:
        zenith = np.array([0.004, 0.004, 0.008])
        horizon = np.array([0.012, 0.012, 0.018])
        return zenith, horizon, glow * 0.0, ambient * 0.55
    if lk.day_zenith is not None or lk.night_zenith is not None:
        dz = lk.day_zenith if lk.day_zenith is not None else (0.20, 0.42, 0.85)
        zenith = _mix(_mix(night, dz, day), (0.20, 0.22, 0.45), twilight * 0.5)
        ambient = _mix(ambient, np.asarray(dz) * 0.5 + 0.2, 0.4 * day)
    if lk.day_horizon is not None or lk.day_zenith is not None or lk.night_zenith is not None:
        dh = lk.day_horizon if lk.day_horizon is not None else _mix(lk.day_zenith or (0.2, 0.42, 0.85),
                                                                    (1.0, 1.0, 1.0), 0.45)
        horizon = _mix(_mix(np.asarray(night) * 2.0 + 0.01, dh, day), DUSK_HORIZON, twilight * 0.6)
    if lk.dusk is not None:
        glow = np.asarray(lk.dusk) * twilight * 0.85
    return zenith, horizon, glow, ambient


def sky_bodies(scene) -> np.ndarray:
    """(n, 7) float32 extra moons and planets of the scene's recipe: unit direction, angular radius, RGB."""
    lk = getattr(scene, "look", None)
    rows = []
    if lk is not None:
        if lk.planet:
            rows.append((*_unit(0.55, 0.75, 0.42), 0.16, 0.78, 0.58, 0.42))
        for k in range(max(lk.moons - 1, 0)):
            rows.append((*_unit(-0.7 + 0.5 * k, -0.5 + 0.9 * k, 0.55 - 0.15 * k), 0.03 - 0.008 * k, 0.85, 0.8, 0.9))
    return np.array(rows, np.float32).reshape(-1, 7)


def _cloud_texture(size: int = CLOUD_TEX, seed: int = 1234) -> np.ndarray:
    """Tiling fBm value noise in 0..1 (fixed seed: the sky looks the same in every session)."""
    rng = np.random.default_rng(seed)
    acc = np.zeros((size, size), np.float64)
    amp, total = 1.0, 0.0
    for g in (4, 8, 16, 32, 64):
        grid = rng.random((g, g))
        t = np.arange(size) * g / size
        i0 = np.floor(t).astype(int)
        f = t - i0
        f = f * f * (3 - 2 * f)
        i1 = (i0 + 1) % g
        rows = grid[i0] * (1 - f)[:, None] + grid[i1] * f[:, None]              # (size, g)
        acc += amp * (rows[:, i0] * (1 - f)[None, :] + rows[:, i1] * f[None, :])
        total += amp
        amp *= 0.55
    acc /= total
    acc = (acc - acc.min()) / (acc.max() - acc.min())
    return np.round(acc * 255).astype(np.uint8)


def _mip(tex: np.ndarray, k: int) -> np.ndarray:
    """Box-filtered k-times smaller copy of a tiling texture."""
    n = tex.shape[0] // k
    return np.round(tex.reshape(n, k, n, k).astype(np.float32).mean(axis=(1, 3))).astype(np.uint8)


def _star_field(n: int = N_STARS, seed: int = 99) -> np.ndarray:
    """(n, 4) float32: unit direction (x, y, z) and brightness of each star, above the horizon."""
    rng = np.random.default_rng(seed)
    v = rng.normal(size=(n, 3))
    v[:, 2] = np.abs(v[:, 2]) + 0.02
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    b = rng.random(n) ** 3 * 0.9 + 0.1
    return np.concatenate([v, b[:, None]], axis=1).astype(np.float32)


CLOUDS = _cloud_texture()
CLOUDS_FAR = _mip(CLOUDS, CLOUD_MIP)
STARS = _star_field()


@njit(cache=True, nogil=True, fastmath=True)
def pow_2n(x: float, n: int) -> float:
    """x ** (2 ** n) by repeated squaring: far cheaper than pow() for highlight exponents.
    Callers keep x close to 1: tiny results turn denormal, and denormal arithmetic is ~100x slower."""
    for _ in range(n):
        x = x * x
    return x


@njit(cache=True, nogil=True, fastmath=True)
def cloud_noise(clouds, x, y):
    """Bilinear sample (0..1) of a tiling uint8 cloud texture; (x, y) in texels."""
    ix = int(math.floor(x))
    iy = int(math.floor(y))
    tx = x - ix
    ty = y - iy
    m = clouds.shape[0] - 1
    a = clouds[iy & m, ix & m] * (1 - tx) + clouds[iy & m, (ix + 1) & m] * tx
    b = clouds[(iy + 1) & m, ix & m] * (1 - tx) + clouds[(iy + 1) & m, (ix + 1) & m] * tx
    return (a * (1 - ty) + b * ty) * (1.0 / 255.0)


@njit(cache=True, nogil=True, fastmath=True)
def sky_gradient(P, e, hr, hg, hb):
    """Sky colour at elevation sine `e` given this column's horizon colour (no sun, moon or clouds)."""
    if e <= 0.0:
        return hr, hg, hb
    f = 1.0 - e
    f = 1.0 - f * f * f * f
    return (hr + (P[P_.ZENITH] - hr) * f, hg + (P[P_.ZENITH + 1] - hg) * f, hb + (P[P_.ZENITH + 2] - hb) * f)


@njit(cache=True, nogil=True, fastmath=True)
def sky_pixel(P, clouds, clouds_far, dx, dy, v, hr, hg, hb):
    """Colour and cloud alpha of the sky along the (unnormalised) view ray (dx, dy, v)."""
    inv = 1.0 / math.sqrt(dx * dx + dy * dy + v * v)
    e = v * inv
    r, g, b = sky_gradient(P, e, hr, hg, hb)
    # sun: wide soft glow plus a hard disc
    cs = (dx * P[P_.SUN] + dy * P[P_.SUN + 1] + v * P[P_.SUN + 2]) * inv
    if cs > 0.5:   # thresholds keep the powers out of denormal range (denormals cost ~100x on x86)
        k = pow_2n(cs, 4) * 0.12
        if cs > 0.97:
            k += pow_2n(cs, 9) * 0.5
        r += P[P_.SUN_COL] * k
        g += P[P_.SUN_COL + 1] * k
        b += P[P_.SUN_COL + 2] * k
        if cs > SUN_COS and P[P_.SUN + 2] > -0.03:
            s = P[P_.SUN_DISC]
            r += (1.6 - r) * s
            g += (1.5 - g) * s
            b += (1.2 - b) * s * (0.3 + 0.7 * P[P_.SUN_COL + 2])
    cm = (dx * P[P_.MOON] + dy * P[P_.MOON + 1] + v * P[P_.MOON + 2]) * inv
    if cm > 0.93 and P[P_.MOON_DISC] > 0.0:
        halo = pow_2n(cm, 7) * 0.12 * P[P_.MOON_DISC]
        r += halo * 0.8
        g += halo * 0.85
        b += halo
        if cm > MOON_COS:
            # dim "maria" patches from the cloud texture make it read as the moon, not a lamp
            spots = 0.85 - 0.25 * cloud_noise(clouds, dx * inv * 300.0, v * inv * 300.0)
            m = P[P_.MOON_DISC] * spots
            r += (0.95 - r) * m
            g += (0.93 - g) * m
            b += (0.86 - b) * m
    alpha = 0.0
    if v > 0.004:
        t = CLOUD_HEIGHT / v                        # metres along the ray to the cloud layer (per unit depth)
        if t < CLOUD_FAR:
            drift = P[P_.TIME] * 1.5
            wx = P[P_.CAM_X] * 0.5 + dx * t + drift + P[P_.WIND_X] * P[P_.TIME]
            wy = P[P_.CAM_Y] * 0.5 + dy * t + P[P_.WIND_Y] * P[P_.TIME]
            far = t > CLOUD_MIP_T
            tex = clouds_far if far else clouds
            k = 1.0 / (CLOUD_SCALE * CLOUD_MIP) if far else 1.0 / CLOUD_SCALE     # texels per metre
            n = cloud_noise(tex, wx * k, wy * k)
            cover = P[P_.CLOUD_COVER]
            dens = (n - (1.0 - cover)) * 3.0
            if dens > 0.0:
                dens = min(dens, 1.0)
                dens = dens * dens * (3.0 - 2.0 * dens)     # smoothstep: soft edges, no bilinear diamonds
                fade = 1.0 - t * (1.0 / CLOUD_FAR)
                alpha = dens * fade * fade
                # self-shadow: denser towards the sun means this side is in shade
                n2 = cloud_noise(tex, (wx + P[P_.SUN] * 6.0) * k, (wy + P[P_.SUN + 1] * 6.0) * k)
                lit = 1.0 - min(max((n2 - n) * 5.0, 0.0), 0.5) - 0.25 * dens * cover
                r += (P[P_.CLOUD_COL] * lit - r) * alpha
                g += (P[P_.CLOUD_COL + 1] * lit - g) * alpha
                b += (P[P_.CLOUD_COL + 2] * lit - b) * alpha
    fog = P[P_.FOGW] * 0.92                          # thick fog hides the sky too
    if fog > 0.0:
        r += (hr - r) * fog
        g += (hg - g) * fog
        b += (hb - b) * fog
        alpha = max(alpha, fog)
    return r, g, b, alpha


@njit(cache=True, nogil=True, fastmath=True)
def draw_stars(img, depth, P, stars):
    """Add the fixed star field where the sky shows, dimmed by clouds (depth - SKY_DEPTH = cloud alpha)."""
    vis = P[P_.STARS]
    if vis <= 0.01:
        return
    W, H = depth.shape
    focal, hor, cx = P[P_.FOCAL], P[P_.HORIZON], P[P_.CX]
    for i in range(stars.shape[0]):
        x, y, z = stars[i, 0], stars[i, 1], stars[i, 2]
        fwd = x * P[P_.FWD_X] + y * P[P_.FWD_Y]
        if fwd < 0.05:
            continue
        sx = int(cx + (x * P[P_.RIGHT_X] + y * P[P_.RIGHT_Y]) / fwd * focal)
        sy = int(hor - z / fwd * focal)
        if sx < 0 or sx >= W or sy < 0 or sy >= H:
            continue
        dd = depth[sx, sy]
        if dd < SKY_DEPTH:
            continue
        twinkle = 0.75 + 0.25 * math.sin(P[P_.TIME] * 3.0 + i * 1.7)
        a = vis * stars[i, 3] * twinkle * (1.0 - min(dd - SKY_DEPTH, 1.0)) * 255.0
        for c in range(3):
            img[sx, sy, c] = min(255, int(img[sx, sy, c] + a * (0.9 + 0.1 * c)))


@njit(cache=True, nogil=True, fastmath=True)
def draw_bodies(img, depth, P, bodies):
    """Discs of extra moons and planets where the sky shows (shaded towards the sun, dimmed by clouds)."""
    W, H = depth.shape
    focal, hor, cx = P[P_.FOCAL], P[P_.HORIZON], P[P_.CX]
    day = min(max(P[P_.SUN + 2] * 3.0 + 0.4, 0.0), 1.0)
    for i in range(bodies.shape[0]):
        x, y, z, rad = bodies[i, 0], bodies[i, 1], bodies[i, 2], bodies[i, 3]
        fwd = x * P[P_.FWD_X] + y * P[P_.FWD_Y]
        if fwd < 0.1:
            continue
        sx = cx + (x * P[P_.RIGHT_X] + y * P[P_.RIGHT_Y]) / fwd * focal
        sy = hor - z / fwd * focal
        rp = rad / fwd * focal
        # lit side: the sun's direction across the screen
        lx = P[P_.SUN] * P[P_.RIGHT_X] + P[P_.SUN + 1] * P[P_.RIGHT_Y]
        ly = P[P_.SUN + 2]
        ln = math.sqrt(lx * lx + ly * ly) + 1e-6
        for px in range(max(int(sx - rp), 0), min(int(sx + rp) + 1, W)):
            for py in range(max(int(sy - rp), 0), min(int(sy + rp) + 1, H)):
                dd = depth[px, py]
                if dd < SKY_DEPTH:
                    continue
                ox = (px + 0.5 - sx) / rp
                oy = (sy - py - 0.5) / rp
                q = ox * ox + oy * oy
                if q > 1.0:
                    continue
                limb = math.sqrt(1.0 - q)
                lit = 0.35 + 0.65 * max((ox * lx + oy * ly) / ln + 0.3, 0.0)
                band = 0.85 + 0.15 * math.sin(oy * 9.0 + ox * 2.0)
                a = (1.0 - min(dd - SKY_DEPTH, 1.0)) * (0.55 + 0.45 * (1.0 - day))
                for c in range(3):
                    v = bodies[i, 4 + c] * 255.0 * lit * band * (0.6 + 0.4 * limb)
                    img[px, py, c] = min(255, int(img[px, py, c] * (1.0 - a) + v * a))
