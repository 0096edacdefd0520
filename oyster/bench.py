"""Frame-time benchmark: render, Session.step (physics + render), chunk generation, session start; median and p99.

    python -m oyster.bench                    # everything, 200 frames per row
    python -m oyster.bench --frames 500 --only render
    python -m oyster.bench --only presets first_frame recipe_change   # recipe worlds (bench_recipes.py)

Each measurement is a function returning per-call (wall, cpu) seconds; `MEASUREMENTS` lists what runs
and `print_table` prints them. Wall is time.perf_counter; cpu is time.thread_time of the calling thread,
which on a shared, overloaded machine is the better estimate of what one frame costs on one core (it
excludes time spent waiting for the CPU, and other threads' work: with several threads read wall).
Quote medians, and compare rows from the same run only.
"""
import argparse
import math
import os
import time
from collections.abc import Callable
from dataclasses import dataclass

import numba
import numpy as np

from oyster.fastpaths import render_paths

SIZES = ((320, 180), (640, 360), (1280, 720))
WARMUP = 10                # untimed calls first (JIT, caches, chunk streaming)


@dataclass
class Row:
    what: str              # measurement name
    size: str              # "640x360" or "-"
    threads: int
    times: list            # (wall, cpu) seconds per call

    def stats(self, col: int) -> tuple[float, float]:
        a = np.asarray(self.times)[:, col] * 1000.0
        return float(np.median(a)), float(np.percentile(a, 99))


class _Clock:
    """Times a block: wall and calling-thread CPU seconds."""
    def __enter__(self):
        self.w, self.c = time.perf_counter(), time.thread_time()
        return self

    def __exit__(self, *exc):
        self.dt = (time.perf_counter() - self.w, time.thread_time() - self.c)


def _threads(n: int) -> None:
    numba.set_num_threads(max(1, min(n, render_paths().max_threads)))


def bench_scene_session(width: int, height: int):
    """A real Session set up like a busy moment: rain, an eruption, villagers in view, walking forward."""
    from oyster import Session
    s = Session(seed=7, width=width, height=height)
    for edit in ({"op": "weather", "kind": "rain", "intensity": 0.8},
                 {"op": "eruption", "strength": 0.8},
                 {"op": "spawn", "kind": "villager", "count": 12, "where": "ahead"},
                 {"op": "time", "hour": 16.5, "speed": 60}):
        s.apply(edit)
    return s


