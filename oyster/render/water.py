"""Water surface shading: animated ripples, Schlick fresnel between the water body and the reflected sky,
depth tint (shallow water shows its floor), and a sun glint.
"""
import math

import numpy as np
from numba import njit

from oyster.render import param_slots as S
from oyster.render.lighting import exp_neg
from oyster.render.sky import pow_2n, sky_gradient
from oyster.world.scene import WATER_LEVEL

WATER_DEEP = (0.02, 0.10, 0.16)     # albedo of deep water
WATER_SHALLOW = (0.10, 0.30, 0.30)  # albedo of shallow water over sand
WATER_CLARITY = 0.45       # 1/metres; how fast the floor disappears with water depth
RIPPLE_AMP = 0.07          # slope amplitude of the animated ripple normal
RIPPLE_SIZE = 64           # texels per side of the tiling ripple-normal table
RIPPLE_MASK = RIPPLE_SIZE - 1


def _ripple_table(n: int = RIPPLE_SIZE, seed: int = 7) -> np.ndarray:
    """(n, n, 2) tiling slopes: a few random plane waves summed, like a tiny FFT ocean."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:n, 0:n] * (2 * np.pi / n)
    gx = np.zeros((n, n))
    gy = np.zeros((n, n))
    for _ in range(6):
        kx, ky = rng.integers(-4, 5, 2)
        ph = rng.uniform(0, 2 * np.pi)
        c = np.cos(kx * xx + ky * yy + ph) / max(1.0, np.hypot(kx, ky))
        gx += kx * c
        gy += ky * c
    m = max(np.abs(gx).max(), np.abs(gy).max())
    return np.stack([gx / m, gy / m], -1).astype(np.float32)


RIPPLES = _ripple_table()


@njit(cache=True, nogil=True, fastmath=True)
def water_color(P, ripples, wx, wy, d, dx, dy, floor_h, ar, ag, ab, hr, hg, hb, lr, lg, lb):
    """Water surface colour: body colour by depth, fresnel mix with the reflected sky, ripples, sun glint."""
    t = P[S.TIME]
    amp = RIPPLE_AMP * (1.0 + 1.5 * (P[S.RAIN] + P[S.STORM])) / (1.0 + d * 0.015)  # calmer far away: no aliasing
    # two layers of the ripple table drifting in different directions (a table: sin() per sample is too slow)
    ia = int(wx * 2.0 + t * 3.1 + 4096.0) & RIPPLE_MASK
    ja = int(wy * 2.0 + t * 1.7 + 4096.0) & RIPPLE_MASK
    ib = int((wx - wy) * 3.3 - t * 4.3 + 8192.0) & RIPPLE_MASK
    jb = int((wx + wy) * 3.1 + t * 2.9 + 8192.0) & RIPPLE_MASK
    nx = amp * (ripples[ja, ia, 0] + 0.6 * ripples[jb, ib, 1])
    ny = amp * (ripples[ja, ia, 1] + 0.6 * ripples[jb, ib, 0])
    inv_n = 1.0 / math.sqrt(nx * nx + ny * ny + 1.0)
    nx *= inv_n
    ny *= inv_n
    nz = inv_n
    vz = (WATER_LEVEL - P[S.CAM_Z]) / d          # view ray (dx, dy, vz) towards the surface
    inv = 1.0 / math.sqrt(dx * dx + dy * dy + vz * vz)
    vx, vy, vz = dx * inv, dy * inv, vz * inv
    cos_i = -(vx * nx + vy * ny + vz * nz)
    cos_i = min(max(cos_i, 0.0), 1.0)
    f = 1.0 - cos_i
    fres = 0.03 + 0.97 * f * f * f * f * f        # Schlick's fresnel: grazing water is a mirror
    rx = vx + 2.0 * cos_i * nx
    ry = vy + 2.0 * cos_i * ny
    rz = vz + 2.0 * cos_i * nz
    sr, sg, sb = sky_gradient(P, rz, hr, hg, hb)
    depth_w = max(WATER_LEVEL - floor_h, 0.0)
    k = exp_neg(depth_w * WATER_CLARITY)        # shallow: the floor shows through
    if P[S.WATER_ON] > 0.0:   # a recipe's water colour: deep as given, shallow a lighter shade of it
        dr, dg, db = P[S.WATER_DEEP], P[S.WATER_DEEP + 1], P[S.WATER_DEEP + 2]
        br = (dr + ((dr * 1.5 + 0.05) * 0.5 + ar * 0.5 - dr) * k) * lr
        bg = (dg + ((dg * 1.5 + 0.05) * 0.5 + ag * 0.5 - dg) * k) * lg
        bb = (db + ((db * 1.5 + 0.05) * 0.5 + ab * 0.5 - db) * k) * lb
    else:
        br = (WATER_DEEP[0] + (WATER_SHALLOW[0] * 0.5 + ar * 0.5 - WATER_DEEP[0]) * k) * lr
        bg = (WATER_DEEP[1] + (WATER_SHALLOW[1] * 0.5 + ag * 0.5 - WATER_DEEP[1]) * k) * lg
        bb = (WATER_DEEP[2] + (WATER_SHALLOW[2] * 0.5 + ab * 0.5 - WATER_DEEP[2]) * k) * lb
    spec = rx * P[S.SUN] + ry * P[S.SUN + 1] + rz * P[S.SUN + 2]
    spec = pow_2n(spec, 8) * 3.0 * P[S.SUN_DISC] if spec > 0.95 else 0.0   # no denormals
    return (br + (sr - br) * fres + spec * P[S.SUN_COL],
            bg + (sg - bg) * fres + spec * P[S.SUN_COL + 1],
            bb + (sb - bb) * fres + spec * P[S.SUN_COL + 2])
