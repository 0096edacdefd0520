"""The Dream panel beside the play view: the learned world model dreaming along with the engine, scored live.

`DreamStream` is the logic (fit engine frames to the model, anchor, free-run with the held keys, PSNR) in plain
Python; `DreamHub` steps every dreaming visitor's stream in one batched forward per tick, on one thread;
`add_dream_view(ctx)` is the thin Gradio wiring, loaded by the page through `oyster.app.extensions`.
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
from oyster.neural.recipe_note import off_recipe_note
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


@dataclass(frozen=True)
class ModelShape:
    """All a hub member's DreamStream knows of the model: the hub itself resets and steps the streams."""
    size: tuple[int, int]
    context: int
    dt: float


CLOSED = "closed"      # posted to a member whose visitor's world has closed
WAITING = "waiting"    # posted while the engine has no frame yet


class HubMember:
    """A visitor's place in the hub: their DreamStream, where their engine frames come from, and a mailbox
    holding the newest DreamTick (or CLOSED / WAITING / an error message)."""

    def __init__(self, slot: int, stream: DreamStream, source):
        self.slot, self.stream, self.source = slot, stream, source
        self._cond = threading.Condition()
        self._seq, self._item = 0, None

    def post(self, item) -> None:
        with self._cond:
            self._seq, self._item = self._seq + 1, item
            self._cond.notify_all()

    def wait(self, after: int, timeout: float) -> tuple[int, object]:
        """(seq, item) of the newest post once it is newer than `after`, or (after, None) after `timeout` s."""
        with self._cond:
            self._cond.wait_for(lambda: self._seq > after, timeout)
            return (self._seq, self._item) if self._seq > after else (after, None)


