"""Terrain pass: a VoxelSpace-style column ray-caster over the ring map, plus the sky behind it.

The algorithm (after s-macke/VoxelSpace, front-to-back variant), for every screen column:
  1. Build the column's ray on the ground plane: forward + right * (column offset / focal). Its length per
     unit of *depth* is fixed, so marching the ray by depth d directly gives the projection scale focal / d.
  2. March d from NEAR_DEPTH to DRAW_DISTANCE with a step that grows with distance (level of detail:
     MIN_STEP near, d * LOD_STEP far). Near the camera heights and colours are bilinear so close terrain is
     not blocky; far away the nearest cell is enough.
  3. Project the sample: screen_y = horizon - (height - cam_z) * focal / d. Pitch only moves the horizon.
  4. Keep a y-buffer (the highest row drawn so far in this column). A sample that projects above it is
     visible: shade it (Lambert from the sun and moon with a height-gradient normal, water, lava glow, snow
     cover, distance fog) and fill the rows between its top and the y-buffer, blending colour from the
     previous sample so spans are smooth; write depth for sprites. Anything below the y-buffer is hidden.
  5. Stop when the y-buffer reaches the top of the screen, when not even the highest terrain could rise
     above it any more, or at the draw distance; the rows still open are sky (gradient, sun, moon, clouds).
Refinement (horizontal level of detail): beyond GROUP_DEPTH neighbouring columns sample the same cell
anyway, so a group of G columns marches one shared ray there (each column keeps its own y-buffer) and
shares its sky. Groups are independent, so the parallel variant runs them with prange.
"""
import math

import numpy as np
from numba import njit, prange

from oyster.render import param_slots as S
from oyster.render.lighting import fog_amount, horizon_color, surface_light
from oyster.render.sky import CLOUDS, CLOUDS_FAR, SKY_DEPTH, sky_pixel
from oyster.render.water import RIPPLES, water_color
from oyster.world.scene import CELL, DRAW_DISTANCE, MAP_MASK, MAT_LAVA, MAT_WATER, WATER_LEVEL

NEAR_DEPTH = 0.35          # metres; first sample in front of the eye
MIN_STEP = 0.25            # metres; march step near the camera
LOD_STEP = 0.04            # step = max(MIN_STEP, d * LOD_STEP): samples thin out with distance
BILINEAR_DEPTH = 40.0      # metres; bilinear height (and normals) inside this depth, nearest cell beyond
COLOR_BILINEAR_DEPTH = 40.0  # metres; bilinear albedo inside this depth
SMOOTH_NORMAL_DEPTH = 25.0   # metres; interpolated vertex normals inside this depth (cells > 15 px wide)
WIDE_SPAN_ROWS = 3.0       # a sample covering more rows than this is shaded smoothly however far it is
GROUP_DEPTH = 3.0          # metres; beyond it a column group shares one ray (columns < 0.1 m apart there)
GROUP_COLUMNS = 320        # one ray per column up to this frame width, then 2 per ray at 640, 4 at 1280
SKY_ROW_STEP = 6           # rows between exact sky evaluations (linear in between: the sky is smooth)
INV_255 = 1.0 / 255.0
COL_LO, COL_HI = 0.004, 0.996       # colour clamp before the fixed-point ramps
LAVA_GLOW = (2.2, 0.62, 0.10)       # emissive colour of heat = 1
SNOW_ALBEDO = (0.93, 0.95, 1.0)
SNOW_FLAT = 0.72           # normal z above which snow cover settles (fully by SNOW_FLAT + SNOW_SOFT)
SNOW_SOFT = 0.25
# per-column march state kept in a (W, N_STATE) scratch array between the near and the far loop
ST_YBUF, ST_PREV_Y, ST_R, ST_G, ST_B, ST_VIS = 0, 1, 2, 3, 4, 5   # ST_VIS: 0 hidden, 1 land, 2 water
N_STATE = 6


def group_size(width: int) -> int:
    """Columns per shared far-field ray for this frame width (1, 2, 4, ...)."""
    g = 1
    while width >= 2 * g * GROUP_COLUMNS:
        g *= 2
    return g


