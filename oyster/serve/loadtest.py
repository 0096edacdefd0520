"""Load benchmark: simulated visitors play a running app over HTTP exactly as the page does, holding random keys.

    python -m oyster.serve.loadtest --visitors 8 --seconds 60            # starts `python app.py` itself
    python -m oyster.serve.loadtest --url http://127.0.0.1:7860/ --visitors 8
    python -m oyster.serve.loadtest --sweep --seconds 15                 # largest visitor count holding 24 fps
    python -m oyster.serve.loadtest --frames both --seconds 15           # frame socket, then Gradio's stream

Each visitor joins the page's load event and frame stream (Gradio queue + server-sent events), then, as the page
does, takes its frames from the frame socket (WebSocket /oyster/frames, `--frames ws`) or keeps Gradio's stream
(`--frames gradio`); it sends held-key snapshots with sequence numbers and frame acks (over the socket, the direct
key route or Gradio's key event) and times what arrives.
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
import struct
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field

import cv2
import httpx
import numpy as np
from websockets.asyncio.client import connect as ws_connect

FRAME_RE = re.compile(rb'fid=(\d+);seq=(-?\d+)((?:;\w+=\d+)*);base64,')
TOKEN_RE = re.compile(rb'data-keys=\\"([\w.-]+)\\"')
# Stages of key-to-frame latency, each from the frame's server stamps (see ServeConfig.stage_times) and this
# process's clock (the same monotonic clock on loopback): name -> (from, to).
STAGES = (("input", "sent", "rx"),          # key message: browser -> server (HTTP + Gradio's event route)
          ("tick", "rx", "t0"),             # waiting for the frame loop to start the frame that applies it
          ("render", "t0", "t1"),           # Session.step: physics + ray-casting
          ("encode", "t1", "t2"),           # JPEG + data URL
          ("deliver", "t2", "arrived"),     # socket, or Gradio queue + server-sent events -> this process
          ("decode", "arrived", "decoded"))  # JPEG decode (the browser's image decode, measured here with OpenCV)
KEYS = ("forward", "back", "left", "right", "turn_left", "turn_right", "look_up", "look_down", "jump", "sprint")
WARMUP_S = 3.0   # seconds after a visitor's first frame that are not counted (chunks around the start fill in)


@dataclass
class VisitorResult:
    arrivals: list[float] = field(default_factory=list)   # monotonic of each frame in the counted window
    key_latency_ms: list[float] = field(default_factory=list)
    stage_ms: dict[str, list[float]] = field(default_factory=dict)   # STAGES name -> ms, per key change
    keys_sent: int = 0
    sizes: dict[str, int] = field(default_factory=dict)   # "WxH" -> frames of that size in the counted window
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


async def _send_keys(c, sh, fn, payload: str, token: str = "", keys: str = "direct", sock=None) -> None:
    """As the page sends them: over the frame socket when it is open, to the direct key route when the screen
    gave a token, else through Gradio's key event."""
    if keys == "socket" and sock is not None:
        await sock.send(payload)
    elif keys in ("direct", "socket") and token:
        await c.post("oyster/keys", params={"t": token}, content=payload)
    else:
        await c.post("gradio_api/run/predict", json={"data": [payload], "fn_index": fn, "session_hash": sh,
                                                     "event_data": {}, "trigger_id": 0})


def jpeg_size(head: bytes) -> str:
    """"WxH" from a JPEG's start-of-frame marker (the first few hundred bytes), without decoding it."""
    i = 2
    while i + 9 < len(head):
        if head[i] != 0xFF:
            return "?"
        marker, length = head[i + 1], int.from_bytes(head[i + 2:i + 4], "big")
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            return f"{int.from_bytes(head[i + 7:i + 9], 'big')}x{int.from_bytes(head[i + 5:i + 7], 'big')}"
        i += 2 + length
    return "?"


