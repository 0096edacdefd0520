"""Gradio event handlers for the play page: each is a few lines that call the Runner and render views.

Browser visitors are `web-<session_hash>`; the headless API (api.py) uses `api-<uuid>` ids, so neither can
reach the other's worlds.
"""
import gradio as gr

from oyster.app.fastkeys import tokens_for
from oyster.app.links import play_link
from oyster.app.views import hud_html, log_html, screen_html, status_html
from oyster.serve import InputError, Runner, RunnerFull, UnknownSession
from oyster.waitlist import Waitlist

EXAMPLES = ("make it rain", "sunset", "erupt the volcano", "make the villager dance")


def web_id(request: gr.Request) -> str:
    """The Runner id of a browser visitor (one per page load)."""
    return "web-" + str(request.session_hash)


def _query(request: gr.Request) -> dict:
    try:
        return dict(request.query_params or {})
    except Exception:  # a request without a query string
        return {}


def _welcome(info: dict) -> str:
    who = ", ".join(info.get("players", []))
    if info.get("watching"):
        return f"You are watching a shared world ({who} playing)."
    return f"You joined a shared world as {info.get('name')}: {who} are here."


class Handlers:
    """Binds the Runner and the waitlist to the page's events."""

    def __init__(self, runner: Runner, waitlist: Waitlist):
        self.runner, self.waitlist = runner, waitlist

    # -- visit lifecycle --
    def on_load(self, request: gr.Request):
        """Open this visitor's world from ?world= / ?seed= / ?prompt=; returns (log, status, seed, prompt)."""
        q = _query(request)
        seed_raw = q.get("seed", "")
        seed = int(seed_raw) if seed_raw.isdigit() and len(seed_raw) < 10 else 0
        prompt = q.get("prompt", "")[:300]
        notes = [] if not seed_raw or seed_raw.isdigit() else [f"Ignored ?seed={seed_raw[:20]!r}: not a number."]
        sid = web_id(request)
        try:
            if q.get("join"):    # an invite link: the same live world as whoever sent it
                info = self._join(sid, q["join"][:64], q.get("name", "")[:64], notes)
                if info is not None:
                    return log_html(self.runner.log(sid)), status_html(info["warning"] or _welcome(info)), seed, prompt
            info = self.runner.open(sid, seed=seed, prompt=prompt, share_code=q.get("world", "")[:20000])
        except RunnerFull as e:
            return log_html([]), status_html(str(e), error=True), seed, prompt
        except InputError as e:
            notes.append(str(e))
            info = self.runner.open(sid, seed=seed, prompt=prompt)
        self.runner.set_quality(sid, self.runner.cfg.page_quality)
        for note in notes:
            self.runner.log_line(sid, "system", note)
        message = " ".join(x for x in [info["warning"], info["message"], *notes] if x)
        return log_html(self.runner.log(sid)), status_html(message, error=bool(info["warning"] or notes)), seed, prompt

    def _join(self, sid: str, code: str, name: str, notes: list) -> dict | None:
        """Join an invite's world as a player, or as a watcher when its players are full; None (and a note) if
        that cannot be done, so the visitor gets a world of their own instead."""
        if not hasattr(self.runner, "join"):
            notes.append("This server cannot host shared worlds yet (it runs on the Ray runner).")
            return None
        for watch in (False, True):
            try:
                return self.runner.join(sid, code, name, watch=watch)
            except RunnerFull as e:
                if watch or "watcher" not in str(e):
                    notes.append(str(e))
                    return None
            except InputError as e:
                notes.append(f"Could not join that shared world: {e}")
                return None
        return None

    def play(self, request: gr.Request):
        """The frame stream into the screen (frame + HUD + line/ending messages) until the visit ends.

        Frees the seat when it ends, including when Gradio closes it because the tab went away.
        """
        sid = web_id(request)
        url, hud, token = "", hud_html(None), tokens_for(self.runner).token(sid)
        try:
            for p in self.runner.frames(sid):
                url = p.get("url", url)
                if "hud" in p:
                    hud = hud_html(p["hud"])
                yield screen_html(url, hud, p.get("message", ""), token)
                if p.get("done"):
                    return
        except UnknownSession:
            yield screen_html(url, hud, "This world is closed. Reload the page to play again.")
        finally:
            self.runner.close(sid, "page closed")

    def on_unload(self, request: gr.Request) -> None:
        self.runner.close(web_id(request), "page closed")

    def on_keys(self, payload: str, request: gr.Request):
        """Held-key snapshot from the key widget; malformed ones get a clear status line, play goes on."""
        try:
            self.runner.send_payload(web_id(request), payload)
        except InputError as e:
            return status_html(f"Ignored a key message: {e}", error=True)
        except UnknownSession:
            pass
        return gr.skip()

    def on_quality(self, choice: str, request: gr.Request):
        """The quality radio: "Auto", "SD ..." or "HD ..." -> auto | sd | hd for this visitor; returns a status."""
        mode = str(choice or "").split(" ")[0].lower()
        try:
            info = self.runner.set_quality(web_id(request), mode)
        except InputError as e:
            return status_html(str(e), error=True)
        except UnknownSession:
            return gr.skip()
        if mode == "auto":
            return status_html("Quality: HD while the server has room, SD when it is busy.")
        return status_html(f"Quality: {info['width']}x{info['height']}.")

    # -- Direct mode, share, new world --
    def on_command(self, text: str, request: gr.Request):
        """(log, textbox, status): the reply lands in the log; refusals say why, the world keeps running."""
        sid = web_id(request)
        try:
            self.runner.command(sid, text)
        except InputError as e:
            return self._log(sid), gr.skip(), status_html(f"Not sent: {e}", error=True)
        except UnknownSession as e:
            return gr.skip(), gr.skip(), status_html(str(e), error=True)
        return self._log(sid), "", status_html("")

    def _log(self, sid: str) -> str:
        try:
            return log_html(self.runner.log(sid))
        except UnknownSession:
            return log_html([])

    def on_share(self, request: gr.Request):
        """(share link, status)."""
        try:
            code = self.runner.snapshot(web_id(request))
        except (InputError, UnknownSession) as e:
            return "", status_html(str(e), error=True)
        if not code:
            return "", status_html("This world could not be turned into a link.", error=True)
        return play_link(code, request), status_html("Copy the link: it reopens this world with your changes.")

    def on_new_world(self, seed, prompt: str, request: gr.Request):
        """(log, status): a fresh world in the same seat."""
        sid = web_id(request)
        try:
            info = self.runner.open(sid, seed=seed, prompt=prompt or "")
        except (InputError, RunnerFull) as e:
            return gr.skip(), status_html(str(e), error=True)
        about = f"New world: seed {info['seed']}" + (f", {prompt.strip()!r}" if prompt else "")
        self.runner.log_line(sid, "system", about)
        return self._log(sid), status_html(info["message"])

    def step_into(self, code: str, request: gr.Request) -> str:
        """For other tabs (trailer): put this visitor into the world of a share code; returns a status HTML."""
        try:
            info = self.runner.open(web_id(request), share_code=code)
        except (InputError, RunnerFull) as e:
            return status_html(str(e), error=True)
        return status_html(info["warning"] or info["message"] or "You are in the world: play on the Play tab.",
                           error=bool(info["warning"]))

    # -- waitlist (also the API endpoint "waitlist") --
    def on_waitlist(self, email: str, name: str, use_case: str) -> str:
        """Returns a message; a bad submission raises gr.Error with the reason (shown to the visitor)."""
        try:
            return self.waitlist.submit(email, name, use_case)
        except ValueError as e:
            raise gr.Error(str(e)) from None
