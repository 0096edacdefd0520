"""Load benchmark: simulated visitors play a running app over HTTP exactly as the page does, holding random keys.

    python -m oyster.serve.loadtest --visitors 8 --seconds 60            # starts `python app.py` itself
    python -m oyster.serve.loadtest --url http://127.0.0.1:7860/ --visitors 8
    python -m oyster.serve.loadtest --sweep --seconds 15                 # largest visitor count holding 24 fps

Each visitor joins the page's load event and frame stream (Gradio queue + server-sent events), sends held-key
snapshots with sequence numbers and frame acks through the key widget's endpoint, and times what arrives.
Key-to-frame latency is from sending a key change to receiving the first frame rendered after the server
applied it (the frame carries the applied seq), i.e. the first frame that can show the change.
"""
import argparse
import asyncio
import base64
import json
import os
import random
import re
import socket
import statistics
import string
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field

import cv2
import httpx
import numpy as np

FRAME_RE = re.compile(rb'fid=(\d+);seq=(-?\d+)((?:;\w+=\d+)*);base64,')
TOKEN_RE = re.compile(rb'data-keys=\\"([\w.-]+)\\"')
# Stages of key-to-frame latency, each from the frame's server stamps (see ServeConfig.stage_times) and this
# process's clock (the same monotonic clock on loopback): name -> (from, to).
STAGES = (("input", "sent", "rx"),          # key message: browser -> server (HTTP + Gradio's event route)
          ("tick", "rx", "t0"),             # waiting for the frame loop to start the frame that applies it
          ("render", "t0", "t1"),           # Session.step: physics + ray-casting
          ("encode", "t1", "t2"),           # JPEG + data URL
          ("deliver", "t2", "arrived"),     # Gradio queue + server-sent events -> this process
          ("decode", "arrived", "decoded"))  # JPEG decode (the browser's image decode, measured here with OpenCV)
KEYS = ("forward", "back", "left", "right", "turn_left", "turn_right", "look_up", "look_down", "jump", "sprint")
WARMUP_S = 3.0   # seconds after a visitor's first frame that are not counted (chunks around the start fill in)


@dataclass
class VisitorResult:
    arrivals: list[float] = field(default_factory=list)   # monotonic of each frame in the counted window
    key_latency_ms: list[float] = field(default_factory=list)
    stage_ms: dict[str, list[float]] = field(default_factory=dict)   # STAGES name -> ms, per key change
    keys_sent: int = 0
    error: str = ""

    def fps(self) -> float:
        a = self.arrivals
        return (len(a) - 1) / (a[-1] - a[0]) if len(a) > 2 else 0.0

    def interval_p99(self) -> float:
        return float(np.percentile(np.diff(self.arrivals) * 1000, 99)) if len(self.arrivals) > 2 else float("nan")


def _hash() -> str:
    return "".join(random.choices(string.ascii_lowercase + string.digits, k=11))


async def _join(c: httpx.AsyncClient, sh: str, fn: int, data: list) -> None:
    r = await c.post("gradio_api/queue/join", json={"data": data, "fn_index": fn, "session_hash": sh,
                                                    "event_data": None, "trigger_id": None})
    r.raise_for_status()


async def _wait_completed(c: httpx.AsyncClient, sh: str) -> None:
    async with c.stream("GET", f"gradio_api/queue/data?session_hash={sh}") as s:
        async for line in s.aiter_lines():
            if '"process_completed"' in line:
                if '"success":false' in line:
                    raise RuntimeError(f"load event failed: {line[:300]}")
                return


async def _send_keys(c, sh, fn, seq, held, ack, age_ms, token: str = "") -> None:
    """As the page sends them: to the direct key route when the screen gave a token, else Gradio's key event."""
    payload = json.dumps({"seq": seq, "held": list(held), "ack": ack, "age": round(age_ms, 1)})
    if token:
        await c.post("oyster/keys", params={"t": token}, content=payload)
        return
    await c.post("gradio_api/run/predict", json={"data": [payload], "fn_index": fn, "session_hash": sh,
                                                 "event_data": {}, "trigger_id": 0})


