"""Numba kernels of the terrain generator (fields, height, biome, albedo, object scatter); API in terrain.py.

Low-frequency climate fields (continentalness, mountainness, temperature, humidity, lakes, domain warp) are
evaluated on a world-aligned coarse grid and interpolated, so a single point and a whole chunk share the exact same
arithmetic: chunk borders are seamless and a rebuilt chunk is bit-identical.
"""
import numpy as np
from numba import njit

from . import recipe_pack as rk
from .kinds import KIND_ID
from .noise import eroded_fbm, fbm, hash01, hash2, lerp, noise, ridged, smoothstep
from .scene import CHUNK, MAT_LAND, MAT_LAVA, MAT_WATER, WATER_LEVEL

BIOMES = ("ocean", "lake", "beach", "grassland", "forest", "desert", "mountains", "snowy_peaks", "volcano")
B_OCEAN, B_LAKE, B_BEACH, B_GRASS, B_FOREST, B_DESERT, B_MOUNT, B_SNOW, B_VOLC = range(9)
BIOME_ID = {b: i for i, b in enumerate(BIOMES)}

G = 8                     # coarse-grid spacing in cells (divides CHUNK)
NG = CHUNK // G + 1       # coarse nodes per chunk side
NF = 8                    # coarse fields: continental, mountain, erosion, temperature, humidity, lake, warp x, y
F_C, F_M, F_E, F_T, F_H, F_L, F_WX, F_WY = range(NF)
# salt slots
S_C, S_E, S_T, S_H, S_L, S_WX, S_WY, S_DET, S_RIDGE, S_COL, S_COL2, S_OBJ, S_OBJ2, S_VOLC, S_VIL, S_DUNE = range(16)

# villages: one candidate per VILLAGE_REGION square, accepted on flat grassland
VILLAGE_REGION = 256
VILLAGE_RADIUS = 30.0


# ----------------------------------------------------------------------------------------------- fields


@njit(cache=True, nogil=True)
def _node_fields(gx, gy, salts, vol, rp, out):
    """Climate fields at coarse node (gx, gy) (world cell coordinates, multiples of G); each noise has std ~0.45."""
    x = float(gx)
    y = float(gy)
    e = fbm(x / 900.0, y / 900.0, salts[S_E], 3)
    c = fbm(x / 1600.0, y / 1600.0, salts[S_C], 4) + 0.12
    if rp[rk.R_ISLANDS] > 0.0:
        c = lerp(c, fbm(x / 380.0, y / 380.0, salts[S_C] + 17, 4) * 1.1 - 0.36, rp[rk.R_ISLANDS])
    r0 = np.sqrt(x * x + y * y) * (1.0 + 0.6 * e)
    rv = np.sqrt((x - vol[0]) ** 2 + (y - vol[1]) ** 2)
    # the start and the volcano stand on land (a noisy-edged island at worst)
    # (the ramps are gentle: a steep one would make every field derived from c change abruptly at the crease)
    if rp[rk.R_ISLANDS] > 0.0:   # open sea around the start island, then the archipelago beyond
        c = lerp(c, min(c, -0.3), rp[rk.R_ISLANDS] * smoothstep(rp[rk.R_RAMP1], rp[rk.R_RAMP1] + 60.0, r0)
                 * (1.0 - smoothstep(500.0, 800.0, r0)))
    c = max(c, lerp(0.35, -1.3, smoothstep(rp[rk.R_RAMP0], rp[rk.R_RAMP1], r0)))
    c = max(c, lerp(0.3, -1.3, smoothstep(vol[2] + 50.0, vol[2] + 700.0, rv)))
    m = smoothstep(-0.05, 0.3, c) * smoothstep(0.15, 0.6, -e)
    if rp[rk.R_MOUNT] > 0.0:   # broad ranges where erosion is low, valleys where it is high
        m = max(m, rp[rk.R_MOUNT] * smoothstep(-0.05, 0.3, c) * smoothstep(-0.25, 0.2, -e))
    m *= smoothstep(rp[rk.R_MRAMP0], rp[rk.R_MRAMP1], r0) * smoothstep(vol[2] + 20.0, vol[2] + 220.0, rv)
    out[F_C] = c
    out[F_M] = m
    out[F_E] = e
    out[F_T] = fbm(x / 1300.0, y / 1300.0, salts[S_T], 3)
    out[F_H] = fbm(x / 1000.0, y / 1000.0, salts[S_H], 3)
    # lakes are kept away from the start, the volcano, mountains and the sea by lowering the basin noise
    # (evaluated per cell in _height), not by masking it, so lake shores keep their natural shapes
    lk = 1.5 * (1.0 - smoothstep(120.0, 400.0, r0)) + 1.5 * (1.0 - smoothstep(vol[2], vol[2] + 150.0, rv))
    out[F_L] = lk + 1.5 * m + 2.0 * smoothstep(0.25, -0.1, c)
    if rp[rk.R_LAKES] != 1.0:
        out[F_L] += 4.0 * (1.0 - rp[rk.R_LAKES])
    out[F_WX] = fbm(x / 300.0, y / 300.0, salts[S_WX], 3) * 25.0
    out[F_WY] = fbm(x / 300.0, y / 300.0, salts[S_WY], 3) * 25.0


