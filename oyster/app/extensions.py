"""What a tab that plugs into the page (the Dream tab, the trailer tab) gets to build itself with.

An extension is a function `add_xxx(ctx: PageContext) -> None` called inside the Blocks while it is built (after
the page's own tabs). It opens `with ctx.tabs:` (top-level tabs beside "Play") or `with ctx.side_tabs:` (beside
Direct mode, next to the world view) and adds a `gr.Tab` there, then wires its events.
"""
from collections.abc import Callable
from dataclasses import dataclass

import gradio as gr

from oyster.serve import Runner


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