def time_render(width: int, height: int, threads: int, frames: int) -> list:
    """render() alone on the Scenes of a walking Session (scene building and physics untimed)."""
    from oyster.render import render
    _threads(threads)
    s = bench_scene_session(width, height)
    out = np.empty((height, width, 3), np.uint8)
    times = []
    for i in range(frames + WARMUP):
        held = {"forward", "turn_left"} if (i // 60) % 2 else {"forward"}
        s.world.step(frozenset(held), 1 / 30)
        scene = s.world.scene()
        with _Clock() as c:
            render(scene, out)
        if i >= WARMUP:
            times.append(c.dt)
    s.close()
    return times


def time_passes(width: int, height: int, threads: int, frames: int) -> dict:
    """Each render pass alone (wall), on the same walking Session as `render`: which passes the threads split."""
    from oyster.render import render
    _threads(threads)
    s = bench_scene_session(width, height)
    out = np.empty((height, width, 3), np.uint8)
    rows: dict[str, list] = {}
    for i in range(frames + WARMUP):
        held = {"forward", "turn_left"} if (i // 60) % 2 else {"forward"}
        s.world.step(frozenset(held), 1 / 30)
        times: dict[str, float] = {}
        render(s.world.scene(), out, times)
        if i >= WARMUP:
            for k, v in times.items():
                rows.setdefault(f"pass {k}", []).append((v, float("nan")))
    s.close()
    return rows


def time_render_fixture(width: int, height: int, threads: int, frames: int) -> list:
    """render() on the renderer's synthetic fixture (300 sprites, rain, lava particles), camera panning."""
    from oyster.render import render
    from oyster.render.fixture import make_scene
    _threads(threads)
    out = np.empty((height, width, 3), np.uint8)
    times = []
    scene = None
    for i in range(frames + WARMUP):
        if i % 10 == 0:   # a new view every 10 frames: panning slowly, animation time moving on
            scene = make_scene(cam_x=-60.0, cam_y=-20.0, pitch=-0.08, rain=0.8, yaw=0.6 * math.sin(i * 0.02),
                               time=10.0 + i / 30)
        with _Clock() as c:
            render(scene, out)
        if i >= WARMUP:
            times.append(c.dt)
    return times


def time_step(width: int, height: int, threads: int, frames: int) -> list:
    """Session.step: fixed-step physics + events + scene + render + frame copy (the headline figure)."""
    _threads(threads)
    s = bench_scene_session(width, height)
    times = []
    for i in range(frames + WARMUP):
        held = {"forward", "turn_left"} if (i // 60) % 2 else {"forward"}
        with _Clock() as c:
            s.step(held, 1 / 30)
        if i >= WARMUP:
            times.append(c.dt)
    s.close()
    return times


def time_chunks(frames: int) -> list:
    """terrain.generate_chunk for fresh chunks (what streaming costs per chunk, off the frame path)."""
    from oyster.world import terrain
    terrain.warm_up()
    n = max(8, min(frames // 4, 64))
    times = []
    for i in range(n):
        with _Clock() as c:
            terrain.generate_chunk(11, 1000 + i, -1000 - i)
        times.append(c.dt)
    return times


BUSY_START = ({"op": "weather", "kind": "rain", "intensity": 0.8},
              {"op": "spawn", "kind": "villager", "count": 12, "where": "ahead"}, {"op": "time", "hour": 16.5})


def time_start(frames: int, n: int = 3) -> dict[str, list]:
    """New world with a cold chunk cache, new world of a seed already cached, share-code restore (n of each)."""
    from oyster import Session
    from oyster.world import chunks
    cold, warm, restore = [], [], []
    for k in range(n):
        chunks.forget_shared(100 + k)
        with _Clock() as c:
            s = Session(seed=100 + k, width=64, height=36)
        cold.append(c.dt)
        for e in BUSY_START:
            s.apply(e)
        for _ in range(30):
            s.step({"forward"}, 1 / 30)
        with _Clock() as c:
            Session(seed=100 + k, width=64, height=36).close()
        warm.append(c.dt)
        code = s.share_code()
        with _Clock() as c:
            Session.from_share_code(code, width=64, height=36).close()
        restore.append(c.dt)
        s.close()
    return {"start cold cache": cold, "start warm cache": warm, "from_share_code": restore}


# (name, function(width, height, threads, frames) or function(frames) when sized=False, sized); a function may
# return {row name: times} for several rows

MEASUREMENTS: dict[str, tuple[Callable, bool]] = {
    "render": (time_render, True),
    "render_fixture": (time_render_fixture, True),
    "passes": (time_passes, True),
    "step": (time_step, True),
    "chunk": (time_chunks, False),
    "start": (time_start, False),
    # recipe worlds (oyster/bench_recipes.py): these return their own rows
    "presets": ("presets", "rows"),
    "first_frame": ("first_frame", "rows"),
    "recipe_change": ("recipe_change", "rows"),
}
DEFAULT_SKIP = ("presets", "first_frame", "recipe_change", "passes")   # run only when named with --only


def run(frames: int, only: list[str] | None = None, sizes=SIZES) -> list[Row]:
    all_threads = render_paths().max_threads
    rows = []
    for name, (fn, sized) in MEASUREMENTS.items():
        if (only and name not in only) or (not only and name in DEFAULT_SKIP):
            continue
        if sized == "rows":
            from oyster import bench_recipes
            rows.extend(Row(*r) for r in getattr(bench_recipes, f"time_{fn}")(frames))
            continue
        if not sized:
            out = fn(frames)
            rows += [Row(k, "-", 1, v) for k, v in out.items()] if isinstance(out, dict) else [Row(name, "-", 1, out)]
            continue
        for w, h in sizes:
            for th in sorted({1, all_threads}):
                out = fn(w, h, th, frames)
                items = out.items() if isinstance(out, dict) else [(name, out)]
                rows += [Row(k, f"{w}x{h}", th, v) for k, v in items]
    _threads(1)
    return rows


def print_table(rows: list[Row]) -> None:
    print(f"{'measurement':<16}{'size':>10}{'threads':>8}{'wall median':>13}{'wall p99':>10}"
          f"{'cpu median':>12}{'cpu p99':>9}{'calls':>7}   (ms)")
    for r in rows:
        (wm, wp), (cm, cp) = r.stats(0), r.stats(1)
        print(f"{r.what:<16}{r.size:>10}{r.threads:>8}{wm:>13.2f}{wp:>10.2f}{cm:>12.2f}{cp:>9.2f}{len(r.times):>7}")
        if r.what in ("first_frame", "recipe_change"):
            print(f"{'':<16}{'worst wall':>26}{np.asarray(r.times)[:, 0].max() * 1000.0:>13.2f}")


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--frames", type=int, default=200, help=f"timed calls per row (after {WARMUP} warm-up)")
    ap.add_argument("--only", nargs="*", choices=list(MEASUREMENTS), help="run only these measurements")
    ap.add_argument("--sizes", nargs="*", help="e.g. 640x360 (default: 320x180 640x360 1280x720)")
    a = ap.parse_args(argv)
    sizes = tuple(tuple(int(v) for v in s.split("x")) for s in a.sizes) if a.sizes else SIZES
    print(f"render threads available: {render_paths().describe()}; frames per row: {a.frames}; "
          f"load average: {os.getloadavg()[0]:.1f}")
    print_table(run(a.frames, a.only, sizes))


if __name__ == "__main__":
    main()