@njit(cache=True, nogil=True, fastmath=True, inline="always")
def _span(img, depth, sx, y0, y1, r, g, b, dr, dg, db, dval):
    """Fill rows [y0, y1) of column sx with a linear colour ramp (start colour, per-row delta; 0..1 units)
    in 8.8 fixed point: integer steps instead of a float->uint8 conversion per channel and pixel."""
    ri = int(r * 65280.0)
    gi = int(g * 65280.0)
    bi = int(b * 65280.0)
    dri = int(dr * 65280.0)
    dgi = int(dg * 65280.0)
    dbi = int(db * 65280.0)
    for y in range(y0, y1):
        img[sx, y, 0] = ri >> 8
        img[sx, y, 1] = gi >> 8
        img[sx, y, 2] = bi >> 8
        depth[sx, y] = dval
        ri += dri
        gi += dgi
        bi += dbi


@njit(cache=True, nogil=True, fastmath=True, inline="always")
def _clamp_col(r, g, b):
    """Clamp to [COL_LO, COL_HI]: the fixed-point ramps may drift a fraction of a level, never wrap."""
    return (min(max(r, COL_LO), COL_HI), min(max(g, COL_LO), COL_HI), min(max(b, COL_LO), COL_HI))


@njit(cache=True, nogil=True, fastmath=True, inline="always")
def _height(height, wx, wy, near):
    """Terrain height at world (wx, wy): bilinear when near, else the nearest cell."""
    fx = wx * (1.0 / CELL)
    fy = wy * (1.0 / CELL)
    ix = int(math.floor(fx))
    iy = int(math.floor(fy))
    if not near:
        return height[iy & MAP_MASK, ix & MAP_MASK]
    tx = fx - ix
    ty = fy - iy
    x0, x1, y0, y1 = ix & MAP_MASK, (ix + 1) & MAP_MASK, iy & MAP_MASK, (iy + 1) & MAP_MASK
    ha = height[y0, x0] + (height[y0, x1] - height[y0, x0]) * tx
    hb = height[y1, x0] + (height[y1, x1] - height[y1, x0]) * tx
    return ha + (hb - ha) * ty