class DreamHub:
    """Every dreaming visitor's stream in one DreamBatch, stepped together by one thread every `dt`: one
    batched forward per tick instead of one per visitor (8 streams together cost ~3.4x less than 8 single
    steps). Visitors join with a `source() -> (engine frame or None, held keys)` and read ticks from their
    HubMember; the thread runs while anyone is dreaming (`threaded=False`: the caller calls `tick`)."""

    def __init__(self, dream, capacity: int, cfg: DreamViewConfig | None = None, threaded: bool = True):
        self.batch, self.cfg, self.period = dream.batch(capacity), cfg or DreamViewConfig(), dream.dt
        self.threaded = threaded
        self.free = list(range(capacity - 1, -1, -1))
        self.members: dict[int, HubMember] = {}
        self.lock = threading.Lock()
        self.thread: threading.Thread | None = None

    def join(self, source) -> HubMember | None:
        """A new member (None when every slot is taken); starts the stepping thread if it is not running."""
        with self.lock:
            if not self.free:
                return None
            slot = self.free.pop()
            shape = ModelShape(self.batch.size, self.batch.context, self.batch.dt)
            member = self.members[slot] = HubMember(slot, DreamStream(shape, self.cfg), source)
            if self.threaded and self.thread is None:
                self.thread = threading.Thread(target=self._run, name="dream-hub", daemon=True)
                self.thread.start()
            return member

    def leave(self, member: HubMember) -> None:
        with self.lock:
            if self.members.get(member.slot) is member:
                del self.members[member.slot]
                self.free.append(member.slot)

    def _run(self) -> None:
        torch.set_num_threads(1)   # one thread for every dream: the play streams keep the rest of the CPU
        next_due = time.monotonic()
        while True:
            with self.lock:
                members = list(self.members.values())
                if not members:
                    self.thread = None
                    return
            now = time.monotonic()
            if now < next_due:
                time.sleep(next_due - now)
            late = int((time.monotonic() - next_due) / self.period)
            next_due += self.period * (1 + late)
            try:
                self.tick(members, steps=1 + late)
            except Exception as e:          # never let one bad tick end everyone's dream silently
                for m in members:
                    m.post(f"Dream stopped on a server error ({type(e).__name__}).")
                    self.leave(m)

    def tick(self, members: list[HubMember], steps: int = 1) -> None:
        """One step for every member with frames to dream from. A late hub catches up by stepping the free-
        running streams again first; then due streams re-anchor, and one batched step serves everyone."""
        due, free = [], []
        for m in members:
            try:
                frame, held = m.source()
            except UnknownSession:
                m.post(CLOSED)
                self.leave(m)
                continue
            if frame is None:
                m.post(WAITING)
                continue
            state = m.stream.begin(frame, held, force_anchor=bool(self.batch.stale[m.slot]))
            if state is not None:
                (due if state else free).append(m)
        extra = min(max(1, steps), self.cfg.max_catchup) - 1
        if free:
            for _ in range(extra):
                self.batch.step_many([m.stream.history[-1][1] for m in free], streams=[m.slot for m in free])
        if due:                                        # every due anchor in one encoder call
            frames, helds = zip(*(m.stream.anchor_inputs() for m in due), strict=True)
            self.batch.reset_many([m.slot for m in due], frames, helds)
        helds = [m.stream.was_reset() for m in due] + [m.stream.history[-1][1] for m in free]
        stepping = due + free
        if not stepping:
            return
        frames = self.batch.step_many(helds, streams=[m.slot for m in stepping])
        for m, frame in zip(stepping, frames, strict=True):
            anchored = m in due
            m.post(m.stream.end(frame, 1 if anchored else 1 + extra, anchored))


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
    """Per-visitor dream panels, outside gr.State: a small registry keyed by the Runner's session id. The
    dreaming itself happens in one DreamHub for all visitors."""

    def __init__(self, ctx, dream, cfg: DreamViewConfig | None = None):
        self.ctx, self.dream, self.cfg = ctx, dream, cfg or DreamViewConfig()
        # two slots per seat: a visitor toggling off and on again may briefly hold two
        self.hub = DreamHub(dream, 2 * ctx.runner.cfg.max_players, self.cfg)
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
        """The dream frames for this visitor, one per hub tick (the model's dt), until toggled off or the
        visit ends."""
        sid = self.ctx.session_id(request)
        with self.lock:
            v = self.visitors.get(sid)
            token = v.token if v is not None and v.on else None
            fid = v.frames if v is not None else 0
        if token is None:   # this click turned it off: the running stream says so itself
            yield gr.skip()
            return
        runner = self.ctx.runner
        note = _off_recipe(runner, sid)
        if note:
            yield dream_html("", note)
            return
        member = self.hub.join(lambda: (runner.latest_frame(sid)[1], runner.held(sid)[1]))
        if member is None:
            yield dream_html("", "Dream is full right now: try again in a moment. The game itself is unaffected.")
            return
        seq, shown = 0, ("", "")
        try:
            while True:
                if not self._alive(sid, token):
                    yield dream_html(shown[0], "Stopped. Last: " + shown[1] if shown[0] else "Dream is off.")
                    return
                seq, item = member.wait(seq, timeout=0.5)
                if item is None:
                    continue
                if item == CLOSED:
                    yield dream_html("", "Your world has closed, so Dream stopped. Reload the page to play again.")
                    return
                if item == WAITING:
                    yield dream_html("", "Waiting for the engine's first frames…")
                elif isinstance(item, str):
                    yield dream_html(shown[0], item)
                    return
                elif fid % 30 == 29 and _off_recipe(runner, sid):   # "turn this into a desert" mid-dream
                    yield dream_html("", _off_recipe(runner, sid))
                    return
                elif self._alive(sid, token):
                    fid = v.frames = fid + 1
                    shown = (_jpeg_url(item.frame, self.cfg.jpeg_quality, fid), _caption(item))
                    yield dream_html(*shown)
        finally:
            self.hub.leave(member)
            with self.lock:
                v = self.visitors.get(sid)
                if v is not None and v.token == token:
                    v.on = False


def _off_recipe(runner, sid: str) -> str | None:
    try:
        return off_recipe_note(runner.state(sid))
    except UnknownSession:      # a closed world is said by the stream itself
        return None


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
