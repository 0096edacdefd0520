"""Headless play endpoints for scripts (the base of the one API): new_session, step, command, share, close, metrics.

    from gradio_client import Client
    c = Client("http://127.0.0.1:7860/")
    s = c.predict(7, "misty forest at dawn", "", api_name="/new_session")      # {"session_id": "api-...", ...}
    out = c.predict(s["session_id"], ["forward", "sprint"], 30, api_name="/step")  # 30 frames holding keys
    out = c.predict(s["session_id"], [], 1, [0.3, 0.0], api_name="/step")   # turn left 0.3 rad (analog look)
    out["frame"]  # "data:image/jpeg;...;base64,..."  (oyster.serve.encode.parse_data_url decodes it)
    c.predict(s["session_id"], "hd", api_name="/quality")   # 1280x720 frames from the next /step on
    c.predict(s["session_id"], "make it rain", api_name="/command")
    c.predict(s["session_id"], api_name="/close")
"""
import uuid

import gradio as gr

from oyster.app.links import play_link
from oyster.serve import InputError, Runner, RunnerFull, UnknownSession

HEADLESS_PREFIX = "api-"


def _sid(session_id: str) -> str:
    """Scripts may only drive worlds they opened through this API, never a browser visitor's."""
    if not isinstance(session_id, str) or not session_id.startswith(HEADLESS_PREFIX):
        raise gr.Error("session_id must be one returned by /new_session")
    return session_id


def _guard(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except (InputError, RunnerFull, UnknownSession) as e:
        raise gr.Error(str(e)) from None


def add_api(runner: Runner) -> None:
    """Register the API-only endpoints on the Blocks being built (call inside `with gr.Blocks()`)."""

    def new_session(seed: int = 0, prompt: str = "", share_code: str = "") -> dict:
        """Open a world (fresh from seed and prompt, or from a share code). Counts against the seat cap."""
        info = _guard(runner.open, HEADLESS_PREFIX + uuid.uuid4().hex, seed=seed, prompt=prompt, share_code=share_code)
        if info["status"] != "active":
            runner.close(info["session_id"], "no seat")   # a script cannot usefully wait in the browser line
            raise gr.Error(info["message"])
        return info

    def step(session_id: str, held: list[str] | None = None, steps: int = 1, look: list[float] | None = None) -> dict:
        """Hold `held` for `steps` frames (1/fps s each), turning by `look` = [dyaw, dpitch] radians first;
        returns {"frame": JPEG data URL, "state": {...}}."""
        return _guard(runner.step_once, _sid(session_id), held or [], steps=int(steps), look=look or None)

    def quality(session_id: str, quality: str = "sd") -> dict:
        """Frame size for the next /step frames: "sd" (the configured size, 640x360 by default) or "hd"
        (1280x720); returns {"quality", "width", "height"}."""
        if quality not in ("sd", "hd"):
            raise gr.Error(f'quality must be "sd" or "hd", got {str(quality)[:20]!r}')
        return _guard(runner.set_quality, _sid(session_id), quality)

    def command(session_id: str, text: str) -> dict:
        """Direct mode: {"reply": str, "edits": [...]}."""
        return _guard(runner.command, _sid(session_id), text)

    def share(session_id: str) -> dict:
        """{"code": share code, "link": play link} for the world as it is now."""
        code = _guard(runner.snapshot, _sid(session_id))
        return {"code": code, "link": play_link(code) if code else ""}

    def link(share_code: str) -> str:
        """The play link that opens the world of a share code (e.g. one a trailer returned)."""
        if not isinstance(share_code, str) or not share_code.strip() or len(share_code) > 16384:
            raise gr.Error("share_code must be a non-empty code from /share or /trailer")
        return play_link(share_code.strip())

    def close(session_id: str) -> dict:
        """Free the world and its seat."""
        return {"closed": runner.close(_sid(session_id), "api close")}

    def metrics() -> dict:
        """Server counters: sessions, fps, frame time p50/p99, dropped frames (no session ids)."""
        return runner.stats()

    for fn, name in ((new_session, "new_session"), (step, "step"), (quality, "quality"), (command, "command"),
                     (share, "share"),
                     (link, "play_link"), (close, "close"), (metrics, "metrics")):
        gr.api(fn, api_name=name, queue=name not in ("metrics",))
