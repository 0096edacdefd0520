"""Fuzz: thousands of generated bad inputs through the headless API, the Runner seam and a running app's endpoints.

    python -m oyster.serve.fuzz                  # headless + Runner + an app launched here on 127.0.0.1
    python -m oyster.serve.fuzz --no-app         # headless + Runner only
    python -m oyster.serve.fuzz --seed 3 --rounds 2

Prints: inputs sent, unhandled errors (goal 0: anything but a clear ValueError / gr.Error, or an HTTP 500),
seats leaked (goal 0), slowest response (goal <= 2 s), cross-session effects (goal 0: bystander worlds whose share
code or state changed). Exit status 1 when a goal is missed.
"""
import argparse
import base64
import json
import logging
import math
import random
import time
import zlib
from dataclasses import dataclass, field

from oyster.limits import HELD_INPUTS

SLOW_S = 2.0
_NEST = 3000


@dataclass
class Tally:
    sent: int = 0
    ok: int = 0
    refused: int = 0
    unhandled: list = field(default_factory=list)     # (where, what, error)
    slowest: tuple = (0.0, "")
    by_area: dict = field(default_factory=dict)
    seconds: dict = field(default_factory=dict)       # area -> every response time, for p50 / p99
    slow: list = field(default_factory=list)          # the five slowest (seconds, what)

    def probe(self, area: str, what: str, fn, clear=(ValueError,), unhandled_if=None):
        """Call fn(); a result or a clear error is fine, anything else is counted with where it came from."""
        self.sent += 1
        self.by_area[area] = self.by_area.get(area, 0) + 1
        t0 = time.perf_counter()
        out = None
        try:
            out = fn()
            self.ok += 1
        except clear as e:
            if unhandled_if is not None and unhandled_if(e):
                self.unhandled.append((area, what, f"{type(e).__name__}: {str(e)[:120]}"))
            else:
                self.refused += 1
        except Exception as e:
            self.unhandled.append((area, what, f"{type(e).__name__}: {str(e)[:120]}"))
        dt = time.perf_counter() - t0
        self.seconds.setdefault(area, []).append(dt)
        self.slow.append((dt, f"{area}: {what}"))
        self.slow = sorted(self.slow, reverse=True)[:5]
        if dt > self.slowest[0]:
            self.slowest = (dt, f"{area}: {what}")
        return out


# ---------------------------------------------------------------------------------------------- generators
def show(v) -> str:
    """A short label for an input (a deeply nested one has no repr)."""
    try:
        return repr(v)[:30]
    except RecursionError:
        return f"<{type(v).__name__} nested deeply>"


def nested_list(depth: int) -> str:
    return "[" * depth + "]" * depth


def code_of(raw: bytes) -> str:
    return base64.urlsafe_b64encode(zlib.compress(raw, 9)).decode().rstrip("=")


def bad_values(rng: random.Random) -> list:
    """Values that break naive code: wrong types, non-finite, huge, unicode digits, deep nesting, markup."""
    deep: list = []
    cur = deep
    for _ in range(_NEST):
        cur.append([])
        cur = cur[0]
    return [None, True, False, -1, 0, 1.5, -0.0, math.inf, -math.inf, math.nan, 1e308, 2**70, -2**70, "", " ",
            "x" * 100_000, "٣", "²", "１２", "\x00", "<script>alert(1)</script>", "=HYPERLINK(\"x\")", "🌋" * 50,
            [], {}, [1, 2, 3], ["forward"] * 50, ["fly"], [None], {"a": 1}, deep, [math.nan, 0], [1e9, 1e9],
            "forward", 42, "1e5", "0x10", " 12 ", rng.random(), rng.randint(-10**12, 10**12)]