@njit(cache=True, nogil=True, inline="always")
def _bilerp(a, b, c, d, fx, fy):
    return (a + (b - a) * fx) + ((c + (d - c) * fx) - (a + (b - a) * fx)) * fy


@njit(cache=True, nogil=True, inline="always")
def _desertness(f, rp):
    d = smoothstep(0.15, 0.35, f[F_T]) * smoothstep(0.0, -0.2, f[F_H])
    if rp[rk.R_DESERT] > 0.0:
        d = max(d, rp[rk.R_DESERT])
    return d


@njit(cache=True, nogil=True, inline="always")
def _forestness(f, rp):
    w = smoothstep(0.1, 0.3, f[F_H])
    if rp[rk.R_FOREST] > 0.0:
        w = max(w, rp[rk.R_FOREST] * smoothstep(-0.6, -0.2, f[F_H] - 0.4 * _desertness(f, rp)))
    return w


@njit(cache=True, nogil=True, inline="always")
def _snowline(f, rp):
    return rp[rk.R_SNOW0] - rp[rk.R_SNOWT] * f[F_T]


@njit(cache=True, nogil=True)
def _lake(ix, iy, f, salts):
    """Lake weight 0..1 (1 = basin floor); f[F_L] holds the suppression near start, volcano, mountains, sea."""
    if f[F_L] > 3.6:   # |fbm| < 4 always, so lk < 0.45 here: skipping the noise causes no jump
        return 0.0
    lk = fbm(ix / 420.0, iy / 420.0, salts[S_L], 2) - f[F_L]
    return smoothstep(0.45, 0.95, lk)


@njit(cache=True, nogil=True)
def _continental(c):
    """Base elevation from continentalness: deep sea, shelf, a narrow coast, rising lowland."""
    if c < -0.45:
        return -32.0 + 4.0 * smoothstep(-1.2, -0.45, c)
    if c < -0.15:
        return lerp(-28.0, -5.0, smoothstep(-0.45, -0.15, c))
    if c < -0.05:
        return lerp(-5.0, 1.5, (c + 0.15) / 0.1)
    return 1.5 + 18.0 * smoothstep(-0.05, 0.6, c)


@njit(cache=True, nogil=True)
def _lava(ix, iy, f, salts, rp):
    """Lava river weight 0..1 (1 = the middle of a flow) of a volcanic recipe: thin lines of a warped noise."""
    v = abs(noise((ix + f[F_WX]) / 210.0, (iy + f[F_WY]) / 210.0, salts[S_DUNE] + 3))
    return 1.0 - smoothstep(0.04, 0.1, v)


@njit(cache=True, nogil=True)
def _lava_cell(ix, iy, h, f, salts, rp):
    """A cell of molten lava: in a flow, or (a recipe without water) on the floor of a dry basin: a lava lake."""
    if rp[rk.R_FLOOR_ON] > 0.0 and h <= rp[rk.R_FLOOR] + 0.05:
        return True
    return _lava(ix, iy, f, salts, rp) > 0.5