@njit(cache=True, nogil=True, fastmath=True, inline="always")
def _shade(P, height, color, material, heat, wx, wy, d, step, h, dx, dy, hr, hg, hb, fog_k, wide):
    """Final colour (0..1, fog included) of the terrain or water sample at world (wx, wy), depth d.
    `wide`: the sample covers many rows (a steep face): interpolate colour and normal as if it were near,
    or the face shows one vertical stripe per column."""
    fx = wx * (1.0 / CELL)
    fy = wy * (1.0 / CELL)
    ix = int(math.floor(fx))
    iy = int(math.floor(fy))
    x0, x1, y0, y1 = ix & MAP_MASK, (ix + 1) & MAP_MASK, iy & MAP_MASK, (iy + 1) & MAP_MASK
    tx = fx - ix
    ty = fy - iy
    if d < COLOR_BILINEAR_DEPTH or wide:
        w00, w10, w01, w11 = (1 - tx) * (1 - ty), tx * (1 - ty), (1 - tx) * ty, tx * ty
        ar = (color[y0, x0, 0] * w00 + color[y0, x1, 0] * w10 + color[y1, x0, 0] * w01 + color[y1, x1, 0] * w11)
        ag = (color[y0, x0, 1] * w00 + color[y0, x1, 1] * w10 + color[y1, x0, 1] * w01 + color[y1, x1, 1] * w11)
        ab = (color[y0, x0, 2] * w00 + color[y0, x1, 2] * w10 + color[y1, x0, 2] * w01 + color[y1, x1, 2] * w11)
        ar, ag, ab = ar * INV_255, ag * INV_255, ab * INV_255
    else:
        ar, ag, ab = color[y0, x0, 0] * INV_255, color[y0, x0, 1] * INV_255, color[y0, x0, 2] * INV_255
    mat = material[y0, x0]
    water = mat == MAT_WATER or h < WATER_LEVEL
    if water:
        lr, lg, lb = surface_light(P, 0.0, 0.0, 1.0)
        cr, cg, cb = water_color(P, RIPPLES, wx, wy, d, dx, dy, h, ar, ag, ab, hr, hg, hb, lr, lg, lb)
    else:
        if d < SMOOTH_NORMAL_DEPTH or wide:
            # per-vertex central differences, bilinearly interpolated: the normal is continuous across cell
            # edges, so close ground and steep faces shade smoothly instead of showing one facet per cell
            xm, x2 = (ix - 1) & MAP_MASK, (ix + 2) & MAP_MASK
            ym, y2 = (iy - 1) & MAP_MASK, (iy + 2) & MAP_MASK
            a0 = height[y0, x1] - height[y0, xm]         # 2 x gradient at the corners, row y0 then row y1
            b0 = height[y0, x2] - height[y0, x0]
            a1 = height[y1, x1] - height[y1, xm]
            b1 = height[y1, x2] - height[y1, x0]
            ax0 = a0 + (b0 - a0) * tx
            ax1 = a1 + (b1 - a1) * tx
            gx = (ax0 + (ax1 - ax0) * ty) * (0.5 / CELL)
            c0 = height[y1, x0] - height[ym, x0]         # 2 y gradient at the corners, column x0 then x1
            e0 = height[y2, x0] - height[y0, x0]
            c1 = height[y1, x1] - height[ym, x1]
            e1 = height[y2, x1] - height[y0, x1]
            ay0 = c0 + (e0 - c0) * ty
            ay1 = c1 + (e1 - c1) * ty
            gy = (ay0 + (ay1 - ay0) * tx) * (0.5 / CELL)
        elif d < BILINEAR_DEPTH:   # exact gradient of the bilinear patch
            h00, h10, h01, h11 = height[y0, x0], height[y0, x1], height[y1, x0], height[y1, x1]
            gx = ((h10 - h00) * (1 - ty) + (h11 - h01) * ty) * (1.0 / CELL)
            gy = ((h01 - h00) * (1 - tx) + (h11 - h10) * tx) * (1.0 / CELL)
        else:                    # forward difference over about one step: stable shading far away
            s = max(1, int(step * (1.0 / CELL)))
            gx = (height[y0, (ix + s) & MAP_MASK] - h) / (s * CELL)
            gy = (height[(iy + s) & MAP_MASK, x0] - h) / (s * CELL)
        inv_n = 1.0 / math.sqrt(gx * gx + gy * gy + 1.0)
        nz = inv_n
        snow = P[S.SNOW_COVER]
        if snow > 0.0 and mat != MAT_LAVA:   # snow settles on flat-ish ground only
            k = snow * min(max((nz - SNOW_FLAT) * (1.0 / SNOW_SOFT), 0.0), 1.0)
            ar += (SNOW_ALBEDO[0] - ar) * k
            ag += (SNOW_ALBEDO[1] - ag) * k
            ab += (SNOW_ALBEDO[2] - ab) * k
        lr, lg, lb = surface_light(P, -gx * inv_n, -gy * inv_n, nz)
        cr, cg, cb = ar * lr, ag * lg, ab * lb
    # distance fog, forced to 1 at the draw distance (measured along the ground, like the march's end) so
    # terrain never pops at the edge
    rl = math.sqrt(dx * dx + dy * dy)
    fog = fog_amount(d * rl, fog_k / rl)
    cr += (hr - cr) * fog
    cg += (hg - cg) * fog
    cb += (hb - cb) * fog
    heat_v = heat[y0, x0]
    if heat_v > 0.0:   # lava glows through darkness and (partly) through fog
        t = P[S.TIME]
        fl = heat_v * (0.8 + 0.2 * math.sin(t * 3.1 + wx * 0.7) * math.sin(wy * 0.9 - t * 2.3)) * (1.0 - 0.3 * fog)
        cr += LAVA_GLOW[0] * fl
        cg += LAVA_GLOW[1] * fl
        cb += LAVA_GLOW[2] * fl
    cr, cg, cb = _clamp_col(cr, cg, cb)
    return cr, cg, cb, 2.0 if water else 1.0


