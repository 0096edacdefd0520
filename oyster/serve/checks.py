"""Validation of everything that crosses the Runner seam, the errors it raises, and the visitor-facing messages."""
import math

import numpy as np

from oyster.serve.config import ServeConfig
from oyster.session import HELD_INPUTS

MAX_SESSION_ID = 80
MAX_HELD = len(HELD_INPUTS)
MAX_LOOK_IN = 10.0        # radians in one look message (a page sends a few hundredths per message)


class InputError(ValueError):
    """A malformed input or command; the message is safe to show the visitor, and the session keeps running."""


class UnknownSession(KeyError):
    """No such session (never opened, closed, or timed out)."""

    def __str__(self) -> str:  # KeyError quotes its message; this one is read by people
        return self.args[0] if self.args else "unknown session"


class RunnerFull(RuntimeError):
    """Every seat and every place in line is taken."""


def closed_message(reason: str, cfg: ServeConfig) -> str:
    return {
        "idle": f"Your world was closed after {cfg.idle_timeout_s / 60:g} minutes without input. "
                "Reload to play again.",
        "visit_limit": f"Visits last at most {cfg.max_visit_s / 60:g} minutes so others get a seat. "
                       "Reload to play again.",
        "stale": "This world was closed because the page stopped responding. Reload to play again.",
    }.get(reason, "This world is closed. Reload the page to play again.")


def check_id(session_id) -> None:
    if not isinstance(session_id, str) or not 0 < len(session_id) <= MAX_SESSION_ID:
        raise InputError(f"session id must be a non-empty string of at most {MAX_SESSION_ID} characters")


def check_world_args(seed, prompt, share_code) -> tuple[int, str, str]:
    if seed is None or seed == "":
        seed = 0
    try:
        seed = int(seed)
    except (TypeError, ValueError):
        raise InputError(f"seed must be a whole number, got {clip(repr(seed), 40)}") from None
    if not 0 <= seed < 2**31:
        raise InputError("seed must be within 0 .. 2147483647")
    prompt, share_code = prompt or "", share_code or ""
    if not isinstance(prompt, str) or len(prompt) > 300:
        raise InputError("the world prompt must be text of at most 300 characters")
    if not isinstance(share_code, str) or len(share_code) > 16384:
        raise InputError("that world link is too long to be one of ours")
    return seed, prompt.strip(), share_code.strip()


def check_held(held) -> frozenset:
    if isinstance(held, str) or not isinstance(held, (list, tuple, set, frozenset)):
        raise InputError('held must be a list of input names, e.g. ["forward", "sprint"]')
    if len(held) > MAX_HELD:
        raise InputError(f"at most {MAX_HELD} held inputs")
    bad = [h for h in held if not isinstance(h, str) or h not in HELD_INPUTS]
    if bad:
        raise InputError(f"unknown input {clip(repr(bad[0]), 40)}; known: {', '.join(sorted(HELD_INPUTS))}")
    return frozenset(held)


def check_look(look) -> tuple[float, float]:
    """Analog look [dyaw, dpitch] in radians (None = no look); InputError unless two finite numbers in range."""
    if look is None:
        return 0.0, 0.0
    if not isinstance(look, (list, tuple)) or len(look) != 2 or not all(
            isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) and abs(v) <= MAX_LOOK_IN
            for v in look):
        raise InputError(f"look must be [dyaw, dpitch], two numbers of radians within +-{MAX_LOOK_IN:g}, "
                         f"got {clip(repr(look), 40)}")
    return float(look[0]), float(look[1])


def clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


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
