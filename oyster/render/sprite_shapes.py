"""Procedural billboard shapes for every kind in kinds.KINDS, evaluated per pixel in sprite-local metres.

Each `*_shape(lx, ly, ...)` answers "what is at (lx, ly)?" where lx is metres to the right of the sprite's
axis and ly metres above its feet: (hit, r, g, b, nx, ny, emissive). (nx, ny) is a fake normal in the
camera plane (right, up) so round things shade like round things; `emissive` colours ignore lighting.
Characters are built from capsules whose angles depend on the current action and its phase.
"""
import math

import numpy as np
from numba import njit

from oyster.world.kinds import ACTION_ID, KIND_ID

K_TREE, K_PINE, K_ROCK, K_HOUSE = KIND_ID["tree"], KIND_ID["pine"], KIND_ID["rock"], KIND_ID["house"]
K_CACTUS, K_CAMPFIRE, K_VILLAGER, K_ANIMAL = (KIND_ID["cactus"], KIND_ID["campfire"], KIND_ID["villager"],
                                               KIND_ID["animal"])
K_PALM, K_DEAD, K_CRYSTAL, K_RUIN, K_BUILDING = (KIND_ID["palm"], KIND_ID["dead_tree"], KIND_ID["crystal"],
                                                KIND_ID["ruin"], KIND_ID["building"])
A_IDLE, A_WALK, A_WAVE, A_DANCE = ACTION_ID["idle"], ACTION_ID["walk"], ACTION_ID["wave"], ACTION_ID["dance"]
A_SIT, A_JUMP, A_FOLLOW = ACTION_ID["sit"], ACTION_ID["jump"], ACTION_ID["follow"]

# Bounding box of each kind in metres (half width, height), animations included. Index = kind id.
KIND_BOX = np.array([
    (2.3, 6.0),    # tree
    (1.7, 7.6),    # pine
    (1.0, 1.2),    # rock
    (3.2, 5.4),    # house
    (0.9, 3.2),    # cactus
    (0.8, 1.8),    # campfire
    (0.8, 2.6),    # villager (jump and raised arms)
    (1.0, 1.9),    # animal
    (2.8, 7.2),    # palm
    (1.8, 5.0),    # dead tree
    (1.1, 3.0),    # crystal
    (2.6, 3.4),    # ruin
    (5.2, 34.0),   # building
], np.float32)
BUILDING_TOP = 34.0      # metres: the tallest building (var scales each one between 40% and 100%)

SHIRTS = np.array([(0.75, 0.18, 0.15), (0.16, 0.34, 0.72), (0.85, 0.68, 0.16), (0.22, 0.55, 0.28),
                   (0.52, 0.24, 0.60), (0.90, 0.52, 0.20)], np.float32)
SKIN = (0.86, 0.66, 0.50)
TROUSERS = (0.20, 0.18, 0.22)
MISS = (False, 0.0, 0.0, 0.0, 0.0, 0.0, False)


@njit(cache=True, nogil=True, fastmath=True)
def hash01(a: int, b: int) -> float:
    """Integer hash of two ints to [0, 1): texture speckle and per-sprite variation."""
    h = (a * 374761393 + b * 668265263) & 0xFFFFFFFF
    h = ((h ^ (h >> 13)) * 1274126177) & 0xFFFFFFFF
    return (h ^ (h >> 16)) / 4294967296.0


@njit(cache=True, nogil=True, fastmath=True)
def _seg(px, py, ax, ay, bx, by):
    """Distance from p to segment ab, and the unit offset from the segment (a capsule's normal)."""
    vx, vy = bx - ax, by - ay
    t = ((px - ax) * vx + (py - ay) * vy) / (vx * vx + vy * vy + 1e-9)
    t = min(max(t, 0.0), 1.0)
    qx, qy = px - (ax + vx * t), py - (ay + vy * t)
    dist = math.sqrt(qx * qx + qy * qy) + 1e-9
    return dist, qx / dist, qy / dist


@njit(cache=True, nogil=True, fastmath=True)
def _speckle(lx, ly, cells, amount, salt):
    return 1.0 + amount * (hash01(int(math.floor(lx * cells)) + salt, int(math.floor(ly * cells))) - 0.5)


