"""Numba kernels of the terrain generator (fields, height, biome, albedo, object scatter); API in terrain.py.

Low-frequency climate fields (continentalness, mountainness, temperature, humidity, lakes, domain warp) are
evaluated on a world-aligned coarse grid and interpolated, so a single point and a whole chunk share the exact same
arithmetic: chunk borders are seamless and a rebuilt chunk is bit-identical.
"""
import numpy as np
from numba import njit

from .kinds import KIND_ID
from .noise import eroded_fbm, fbm, hash01, hash2, lerp, noise, ridged, smoothstep
from .scene import CHUNK, MAT_LAND, MAT_WATER, WATER_LEVEL

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
def _node_fields(gx, gy, salts, vol, out):
    """Climate fields at coarse node (gx, gy) (world cell coordinates, multiples of G); each noise has std ~0.45."""
    x = float(gx)
    y = float(gy)
    e = fbm(x / 900.0, y / 900.0, salts[S_E], 3)
    c = fbm(x / 1600.0, y / 1600.0, salts[S_C], 4) + 0.12
    r0 = np.sqrt(x * x + y * y) * (1.0 + 0.6 * e)
    rv = np.sqrt((x - vol[0]) ** 2 + (y - vol[1]) ** 2)
    # the start and the volcano stand on land (a noisy-edged island at worst)
    # (the ramps are gentle: a steep one would make every field derived from c change abruptly at the crease)
    c = max(c, lerp(0.35, -1.3, smoothstep(300.0, 1400.0, r0)))
    c = max(c, lerp(0.3, -1.3, smoothstep(vol[2] + 50.0, vol[2] + 700.0, rv)))
    m = smoothstep(-0.05, 0.3, c) * smoothstep(0.15, 0.6, -e)
    m *= smoothstep(250.0, 550.0, r0) * smoothstep(vol[2] + 20.0, vol[2] + 220.0, rv)
    out[F_C] = c
    out[F_M] = m
    out[F_E] = e
    out[F_T] = fbm(x / 1300.0, y / 1300.0, salts[S_T], 3)
    out[F_H] = fbm(x / 1000.0, y / 1000.0, salts[S_H], 3)
    # lakes are kept away from the start, the volcano, mountains and the sea by lowering the basin noise
    # (evaluated per cell in _height), not by masking it, so lake shores keep their natural shapes
    lk = 1.5 * (1.0 - smoothstep(120.0, 400.0, r0)) + 1.5 * (1.0 - smoothstep(vol[2], vol[2] + 150.0, rv))
    out[F_L] = lk + 1.5 * m + 2.0 * smoothstep(0.25, -0.1, c)
    out[F_WX] = fbm(x / 300.0, y / 300.0, salts[S_WX], 3) * 25.0
    out[F_WY] = fbm(x / 300.0, y / 300.0, salts[S_WY], 3) * 25.0


@njit(cache=True, nogil=True, inline="always")
def _bilerp(a, b, c, d, fx, fy):
    return (a + (b - a) * fx) + ((c + (d - c) * fx) - (a + (b - a) * fx)) * fy


@njit(cache=True, nogil=True, inline="always")
def _desertness(f):
    return smoothstep(0.15, 0.35, f[F_T]) * smoothstep(0.0, -0.2, f[F_H])


@njit(cache=True, nogil=True, inline="always")
def _forestness(f):
    return smoothstep(0.1, 0.3, f[F_H])


