"""Integer-hash noise for the terrain: hashing, gradient noise with derivatives, fBm, ridged and eroded fBm.

Everything depends only on integer lattice coordinates and a 32-bit salt, and runs without fastmath, so a value is
bit-identical wherever it is evaluated (inside any chunk or as a single point).
"""
import numpy as np
from numba import njit

M32 = 0xFFFFFFFF


def seed_salts(seed: int, n: int = 32) -> np.ndarray:
    """Per-seed salts (one per noise field), as int64 holding 32-bit values."""
    s = int(seed) & 0xFFFFFFFFFFFFFFFF
    s = (s ^ (s >> 32)) & M32
    out = np.empty(n, np.int64)
    for k in range(n):
        out[k] = _mix_py((s * 0x9E3779B1 + k * 0x7F4A7C15 + 0x1234567) & M32)
    return out


def _mix_py(h: int) -> int:
    h = (((h >> 16) ^ h) * 0x45D9F3B) & M32
    h = (((h >> 16) ^ h) * 0x45D9F3B) & M32
    return (h >> 16) ^ h


@njit(cache=True, nogil=True, inline="always")
def hash2(ix, iy, salt):
    """32-bit hash of an integer lattice point (ix, iy may be negative)."""
    h = (ix * 0x27D4EB2D + iy * 0x165667B1 + salt) & 0xFFFFFFFF
    h = (((h >> 16) ^ h) * 0x45D9F3B) & 0xFFFFFFFF
    h = (((h >> 16) ^ h) * 0x45D9F3B) & 0xFFFFFFFF
    return (h >> 16) ^ h


@njit(cache=True, nogil=True, inline="always")
def hash01(ix, iy, salt):
    """Uniform float in [0, 1) from a lattice point."""
    return hash2(ix, iy, salt) * (1.0 / 4294967296.0)


@njit(cache=True, nogil=True, inline="always")
def _grad(ix, iy, salt):
    h = hash2(ix, iy, salt)
    return (h & 0xFFFF) * (2.0 / 65535.0) - 1.0, ((h >> 16) & 0xFFFF) * (2.0 / 65535.0) - 1.0


@njit(cache=True, nogil=True, inline="always")
def _noised(x, y, salt):
    xf = np.floor(x)
    yf = np.floor(y)
    ix = np.int64(xf)
    iy = np.int64(yf)
    fx = x - xf
    fy = y - yf
    ux = fx * fx * fx * (fx * (fx * 6.0 - 15.0) + 10.0)
    uy = fy * fy * fy * (fy * (fy * 6.0 - 15.0) + 10.0)
    dux = 30.0 * fx * fx * (fx * (fx - 2.0) + 1.0)
    duy = 30.0 * fy * fy * (fy * (fy - 2.0) + 1.0)
    gax, gay = _grad(ix, iy, salt)
    gbx, gby = _grad(ix + 1, iy, salt)
    gcx, gcy = _grad(ix, iy + 1, salt)
    gdx, gdy = _grad(ix + 1, iy + 1, salt)
    va = gax * fx + gay * fy
    vb = gbx * (fx - 1.0) + gby * fy
    vc = gcx * fx + gcy * (fy - 1.0)
    vd = gdx * (fx - 1.0) + gdy * (fy - 1.0)
    k = va - vb - vc + vd
    v = va + ux * (vb - va) + uy * (vc - va) + ux * uy * k
    dx = gax + ux * (gbx - gax) + uy * (gcx - gax) + ux * uy * (gax - gbx - gcx + gdx) + dux * (uy * k + (vb - va))
    dy = gay + ux * (gby - gay) + uy * (gcy - gay) + ux * uy * (gay - gby - gcy + gdy) + duy * (ux * k + (vc - va))
    return v, dx, dy


@njit(cache=True, nogil=True)
def noised(x, y, salt):
    """2D gradient noise (~[-0.7, 0.7]) and its analytic derivatives (d/dx, d/dy) at (x, y)."""
    return _noised(x, y, salt)


@njit(cache=True, nogil=True)
def noise(x, y, salt):
    """2D gradient noise value only, ~[-0.7, 0.7] (inlined: the unused derivatives compile away)."""
    return _noised(x, y, salt)[0]


@njit(cache=True, nogil=True)
def fbm(x, y, salt, octaves):
    """Plain fBm, standard deviation ~0.45 (|v| < 1 almost always); octaves are rotated to hide the lattice."""
    a = 0.0
    b = 1.0
    norm = 0.0
    for k in range(octaves):
        a += b * noise(x, y, salt + k * 101)
        norm += b
        b *= 0.5
        x, y = 1.6 * x - 1.2 * y + 17.3, 1.2 * x + 1.6 * y - 9.1
    return a / norm * 4.0


@njit(cache=True, nogil=True)
def eroded_fbm(x, y, salt, octaves):
    """Derivative-damped fBm ("pseudo-erosion"): small octaves are suppressed on steep slopes, which
    leaves smooth valleys and sharp gullied ridges instead of uniform bumps. Std ~0.45."""
    a = 0.0
    b = 1.0
    sx = 0.0
    sy = 0.0
    # derivatives of later octaves are in rotated, scaled coordinates; tracking them in the base frame
    # (chain rule through the rotation) keeps the damping direction-consistent.
    m00, m01, m10, m11 = 1.0, 0.0, 0.0, 1.0
    for k in range(octaves):
        v, dx, dy = noised(x, y, salt + k * 131)
        gx = dx * m00 + dy * m10
        gy = dx * m01 + dy * m11
        sx += gx * b
        sy += gy * b
        a += b * v / (1.0 + sx * sx + sy * sy)
        b *= 0.5
        x, y = 1.6 * x - 1.2 * y + 31.7, 1.2 * x + 1.6 * y - 11.3
        m00, m01, m10, m11 = 1.6 * m00 - 1.2 * m10, 1.6 * m01 - 1.2 * m11, 1.2 * m00 + 1.6 * m10, 1.2 * m01 + 1.6 * m11
    return a * 3.5


@njit(cache=True, nogil=True)
def ridged(x, y, salt, octaves):
    """Ridged multifractal in [0, 1]: sharp crests where the noise crosses zero; each octave is
    weighted by the previous crest so detail gathers on the ridges."""
    a = 0.0
    w = 1.0
    b = 1.0
    norm = 0.0
    for k in range(octaves):
        n = 1.0 - abs(noise(x, y, salt + k * 173)) * 1.4
        if n < 0.0:
            n = 0.0
        n = n * n
        a += n * b * w
        norm += b
        w = min(1.0, n * 1.5)
        b *= 0.5
        x, y = 1.6 * x - 1.2 * y + 7.7, 1.2 * x + 1.6 * y + 3.9
    return a / norm


@njit(cache=True, nogil=True, inline="always")
def smoothstep(e0, e1, x):
    t = (x - e0) / (e1 - e0)
    if t < 0.0:
        t = 0.0
    elif t > 1.0:
        t = 1.0
    return t * t * (3.0 - 2.0 * t)


@njit(cache=True, nogil=True, inline="always")
def lerp(a, b, t):
    return a + (b - a) * t
