"""Read prompts from the command line, or time the reader.

    python -m oyster.language "snowy mountains at sunset with a frozen lake"
    python -m oyster.language --bench        # median and p99 milliseconds per prompt over the example prompts
"""
from __future__ import annotations

import argparse
import statistics
import time

from oyster.language import read_world
from oyster.language.examples import WORLD_PROMPTS


def bench(rounds: int) -> None:
    prompts = [p for p, _ in WORLD_PROMPTS]
    for p in prompts:                       # first reading of each word fills the word-form cache
        read_world(p)
    times = []
    for _ in range(rounds):
        for p in prompts:
            t = time.perf_counter()
            read_world(p)
            times.append((time.perf_counter() - t) * 1000)
    times.sort()
    print(f"read_world over {len(prompts)} prompts x {rounds}: median {statistics.median(times):.3f} ms, "
          f"p99 {times[int(0.99 * (len(times) - 1))]:.3f} ms")


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("prompt", nargs="*")
    ap.add_argument("--bench", action="store_true")
    ap.add_argument("--rounds", type=int, default=20)
    a = ap.parse_args(argv)
    if a.bench:
        bench(a.rounds)
        return
    r = read_world(" ".join(a.prompt))
    print(f"preset:  {r.preset}\nchanges: {r.changes}\nedits:   {r.edits}\nplaces:  {r.places}")
    print(f"understood: {r.understood}\nnot understood: {r.not_understood}\n{r.summary()}")


if __name__ == "__main__":
    main()
