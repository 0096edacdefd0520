"""The Trailer tab: prompt + length -> a cinematic MP4 of the world, and "Step into this world" where it ends.

Wiring only; the work is `oyster.trailer.make_trailer`. Its click event is the API endpoint `/trailer`
(prompt, seconds) -> (video, share code). The page adds it with `add_trailer_tab`; `build_trailer_tab()` also
works inside any Blocks without a PageContext (link only).
"""
from __future__ import annotations

import tempfile
import threading
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from html import escape
from pathlib import Path

import gradio as gr

from oyster.app.links import play_link
from oyster.language.examples import PAGE_EXAMPLES

OUT_DIR = Path(tempfile.gettempdir()) / "oyster-trailers"   # gettempdir is in Gradio's allowed paths
KEEP_S = 3600.0          # trailer files older than this are deleted (Gradio has copied them into its cache)
EXAMPLES = PAGE_EXAMPLES   # drawn from the contact sheet's prompts (assets/contact_sheet.png)
_summaries: OrderedDict[str, str] = OrderedDict()   # share code -> what the plan understood (bounded, see _remember)
_lock = threading.Lock()


@dataclass
class TrailerTab:
    """The components, for callers that want to wire more events or test the tab."""
    prompt: gr.Textbox
    seconds: gr.Slider
    make: gr.Button
    video: gr.Video
    code: gr.Textbox
    info: gr.Markdown
    link: gr.HTML
    step_in: gr.Button


def _remember(code: str, summary: str) -> None:
    with _lock:
        _summaries[code] = summary
        while len(_summaries) > 64:
            _summaries.popitem(last=False)


def _sweep() -> None:
    """Delete old trailer files so the temp dir does not grow without bound."""
    now = time.time()
    for f in OUT_DIR.glob("*.mp4"):
        try:
            if now - f.stat().st_mtime > KEEP_S:
                f.unlink()
        except OSError:
            pass   # another worker removed it first


def make(prompt: str, seconds: float, progress=gr.Progress()) -> tuple[str, str]:
    """(prompt, seconds) -> (MP4 path, share code). Bad prompts or lengths raise gr.Error with the reason."""
    import numba

    from oyster.trailer import make_trailer
    numba.set_num_threads(1)   # thread-local: this worker renders on one core, the other stays with the players
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    _sweep()
    path = str(OUT_DIR / f"trailer-{uuid.uuid4().hex[:12]}.mp4")
    try:
        r = make_trailer(prompt, seconds, path, progress=progress)
    except ValueError as e:
        raise gr.Error(str(e)) from None
    summary = r.plan.summary() + "".join(f" Note: {n}." for n in r.notes)
    _remember(r.share_code, summary)
    if r.not_understood:
        gr.Warning("Not understood: " + ", ".join(r.not_understood))
    return r.video_path, r.share_code


def _link_html(code: str, request: gr.Request | None) -> str:
    url = play_link(code, request)
    return (f'<a class="oy-step-link" href="{escape(url, quote=True)}" target="_blank" rel="noopener">'
            "Open this world in a new tab</a>")


def _after(code: str, request: gr.Request):
    """(info, link, step-in button) once a trailer exists."""
    if not code:
        return "", "", gr.update(interactive=False)
    with _lock:
        summary = _summaries.get(code, "")
    return escape(summary), _link_html(code, request), gr.update(interactive=True)


def build_trailer_tab(ctx=None) -> TrailerTab:
    """Add the Trailer tab to the Blocks being built (call inside `with gr.Tabs()` or a Blocks).

    With a PageContext, "Step into this world" moves this visitor's own session into the trailer's world and
    switches to the Play tab; without one it opens the play link (`?world=<code>`) in a new tab."""
    with gr.Tab("Trailer", id="trailer"):
        gr.Markdown("Describe a world and get a short cinematic trailer of it, then step in where it ends. "
                    "Rendering takes a few seconds per second of video.")
        with gr.Row():
            prompt = gr.Textbox(label="Describe a world", placeholder=EXAMPLES[0], max_length=300, scale=3,
                                elem_id="trailer-prompt")
            seconds = gr.Slider(2, 20, value=8, step=1, label="Seconds", scale=1, elem_id="trailer-seconds")
        gr.Examples([[e] for e in EXAMPLES], inputs=[prompt], label="Try")
        make_btn = gr.Button("Make trailer", variant="primary", elem_id="trailer-make")
        video = gr.Video(label="Trailer", autoplay=True, interactive=False, elem_id="trailer-video")
        info = gr.Markdown(elem_id="trailer-info")
        code = gr.Textbox(label="Share code", info="the world where the trailer ends", interactive=False,
                          buttons=["copy"], elem_id="trailer-code")
        with gr.Row():
            step_btn = gr.Button("Step into this world", interactive=False, elem_id="trailer-step-in")
            link = gr.HTML("", elem_id="trailer-link", js_on_load=None)
    # One trailer renders at a time: it takes the CPU the players' frames need.
    make_btn.click(make, [prompt, seconds], [video, code], api_name="trailer", concurrency_limit=1,
                   concurrency_id="trailer").then(_after, [code], [info, link, step_btn],
                                                  api_visibility="undocumented")
    if ctx is not None:
        def _step_in(c: str, request: gr.Request):
            if not c:
                return gr.skip(), gr.skip()
            return ctx.step_into(c, request), gr.Tabs(selected="play")
        step_btn.click(_step_in, [code], [ctx.status, ctx.tabs], api_visibility="undocumented")
    else:
        step_btn.click(None, [code], None, js="(c) => { if (c) window.open('?world=' + encodeURIComponent(c), "
                                               "'_blank'); }")
    return TrailerTab(prompt, seconds, make_btn, video, code, info, link, step_btn)


def add_trailer_tab(ctx) -> None:
    """The page's tab (see oyster.app.extensions): it sits beside Play."""
    with ctx.tabs:
        build_trailer_tab(ctx)