async def visitor(base: str, deps: dict, seconds: float, rng: random.Random, warmup: float,
                  direct_keys: bool = True) -> VisitorResult:
    res, sh = VisitorResult(), _hash()
    sent_at: dict[int, float] = {}      # key-change seq -> send time, until a frame shows it
    state = {"seq": 0, "fid": 0, "fid_at": 0.0, "held": (), "token": ""}
    async with httpx.AsyncClient(base_url=base, timeout=httpx.Timeout(30.0, read=None)) as c:
        await _join(c, sh, deps["on_load"], [])
        await _wait_completed(c, sh)
        await _join(c, sh, deps["play_stream"], [])
        start = time.monotonic() + 3600.0    # set by the first frame
        end = start + warmup + seconds

        async def keys():
            next_change = 0.0
            while time.monotonic() < end and time.monotonic() - t_join < 600:
                now = time.monotonic()
                state["seq"] += 1
                if now >= next_change:   # a new random held set: 0-2 keys, like someone walking around
                    state["held"] = tuple(sorted(rng.sample(KEYS, rng.choice((0, 1, 1, 2, 2)))))
                    next_change = now + rng.uniform(0.3, 1.2)
                    if now - start > warmup:
                        sent_at[state["seq"]] = now
                    res.keys_sent += 1
                age = (time.monotonic() - state["fid_at"]) * 1000 if state["fid"] else 0.0
                await _send_keys(c, sh, deps["keys"], state["seq"], state["held"], state["fid"], age, state["token"])
                await asyncio.sleep(min(0.4, max(0.0, next_change - time.monotonic())))

        t_join = time.monotonic()
        task = asyncio.create_task(keys())
        try:
            async with c.stream("GET", f"gradio_api/queue/data?session_hash={sh}") as s:
                async for line in _sse_lines(s):
                    if b'"process_generating"' not in line[:120]:
                        if b'"process_completed"' in line or b'"close_stream"' in line:
                            res.error = res.error or "stream ended early"
                            break
                        continue
                    m = FRAME_RE.search(line, 0, 400)
                    if not m:
                        continue
                    now = time.monotonic()
                    if direct_keys and not state["token"]:
                        t = TOKEN_RE.search(line)
                        state["token"] = t.group(1).decode() if t else ""
                    if start > now:
                        start, end = now, now + warmup + seconds
                    state["fid"], state["fid_at"], seq = int(m.group(1)), now, int(m.group(2))
                    shown = [k for k in sent_at if k <= seq]
                    for k in shown:
                        res.key_latency_ms.append((now - sent_at[k]) * 1000)
                    if seq in shown and m.group(3):
                        _record_stages(res, line, m, sent_at[seq], now)
                    for k in shown:
                        del sent_at[k]
                    if now - start > warmup:
                        res.arrivals.append(now)
                    if now >= end:
                        break
        finally:
            task.cancel()
    return res


def _record_stages(res: VisitorResult, line: bytes, m: re.Match, sent: float, arrived: float) -> None:
    """Split one key change's latency into STAGES from the frame's stamps; decodes the JPEG to time that too."""
    t = {k.decode(): int(v) / 1e6 for k, v in (p.split(b"=") for p in m.group(3)[1:].split(b";"))}
    if not t.get("rx"):
        return
    body = line[m.end():].split(b'"', 1)[0]
    t0 = time.monotonic()
    cv2.imdecode(np.frombuffer(base64.b64decode(body), np.uint8), cv2.IMREAD_COLOR)
    t |= {"sent": sent, "arrived": arrived, "decoded": arrived + time.monotonic() - t0}
    for name, a, b in STAGES:
        res.stage_ms.setdefault(name, []).append((t[b] - t[a]) * 1000)


async def _sse_lines(response):
    """Server-sent event lines as bytes, split without decoding (the harness must not eat the server's CPU)."""
    buf = b""
    async for chunk in response.aiter_raw():
        buf += chunk
        *lines, buf = buf.split(b"\n")
        for line in lines:
            if line.strip():
                yield line


