"""The Gradio Blocks page: world view + HUD, one key widget, Direct mode, share, new world, waitlist; wiring only.

`build_demo()` returns the Blocks; launch it with `launch_kwargs()` (CSS and sizes moved to launch() in Gradio 6).
"""
import importlib.util
import sys
from collections.abc import Sequence
from pathlib import Path

import gradio as gr

from oyster.app.api import add_api
from oyster.app.dream_tab import add_dream_view
from oyster.app.extensions import Extension, PageContext
from oyster.app.fastframes import frames_route
from oyster.app.fastkeys import keys_route
from oyster.app.handlers import EXAMPLES, Handlers
from oyster.app.together_tab import add_together, add_together_api, poll_together
from oyster.app.trailer_tab import add_trailer_tab
from oyster.app.views import hud_html, log_html, screen_html
from oyster.language.examples import PAGE_EXAMPLES
from oyster.serve import Runner
from oyster.waitlist import Waitlist

STATIC = Path(__file__).parent / "static"
CACHE_SWEEP = (600, 1800)    # every 10 min, delete Gradio's cached files (trailer copies) older than 30 min
MAX_UPLOAD = "1mb"           # the page takes no uploads; Gradio's upload route is capped at this
INTRO = ("**HappyOyster** — a generated world that remembers. Walk with WASD, look with the arrows or by dragging, "
         "and tell the world what to do in Direct mode. Every frame is rendered live on this server's CPU from an "
         "explicit world state (terrain, weather, clock, characters), so your changes stay where you made them.")
TABS: tuple[Extension, ...] = (add_dream_view, add_trailer_tab)   # built after the page's own tabs, in this order


def _fail_fast_missing_matplotlib() -> None:
    """Gradio 6.31 runs `import matplotlib` around every event call; without matplotlib installed each failed
    import walks sys.path (~1 ms of stat calls per key message, profiled). A None entry fails it instantly."""
    if "matplotlib" not in sys.modules and importlib.util.find_spec("matplotlib") is None:
        sys.modules["matplotlib"] = None


def _static(name: str) -> str:
    return (STATIC / name).read_text(encoding="utf-8")