@njit(cache=True, nogil=True, fastmath=True)
def tree_shape(lx, ly, var, fine):
    best, bx, by, br = -1.0, 0.0, 0.0, 1.0
    for j in range(4):   # canopy blobs: centre x, centre y, radius
        cx = (0.0, -0.9, 0.9, 0.15)[j]
        cy = (3.7, 3.0, 3.1, 4.7)[j]
        r = (1.7, 1.15, 1.15, 1.1)[j] * (0.9 + 0.2 * var)
        q = 1.0 - ((lx - cx) ** 2 + (ly - cy) ** 2) / (r * r)
        if q > best:
            best, bx, by, br = q, cx, cy, r
    if best > 0.0:
        s = _speckle(lx, ly, max(5.0, fine), 0.35, 11)
        g = 0.85 + 0.3 * var
        return True, 0.20 * g * s, 0.44 * g * s, 0.13 * s, (lx - bx) / br, (ly - by) / br, False
    if abs(lx) < 0.2 and ly < 2.8:
        return True, 0.36, 0.25, 0.15, lx / 0.2, 0.0, False
    return MISS


@njit(cache=True, nogil=True, fastmath=True)
def pine_shape(lx, ly, var, snow, fine):
    for j in range(3):
        yb = 1.2 + j * 1.85
        top = yb + 2.9
        hw = 1.6 * (1.0 - j * 0.24) * (0.9 + 0.2 * var)
        if yb <= ly <= top:
            w = hw * (top - ly) / (top - yb)
            if abs(lx) < w:
                s = _speckle(lx, ly, max(6.0, fine), 0.3, 23)
                r, g, b = 0.09 * s, 0.30 * s, 0.16 * s
                k = snow * (0.8 if (ly - yb) > 0.35 * (top - yb) and abs(lx) > 0.35 * w else 0.25)
                r += (0.92 - r) * k
                g += (0.94 - g) * k
                b += (0.98 - b) * k
                return True, r, g, b, 0.7 * lx / (hw + 1e-6), 0.35, False
    if abs(lx) < 0.16 and ly < 1.5:
        return True, 0.32, 0.22, 0.13, lx / 0.16, 0.0, False
    return MISS


@njit(cache=True, nogil=True, fastmath=True)
def rock_shape(lx, ly, var, fine):
    ex, ey = 0.95 * (0.8 + 0.4 * var), 1.1 * (0.7 + 0.5 * var)
    f = lx / ex * 2.5 + var * 7.0
    bump = 1.0 + 0.16 * (abs(f - math.floor(f) - 0.5) - 0.25)    # triangle-wave lumps: no trig per pixel
    q = (lx / ex) ** 2 + (ly / ey) ** 2
    if q < bump * bump:
        s = _speckle(lx, ly, max(7.0, fine), 0.25, 31)
        gr = (0.42 + 0.12 * var) * s
        return True, gr, gr * 0.97, gr * 0.92, lx / ex, ly / ey, False
    return MISS


@njit(cache=True, nogil=True, fastmath=True)
def house_shape(lx, ly, var, night):
    ax = abs(lx)
    if 2.8 <= ly <= 5.3 and ax < 3.15 * (5.3 - ly) / 2.5:     # roof
        s = 1.0 - 0.18 * (int(ly * 5.0) & 1)                     # tile rows
        return True, 0.55 * s, 0.20 * s, 0.14 * s, 0.55 * math.copysign(1.0, lx), 0.8, False
    if ax < 2.65 and ly < 2.9:
        if abs(lx - 0.7) < 0.45 and ly < 1.95:                   # door
            return True, 0.34, 0.22, 0.12, 0.0, 0.0, False
        if abs(lx + 1.35) < 0.5 and 1.2 < ly < 2.15:             # window: lit from inside at night
            if night > 0.3:
                return True, 1.0 * night, 0.78 * night, 0.40 * night, 0.0, 0.0, True
            return True, 0.20, 0.26, 0.34, 0.0, 0.0, False
        if ly < 0.35:
            return True, 0.42, 0.40, 0.38, 0.0, 0.0, False      # stone footing
        wood = var > 0.55
        s = 1.0 - 0.08 * (int(ly * 4.0) & 1) if wood else 1.0
        if wood:
            return True, 0.56 * s, 0.38 * s, 0.22 * s, 0.0, 0.0, False
        return True, 0.85, 0.78, 0.64, 0.0, 0.0, False
    return MISS


