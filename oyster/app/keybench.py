"""Key transport benchmark: one visitor's key messages through Gradio's key event vs the direct key route.

    python -m oyster.app.keybench --messages 300

Launches the page in this process (no frames stream), posts held-key messages one after another both ways,
alternating rounds, and prints round-trip median/p99 and this process's CPU per message (server and client).
"""
import argparse
import contextlib
import json
import os
import statistics
import tempfile
import time
from types import SimpleNamespace

import httpx
import numpy as np

from oyster.app.fastkeys import tokens_for


def _round(c: httpx.Client, way: str, n: int, seq: int, token: str, fn: int, session_hash: str):
    lat, cpu0 = [], time.process_time()
    for i in range(n):
        seq += 1
        body = json.dumps({"seq": seq, "held": ["forward"] if i % 2 else []})
        t = time.perf_counter()
        if way == "direct":
            r = c.post("oyster/keys", params={"t": token}, content=body)
        else:
            r = c.post("gradio_api/run/predict", json={"data": [body], "fn_index": fn, "session_hash": session_hash,
                                                        "event_data": {}, "trigger_id": 0})
        lat.append((time.perf_counter() - t) * 1000)
        r.raise_for_status()
    return seq, lat, (time.process_time() - cpu0) * 1000 / n


@contextlib.contextmanager
def _launched():
    """The page with a tiny frame size, launched in this process on a free port."""
    from oyster.app.page import build_demo, launch_kwargs
    from oyster.serve import Runner, ServeConfig
    from oyster.serve.loadtest import free_port
    from oyster.waitlist import Waitlist
    runner = Runner(ServeConfig.from_env(width=64, height=36, page_quality="sd"))
    demo = build_demo(runner, Waitlist(os.path.join(tempfile.mkdtemp(), "w.db")), extensions=[])
    port = free_port()
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True,
                **launch_kwargs(runner))
    try:
        yield SimpleNamespace(url=f"http://127.0.0.1:{port}/", runner=runner)
    finally:
        runner.shutdown()
        demo.close()


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--messages", type=int, default=300, help="messages per transport (in two rounds)")
    a = ap.parse_args(argv)
    with _launched() as app:
        cfg = httpx.get(app.url + "config").json()
        fn = {d.get("api_name"): i for i, d in enumerate(cfg["dependencies"])}["keys"]
        session_hash = "keybench000"
        sid = "web-" + session_hash
        app.runner.open(sid, seed=1)
        token = tokens_for(app.runner).token(sid)
        seq, out = 0, {"gradio": ([], []), "direct": ([], [])}
        with httpx.Client(base_url=app.url, timeout=30) as c:
            for way in ("gradio", "direct") * 2:
                seq, lat, cpu = _round(c, way, a.messages // 2, seq, token, fn, session_hash)
                out[way][0].extend(lat)
                out[way][1].append(cpu)
        if app.runner.held(sid)[0] != seq:
            raise RuntimeError("a key message was lost")
    print(f"load average {os.getloadavg()[0]:.1f}; {a.messages} messages per transport")
    for way, (lat, cpu) in out.items():
        print(f"{way:7s} round trip median {statistics.median(lat):6.2f} ms, p99 {np.percentile(lat, 99):6.2f} ms, "
              f"CPU per message {min(cpu):.2f} ms (server + client, best round)")


if __name__ == "__main__":
    main()