def bad_codes(rng: random.Random, good: str) -> list:
    """Share codes: garbage, truncated, nested JSON, mutated fields, and the costly shapes (many eruptions,
    crater spam, far teleports)."""
    doc = json.loads(zlib.decompress(base64.urlsafe_b64decode(good + "=" * (-len(good) % 4))))
    codes = ["", "A", "=" * 9, "é" * 20, "!" * 100, good[:-7], good[: len(good) // 2], good + "AAAA",
             code_of(nested_list(200_000).encode()), code_of(b'{"a":' * 50_000 + b"1" + b"}" * 50_000),
             code_of(b"\xff\xfe" * 100), code_of(b"null"), code_of(b"1e999"), code_of(b"NaN"),
             code_of(json.dumps([doc] * 2).encode()), "A" * 70_000, code_of(b" " * 200_000)]
    erupt = {**doc, "edits": [{"t": k * 5, "edit": {"op": "eruption", "strength": 1.0}} for k in range(40)],
             "t": max(doc["t"], 400)}
    erupt["clock"] = {**doc["clock"], "tick0": 0}
    craters = {**doc, "edits": [{"t": doc["t"], "edit": {"op": "terrain", "action": "crater", "x": 10.0, "y": 10.0,
                                                          "radius": 30.0, "amount": 40.0}}] * 399}
    far = {**doc, "edits": [{"t": doc["t"], "edit": {"op": "teleport", "x": 9e5 - k * 1e4, "y": -9e5 + k * 1e4}}
                            for k in range(300)]}
    spawns = {**doc, "edits": [{"t": doc["t"], "edit": {"op": "spawn", "kind": "house", "count": 20}}] * 40}
    lava = {**doc, "lava": [{"uid": 1, "steps": 5, "touched": [0, 0, 383, 383], "cm": "AAAA"}]}
    codes += [code_of(json.dumps(d).encode()) for d in (erupt, craters, far, spawns, lava)]
    keys = list(doc)
    for _ in range(60):
        m = json.loads(json.dumps(doc))
        k = rng.choice(keys)
        v = rng.choice(bad_values(rng)[:-1])
        try:
            m[k] = v
            raw = json.dumps(m).encode()
        except (ValueError, RecursionError):
            raw = b"{}"
        codes.append(code_of(raw))
    return codes


def bad_edits(rng: random.Random) -> list:
    ops = ["weather", "time", "gravity", "spawn", "remove", "teleport", "eruption", "character", "terrain", "undo",
           "fly", None, 3]
    keys = ["kind", "count", "where", "x", "y", "at", "hour", "speed", "scale", "target", "targets", "strength",
            "action", "radius", "amount", "level", "intensity", "yaw", "pitch", "from"]
    vals = bad_values(rng)
    out: list = [None, 1, "rain", [], {"op": "weather"} | {"kind": vals[22]}]
    for _ in range(120):
        e = {"op": rng.choice(ops)}
        for k in rng.sample(keys, rng.randint(0, 4)):
            e[k] = rng.choice(vals)
        out.append(e)
    return out


# ---------------------------------------------------------------------------------------------- areas
def fuzz_headless(t: Tally, rng: random.Random) -> None:
    from oyster import Session
    vals = bad_values(rng)
    bystander = Session(seed=11, width=48, height=27)
    bystander.step({"forward"}, 1 / 30)
    before = (bystander.share_code(), json.dumps(bystander.state(), sort_keys=True))
    s = Session(seed=3, width=48, height=27)
    try:
        good = s.share_code()
        for v in vals:
            t.probe("headless", f"Session(seed={show(v)})", lambda v=v: Session(seed=v, width=48, height=27).close())
            t.probe("headless", f"Session(prompt={show(v)})",
                    lambda v=v: Session(prompt=v, width=48, height=27).close())
            t.probe("headless", f"step(held={show(v)})", lambda v=v: s.step(held=v))
            t.probe("headless", f"step(dt={show(v)})", lambda v=v: s.step(set(), dt=v))
            t.probe("headless", f"step(look={show(v)})", lambda v=v: s.step(set(), look=v))
            t.probe("headless", f"resize({show(v)})", lambda v=v: s.resize(v, 27))
            t.probe("headless", f"render_from({show(v)})", lambda v=v: s.render_from(v, 0.0, 10.0, 0.0, 0.0))
            t.probe("headless", f"command({show(v)})", lambda v=v: s.command(v))
            t.probe("headless", f"advance({show(v)})", lambda v=v: s.advance(v))
        for e in bad_edits(rng):
            t.probe("headless", f"apply({show(e)})", lambda e=e: s.apply(e))
        for c in bad_codes(rng, good):
            t.probe("headless", f"from_share_code({c[:30]!r}…{len(c)})",
                    lambda c=c: Session.from_share_code(c, 48, 27).close())
    finally:
        s.close()
    after = (bystander.share_code(), json.dumps(bystander.state(), sort_keys=True))
    bystander.close()
    return int(before != after)


def fuzz_runner(t: Tally, rng: random.Random) -> tuple[int, int]:
    """Returns (seats leaked, cross-session effects)."""
    from oyster.serve import Runner, ServeConfig
    from oyster.serve.checks import RunnerFull, UnknownSession
    clear = (ValueError, RunnerFull, UnknownSession)
    r = Runner(ServeConfig.from_env(width=48, height=27, max_players=4, max_waiting=2, commands_burst=1e6,
                                    frames_burst=1e6, opens_burst=1e6))
    vals = bad_values(rng)
    r.open("bystander", seed=5)
    r.step_once("bystander", ["forward"], steps=2)
    before = (r.snapshot("bystander"), json.dumps(r.state("bystander"), sort_keys=True))
    r.open("me", seed=1)
    good = r.snapshot("me")
    opened = set()
    for v in vals:
        for kw in ({"seed": v}, {"prompt": v}, {"share_code": v}):
            sid = f"f{t.sent}"
            if t.probe("runner", f"open({show(kw)})", lambda kw=kw, sid=sid: r.open(sid, **kw), clear):
                opened.add(sid)
        if t.probe("runner", f"open(id={show(v)})", lambda v=v: r.open(v), clear):
            opened.add(v)
        t.probe("runner", f"step_once(steps={show(v)})", lambda v=v: r.step_once("me", [], steps=v), clear)
        t.probe("runner", f"step_once(held={show(v)})", lambda v=v: r.step_once("me", v), clear)
        t.probe("runner", f"step_once(look={show(v)})", lambda v=v: r.step_once("me", [], look=v), clear)
        t.probe("runner", f"step_once(dt={show(v)})", lambda v=v: r.step_once("me", [], dt=v), clear)
        t.probe("runner", f"command({show(v)})", lambda v=v: r.command("me", v), clear)
        t.probe("runner", f"send_input(seq={show(v)})", lambda v=v: r.send_input("me", v, []), clear)
        t.probe("runner", f"send_input(ack={show(v)})", lambda v=v: r.send_input("me", 10**9, [], ack=v), clear)
        t.probe("runner", f"command(id={show(v)})", lambda v=v: r.command(v, "make it rain"), clear)
        for sid in list(opened):
            r.close(sid)
        opened.clear()
    payloads = [nested_list(1020), '{"a":' * 500 + "1" + "}" * 500, "x" * 5000, "null", "[]", '{"seq": 1}']
    for v in vals:
        try:
            payloads.append(json.dumps({"seq": rng.randint(0, 9), "held": v, "look": v, "ack": v}))
        except (ValueError, RecursionError):
            pass
    for p in payloads:
        t.probe("runner", f"send_payload({p[:30]!r})", lambda p=p: r.send_payload("me", p), clear)
    for c in bad_codes(rng, good):
        sid = f"c{t.sent}"
        if t.probe("runner", f"open(share_code={c[:20]!r}…)", lambda c=c, sid=sid: r.open(sid, share_code=c), clear):
            r.close(sid)
    r.close("me")
    after = (r.snapshot("bystander"), json.dumps(r.state("bystander"), sort_keys=True))
    leaked = len(set(r.session_ids()) - {"bystander"})
    r.shutdown()
    return leaked, int(before != after)


def _launch_app() -> tuple:
    """`python app.py` on a free loopback port, small frames, per-client limits lifted (every fuzz call comes from
    one address; the limits have their own tests): (process, url)."""
    import os

    from oyster.serve.loadtest import start_server
    os.environ.update({"OYSTER_MAX_WAITING": "2", "OYSTER_SIGNUPS_BURST": "1000000"})
    return start_server(4, 30.0, (64, 36))


def fuzz_app(t: Tally, rng: random.Random, url: str | None) -> tuple[int, int]:
    """Through a running app (`python app.py` started here on 127.0.0.1 unless --url): the API endpoints with
    gradio_client and the page's key endpoint over HTTP. Returns (seats leaked, cross-session effects)."""
    import httpx
    from gradio_client import Client
    from gradio_client.exceptions import AppError

    def unhandled(e) -> bool:    # Gradio hides an unhandled error's text: that is how we tell it from gr.Error
        return "has not enabled verbose error reporting" in str(e) or not str(e).strip()

    proc = None
    if url is None:
        proc, url = _launch_app()
    try:
        c = Client(url, verbose=False)
        clear = (AppError, ValueError)
        by = c.predict(5, "", "", api_name="/new_session")["session_id"]
        c.predict(by, ["forward"], 2, api_name="/step")
        before = c.predict(by, api_name="/share")["code"]
        me = c.predict(1, "", "", api_name="/new_session")["session_id"]
        good = c.predict(me, api_name="/share")["code"]
        vals = [v for v in bad_values(rng) if v is not None and not (isinstance(v, str) and len(v) > 20_000)]
        jsonable = []
        for v in vals:
            try:
                json.dumps(v, allow_nan=False)
                jsonable.append(v)
            except (ValueError, RecursionError):
                pass

        def opened(out):
            if isinstance(out, dict) and out.get("session_id"):
                c.predict(out["session_id"], api_name="/close")

        for v in jsonable:
            t.probe("app", f"/new_session seed={show(v)}",
                    lambda v=v: opened(c.predict(v, "", "", api_name="/new_session")), clear, unhandled)
            t.probe("app", f"/new_session prompt={show(v)}",
                    lambda v=v: opened(c.predict(0, v, "", api_name="/new_session")), clear, unhandled)
            t.probe("app", f"/step steps={show(v)}", lambda v=v: c.predict(me, [], v, api_name="/step"), clear,
                    unhandled)
            t.probe("app", f"/step held={show(v)}", lambda v=v: c.predict(me, v, 1, api_name="/step"), clear, unhandled)
            t.probe("app", f"/step look={show(v)}", lambda v=v: c.predict(me, [], 1, v, api_name="/step"), clear,
                    unhandled)
            t.probe("app", f"/command {show(v)}", lambda v=v: c.predict(me, v, api_name="/command"), clear, unhandled)
            t.probe("app", f"/step id={show(v)}", lambda v=v: c.predict(v, [], 1, api_name="/step"), clear, unhandled)
            t.probe("app", f"/play_link {show(v)}", lambda v=v: c.predict(v, api_name="/play_link"), clear, unhandled)
            t.probe("app", f"/waitlist {show(v)}", lambda v=v: c.predict(v, v, v, api_name="/waitlist"), clear,
                    unhandled)
        for code in bad_codes(rng, good)[:60]:
            t.probe("app", f"/new_session code={code[:20]!r}…",
                    lambda code=code: opened(c.predict(0, "", code, api_name="/new_session")), clear, unhandled)
        with httpx.Client(base_url=url, timeout=30) as h:
            deps = {d.get("api_name"): i for i, d in enumerate(h.get("config").json()["dependencies"])}
            payloads = [nested_list(1020), '{"a":' * 500 + "1" + "}" * 500, "x" * 5000, '{"seq": 1, "held": 42}']
            payloads += [json.dumps({"seq": 1, "held": v}) for v in jsonable[:30]]
            for p in payloads:
                def keys(p=p):
                    r = h.post("gradio_api/run/predict", json={"data": [p], "fn_index": deps["keys"],
                                                               "session_hash": f"fz{rng.randrange(10**9)}"})
                    if r.status_code >= 500 and (r.json() or {}).get("error") is None:
                        raise RuntimeError(f"HTTP {r.status_code} without a message")
                t.probe("app", f"keys {p[:30]!r}", keys)
        c.predict(me, api_name="/close")
        after = c.predict(by, api_name="/share")["code"]
        c.predict(by, api_name="/close")
        m = c.predict(api_name="/metrics")
        leaked = m["sessions_active"] + m["sessions_waiting"]    # every world the fuzz opened is closed by now
        return leaked, int(before != after)
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=30)