@njit(cache=True, nogil=True, fastmath=True)
def cactus_shape(lx, ly):
    rib = 0.88 + 0.12 * math.cos(lx * 40.0)
    d, nx, ny = _seg(lx, ly, 0.0, 0.0, 0.0, 2.75)
    if d < 0.28:
        return True, 0.22 * rib, 0.50 * rib, 0.20 * rib, nx * d / 0.28, ny * d / 0.28, False
    for side in (-1.0, 1.0):
        hy = 1.2 if side < 0 else 1.7
        d1, nx, ny = _seg(lx, ly, 0.0, hy, 0.62 * side, hy)
        d2, mx, my = _seg(lx, ly, 0.62 * side, hy, 0.62 * side, hy + 0.9)
        if d2 < d1:
            d1, nx, ny = d2, mx, my
        if d1 < 0.17:
            return True, 0.22 * rib, 0.50 * rib, 0.20 * rib, nx * d1 / 0.17, ny * d1 / 0.17, False
    return MISS


@njit(cache=True, nogil=True, fastmath=True)
def campfire_shape(lx, ly, t):
    if ly < 0.28 and abs(lx) < 0.65:                             # logs
        if abs(lx) > 0.55 or ly < 0.1:
            return True, 0.45, 0.43, 0.40, 0.0, 0.0, False      # ring stones
        return True, 0.30, 0.18, 0.09, 0.0, 0.5, False
    h = 1.3 + 0.15 * math.sin(t * 11.0)
    if 0.12 < ly < 0.12 + h:
        f = (ly - 0.12) / h
        wob = math.sin(t * 9.0 + ly * 6.0) * 0.1 * f
        hw = 0.45 * (1.0 - f) ** 0.7 * (1.0 + 0.15 * math.sin(t * 13.0 + ly * 9.0))
        e = abs(lx - wob) / (hw + 1e-6)
        if e < 1.0:
            hot = 1.0 - e * 0.8 - f * 0.5
            return True, 1.6, 0.5 + 0.9 * hot, 0.1 + 0.5 * hot * hot, 0.0, 0.0, True
    return MISS


@njit(cache=True, nogil=True, fastmath=True)
def _pose(action, t):
    """Villager pose: (lift, hip height, sway, left/right leg angle, left/right arm angle) for an action.
    Angles are radians from straight down; positive swings towards +x."""
    lift, hip, sway = 0.0, 0.9, 0.0
    ll, lr, al, ar = 0.0, 0.0, -0.12, 0.12
    if action == A_WALK or action == A_FOLLOW:
        s = math.sin(t * 8.0)
        ll, lr, al, ar = 0.45 * s, -0.45 * s, -0.4 * s, 0.4 * s
        lift = 0.04 * abs(s)
    elif action == A_WAVE:
        ar = 2.7 + 0.35 * math.sin(t * 9.0)
    elif action == A_DANCE:
        lift = 0.12 * abs(math.sin(t * 6.0))
        sway = 0.12 * math.sin(t * 3.0)
        al, ar = -2.4 + 0.5 * math.sin(t * 6.0), 2.4 + 0.5 * math.sin(t * 6.0 + 1.5)
        ll, lr = -0.25 + 0.2 * math.sin(t * 6.0), 0.25 - 0.2 * math.sin(t * 6.0)
    elif action == A_SIT:
        hip = 0.45
        ll, lr = 1.45, 1.25          # legs out in front, seen from the side
        al, ar = 0.5, 0.7
    elif action == A_JUMP:
        lift = 0.7 * abs(math.sin(t * 3.5))
        ll, lr, al, ar = 0.5, -0.5, -2.6, 2.6
    else:                            # idle: breathe and sway a little
        sway = 0.03 * math.sin(t * 1.5)
        al, ar = -0.12 - 0.04 * math.sin(t * 1.5), 0.12 + 0.04 * math.sin(t * 1.5)
    return lift, hip, sway, ll, lr, al, ar


@njit(cache=True, nogil=True, fastmath=True)
def villager_pose(action, t):
    """Per-sprite part of the villager: pose plus sines/cosines of the limb angles (once, not per pixel)."""
    lift, hip, sway, ll, lr, al, ar = _pose(action, t)
    return (lift, hip, sway, math.sin(al), math.cos(al), math.sin(ar), math.cos(ar),
            math.sin(ll), math.cos(ll), math.sin(lr), math.cos(lr), 0.0)


