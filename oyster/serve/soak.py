"""Soak: N visitors play rich worlds for M minutes in one Runner, each pressing keys and sending a varied command
every few seconds (eruptions, spawns, craters, weather); prints fps per minute per visitor and RSS per minute.

    python -m oyster.serve.soak                              # 8 visitors x 30 minutes (the goal's run)
    python -m oyster.serve.soak --visitors 8 --minutes 3     # a short run on a shared machine

Goals: every visitor >= 24 fps in every minute; RSS flat within 10% after the first 5 minutes (or after the first
minute in runs shorter than 6 minutes). Frames are the Runner's own paced stream (render + JPEG), as served.
"""
import argparse
import random
import threading
import time
from dataclasses import dataclass, field

from oyster.serve.config import ServeConfig
from oyster.serve.metrics import memory_mb
from oyster.serve.runner import Runner

COMMANDS = ("erupt the volcano", "spawn 5 trees", "make a crater here", "make it rain", "add a house",
            "dig a crater ahead", "spawn 3 villagers", "make it snow", "add 4 rocks", "sunset",
            "raise the ground ahead", "clear skies", "make it stormy", "add two sheep", "night", "noon")
KEYS = ({"forward"}, {"forward", "turn_left"}, {"turn_right"}, set(), {"forward", "sprint"}, {"back"},
        {"left"}, {"forward", "jump"})


@dataclass
class Visitor:
    sid: str
    frames_per_min: list = field(default_factory=list)   # frames received in each whole minute
    commands: int = 0
    errors: list = field(default_factory=list)


def play(r: Runner, v: Visitor, minutes: float, command_every: float, stop: threading.Event, rng: random.Random):
    t0 = time.monotonic()
    next_cmd, next_key, seq, count, minute = t0 + rng.uniform(0, command_every), t0, 0, 0, 0
    try:
        for packet in r.frames(v.sid):
            now = time.monotonic()
            if packet.get("done") or stop.is_set():
                break
            if packet.get("url") and not packet.get("message"):
                count += 1
            if now - t0 >= 60.0 * (minute + 1):
                v.frames_per_min.append(count)
                count, minute = 0, minute + 1
                if minute >= minutes:
                    break
            if now >= next_key:
                seq += 1
                r.send_input(v.sid, seq, sorted(rng.choice(KEYS)))
                next_key = now + rng.uniform(0.8, 2.0)
            if now >= next_cmd:
                try:
                    r.command(v.sid, COMMANDS[v.commands % len(COMMANDS)])
                except Exception as e:   # a refusal is part of the run: counted, not fatal
                    v.errors.append(f"{type(e).__name__}: {e}")
                v.commands += 1
                next_cmd = now + command_every
    finally:
        r.close(v.sid, "soak done")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--visitors", type=int, default=8)
    ap.add_argument("--minutes", type=float, default=30.0)
    ap.add_argument("--command-every", type=float, default=5.0, help="seconds between a visitor's commands")
    ap.add_argument("--width", type=int, default=640)
    ap.add_argument("--height", type=int, default=360)
    ap.add_argument("--fps", type=float, default=30.0)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args(argv)
    minutes = max(1, int(a.minutes))
    cfg = ServeConfig.from_env(max_players=a.visitors, width=a.width, height=a.height, fps=a.fps,
                               max_visit_s=minutes * 60.0 + 600.0, idle_timeout_s=minutes * 60.0 + 600.0,
                               commands_per_min=600.0, commands_burst=60.0)
    r = Runner(cfg)
    visitors = [Visitor(f"soak-{k}") for k in range(a.visitors)]
    for k, v in enumerate(visitors):
        r.open(v.sid, seed=a.seed + k)
    stop = threading.Event()
    threads = [threading.Thread(target=play, args=(r, v, minutes, a.command_every, stop, random.Random(k)),
                                daemon=True) for k, v in enumerate(visitors)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    rss = []
    print(f"soak: {a.visitors} visitors x {minutes} min, {a.width}x{a.height} at {a.fps:g} fps target, "
          f"a command every {a.command_every:g} s each", flush=True)
    try:
        for m in range(minutes):
            while any(t.is_alive() for t in threads) and (
                    time.monotonic() - t0 < 60.0 * (m + 1)
                    or (any(len(v.frames_per_min) <= m for v in visitors) and time.monotonic() - t0 < 60.0 * m + 75)):
                time.sleep(0.5)       # each visitor closes its minute on its next frame
            mem = memory_mb()
            rss.append(mem["rss_mb"])
            fps = [v.frames_per_min[m] / 60.0 if len(v.frames_per_min) > m else float("nan") for v in visitors]
            print(f"minute {m + 1:3d}  rss {mem['rss_mb']:7.1f} MB  fps per visitor "
                  + " ".join(f"{f:5.1f}" for f in fps), flush=True)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=30)
        r.shutdown()
    all_fps = [n / 60.0 for v in visitors for n in v.frames_per_min]
    settle = 5 if minutes >= 6 else 1
    tail = rss[settle:] or rss
    growth = (max(tail) - min(tail)) / max(min(tail), 1.0) * 100.0
    lo, mid = (min(all_fps), sorted(all_fps)[len(all_fps) // 2]) if all_fps else (0.0, 0.0)
    print(f"fps min {lo:.1f}  median {mid:.1f}  (goal >= 24 every visitor-minute)")
    print(f"rss after minute {settle}: {min(tail):.1f} .. {max(tail):.1f} MB, spread {growth:.1f}%  (goal <= 10%)")
    for v in visitors:
        print(f"    {v.sid}: frames per minute {v.frames_per_min}")
    errs = [e for v in visitors for e in v.errors]
    print(f"commands sent {sum(v.commands for v in visitors)}, refused {len(errs)}"
          + (f" (first: {errs[0][:100]})" if errs else ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
