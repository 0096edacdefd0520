"""A tiny stand-in world with the Session's step/apply shape: a camera panning over a seeded panorama.

Used by the tests (and to dry-run training without the engine): turning pans, looking tilts,
walking scrolls the ground, weather/time edits tint the view and an eruption lights a glow on the horizon.
Deterministic given (seed, inputs), cheap, and controllable, so a model can learn it in seconds.
"""
import numpy as np

PANO_W, PANO_H = 256, 128          # panorama size in pixels (wraps horizontally)
TURN_PX, LOOK_PX, WALK_PX = 60.0, 40.0, 30.0   # pixels per second for turning, looking and walking
TINTS = {"clear": (1.0, 1.0, 1.0), "rain": (0.7, 0.75, 0.9), "snow": (1.15, 1.15, 1.2),
         "fog": (0.85, 0.85, 0.85), "storm": (0.5, 0.5, 0.6)}


def _smooth_noise(rng: np.random.Generator, h: int, w: int, cells: int) -> np.ndarray:
    """Bilinear value noise in [0, 1], periodic in x."""
    g = rng.random((cells + 1, cells))
    ys, xs = np.linspace(0, cells, h, endpoint=False), np.linspace(0, cells, w, endpoint=False)
    y0, x0 = ys.astype(int), xs.astype(int)
    fy, fx = (ys - y0)[:, None], (xs - x0)[None, :]
    x1 = (x0 + 1) % cells
    a, b = g[y0][:, x0], g[y0][:, x1]
    c, d = g[np.minimum(y0 + 1, cells)][:, x0], g[np.minimum(y0 + 1, cells)][:, x1]
    return (a * (1 - fx) + b * fx) * (1 - fy) + (c * (1 - fx) + d * fx) * fy


class SyntheticWorld:
    def __init__(self, seed: int, size: int = 64):
        rng = np.random.default_rng(seed)
        self.size = size
        sky = np.linspace(0.9, 0.5, PANO_H // 2)[:, None, None] * np.array(rng.uniform(0.4, 1.0, 3))
        clouds = _smooth_noise(rng, PANO_H // 2, PANO_W, 8)[..., None]
        hills = (_smooth_noise(rng, 1, PANO_W, 6)[0] * 20).astype(int)
        self.pano = np.concatenate([sky + 0.3 * clouds, np.zeros((PANO_H // 2, PANO_W, 3))], 0)
        for x in range(PANO_W):                               # dark hills on the horizon
            self.pano[PANO_H // 2 - hills[x]:PANO_H // 2, x] = (0.2, 0.35, 0.2)
        self.ground = _smooth_noise(rng, 64, 64, 8)[..., None] * np.array(rng.uniform(0.3, 0.8, 3))
        self.yaw, self.pitch, self.walk, self.t = 0.0, 0.0, 0.0, 0.0
        self.tint, self.light, self.glow = np.ones(3), 1.0, 0.0

    def apply(self, edit: dict) -> dict:
        op = edit.get("op")
        if op == "weather":
            self.tint = np.array(TINTS[edit["kind"]])
        elif op == "time":
            self.light = 0.35 + 0.65 * np.sin(np.pi * float(edit["hour"]) / 24.0)
        elif op == "eruption":
            self.glow = 1.0
        else:
            raise ValueError(f"synthetic world has no {op!r}")
        return edit

    def step(self, held=frozenset(), dt: float = 1 / 30) -> np.ndarray:
        speed = 2.0 if "sprint" in held else 1.0
        self.yaw += dt * TURN_PX * (("turn_right" in held) - ("turn_left" in held))
        self.yaw += dt * TURN_PX * 0.5 * (("right" in held) - ("left" in held))
        self.pitch = float(np.clip(self.pitch + dt * LOOK_PX * (("look_up" in held) - ("look_down" in held)), -24, 24))
        self.walk += dt * WALK_PX * speed * (("forward" in held) - ("back" in held))
        self.t += dt
        self.glow *= 0.97
        return self.render()

    def render(self) -> np.ndarray:
        s = self.size
        top = int(round(PANO_H // 2 - s // 2 - self.pitch))
        xs = (np.arange(s) + int(round(self.yaw))) % PANO_W
        img = self.pano[top:top + s][:, xs].copy()
        horizon = PANO_H // 2 - top
        rows = np.arange(max(horizon, 0), s)
        if len(rows):                                        # ground: scrolls with walking, nearer rows faster
            v = ((rows - horizon) * 2 + int(self.walk)) % 64
            img[rows] = self.ground[v][:, xs % 64]
        if self.glow > 0.01:                                 # eruption glow near the horizon
            img[max(horizon - 6, 0):max(horizon, 0), s // 3: s // 2] += np.array((1.0, 0.3, 0.0)) * self.glow
        img = img * self.tint * self.light
        return np.ascontiguousarray((np.clip(img, 0, 1) * 255).astype(np.uint8))