@njit(cache=True, nogil=True, fastmath=True)
def villager_shape(lx, ly, pose, var):
    lift, hip, sway = pose[0], pose[1], pose[2]
    y = ly - lift
    x = lx - sway
    sh = hip + 0.58                                             # shoulder height
    hx, hy = 0.0, sh + 0.24                                     # head centre
    q = (x - hx) ** 2 + (y - hy) ** 2
    if q < 0.15 * 0.15:
        n = math.sqrt(q) / 0.15
        if y > hy + 0.04 and (x - hx) ** 2 + (y - hy - 0.03) ** 2 < 0.15 * 0.15:
            return True, 0.25 + 0.3 * var, 0.16 + 0.15 * var, 0.08, (x - hx) / 0.15, (y - hy) / 0.15, False  # hair
        return True, SKIN[0], SKIN[1], SKIN[2], (x - hx) / 0.15, (y - hy) / 0.15 * n, False
    k = int(var * 6.0) % 6
    d, nx, ny = _seg(x, y, 0.0, hip + 0.05, 0.0, sh - 0.02)     # torso
    if d < 0.19:
        return True, float(SHIRTS[k, 0]), float(SHIRTS[k, 1]), float(SHIRTS[k, 2]), nx * d / 0.19, 0.0, False
    if abs(x) > 0.9 or y > sh + 0.7:
        return MISS
    for side in range(2):
        sx = -0.23 if side == 0 else 0.23
        sa, ca = pose[3 + 2 * side], pose[4 + 2 * side]
        d, nx, ny = _seg(x, y, sx, sh - 0.04, sx + 0.6 * sa, sh - 0.04 - 0.6 * ca)
        if d < 0.065:   # sleeves a shade darker than the shirt
            return (True, float(SHIRTS[k, 0] * 0.85), float(SHIRTS[k, 1] * 0.85), float(SHIRTS[k, 2] * 0.85),
                    nx, ny, False)
        lxo = -0.1 if side == 0 else 0.1
        sa, ca = pose[7 + 2 * side], pose[8 + 2 * side]
        d, nx, ny = _seg(x, y, lxo, hip, lxo + 0.86 * sa, hip - 0.86 * ca)
        if d < 0.085:
            return True, TROUSERS[0], TROUSERS[1], TROUSERS[2], nx, ny, False
    return MISS


@njit(cache=True, nogil=True, fastmath=True)
def animal_pose(action, t):
    """Per-sprite part of an animal: (lift, body height, head offset, sin/cos of the leg swing)."""
    lift, body_y, head_dy, leg = 0.0, 0.85, 0.0, 0.0
    if action == A_WALK or action == A_FOLLOW:
        leg = 0.4 * math.sin(t * 9.0)
        lift = 0.03 * abs(math.sin(t * 9.0))
    elif action == A_JUMP:
        lift = 0.55 * abs(math.sin(t * 3.5))
        leg = 0.5
    elif action == A_SIT:
        body_y = 0.38
    elif action == A_DANCE:
        lift = 0.15 * abs(math.sin(t * 7.0))
        leg = 0.3 * math.sin(t * 14.0)
    elif action == A_WAVE:
        head_dy = 0.25 * math.sin(t * 8.0)                      # nods its head
    else:
        head_dy = -0.35 * (0.5 + 0.5 * math.sin(t * 0.8))       # grazes
    return (lift, body_y, head_dy, math.sin(leg), math.cos(leg), 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)


