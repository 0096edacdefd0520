"""A cinematic camera path: centripetal Catmull-Rom through control points, eased along its length,
a rising crane shot at the start, terrain-following height, and a landing at the player's eye pose.

Pure numpy: the world is seen only through `ground(x, y) -> metres` and the points given in.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

Ground = Callable[[float, float], float]


@dataclass
class CameraConfig:
    speed: float = 22.0            # m/s, mean horizontal speed the route is sized for (a drone, not a jet)
    cruise_clearance: float = 28.0 # metres above the (smoothed) terrain while cruising
    crane_start: float = 2.5       # metres above ground where the opening crane shot starts
    min_clearance: float = 2.0     # metres; never closer to the ground than this, except the landing
    crane_frac: float = 0.22       # share of the shot spent rising at the start
    land_frac: float = 0.22        # share of the shot spent descending to the player's eye at the end
    look_blend: float = 0.1        # 0 = always look at the point of interest, 1 = along the path
    smooth_s: float = 0.35         # seconds; Gaussian smoothing of the look target and height
    terrain_probe: float = 8.0     # metres; terrain this close to the camera counts for its height
    pitch_limit: float = 0.85      # radians; the renderer clamps at about 0.9
    max_turn: float = 0.75         # radians per second; faster pans judder at 30 fps
    look_pitch: tuple = (-0.45, 0.3)  # radians; the gaze stays near the horizon (no staring at sky or feet)
    min_hold_s: float = 1.5        # seconds the view stays on one place before moving to the next
    min_orbit: float = 90.0        # metres; the route circles the main place at least this far out


@dataclass
class Poi:
    name: str
    x: float
    y: float
    z: float            # metres, the height to look at (summit for a volcano)
    weight: float = 1.0
    max_down: float = 0.45   # radians the gaze may dip towards it (flat places: less, so the horizon stays in)


@dataclass
class Pose:
    x: float
    y: float
    z: float            # eye height in metres (not the feet)
    yaw: float
    pitch: float


@dataclass
class CameraPath:
    x: np.ndarray       # (n,) metres
    y: np.ndarray
    z: np.ndarray       # eye height, metres
    yaw: np.ndarray     # (n,) radians, wrapped to (-pi, pi]
    pitch: np.ndarray   # (n,) radians

    def __len__(self) -> int:
        return len(self.x)

    def pose(self, i: int) -> Pose:
        return Pose(float(self.x[i]), float(self.y[i]), float(self.z[i]), float(self.yaw[i]), float(self.pitch[i]))


def ease_in_out(u: np.ndarray) -> np.ndarray:
    """Smootherstep: zero velocity and acceleration at both ends."""
    u = np.clip(u, 0.0, 1.0)
    return u * u * u * (u * (u * 6 - 15) + 10)


def catmull_rom(points: np.ndarray, samples_per_seg: int = 64) -> np.ndarray:
    """Centripetal Catmull-Rom (alpha 0.5) through all `points` (k, 2): no cusps or self-loops."""
    p = np.asarray(points, np.float64)
    if len(p) < 2:
        return np.repeat(p, 2, axis=0)
    ext = np.vstack([2 * p[0] - p[1], p, 2 * p[-1] - p[-2]])   # phantom ends so the curve hits p[0], p[-1]
    out = []
    for i in range(1, len(ext) - 2):
        p0, p1, p2, p3 = ext[i - 1:i + 3]
        t0 = 0.0
        t1 = t0 + max(np.linalg.norm(p1 - p0), 1e-6) ** 0.5
        t2 = t1 + max(np.linalg.norm(p2 - p1), 1e-6) ** 0.5
        t3 = t2 + max(np.linalg.norm(p3 - p2), 1e-6) ** 0.5
        t = np.linspace(t1, t2, samples_per_seg, endpoint=False)[:, None]
        a1 = (t1 - t) / (t1 - t0) * p0 + (t - t0) / (t1 - t0) * p1     # Barry-Goldman pyramid
        a2 = (t2 - t) / (t2 - t1) * p1 + (t - t1) / (t2 - t1) * p2
        a3 = (t3 - t) / (t3 - t2) * p2 + (t - t2) / (t3 - t2) * p3
        b1 = (t2 - t) / (t2 - t0) * a1 + (t - t0) / (t2 - t0) * a2
        b2 = (t3 - t) / (t3 - t1) * a2 + (t - t1) / (t3 - t1) * a3
        out.append((t2 - t) / (t2 - t1) * b1 + (t - t1) / (t2 - t1) * b2)
    out.append(p[-1:])
    return np.vstack(out)


def resample_by_length(curve: np.ndarray, s: np.ndarray) -> np.ndarray:
    """Points at arc lengths `s` (metres) along a dense polyline `curve` (m, 2)."""
    seg = np.linalg.norm(np.diff(curve, axis=0), axis=1)
    cum = np.concatenate([[0.0], np.cumsum(seg)])
    return np.stack([np.interp(s, cum, curve[:, k]) for k in range(curve.shape[1])], axis=1)


def gaussian_smooth(v: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian filter along axis 0 with edge padding (sigma in samples)."""
    if sigma < 0.5 or len(v) < 3:
        return v.copy()
    r = int(3 * sigma)
    k = np.exp(-0.5 * (np.arange(-r, r + 1) / sigma) ** 2)
    k /= k.sum()
    pad = np.pad(v, [(r, r)] + [(0, 0)] * (v.ndim - 1), mode="edge")
    if v.ndim == 1:
        return np.convolve(pad, k, mode="valid")
    return np.stack([np.convolve(pad[:, j], k, mode="valid") for j in range(v.shape[1])], axis=1)