@njit(cache=True, nogil=True)
def _crater_layer(ix, iy, cell, r_min, r_span, rate, salt):
    """Sum of crater profiles (bowl plus rim) of the craters placed by hash in the cells around (ix, iy)."""
    out = 0.0
    ca = int(np.floor(ix / cell))
    cb = int(np.floor(iy / cell))
    for b in range(cb - 1, cb + 2):
        for a in range(ca - 1, ca + 2):
            if hash01(a, b, salt) > rate:
                continue
            x0 = (a + 0.15 + 0.7 * hash01(a, b, salt + 1)) * cell
            y0 = (b + 0.15 + 0.7 * hash01(a, b, salt + 2)) * cell
            q = hash01(a, b, salt + 3)
            r = r_min + r_span * q * q
            d = np.sqrt((ix - x0) ** 2 + (iy - y0) ** 2) / r
            if d < 1.0:
                out += r * (0.3 * (d * d - 1.0) + 0.1 * d * d * d * d)
            elif d < 2.0:
                t = d - 1.0
                out += r * 0.1 * (1.0 - t) * (1.0 - t)
    return out


@njit(cache=True, nogil=True)
def _styled(h, ix, iy, px, py, e, land, f, salts, rp):
    """The optional style terms of a recipe (each gated on its slot; none of them run for the default world)."""
    if rp[rk.R_ROUGH] != 1.0:
        h += (rp[rk.R_ROUGH] - 1.0) * 2.0 * fbm(ix / 7.0, iy / 7.0, salts[S_DET] + 3, 2) * land
    if rp[rk.R_DUNES] > 0.0:
        dn = noise(ix / 70.0 + 0.5 * e, iy / 190.0, salts[S_DUNE] + 1)
        dn2 = noise(ix / 23.0 + 0.3 * e, iy / 61.0, salts[S_DUNE] + 2)
        h += rp[rk.R_DUNES] * land * (9.0 * (1.0 - abs(dn)) ** 2 + 2.0 * (1.0 - abs(dn2)) ** 2)
    if rp[rk.R_CANYON] > 0.0:
        # a plateau in terraces, cut by steep-walled canyons along the zero lines of two noises
        v = abs(noise(px * 0.9, py * 0.9, salts[S_RIDGE] + 5))
        v2 = abs(noise(px * 2.3 + 3.3, py * 2.3, salts[S_RIDGE] + 6))
        ch = max(1.0 - smoothstep(0.05, 0.16, v), 0.8 * (1.0 - smoothstep(0.03, 0.09, v2)))
        t = (26.0 + 16.0 * smoothstep(-0.3, 0.3, e)) * land
        q = np.floor(t / 7.0)
        t = 7.0 * (q + smoothstep(0.6, 1.0, t / 7.0 - q))
        h += rp[rk.R_CANYON] * t * (1.0 - ch)
    if rp[rk.R_CRATERS] > 0.0:
        k = rp[rk.R_CRATERS]
        h += _crater_layer(ix, iy, 70.0, 5.0, 22.0, 0.5 * k, salts[S_VOLC] + 101)
        h += _crater_layer(ix, iy, 330.0, 35.0, 60.0, 0.4 * k, salts[S_VOLC] + 211)
    return h


@njit(cache=True, nogil=True)
def _height(ix, iy, f, salts, vol, rp):
    """Unedited terrain height at world cell (ix, iy) from interpolated fields f."""
    c = f[F_C]
    m = f[F_M]
    px = (ix + f[F_WX]) / 240.0
    py = (iy + f[F_WY]) / 240.0
    e = eroded_fbm(px, py, salts[S_DET], 7)
    land = smoothstep(-0.2, 0.0, c)
    h = _continental(c)
    # plains where erosion is high, rolling hills where it is low
    hills = (3.0 + 22.0 * smoothstep(-0.4, 0.4, -f[F_E])) * smoothstep(-0.1, 0.25, c) + 1.2
    if rp[rk.R_STYLED] == 0.0:
        h += e * (hills * land * (1.0 - 0.6 * m) + 3.0 * (1.0 - land))
    else:
        h += e * (hills * rp[rk.R_RELIEF] * land * (1.0 - 0.6 * m) + 3.0 * (1.0 - land))
        h = _styled(h, ix, iy, px, py, e, land, f, salts, rp)
    d = _desertness(f, rp) * land
    if d > 0.0:
        # elongated dune crests across the desert
        dn = noise(ix / 38.0 + 0.4 * e, iy / 120.0, salts[S_DUNE])
        h += d * (2.0 - 6.0 * abs(dn))
    if m > 0.0:
        r = ridged(px * 0.3, py * 0.3, salts[S_RIDGE], 6)
        h += m * (20.0 + 185.0 * smoothstep(0.3, 0.95, r) + 30.0 * e)
        if rp[rk.R_MOUNT] > 0.0:   # a recipe's high ranges: lifted, and peaks sharper
            h += rp[rk.R_MOUNT] * m * (30.0 + 90.0 * smoothstep(0.2, 0.9, r))
    lw = _lake(ix, iy, f, salts)
    if lw > 0.0:
        h = lerp(h, -7.0 + 4.0 * e, lw)
    h = _volcano(h, ix, iy, vol, e)
    if rp[rk.R_STYLED] != 0.0:
        h -= rp[rk.R_SEA]
        if rp[rk.R_LAVA] > 0.0:
            h -= 2.5 * _lava(ix, iy, f, salts, rp) * land
        if rp[rk.R_FLOOR_ON] > 0.0:
            h = max(h, rp[rk.R_FLOOR])
    return h


