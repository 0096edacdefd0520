"""The "Play together" panel: a name, a button that turns your world into a shared one and shows its invite link
(#invite-link), who is in it, and a poll that keeps the shared chat log current. Invite links are `?join=<code>`;
handlers.on_load joins them. Also the API endpoints /invite and /join for scripts.
"""
import uuid
from html import escape
from urllib.parse import urlencode

import gradio as gr

from oyster.app.links import base_url
from oyster.app.views import log_html, status_html
from oyster.serve import InputError, Runner, RunnerFull, UnknownSession
from oyster.together import MAX_NAME

POLL_S = 1.0          # how often an open page refreshes the shared chat and the player list
NOT_HERE = ("Play together needs the in-process runner for now (OYSTER_RUNNER=local): a shared world's tick lives "
            "in one process.")


def shares(runner) -> bool:
    """Whether this runner hosts shared worlds (the in-process one does; the Ray runner does not yet)."""
    return all(hasattr(runner, n) for n in ("invite", "join", "together", "rename"))
HEADLESS_PREFIX = "api-"


def invite_link(code: str, request=None) -> str:
    return f"{base_url(request)}/?{urlencode({'join': code})}"


def players_html(info: dict) -> str:
    """Who is in the shared world (names escaped: they are whatever people typed)."""
    if not info:
        return ""
    names = "".join(f"<li>{escape(n)}{' (you)' if n == info.get('name') else ''}</li>" for n in info["players"])
    watchers = info.get("watchers", 0)
    more = f'<div class="oy-watchers">+ {watchers} watching</div>' if watchers else ""
    return f'<div class="oy-players"><b>In this world</b><ul>{names}</ul>{more}</div>'


def add_together(runner: Runner, status: gr.HTML, session_id) -> gr.HTML:
    """Build the panel inside the current `gr.Tab` and wire it; returns the player list (for `poll_together`)."""
    gr.Markdown("Invite friends into this very world, live: everyone walks in it at once and sees what the "
                "others change. Up to 8 players; more can watch.")
    name = gr.Textbox(label="Your name", elem_id="together-name", max_length=MAX_NAME, placeholder="Ada")
    button = gr.Button("Play together", elem_id="together-button", variant="primary")
    link = gr.Textbox(label="Invite link: whoever opens it joins this world", elem_id="invite-link",
                      interactive=False, buttons=["copy"])
    who = gr.HTML("", elem_id="together-players")

    def on_invite(typed: str, request: gr.Request):
        sid = session_id(request)
        if not shares(runner):
            return gr.skip(), gr.skip(), status_html(NOT_HERE, error=True)
        try:
            info = runner.invite(sid, typed or "")
            if typed and info.get("name") != typed.strip():
                info = runner.rename(sid, typed)
        except (InputError, UnknownSession) as e:
            return gr.skip(), gr.skip(), status_html(str(e), error=True)
        return (invite_link(info["code"], request), players_html(info),
                status_html("Send the link: whoever opens it joins this world, live."))

    def on_rename(typed: str, request: gr.Request):
        sid = session_id(request)
        if not shares(runner):
            return gr.skip(), gr.skip()
        try:
            if not runner.together(sid):
                return gr.skip(), gr.skip()
            return players_html(runner.rename(sid, typed)), status_html("")
        except (InputError, UnknownSession) as e:
            return gr.skip(), status_html(str(e), error=True)

    button.click(on_invite, inputs=[name], outputs=[link, who, status], api_visibility="undocumented")
    name.submit(on_rename, inputs=[name], outputs=[who, status], api_visibility="undocumented")
    return who


def poll_together(runner: Runner, log: gr.HTML, who: gr.HTML, session_id) -> None:
    """Keep the shared chat and the player list current (call at the page's top level: a timer inside a tab
    that is not shown does not tick)."""
    seen = gr.State("")
    timer = gr.Timer(POLL_S)

    def on_poll(last: str, request: gr.Request):
        """(log, players, seen): only when something changed, so an idle page costs almost nothing."""
        sid = session_id(request)
        if not shares(runner):
            return gr.skip(), gr.skip(), gr.skip()
        try:
            info = runner.together(sid)
            if not info:
                return gr.skip(), gr.skip(), gr.skip()
            lines = runner.log(sid)
        except UnknownSession:
            return gr.skip(), gr.skip(), gr.skip()
        key = f"{len(lines)}:{hash(tuple(lines[-3:]))}:{info['players']}:{info['watchers']}"
        if key == last:
            return gr.skip(), gr.skip(), gr.skip()
        return log_html(lines), players_html(info), key

    timer.tick(on_poll, inputs=[seen], outputs=[log, who, seen], show_progress="hidden", queue=False,
               api_visibility="undocumented")


def add_together_api(runner: Runner) -> None:
    """/invite and /join for scripts (ids from /new_session; /join returns a new one for /step and /command)."""

    def _guard(fn, *args, **kwargs):
        if not shares(runner):
            raise gr.Error(NOT_HERE)
        try:
            return fn(*args, **kwargs)
        except (InputError, RunnerFull, UnknownSession) as e:
            raise gr.Error(str(e)) from None

    def invite(session_id: str, name: str = "") -> dict:
        """Share a headless world live: {"code": invite code, "link", "players": [names]}."""
        if not isinstance(session_id, str) or not session_id.startswith(HEADLESS_PREFIX):
            raise gr.Error("session_id must be one returned by /new_session")
        info = _guard(lambda: runner.invite(session_id, name or ""))
        return info | {"link": invite_link(info["code"])}

    def join(code: str, name: str = "", watch: bool = False) -> dict:
        """Join the live world of an invite code: {"session_id", "players", ...} usable with /step and /command."""
        return _guard(lambda: runner.join(HEADLESS_PREFIX + uuid.uuid4().hex, code, name or "", bool(watch)))

    gr.api(invite, api_name="invite")
    gr.api(join, api_name="join")