def safe_floor(xy: np.ndarray, ground: Ground, probe: float, radius: int) -> np.ndarray:
    """A smooth height floor that never dips below the terrain near the path.

    The max over a +-radius window followed by a +-radius box average is >= the original at every
    sample (each value in the box window is a max over a window that contains the centre).
    """
    offs = [(0.0, 0.0), (probe, 0.0), (-probe, 0.0), (0.0, probe), (0.0, -probe)]
    h = np.array([max(ground(x + dx, y + dy) for dx, dy in offs) for x, y in xy])
    n = len(h)
    hmax = np.array([h[max(0, i - radius):i + radius + 1].max() for i in range(n)])
    pad = np.pad(hmax, radius, mode="edge")
    return np.convolve(pad, np.ones(2 * radius + 1) / (2 * radius + 1), mode="valid")


def route(pois: list[Poi], end: Pose, seconds: float, cfg: CameraConfig, close: bool = False) -> np.ndarray:
    """Control points (k, 2): start beyond the main point of interest, pass the others, land at `end`.

    close=True swings the middle of the route in over the main place (an eruption is worth a close look)."""
    main = pois[0]
    e = np.array([end.x, end.y])
    c = np.array([main.x, main.y])
    d = e - c
    r = max(float(np.linalg.norm(d)), cfg.min_orbit)
    ang = math.atan2(d[1], d[0])

    def around(a: float, k: float) -> np.ndarray:   # a point at bearing ang+a, distance k*r from the main POI
        return c + k * r * np.array([math.cos(ang + a), math.sin(ang + a)])

    start, mid = around(math.radians(110), 1.5), around(math.radians(50), 0.7 if close else 1.15)
    pts = [start]
    budget = cfg.speed * seconds
    for q in sorted(pois[1:], key=lambda q: -math.dist((q.x, q.y), e)):   # far ones first: the tour ends at e
        trial = pts + [np.array([q.x, q.y]), mid, e]
        if _length(trial) <= budget:
            pts.append(np.array([q.x, q.y]))
    pts = np.array(pts + [mid, e])
    length = _length(pts)
    if length > budget:   # too long for the shot: shrink the whole route towards the landing point
        pts = e + (pts - e) * (budget / length)
    return pts


def _length(pts) -> float:
    return float(sum(np.linalg.norm(np.asarray(b) - np.asarray(a)) for a, b in zip(pts[:-1], pts[1:], strict=True)))


def _wrap(a: np.ndarray) -> np.ndarray:
    return (a + np.pi) % (2 * np.pi) - np.pi


def _look_target(xy: np.ndarray, pois: list[Poi], fps: float, cfg: CameraConfig) -> np.ndarray:
    """Per frame, the point of interest to look at: the best-scoring place (near, ahead of the camera, weighty),
    held for at least `min_hold_s` so the view settles on each place instead of hunting between them.

    Places behind the camera or right under it score low, so flying over a lake does not whip the view round.
    Returns the (n,) index of the place looked at per frame; the caller smooths the resulting angles."""
    pos = np.array([[p.x, p.y, p.z] for p in pois])                      # (k, 3)
    rel = pos[None, :, :2] - xy[:, None, :]                               # (n, k, 2)
    dist = np.linalg.norm(rel, axis=2)                                    # (n, k)
    head = gaussian_smooth(np.gradient(xy, axis=0), fps * 0.5)
    head /= np.maximum(np.linalg.norm(head, axis=1, keepdims=True), 1e-9)
    ahead = (rel * head[:, None, :]).sum(axis=2) / np.maximum(dist, 1e-9)   # cos of the angle off the heading
    score = (np.array([p.weight for p in pois])[None, :] * np.exp(-(dist - dist.min(axis=1, keepdims=True)) / 120.0)
             * (0.3 + 0.7 * np.clip(ahead, 0.0, 1.0)) * np.clip((dist - 15.0) / 45.0, 0.05, 1.0))
    n = len(xy)
    score[: int(n * cfg.crane_frac), 0] *= 4.0                            # the opening crane reveals the main place
    score[int(n * (1.0 - cfg.land_frac)):, 0] *= 4.0                      # and the landing looks back at it
    pick = gaussian_smooth(score, fps * 0.3).argmax(axis=1)
    hold = int(cfg.min_hold_s * fps)
    i = 0
    while i < n:                                                          # merge runs shorter than the hold
        j = i
        while j < n and pick[j] == pick[i]:
            j += 1
        if j - i < hold and i > 0:
            pick[i:j] = pick[i - 1]
        i = j
    return pick


