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
  5. Stop when the y-buffer reaches the top of the screen or the draw distance; the rows still open
     above the y-buffer are sky (gradient, sun, moon, clouds).
Columns are independent, so the parallel variant runs them with prange.
"""
import math

import numpy as np
from numba import njit, prange

from oyster.render import slots as S
from oyster.render.lighting import exp_neg, fog_amount, horizon_color, surface_light
from oyster.render.sky import CLOUDS, CLOUDS_FAR, SKY_DEPTH, pow_2n, sky_gradient, sky_pixel
from oyster.world.scene import CELL, DRAW_DISTANCE, MAP_MASK, MAT_LAVA, MAT_WATER, WATER_LEVEL

NEAR_DEPTH = 0.35          # metres; first sample in front of the eye
MIN_STEP = 0.15            # metres; march step near the camera
LOD_STEP = 0.025           # step = max(MIN_STEP, d * LOD_STEP): samples thin out with distance
BILINEAR_DEPTH = 40.0      # metres; bilinear height (and normals) inside this depth, nearest cell beyond
COLOR_BILINEAR_DEPTH = 18.0  # metres; bilinear albedo inside this depth
INV_255 = 1.0 / 255.0
COL_LO, COL_HI = 0.004, 0.996  # colour clamp before fixed-point ramps
WATER_DEEP = (0.02, 0.10, 0.16)     # albedo of deep water
WATER_SHALLOW = (0.10, 0.30, 0.30)  # albedo of shallow water over sand
WATER_CLARITY = 0.45       # 1/metres; how fast the floor disappears with water depth
RIPPLE_AMP = 0.07          # slope amplitude of the animated ripple normal
LAVA_GLOW = (1.9, 0.55, 0.08)       # emissive colour of heat = 1
SNOW_ALBEDO = (0.93, 0.95, 1.0)
SKY_ROW_STEP = 4           # rows between exact sky evaluations
SNOW_FLAT = 0.78           # normal z above which snow cover settles (fully by SNOW_FLAT + 0.15)
RIPPLE_SIZE = 64           # texels per side of the tiling ripple-normal table
RIPPLE_MASK = RIPPLE_SIZE - 1


def _ripple_table(n: int = RIPPLE_SIZE, seed: int = 7) -> np.ndarray:
    """(n, n, 2) tiling slopes: a few random plane waves summed, like a tiny FFT ocean."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:n, 0:n] * (2 * np.pi / n)
    gx = np.zeros((n, n)); gy = np.zeros((n, n))
    for _ in range(6):
        kx, ky = rng.integers(-4, 5, 2)
        ph = rng.uniform(0, 2 * np.pi)
        c = np.cos(kx * xx + ky * yy + ph) / max(1.0, np.hypot(kx, ky))
        gx += kx * c; gy += ky * c
    m = max(np.abs(gx).max(), np.abs(gy).max())
    return np.stack([gx / m, gy / m], -1).astype(np.float32)


RIPPLES = _ripple_table()


@njit(cache=True, nogil=True, fastmath=True)
def _water(P, ripples, wx, wy, d, dx, dy, floor_h, ar, ag, ab, hr, hg, hb, lr, lg, lb):
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
    br = (WATER_DEEP[0] + (WATER_SHALLOW[0] * 0.5 + ar * 0.5 - WATER_DEEP[0]) * k) * lr
    bg = (WATER_DEEP[1] + (WATER_SHALLOW[1] * 0.5 + ag * 0.5 - WATER_DEEP[1]) * k) * lg
    bb = (WATER_DEEP[2] + (WATER_SHALLOW[2] * 0.5 + ab * 0.5 - WATER_DEEP[2]) * k) * lb
    spec = rx * P[S.SUN] + ry * P[S.SUN + 1] + rz * P[S.SUN + 2]
    spec = pow_2n(spec, 8) * 3.0 * P[S.SUN_DISC] if spec > 0.95 else 0.0   # no denormals
    return (br + (sr - br) * fres + spec * P[S.SUN_COL],
            bg + (sg - bg) * fres + spec * P[S.SUN_COL + 1],
            bb + (sb - bb) * fres + spec * P[S.SUN_COL + 2])


@njit(cache=True, nogil=True, fastmath=True)
def _span(img, depth, sx, y0, y1, r, g, b, dr, dg, db, dval):
    """Fill rows [y0, y1) of column sx with a linear colour ramp (start colour, per-row delta; 0..1 units)
    in 8.8 fixed point: float->uint8 conversion per pixel was a third of the terrain pass."""
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


@njit(cache=True, nogil=True, fastmath=True)
def _clamp_col(r, g, b):
    """Clamp to [COL_LO, COL_HI]: the fixed-point ramps may drift a fraction of a level, never wrap."""
    return (min(max(r, COL_LO), COL_HI), min(max(g, COL_LO), COL_HI), min(max(b, COL_LO), COL_HI))


