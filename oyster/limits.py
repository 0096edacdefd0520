"""Every visitor input checked in one place: the limit on each kind, and the one function that checks it.

Session (the headless API) and serve/ (the network seam) both call these, so a held set, a look, a seed, a frame
count or a prompt is judged the same way everywhere. Each failure is an InputError (a ValueError) with a message
fit for the visitor; nothing else escapes. What a world may hold is world/caps.py.
"""
import math
import re

import numpy as np

from oyster.world.persist import MAX_ENCODED

HELD_INPUTS = frozenset({"forward", "back", "left", "right", "turn_left", "turn_right",
                         "look_up", "look_down", "jump", "sprint"})
MAX_HELD = len(HELD_INPUTS)
MAX_SIDE = 4096              # pixels per side of a headless frame
MAX_LOOK = 1.0               # radians of analog look one step applies per axis (more is clipped, not a spin)
MAX_LOOK_IN = 10.0           # radians in one look message over the network (more is refused)
MAX_PROMPT = 500             # characters of a world prompt
MAX_COMMAND = 500            # characters of one Direct-mode message
MAX_SEED = 2**31 - 1         # a visitor's seed is 0..MAX_SEED
MAX_WORLD_SEED = 2**63 - 1   # a world's seed (share codes carry 64-bit seeds)
MAX_SHARE_CODE = MAX_ENCODED  # characters of a share code
MAX_SESSION_ID = 80
MAX_FRAMES_PER_CALL = 60     # frames one headless step call may ask for (2 s at 30 fps)
MAX_NUMBER_TEXT = 24         # characters of a number sent as text
_INT_TEXT = re.compile(r"^[+-]?[0-9]+$")     # ASCII digits only: "٣" or "²" are not numbers here


class InputError(ValueError):
    """A malformed input or command; the message is safe to show the visitor, and the session keeps running."""


def clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def shown(v) -> str:
    """repr(v) cut to 40 characters, for messages; never raises (a deeply nested value has no repr)."""
    try:
        return clip(repr(v), 40)
    except Exception:   # a value whose repr fails is still only a bad input
        return "that value"


def whole_number(v, what: str, lo: int, hi: int, ints_only: bool = False) -> int:
    """An integer in lo..hi from an int, an integral finite float, or ASCII-digit text; else InputError.
    `ints_only`: only int values (the headless API, where a float or text is a caller's bug)."""
    if isinstance(v, (bool, np.bool_)) or (ints_only and not isinstance(v, (int, np.integer))):
        raise InputError(f"{what} must be a whole number, got {shown(v)}")
    if isinstance(v, str):
        t = v.strip()
        if len(t) > MAX_NUMBER_TEXT or not _INT_TEXT.match(t):
            raise InputError(f"{what} must be a whole number, got {shown(v)}")
        n = int(t)
    elif isinstance(v, (int, np.integer)):
        n = int(v)
    elif isinstance(v, (float, np.floating)) and math.isfinite(v) and float(v).is_integer():
        n = int(v)
    else:
        raise InputError(f"{what} must be a whole number, got {shown(v)}")
    if not lo <= n <= hi:
        raise InputError(f"{what} must be within {lo} .. {hi}")
    return n


def number(v, what: str, lo: float, hi: float) -> float:
    """A finite real number in [lo, hi] (not a bool, not text); else InputError."""
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, float, np.integer, np.floating)) \
            or not math.isfinite(v) or not lo <= v <= hi:
        raise InputError(f"{what} must be a number within {lo:g} .. {hi:g}, got {shown(v)}")
    return float(v)


def held_names(held) -> frozenset:
    """Held inputs: None or a list/tuple/set of names from HELD_INPUTS."""
    if held is None:
        return frozenset()
    if not isinstance(held, (list, tuple, set, frozenset)):
        raise InputError(f'held must be a list of input names, e.g. ["forward", "sprint"], got {shown(held)}')
    if len(held) > MAX_HELD:
        raise InputError(f"at most {MAX_HELD} held inputs")
    bad = [h for h in held if not isinstance(h, str) or h not in HELD_INPUTS]
    if bad:
        raise InputError(f"unknown input {shown(bad[0])}; known held input names: {', '.join(sorted(HELD_INPUTS))}")
    return frozenset(held)


def look_pair(look, refuse_over: float | None = None) -> tuple[float, float]:
    """Analog look (dyaw, dpitch) radians, None = no look; two finite numbers, each clipped to +-MAX_LOOK.
    `refuse_over`: refuse (not clip) values beyond it (the network seam's sanity bound)."""
    if look is None:
        return 0.0, 0.0
    bound = math.inf if refuse_over is None else refuse_over
    if not isinstance(look, (list, tuple, np.ndarray)) or len(look) != 2:
        raise InputError(f"look must be [dyaw, dpitch] in radians, got {shown(look)}")
    try:
        out = [number(v, "look", -bound, bound) for v in look]
    except InputError:
        raise InputError(f"look must be [dyaw, dpitch], two finite numbers of radians"
                         f"{'' if refuse_over is None else f' within +-{refuse_over:g}'}, got {shown(look)}") from None
    return max(-MAX_LOOK, min(MAX_LOOK, out[0])), max(-MAX_LOOK, min(MAX_LOOK, out[1]))


def frame_size(width, height) -> tuple[int, int]:
    return (whole_number(width, "width", 16, MAX_SIDE, ints_only=True),
            whole_number(height, "height", 16, MAX_SIDE, ints_only=True))


def seconds(dt, what: str = "dt", hi: float = 1e6) -> float:
    return number(dt, what, 0.0, hi)


def world_seed(seed) -> int:
    return whole_number(seed, "seed", -MAX_WORLD_SEED - 1, MAX_WORLD_SEED, ints_only=True)


def visitor_seed(seed) -> int:
    """A seed typed or linked by a visitor (empty = 0)."""
    return 0 if seed is None or seed == "" else whole_number(seed, "seed", 0, MAX_SEED)


def text(v, what: str, max_len: int, empty_ok: bool = True) -> str:
    """Stripped text of at most max_len characters (None = empty)."""
    v = "" if v is None else v
    if not isinstance(v, str):
        raise InputError(f"{what} must be text")
    v = v.strip()
    if len(v) > max_len:
        raise InputError(f"{what} is {len(v):,} characters; the limit is {max_len}")
    if not v and not empty_ok:
        raise InputError(f"{what} must not be empty")
    return v


def frames_per_call(steps) -> int:
    return whole_number(steps, "steps", 1, MAX_FRAMES_PER_CALL)


def session_id(sid) -> str:
    if not isinstance(sid, str) or not 0 < len(sid) <= MAX_SESSION_ID:
        raise InputError(f"session id must be a non-empty string of at most {MAX_SESSION_ID} characters")
    return sid
