"""The Runner seam's input checks (built on oyster.limits, the one place each input kind is judged), its errors,
and the visitor-facing messages."""
import json

import numpy as np

from oyster.limits import (
    MAX_HELD,  # noqa: F401  (re-exported)
    MAX_LOOK_IN,
    MAX_PROMPT,
    MAX_SESSION_ID,  # noqa: F401
    MAX_SHARE_CODE,
    InputError,
    clip,
    held_names,
    look_pair,
    session_id,
    text,
    visitor_seed,
)
from oyster.serve.config import ServeConfig

__all__ = ["InputError", "UnknownSession", "RunnerFull", "RateLimited", "check_id", "check_world_args",
           "check_held", "check_look", "check_key_input", "parse_key_payload", "clip", "jsonable", "closed_message"]


class UnknownSession(KeyError):
    """No such session (never opened, closed, or timed out)."""

    def __str__(self) -> str:  # KeyError quotes its message; this one is read by people
        return self.args[0] if self.args else "unknown session"


class RunnerFull(RuntimeError):
    """Every seat and every place in line is taken."""


class RateLimited(InputError):
    """A client asked too often; the message says when to try again ("slow down: try again in 3 s")."""


def closed_message(reason: str, cfg: ServeConfig) -> str:
    return {
        "idle": f"Your world was closed after {cfg.idle_timeout_s / 60:g} minutes without input. "
                "Reload to play again.",
        "visit_limit": f"Visits last at most {cfg.max_visit_s / 60:g} minutes so others get a seat. "
                       "Reload to play again.",
        "stale": "This world was closed because the page stopped responding. Reload to play again.",
    }.get(reason, "This world is closed. Reload the page to play again.")


def check_id(sid) -> None:
    session_id(sid)


def check_world_args(seed, prompt, share_code) -> tuple[int, str, str]:
    seed = visitor_seed(seed)
    prompt = text(prompt, "the world prompt", MAX_PROMPT)
    try:
        share_code = text(share_code, "a world link", MAX_SHARE_CODE)
    except InputError:
        raise InputError("that world link is too long to be one of ours") from None
    return seed, prompt, share_code


def check_held(held) -> frozenset:
    return held_names(held)


def check_look(look) -> tuple[float, float]:
    """Analog look [dyaw, dpitch] in radians (None = no look); InputError unless two finite numbers in range."""
    return look_pair(look, refuse_over=MAX_LOOK_IN)


def jsonable(obj):
    """Numpy scalars and tuples -> plain JSON types (state dicts cross the seam)."""
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, set, frozenset)):
        return [jsonable(v) for v in obj]
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    return obj


def check_key_input(seq, held, look=None, ack=None, age_ms=0.0):
    """One key message, judged the same by every runner: (seq, held names, (dyaw, dpitch), ack or None, age_ms).
    InputError for anything malformed; the caller then changes nothing."""
    if isinstance(seq, bool) or not isinstance(seq, int) or seq < 0:
        raise InputError(f"seq must be a non-negative integer, got {clip(repr(seq), 40)}")
    names, turn = check_held(held), check_look(look)
    if ack is not None:
        if isinstance(ack, bool) or not isinstance(ack, int) or ack < 0:
            raise InputError(f"ack must be a non-negative integer frame id, got {clip(repr(ack), 40)}")
        if isinstance(age_ms, bool) or not isinstance(age_ms, (int, float)) or not 0 <= age_ms < 1e7:
            raise InputError(f"age must be a non-negative number of milliseconds, got {clip(repr(age_ms), 40)}")
    return seq, names, turn, ack, age_ms


def parse_key_payload(payload) -> dict:
    """The browser's key message, a JSON string {"seq": int, "held": [names], "ack"?: int, "age"?: ms,
    "look"?: [dyaw, dpitch]}, as a dict with those keys; InputError for anything else (nesting included)."""
    if not isinstance(payload, str) or len(payload) > 2048:
        raise InputError("key payload must be a JSON string under 2 KB")
    try:
        msg = json.loads(payload)
    except json.JSONDecodeError as e:
        raise InputError(f"key payload is not valid JSON ({e.msg})") from None
    except RecursionError:
        raise InputError("key payload is nested too deeply") from None
    if not isinstance(msg, dict) or "seq" not in msg or "held" not in msg:
        raise InputError('key payload must be an object like {"seq": 3, "held": ["forward"]}')
    return msg