@njit(cache=True, nogil=True, fastmath=True)
def _column(sx, img, depth, height, color, material, heat, P, clouds, clouds_far, ripples):
    """Ray-cast one screen column front to back, then fill the remaining rows with sky."""
    H = img.shape[1]
    focal = P[S.FOCAL]
    hor = P[S.HORIZON]
    cam_x, cam_y, cam_z = P[S.CAM_X], P[S.CAM_Y], P[S.CAM_Z]
    u = (sx + 0.5 - P[S.CX]) / focal
    dx = P[S.FWD_X] + P[S.RIGHT_X] * u          # ground-plane ray per metre of depth
    dy = P[S.FWD_Y] + P[S.RIGHT_Y] * u
    # this column's horizon colour (also the fog colour, so fog meets the sky seamlessly)
    hr, hg, hb = horizon_color(P, dx, dy)
    fog_k = P[S.FOG_DENSITY] * math.sqrt(dx * dx + dy * dy)   # fog per metre of depth along this ray
    snow = P[S.SNOW_COVER]
    wlr, wlg, wlb = surface_light(P, 0.0, 0.0, 1.0)          # light on the flat water surface
    t = P[S.TIME]

    hmax = max(P[S.MAX_HEIGHT], WATER_LEVEL)
    # the highest terrain projects highest at the far end if it is above the eye, else at the near end
    stop_d = 0.0 if hmax > cam_z else DRAW_DISTANCE
    ybuf = H                    # rows >= ybuf are drawn
    prev_y = 1e9                # projected row of the previous visible sample
    pr = pg = pb = 0.0
    prev_vis = False
    d = NEAR_DEPTH
    while d < DRAW_DISTANCE:
        step = max(MIN_STEP, d * LOD_STEP)
        wx = cam_x + dx * d
        wy = cam_y + dy * d
        fx = wx * (1.0 / CELL)
        fy = wy * (1.0 / CELL)
        ix = int(math.floor(fx))
        iy = int(math.floor(fy))
        x0 = ix & MAP_MASK
        y0 = iy & MAP_MASK
        near = d < BILINEAR_DEPTH
        if near:
            x1 = (ix + 1) & MAP_MASK
            y1 = (iy + 1) & MAP_MASK
            tx = fx - ix
            ty = fy - iy
            h00 = height[y0, x0]
            h10 = height[y0, x1]
            h01 = height[y1, x0]
            h11 = height[y1, x1]
            ha = h00 + (h10 - h00) * tx
            hb_ = h01 + (h11 - h01) * tx
            h = ha + (hb_ - ha) * ty
        else:
            h = height[y0, x0]
        hs = max(h, WATER_LEVEL)      # lakes and sea fill every cell below WATER_LEVEL
        sy = hor - (hs - cam_z) * focal / d
        if sy < ybuf:
            mat = material[y0, x0]
            water = mat == MAT_WATER or h < WATER_LEVEL
            # ---- shade the visible sample ----
            if near and d < COLOR_BILINEAR_DEPTH:
                ar = ag = ab = 0.0
                w00 = (1 - tx) * (1 - ty)
                w10 = tx * (1 - ty)
                w01 = (1 - tx) * ty
                w11 = tx * ty
                ar = (color[y0, x0, 0] * w00 + color[y0, x1, 0] * w10 + color[y1, x0, 0] * w01 + color[y1, x1, 0] * w11)
                ag = (color[y0, x0, 1] * w00 + color[y0, x1, 1] * w10 + color[y1, x0, 1] * w01 + color[y1, x1, 1] * w11)
                ab = (color[y0, x0, 2] * w00 + color[y0, x1, 2] * w10 + color[y1, x0, 2] * w01 + color[y1, x1, 2] * w11)
                ar *= INV_255
                ag *= INV_255
                ab *= INV_255
            else:
                ar = color[y0, x0, 0] * INV_255
                ag = color[y0, x0, 1] * INV_255
                ab = color[y0, x0, 2] * INV_255
            if water:
                cr, cg, cb = _water(P, ripples, wx, wy, d, dx, dy, h, ar, ag, ab, hr, hg, hb, wlr, wlg, wlb)
            else:
                if near:   # exact gradient of the bilinear patch: smooth shading close up
                    gx = ((h10 - h00) * (1 - ty) + (h11 - h01) * ty) * (1.0 / CELL)
                    gy = ((h01 - h00) * (1 - tx) + (h11 - h10) * tx) * (1.0 / CELL)
                else:      # central difference over about one step: stable shading far away
                    s = max(1, int(step * (1.0 / CELL)))
                    gx = (height[y0, (ix + s) & MAP_MASK] - h) / (s * CELL)
                    gy = (height[(iy + s) & MAP_MASK, x0] - h) / (s * CELL)
                inv_n = 1.0 / math.sqrt(gx * gx + gy * gy + 1.0)
                nx = -gx * inv_n
                ny = -gy * inv_n
                nz = inv_n
                if snow > 0.0 and mat != MAT_LAVA:
                    k = snow * min(max((nz - SNOW_FLAT) * (1.0 / 0.15), 0.0), 1.0)
                    ar += (SNOW_ALBEDO[0] - ar) * k
                    ag += (SNOW_ALBEDO[1] - ag) * k
                    ab += (SNOW_ALBEDO[2] - ab) * k
                lr, lg, lb = surface_light(P, nx, ny, nz)
                cr, cg, cb = ar * lr, ag * lg, ab * lb
            # distance fog, forced to 1 at the draw distance so terrain never pops at the edge
            fog = fog_amount(d, fog_k)
            heat_v = heat[y0, x0]
            cr += (hr - cr) * fog
            cg += (hg - cg) * fog
            cb += (hb - cb) * fog
            if heat_v > 0.0:   # lava glows through darkness and (partly) through fog
                fl = heat_v * (0.8 + 0.2 * math.sin(t * 3.1 + wx * 0.7) * math.sin(wy * 0.9 - t * 2.3))
                fl *= 1.0 - 0.6 * fog
                cr += LAVA_GLOW[0] * fl
                cg += LAVA_GLOW[1] * fl
                cb += LAVA_GLOW[2] * fl
            cr, cg, cb = _clamp_col(cr, cg, cb)
            if not prev_vis:
                pr, pg, pb = cr, cg, cb
                prev_y = sy + 1.0
            # ---- fill rows [top, ybuf), ramping from this sample's colour down to the previous one's ----
            top = int(sy)
            if top < 0:
                top = 0
            span = prev_y - sy
            inv_span = 1.0 / span if span > 1e-3 else 0.0
            a = min((prev_y - top) * inv_span, 1.0)       # ramp position at row `top` (1 = this sample)
            _span(img, depth, sx, top, ybuf, pr + (cr - pr) * a, pg + (cg - pg) * a, pb + (cb - pb) * a,
                  (pr - cr) * inv_span, (pg - cg) * inv_span, (pb - cb) * inv_span, d)
            ybuf = top
            pr, pg, pb = cr, cg, cb
            prev_y = sy
            prev_vis = True
            if ybuf <= 0:
                break
        else:
            prev_vis = False
        # early out: not even the highest terrain in the map could rise above the y-buffer any more
        if ybuf <= hor - (hmax - cam_z) * focal / max(d, stop_d):
            break
        d += step

    # ---- sky in the rows left open: evaluated every SKY_ROW_STEP rows, linear in between (it is smooth) ----
    if ybuf > 0:
        r0, g0, b0, a0 = sky_pixel(P, clouds, clouds_far, dx, dy, (hor - 0.5) / focal, hr, hg, hb)
        r0, g0, b0 = _clamp_col(r0, g0, b0)
        y = 0
        while y < ybuf:
            y1 = min(y + SKY_ROW_STEP, ybuf)
            r1, g1, b1, a1 = sky_pixel(P, clouds, clouds_far, dx, dy, (hor - y1 - 0.5) / focal, hr, hg, hb)
            r1, g1, b1 = _clamp_col(r1, g1, b1)
            inv = 1.0 / (y1 - y)
            # depth carries the cloud alpha for the star pass; a step per row is plenty for that
            _span(img, depth, sx, y, y1, r0, g0, b0, (r1 - r0) * inv, (g1 - g0) * inv, (b1 - b0) * inv,
                  SKY_DEPTH + a0)
            r0, g0, b0, a0 = r1, g1, b1, a1
            y = y1


