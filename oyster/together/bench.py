"""Benchmark: N players in one shared world against N private sessions, each player on its own thread paced at the
target fps like the Runner (deadlines, skip when late), a frame = step (world + view) + JPEG. Prints fps per player
and CPU per frame of both, then the world's and the view's CPU per frame measured on one thread (less sensitive to
other jobs on a shared machine) and the fps that many free cores would give each player.

    python -m oyster.together.bench                      # 8 players, 640x360, 30 fps, 20 s each, eruption + rain
    python -m oyster.together.bench --players 4 --seconds 10 --width 320 --height 180
"""
import argparse
import os
import statistics
import threading
import time

import cv2
import numba

WALK = ({"forward"}, {"forward", "turn_left"}, {"forward"}, {"forward", "turn_right"}, set())


def _play(seat, k: int, fps: float, seconds: float, start: float, out: list) -> None:
    """One player's paced loop: hold a walking pattern, render, encode; records frame times."""
    numba.set_num_threads(1)          # as the Runner does when several visitors share the CPU
    period, next_due, frames, work = 1.0 / fps, start, 0, []
    last = start
    while True:
        now = time.perf_counter()
        if now >= start + seconds:
            break
        if now < next_due:
            time.sleep(next_due - now)
            now = time.perf_counter()
        if now - next_due > period:
            next_due = now                # behind: skip stale deadlines
        next_due += period
        held = WALK[(frames // 45 + k) % len(WALK)]
        t0 = time.perf_counter()
        frame = seat.step(held, min(max(now - last, 1e-3), 0.1))
        cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, 80])
        work.append(time.perf_counter() - t0)
        last = now
        frames += 1
    out[k] = (frames / seconds, work)


def run(seats, fps: float, seconds: float) -> dict:
    out = [None] * len(seats)
    start = time.perf_counter() + 0.05
    cpu0 = time.process_time()
    threads = [threading.Thread(target=_play, args=(s, k, fps, seconds, start, out)) for k, s in enumerate(seats)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    cpu = time.process_time() - cpu0
    frames = sum(len(w) for _, w in out)
    work = sorted(x for _, w in out for x in w)
    return {"fps": [round(f, 1) for f, _ in out], "cpu_ms_per_frame": 1000.0 * cpu / max(frames, 1),
            "frame_ms_p50": 1000.0 * statistics.median(work), "frame_ms_p99": 1000.0 * work[int(0.99 * len(work))]}


def split(seats, rounds: int, shared: bool) -> tuple[float, float]:
    """(world ms, view ms) of CPU per player frame, everyone stepped in turn on this thread: the world's part
    (time, physics, events) apart from the view's (scene, drawing, name tags)."""
    numba.set_num_threads(1)
    world = view = 0.0
    for f in range(rounds):
        for k, s in enumerate(seats):
            held = frozenset(WALK[(f // 45 + k) % len(WALK)])
            t0 = time.thread_time()
            if shared:
                s.party.advance(s.member, held, 1 / 30)
                t1 = time.thread_time()
                s.frame()
            else:
                s.world.step(held, 1 / 30)
                t1 = time.thread_time()
                s.frame()
            t2 = time.thread_time()
            world, view = world + t1 - t0, view + t2 - t1
    n = rounds * len(seats)
    return 1000.0 * world / n, 1000.0 * view / n


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--players", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--fps", type=float, default=30.0)
    ap.add_argument("--width", type=int, default=640)
    ap.add_argument("--height", type=int, default=360)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--rounds", type=int, default=60, help="rounds of the one-thread world/view split")
    ap.add_argument("--cores", type=int, default=os.cpu_count() or 1, help="cores for the capacity estimate")
    ap.add_argument("--calm", action="store_true", help="no eruption and rain (default: both, started by one player)")
    a = ap.parse_args(argv)

    from oyster.session import Session
    from oyster.together import Parties

    def private():
        return [Session(seed=a.seed, width=a.width, height=a.height) for _ in range(a.players)]

    def shared():
        parties = Parties()
        code, host = parties.host(Session(seed=a.seed, width=a.width, height=a.height), "P1")
        return [host] + [parties.join(code, f"P{k + 1}", width=a.width, height=a.height)
                         for k in range(1, a.players)]

    results = {}
    for mode, make in (("shared", shared), ("private", private)):
        seats = make()
        for s in seats:                   # warm: kernels compiled, chunks generated
            s.step(set(), 1 / a.fps)
        if not a.calm:                    # one player's eruption and rain: every private world must run its own
            for s in seats[:1] if mode == "shared" else seats:
                s.apply({"op": "eruption", "strength": 0.8})
                s.apply({"op": "weather", "kind": "rain", "intensity": 0.7})
        results[mode] = run(seats, a.fps, a.seconds)
        results[mode]["split"] = split(seats, a.rounds, mode == "shared")
        for s in seats:
            s.close()
    print(f"{a.players} players, {a.width}x{a.height}, target {a.fps:g} fps, {a.seconds:g} s each, "
          f"frame = step + JPEG, {'calm' if a.calm else 'eruption + rain'}")
    for mode, r in results.items():
        print(f"{mode:8s} fps per player: {' '.join(f'{f:.1f}' for f in r['fps'])}  (min {min(r['fps']):.1f})")
        print(f"{mode:8s} CPU per frame {r['cpu_ms_per_frame']:.2f} ms; frame time p50 {r['frame_ms_p50']:.2f} ms, "
              f"p99 {r['frame_ms_p99']:.2f} ms")
    ratio = results["shared"]["cpu_ms_per_frame"] / results["private"]["cpu_ms_per_frame"]
    print(f"shared / private CPU per frame: {ratio:.2f}")
    for mode, r in results.items():
        w, v = r["split"]
        cap = a.cores * 1000.0 / ((w + v) * a.players)
        print(f"{mode:8s} one thread, per player frame: world {w:.2f} ms + view {v:.2f} ms = {w + v:.2f} ms "
              f"-> {a.cores} free cores give each of {a.players} players {cap:.0f} fps")


if __name__ == "__main__":
    main()