def rate_limit(a: np.ndarray, max_step: float) -> np.ndarray:
    """Follow `a` (unwrapped radians) but never turn more than max_step per frame (the caller smooths after)."""
    out = a.copy()
    for i in range(1, len(a)):
        out[i] = out[i - 1] + np.clip(a[i] - out[i - 1], -max_step, max_step)
    return out


def build_path(pois: list[Poi], end: Pose, ground: Ground, seconds: float, fps: int = 30,
               cfg: CameraConfig | None = None, close: bool = False) -> CameraPath:
    """Per-frame camera poses for a shot of `seconds` that ends exactly at `end` (the player's eye pose).

    close=True passes nearer the main place (used when it erupts)."""
    cfg = cfg or CameraConfig()
    assert pois, "a shot needs at least one point of interest"
    n = int(round(seconds * fps))
    assert n >= 2, f"a shot needs at least two frames, got {n}"
    u = np.linspace(0.0, 1.0, n)
    curve = catmull_rom(route(pois, end, seconds, cfg, close))
    length = float(np.linalg.norm(np.diff(curve, axis=0), axis=1).sum())
    xy = resample_by_length(curve, length * ease_in_out(u))                # (n, 2) eased along the length

    # height: crane up from near the ground, cruise, land at the player's eye
    floor = safe_floor(xy, ground, cfg.terrain_probe, max(1, int(cfg.smooth_s * fps)))
    rise = ease_in_out(u / cfg.crane_frac)
    fall = ease_in_out((1.0 - u) / cfg.land_frac)
    eye_clear = end.z - ground(end.x, end.y)
    clear = np.minimum(cfg.crane_start + (cfg.cruise_clearance - cfg.crane_start) * rise,
                       eye_clear + (cfg.cruise_clearance - eye_clear) * fall)
    z = floor + np.maximum(clear, np.where(u < 0.5, cfg.min_clearance, eye_clear))

    # look: at the points of interest, blended a little towards the direction of travel
    pick = _look_target(xy, pois, fps, cfg)
    target = np.array([[p.x, p.y, p.z] for p in pois])[pick]
    max_down = np.array([p.max_down for p in pois])[pick]
    to_t = target[:, :2] - xy
    yaw_look = np.arctan2(to_t[:, 1], to_t[:, 0])
    tangent = np.gradient(xy, axis=0)
    moving = np.linalg.norm(tangent, axis=1) > 1e-4
    yaw_path = np.where(moving, np.arctan2(tangent[:, 1], tangent[:, 0]), yaw_look)
    yaw = yaw_look + cfg.look_blend * _wrap(yaw_path - yaw_look)
    pitch = np.arctan2(target[:, 2] - z, np.maximum(np.linalg.norm(to_t, axis=1), 1.0))
    pitch = np.clip(pitch, np.maximum(max(cfg.look_pitch[0], -cfg.pitch_limit), -max_down),
                    min(cfg.look_pitch[1], cfg.pitch_limit))

    # the landing: blend every channel into the exact end pose so the last frame is the player's view
    w = ease_in_out((u - (1.0 - cfg.land_frac)) / cfg.land_frac)
    yaw = rate_limit(np.unwrap(yaw), cfg.max_turn / fps)
    yaw = gaussian_smooth(yaw, cfg.smooth_s * fps)
    end_yaw = yaw[-1] + _wrap(np.array(end.yaw - yaw[-1]))
    yaw = _wrap(yaw + w * (end_yaw - yaw))
    pitch = gaussian_smooth(pitch, cfg.smooth_s * fps)
    pitch = pitch + w * (end.pitch - pitch)
    x = xy[:, 0] + w * (end.x - xy[:, 0])
    y = xy[:, 1] + w * (end.y - xy[:, 1])
    z = z + w * (end.z - z)
    here = np.array([ground(a, b) for a, b in zip(x, y, strict=True)])
    z = np.maximum(z, here + min(cfg.min_clearance, eye_clear))          # hard floor under the camera itself
    x[-1], y[-1], z[-1], yaw[-1], pitch[-1] = end.x, end.y, end.z, end.yaw, end.pitch
    return CameraPath(x, y, z, yaw, pitch)
