"""The Dream panel beside the play view: the learned world model dreaming along with the engine, scored live.

`DreamStream` is the logic (fit engine frames to the model, anchor, free-run with the held keys, PSNR) in plain
Python; `add_dream_view(ctx)` is the thin Gradio wiring, loaded by the page through `oyster.app.extensions`.
"""
import math
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from html import escape

import cv2
import gradio as gr
import numpy as np
import torch

from oyster.neural.checkpoint import DEFAULT_PATH
from oyster.neural.runtime import Dream
from oyster.serve import UnknownSession
from oyster.serve.encode import data_url, encode_jpeg

MISSING = ("The Dream model is not available on this server (no checkpoint at assets/dream.pt), so this panel "
           "is off. The game itself is unaffected.")


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

    def anchor(self) -> np.ndarray:
        """Reset the model on the recorded engine frames before the newest, then predict the newest (model size)."""
        if len(self.history) < 2:
            raise ValueError("anchoring needs two engine frames (observe at least twice)")
        frames = [f for f, _ in self.history]
        helds = [h for _, h in self.history]
        self.dream.reset(frames[:-1], helds=helds[1:-1])
        self.since_anchor, self.anchors = 1, self.anchors + 1
        return self.dream.step(helds[-1])

    def step(self, held, steps: int = 1) -> np.ndarray:
        """Free-run `steps` dream steps holding `held`; returns the last frame (model size)."""
        frame = None
        for _ in range(max(1, steps)):
            frame = self.dream.step(frozenset(held))
        self.since_anchor += max(1, steps)
        return frame

    def tick(self, engine_frame: np.ndarray, held, steps: int = 1) -> DreamTick:
        """One paced update: observe the engine, re-anchor when due, else free-run; score against the engine."""
        held = frozenset(held)
        truth = self.observe(engine_frame, held)
        released = bool(self._prev_held) and not held
        self._prev_held = held
        if len(self.history) < 2:
            return DreamTick(None, None, 0, False)
        due = self.anchors == 0 or released or self.since_anchor >= self.anchor_every
        dreamed = self.anchor() if due else self.step(held, min(steps, self.cfg.max_catchup))
        return DreamTick(self.upscale(dreamed), self.psnr(dreamed, truth), self.since_anchor, due)


def param_count(path: str = DEFAULT_PATH) -> int:
    """Weights in the checkpoint (tokenizer + dynamics), read with weights_only (a plain dict of tensors)."""
    ck = torch.load(path, map_location="cpu", weights_only=True)
    return int(sum(v.numel() for part in ("tokenizer", "model") for v in ck[part].values()))


def load_dream(path: str | None = None):
    """(Dream, parameter count) or (None, message) when the checkpoint is missing or unreadable."""
    path = path or DEFAULT_PATH
    try:
        return Dream.load(path), param_count(path)
    except FileNotFoundError:
        return None, MISSING
    except (ValueError, RuntimeError, KeyError) as e:   # a checkpoint from another version of the model
        return None, f"The Dream model could not be loaded ({type(e).__name__}), so this panel is off."


def about_markdown(n_params: int, dream) -> str:
    """What the panel honestly is, in a few sentences."""
    h, w = dream.size
    every = DreamViewConfig().anchor_every_s
    return (f"**Dream** is a small neural network ({n_params / 1e6:.1f} M parameters) trained on this engine's own "
            f"rollouts. It predicts each next frame from the last {dream.context} frames and the keys you hold, at "
            f"{w}x{h} pixels, {1 / dream.dt:.0f} times a second, on this server's CPU. It starts from the engine's "
            f"recent frames, then runs on its own with your keys; it is re-anchored on the engine every {every:g} s "
            "and when you let go of all keys. It does not hear Direct-mode commands (it sees their effect at the "
            "next anchor). It blurs and drifts: **the engine on the left is the ground truth.** PSNR compares each "
            f"dream frame with the engine's frame at the same moment, both {w} pixels wide (higher is closer; "
            "the dream looks close above ~25 dB and has wandered off below ~18 dB).")


# ---- Gradio wiring ---------------------------------------------------------------------------------------------
def dream_html(url: str = "", caption: str = "") -> str:
    img = (f'<img class="oy-dream-frame" src="{escape(url, quote=True)}" alt="The dreamed world" '
           'style="width:100%;display:block;border-radius:6px">') if url else ""
    return (f'<div class="oy-dream">{img}<div class="oy-dream-stats" role="status" '
            f'style="font-variant-numeric:tabular-nums;margin-top:4px">{escape(caption)}</div></div>')