@njit(cache=True, nogil=True, inline="always")
def _snowline(f):
    return 128.0 - 30.0 * f[F_T]


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
def _height(ix, iy, f, salts, vol):
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
    h += e * (hills * land * (1.0 - 0.6 * m) + 3.0 * (1.0 - land))
    d = _desertness(f) * land
    if d > 0.0:
        # elongated dune crests across the desert
        dn = noise(ix / 38.0 + 0.4 * e, iy / 120.0, salts[S_DUNE])
        h += d * (2.0 - 6.0 * abs(dn))
    if m > 0.0:
        r = ridged(px * 0.3, py * 0.3, salts[S_RIDGE], 6)
        h += m * (20.0 + 185.0 * smoothstep(0.3, 0.95, r) + 30.0 * e)
    lw = _lake(ix, iy, f, salts)
    if lw > 0.0:
        h = lerp(h, -7.0 + 4.0 * e, lw)
    return _volcano(h, ix, iy, vol, e)


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
def _chunk_fields(cx, cy, salts, vol, nodes):
    gx0 = cx * CHUNK
    gy0 = cy * CHUNK
    for b in range(NG):
        for a in range(NG):
            _node_fields(gx0 + a * G, gy0 + b * G, salts, vol, nodes[b, a])


@njit(cache=True, nogil=True, inline="always")
def _interp_fields(nodes, a, b, fx, fy, f):
    for k in range(NF):
        f[k] = _bilerp(nodes[b, a, k], nodes[b, a + 1, k], nodes[b + 1, a, k], nodes[b + 1, a + 1, k], fx, fy)


