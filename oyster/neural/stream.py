"""One visitor's dream: engine frames fitted to the model's view, re-anchored on the engine when due, free-running
with the held keys in between, and scored against the engine (PSNR). Plain Python; the hub steps many at once.
"""
import math
from collections import deque
from dataclasses import dataclass

import cv2
import numpy as np


@dataclass
class DreamViewConfig:
    display_width: int = 320        # the dream is shown at the engine's aspect, this wide (bilinear upscale)
    anchor_every_s: float = 2.0     # re-anchor on the engine this often (and whenever every key is let go)
    max_catchup: int = 3            # steps taken in one tick when the loop ran late (keeps dream time aligned)
    jpeg_quality: int = 80


@dataclass
class DreamTick:
    """One displayed dream frame: `frame` is display-sized RGB (None while gathering the first engine frames)."""
    frame: np.ndarray | None
    psnr: float | None            # dB against the engine's frame at the same moment, on the rows both show
    since_anchor: int             # dream steps since the model was last reset on engine frames
    anchored: bool                # this tick re-anchored (the frame is a one-step prediction)


class DreamStream:
    """One visitor's dream: engine frames in (any size, the renderer's fixed 80-degree horizontal FOV), dreamed
    frames out.

    A wide engine frame scaled to the model's width covers only the middle rows of the model's square view
    (same horizontal FOV, the horizon slides with pitch), so it is placed there and its top/bottom rows are
    repeated outward; PSNR is measured only on those middle rows (`band`). Every shown frame is a prediction:
    an anchor resets the model on the engine frames before the newest and predicts the newest.
    """

    def __init__(self, dream, cfg: DreamViewConfig | None = None):
        self.dream, self.cfg = dream, cfg or DreamViewConfig()
        self.history: deque[tuple[np.ndarray, frozenset]] = deque(maxlen=dream.context + 1)
        self.anchor_every = max(1, round(self.cfg.anchor_every_s / dream.dt))
        self.since_anchor = 0
        self.anchors = 0
        self._prev_held: frozenset = frozenset()
        self.band = slice(0, dream.size[0])

    # ---- frame geometry ------------------------------------------------------------------------------------
    def fit(self, frame: np.ndarray) -> np.ndarray:
        """An engine frame (HxWx3 uint8, any size) -> the model's square view (INTER_AREA); sets `band`."""
        mh, mw = self.dream.size
        h, w = frame.shape[:2]
        if (h, w) == (mh, mw):
            self.band = slice(0, mh)
            return np.ascontiguousarray(frame)
        rows = max(1, round(h * mw / w))
        small = cv2.resize(frame, (mw, rows), interpolation=cv2.INTER_AREA)
        if rows >= mh:   # taller than square: the model sees the middle rows
            top = (rows - mh) // 2
            self.band = slice(0, mh)
            return np.ascontiguousarray(small[top:top + mh])
        top = (mh - rows) // 2
        self.band = slice(top, top + rows)
        return np.ascontiguousarray(np.pad(small, ((top, mh - rows - top), (0, 0), (0, 0)), mode="edge"))

    @property
    def display_size(self) -> tuple[int, int]:
        """(height, width) of the frames `tick` returns: the engine's aspect, `display_width` wide."""
        rows = self.band.stop - self.band.start
        return max(1, round(self.cfg.display_width * rows / self.dream.size[1])), self.cfg.display_width

    def upscale(self, model_frame: np.ndarray) -> np.ndarray:
        h, w = self.display_size
        return cv2.resize(model_frame[self.band], (w, h), interpolation=cv2.INTER_LINEAR)

    def psnr(self, dreamed: np.ndarray, truth: np.ndarray) -> float:
        """PSNR (dB) of a model-size dream frame against a fitted engine frame, on the rows the engine shows."""
        a = dreamed[self.band].astype(np.float32)
        b = truth[self.band].astype(np.float32)
        mse = float(np.mean((a - b) ** 2)) / 255.0 ** 2
        return 99.0 if mse < 1e-10 else 10.0 * math.log10(1.0 / mse)

    # ---- dreaming --------------------------------------------------------------------------------------------
    def observe(self, engine_frame: np.ndarray, held) -> np.ndarray:
        """Record the engine's current frame and the keys held since the last one; returns the fitted frame."""
        truth = self.fit(engine_frame)
        self.history.append((truth, frozenset(held)))
        return truth

    def anchor_inputs(self) -> tuple[list, list]:
        """What an anchor resets the model on: the engine frames before the newest, and the keys held between."""
        if len(self.history) < 2:
            raise ValueError("anchoring needs two engine frames (observe at least twice)")
        return [f for f, _ in self.history][:-1], [h for _, h in self.history][1:-1]

    def reset(self) -> frozenset:
        """Reset the model on `anchor_inputs`; returns the keys held since the newest of those frames: one step
        with them predicts the newest engine frame (an anchor)."""
        frames, helds = self.anchor_inputs()
        self.dream.reset(frames, helds=helds)
        return self.was_reset()

    def was_reset(self) -> frozenset:
        """Book an anchor done elsewhere (the hub resets many streams at once); returns the keys to step with."""
        self.since_anchor, self.anchors = 0, self.anchors + 1
        return self.history[-1][1]

    def anchor(self) -> np.ndarray:
        """Reset the model on the recorded engine frames before the newest, then predict the newest (model size)."""
        frame = self.dream.step(self.reset())
        self.since_anchor = 1
        return frame

    def begin(self, engine_frame: np.ndarray, held, force_anchor: bool = False) -> bool | None:
        """Observe the engine's frame and the keys held; True when an anchor is due (the caller resets, then
        steps once), False to free-run, None while there are too few engine frames to dream from."""
        held = frozenset(held)
        self.observe(engine_frame, held)
        released = bool(self._prev_held) and not held
        self._prev_held = held
        if len(self.history) < 2:
            return None
        return force_anchor or self.anchors == 0 or released or self.since_anchor >= self.anchor_every

    def end(self, dreamed: np.ndarray, steps: int, anchored: bool) -> DreamTick:
        """Score the model-size frame dreamed for the newest engine frame after `steps` steps; display it."""
        self.since_anchor += steps
        return DreamTick(self.upscale(dreamed), self.psnr(dreamed, self.history[-1][0]), self.since_anchor, anchored)

    def tick(self, engine_frame: np.ndarray, held, steps: int = 1) -> DreamTick:
        """One paced update: observe the engine, re-anchor when due, else free-run; score against the engine."""
        due = self.begin(engine_frame, held)
        if due is None:
            return DreamTick(None, None, 0, False)
        if due:
            return self.end(self.dream.step(self.reset()), 1, True)
        steps = min(max(1, steps), self.cfg.max_catchup)
        for _ in range(steps):
            dreamed = self.dream.step(self.history[-1][1])
        return self.end(dreamed, steps, False)
