"""Gradio event handlers for the play page: each is a few lines that call the Runner and render views.

A browser visitor's world is `web-<secret>`: a random id the server issues when the page loads and keeps on the
server beside that page's connection, never derived from anything the client sent and never sent to it; a call
from a connection that did not load the page has no world (there is no shared fallback). The headless API
(api.py) uses `api-<uuid>` ids, so neither can reach the other's worlds.
"""
import secrets
import threading

import gradio as gr

from oyster.app.fastkeys import tokens_for
from oyster.app.links import play_link
from oyster.app.views import hud_html, log_html, screen_html, status_html
from oyster.limits import MAX_PROMPT, MAX_SHARE_CODE, InputError, visitor_seed
from oyster.serve import Runner, RunnerFull, UnknownSession
from oyster.serve.ratelimit import refused
from oyster.waitlist import Waitlist

EXAMPLES = ("make it rain", "sunset", "erupt the volcano", "make the villager dance")
NO_WORLD = "This page has no world yet: reload it to play."


def _query(request: gr.Request) -> dict:
    try:
        return dict(request.query_params or {})
    except Exception:  # a request without a query string
        return {}


def client_of(request: gr.Request | None, trust_proxy: bool = False) -> str:
    """The address a request came from ("?" when unknown): the key of the per-client limits."""
    if request is None:
        return "?"
    try:
        if trust_proxy:
            fwd = (request.headers.get("x-forwarded-for") or "").split(",")[0].strip()
            if fwd:
                return fwd[:64]
        host = getattr(getattr(request, "client", None), "host", None)
        return str(host)[:64] if host else "?"
    except Exception:   # a request object without headers or client (tests, internal calls)
        return "?"


def _welcome(info: dict) -> str:
    who = ", ".join(info.get("players", []))
    if info.get("watching"):
        return f"You are watching a shared world ({who} playing)."
    return f"You joined a shared world as {info.get('name')}: {who} are here."


