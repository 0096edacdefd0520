"""Latency of Direct mode over the hand-written test sets, on one thread.

    python -m oyster.direct.bench     # interpret() alone; Session.command end to end: python -m oyster.judge --bench
"""
import statistics
import time

from oyster.direct import classifier
from oyster.direct.evaluate import STATES, load_cases
from oyster.direct.interpreter import Interpreter


def _pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))]


def measure(rounds: int = 5) -> dict:
    """Per-command wall times in ms: full interpret() and the classifier alone."""
    import torch
    torch.set_num_threads(1)
    cases = load_cases()
    model = classifier.shared()  # load once, outside the timed region
    it = Interpreter()
    for case in cases:  # warm caches (regexes, typo repair memo) as a running server would have them
        it.interpret(case["text"], STATES[case.get("state", "village")])
    full, clf = [], []
    best = [float("inf")] * len(cases)  # per command, best of the rounds: the cost without scheduler noise
    for _ in range(rounds):
        for k, case in enumerate(cases):
            state = STATES[case.get("state", "village")]
            t0 = time.perf_counter()
            it.interpret(case["text"], state)
            full.append((time.perf_counter() - t0) * 1e3)
            best[k] = min(best[k], full[-1])
            if model is not None:
                t0 = time.perf_counter()
                model.predict(case["text"].lower())
                clf.append((time.perf_counter() - t0) * 1e3)
    cold = Interpreter()
    t0 = time.perf_counter()
    cold.interpret("make it rian and plant thre tres", STATES["village"])  # typo repair not yet memoised
    return {"commands": len(cases), "rounds": rounds,
            "median_ms": statistics.median(full), "p99_ms": _pct(full, 0.99), "max_ms": max(full),
            "best_p99_ms": _pct(best, 0.99), "best_max_ms": max(best),
            "classifier_median_ms": statistics.median(clf) if clf else float("nan"),
            "cold_typo_ms": (time.perf_counter() - t0) * 1e3}


def main() -> None:
    r = measure()
    print(f"direct mode, {r['commands']} commands x {r['rounds']} rounds, one thread:")
    print(f"  interpret      median {r['median_ms']:.3f} ms   p99 {r['p99_ms']:.3f} ms   max {r['max_ms']:.3f} ms")
    print(f"  per-command best of {r['rounds']}: p99 {r['best_p99_ms']:.3f} ms   max {r['best_max_ms']:.3f} ms "
          "(shared-CPU noise removed)")
    print(f"  classifier     median {r['classifier_median_ms']:.3f} ms (fallback layer alone)")
    print(f"  first-seen typos (uncached fuzzy match): {r['cold_typo_ms']:.2f} ms")


if __name__ == "__main__":
    main()
