"""Make a trailer from the command line, or time one.

    python -m oyster.trailer "a snowy volcanic island at sunset" --seconds 10 --out /tmp/t.mp4
    python -m oyster.trailer --bench          # median time to render a 10 s 640x360 trailer
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time

BENCH_PROMPT = "a snowy volcanic island at sunset"


def _bar(frac: float, desc: str = "") -> None:
    sys.stderr.write(f"\r[{'#' * int(30 * frac):<30}] {100 * frac:5.1f}% {desc:<20}")
    if frac >= 1.0:
        sys.stderr.write("\n")


def _report(r, wall: float) -> None:
    print(f"video:   {r.video_path}")
    print(f"plan:    {r.plan.summary()}")
    if r.not_understood:
        print(f"not understood: {', '.join(r.not_understood)}")
    for n in r.notes:
        print(f"note:    {n}")
    print("timings: " + ", ".join(f"{k} {v:.2f}s" for k, v in r.timings.items()) + f" (wall {wall:.2f}s)")
    print(f"step in: ?world={r.share_code}")


def bench(runs: int, seconds: float) -> None:
    """Warm the kernels with a short trailer, then time `runs` full-length 640x360 trailers."""
    import numba

    from oyster.trailer import make_trailer
    print(f"numba threads: {numba.get_num_threads()}; prompt {BENCH_PROMPT!r}; {seconds:g} s at 640x360, 30 fps")
    with tempfile.TemporaryDirectory() as d:
        make_trailer(BENCH_PROMPT, 2, f"{d}/warm.mp4")
        walls, cpus = [], []
        for k in range(runs):
            t, c = time.perf_counter(), time.process_time()
            r = make_trailer(BENCH_PROMPT, seconds, f"{d}/t{k}.mp4")
            walls.append(time.perf_counter() - t)
            cpus.append(time.process_time() - c)
            print(f"run {k}: {walls[-1]:.2f} s wall, {cpus[-1]:.2f} s CPU  ("
                  + ", ".join(f"{a} {b:.2f}" for a, b in r.timings.items()) + ")")
    med = statistics.median(walls)
    print(f"median {med:.2f} s wall to render {seconds:g} s of video: {seconds / med:.2f}x real time "
          f"({1000 * med / (seconds * 30):.1f} ms per frame); median CPU {statistics.median(cpus):.2f} s "
          f"(all threads; the machine's load shows in wall time, less in CPU time)")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m oyster.trailer", description=__doc__.splitlines()[0])
    ap.add_argument("prompt", nargs="?", help="what the world should look like")
    ap.add_argument("--seconds", type=float, default=8.0, help="length, 2-20 s")
    ap.add_argument("--out", default="trailer.mp4", help="MP4 path to write")
    ap.add_argument("--seed", type=int, default=None, help="world seed (default: from the prompt)")
    ap.add_argument("--width", type=int, default=640)
    ap.add_argument("--height", type=int, default=360)
    ap.add_argument("--bench", action="store_true", help="time 10 s 640x360 trailers and print the median")
    ap.add_argument("--runs", type=int, default=3, help="timed runs for --bench")
    a = ap.parse_args(argv)
    if a.bench:
        bench(a.runs, 10.0)
        return 0
    if not a.prompt:
        ap.error("give a prompt, or --bench")
    from oyster.trailer import make_trailer
    t = time.perf_counter()
    try:
        r = make_trailer(a.prompt, a.seconds, a.out, _bar, width=a.width, height=a.height, seed=a.seed)
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    _report(r, time.perf_counter() - t)
    return 0


if __name__ == "__main__":
    sys.exit(main())