@njit(cache=True, nogil=True)
def _volcano(h, ix, iy, vol, e):
    """Blend the volcanic cone (with its crater) into the terrain."""
    r = np.sqrt((ix - vol[0]) ** 2 + (iy - vol[1]) ** 2)
    base_r = vol[2]
    rc = vol[3]
    rim = vol[4]
    if r >= base_r:
        return h
    if r > rc:
        t = (r - rc) / (base_r - rc)
        # the profile ends below ground at the base radius so the smooth max has nothing to add there
        # radial gullies: sums of sines in the angle are periodic, so there is no seam at +-pi
        th = np.arctan2(iy - vol[1], ix - vol[0])
        gul = 0.55 * np.sin(9.0 * th + vol[5]) + 0.3 * np.sin(14.0 * th + vol[6] + 4.0 * t)
        gul += 0.15 * np.sin(23.0 * th + vol[7])
        cone = rim * (1.0 - t) ** 1.7 - 14.0 * t + (20.0 * e + 18.0 * (0.6 - abs(gul))) * t * (1.0 - t)
        # smooth max so the cone foot melts into the surrounding ground
        k = 10.0
        d = max(k - abs(h - cone), 0.0) / k
        return max(h, cone) + d * d * k * 0.25
    q = r / rc
    return rim - 32.0 * (1.0 - q * q) + 6.0 * e * q * (1.0 - q)


@njit(cache=True, nogil=True)
def _chunk_fields(cx, cy, salts, vol, rp, nodes):
    gx0 = cx * CHUNK
    gy0 = cy * CHUNK
    for b in range(NG):
        for a in range(NG):
            _node_fields(gx0 + a * G, gy0 + b * G, salts, vol, rp, nodes[b, a])


@njit(cache=True, nogil=True, inline="always")
def _interp_fields(nodes, a, b, fx, fy, f):
    for k in range(NF):
        f[k] = _bilerp(nodes[b, a, k], nodes[b, a + 1, k], nodes[b + 1, a, k], nodes[b + 1, a + 1, k], fx, fy)