class _Counter(logging.Handler):
    count = 0

    def emit(self, record) -> None:
        self.count += 1


def _count_refusal_lines() -> _Counter:
    """Count the server's refusal log lines instead of printing them (a fuzz run writes hundreds)."""
    h = _Counter()
    lg = logging.getLogger("oyster.refused")
    lg.addHandler(h)
    lg.propagate = False
    return h


def warm_up() -> None:
    """What the app does before its first visitor (compile kernels, load Direct mode), so one-time costs are not
    counted as a slow response."""
    from oyster import Session
    from oyster.session import warm_up as warm_up_session
    warm_up_session()
    with Session(seed=1, width=48, height=27) as s:
        s.step({"forward"}, 1 / 30)
        s.command("make it rain")
        Session.from_share_code(s.share_code(), 48, 27).close()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--no-app", action="store_true", help="skip the launched app (headless + Runner only)")
    ap.add_argument("--url", help="fuzz an app already running there instead of launching one")
    a = ap.parse_args(argv)
    assert HELD_INPUTS
    t, leaked, cross = Tally(), 0, 0
    refusals = _count_refusal_lines()
    warm_up()
    t0 = time.perf_counter()
    for k in range(a.rounds):
        rng = random.Random(a.seed * 1000 + k)
        cross += fuzz_headless(t, rng)
        lk, cr = fuzz_runner(t, rng)
        leaked, cross = leaked + lk, cross + cr
        if not a.no_app:
            lk, cr = fuzz_app(t, rng, a.url)
            leaked, cross = leaked + lk, cross + cr
    print(f"inputs sent          {t.sent}  ({', '.join(f'{k} {v}' for k, v in t.by_area.items())}) "
          f"in {time.perf_counter() - t0:.0f} s")
    print(f"results / refusals   {t.ok} / {t.refused}")
    print(f"unhandled errors     {len(t.unhandled)}  (goal 0)")
    for where, what, err in t.unhandled[:20]:
        print(f"    {where}: {what[:70]} -> {err}")
    print(f"seats leaked         {leaked}  (goal 0)")
    print(f"slowest response     {t.slowest[0]:.2f} s  ({t.slowest[1][:80]})  (goal <= {SLOW_S:g} s)")
    for dt, what in t.slow[1:]:
        print(f"    then {dt:.2f} s  ({what[:80]})")
    for area, secs in t.seconds.items():
        secs = sorted(secs)
        p50, p99 = secs[len(secs) // 2] * 1000, secs[int(len(secs) * 0.99)] * 1000
        print(f"    {area:9s} p50 {p50:7.1f} ms  p99 {p99:7.1f} ms  over {SLOW_S:g} s: {sum(x > SLOW_S for x in secs)}")
    print(f"cross-session effects {cross}  (goal 0)")
    print(f"refusal log lines    {refusals.count}  (one per refused world link, open, rate or sign-up)")
    return int(bool(t.unhandled) or leaked > 0 or cross > 0 or t.slowest[0] > SLOW_S)


if __name__ == "__main__":
    raise SystemExit(main())
