"""Hooks for panels that plug into the page later (the Dream view, the trailer tab) without editing the page.

An extension is a function `add_xxx(ctx: PageContext) -> None` called inside the Blocks while it is built (after
the page's own tabs). It opens `with ctx.tabs:` (top-level tabs beside "Play") or `with ctx.side_tabs:` (beside
Direct mode, next to the world view) and adds a `gr.Tab` there, then wires its events. Optional extensions
are found by module path and skipped when their module does not exist yet.
"""
import importlib
from collections.abc import Callable
from dataclasses import dataclass

import gradio as gr

from oyster.serve import Runner

# module:function pairs loaded when present; their owners implement them.
OPTIONAL_EXTENSIONS = (
    "oyster.neural.app:add_dream_view",     # issue 5 item 6: the Dream view beside the engine's view
    "oyster.trailer.app:add_trailer_tab",   # issue 6: trailer tab, api_name="trailer", "Step into this world"
)


@dataclass
class PageContext:
    """What an extension may use. Only plain data crosses the Runner; never keep a Session in gr.State."""
    demo: gr.Blocks
    runner: Runner
    tabs: gr.Tabs                 # top-level tabs; the play view is the tab with id "play"
    side_tabs: gr.Tabs            # tabs beside the world view (Direct mode, Share, New world live here)
    screen: gr.HTML               # the world view: frame, HUD (#hud) and messages, one HTML value per frame
    status: gr.HTML               # the one-line status under the view; handlers may write status HTML to it
    session_id: Callable[[gr.Request], str]        # request -> this visitor's Runner id
    step_into: Callable[[str, gr.Request], str]    # (share code, request) -> status HTML; puts the visitor there


Extension = Callable[[PageContext], None]


def load_optional(paths: tuple[str, ...] = OPTIONAL_EXTENSIONS) -> list[Extension]:
    """Import each module:function that exists; a missing module is skipped, a broken one raises."""
    found = []
    for path in paths:
        mod_name, _, fn_name = path.partition(":")
        try:
            mod = importlib.import_module(mod_name)
        except ModuleNotFoundError as e:
            if e.name and mod_name.startswith(e.name):
                continue   # not built yet
            raise
        fn = getattr(mod, fn_name, None)
        if fn is not None:
            found.append(fn)
    return found
