"""Golden run: a fixed script of held keys, analog look, typed edits and chat commands through `Session`, and the
hash of every frame it draws. A refactor that only moves code must leave every hash as it was.

The hashes are this engine's exact output. A deliberate change of what the world looks like or how a command is
read rewrites them (`PYTHONPATH=. python tests/test_golden.py --write`) in the same commit, and the commit says why.
"""
import hashlib
import json
import sys
from pathlib import Path

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


def _digest(a) -> str:
    return hashlib.sha256(a.tobytes()).hexdigest()[:16]


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
    bad = [i for i, (a, b) in enumerate(zip(got["frames"], want["frames"], strict=True)) if a != b]
    assert not bad, f"frames {bad} differ from the golden run"


def test_the_script_draws_distinct_frames():
    """The golden run is worth something only if the frames change: walking, weather and the clock all show."""
    frames = json.loads(GOLDEN.read_text())["frames"]
    assert len(set(frames)) > len(frames) // 2
    assert len(frames) == sum(STEPS_PER_LINE for w, _ in SCRIPT if w == "step") + 2


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        pytest.exit("usage: PYTHONPATH=. python tests/test_golden.py --write")
    GOLDEN.write_text(json.dumps(run_script(), indent=1) + "\n")
    print(f"wrote {GOLDEN}")