@njit(cache=True, nogil=True, fastmath=True, inline="always")
def _draw_sample(img, depth, st, sx, sy, d, cr, cg, cb, kind):
    """Fill column sx from row sy down to its y-buffer, ramping from this sample's colour to the previous
    visible sample's (so a sample covering many rows is not a flat band), and update the column state.
    kind: 1 land, 2 water; no ramp across a shoreline, or the shore hangs strands into the lake."""
    ybuf = int(st[sx, ST_YBUF])
    prev_y = st[sx, ST_PREV_Y]
    if st[sx, ST_VIS] != kind:          # previous sample hidden or other side of a shore: crisp edge
        pr, pg, pb = cr, cg, cb
        prev_y = sy + 1.0
    else:
        pr, pg, pb = st[sx, ST_R], st[sx, ST_G], st[sx, ST_B]
    top = max(int(sy), 0)
    span = prev_y - sy
    inv_span = 1.0 / span if span > 1e-3 else 0.0
    a = min((prev_y - top) * inv_span, 1.0)       # ramp position at row `top` (1 = this sample)
    _span(img, depth, sx, top, ybuf, pr + (cr - pr) * a, pg + (cg - pg) * a, pb + (cb - pb) * a,
          (pr - cr) * inv_span, (pg - cg) * inv_span, (pb - cb) * inv_span, d)
    st[sx, ST_YBUF] = top
    st[sx, ST_PREV_Y] = sy
    st[sx, ST_R], st[sx, ST_G], st[sx, ST_B] = cr, cg, cb
    st[sx, ST_VIS] = kind


@njit(cache=True, nogil=True, fastmath=True)
def _march(img, depth, st, c0, n, d0, d1, height, color, material, heat, P):
    """March the shared ray of columns [c0, c0 + n) from depth d0 until d1 (n = 1: a single column's own
    ray). Returns the depth reached, or DRAW_DISTANCE when every column is finished."""
    focal, hor = P[S.FOCAL], P[S.HORIZON]
    cam_x, cam_y, cam_z = P[S.CAM_X], P[S.CAM_Y], P[S.CAM_Z]
    u = (c0 + 0.5 * n - P[S.CX]) / focal
    dx = P[S.FWD_X] + P[S.RIGHT_X] * u          # ground-plane ray per metre of depth
    dy = P[S.FWD_Y] + P[S.RIGHT_Y] * u
    hr, hg, hb = horizon_color(P, dx, dy)      # the fog colour: fog meets the sky seamlessly
    fog_k = P[S.FOG_DENSITY] * math.sqrt(dx * dx + dy * dy)   # fog per metre of depth along this ray
    hmax = max(P[S.MAX_HEIGHT], WATER_LEVEL)
    # the highest terrain projects highest at the far end if it is above the eye, else at the near end
    stop_d = 0.0 if hmax > cam_z else DRAW_DISTANCE
    ymax = 0                                   # the lowest y-buffer in the group: what could still show
    for j in range(n):
        ymax = max(ymax, int(st[c0 + j, ST_YBUF]))
    shown = True
    # the march ends at DRAW_DISTANCE along the ground, not in depth: a corner ray would otherwise reach ~30%
    # further, beyond the chunks the ring map is guaranteed to hold
    d1 = min(d1, DRAW_DISTANCE / math.sqrt(dx * dx + dy * dy))
    d = d0
    while d < d1:
        scale = focal / d                      # pixels per metre of height at this depth
        # early out: nothing further can rise above any y-buffer (the bound is monotonic in d)
        if ymax <= hor - (hmax - cam_z) * (scale if stop_d == 0.0 else focal / DRAW_DISTANCE):
            return DRAW_DISTANCE
        step = max(MIN_STEP, d * LOD_STEP)
        wx = cam_x + dx * d
        wy = cam_y + dy * d
        h = _height(height, wx, wy, d < BILINEAR_DEPTH)
        sy = hor - (max(h, WATER_LEVEL) - cam_z) * scale   # lakes fill every cell below WATER_LEVEL
        if sy < ymax:
            cr, cg, cb, kind = _shade(P, height, color, material, heat, wx, wy, d, step, h, dx, dy, hr, hg, hb,
                                      fog_k, ymax - sy > WIDE_SPAN_ROWS)
            ymax = 0
            for j in range(n):
                sx = c0 + j
                if sy < st[sx, ST_YBUF]:
                    _draw_sample(img, depth, st, sx, sy, d, cr, cg, cb, kind)
                else:
                    st[sx, ST_VIS] = 0.0
                ymax = max(ymax, int(st[sx, ST_YBUF]))
            shown = True
        elif shown:                             # first hidden sample after visible ones: break the ramps
            for j in range(n):
                st[c0 + j, ST_VIS] = 0.0
            shown = False
        d += step
    return d


