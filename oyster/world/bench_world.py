"""World-side timings (no rendering): fixed-step physics + events, scene building, chunk streaming. Median and p99
in milliseconds (session start and share-code restore: `python -m oyster.bench --only start`).

    python -m oyster.world.bench_world                 # 300 frames per row
    python -m oyster.world.bench_world --frames 1000
"""
import argparse
import time

import numpy as np

from . import chunks, terrain
from .world import World

BUSY = ({"op": "weather", "kind": "rain", "intensity": 0.8}, {"op": "eruption", "strength": 0.8},
        {"op": "spawn", "kind": "villager", "count": 12, "where": "ahead"}, {"op": "time", "hour": 16.5})


def _stats(times: list) -> tuple[float, float]:
    a = np.asarray(times) * 1000.0
    return float(np.median(a)), float(np.percentile(a, 99))


def time_world(frames: int, busy: bool) -> tuple[list, list]:
    """(World.step at 30 fps, World.scene) per call while walking and turning; busy adds rain, an eruption and
    villagers. Chunk streaming happens inside these calls, as it does in a session."""
    w = World(7)
    if busy:
        for e in BUSY:
            w.apply(e)
    steps, scenes = [], []
    for i in range(frames + 10):
        held = frozenset({"forward", "sprint", "turn_left"} if (i // 90) % 2 else {"forward", "sprint"})
        t0 = time.perf_counter()
        w.step(held, 1 / 30)
        t1 = time.perf_counter()
        w.scene()
        t2 = time.perf_counter()
        if i >= 10:
            steps.append(t1 - t0)
            scenes.append(t2 - t1)
    w.close()
    return steps, scenes


def time_chunk_build(n: int) -> list:
    """terrain.generate_chunk + object arrays for fresh chunks (what one streamed chunk costs)."""
    terrain.warm_up()
    times = []
    for i in range(n):
        t0 = time.perf_counter()
        chunks.base_chunk(13, 2000 + i, -2000 - i)
        times.append(time.perf_counter() - t0)
    return times


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--frames", type=int, default=300)
    a = ap.parse_args(argv)
    rows = []
    for busy in (False, True):
        st, sc = time_world(a.frames, busy)
        tag = "busy" if busy else "calm"
        rows += [(f"world.step ({tag})", st), (f"world.scene ({tag})", sc)]
    rows.append(("chunk generate+build", time_chunk_build(48)))
    print(f"{'measurement':<26}{'median ms':>11}{'p99 ms':>9}{'calls':>7}")
    for name, t in rows:
        med, p99 = _stats(t)
        print(f"{name:<26}{med:>11.3f}{p99:>9.3f}{len(t):>7}")


if __name__ == "__main__":
    main()
