"""Benchmark of RayRunner beside the in-process runner, and of recovery when a session host dies.

    python -m oyster.serve.ray_bench --visitors 6 --seconds 20     # load test through both runners, then recovery
    python -m oyster.serve.ray_bench --only recovery --kills 3

Load: `python app.py` is started twice (OYSTER_RUNNER=local, then ray, local Ray on loopback) and driven over HTTP
by the load test's simulated visitors; it prints fps per visitor, key-to-frame median and p99, and CPU per frame
of the app and every process it started (Ray's included). Recovery: sessions stream from two hosts; the process
of one host is killed (SIGKILL, as when its machine dies); it prints the time from the kill to each of its
sessions' next frame, and checks their edits came back.
"""
import argparse
import asyncio
import os
import signal
import statistics
import sys
import threading
import time

import numpy as np

from oyster.serve import loadtest
from oyster.serve.proctree import cpu_seconds, tree


def load_round(kind: str, visitors: int, seconds: float, fps: float) -> dict:
    os.environ["OYSTER_RUNNER"] = kind
    os.environ.setdefault("OYSTER_RAY_HOSTS", str(max(1, min(4, os.cpu_count() or 1))))
    proc, base = loadtest.start_server(visitors, fps)
    try:
        pids = tree(proc.pid)
        cpu0, sent0 = cpu_seconds(pids), asyncio.run(loadtest._metrics_by_name(base))["frames_sent"]
        front0 = cpu_seconds([proc.pid])
        results, server = asyncio.run(loadtest.run_round(base, visitors, seconds))
        print(f"\n#### runner: {kind}")
        summary = loadtest.report(visitors, results, server)
        pids = sorted(set(pids) | set(tree(proc.pid)))
        frames = max(1, asyncio.run(loadtest._metrics_by_name(base))["frames_sent"] - sent0)
        lat = [x for r in results for x in r.key_latency_ms]
        summary["key_to_frame_p99_ms"] = float(np.percentile(lat, 99)) if lat else float("nan")
        summary["cpu_ms_per_frame"] = (cpu_seconds(pids) - cpu0) * 1000 / frames
        summary["front_cpu_ms_per_frame"] = (cpu_seconds([proc.pid]) - front0) * 1000 / frames
        summary["held_24fps"] = sum(1 for r in results if r.fps() >= 24.0)
        print(f"{kind}: {summary['held_24fps']}/{visitors} visitors >= 24 fps, key-to-frame median "
              f"{summary['key_to_frame_median_ms']:.1f} ms p99 {summary['key_to_frame_p99_ms']:.1f} ms, "
              f"CPU {summary['cpu_ms_per_frame']:.1f} ms per frame (app + Ray processes), of which the page "
              f"server process {summary['front_cpu_ms_per_frame']:.1f} ms")
        return summary
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except Exception:  # noqa: BLE001
            proc.kill()
        os.environ.pop("OYSTER_RUNNER", None)


def recovery(sessions: int, kills: int) -> list[float]:
    """Kill a host's process under streaming sessions `kills` times; seconds from each kill to the next frame."""
    import logging

    from oyster.serve import ServeConfig
    from oyster.serve.ray_runner import RayOptions, RayRunner

    logging.basicConfig(format="  %(relativeCreated)d %(message)s")
    logging.getLogger("oyster.serve.ray_runner").setLevel(logging.INFO)   # each move: restore time vs detection

    runner = RayRunner(ServeConfig.from_env(width=320, height=180, max_players=sessions),
                       RayOptions(hosts=2, host_cpus=0.5, stall_s=3.0))
    times: list[float] = []
    try:
        sids = [f"bench-{i}" for i in range(sessions)]
        last_url: dict[str, float] = {}
        stop = threading.Event()

        def play(sid):
            for p in runner.frames(sid):
                if "url" in p:
                    last_url[sid] = time.monotonic()
                if stop.is_set() or p.get("done"):
                    return

        threads = []
        for i, sid in enumerate(sids):
            runner.open(sid, seed=i)
            runner.command(sid, "make it snow")
            t = threading.Thread(target=play, args=(sid,), daemon=True)
            t.start()
            threads.append(t)
        time.sleep(5.0)
        for k in range(kills):
            hosts = [h for h in runner.stats()["hosts"] if not h.get("down") and h.get("sessions_active")]
            victim = hosts[k % len(hosts)]
            on_it = [s for s in sids if runner._d("status", s)["host"] == victim["host"]]
            t_kill = time.monotonic()
            logging.getLogger("oyster.serve.ray_runner").info("host process killed")
            os.kill(victim["pid"], signal.SIGKILL)
            deadline = t_kill + 60
            while time.monotonic() < deadline and not all(last_url.get(s, 0) > t_kill for s in on_it):
                time.sleep(0.01)
            got = [last_url[s] - t_kill for s in on_it if last_url.get(s, 0) > t_kill]
            kept = all(runner.state(s)["weather"]["kind"] == "snow" for s in on_it)
            print(f"kill {k + 1}: host {victim['host']} with {len(on_it)} sessions; next frame after "
                  f"{', '.join(f'{x:.2f}' for x in got)} s; edits kept: {kept}")
            times += got
            time.sleep(4.0)   # Ray restarts the host meanwhile (empty; sessions stay where they went)
        stop.set()
    finally:
        runner.shutdown()
    return times


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--visitors", type=int, default=6)
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--fps", type=float, default=30.0)
    ap.add_argument("--kills", type=int, default=3)
    ap.add_argument("--sessions", type=int, default=4, help="sessions streaming during the recovery test")
    ap.add_argument("--only", choices=("load", "recovery"), default="")
    args = ap.parse_args(argv)
    print(f"cpus {os.cpu_count()}  load average {os.getloadavg()[0]:.2f}")
    if args.only != "recovery":
        a = load_round("local", args.visitors, args.seconds, args.fps)
        b = load_round("ray", args.visitors, args.seconds, args.fps)
        print(f"\nRay adds {b['key_to_frame_median_ms'] - a['key_to_frame_median_ms']:+.1f} ms key-to-frame (median), "
              f"{b['key_to_frame_p99_ms'] - a['key_to_frame_p99_ms']:+.1f} ms (p99), "
              f"{b['cpu_ms_per_frame'] - a['cpu_ms_per_frame']:+.1f} ms CPU per frame")
    if args.only != "load":
        times = recovery(args.sessions, args.kills)
        if times:
            print(f"\nhost loss to next frame: median {statistics.median(times):.2f} s, max {max(times):.2f} s "
                  f"over {len(times)} sessions")
    return 0


if __name__ == "__main__":
    sys.exit(main())
