"""Shared shading helpers: surface lighting, the horizon (= fog) colour of a view direction, distance fog.

Terrain, sprites and particles all use these, so a billboard fogs and lights exactly like the ground under it.
"""
import math

from numba import njit

from oyster.render import param_slots as S
from oyster.world.scene import DRAW_DISTANCE

FOG_FADE_START = 0.72      # fraction of DRAW_DISTANCE where everything starts fading fully into the horizon


@njit(cache=True, nogil=True, fastmath=True)
def exp_neg(x):
    """exp(-x) for x >= 0 as a cubic rational: plenty for fog and water depth, ~5x cheaper than libm exp."""
    return 1.0 / (1.0 + x * (1.0 + x * (0.5 + x * (1.0 / 6.0))))


@njit(cache=True, nogil=True, fastmath=True)
def surface_light(P, nx, ny, nz):
    """Light arriving on a surface with unit normal n: hemispheric sky ambient + sun + moon (Lambert)."""
    amb = 0.55 + 0.45 * nz
    ls = max(nx * P[S.SUN] + ny * P[S.SUN + 1] + nz * P[S.SUN + 2], 0.0)
    lm = max(nx * P[S.MOON] + ny * P[S.MOON + 1] + nz * P[S.MOON + 2], 0.0)
    return (P[S.AMBIENT] * amb + P[S.SUN_COL] * ls + P[S.MOON_COL] * lm,
            P[S.AMBIENT + 1] * amb + P[S.SUN_COL + 1] * ls + P[S.MOON_COL + 1] * lm,
            P[S.AMBIENT + 2] * amb + P[S.SUN_COL + 2] * ls + P[S.MOON_COL + 2] * lm)


@njit(cache=True, nogil=True, fastmath=True)
def horizon_color(P, dx, dy):
    """Sky colour at the horizon in ground direction (dx, dy): warmer towards a low sun."""
    inv_h = 1.0 / math.sqrt(dx * dx + dy * dy + 1e-12)
    sh = math.sqrt(P[S.SUN] * P[S.SUN] + P[S.SUN + 1] * P[S.SUN + 1]) + 1e-6
    toward = max((dx * P[S.SUN] + dy * P[S.SUN + 1]) * inv_h / sh, 0.0)
    toward = toward * toward * toward
    return (P[S.HORIZON_COL] + P[S.GLOW_COL] * toward,
            P[S.HORIZON_COL + 1] + P[S.GLOW_COL + 1] * toward,
            P[S.HORIZON_COL + 2] + P[S.GLOW_COL + 2] * toward)


@njit(cache=True, nogil=True, fastmath=True)
def fog_amount(d, fog_k):
    """Fog fraction at depth d (metres) for fog_k per metre; forced to 1 at the draw distance (no popping)."""
    fog = 1.0 - exp_neg(d * fog_k)
    fade0 = DRAW_DISTANCE * FOG_FADE_START
    if d > fade0:
        fog = max(fog, min((d - fade0) / (DRAW_DISTANCE - fade0), 1.0))
    return fog
