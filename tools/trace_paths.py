"""How many modules a key press, the frame it shows, and a chat line pass through: driven through the page's
Handlers and a real Runner (no browser), it prints the project modules whose code runs and the chain of modules on
the call stack where the work lands (consecutive frames of one module count once).

    python tools/trace_paths.py
"""
import json
import os
import sys
import tempfile
import threading
from types import SimpleNamespace

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))   # run from anywhere

from oyster.app.handlers import Handlers  # noqa: E402
from oyster.serve import Runner, ServeConfig  # noqa: E402
from oyster.waitlist import Waitlist  # noqa: E402

OURS = ("oyster", "app")


def chain(frame):
    mods = []
    while frame is not None:
        m = frame.f_globals.get("__name__", "")
        if m.split(".")[0] in OURS and (not mods or mods[-1] != m):
            mods.append(m)
        frame = frame.f_back
    return mods[::-1]


class Recorder:
    def __init__(self, targets):
        self.targets, self.touched, self.at = targets, [], {}

    def __call__(self, frame, event, arg):
        if event != "call":
            return
        m = frame.f_globals.get("__name__", "")
        if m.split(".")[0] in OURS and m not in self.touched:
            self.touched.append(m)
        key = (m, frame.f_code.co_name)
        if key in self.targets and key not in self.at:
            self.at[key] = chain(frame)


def traced(fn, targets):
    r = Recorder(targets)
    sys.setprofile(r)
    threading.setprofile(r)
    try:
        fn()
    finally:
        sys.setprofile(None)
        threading.setprofile(None)
    return r


def main() -> None:
    runner = Runner(ServeConfig.from_env(width=160, height=90, max_players=2, fps=30.0))
    h = Handlers(runner, Waitlist(tempfile.mkdtemp() + "/w.db"))
    req = SimpleNamespace(session_hash="trace", query_params={})
    h.on_load(req)
    play = h.play(req)
    for _ in range(2):                         # warm: world built, kernels loaded, first frames out
        next(play)
    h.on_command("make it snow", req)          # warm: the interpreter and its classifier are loaded
    runs = {
        "key": traced(lambda: h.on_keys(json.dumps({"seq": 5, "held": ["forward"], "look": [0.1, 0.0]}), req),
                      {("oyster.serve.visitor", "add_look")}),
        "frame": traced(lambda: next(play), {("oyster.render.frame", "render"), ("oyster.serve.encode", "data_url")}),
        "chat": traced(lambda: h.on_command("spawn three villagers ahead", req),
                       {("oyster.direct.extract", "count"),
                        ("oyster.world.ops", "_spawn"), ("oyster.world.things", "add"),
                        ("oyster.direct.interpreter", "_result")}),
    }
    play.close()
    runner.shutdown()
    for k, r in runs.items():
        print(f"{k}: {len(r.touched)} modules run: {', '.join(r.touched)}")
        for (m, f), c in r.at.items():
            print(f"   at {m}.{f}: {len(c)} on the stack: " + " -> ".join(c))


if __name__ == "__main__":
    main()