class Handlers:
    """Binds the Runner and the waitlist to the page's events."""

    def __init__(self, runner: Runner, waitlist: Waitlist):
        self.runner, self.waitlist = runner, waitlist
        self._owners: dict[str, str] = {}      # page connection -> the world id the server issued it
        self._lock = threading.Lock()

    # -- who is asking --
    def web_id(self, request: gr.Request) -> str:
        """The Runner id of the page that sent this request ("" when it never loaded: no world to reach)."""
        key = getattr(request, "session_hash", None)
        with self._lock:
            return self._owners.get(key, "") if key else ""

    def _issue(self, request: gr.Request) -> str:
        """A fresh secret world id for this page connection (a page loaded again gets a new one)."""
        key = getattr(request, "session_hash", None)
        if not key:
            raise UnknownSession(NO_WORLD)
        sid = "web-" + secrets.token_urlsafe(18)
        with self._lock:
            old = self._owners.get(key)
            self._owners[key] = sid
        if old:
            self.runner.close(old, "page reloaded")
        return sid

    def _forget(self, request: gr.Request) -> str:
        key = getattr(request, "session_hash", None)
        with self._lock:
            return self._owners.pop(key, "") if key else ""

    def client(self, request: gr.Request) -> str:
        return client_of(request, bool(self.runner.cfg.trust_proxy))

    # -- visit lifecycle --
    def on_load(self, request: gr.Request):
        """Open this visitor's world from ?world= / ?seed= / ?prompt=; returns (log, status, seed, prompt)."""
        q = _query(request)
        seed_raw, notes = str(q.get("seed", "")), []
        try:
            seed = visitor_seed(seed_raw)
        except InputError:
            seed = 0
            notes.append(f"Ignored ?seed={seed_raw[:20]!r}: not a whole number within 0 .. 2147483647.")
        prompt = str(q.get("prompt", ""))[:MAX_PROMPT]
        client = self.client(request)
        try:
            sid = self._issue(request)
        except UnknownSession as e:
            return log_html([]), status_html(str(e), error=True), seed, prompt
        try:
            if q.get("join"):    # an invite link: the same live world as whoever sent it
                info = self._join(sid, str(q["join"])[:64], str(q.get("name", ""))[:64], notes)
                if info is not None:
                    return log_html(self.runner.log(sid)), status_html(info["warning"] or _welcome(info)), seed, prompt
            info = self.runner.open(sid, seed=seed, prompt=prompt, share_code=str(q.get("world", ""))[:MAX_SHARE_CODE],
                                    client=client)
        except RunnerFull as e:
            self._forget(request)
            return log_html([]), status_html(str(e), error=True), seed, prompt
        except InputError as e:
            notes.append(str(e))
            try:
                info = self.runner.open(sid, seed=seed, prompt=prompt, client=client)
            except (InputError, RunnerFull) as e2:
                self._forget(request)
                return log_html([]), status_html(str(e2), error=True), seed, prompt
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
        sid = self.web_id(request)
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
            if sid:
                self.runner.close(sid, "page closed")
                with self._lock:     # the stream is over: drop the page's entry too (unload may never come)
                    key = getattr(request, "session_hash", None)
                    if self._owners.get(key) == sid:
                        del self._owners[key]

    def on_unload(self, request: gr.Request) -> None:
        sid = self._forget(request)
        if sid:
            self.runner.close(sid, "page closed")

    def on_keys(self, payload: str, request: gr.Request):
        """Held-key snapshot from the key widget; malformed ones get a clear status line, play goes on."""
        try:
            self.runner.send_payload(self.web_id(request), payload)
        except InputError as e:
            return status_html(f"Ignored a key message: {e}", error=True)
        except UnknownSession:
            pass
        return gr.skip()

    def on_quality(self, choice: str, request: gr.Request):
        """The quality radio: "Auto", "SD ..." or "HD ..." -> auto | sd | hd for this visitor; returns a status."""
        mode = str(choice or "").split(" ")[0].lower()
        try:
            info = self.runner.set_quality(self.web_id(request), mode)
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
        sid = self.web_id(request)
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
            self.runner.limits.take("share", self.client(request))
            code = self.runner.snapshot(self.web_id(request))
        except (InputError, UnknownSession) as e:
            return "", status_html(str(e), error=True)
        if not code:
            return "", status_html("This world could not be turned into a link.", error=True)
        return play_link(code, request), status_html("Copy the link: it reopens this world with your changes.")

    def on_new_world(self, seed, prompt: str, request: gr.Request):
        """(log, status): a fresh world in the same seat."""
        sid = self.web_id(request)
        if not sid:
            return gr.skip(), status_html(NO_WORLD, error=True)
        try:
            info = self.runner.open(sid, seed=seed, prompt=prompt or "", client=self.client(request))
        except (InputError, RunnerFull) as e:
            return gr.skip(), status_html(str(e), error=True)
        about = f"New world: seed {info['seed']}" + (f", {prompt.strip()!r}" if isinstance(prompt, str) and prompt
                                                      else "")
        self.runner.log_line(sid, "system", about)
        return self._log(sid), status_html(info["message"])

    def step_into(self, code: str, request: gr.Request) -> str:
        """For other tabs (trailer): put this visitor into the world of a share code; returns a status HTML."""
        sid = self.web_id(request)
        if not sid:
            return status_html(NO_WORLD, error=True)
        try:
            info = self.runner.open(sid, share_code=code, client=self.client(request))
        except (InputError, RunnerFull) as e:
            return status_html(str(e), error=True)
        return status_html(info["warning"] or info["message"] or "You are in the world: play on the Play tab.",
                           error=bool(info["warning"]))

    # -- waitlist (also the API endpoint "waitlist") --
    def on_waitlist(self, email: str, name: str, use_case: str, request: gr.Request = None) -> str:
        """Returns a message; a bad submission raises gr.Error with the reason (shown to the visitor)."""
        client = self.client(request)
        try:
            self.runner.limits.take("signup", client)
            return self.waitlist.submit(email, name, use_case)
        except ValueError as e:
            if not isinstance(e, InputError):
                refused("signup", client, str(e))
            raise gr.Error(str(e)) from None