@njit(cache=True, nogil=True)
def _chunk_height(cx, cy, salts, vol, nodes, height):
    _chunk_fields(cx, cy, salts, vol, nodes)
    f = np.empty(NF)
    for j in range(CHUNK):
        for i in range(CHUNK):
            _interp_fields(nodes, i // G, j // G, (i % G) / G, (j % G) / G, f)
            height[j, i] = np.float32(_height(cx * CHUNK + i, cy * CHUNK + j, f, salts, vol))


@njit(cache=True, nogil=True)
def _point_fields(ix, iy, salts, vol, f):
    """Fields at one cell, with exactly the arithmetic of _chunk_height."""
    gx = (ix // G) * G
    gy = (iy // G) * G
    nodes = np.empty((2, 2, NF))
    for b in range(2):
        for a in range(2):
            _node_fields(gx + a * G, gy + b * G, salts, vol, nodes[b, a])
    _interp_fields(nodes, 0, 0, (ix - gx) / G, (iy - gy) / G, f)


@njit(cache=True, nogil=True)
def _point(ix, iy, salts, vol):
    """(height, biome) of one world cell."""
    f = np.empty(NF)
    _point_fields(ix, iy, salts, vol, f)
    h = np.float32(_height(ix, iy, f, salts, vol))
    return h, _classify(ix, iy, h, f, salts, vol)


# ----------------------------------------------------------------------------------------------- biomes & colour


@njit(cache=True, nogil=True)
def _classify(ix, iy, h, f, salts, vol):
    if h < WATER_LEVEL:
        return B_LAKE if (_lake(ix, iy, f, salts) > 0.2 or f[F_C] > 0.0) else B_OCEAN
    rv = np.sqrt((ix - vol[0]) ** 2 + (iy - vol[1]) ** 2)
    if rv < vol[2] * 0.85:
        return B_VOLC
    if h > _snowline(f):
        return B_SNOW
    if h > 60.0 or (f[F_M] > 0.5 and h > 35.0):
        return B_MOUNT
    if h < 2.2 and f[F_C] < -0.03:
        return B_BEACH
    if _desertness(f) > 0.5:
        return B_DESERT
    if _forestness(f) > 0.5:
        return B_FOREST
    return B_GRASS


@njit(cache=True, nogil=True, inline="always")
def _mix3(col, r, g, b, t):
    col[0] += (r - col[0]) * t
    col[1] += (g - col[1]) * t
    col[2] += (b - col[2]) * t


@njit(cache=True, nogil=True)
def _albedo(ix, iy, h, slope, f, salts, vol, col):
    """Albedo of one cell: continuous biome blends so borders are soft, plus patches and speckle."""
    n1 = fbm(ix / 11.0, iy / 11.0, salts[S_COL], 2)
    n2 = hash01(ix, iy, salts[S_COL2])
    if h < WATER_LEVEL:
        col[0], col[1], col[2] = 196.0, 182.0, 134.0
        _mix3(col, 88.0, 84.0, 64.0, smoothstep(0.5, 9.0, -h + 1.5 * n1))
    else:
        lush = smoothstep(-0.5, 0.3, f[F_H])
        col[0], col[1], col[2] = lerp(152.0, 80.0, lush), lerp(156.0, 132.0, lush), lerp(78.0, 50.0, lush)
        # meadow-scale tint so plains are not one flat green: drier and lusher swathes ~100 m across
        tint = fbm(ix / 90.0, iy / 90.0, salts[S_COL] + 5, 2)
        _mix3(col, 158.0, 150.0, 76.0, smoothstep(0.1, 0.7, tint) * 0.45)
        _mix3(col, 60.0, 118.0, 44.0, smoothstep(-0.1, -0.7, tint) * 0.4)
        _mix3(col, 44.0, 84.0, 36.0, 0.85 * _forestness(f))
        _mix3(col, 208.0, 162.0, 102.0, _desertness(f))
        beach = smoothstep(2.4, 1.2, h + 0.4 * n1) * smoothstep(-0.01, -0.05, f[F_C])
        _mix3(col, 222.0, 205.0, 160.0, beach)
        if h < 1.2 and f[F_C] > 0.0:
            _mix3(col, 98.0, 90.0, 62.0, smoothstep(1.2, 0.3, h) * 0.8)   # muddy lake shore
        _mix3(col, 128.0, 136.0, 72.0, smoothstep(35.0, 80.0, h + 12.0 * n1) * 0.7)   # alpine meadow
        rock = smoothstep(0.65, 1.1, slope + 0.25 * n1)
        g = 112.0 + 26.0 * n1
        warm = 10.0 * fbm(ix / 60.0, iy / 60.0, salts[S_COL] + 9, 1)   # brown and grey rock bands
        _mix3(col, g + warm, g - 3.0, g - 8.0 - warm, rock)
        rv = np.sqrt((ix - vol[0]) ** 2 + (iy - vol[1]) ** 2)
        volc = 1.0 - smoothstep(vol[2] * 0.55, vol[2] * 0.95, rv + 25.0 * n1)
        if volc > 0.0:
            ash = smoothstep(vol[2] * 0.25, vol[2] * 0.8, rv + 20.0 * n1)
            _mix3(col, lerp(50.0, 92.0, ash), lerp(44.0, 84.0, ash), lerp(43.0, 76.0, ash), volc)
            _mix3(col, 96.0, 52.0, 36.0, (1.0 - smoothstep(vol[3] * 0.6, vol[3] * 1.3, rv)) * 0.6)
        sl = _snowline(f)
        snow = smoothstep(sl - 10.0, sl + 6.0, h + 14.0 * n1) * (1.0 - smoothstep(0.9, 1.4, slope)) * (1.0 - volc)
        _mix3(col, 236.0, 239.0, 245.0, snow)
    k = 1.0 + 0.11 * n1 + 0.09 * (n2 - 0.5)
    for c in range(3):
        v = col[c] * k
        col[c] = 255.0 if v > 255.0 else (0.0 if v < 0.0 else v)


@njit(cache=True, nogil=True)
def _chunk_surface(cx, cy, salts, vol, nodes, height, color, material, biome, slope):
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
            biome[j, i] = _classify(ix, iy, h, f, salts, vol)
            material[j, i] = MAT_WATER if h < WATER_LEVEL else MAT_LAND
            _albedo(ix, iy, h, s, f, salts, vol, col)
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
def _find_biome(salts, vol, x0, y0, targets, step, rings, extent):
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
                hit = _in(_point(ix, iy, salts, vol)[1], targets)
                if hit and extent > 0:
                    for q in range(4):
                        ex = ix + (extent if q == 0 else (-extent if q == 1 else 0))
                        ey = iy + (extent if q == 2 else (-extent if q == 3 else 0))
                        hit = hit and _in(_point(ex, ey, salts, vol)[1], targets)
                if hit:
                    d = float(a * a + b * b)
                    if best < 0.0 or d < best:
                        best = d
                        bx = ix
                        by = iy
        if best >= 0.0:
            return True, bx, by
    return False, 0, 0
