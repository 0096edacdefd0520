"""Particles: glowing lava bombs, smoke puffs and embers, drawn as depth-tested round splats.

Lava bombs and embers glow (additive, unaffected by night); smoke is a soft, lit, alpha-blended puff.
Particles read the depth buffer but do not write it: they are translucent.
"""
import math

from numba import njit

from oyster.render import slots as S
from oyster.render.lighting import fog_amount, horizon_color
from oyster.render.sprite_shapes import hash01
from oyster.world.kinds import PARTICLE_ID
from oyster.world.scene import CELL, DRAW_DISTANCE, MAP_MASK

P_BOMB, P_SMOKE, P_EMBER = PARTICLE_ID["lava_bomb"], PARTICLE_ID["smoke"], PARTICLE_ID["ember"]
BOMB_CORE = (2.2, 1.0, 0.3)        # emissive colour of a lava bomb's core (over 1 saturates to yellow-white)
BOMB_HALO = (1.0, 0.32, 0.04)      # additive glow around it
EMBER_COL = (1.2, 0.45, 0.08)
SMOKE_ALBEDO = (0.30, 0.29, 0.29)
HALO_SCALE = 2.6                   # halo radius / core radius
MIN_GLOW_PX = 1.8                  # glowing particles never shrink below this core radius: an eruption must
                                   # read from a few hundred metres away
SMOKE_UNDERGLOW = (1.0, 0.38, 0.10)  # lava light on smoke right above hot ground
UNDERGLOW_HEIGHT = 85.0            # metres above the ground where that light has faded out
MAX_RADIUS_PX = 400.0              # clamp huge splats right in front of the camera


@njit(cache=True, nogil=True, fastmath=True)
def _underglow(height, heat, x, y, z):
    """How much hot ground below lights a smoke puff: hottest of a few cells under it, fading with height."""
    ix = int(math.floor(x / CELL))
    iy = int(math.floor(y / CELL))
    hot = 0.0
    for oy in range(-8, 9, 8):
        for ox in range(-8, 9, 8):
            hot = max(hot, heat[(iy + oy) & MAP_MASK, (ix + ox) & MAP_MASK])
    if hot <= 0.0:
        return 0.0
    above = z - height[iy & MAP_MASK, ix & MAP_MASK]
    return hot * max(0.0, 1.0 - above / UNDERGLOW_HEIGHT)


@njit(cache=True, nogil=True, fastmath=True)
def draw_particles(img, depth, P, xyz, kinds, sizes, height, heat):
    W, H = depth.shape
    focal, hor, cx = P[S.FOCAL], P[S.HORIZON], P[S.CX]
    for i in range(xyz.shape[0]):
        rx = xyz[i, 0] - P[S.CAM_X]
        ry = xyz[i, 1] - P[S.CAM_Y]
        d = rx * P[S.FWD_X] + ry * P[S.FWD_Y]
        if d < 0.5 or d > DRAW_DISTANCE:
            continue
        k = kinds[i]
        ppm = focal / d
        rad = min(max(0.5 * sizes[i] * ppm, 0.7 if k == P_SMOKE else MIN_GLOW_PX), MAX_RADIUS_PX)   # pixels
        sx = cx + (rx * P[S.RIGHT_X] + ry * P[S.RIGHT_Y]) * ppm
        sy = hor - (xyz[i, 2] - P[S.CAM_Z]) * ppm
        reach = rad * (HALO_SCALE if k != P_SMOKE else 1.0)
        x0 = max(int(sx - reach), 0)
        x1 = min(int(sx + reach) + 1, W)
        y0 = max(int(sy - reach), 0)
        y1 = min(int(sy + reach) + 1, H)
        if x0 >= x1 or y0 >= y1:
            continue
        fr, fg, fb = horizon_color(P, rx, ry)
        fog = fog_amount(d, P[S.FOG_DENSITY] * math.sqrt(rx * rx + ry * ry) / d)
        glow = 1.0 - 0.7 * fog
        inv_r2 = 1.0 / (rad * rad)
        if k == P_SMOKE:
            lit = 0.6 + 0.4 * hash01(i, 3)
            cr = SMOKE_ALBEDO[0] * (P[S.AMBIENT] + 0.5 * P[S.SUN_COL]) * lit
            cg = SMOKE_ALBEDO[1] * (P[S.AMBIENT + 1] + 0.5 * P[S.SUN_COL + 1]) * lit
            cb = SMOKE_ALBEDO[2] * (P[S.AMBIENT + 2] + 0.5 * P[S.SUN_COL + 2]) * lit
            ug = _underglow(height, heat, xyz[i, 0], xyz[i, 1], xyz[i, 2])
            cr += SMOKE_UNDERGLOW[0] * ug
            cg += SMOKE_UNDERGLOW[1] * ug
            cb += SMOKE_UNDERGLOW[2] * ug
            cr += (fr - cr) * fog * (1.0 - 0.5 * ug)
            cg += (fg - cg) * fog * (1.0 - 0.5 * ug)
            cb += (fb - cb) * fog * (1.0 - 0.5 * ug)
        for px in range(x0, x1):
            ddx = px + 0.5 - sx
            for py in range(y0, y1):
                if depth[px, py] <= d:
                    continue
                ddy = py + 0.5 - sy
                q = (ddx * ddx + ddy * ddy) * inv_r2          # (distance / radius)^2
                if k == P_SMOKE:
                    if q >= 1.0:
                        continue
                    a = 0.6 * (1.0 - q)
                    img[px, py, 0] = min(255.0, img[px, py, 0] + (cr * 255.0 - img[px, py, 0]) * a)
                    img[px, py, 1] = min(255.0, img[px, py, 1] + (cg * 255.0 - img[px, py, 1]) * a)
                    img[px, py, 2] = min(255.0, img[px, py, 2] + (cb * 255.0 - img[px, py, 2]) * a)
                    continue
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
