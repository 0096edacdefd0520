"""What the Dream tab costs the server: CPU per tick for N dreaming visitors, one DreamHub (one batched forward
per tick) against N single streams, on the same engine frames.

    python -m oyster.neural.bench                  # 1, 2, 4, 8 visitors, 120 ticks each
    python -m oyster.neural.bench --visitors 8 --ticks 300

Times are CPU time of the calling thread (one torch thread), medians and p99 over the ticks; every tick does
what the app does per visitor (fit the engine frame, anchor when due, step, upscale, score), not only the model.
"""
import argparse
import time

import numpy as np
import torch

from oyster.neural.hub import DreamHub, load_dream
from oyster.neural.stream import DreamStream

WALK = [{"forward"}] * 8 + [{"forward", "turn_left"}] * 20 + [{"turn_right"}] * 12 + [set()] * 4


def engine_walk(dream, ticks: int, seed: int = 3) -> tuple[list, list]:
    """(engine frames at 160x90, held sets) of a Session walking at the model's dt."""
    from oyster import Session
    s = Session(seed, width=160, height=90)
    try:
        helds = [frozenset(WALK[t % len(WALK)]) for t in range(ticks)]
        return [s.step(h, dt=dream.dt) for h in helds], helds
    finally:
        s.close()


def bench(dream, frames, helds, visitors: int) -> dict:
    """Per-tick CPU ms for `visitors` streams: hub and singles interleaved tick by tick (same load)."""
    hub = DreamHub(dream, visitors, threaded=False)
    feeds = [iter(zip(frames, helds, strict=True)) for _ in range(visitors)]
    members = [hub.join(lambda f=f: next(f)) for f in feeds]
    singles = [DreamStream(dream.fork()) for _ in range(visitors)]
    t_hub, t_one = [], []
    for frame, held in zip(frames, helds, strict=True):
        c = time.thread_time()
        hub.tick(members)
        t_hub.append(time.thread_time() - c)
        c = time.thread_time()
        for s in singles:
            s.tick(frame, held)
        t_one.append(time.thread_time() - c)
    hub_ms, one_ms = (1e3 * np.asarray(t[5:]) for t in (t_hub, t_one))   # the first ticks anchor everyone
    return {"visitors": visitors, "hub_ms": float(np.median(hub_ms)), "hub_p99": float(np.percentile(hub_ms, 99)),
            "single_ms": float(np.median(one_ms)), "single_p99": float(np.percentile(one_ms, 99)),
            "gain": float(np.median(one_ms) / np.median(hub_ms))}


def main(argv=None) -> list[dict]:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--visitors", type=int, nargs="+", default=[1, 2, 4, 8])
    p.add_argument("--ticks", type=int, default=120)
    args = p.parse_args(argv)
    torch.set_num_threads(1)
    dream, info = load_dream()
    if dream is None:
        raise SystemExit(info)
    frames, helds = engine_walk(dream, args.ticks)
    print(f"Dream tab, CPU ms per tick (one thread; a tick is {dream.dt * 1e3:.0f} ms of world time), "
          f"median / p99 over {args.ticks} ticks")
    print("visitors | hub (batched)  | single streams | gain")
    rows = []
    for n in args.visitors:
        r = bench(dream, frames, helds, n)
        rows.append(r)
        print(f"{n:8d} | {r['hub_ms']:6.2f} / {r['hub_p99']:5.1f} | {r['single_ms']:6.2f} / {r['single_p99']:5.1f} "
              f"| {r['gain']:.2f}x")
    return rows


if __name__ == "__main__":
    main()