@njit(cache=True, nogil=True, fastmath=True)
def terrain_serial(img, depth, height, color, material, heat, P, clouds, clouds_far, ripples):
    """Terrain + sky for every column on the calling thread."""
    for sx in range(img.shape[0]):
        _column(sx, img, depth, height, color, material, heat, P, clouds, clouds_far, ripples)


@njit(cache=True, nogil=True, fastmath=True, parallel=True)
def terrain_parallel(img, depth, height, color, material, heat, P, clouds, clouds_far, ripples):
    """Terrain + sky with columns spread over numba's threads (the caller sets numba.set_num_threads)."""
    for sx in prange(img.shape[0]):
        _column(sx, img, depth, height, color, material, heat, P, clouds, clouds_far, ripples)


def terrain_pass(img: np.ndarray, depth: np.ndarray, ring, P: np.ndarray, parallel: bool) -> None:
    """Draw terrain and sky into the column-major image `img` (W, H, 3 uint8) and `depth` (W, H) in metres
    (sky = SKY_DEPTH + cloud alpha). Column-major because every pass walks screen columns: rows of a column
    are then adjacent in memory (row-major writes cost ~9 ns a pixel here, mostly cache misses)."""
    fn = terrain_parallel if parallel else terrain_serial
    fn(img, depth, ring.height, ring.color, ring.material, ring.heat, P, CLOUDS, CLOUDS_FAR, RIPPLES)