async def _metrics(base: str, fn: int) -> dict:
    async with httpx.AsyncClient(base_url=base, timeout=30) as c:
        r = await c.post("gradio_api/run/predict", json={"data": [], "fn_index": fn, "session_hash": _hash()})
        return r.json()["data"][0]


async def run_round(base: str, n: int, seconds: float, warmup: float = WARMUP_S,
                    seed: int = 0, direct_keys: bool = True) -> tuple[list[VisitorResult], dict]:
    async with httpx.AsyncClient(base_url=base, timeout=30) as c:
        cfg = (await c.get("config")).json()
    deps = {d.get("api_name"): i for i, d in enumerate(cfg["dependencies"])}
    rngs = [random.Random(seed * 1000 + i) for i in range(n)]
    limit = warmup + seconds + 120.0     # world creation under load included; never hang
    last: dict = {}

    async def poll():  # the server's view while all visitors play (sessions close as soon as they leave)
        while True:
            await asyncio.sleep(2.0)
            m = await _metrics(base, deps["metrics"])
            if m.get("sessions_active") == n and all(p["fps"] > 0 for p in m.get("per_session", [])):
                last.update(m)

    poller = asyncio.create_task(poll())
    runs = (asyncio.wait_for(visitor(base, deps, seconds, r, warmup, direct_keys), limit) for r in rngs)
    results = await asyncio.gather(*runs, return_exceptions=True)
    poller.cancel()
    results = [r if isinstance(r, VisitorResult) else VisitorResult(error=repr(r)) for r in results]
    return results, last or await _metrics(base, deps["metrics"])


async def _metrics_by_name(base: str) -> dict:
    async with httpx.AsyncClient(base_url=base, timeout=30) as c:
        cfg = (await c.get("config")).json()
    deps = {d.get("api_name"): i for i, d in enumerate(cfg["dependencies"])}
    return await _metrics(base, deps["metrics"])


def _pct(xs: list[float], q: float) -> float:
    return float(np.percentile(xs, q)) if xs else float("nan")


def report(n: int, results: list[VisitorResult], server: dict, size: str = "") -> dict:
    fps = [r.fps() for r in results]
    lat = [x for r in results for x in r.key_latency_ms]
    iv = [r.interval_p99() for r in results]
    print(f"\n== {n} visitors{' at ' + size if size else ''} ==")
    for i, r in enumerate(results):
        med = statistics.median(r.key_latency_ms) if r.key_latency_ms else float("nan")
        print(f"visitor {i}: {r.fps():5.1f} fps delivered, interval p99 {r.interval_p99():6.1f} ms, key-to-frame "
              f"median {med:5.1f} ms over {len(r.key_latency_ms)} changes{'  ERROR ' + r.error if r.error else ''}")
    for p in server.get("per_session", []):   # anonymous: the server never reveals which session is whose
        print(f"  server session: {p['fps']:5.1f} fps, frame work p50/p99 {p['frame_ms_p50']}/{p['frame_ms_p99']} ms, "
              f"JPEG quality {p['quality']}, dropped {p['frames_dropped']}")
    stages = {name: [x for r in results for x in r.stage_ms.get(name, [])] for name, _, _ in STAGES}
    if any(stages.values()):
        print("key-to-frame by stage (ms, over key changes whose first frame carries that key's seq):")
        print(f"  {'stage':<9}{'median':>8}{'p99':>8}")
        for name, xs in stages.items():
            print(f"  {name:<9}{_pct(xs, 50):>8.1f}{_pct(xs, 99):>8.1f}")
    summary = {"visitors": n, "fps_min": min(fps), "fps_median": statistics.median(fps),
               "interval_p99_max": max(iv), "key_to_frame_median_ms": _pct(lat, 50),
               "key_to_frame_p90_ms": _pct(lat, 90), "key_to_frame_p99_ms": _pct(lat, 99),
               "server_frame_ms_p50": server.get("frame_ms_p50"), "server_frame_ms_p99": server.get("frame_ms_p99"),
               "dropped": server.get("frames_dropped")}
    print("summary: " + ", ".join(f"{k} {v:.1f}" if isinstance(v, float) else f"{k} {v}" for k, v in summary.items()))
    return summary