def _caption(t: DreamTick) -> str:
    tag = " (anchored on the engine)" if t.anchored else ""
    return f"PSNR vs engine {t.psnr:.1f} dB · {t.since_anchor} frames since anchor{tag}"


@dataclass
class _Visitor:
    token: int = 0        # bumped on every toggle/unload: a stream whose token is stale stops
    on: bool = False
    frames: int = 0       # dream frames sent, across restarts (the img's fid keeps rising)


class DreamViews:
    """Per-visitor dream streams, outside gr.State: a small registry keyed by the Runner's session id."""

    def __init__(self, ctx, dream, cfg: DreamViewConfig | None = None):
        self.ctx, self.dream, self.cfg = ctx, dream, cfg or DreamViewConfig()
        self.visitors: dict[str, _Visitor] = {}
        self.lock = threading.Lock()

    def toggle(self, request: gr.Request) -> str:
        """Flip this visitor's dream on/off; returns the button's new label."""
        sid = self.ctx.session_id(request)
        with self.lock:
            v = self.visitors.setdefault(sid, _Visitor())
            v.on, v.token = not v.on, v.token + 1
            return "Stop dreaming" if v.on else "Dream along"

    def on_unload(self, request: gr.Request) -> None:
        with self.lock:
            self.visitors.pop(self.ctx.session_id(request), None)

    def _alive(self, sid: str, token: int) -> bool:
        v = self.visitors.get(sid)
        return v is not None and v.on and v.token == token

    def stream(self, request: gr.Request) -> Iterator[str]:
        """The dream frames for this visitor, paced at the model's dt, until toggled off or the visit ends."""
        sid = self.ctx.session_id(request)
        with self.lock:
            v = self.visitors.get(sid)
            token = v.token if v is not None and v.on else None
            fid = v.frames if v is not None else 0
        if token is None:   # this click turned it off: the running stream says so itself
            yield gr.skip()
            return
        torch.set_num_threads(1)   # one thread per dream stream: the play stream keeps the rest of the CPU
        ds = DreamStream(self.dream.fork(), self.cfg)
        runner, period = self.ctx.runner, self.dream.dt
        next_due, shown = time.monotonic(), ("", "")
        try:
            while True:
                if not self._alive(sid, token):
                    yield dream_html(shown[0], "Stopped. Last: " + shown[1] if shown[0] else "Dream is off.")
                    return
                now = time.monotonic()
                if now < next_due:
                    time.sleep(next_due - now)
                late = int((time.monotonic() - next_due) / period)
                next_due += period * (1 + late)
                try:
                    _, frame = runner.latest_frame(sid)
                    _, held = runner.held(sid)
                except UnknownSession:
                    yield dream_html("", "Your world has closed, so Dream stopped. Reload the page to play again.")
                    return
                if frame is None:
                    yield dream_html("", "Waiting for the engine's first frames…")
                    continue
                t = ds.tick(frame, held, steps=1 + late)
                if t.frame is None or not self._alive(sid, token):
                    continue
                fid = v.frames = fid + 1
                shown = (_jpeg_url(t.frame, self.cfg.jpeg_quality, fid), _caption(t))
                yield dream_html(*shown)
        finally:
            with self.lock:
                v = self.visitors.get(sid)
                if v is not None and v.token == token:
                    v.on = False


def _jpeg_url(frame: np.ndarray, quality: int, fid: int) -> str:
    """The dream frame as a data URL with its frame id (the same encoding as the play stream's frames)."""
    return data_url(encode_jpeg(frame, quality), fid, -1)


def add_dream_view(ctx, path: str | None = None) -> None:
    """The "Dream" tab beside Direct mode: honest blurb, the dream frame with live PSNR, a Dream along toggle."""
    dream, info = load_dream(path)
    with ctx.side_tabs, gr.Tab("Dream", id="dream"):
        if dream is None:
            gr.Markdown(info, elem_id="dream-missing")
            return
        gr.Markdown(about_markdown(info, dream), elem_id="dream-about")
        view = gr.HTML(dream_html("", "Press Dream along, then play on the left."), js_on_load=None,
                       elem_id="dream-view")
        button = gr.Button("Dream along", elem_id="dream-toggle")
    views = DreamViews(ctx, dream)
    button.click(views.toggle, outputs=[button], queue=False, show_progress="hidden",
                 api_visibility="undocumented").then(
        views.stream, outputs=[view], show_progress="hidden", concurrency_limit=ctx.runner.cfg.max_players,
        api_visibility="undocumented")
    ctx.demo.unload(views.on_unload)
