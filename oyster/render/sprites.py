"""Z-tested billboard sprites: project each entity's feet, then shade its procedural shape pixel by pixel.

A sprite pixel is drawn only where it is nearer than what the depth buffer holds (terrain or another
sprite) and writes its own depth, so hills hide villagers and trees hide each other in any draw order.
Images here are column-major (W, H, 3) like the terrain pass.
"""
import math

import numpy as np
from numba import njit, prange

from oyster.render import param_slots as S
from oyster.render.lighting import fog_amount, horizon_color
from oyster.render.sprite_shapes import (
    K_ANIMAL,
    K_PALM,
    K_PINE,
    K_TREE,
    K_VILLAGER,
    KIND_BOX,
    far_shape,
    hash01,
    pose_box,
    sprite_pose,
    sprite_shape,
)
from oyster.world.scene import DRAW_DISTANCE

SPRITE_NEAR = 0.6          # metres; nearer sprites are skipped (collisions keep the player further away)
MIN_PIXELS = 2.5           # sprites shorter than this on screen are skipped (sub-pixel shimmer, wasted time)
FAR_PIXELS = 24.0          # sprites shorter than this use the cheap silhouette (far_shape): worlds hold
                           # thousands of distant trees, each only a few pixels tall
SPECKLE_PIXELS = 4.0       # leaf/stone speckle is never coarser than this many pixels
BLOCK_PIXELS = 80.0        # sprites taller than this are shaded per 2x2 block (3x3 beyond twice that)


@njit(cache=True, nogil=True, fastmath=True)
def _sprite_light(P, nx, ny):
    """Light on a billboard pixel whose fake normal in the camera plane is (nx, ny)."""
    q = nx * nx + ny * ny
    if q > 1.0:
        inv = 1.0 / math.sqrt(q)
        nx *= inv
        ny *= inv
        q = 1.0
    nz = math.sqrt(1.0 - q)            # towards the viewer
    # half-Lambert (Valve): billboards have no true back side, so let light wrap round them
    ls = 0.55 + 0.45 * (nx * P[S.SUN_CAM] + ny * P[S.SUN_CAM + 1] + nz * P[S.SUN_CAM + 2])
    amb = 0.75 + 0.25 * ny
    return (P[S.AMBIENT] * amb + (P[S.SUN_COL] + P[S.MOON_COL]) * ls,
            P[S.AMBIENT + 1] * amb + (P[S.SUN_COL + 1] + P[S.MOON_COL + 1]) * ls,
            P[S.AMBIENT + 2] * amb + (P[S.SUN_COL + 2] + P[S.MOON_COL + 2]) * ls)


@njit(cache=True, nogil=True, fastmath=True)
def _variation(i, kind, x, y):
    """0..1 look variation: by position for things that never move, by row for characters."""
    if kind == K_VILLAGER or kind == K_ANIMAL:
        return hash01(i * 7 + kind, 12345)
    return hash01(int(math.floor(x * 4.0)), int(math.floor(y * 4.0)) + kind * 977)


@njit(cache=True, nogil=True, fastmath=True, inline="always")
def _leaf(P, g, var):
    """A canopy pixel in the recipe's leaf colour, keeping its shading (g) and varying per tree (autumn mixes)."""
    k = g / 0.44
    return (P[S.LEAF] * k * (0.8 + 0.4 * var), P[S.LEAF + 1] * k * (0.55 + 0.9 * var),
            P[S.LEAF + 2] * k * (0.8 + 0.4 * var))


@njit(cache=True, nogil=True, fastmath=True)
def _draw_far(img, depth, lr, lg, lb, k, var, night, d, sx, foot, inv_ppm, x0, x1, y0, y1, fog, fr, fg, fb, P,
              leaf_on):
    """A small sprite: flat-lit silhouette, one light factor (lr, lg, lb) for the whole sprite."""
    for px in range(x0, x1):
        lx = (px + 0.5 - sx) * inv_ppm
        for py in range(y0, y1):
            if depth[px, py] <= d:
                continue
            hit, r, g, b, emit = far_shape(k, lx, (foot - py - 0.5) * inv_ppm, var, night)
            if not hit:
                continue
            if leaf_on and (k == K_TREE or k == K_PALM) and g > 1.4 * r:
                r, g, b = _leaf(P, g, var)
            if not emit:
                r, g, b = r * lr, g * lg, b * lb
            r += (fr - r) * fog
            g += (fg - g) * fog
            b += (fb - b) * fog
            img[px, py, 0] = min(255.0, r * 255.0)
            img[px, py, 1] = min(255.0, g * 255.0)
            img[px, py, 2] = min(255.0, b * 255.0)
            depth[px, py] = d