def build_demo(runner: Runner | None = None, waitlist: Waitlist | None = None,
               extensions: Sequence[Extension] | None = None) -> gr.Blocks:
    """The whole page. `extensions=None` adds the Dream and trailer tabs (`TABS`); pass [] for none."""
    _fail_fast_missing_matplotlib()
    runner = runner or Runner()
    h = Handlers(runner, waitlist or Waitlist())
    extensions = list(TABS if extensions is None else extensions)
    seats = runner.cfg.max_players + runner.cfg.max_waiting   # the play stream holds a worker for the whole visit
    with gr.Blocks(title="HappyOyster", delete_cache=CACHE_SWEEP) as demo:
        gr.Markdown(INTRO)
        with gr.Tabs() as tabs:
            with gr.Tab("Play", id="play"):
                with gr.Row(equal_height=False):
                    with gr.Column(scale=3):
                        screen = gr.HTML(screen_html("", hud_html(None)), js_on_load=None, elem_id="screen")
                        status = gr.HTML("", elem_id="play-status", js_on_load=None)
                        keys = gr.HTML("{}", html_template=_static("touch.html"), js_on_load=_static("keys.js"),
                                       elem_id="keys")
                        quality = gr.Radio(quality_choices(runner.cfg), value=quality_label(runner.cfg),
                                           label="Quality", elem_id="quality", container=False)
                    with gr.Column(scale=2):
                        with gr.Tabs() as side_tabs:
                            with gr.Tab("Direct mode", id="direct"):
                                log = gr.HTML(log_html([]), elem_id="direct-log", js_on_load=None, autoscroll=True)
                                text = gr.Textbox(elem_id="direct-input", show_label=False, lines=1,
                                                  placeholder="make it snow · sunset · erupt the volcano · undo",
                                                  submit_btn="Send")
                                with gr.Row():
                                    chips = [gr.Button(x, size="sm", elem_classes=["oy-chip"]) for x in EXAMPLES]
                            with gr.Tab("Share & new world", id="share"):
                                share_btn = gr.Button("Share this world", elem_id="share-button")
                                share_link = gr.Textbox(label="Link that reopens this world (edits and pose)",
                                                        elem_id="share-link", interactive=False, buttons=["copy"])
                                seed = gr.Number(0, label="Seed", precision=0, minimum=0, elem_id="new-seed")
                                prompt = gr.Textbox(label="Prompt (optional)", elem_id="new-prompt",
                                                    placeholder=PAGE_EXAMPLES[0])
                                gr.Examples([[e] for e in PAGE_EXAMPLES], inputs=[prompt], label="Worlds to try")
                                new_btn = gr.Button("New world", elem_id="new-world")
                            with gr.Tab("Play together", id="together"):
                                players = add_together(runner, status, h.web_id)
                        gr.Markdown("WASD move · ←→ turn · ↑↓ look · drag the view to look · Space jump · "
                                    "Shift sprint. Touch: stick moves, drag the right half to look. "
                                    "Keys are ignored while you type.", elem_classes=["oy-help"])
        poll_together(runner, log, players, h.web_id)
        ctx = PageContext(demo, runner, tabs, side_tabs, screen, status, h.web_id, h.step_into)
        for ext in extensions:   # each enters `with ctx.tabs:` or `with ctx.side_tabs:` itself
            ext(ctx)
        with tabs, gr.Tab("Join the waitlist", id="waitlist"):
            _waitlist_form(h)

        demo.load(h.on_load, outputs=[log, status, seed, prompt], api_visibility="undocumented").then(
            h.play, outputs=[screen], show_progress="hidden", concurrency_limit=seats,
            api_name="play_stream", api_visibility="undocumented")
        demo.unload(h.on_unload)
        keys.keys(h.on_keys, inputs=[keys], outputs=[status], trigger_mode="always_last", queue=False,
                  show_progress="hidden", api_name="keys", api_visibility="undocumented")
        cmd = dict(outputs=[log, text, status], show_progress="hidden", concurrency_limit=runner.cfg.max_players)
        text.submit(h.on_command, inputs=[text], api_visibility="undocumented", **cmd)
        for chip in chips:
            chip.click(h.on_command, inputs=[chip], api_visibility="undocumented", **cmd)
        quality.change(h.on_quality, inputs=[quality], outputs=[status], show_progress="hidden",
                       api_visibility="undocumented")
        share_btn.click(h.on_share, outputs=[share_link, status], api_visibility="undocumented")
        new_btn.click(h.on_new_world, inputs=[seed, prompt], outputs=[log, status], api_visibility="undocumented")
        add_api(runner)
        add_together_api(runner)
    demo.queue(default_concurrency_limit=runner.cfg.max_players, max_size=4 * seats)
    return demo


def quality_choices(cfg) -> list[str]:
    return ["Auto", f"SD {cfg.width}x{cfg.height}", f"HD {cfg.hd_width}x{cfg.hd_height}"]


def quality_label(cfg) -> str:
    """The radio label of the configured starting quality."""
    return quality_choices(cfg)[("auto", "sd", "hd").index(cfg.page_quality)]


def _waitlist_form(h: Handlers) -> None:
    gr.Markdown("Building something with explorable worlds? Leave your e-mail and we will write when there is news. "
                "We never show your address to anyone else.")
    email = gr.Textbox(label="E-mail", type="email", elem_id="waitlist-email", max_length=254)
    name = gr.Textbox(label="Name (optional)", elem_id="waitlist-name", max_length=100)
    use = gr.Textbox(label="What would you build? (optional)", lines=3, elem_id="waitlist-use", max_length=2000)
    msg = gr.Markdown(elem_id="waitlist-message")
    gr.Button("Join the waitlist", variant="primary", elem_id="waitlist-submit").click(
        h.on_waitlist, inputs=[email, name, use], outputs=[msg], api_name="waitlist")


def launch_kwargs(runner: Runner | None = None) -> dict:
    """Arguments for demo.launch(): CSS (Gradio 6 takes it here), enough threads for every seat (each socket's frame
    loop borrows one per frame too), the key route and the frame socket."""
    seats = (runner.cfg.max_players + runner.cfg.max_waiting) if runner else 40
    kwargs = {"css": _static("style.css"), "max_threads": max(40, 2 * seats + 16), "max_file_size": MAX_UPLOAD}
    if runner is not None:   # beside the page (fastkeys.py, fastframes.py); Gradio's key event and stream stay too
        kwargs["app_kwargs"] = {"routes": [keys_route(runner), frames_route(runner)]}
    return kwargs
