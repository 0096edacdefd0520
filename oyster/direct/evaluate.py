"""Score Direct mode on the hand-written command set (tests/data/direct_commands.jsonl).

    python -m oyster.direct.evaluate          # prints accuracy and every miss

Each case: {"text", "edits", optional "state": "village"|"empty"|"none", optional "before": [commands]}.
Expected edits are compared by op and by the keys they list (numbers within a tolerance; a key set
to null must be absent).
"""
import json
import sys
from pathlib import Path

from oyster.direct.interpreter import Interpreter

CASES = Path(__file__).resolve().parents[2] / "tests" / "data" / "direct_commands.jsonl"

_ENTITIES = [
    {"id": "v1", "kind": "villager", "x": 3.0, "y": 1.0, "radius": 0.4, "action": "idle", "distance": 3.2},
    {"id": "a1", "kind": "animal", "x": 5.0, "y": -1.0, "radius": 0.5, "action": "walk", "distance": 5.1},
    {"id": "t9", "kind": "tree", "x": 6.0, "y": 1.0, "radius": 0.8, "action": "idle", "distance": 6.1},
    {"id": "v2", "kind": "villager", "x": 9.0, "y": 1.0, "radius": 0.4, "action": "idle", "distance": 9.1},
]
STATES = {
    "village": {"player": {"x": 0.0, "y": 0.0, "z": 12.0, "yaw": 0.0, "pitch": 0.0, "on_ground": True},
                "clock": {"hour": 14.0, "speed": 60.0}, "weather": {"kind": "clear", "intensity": 0.0},
                "gravity": 1.0, "biome": "grassland", "entities": _ENTITIES},
    "empty": {"player": {"x": 0.0, "y": 0.0, "z": 12.0, "yaw": 0.0, "pitch": 0.0, "on_ground": True},
              "clock": {"hour": 9.0, "speed": 60.0}, "weather": {"kind": "rain", "intensity": 0.5},
              "gravity": 1.0, "biome": "desert", "entities": []},
    "none": None,
}
# Absolute tolerance per numeric field (hour is compared on the 24 h circle).
TOLERANCE = {"hour": 0.5, "intensity": 0.15, "strength": 0.2, "radius": 0.5, "x": 0.01, "y": 0.01}


def load_cases(path: Path = CASES) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def _close(key: str, want: float, got: float) -> bool:
    if key == "hour":
        d = abs(want - got) % 24
        return min(d, 24 - d) <= TOLERANCE["hour"]
    if key in ("scale", "speed"):
        return abs(want - got) <= 0.1 * abs(want) + 1e-6
    return abs(want - got) <= TOLERANCE.get(key, 1e-6)


def edit_matches(want: dict, got: dict) -> bool:
    for key, value in want.items():
        if value is None:
            if key in got:
                return False
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            if not isinstance(got.get(key), (int, float)) or not _close(key, float(value), float(got[key])):
                return False
        elif got.get(key) != value:
            return False
    return True


def run_case(case: dict, interpreter: Interpreter | None = None):
    """(ok, result) for one case, replaying its 'before' commands on a fresh interpreter."""
    it = interpreter or Interpreter()
    state = STATES[case.get("state", "village")]
    for cmd in case.get("before", []):
        it.interpret(cmd, state)
    result = it.interpret(case["text"], state)
    want = case["edits"]
    ok = len(want) == len(result.edits) and all(edit_matches(w, g) for w, g in zip(want, result.edits, strict=True))
    return ok, result


def accuracy(cases: list[dict] | None = None, verbose: bool = False) -> float:
    cases = load_cases() if cases is None else cases
    hits = 0
    for case in cases:
        ok, result = run_case(case)
        hits += ok
        if verbose and not ok:
            print(f"MISS {case['text']!r}\n  want {case['edits']}\n  got  {result.edits}  | {result.reply}")
    return hits / max(1, len(cases))


def main() -> None:
    cases = load_cases()
    acc = accuracy(cases, verbose="-q" not in sys.argv)
    print(f"accuracy {acc:.3f} on {len(cases)} hand-written commands")


if __name__ == "__main__":
    main()