async def visitor(base: str, deps: dict, seconds: float, rng: random.Random, warmup: float,
                  keys: str = "direct", frames: str = "gradio") -> VisitorResult:
    res, sh = VisitorResult(), _hash()
    sent_at: dict[int, float] = {}      # key-change seq -> send time, until a frame shows it
    state = {"seq": 0, "fid": 0, "fid_at": 0.0, "held": (), "token": "", "sock": None, "start": 0.0}
    got_token = asyncio.Event()
    async with httpx.AsyncClient(base_url=base, timeout=httpx.Timeout(30.0, read=None)) as c:
        await _join(c, sh, deps["on_load"], [])
        await _wait_completed(c, sh)
        await _join(c, sh, deps["play_stream"], [])
        state["start"] = time.monotonic() + 3600.0    # set by the first frame
        t_join = time.monotonic()

        def end() -> float:
            return state["start"] + warmup + seconds

        async def send_keys():
            next_change = 0.0
            while time.monotonic() < end() and time.monotonic() - t_join < 600:
                now = time.monotonic()
                state["seq"] += 1
                if now >= next_change:   # a new random held set: 0-2 keys, like someone walking around
                    state["held"] = tuple(sorted(rng.sample(KEYS, rng.choice((0, 1, 1, 2, 2)))))
                    next_change = now + rng.uniform(0.3, 1.2)
                    if now - state["start"] > warmup:
                        sent_at[state["seq"]] = now
                    res.keys_sent += 1
                age = (time.monotonic() - state["fid_at"]) * 1000 if state["fid"] else 0.0
                payload = json.dumps({"seq": state["seq"], "held": list(state["held"]), "ack": state["fid"],
                                      "age": round(age, 1)})
                await _send_keys(c, sh, deps["keys"], payload, state["token"], keys, state["sock"])
                await asyncio.sleep(min(0.4, max(0.0, next_change - time.monotonic())))

        def on_frame(fid: int, seq: int, stamps: dict, jpeg_head: bytes, jpeg, now: float) -> bool:
            """Count one arrived frame; True once the visitor's time is up."""
            if state["start"] > now:
                state["start"] = now
            state["fid"], state["fid_at"] = fid, now
            shown = [k for k in sent_at if k <= seq]
            for k in shown:
                res.key_latency_ms.append((now - sent_at[k]) * 1000)
            if seq in shown and stamps.get("rx"):
                _record_stages(res, stamps, jpeg, sent_at[seq], now)
            for k in shown:
                del sent_at[k]
            if now - state["start"] > warmup:
                res.arrivals.append(now)
                size = jpeg_size(jpeg_head)
                res.sizes[size] = res.sizes.get(size, 0) + 1
            return now >= end()

        async def gradio_stream():
            """The page's Gradio stream: frames (unless the socket has them), the key token, the end."""
            async with c.stream("GET", f"gradio_api/queue/data?session_hash={sh}") as s:
                async for line in _sse_lines(s):
                    if b'"process_generating"' not in line[:120]:
                        if b'"process_completed"' in line or b'"close_stream"' in line:
                            res.error = res.error or "stream ended early"
                            return
                        continue
                    m = FRAME_RE.search(line, 0, 400)
                    if not m:
                        continue
                    now = time.monotonic()
                    if not state["token"]:
                        t = TOKEN_RE.search(line)
                        state["token"] = t.group(1).decode() if t else ""
                        got_token.set()
                    if frames == "ws":
                        continue     # (frames from before the socket opened are not counted)
                    stamps = {k.decode(): int(v) for k, v in (p.split(b"=") for p in m.group(3)[1:].split(b";"))} \
                        if m.group(3) else {}
                    b64 = line[m.end():].split(b'"', 1)[0]
                    if on_frame(int(m.group(1)), int(m.group(2)), stamps, base64.b64decode(b64[:400]), b64, now):
                        return

        async def socket_stream():
            await asyncio.wait_for(got_token.wait(), 120)
            url = base.replace("http://", "ws://") + "oyster/frames?t=" + state["token"]
            async with ws_connect(url, max_size=None, compression=None) as sock:
                state["sock"] = sock
                async for msg in sock:
                    if isinstance(msg, str):
                        continue
                    now = time.monotonic()
                    (n,) = struct.unpack(">H", msg[:2])
                    head = json.loads(msg[2:2 + n])
                    if on_frame(head["fid"], head["seq"], head, msg[2 + n:2 + n + 400], msg[2 + n:], now):
                        return
                res.error = res.error or "socket closed early"

        task = asyncio.create_task(send_keys())
        streams = [asyncio.create_task(gradio_stream())]
        if frames == "ws":
            streams.append(asyncio.create_task(socket_stream()))
        try:
            done, _ = await asyncio.wait(streams, return_when=asyncio.FIRST_COMPLETED)
            for t in done:
                if t.exception() is not None:
                    raise t.exception()
        finally:
            task.cancel()
            for t in streams:
                t.cancel()
    return res


def _record_stages(res: VisitorResult, stamps: dict, jpeg, sent: float, arrived: float) -> None:
    """Split one key change's latency into STAGES from the frame's stamps (integer microseconds); decodes the
    JPEG (bytes, or base64 as a data URL carries it) to time that too."""
    t = {k: v / 1e6 for k, v in stamps.items() if k in ("rx", "t0", "t1", "t2")}
    t0 = time.monotonic()
    raw = jpeg if jpeg[:2] == b"\xff\xd8" else base64.b64decode(jpeg)    # JPEG bytes start with FF D8
    cv2.imdecode(np.frombuffer(raw, np.uint8), cv2.IMREAD_COLOR)
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
                    seed: int = 0, keys: str = "direct", frames: str = "gradio") -> tuple[list[VisitorResult], dict]:
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
    runs = (asyncio.wait_for(visitor(base, deps, seconds, r, warmup, keys, frames), limit) for r in rngs)
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