def cpu_seconds(pid: int) -> float:
    """User+system CPU seconds of a process (Linux /proc), for the server's CPU cost per frame."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            parts = f.read().rsplit(")", 1)[1].split()
        return (int(parts[11]) + int(parts[12])) / os.sysconf("SC_CLK_TCK")
    except OSError:
        return float("nan")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(max_players: int, fps: float, size: tuple[int, int] = (640, 360)) -> tuple[subprocess.Popen, str]:
    """`python app.py` on a free port with enough seats, frames of `size` carrying their stage times; returns
    (process, base url) once it answers."""
    port = free_port()
    env = os.environ | {"GRADIO_SERVER_NAME": "127.0.0.1", "GRADIO_SERVER_PORT": str(port),
                        "OYSTER_MAX_PLAYERS": str(max_players), "OYSTER_FPS": str(fps), "OYSTER_STAGE_TIMES": "1",
                        "OYSTER_PAGE_QUALITY": "sd",
                        "OYSTER_WIDTH": str(size[0]), "OYSTER_HEIGHT": str(size[1]),
                        "OYSTER_WAITLIST_DB": os.path.join(tempfile.mkdtemp(), "w.db"),
                        "GRADIO_ANALYTICS_ENABLED": "False"}
    app = os.path.join(os.path.dirname(__file__), "..", "..", "app.py")
    proc = subprocess.Popen([sys.executable, os.path.abspath(app)], env=env, stdout=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}/"
    deadline = time.time() + 180
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("app.py exited during start-up")
        try:
            if httpx.get(base + "config", timeout=2).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    proc.kill()
    raise RuntimeError("app.py did not answer within 180 s")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--visitors", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=60.0, help="counted seconds per visitor (after 2 s warm-up)")
    ap.add_argument("--url", default="", help="a running app; default: start `python app.py` on a free port")
    ap.add_argument("--sweep", action="store_true", help="also find the largest visitor count holding --target fps")
    ap.add_argument("--warmup", type=float, default=WARMUP_S, help="uncounted seconds after each first frame")
    ap.add_argument("--target", type=float, default=24.0)
    ap.add_argument("--fps", type=float, default=30.0, help="server target fps when this command starts it")
    ap.add_argument("--size", default="640x360", help="frame size when this command starts the app, e.g. 1280x720")
    ap.add_argument("--keys", choices=("direct", "gradio"), default="direct",
                    help="key transport: the direct key route (as the page) or Gradio's key event (its fallback)")
    args = ap.parse_args(argv)
    size = tuple(int(v) for v in args.size.lower().split("x"))
    counts = sorted({1, 2, 4, 6, 8, 10, 12, 16, args.visitors}) if args.sweep else [args.visitors]
    proc, base = (None, args.url) if args.url else start_server(max(counts), args.fps, size)
    print(f"app {base}  cpus {os.cpu_count()}  load average {os.getloadavg()[0]:.2f}")
    try:
        best = 0
        for n in counts:
            cpu0 = cpu_seconds(proc.pid) if proc else float("nan")
            own0 = time.process_time()
            sent0 = asyncio.run(_metrics_by_name(base))["frames_sent"]
            results, server = asyncio.run(run_round(base, n, args.seconds, args.warmup,
                                                         direct_keys=args.keys == "direct"))
            s = report(n, results, server, args.size if proc else "")
            if proc:
                frames = max(1, server["frames_sent"] - sent0)
                print(f"server CPU per frame sent: {(cpu_seconds(proc.pid) - cpu0) * 1000 / frames:.1f} ms "
                      f"(all threads: step, encode, Gradio and HTTP); this harness: "
                      f"{(time.process_time() - own0) * 1000 / frames:.1f} ms per frame")
            if s["fps_min"] >= args.target:
                best = n
            elif args.sweep and n > args.visitors:
                break
        if args.sweep:
            print(f"\nlargest visitor count with every visitor >= {args.target:g} fps: {best}")
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=20)
    return 0


if __name__ == "__main__":
    sys.exit(main())