@njit(cache=True, nogil=True, fastmath=True)
def _sky(img, depth, st, c0, n, P, clouds, clouds_far):
    """Sky for the rows left open above each column's y-buffer; one sky ray per column group."""
    focal, hor = P[S.FOCAL], P[S.HORIZON]
    u = (c0 + 0.5 * n - P[S.CX]) / focal
    dx = P[S.FWD_X] + P[S.RIGHT_X] * u
    dy = P[S.FWD_Y] + P[S.RIGHT_Y] * u
    hr, hg, hb = horizon_color(P, dx, dy)
    ymax = 0
    for j in range(n):
        ymax = max(ymax, int(st[c0 + j, ST_YBUF]))
    if ymax <= 0:
        return
    r0, g0, b0, a0 = sky_pixel(P, clouds, clouds_far, dx, dy, (hor - 0.5) / focal, hr, hg, hb)
    r0, g0, b0 = _clamp_col(r0, g0, b0)
    y = 0
    while y < ymax:
        y1 = min(y + SKY_ROW_STEP, ymax)
        r1, g1, b1, a1 = sky_pixel(P, clouds, clouds_far, dx, dy, (hor - y1 - 0.5) / focal, hr, hg, hb)
        r1, g1, b1 = _clamp_col(r1, g1, b1)
        inv = 1.0 / (y1 - y)
        for j in range(n):
            sx = c0 + j
            # depth carries the cloud alpha for the star pass; one value per row step is plenty
            _span(img, depth, sx, y, min(y1, int(st[sx, ST_YBUF])), r0, g0, b0,
                  (r1 - r0) * inv, (g1 - g0) * inv, (b1 - b0) * inv, SKY_DEPTH + a0)
        r0, g0, b0, a0 = r1, g1, b1, a1
        y = y1


@njit(cache=True, nogil=True, fastmath=True)
def _group(g, G, img, depth, st, height, color, material, heat, P, clouds, clouds_far):
    """Columns [g*G, g*G + G): each marches its own ray to GROUP_DEPTH, then one shared ray to the end."""
    W, H = depth.shape
    c0 = g * G
    n = min(G, W - c0)
    d_near = GROUP_DEPTH if n > 1 else DRAW_DISTANCE
    for j in range(n):
        sx = c0 + j
        st[sx, ST_YBUF] = H                 # rows >= ybuf are drawn
        st[sx, ST_PREV_Y] = 1e9
        st[sx, ST_VIS] = 0.0
        _march(img, depth, st, sx, 1, NEAR_DEPTH, d_near, height, color, material, heat, P)
    if n > 1:
        # the shared ray continues the same depth sequence from its first step past GROUP_DEPTH. A column
        # that stopped early stopped because nothing further can rise above its y-buffer, and that bound
        # depends on depth only, so the shared ray cannot draw into it either.
        d = NEAR_DEPTH
        while d < GROUP_DEPTH:
            d += max(MIN_STEP, d * LOD_STEP)
        _march(img, depth, st, c0, n, d, DRAW_DISTANCE, height, color, material, heat, P)
    _sky(img, depth, st, c0, n, P, clouds, clouds_far)


@njit(cache=True, nogil=True, fastmath=True)
def terrain_serial(img, depth, height, color, material, heat, P, clouds, clouds_far, G):
    """Terrain + sky for every column group on the calling thread."""
    st = np.empty((depth.shape[0], N_STATE))
    for g in range((depth.shape[0] + G - 1) // G):
        _group(g, G, img, depth, st, height, color, material, heat, P, clouds, clouds_far)


@njit(cache=True, nogil=True, fastmath=True, parallel=True)
def terrain_parallel(img, depth, height, color, material, heat, P, clouds, clouds_far, G):
    """Terrain + sky with column groups spread over numba's threads (the caller sets numba.set_num_threads)."""
    st = np.empty((depth.shape[0], N_STATE))
    for g in prange((depth.shape[0] + G - 1) // G):
        _group(g, G, img, depth, st, height, color, material, heat, P, clouds, clouds_far)


def terrain_pass(img: np.ndarray, depth: np.ndarray, ring, P: np.ndarray, parallel: bool) -> None:
    """Draw terrain and sky into the column-major image `img` (W, H, 3 uint8) and `depth` (W, H) in metres
    (sky = SKY_DEPTH + cloud alpha). Column-major because every pass walks screen columns: the rows of a
    column are then adjacent in memory."""
    fn = terrain_parallel if parallel else terrain_serial
    fn(img, depth, ring.height, ring.color, ring.material, ring.heat, P, CLOUDS, CLOUDS_FAR,
       group_size(img.shape[0]))
