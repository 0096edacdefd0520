"""Score Direct mode on the hand-written command sets.

    python -m oyster.direct.evaluate              # accuracy on the edit-list set and every miss
    python -m oyster.direct.evaluate -q           # the figure only
    python -m oyster.direct.evaluate --threshold  # the fallback's acting threshold, measured on held-out paraphrases

tests/data/direct_commands.jsonl is judged on the edit list against fixture states (below); the world-state set
(tests/data/direct_world_cases.jsonl) runs through real Sessions in `python -m oyster.judge`, outside this room.

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


PARAPHRASES = CASES.parent / "direct_paraphrases.jsonl"
MIN_PRECISION = 0.97   # the fallback may act where at least this share of its held-out guesses are right


def threshold_table(path: Path = PARAPHRASES) -> list[tuple[float, int, float, float]]:
    """(threshold, guesses acted on, precision, share of real commands covered) on the held-out paraphrases."""
    from oyster.direct import classifier
    from oyster.direct.text import normalise, repair_clause
    model = classifier.shared()
    rows = load_cases(path)
    got = [(*model.predict(repair_clause(normalise(r["text"]).text)), r["intent"]) for r in rows]
    real = max(1, sum(want != "none" for _, _, want in got))
    out = []
    for t in (0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.98):
        acted = [(i, want) for i, p, want in got if p >= t and i != "none"]
        out.append((t, len(acted), sum(i == w for i, w in acted) / max(1, len(acted)), len(acted) / real))
    return out


def pick_threshold(table) -> float:
    return next((t for t, n, prec, _ in table if prec >= MIN_PRECISION and n >= 10), 1.0)


def main() -> None:
    quiet = "-q" in sys.argv
    if "--threshold" in sys.argv:
        from oyster.direct import fallback
        table = threshold_table()
        print(f"fallback classifier on {len(load_cases(PARAPHRASES))} held-out paraphrases:")
        print("| threshold | acted on | precision | coverage |\n| --- | --- | --- | --- |")
        for t, n, prec, cov in table:
            print(f"| {t:.2f} | {n} | {prec:.3f} | {cov:.3f} |")
        print(f"lowest threshold with precision >= {MIN_PRECISION}: {pick_threshold(table)} "
              f"(fallback.ACT = {fallback.ACT})")
        return
    cases = load_cases()
    acc = accuracy(cases, verbose=not quiet)
    print(f"edit-list set: accuracy {acc:.3f} on {len(cases)} hand-written commands")
    print("(the world-state set, per pattern, through real Sessions: python -m oyster.judge)")


if __name__ == "__main__":
    main()
