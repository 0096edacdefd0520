"""Cellular lava flow (numba): lava runs downhill from a vent, carries its heat, cools and freezes into rock.

The grid holds, per 1 m cell, the ground at the eruption's start (`base`), frozen rock added since, molten lava
depth, and lava heat energy (heat x depth, so mixing flows conserves it). One step moves lava from each cell to its
lower neighbours in proportion to the surface drop, scaled by a mobility that falls with the square of the heat
(cooling lava gets viscous). Thin lava cools faster; below FREEZE it turns into rock. Cells are visited in a fixed
order and flows are accumulated in a separate buffer, so the result is deterministic. No fastmath here (unlike the
renderer): the flow's rock becomes terrain and must replay bit for bit from a share code.
"""
import numpy as np
from numba import njit

LDT = 0.1          # seconds of world time per lava step
MOBILITY = 1.5     # 1/s: fraction of the surface drop that flows per second at full heat
YIELD = 0.04       # metres: smaller drops do not flow (lava stops on gentle ground)
COOL = 0.012       # 1/s heat loss of thick lava
COOL_THIN = 0.004  # extra heat loss of thin lava (divided by depth + 0.3 m)
FREEZE = 0.15      # heat below which lava becomes rock
MIN_LAVA = 1e-3    # metres: less than this is treated as none

_DX = np.array([1, -1, 0, 0, 1, 1, -1, -1], np.int64)
_DY = np.array([0, 0, 1, -1, 1, -1, 1, -1], np.int64)
_W = np.array([1.0, 1.0, 1.0, 1.0, 0.7071, 0.7071, 0.7071, 0.7071], np.float32)


@njit(cache=True, nogil=True)
def lava_step(base, rock, lava, energy, dl, de, box, sx, sy, sr, q):
    """One LDT step in place. box: int64[4] = active (x0, y0, x1, y1), updated; sx, sy, sr: vent cell and radius;
    q: metres of lava added over the vent this step (0 once emission ends). Returns the number of molten cells."""
    n = base.shape[0]
    if q > 0.0:
        cnt = 0
        for y in range(sy - sr, sy + sr + 1):
            for x in range(sx - sr, sx + sr + 1):
                if (x - sx) ** 2 + (y - sy) ** 2 <= sr * sr:
                    cnt += 1
        for y in range(sy - sr, sy + sr + 1):
            for x in range(sx - sr, sx + sr + 1):
                if (x - sx) ** 2 + (y - sy) ** 2 <= sr * sr:
                    lava[y, x] += np.float32(q / cnt)
                    energy[y, x] += np.float32(q / cnt)
        box[0] = min(box[0], sx - sr)
        box[1] = min(box[1], sy - sr)
        box[2] = max(box[2], sx + sr)
        box[3] = max(box[3], sy + sr)
    x0, y0 = max(box[0] - 1, 1), max(box[1] - 1, 1)
    x1, y1 = min(box[2] + 1, n - 2), min(box[3] + 1, n - 2)
    dl[y0 - 1:y1 + 2, x0 - 1:x1 + 2] = 0.0
    de[y0 - 1:y1 + 2, x0 - 1:x1 + 2] = 0.0
    drops = np.zeros(8, np.float32)
    for y in range(y0, y1 + 1):
        for x in range(x0, x1 + 1):
            l = lava[y, x]
            if l < MIN_LAVA:
                continue
            heat = energy[y, x] / l
            s = base[y, x] + rock[y, x] + l
            tot = np.float32(0.0)
            dmax = np.float32(0.0)
            for k in range(8):
                nx, ny = x + _DX[k], y + _DY[k]
                d = (s - (base[ny, nx] + rock[ny, nx] + lava[ny, nx])) * _W[k]
                if d > YIELD:
                    drops[k] = d
                    tot += d
                    dmax = max(dmax, d)
                else:
                    drops[k] = 0.0
            if tot <= 0.0:
                continue
            move = min(np.float32(0.45) * l, np.float32(MOBILITY * LDT) * heat * heat * tot, np.float32(0.5) * dmax)
            for k in range(8):
                if drops[k] > 0.0:
                    a = move * drops[k] / tot
                    dl[y + _DY[k], x + _DX[k]] += a
                    de[y + _DY[k], x + _DX[k]] += a * heat
            dl[y, x] -= move
            de[y, x] -= move * heat
    bx0, by0, bx1, by1 = n, n, -1, -1
    molten = 0
    for y in range(y0 - 1, y1 + 2):
        for x in range(x0 - 1, x1 + 2):
            l = lava[y, x] + dl[y, x]
            if l < MIN_LAVA:
                rock[y, x] += max(l, np.float32(0.0))
                lava[y, x] = 0.0
                energy[y, x] = 0.0
                continue
            heat = (energy[y, x] + de[y, x]) / l
            heat -= np.float32(LDT) * (np.float32(COOL) + np.float32(COOL_THIN) / (l + np.float32(0.3)))
            if heat < FREEZE:
                rock[y, x] += l      # frozen: the lava stays as rock
                lava[y, x] = 0.0
                energy[y, x] = 0.0
                continue
            lava[y, x] = l
            energy[y, x] = heat * l
            molten += 1
            bx0, by0 = min(bx0, x), min(by0, y)
            bx1, by1 = max(bx1, x), max(by1, y)
    if molten == 0:
        box[0], box[1], box[2], box[3] = n, n, -1, -1
    else:
        box[0], box[1], box[2], box[3] = bx0, by0, bx1, by1
    return molten
