"""Golden run: a fixed script of held keys, analog look, typed edits and chat commands through `Session`, and a
thumbnail of every frame it draws. A refactor that only moves code must leave every frame as it was.

Replies and the final world state are compared exactly (the world kernels are exact). Frames are compared as 16x9
block means within a few levels: the render kernels use fastmath, so another CPU's vector width may move a pixel by
an ulp, while a moved camera, a missing sprite or a changed sky moves block means by far more. A deliberate change of
what the world looks like or how a command is read rewrites the file
(`PYTHONPATH=. python tests/test_golden.py --write`) in the same commit, and the commit says why.
"""
import hashlib
import json
import sys
from pathlib import Path

import numpy as np
import pytest

from oyster import Session

GOLDEN = Path(__file__).parent / "data" / "golden_frames.json"
W, H = 96, 54

# (what, argument): "step" held keys (+ look), "apply" a typed edit, "command" a chat line, "frame" a redraw.
SCRIPT = [
    ("step", ({"forward"}, None)),
    ("step", ({"forward", "turn_left"}, None)),
    ("command", "make it rain"),
    ("step", ({"forward", "sprint"}, (0.05, -0.02))),
    ("step", ({"jump"}, None)),
    ("apply", {"op": "time", "hour": 18.5}),
    ("step", ({"turn_right", "look_up"}, None)),
    ("command", "spawn 3 villagers ahead"),
    ("step", (set(), (-0.1, 0.04))),
    ("command", "erupt the volcano"),
    ("step", ({"back", "left"}, None)),
    ("apply", {"op": "weather", "kind": "snow", "intensity": 0.7}),
    ("step", ({"right"}, None)),
    ("command", "undo"),
    ("step", ({"forward"}, None)),
    ("apply", {"op": "teleport", "target": "lake"}),
    ("step", ({"look_down"}, None)),
    ("frame", None),
]
STEPS_PER_LINE = 3   # each "step" line is held for this many 1/30 s steps, hashing every frame


BLOCKS = (9, 16)    # rows, columns of the thumbnail
TOLERANCE = 3.0     # largest allowed change of one block mean, in 0..255 levels


def _digest(a) -> list:
    """The frame as 9x16 block means (one decimal), per channel."""
    h, w = a.shape[0] // BLOCKS[0] * BLOCKS[0], a.shape[1] // BLOCKS[1] * BLOCKS[1]
    blocks = a[:h, :w].reshape(BLOCKS[0], h // BLOCKS[0], BLOCKS[1], w // BLOCKS[1], 3).mean(axis=(1, 3))
    return np.round(blocks, 1).tolist()


def run_script() -> dict:
    """{"frames": [hash per drawn frame], "replies": [reply per command], "share": hash of the final world state}."""
    frames, replies = [], []
    with Session(seed=7, prompt="misty morning", width=W, height=H) as s:
        replies.append(s.prompt_reply)
        for what, arg in SCRIPT:
            if what == "step":
                held, look = arg
                for _ in range(STEPS_PER_LINE):
                    frames.append(_digest(s.step(held, 1 / 30, look=look)))
                    look = None
            elif what == "apply":
                s.apply(arg)
            elif what == "command":
                r = s.command(arg)
                replies.append(json.dumps({"edits": r.edits, "reply": r.reply}, sort_keys=True))
            else:
                frames.append(_digest(s.frame()))
        state = json.dumps(s.state(), sort_keys=True, default=str)
        code = s.share_code()
    with Session.from_share_code(code, width=W, height=H) as s2:
        frames.append(_digest(s2.frame()))
    return {"frames": frames, "replies": replies, "state": hashlib.sha256(state.encode()).hexdigest()[:16]}


def test_a_fixed_script_draws_the_same_frames_as_before():
    want = json.loads(GOLDEN.read_text())
    got = run_script()
    assert got["replies"] == want["replies"], "a command is read differently"
    assert got["state"] == want["state"], "the world ends in a different state"
    diffs = [float(np.abs(np.subtract(a, b)).max()) for a, b in zip(got["frames"], want["frames"], strict=True)]
    bad = [i for i, d in enumerate(diffs) if d > TOLERANCE]
    assert not bad, f"frames {bad} differ from the golden run (largest block change {max(diffs):.1f} levels)"


def test_the_script_draws_distinct_frames():
    """The golden run is worth something only if the frames change: walking, weather and the clock all show."""
    frames = json.loads(GOLDEN.read_text())["frames"]
    distinct = {json.dumps(f) for f in frames}
    assert len(distinct) > len(frames) // 2
    # neighbouring frames differ by more than the tolerance, so the tolerance cannot hide a step of the script
    jumps = [np.abs(np.subtract(a, b)).max() for a, b in zip(frames[:-1], frames[1:], strict=True)]
    assert np.median(jumps) > TOLERANCE
    assert len(frames) == sum(STEPS_PER_LINE for w, _ in SCRIPT if w == "step") + 2


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        pytest.exit("usage: PYTHONPATH=. python tests/test_golden.py --write")
    GOLDEN.write_text(json.dumps(run_script(), separators=(",", ":")) + "\n")
    print(f"wrote {GOLDEN}")