def report(n: int, results: list[VisitorResult], server: dict, size: str = "", how: str = "") -> dict:
    fps = [r.fps() for r in results]
    lat = [x for r in results for x in r.key_latency_ms]
    iv = [r.interval_p99() for r in results]
    print(f"\n== {n} visitors{' at ' + size if size else ''}{', ' + how if how else ''} ==")
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
    sizes: dict[str, int] = {}
    for r in results:
        for k, v in r.sizes.items():
            sizes[k] = sizes.get(k, 0) + v
    print("frames received by size: " + ", ".join(f"{k} {v}" for k, v in sorted(sizes.items(), key=lambda kv: -kv[1])))
    summary = {"visitors": n, "fps_min": min(fps), "fps_median": statistics.median(fps),
               "interval_p99_max": max(iv), "key_to_frame_median_ms": _pct(lat, 50),
               "key_to_frame_p90_ms": _pct(lat, 90), "key_to_frame_p99_ms": _pct(lat, 99),
               "server_frame_ms_p50": server.get("frame_ms_p50"), "server_frame_ms_p99": server.get("frame_ms_p99"),
               "dropped": server.get("frames_dropped")}
    print("summary: " + ", ".join(f"{k} {v:.1f}" if isinstance(v, float) else f"{k} {v}" for k, v in summary.items()))
    return summary


def _compare(table: list[tuple[int, str, dict]]) -> None:
    """Both frame transports side by side (same server, one after the other)."""
    cols = (("fps_min", "fps min"), ("key_to_frame_median_ms", "k2f med"), ("key_to_frame_p99_ms", "k2f p99"),
            ("interval_p99_max", "intvl p99"), ("server_cpu_ms_per_frame", "CPU/frame"))
    print("\n" + f"{'visitors':>8} {'frames':>7}" + "".join(f"{c:>11}" for _, c in cols))
    for n, mode, s in table:
        print(f"{n:>8} {mode:>7}" + "".join(f"{s.get(k, float('nan')):>11.1f}" for k, _ in cols))


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
    from oyster.serve.ratelimit import one_address_env
    port = free_port()
    env = os.environ | {"GRADIO_SERVER_NAME": "127.0.0.1", "GRADIO_SERVER_PORT": str(port),
                        "OYSTER_MAX_PLAYERS": str(max_players), "OYSTER_FPS": str(fps), "OYSTER_STAGE_TIMES": "1",
                        "OYSTER_PAGE_QUALITY": "sd",
                        "OYSTER_WIDTH": str(size[0]), "OYSTER_HEIGHT": str(size[1]),
                        "OYSTER_WAITLIST_DB": os.path.join(tempfile.mkdtemp(), "w.db"),
                        "GRADIO_ANALYTICS_ENABLED": "False"} | one_address_env()
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
    ap.add_argument("--frames", choices=("ws", "gradio", "both"), default="ws",
                    help="frame transport: the frame socket (as the page), Gradio's stream (its fallback), or both "
                         "one after the other on the same server")
    ap.add_argument("--keys", choices=("page", "socket", "direct", "gradio"), default="page",
                    help="key transport: as the page (over the frame socket when it carries the frames, else the "
                         "direct key route), or the direct key route, or Gradio's key event (the fallbacks)")
    args = ap.parse_args(argv)
    modes = ("ws", "gradio") if args.frames == "both" else (args.frames,)
    size = tuple(int(v) for v in args.size.lower().split("x"))
    counts = sorted({1, 2, 4, 6, 8, 10, 12, 16, args.visitors}) if args.sweep else [args.visitors]
    proc, base = (None, args.url) if args.url else start_server(max(counts), args.fps, size)
    print(f"app {base}  cpus {os.cpu_count()}  load average {os.getloadavg()[0]:.2f}")
    try:
        best, table = 0, []
        for n in counts:
            for mode in modes:
                keys = ("socket" if mode == "ws" else "direct") if args.keys == "page" else args.keys
                cpu0 = cpu_seconds(proc.pid) if proc else float("nan")
                own0 = time.process_time()
                sent0 = asyncio.run(_metrics_by_name(base))["frames_sent"]
                results, server = asyncio.run(run_round(base, n, args.seconds, args.warmup, keys=keys, frames=mode))
                s = report(n, results, server, args.size if proc else "", f"frames {mode}, keys {keys}")
                if proc:
                    frames = max(1, server["frames_sent"] - sent0)
                    s["server_cpu_ms_per_frame"] = (cpu_seconds(proc.pid) - cpu0) * 1000 / frames
                    print(f"server CPU per frame sent: {s['server_cpu_ms_per_frame']:.1f} ms "
                          f"(all threads: step, encode, Gradio and HTTP); this harness: "
                          f"{(time.process_time() - own0) * 1000 / frames:.1f} ms per frame")
                table.append((n, mode, s))
                if mode == modes[0] and s["fps_min"] >= args.target:
                    best = n
            if args.sweep and n > args.visitors and best < n:
                break
        if len(modes) > 1:
            _compare(table)
        if args.sweep:
            print(f"\nlargest visitor count with every visitor >= {args.target:g} fps: {best}")
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=20)
    return 0


if __name__ == "__main__":
    sys.exit(main())