@njit(cache=True, nogil=True, fastmath=True)
def animal_shape(lx, ly, pose, var, fine):
    face = 1.0 if var > 0.5 else -1.0                           # which way it faces
    x = lx * face
    lift, body_y, head_dy, sl, cl = pose[0], pose[1], pose[2], pose[3], pose[4]
    y = ly - lift
    if var < 0.35:
        cr, cg, cb = 0.90, 0.88, 0.82                           # sheep
    elif var < 0.7:
        cr, cg, cb = 0.55, 0.36, 0.20                           # deer
    else:
        cr, cg, cb = 0.28, 0.24, 0.22                           # dark goat
    q = (x / 0.62) ** 2 + ((y - body_y) / 0.32) ** 2
    if q < 1.0:
        s = _speckle(lx, ly, max(8.0, fine), 0.2, 41) if var < 0.35 else 1.0
        return True, cr * s, cg * s, cb * s, x / 0.62 * face, (y - body_y) / 0.32, False
    hx, hy = 0.72, body_y + 0.28 + head_dy
    if (x - hx) ** 2 + (y - hy) ** 2 < 0.19 * 0.19:
        return True, cr * 0.8, cg * 0.8, cb * 0.8, (x - hx) / 0.19 * face, (y - hy) / 0.19, False
    d, nx, ny = _seg(x, y, 0.5, body_y + 0.1, hx, hy)           # neck
    if d < 0.1:
        return True, cr * 0.9, cg * 0.9, cb * 0.9, nx * face, ny, False
    if body_y > 0.5:
        for j in range(4):
            fx = (-0.42, -0.28, 0.3, 0.44)[j]
            sa = sl if j % 2 == 0 else -sl
            d, nx, ny = _seg(x, y, fx, body_y - 0.1, fx + 0.75 * sa, body_y - 0.1 - 0.75 * cl)
            if d < 0.06:
                return True, cr * 0.6, cg * 0.6, cb * 0.6, nx * face, ny, False
    return MISS


@njit(cache=True, nogil=True, fastmath=True)
def palm_shape(lx, ly, var, fine):
    top = 6.2 + 0.8 * var
    bend = 0.9 * (ly / top) ** 2 * (1.0 if var > 0.5 else -1.0)
    if ly < top and abs(lx - bend) < 0.2 - 0.05 * ly / top:
        ring = 1.0 - 0.15 * (int(ly * 4.0) & 1)
        return True, 0.45 * ring, 0.34 * ring, 0.22 * ring, (lx - bend) / 0.2, 0.0, False
    dx, dy = lx - bend * 1.05, ly - top
    r = math.sqrt(dx * dx + dy * dy)
    if r < 2.7 and dy > -1.6:
        a = math.atan2(dy, dx)
        droop = dy + 0.25 * dx * dx              # fronds arch and hang down at their tips
        if abs(math.sin(3.5 * a + var * 3.0)) > 0.35 and -0.9 < droop < 0.55:
            s = _speckle(lx, ly, max(5.0, fine), 0.3, 41)
            return True, 0.16 * s, 0.42 * s, 0.12 * s, dx / 2.7, dy / 2.7, False
    return MISS


@njit(cache=True, nogil=True, fastmath=True)
def dead_tree_shape(lx, ly, var):
    d, nx, ny = _seg(lx, ly, 0.0, 0.0, 0.2 * (var - 0.5), 4.2)
    if d < 0.18 - 0.025 * ly:
        return True, 0.30, 0.26, 0.22, nx, ny, False
    for j in range(3):
        y0 = 1.8 + 0.8 * j
        side = 1.0 if (j + int(var * 3.0)) % 2 == 0 else -1.0
        d, nx, ny = _seg(lx, ly, 0.0, y0, side * (1.0 + 0.5 * var), y0 + 1.0 + 0.3 * j)
        if d < 0.08:
            return True, 0.32, 0.27, 0.23, nx, ny, False
    return MISS


@njit(cache=True, nogil=True, fastmath=True)
def crystal_shape(lx, ly, var, night):
    for j in range(3):
        cx = (0.0, -0.55, 0.5)[j]
        h = (2.8, 1.7, 1.4)[j] * (0.7 + 0.3 * var)
        w = (0.38, 0.28, 0.26)[j]
        if 0.0 <= ly <= h and abs(lx - cx) < w * min(1.0, (h - ly) / (0.35 * h)):
            lit = 0.7 + 0.3 * math.copysign(1.0, lx - cx)
            glow = 0.4 + 0.8 * night
            if var > 0.5:
                return True, 0.55 * lit * glow, 0.95 * lit * glow, 1.0 * lit * glow, 0.0, 0.0, True
            return True, 0.95 * lit * glow, 0.35 * lit * glow, 1.0 * lit * glow, 0.0, 0.0, True
    return MISS


