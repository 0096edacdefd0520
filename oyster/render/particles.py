"""Particles: glowing lava bombs, smoke puffs and embers, drawn as depth-tested round splats.

Lava bombs and embers glow (additive, unaffected by night); smoke is a soft, lit, alpha-blended puff.
Particles read the depth buffer but do not write it: they are translucent.
"""
import math

from numba import njit

from oyster.render import param_slots as S
from oyster.render.lighting import fog_amount, horizon_color
from oyster.render.sprite_shapes import hash01
from oyster.world.kinds import PARTICLE_ID
from oyster.world.scene import CELL, DRAW_DISTANCE, MAP_MASK

P_BOMB, P_SMOKE, P_EMBER, P_ASH = (PARTICLE_ID["lava_bomb"], PARTICLE_ID["smoke"], PARTICLE_ID["ember"],
                                   PARTICLE_ID["ash"])
BOMB_CORE = (2.2, 1.0, 0.3)        # emissive colour of a lava bomb's core (over 1 saturates to yellow-white)
BOMB_HALO = (1.0, 0.32, 0.04)      # additive glow around it
EMBER_COL = (1.2, 0.45, 0.08)
SMOKE_ALBEDO = (0.52, 0.50, 0.49)     # steam and smoke off the lava flow: pale
ASH_ALBEDO = (0.16, 0.15, 0.15)       # the eruption column: dark ash
SMOKE_ALPHA, ASH_ALPHA = 0.45, 0.85   # peak opacity of a puff
HALO_SCALE = 2.6                   # halo radius / core radius
MIN_GLOW_PX = 1.8                  # glowing particles never shrink below this core radius: an eruption must
                                   # read from a few hundred metres away
SMOKE_UNDERGLOW = (1.0, 0.38, 0.10)  # lava light on smoke right above hot ground
UNDERGLOW_HEIGHT = 160.0           # metres above the ground where that light has faded out
PUFF_BLOCK_PX = 10.0               # puffs wider than this (radius, pixels) are shaded per 2x2 block
MAX_RADIUS_PX = 400.0              # clamp huge splats right in front of the camera


@njit(cache=True, nogil=True, fastmath=True)
def _underglow(height, heat, x, y, z):
    """How much hot ground below lights a smoke puff: hottest of a few cells under it, fading with height."""
    ix = int(math.floor(x / CELL))
    iy = int(math.floor(y / CELL))
    hot = 0.0
    for oy in range(-12, 13, 6):
        for ox in range(-12, 13, 6):
            hot = max(hot, heat[(iy + oy) & MAP_MASK, (ix + ox) & MAP_MASK])
    if hot <= 0.0:
        return 0.0
    above = z - height[iy & MAP_MASK, ix & MAP_MASK]
    return hot * max(0.0, 1.0 - above / UNDERGLOW_HEIGHT)


@njit(cache=True, nogil=True, fastmath=True)
def _puff_colour(P, kind, i, height, heat, x, y, z):
    """Lit colour of a smoke or ash puff (before fog) and how much lava light reaches it from below."""
    alb = ASH_ALBEDO if kind == P_ASH else SMOKE_ALBEDO
    lit = 0.75 + 0.35 * hash01(i, 3)
    ug = 0.0
    rx, ry = x - P[S.CAM_X], y - P[S.CAM_Y]
    if rx * rx + ry * ry < DRAW_DISTANCE * DRAW_DISTANCE:   # the ring map only holds ground that near
        ug = _underglow(height, heat, x, y, z) * (1.0 - 0.8 * min(max(P[S.SUN + 2] * 4.0, 0.0), 1.0))  # at night
    r = alb[0] * (P[S.AMBIENT] + 0.6 * P[S.SUN_COL]) * lit
    g = alb[1] * (P[S.AMBIENT + 1] + 0.6 * P[S.SUN_COL + 1]) * lit
    b = alb[2] * (P[S.AMBIENT + 2] + 0.6 * P[S.SUN_COL + 2]) * lit
    return r, g, b, ug