@njit(cache=True, nogil=True)
def _chunk_height(cx, cy, salts, vol, rp, nodes, height):
    _chunk_fields(cx, cy, salts, vol, rp, nodes)
    f = np.empty(NF)
    for j in range(CHUNK):
        for i in range(CHUNK):
            _interp_fields(nodes, i // G, j // G, (i % G) / G, (j % G) / G, f)
            height[j, i] = np.float32(_height(cx * CHUNK + i, cy * CHUNK + j, f, salts, vol, rp))


@njit(cache=True, nogil=True)
def _point_fields(ix, iy, salts, vol, rp, f):
    """Fields at one cell, with exactly the arithmetic of _chunk_height."""
    gx = (ix // G) * G
    gy = (iy // G) * G
    nodes = np.empty((2, 2, NF))
    for b in range(2):
        for a in range(2):
            _node_fields(gx + a * G, gy + b * G, salts, vol, rp, nodes[b, a])
    _interp_fields(nodes, 0, 0, (ix - gx) / G, (iy - gy) / G, f)


@njit(cache=True, nogil=True)
def _point(ix, iy, salts, vol, rp):
    """(height, biome) of one world cell."""
    f = np.empty(NF)
    _point_fields(ix, iy, salts, vol, rp, f)
    h = np.float32(_height(ix, iy, f, salts, vol, rp))
    return h, _classify(ix, iy, h, f, salts, vol, rp)


# ----------------------------------------------------------------------------------------------- biomes & colour


@njit(cache=True, nogil=True)
def _classify(ix, iy, h, f, salts, vol, rp):
    if rp[rk.R_FROZEN] > 0.0 and h <= WATER_LEVEL:
        return B_LAKE if (_lake(ix, iy, f, salts) > 0.2 or f[F_C] > 0.0) else B_OCEAN   # ice
    if h < WATER_LEVEL:
        return B_LAKE if (_lake(ix, iy, f, salts) > 0.2 or f[F_C] > 0.0) else B_OCEAN
    rv = np.sqrt((ix - vol[0]) ** 2 + (iy - vol[1]) ** 2)
    if rv < vol[2] * 0.85:
        return B_VOLC
    if h > _snowline(f, rp):
        return B_SNOW
    if h > 60.0 or (f[F_M] > 0.5 and h > 35.0):
        return B_MOUNT
    if h < 2.2 and f[F_C] < -0.03:
        return B_BEACH
    if _desertness(f, rp) > 0.5:
        return B_DESERT
    if _forestness(f, rp) > 0.5:
        return B_FOREST
    return B_GRASS


@njit(cache=True, nogil=True, inline="always")
def _mix3(col, r, g, b, t):
    col[0] += (r - col[0]) * t
    col[1] += (g - col[1]) * t
    col[2] += (b - col[2]) * t


@njit(cache=True, nogil=True, inline="always")
def _mixp(col, pal, row, t):
    _mix3(col, pal[row, 0], pal[row, 1], pal[row, 2], t)


@njit(cache=True, nogil=True)
def _albedo(ix, iy, h, slope, f, salts, vol, rp, pal, col):
    """Albedo of one cell: continuous biome blends so borders are soft, plus patches and speckle."""
    n1 = fbm(ix / 11.0, iy / 11.0, salts[S_COL], 2)
    n2 = hash01(ix, iy, salts[S_COL2])
    if rp[rk.R_FROZEN] > 0.0 and h <= WATER_LEVEL:
        col[0], col[1], col[2] = pal[rk.P_ICE, 0], pal[rk.P_ICE, 1], pal[rk.P_ICE, 2]
    elif h < WATER_LEVEL:
        col[0], col[1], col[2] = pal[rk.P_SEABED, 0], pal[rk.P_SEABED, 1], pal[rk.P_SEABED, 2]
        _mixp(col, pal, rk.P_SEAMUD, smoothstep(0.5, 9.0, -h + 1.5 * n1))
    else:
        lush = smoothstep(-0.5, 0.3, f[F_H])
        for c in range(3):
            col[c] = lerp(pal[rk.P_DRY, c], pal[rk.P_LUSH, c], lush)
        # meadow-scale tint so plains are not one flat green: drier and lusher swathes ~100 m across
        tint = fbm(ix / 90.0, iy / 90.0, salts[S_COL] + 5, 2)
        _mixp(col, pal, rk.P_TINT_DRY, smoothstep(0.1, 0.7, tint) * 0.45)
        _mixp(col, pal, rk.P_TINT_LUSH, smoothstep(-0.1, -0.7, tint) * 0.4)
        _mixp(col, pal, rk.P_FOREST, 0.85 * _forestness(f, rp))
        _mixp(col, pal, rk.P_SAND, _desertness(f, rp))
        beach = smoothstep(2.4, 1.2, h + 0.4 * n1) * smoothstep(-0.01, -0.05, f[F_C])
        _mixp(col, pal, rk.P_BEACH, beach)
        if h < 1.2 and f[F_C] > 0.0:
            _mixp(col, pal, rk.P_SHORE, smoothstep(1.2, 0.3, h) * 0.8)   # muddy lake shore
        _mixp(col, pal, rk.P_ALPINE, smoothstep(35.0, 80.0, h + 12.0 * n1) * 0.7)   # alpine meadow
        rock = smoothstep(0.65, 1.1, slope + 0.25 * n1)
        g = rp[rk.R_ROCK0] + 26.0 * n1
        warm = 10.0 * fbm(ix / 60.0, iy / 60.0, salts[S_COL] + 9, 1)   # brown and grey rock bands
        _mix3(col, g + warm, g - rp[rk.R_ROCK_D1], g - rp[rk.R_ROCK_D2] - warm, rock)
        if rp[rk.R_STRATA] > 0.0:   # canyon walls and mesa tops in height bands
            band = 0.5 + 0.5 * np.sin(h * 0.9 + 2.0 * n1)
            _mix3(col, pal[rk.P_STRATA, 0] * (0.8 + 0.3 * band), pal[rk.P_STRATA, 1] * (0.75 + 0.35 * band),
                  pal[rk.P_STRATA, 2] * (0.8 + 0.3 * band), 0.35 + 0.6 * rock)
        rv = np.sqrt((ix - vol[0]) ** 2 + (iy - vol[1]) ** 2)
        volc = 1.0 - smoothstep(vol[2] * 0.55, vol[2] * 0.95, rv + 25.0 * n1)
        if volc > 0.0:
            ash = smoothstep(vol[2] * 0.25, vol[2] * 0.8, rv + 20.0 * n1)
            _mix3(col, lerp(pal[rk.P_ASH_D, 0], pal[rk.P_ASH_L, 0], ash),
                  lerp(pal[rk.P_ASH_D, 1], pal[rk.P_ASH_L, 1], ash),
                  lerp(pal[rk.P_ASH_D, 2], pal[rk.P_ASH_L, 2], ash), volc)
            _mixp(col, pal, rk.P_CRATER, (1.0 - smoothstep(vol[3] * 0.6, vol[3] * 1.3, rv)) * 0.6)
        sl = _snowline(f, rp)
        snow = smoothstep(sl - 10.0, sl + 6.0, h + 14.0 * n1) * (1.0 - smoothstep(0.9, 1.4, slope)) * (1.0 - volc)
        _mixp(col, pal, rk.P_SNOW, snow)
    k = 1.0 + 0.11 * n1 + 0.09 * (n2 - 0.5)
    for c in range(3):
        v = col[c] * k
        col[c] = 255.0 if v > 255.0 else (0.0 if v < 0.0 else v)


@njit(cache=True, nogil=True)
def _chunk_surface(cx, cy, salts, vol, rp, pal, nodes, height, color, material, biome, slope):
    """Colour, material, biome and slope of a chunk from its (possibly edited) height; nodes are filled."""
    f = np.empty(NF)
    col = np.empty(3)
    n = CHUNK - 1
    for j in range(CHUNK):
        j0 = max(j - 1, 0)
        j1 = min(j + 1, n)
        for i in range(CHUNK):
            i0 = max(i - 1, 0)
            i1 = min(i + 1, n)
            dx = (height[j, i1] - height[j, i0]) / (i1 - i0)
            dy = (height[j1, i] - height[j0, i]) / (j1 - j0)
            s = np.sqrt(dx * dx + dy * dy)
            slope[j, i] = s
            _interp_fields(nodes, i // G, j // G, (i % G) / G, (j % G) / G, f)
            ix = cx * CHUNK + i
            iy = cy * CHUNK + j
            h = height[j, i]
            biome[j, i] = _classify(ix, iy, h, f, salts, vol, rp)
            material[j, i] = MAT_WATER if h < WATER_LEVEL else MAT_LAND
            _albedo(ix, iy, h, s, f, salts, vol, rp, pal, col)
            if rp[rk.R_LAVA] > 0.0 and h >= WATER_LEVEL and _lava_cell(ix, iy, h, f, salts, rp):
                material[j, i] = MAT_LAVA
                col[0], col[1], col[2] = 60.0, 22.0, 12.0
            for c in range(3):
                color[j, i, c] = np.uint8(col[c] + 0.5)


# kind ids for the object kernel
K_TREE, K_PINE, K_ROCK, K_CACTUS, K_ANIMAL = (KIND_ID[k] for k in ("tree", "pine", "rock", "cactus", "animal"))
# per-biome probability per 4x4 m cell: tree, pine, rock, cactus, animal
_DENSITY = np.array([
    [0.0, 0.0, 0.0, 0.0, 0.0],        # ocean
    [0.0, 0.0, 0.0, 0.0, 0.0],        # lake
    [0.0, 0.0, 0.012, 0.0, 0.0],      # beach
    [0.045, 0.0, 0.015, 0.0, 0.004],  # grassland
    [0.33, 0.2, 0.02, 0.0, 0.006],    # forest
    [0.0, 0.0, 0.02, 0.035, 0.0],     # desert
    [0.0, 0.08, 0.07, 0.0, 0.0],      # mountains
    [0.0, 0.015, 0.03, 0.0, 0.0],     # snowy peaks
    [0.0, 0.0, 0.035, 0.0, 0.0],      # volcano
])
_DKINDS = np.array([K_TREE, K_PINE, K_ROCK, K_CACTUS, K_ANIMAL], np.int64)
SUB = 4


@njit(cache=True, nogil=True)
def _chunk_objects(cx, cy, salts, height, biome, slope, villages, density, dkinds, okind, oxyz, oscale):
    """Scatter objects on a jittered 4 m grid by hash of (seed, cell); returns the count."""
    ns = CHUNK // SUB
    cnt = 0
    for sb in range(ns):
        for sa in range(ns):
            gx = cx * ns + sa
            gy = cy * ns + sb
            hh = hash2(gx, gy, salts[S_OBJ])
            ox = (hh & 0xFFFF) * (SUB / 65536.0)
            oy = ((hh >> 16) & 0xFFFF) * (SUB / 65536.0)
            i = sa * SUB + int(ox)
            j = sb * SUB + int(oy)
            b = biome[j, i]
            r = hash01(gx, gy, salts[S_OBJ2])
            kind = -1
            acc = 0.0
            for k in range(density.shape[1]):
                acc += density[b, k]
                if r < acc:
                    kind = dkinds[k]
                    break
            if kind < 0:
                continue
            if slope[j, i] > 0.9 and kind != K_ROCK:
                continue
            ok = True
            for dj in range(-1, 2):
                for di in range(-1, 2):
                    jj = min(max(j + dj, 0), CHUNK - 1)
                    ii = min(max(i + di, 0), CHUNK - 1)
                    if height[jj, ii] < WATER_LEVEL + 0.3:
                        ok = False
            wx = cx * CHUNK + sa * SUB + ox
            wy = cy * CHUNK + sb * SUB + oy
            for v in range(villages.shape[0]):
                if (wx - villages[v, 0]) ** 2 + (wy - villages[v, 1]) ** 2 < villages[v, 2] ** 2:
                    ok = False
            if not ok:
                continue
            okind[cnt] = kind
            oxyz[cnt, 0] = wx
            oxyz[cnt, 1] = wy
            oxyz[cnt, 2] = height[j, i]
            oscale[cnt] = 0.75 + 0.5 * hash01(gx, gy, salts[S_OBJ2] + 7)
            cnt += 1
    return cnt


@njit(cache=True, nogil=True, inline="always")
def _in(b, targets):
    for t in range(targets.shape[0]):
        if b == targets[t]:
            return True
    return False


@njit(cache=True, nogil=True)
def _find_biome(salts, vol, rp, x0, y0, targets, step, rings, extent):
    """Nearest cell (by square rings of `step` metres around (x0, y0)) whose biome is in targets, and so are
    the cells `extent` metres away on both axes (so a target is not a puddle)."""
    for k in range(rings + 1):
        best = -1.0
        bx = 0
        by = 0
        for b in range(-k, k + 1):
            for a in range(-k, k + 1):
                if k > 0 and abs(a) != k and abs(b) != k:
                    continue
                ix = int(np.floor(x0)) + a * step
                iy = int(np.floor(y0)) + b * step
                hit = _in(_point(ix, iy, salts, vol, rp)[1], targets)
                if hit and extent > 0:
                    for q in range(4):
                        ex = ix + (extent if q == 0 else (-extent if q == 1 else 0))
                        ey = iy + (extent if q == 2 else (-extent if q == 3 else 0))
                        hit = hit and _in(_point(ex, ey, salts, vol, rp)[1], targets)
                if hit:
                    d = float(a * a + b * b)
                    if best < 0.0 or d < best:
                        best = d
                        bx = ix
                        by = iy
        if best >= 0.0:
            return True, bx, by
    return False, 0, 0