@njit(cache=True, nogil=True, fastmath=True)
def ruin_shape(lx, ly, var):
    ax = abs(lx)
    top = 3.2 - 1.6 * hash01(int(lx * 1.5 + 40.0), int(var * 97.0))     # broken top edge
    if ax < 2.5 and ly < top:
        if ax < 0.8 and ly < 2.1:                                        # the arch
            if ly < 1.5 or (lx * lx + (ly - 1.5) ** 2) < 0.64:
                return MISS
        s = 1.0 - 0.12 * ((int(ly * 3.0) + int(lx * 1.5 + 10.0)) & 1)    # stone courses
        return True, 0.62 * s, 0.58 * s, 0.50 * s, lx / 2.5, 0.0, False
    return MISS


@njit(cache=True, nogil=True, fastmath=True)
def building_shape(lx, ly, var, night):
    top = BUILDING_TOP * (0.4 + 0.6 * var)
    w = 4.2 + 1.0 * var
    if abs(lx) > w or ly > top:
        return MISS
    if top - 0.6 < ly and night > 0.2:                                   # neon band along the roof line
        if var > 0.5:
            return True, 1.4 * night, 0.2 * night, 1.2 * night, 0.0, 0.0, True
        return True, 0.2 * night, 1.3 * night, 1.4 * night, 0.0, 0.0, True
    fx = (lx + w) / 1.6
    fy = ly / 3.2
    inx = fx - math.floor(fx)
    iny = fy - math.floor(fy)
    if ly > 1.0 and 0.25 < inx < 0.75 and 0.3 < iny < 0.8:              # a window
        on = hash01(int(fx) + int(var * 1000.0), int(fy)) < 0.55
        if night > 0.3 and on:
            return True, 1.1 * night, 0.9 * night, 0.55 * night, 0.0, 0.0, True
        return True, 0.16, 0.2, 0.26, 0.0, 0.0, False
    g = 0.42 + 0.2 * var
    return True, g, g * 1.02, g * 1.08, lx / w, 0.0, False


NO_POSE = (0.0,) * 12


@njit(cache=True, nogil=True, fastmath=True)
def sprite_pose(kind, action, t):
    """Everything about a sprite's animation that is the same for all its pixels (t: seconds into action)."""
    if kind == K_VILLAGER:
        return villager_pose(action, t)
    if kind == K_ANIMAL:
        return animal_pose(action, t)
    return NO_POSE


@njit(cache=True, nogil=True, fastmath=True)
def pose_box(kind, pose):
    """Tight (x0, x1, y0, y1) box in sprite metres around the posed shape: a villager standing still fills
    a quarter of its worst-case box, and close-up characters are the most expensive sprites to draw."""
    if kind == K_VILLAGER:
        lift, hip, sway = pose[0], pose[1], pose[2]
        sh = hip + 0.58
        x0, x1, y1 = -0.3, 0.3, sh + 0.4
        for side in range(2):
            sx = -0.23 if side == 0 else 0.23
            ax = sx + 0.6 * pose[3 + 2 * side]
            ay = sh - 0.04 - 0.6 * pose[4 + 2 * side]
            x0, x1, y1 = min(x0, ax - 0.07), max(x1, ax + 0.07), max(y1, ay + 0.07)
            lx = (-0.1 if side == 0 else 0.1) + 0.86 * pose[7 + 2 * side]
            x0, x1 = min(x0, lx - 0.09), max(x1, lx + 0.09)
        return x0 + sway, x1 + sway, lift, y1 + lift
    if kind == K_ANIMAL:
        return -1.0, 1.0, pose[0], pose[0] + pose[1] + 0.75
    b = KIND_BOX[kind]
    return -b[0], b[0], 0.0, b[1]


@njit(cache=True, nogil=True, fastmath=True)
def sprite_shape(kind, pose, lx, ly, var, snow, night, now, fine):
    """Dispatch to the kind's shape; pose from sprite_pose, now = world time (fire flicker), fine = texture
    cells per metre wanted at this size (speckle stays a few pixels wide close up, not big blocks)."""
    if kind == K_TREE:
        return tree_shape(lx, ly, var, fine)
    if kind == K_PINE:
        return pine_shape(lx, ly, var, snow, fine)
    if kind == K_ROCK:
        return rock_shape(lx, ly, var, fine)
    if kind == K_HOUSE:
        return house_shape(lx, ly, var, night)
    if kind == K_CACTUS:
        return cactus_shape(lx, ly)
    if kind == K_CAMPFIRE:
        return campfire_shape(lx, ly, now + var * 10.0)
    if kind == K_VILLAGER:
        return villager_shape(lx, ly, pose, var)
    if kind == K_ANIMAL:
        return animal_shape(lx, ly, pose, var, fine)
    if kind == K_PALM:
        return palm_shape(lx, ly, var, fine)
    if kind == K_DEAD:
        return dead_tree_shape(lx, ly, var)
    if kind == K_CRYSTAL:
        return crystal_shape(lx, ly, var, night)
    if kind == K_RUIN:
        return ruin_shape(lx, ly, var)
    if kind == K_BUILDING:
        return building_shape(lx, ly, var, night)
    return MISS