@njit(cache=True, nogil=True, fastmath=True)
def draw_particles(img, depth, P, xyz, kinds, sizes, height, heat):
    W, H = depth.shape
    focal, hor, cx = P[S.FOCAL], P[S.HORIZON], P[S.CX]
    sun_up = P[S.SUN_CAM + 1]
    for i in range(xyz.shape[0]):
        rx = xyz[i, 0] - P[S.CAM_X]
        ry = xyz[i, 1] - P[S.CAM_Y]
        d = rx * P[S.FWD_X] + ry * P[S.FWD_Y]
        if d < 0.5 or d > DRAW_DISTANCE * 1.3:
            continue
        k = kinds[i]
        puff = k == P_SMOKE or k == P_ASH
        ppm = focal / d
        rad = min(max(0.5 * sizes[i] * ppm, 0.7 if puff else MIN_GLOW_PX), MAX_RADIUS_PX)   # pixels
        sx = cx + (rx * P[S.RIGHT_X] + ry * P[S.RIGHT_Y]) * ppm
        sy = hor - (xyz[i, 2] - P[S.CAM_Z]) * ppm
        reach = rad * (HALO_SCALE if not puff else 1.0)
        x0 = max(int(sx - reach), 0)
        x1 = min(int(sx + reach) + 1, W)
        y0 = max(int(sy - reach), 0)
        y1 = min(int(sy + reach) + 1, H)
        if x0 >= x1 or y0 >= y1:
            continue
        fr, fg, fb = horizon_color(P, rx, ry)
        # tall things are seen through less fog than the ground below them (the fog is a low layer); glowing
        # things shine through most of it, or an eruption would vanish at a few hundred metres
        fog = fog_amount(min(d, DRAW_DISTANCE * 0.95), P[S.FOG_DENSITY] * math.sqrt(rx * rx + ry * ry) / d)
        glow = 1.0 - 0.35 * fog
        inv_r2 = 1.0 / (rad * rad)
        inv_r = 1.0 / rad
        if puff:
            cr, cg, cb, ug = _puff_colour(P, k, i, height, heat, xyz[i, 0], xyz[i, 1], xyz[i, 2])
            pf = fog * (0.75 if k == P_ASH else 1.0)
            peak = ASH_ALPHA if k == P_ASH else SMOKE_ALPHA
            # the puff is a sphere: sunlit on the top (sun above) and lit by lava from below (bottom half).
            # Big puffs are shaded once per BxB block (soft anyway); depth is still tested per pixel.
            B = 1 if rad < PUFF_BLOCK_PX else 2
            for bx in range(x0, x1, B):
                ddx = (bx + 0.5 * B - sx) * inv_r
                for by in range(y0, y1, B):
                    ddy = (by + 0.5 * B - sy) * inv_r              # +1 at the bottom of the puff
                    q = ddx * ddx + ddy * ddy
                    if q >= 1.0:
                        continue
                    shade = 0.8 - 0.35 * ddy * sun_up
                    low = 0.35 + 0.65 * max(ddy, 0.0)
                    r = cr * shade + SMOKE_UNDERGLOW[0] * ug * low
                    g = cg * shade + SMOKE_UNDERGLOW[1] * ug * low
                    b = cb * shade + SMOKE_UNDERGLOW[2] * ug * low
                    r = (r + (fr - r) * pf) * 255.0
                    g = (g + (fg - g) * pf) * 255.0
                    b = (b + (fb - b) * pf) * 255.0
                    a = peak * min(1.0, 2.2 * (1.0 - q))
                    for px in range(bx, min(bx + B, x1)):
                        for py in range(by, min(by + B, y1)):
                            if depth[px, py] <= d:
                                continue
                            img[px, py, 0] = min(255.0, img[px, py, 0] + (r - img[px, py, 0]) * a)
                            img[px, py, 1] = min(255.0, img[px, py, 1] + (g - img[px, py, 1]) * a)
                            img[px, py, 2] = min(255.0, img[px, py, 2] + (b - img[px, py, 2]) * a)
            continue
        for px in range(x0, x1):
            ddx = px + 0.5 - sx
            for py in range(y0, y1):
                if depth[px, py] <= d:
                    continue
                ddy = py + 0.5 - sy
                q = (ddx * ddx + ddy * ddy) * inv_r2          # (distance / radius)^2
                if k == P_BOMB and q < 1.0:
                    r, g, b = BOMB_CORE[0] * glow, BOMB_CORE[1] * glow, BOMB_CORE[2] * glow
                    img[px, py, 0] = min(255.0, r * 255.0)
                    img[px, py, 1] = min(255.0, g * 255.0)
                    img[px, py, 2] = min(255.0, b * 255.0)
                    continue
                h = 1.0 - math.sqrt(q) / HALO_SCALE
                if h <= 0.0:
                    continue
                h = h * h * glow * (0.9 if k == P_BOMB else 1.4)
                c0, c1, c2 = (BOMB_HALO if k == P_BOMB else EMBER_COL)
                img[px, py, 0] = min(255.0, img[px, py, 0] + c0 * h * 255.0)
                img[px, py, 1] = min(255.0, img[px, py, 1] + c1 * h * 255.0)
                img[px, py, 2] = min(255.0, img[px, py, 2] + c2 * h * 255.0)