@njit(cache=True, nogil=True, fastmath=True)
def _column_extent(k, lx, var):
    """(lo, hi) sprite metres bounding where the shape of kind k can hit in the column at lx (lo > hi: none).
    Conservative hulls of tree_shape and pine_shape, so the rows outside need no shading; other kinds: all."""
    if k == K_TREE:
        lo, hi = 1e9, -1e9
        if abs(lx) < 0.2:
            lo, hi = -1e9, 2.8
        for j in range(4):
            cx = (0.0, -0.9, 0.9, 0.15)[j]
            cy = (3.7, 3.0, 3.1, 4.7)[j]
            r = (1.7, 1.15, 1.15, 1.1)[j] * (0.9 + 0.2 * var)
            q = r * r - (lx - cx) * (lx - cx)
            if q > 0.0:
                half = math.sqrt(q)
                lo = min(lo, cy - half)
                hi = max(hi, cy + half)
        return lo, hi
    if k == K_PINE:
        lo, hi = 1e9, -1e9
        if abs(lx) < 0.16:
            lo, hi = -1e9, 1.5
        for j in range(3):
            yb = 1.2 + j * 1.85
            hw = 1.6 * (1.0 - j * 0.24) * (0.9 + 0.2 * var)
            if abs(lx) < hw:
                lo = min(lo, yb)
                hi = max(hi, yb + 2.9 * (1.0 - abs(lx) / hw))
        return lo, hi
    return -1e9, 1e9


@njit(cache=True, nogil=True, fastmath=True, inline="always")
def _block_open(depth, x0, y0, x1, y1, d):
    """Whether any pixel of the block [x0, x1) x [y0, y1) is further than depth d."""
    for px in range(x0, x1):
        for py in range(y0, y1):
            if depth[px, py] > d:
                return True
    return False