@njit(cache=True, nogil=True, fastmath=True)
def far_shape(kind, lx, ly, var, night):
    """Cheap silhouette for sprites only a few pixels tall: one or two primitives, no texture, flat colour.
    Returns (hit, r, g, b, emissive); the caller lights it with one flat factor per sprite."""
    if kind == K_TREE:
        if lx * lx + (ly - 3.6) * (ly - 3.6) < 3.6:
            return True, 0.19, 0.40, 0.12, False
        return abs(lx) < 0.25 and ly < 2.6, 0.36, 0.25, 0.15, False
    if kind == K_PINE:
        return ly < 7.2 and abs(lx) < 1.5 * (7.2 - ly) / 6.4, 0.09, 0.28, 0.15, False
    if kind == K_ROCK:
        return lx * lx + ly * ly < 0.9, 0.44, 0.42, 0.40, False
    if kind == K_HOUSE:
        if ly > 2.8:
            return abs(lx) < 3.15 * (5.3 - ly) / 2.5, 0.55, 0.20, 0.14, False
        if night > 0.3 and abs(lx + 1.35) < 0.5 and 1.2 < ly < 2.15:
            return True, night, 0.78 * night, 0.4 * night, True
        return abs(lx) < 2.65, 0.80, 0.72, 0.58, False
    if kind == K_CACTUS:
        return abs(lx) < 0.3 and ly < 2.9, 0.22, 0.50, 0.20, False
    if kind == K_CAMPFIRE:
        return ly < 1.2 and abs(lx) < 0.4 * (1.2 - ly), 1.6, 0.8, 0.2, True
    if kind == K_VILLAGER:
        k = int(var * 6.0) % 6
        if ly > 1.42:
            return abs(lx) < 0.14 and ly < 1.7, SKIN[0], SKIN[1], SKIN[2], False
        if ly > 0.85:
            return abs(lx) < 0.22, float(SHIRTS[k, 0]), float(SHIRTS[k, 1]), float(SHIRTS[k, 2]), False
        return 0.03 < abs(lx) < 0.17, TROUSERS[0], TROUSERS[1], TROUSERS[2], False
    if kind == K_ANIMAL:
        q = (lx / 0.7) ** 2 + ((ly - 0.8) / 0.4) ** 2
        return q < 1.0 or (abs(lx) < 0.5 and ly < 0.8 and abs(abs(lx) - 0.4) < 0.06), 0.6, 0.5, 0.4, False
    if kind == K_PALM:
        if ly > 5.8:
            return abs(lx) < 2.4 and ly < 7.0, 0.16, 0.40, 0.12, False
        return abs(lx) < 0.2, 0.45, 0.34, 0.22, False
    if kind == K_DEAD:
        return abs(lx) < 0.15 + 0.25 * (ly > 2.0) and ly < 4.5, 0.30, 0.26, 0.22, False
    if kind == K_CRYSTAL:
        g = 0.4 + 0.8 * night
        return abs(lx) < 0.4 * (3.0 - ly) / 3.0 and ly < 2.6, 0.8 * g, 0.5 * g, 1.0 * g, True
    if kind == K_RUIN:
        return abs(lx) < 2.5 and ly < 2.6 and not (abs(lx) < 0.8 and ly < 1.8), 0.6, 0.56, 0.48, False
    if kind == K_BUILDING:
        top = BUILDING_TOP * (0.4 + 0.6 * var)
        if abs(lx) > 4.2 + var or ly > top:
            return False, 0.0, 0.0, 0.0, False
        if night > 0.3 and (int(ly / 3.2) + int(lx / 1.6 + 10.0)) % 3 == 0:
            return True, 1.0 * night, 0.85 * night, 0.5 * night, True
        return True, 0.45, 0.46, 0.5, False
    return False, 0.0, 0.0, 0.0, False
