"""The Dream tab beside Direct mode: an honest blurb, the dreamed frame with live PSNR, and a Dream along toggle.

Wiring only: the dreaming is `oyster.neural.stream` and `oyster.neural.hub`, imported when the tab is built so
that importing the page does not load torch.
"""
from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING

import gradio as gr
import numpy as np

from oyster.serve import UnknownSession
from oyster.serve.encode import data_url, encode_jpeg, parse_data_url

if TYPE_CHECKING:
    from oyster.neural.stream import DreamTick, DreamViewConfig


def about_markdown(n_params: int, dream) -> str:
    """What the panel honestly is, in a few sentences."""
    from oyster.neural.stream import DreamViewConfig
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



def dream_html(url: str = "", caption: str = "") -> str:
    img = (f'<img class="oy-dream-frame" src="{escape(url, quote=True)}" alt="The dreamed world" '
           'style="width:100%;display:block;border-radius:6px">') if url else ""
    return (f'<div class="oy-dream">{img}<div class="oy-dream-stats" role="status" '
            f'style="font-variant-numeric:tabular-nums;margin-top:4px">{escape(caption)}</div></div>')


def _caption(t: DreamTick) -> str:
    return _caption_of(t.psnr, t.since_anchor, t.anchored)


def _caption_of(psnr: float, since_anchor: int, anchored: bool) -> str:
    tag = " (anchored on the engine)" if anchored else ""
    return f"PSNR vs engine {psnr:.1f} dB · {since_anchor} frames since anchor{tag}"


@dataclass
class _Visitor:
    token: int = 0        # bumped on every toggle/unload: a stream whose token is stale stops
    on: bool = False
    frames: int = 0       # dream frames sent, across restarts (the img's fid keeps rising)


class DreamViews:
    """Per-visitor dream panels, outside gr.State: a small registry keyed by the Runner's session id. The
    dreaming itself happens in one DreamHub for all visitors."""

    def __init__(self, ctx, dream, cfg: DreamViewConfig | None = None):
        from oyster.neural.hub import DreamHub
        from oyster.neural.stream import DreamViewConfig
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
        from oyster.neural.hub import CLOSED, WAITING, SourceClosed
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

        if hasattr(runner, "dream_frames"):   # sessions in other processes dream there, batched per host
            yield from self._hosted(sid, token, v, fid)
            return

        def source():
            try:
                return runner.latest_frame(sid)[1], runner.held(sid)[1]
            except UnknownSession:
                raise SourceClosed from None

        member = self.hub.join(source)
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


    def _hosted(self, sid: str, token: int, v: _Visitor, fid: int) -> Iterator[str]:
        """`stream` for a runner whose sessions live elsewhere (RayRunner): the dream frames come from the host."""
        shown = ("", "")
        frames = self.ctx.runner.dream_frames(sid)
        try:
            for p in frames:
                if not self._alive(sid, token):
                    yield dream_html(shown[0], "Stopped. Last: " + shown[1] if shown[0] else "Dream is off.")
                    return
                if p.get("waiting"):
                    yield dream_html("", "Waiting for the engine's first frames…")
                elif "url" in p:
                    fid = v.frames = fid + 1
                    shown = (data_url(parse_data_url(p["url"])[1], fid, -1),
                             _caption_of(p["psnr"], p["since_anchor"], p["anchored"]))
                    yield dream_html(*shown)
                elif p.get("message"):
                    yield dream_html(shown[0], p["message"])
                    return
        finally:
            frames.close()
            with self.lock:
                v = self.visitors.get(sid)
                if v is not None and v.token == token:
                    v.on = False


def _off_recipe(runner, sid: str) -> str | None:
    """What to show instead of a dream when this visitor's world is not the one Dream learned; else None."""
    from oyster.neural.recipe_note import off_recipe_note
    try:
        return off_recipe_note(runner.state(sid))
    except UnknownSession:      # a closed world is said by the stream itself
        return None


def _jpeg_url(frame: np.ndarray, quality: int, fid: int) -> str:
    """The dream frame as a data URL with its frame id (the same encoding as the play stream's frames)."""
    return data_url(encode_jpeg(frame, quality), fid, -1)


def add_dream_view(ctx, path: str | None = None) -> None:
    """The "Dream" tab beside Direct mode: honest blurb, the dream frame with live PSNR, a Dream along toggle."""
    from oyster.neural.hub import load_dream
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