@njit(cache=True, nogil=True, fastmath=True)
def _sprites_band(img, depth, P, xyz, kinds, actions, phases, scales, seeds, c0, c1):
    """Every sprite, drawn only into the screen columns [c0, c1). Each band sees the sprites in the same order
    and the same block grid as the whole screen, and only reads and writes its own columns, so bands drawn
    side by side (in parallel) give exactly the whole-screen frame."""
    W, H = depth.shape
    focal, hor, cx = P[S.FOCAL], P[S.HORIZON], P[S.CX]
    night = 1.0 - min(max((P[S.SUN + 2] + 0.05) * 6.0, 0.0), 1.0)
    snow = P[S.SNOW_COVER]
    now = P[S.TIME]
    n_kinds = KIND_BOX.shape[0]
    leaf_on = P[S.LEAF_ON] > 0.0
    flr, flg, flb = _sprite_light(P, 0.0, 0.3)         # the flat light of every far sprite
    for i in range(xyz.shape[0]):
        k = kinds[i]
        if k < 0 or k >= n_kinds:
            continue
        rx = xyz[i, 0] - P[S.CAM_X]
        ry = xyz[i, 1] - P[S.CAM_Y]
        d = rx * P[S.FWD_X] + ry * P[S.FWD_Y]          # depth along the view axis, metres
        if d < SPRITE_NEAR or d > DRAW_DISTANCE:
            continue
        lat = rx * P[S.RIGHT_X] + ry * P[S.RIGHT_Y]
        sc = scales[i]
        ppm = focal / d                                 # pixels per metre at this depth
        half_w = KIND_BOX[k, 0] * sc
        top_m = KIND_BOX[k, 1] * sc
        if top_m * ppm < MIN_PIXELS:
            continue
        sx = cx + lat * ppm
        foot = hor - (xyz[i, 2] - P[S.CAM_Z]) * ppm
        x0 = max(int(sx - half_w * ppm), 0)
        x1 = min(int(sx + half_w * ppm) + 1, W)
        y0 = max(int(foot - top_m * ppm), 0)
        y1 = min(int(foot) + 2, H)                      # +2: a pixel of overlap into the ground, no gaps
        if x0 >= x1 or y0 >= y1:
            continue
        var = hash01(seeds[i], 777) if seeds[i] >= 0 else _variation(i, k, xyz[i, 0], xyz[i, 1])
        # fog and the fog colour of this sprite's direction, like the terrain behind it
        fr, fg, fb = horizon_color(P, rx, ry)
        dist = math.sqrt(rx * rx + ry * ry)
        fog = fog_amount(d, P[S.FOG_DENSITY] * dist / d)
        inv_ppm = 1.0 / (ppm * sc)
        if top_m * ppm < FAR_PIXELS:
            if max(x0, c0) < min(x1, c1):
                _draw_far(img, depth, flr, flg, flb, k, var, night, d, sx, foot, inv_ppm, max(x0, c0), min(x1, c1),
                          y0, y1, fog, fr, fg, fb, P, leaf_on)
            continue
        pose = sprite_pose(k, actions[i], phases[i])
        fine = ppm * sc * (1.0 / SPECKLE_PIXELS)
        bx0, bx1, by0, by1 = pose_box(k, pose)          # tighten the box to this pose (metres)
        s_ppm = ppm * sc
        x0 = max(x0, int(sx + bx0 * s_ppm))
        x1 = min(x1, int(sx + bx1 * s_ppm) + 1)
        y0 = max(y0, int(foot - by1 * s_ppm))
        y1 = min(y1, int(foot - by0 * s_ppm) + 2)
        # big sprites are shaded once per BxB block (depth still tested per pixel): a villager next to
        # the camera would otherwise cost as much as the whole terrain pass
        B = 1 if top_m * ppm < BLOCK_PIXELS else (2 if top_m * ppm < 2 * BLOCK_PIXELS else 3)
        first = x0 + max(0, (c0 - x0) // B) * B         # the first block (of the whole-screen grid) reaching c0
        xe = min(x1, c1)
        for bx in range(first, xe, B):
            lx = (bx + 0.5 * B - sx) * inv_ppm
            # rows where the shape cannot hit in this column are skipped (block grid unchanged; the margin
            # of a couple of rows keeps it exact)
            ly_lo, ly_hi = _column_extent(k, lx, var)
            if ly_lo > ly_hi:
                continue
            r_lo = foot - 0.5 * B - min(ly_hi, 1e6) * s_ppm - (B + 2.0)
            r_hi = foot - 0.5 * B - max(ly_lo, -1e6) * s_ppm + (B + 2.0)
            by0 = y0
            if r_lo > y0:
                by0 = y0 + int((r_lo - y0) / B) * B
            by1 = y1
            if r_hi < y1:
                by1 = max(int(r_hi) + 1, y0)
            for by in range(by0, by1, B):
                if B == 1:
                    if depth[bx, by] <= d:
                        continue
                elif not _block_open(depth, max(bx, c0), by, min(bx + B, xe), min(by + B, y1), d):
                    continue                            # the block (in this band) is hidden: skip the shading
                ly = (foot - by - 0.5 * B) * inv_ppm
                hit, r, g, b, nx, ny, emit = sprite_shape(k, pose, lx, ly, var, snow, night, now, fine)
                if not hit:
                    continue
                if leaf_on and (k == K_TREE or k == K_PALM) and g > 1.4 * r:
                    r, g, b = _leaf(P, g, var)
                if emit:
                    f = fog * 0.5
                else:
                    lr, lg, lb = _sprite_light(P, nx, ny)
                    r, g, b = r * lr, g * lg, b * lb
                    f = fog
                r = min(255.0, (r + (fr - r) * f) * 255.0)
                g = min(255.0, (g + (fg - g) * f) * 255.0)
                b = min(255.0, (b + (fb - b) * f) * 255.0)
                for px in range(max(bx, c0), min(bx + B, xe)):
                    for py in range(by, min(by + B, y1)):
                        if depth[px, py] > d:
                            img[px, py, 0] = r
                            img[px, py, 1] = g
                            img[px, py, 2] = b
                            depth[px, py] = d


@njit(cache=True, nogil=True, fastmath=True)
def draw_sprites(img, depth, P, xyz, kinds, actions, phases, scales, seeds):
    """Draw every sprite with a depth test; `seeds` (N,) int32 gives stable per-entity looks (-1: derive)."""
    _sprites_band(img, depth, P, xyz, kinds, actions, phases, scales, seeds, 0, depth.shape[0])


@njit(cache=True, nogil=True, fastmath=True, parallel=True)
def draw_sprites_parallel(img, depth, P, xyz, kinds, actions, phases, scales, seeds, bands):
    """draw_sprites split into `bands` column bands drawn in parallel: the same frame, pixel for pixel."""
    W = depth.shape[0]
    for b in prange(bands):
        _sprites_band(img, depth, P, xyz, kinds, actions, phases, scales, seeds, b * W // bands, (b + 1) * W // bands)


def sprite_seeds(scene) -> np.ndarray:
    """Per-sprite look seeds: scene.sprite_seed when the world provides one, else -1 (derived in the kernel)."""
    seeds = getattr(scene, "sprite_seed", None)
    if seeds is None:
        return np.full(len(scene.sprite_kind), -1, np.int32)
    return np.ascontiguousarray(seeds, np.int32)
