"""Judge Direct mode on the WORLD STATE: each case runs through a real `Session.command` on a fixed setup and is
checked by predicates on the state before and after (not on the edit list), plus a check that the reply claims
only changes that really happened. A room of its own: it drives Sessions, which Direct mode may not import.

Cases live in tests/data/direct_world_cases.jsonl: {"pattern", "setup", "text", "expect", optional "before":
[commands], "advance": seconds}. Setups are built once per process and restored per case from their share code
(or reset by undo when that is exact), so a few hundred cases take seconds.

    python -m oyster.judge            # accuracy per pattern (a table), honest replies, and every miss
    python -m oyster.judge -q         # the table only
    python -m oyster.judge --bench    # Session.command latency on the set: median / p99 / max
"""
import json
import math
import re
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

CASES = Path(__file__).resolve().parents[1] / "tests" / "data" / "direct_world_cases.jsonl"
SEED = 7
ORIGIN_R = 80.0   # metres around the setup's player where entities are counted
VIEW_R = 60.0     # metres: characters "in view" (Session.DIRECT_VIEW) whose actions are watched
_V3 = {"op": "spawn", "kind": "villager", "count": 3, "where": "here"}
_FIRE = {"op": "spawn", "kind": "campfire", "count": 1, "where": "ahead"}
SETUPS: dict[str, list[dict]] = {
    "plain": [],
    "rain": [{"op": "weather", "kind": "rain", "intensity": 0.6}],
    "heavy_rain": [{"op": "weather", "kind": "rain", "intensity": 0.9}],
    "light_rain": [{"op": "weather", "kind": "rain", "intensity": 0.3}],
    "snow": [{"op": "weather", "kind": "snow", "intensity": 0.6}],
    "fog": [{"op": "weather", "kind": "fog", "intensity": 0.6}],
    "storm": [{"op": "weather", "kind": "storm", "intensity": 0.8}],
    "night": [{"op": "time", "hour": 22.0}],
    "moon": [{"op": "gravity", "scale": 0.165}],
    "fast": [{"op": "time", "hour": 10.0, "speed": 240.0}],
    "village": [_V3, _FIRE],
    "dancing": [_V3, _FIRE, {"op": "character", "action": "dance"}],
    "following": [_V3, {"op": "character", "action": "follow"}],
    "erupting": [{"op": "eruption", "strength": 0.7}],
    "camp": [_FIRE],
}
_ADVANCE_SETUP = {"erupting": 3.0, "dancing": 0.5, "following": 0.5}


@dataclass
class Outcome:
    case: dict
    ok: bool
    honest: bool
    reply: str
    options: list
    why: list = field(default_factory=list)
    ms: float = 0.0


def load_cases(path: Path = CASES) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip() and not line.startswith("//")]


class Bench:
    """One warmed session per setup, restored for every case."""

    def __init__(self):
        self._codes: dict[str, str] = {}
        self._live: dict = {}   # setup -> a session reset by undo between cases (when that is exact)

    def close(self) -> None:
        for s in self._live.values():
            s.close()
        self._live.clear()

    def session(self, setup: str):
        from oyster import Session
        if setup not in self._codes:
            s = Session(seed=SEED, width=32, height=18)
            s.step(set(), 1 / 30)
            for e in SETUPS[setup]:
                s.apply(e)
            _advance(s, _ADVANCE_SETUP.get(setup, 0.0))
            self._codes[setup] = s.share_code()
            s.close()
        return Session.from_share_code(self._codes[setup], 32, 18)

    def run(self, case: dict) -> Outcome:
        """One case on its setup: a fresh restore when it replays commands or lets time pass, else the setup's
        live session, put back by undo afterwards (undo is exact when no time passes)."""
        setup = case.get("setup", "plain")
        reuse = not (case.get("before") or "cooled_after" in case.get("expect", {}) or setup in _ADVANCE_SETUP)
        if not reuse:
            s = self.session(setup)
            try:
                return self._run(s, case)
            finally:
                s.close()
        s = self._live.get(setup) or self.session(setup)
        self._live[setup] = s
        s.forget_conversation()
        mark = s.world.checkpoint()
        try:
            return self._run(s, case)
        finally:
            if not s.world.rewind(mark):  # the case undid part of the setup: build it again next time
                self._live.pop(setup).close()

    def _run(self, s, case: dict) -> Outcome:
        for cmd in case.get("before", []):
            s.command(cmd)
        before = snapshot(s)
        t0 = time.perf_counter()
        r = s.command(case["text"])
        ms = (time.perf_counter() - t0) * 1e3
        after = snapshot(s, before["origin"])
        why = check(case.get("expect", {}), before, after, r, s)
        honest_why = honesty(r.reply, before, after)
        return Outcome(case, not why, not honest_why, r.reply, r.options, why + honest_why, ms)


def _advance(s, seconds: float) -> None:
    for _ in range(int(round(seconds * 30))):
        s.advance(1 / 30)


def snapshot(s, origin: tuple[float, float] | None = None) -> dict:
    """What the predicates read: the state summary plus counts and actions around the origin (default: where the
    player stands now; the snapshot after a command passes the one from before it)."""
    st = s.state()
    w = s.world
    ox, oy = origin if origin is not None else (w.player.x, w.player.y)
    near = w.things.near(ox, oy, ORIGIN_R)
    counts: dict[str, int] = {}
    for _, _, kind, *_ in near:
        counts[kind] = counts.get(kind, 0) + 1
    near = [n for n in near if n[0] <= VIEW_R]
    er = w.eruptions[-1] if w.eruptions else None
    return {"state": st, "counts": counts,
            "actions": {i: (k, a) for _, i, k, _, _, _, a in near if k in ("villager", "animal")},
            "erupting": bool(er is not None and not er.done and er.stage(w.tick) == "erupting"),
            "eruptions": len(w.eruptions), "lava": er is not None and not er.done,
            "terrain": w.land.edit_count(), "log": len(w.log),
            "overrides": w.things.commanded(),
            "pos": (st["player"]["x"], st["player"]["y"]), "origin": (ox, oy)}


def _hour_d(a: float, b: float) -> float:
    d = (a - b) % 24
    return d - 24 if d > 12 else d


def _in(v: float, rng) -> bool:
    lo, hi = rng
    return lo - 1e-6 <= v <= hi + 1e-6


def check(x: dict, b: dict, a: dict, r, s) -> list[str]:
    """Reasons the case fails (empty = passes)."""
    why = []
    sb, sa = b["state"], a["state"]
    wb, wa = sb["weather"], sa["weather"]
    if "weather" in x and wa["kind"] != x["weather"]:
        why.append(f"weather {wa['kind']} != {x['weather']}")
    if "intensity" in x:
        k, k0 = wa["intensity"], wb["intensity"]
        want = x["intensity"]
        ok = {"up": k > k0 + 0.01, "down": 0.01 < k < k0 - 0.01, "same": abs(k - k0) < 0.01}.get(want) \
            if isinstance(want, str) else _in(k, want)
        if not ok:
            why.append(f"intensity {k:.2f} (was {k0:.2f}) not {want}")
    hb, ha = sb["clock"]["hour"], sa["clock"]["hour"]
    if "hour" in x:
        lo, hi = x["hour"]
        ok = _in(ha, (lo, hi)) if lo <= hi else (ha >= lo or ha <= hi)
        if not ok:
            why.append(f"hour {ha:.2f} not in {x['hour']}")
    if "hour_shift" in x and abs(_hour_d(ha, hb) - x["hour_shift"]) > 0.1:
        why.append(f"hour moved {_hour_d(ha, hb):+.2f} not {x['hour_shift']:+}")
    if "gravity" in x and not _in(sa["gravity"], x["gravity"]):
        why.append(f"gravity {sa['gravity']} not in {x['gravity']}")
    if "speed" in x and not _in(sa["clock"]["speed"], x["speed"]):
        why.append(f"speed {sa['clock']['speed']} not in {x['speed']}")
    if "erupting" in x and a["erupting"] != x["erupting"]:
        why.append(f"erupting is {a['erupting']}")
    if "cooled_after" in x:
        _advance(s, x["cooled_after"])
        if s.world.active_eruption() is not None:
            why.append(f"lava still molten {x['cooled_after']} s later")
    for kind, d in (x.get("count") or {}).items():
        got = a["counts"].get(kind, 0) - b["counts"].get(kind, 0)
        if not (got == d if isinstance(d, int) else (got > 0 if d == "+" else got < 0 if d == "-" else False)):
            why.append(f"{kind} count changed by {got}, want {d}")
    if "action" in x:
        why += _actions(x["action"], b, a)
    if "moved" in x and (math.dist(a["pos"], b["pos"]) > 1.0) != x["moved"]:
        why.append("player moved" if x["moved"] is False else "player did not move")
    if "terrain" in x and (a["terrain"] != b["terrain"]) != x["terrain"]:
        why.append("terrain changed" if not x["terrain"] else "terrain did not change")
    if x.get("unchanged") and (a["log"] != b["log"] or _digest(a) != _digest(b)):
        why.append("the world changed")
    if x.get("changed") and a["log"] == b["log"]:
        why.append("nothing changed")
    if "options" in x and bool(r.options) != x["options"]:
        why.append(f"options {r.options}")
    if "reply" in x and not re.search(x["reply"], r.reply, re.I):
        why.append(f"reply lacks /{x['reply']}/")
    return why


def _actions(want: dict, b: dict, a: dict) -> list[str]:
    """{"is": action, "kind": villager|animal|any, "n": "all"|int, "others": false}: who does what now."""
    kind = want.get("kind", "any")
    pool = {i: act for i, (k, act) in a["actions"].items() if kind == "any" or k == kind}
    doing = [i for i, act in pool.items() if act == want["is"]]
    n = want.get("n", 1)
    why = []
    if n == "all" and (not pool or len(doing) != len(pool)):
        why.append(f"{len(doing)}/{len(pool)} {kind} {want['is']}")
    elif n == "none" and doing:
        why.append(f"{len(doing)} {kind} still {want['is']}")
    elif isinstance(n, int) and len(doing) < n:
        why.append(f"{len(doing)} {kind} {want['is']}, want {n}")
    if want.get("others") is False:  # characters of other kinds must be untouched
        moved = [i for i, (k, act) in a["actions"].items() if (kind != "any" and k != kind)
                 and b["actions"].get(i, (k, act))[1] != act and act == want["is"]]
        if moved:
            why.append(f"{len(moved)} characters of another kind acted")
    return why


def _digest(snap: dict) -> tuple:
    st = snap["state"]
    w = st["weather"]
    return (w["kind"], round(w["intensity"], 3), round(st["clock"]["hour"], 2), st["clock"]["speed"], st["gravity"],
            tuple(sorted(snap["counts"].items())), snap["eruptions"], snap["terrain"],
            tuple(round(v, 2) for v in snap["pos"]),
            tuple(sorted(snap["overrides"].items())))


# What a reply sentence claims, by the fixed templates replies are built from.
_CLAIMS = {
    "weather": re.compile(r"\b(?:It starts to|A light rain|Light snow|A heavy snowstorm|A thin mist|Fog rolls|"
                          r"Thick fog|A small storm|A thunderstorm rolls|A violent thunderstorm|The sky clears|"
                          r"The (?:rain|snow|fog|storm) (?:gets|eases|thins|calms))"),
    "time": re.compile(r"\bTime (?:set to|is frozen|runs)\b"),
    "gravity": re.compile(r"\bGravity set to\b"),
    "more": re.compile(r"\b(?:Planted|Built|Lit|Placed|Here comes?)\b"),
    "fewer": re.compile(r"\b(?:Removed|Put out)\b"),
    "moved": re.compile(r"\bTeleporting you\b"),
    "erupt": re.compile(r"\bThe volcano (?:erupts|rumbles)\b"),
    "end": re.compile(r"\bThe eruption stops\b"),
    "act": re.compile(r"\b(?:The|One|Two|Three|Four|Five|Six|Seven|Eight|Nine|Ten|\d+) (?:villager|animal|character)s? "
                      r"(?:wave|dance|sit|jump|walk|follow|stop|lie|run)"),
    "terrain": re.compile(r"\b(?:Raised a hill|Lowered the ground|Blasted a crater|Flattened the ground)\b"),
    "any": re.compile(r"\b(?:Undid|Redid)\b"),
}


def changes(b: dict, a: dict) -> set[str]:
    sb, sa = b["state"], a["state"]
    out = set()
    if (sb["weather"]["kind"], round(sb["weather"]["intensity"], 3)) != \
            (sa["weather"]["kind"], round(sa["weather"]["intensity"], 3)):
        out.add("weather")
    if abs(_hour_d(sa["clock"]["hour"], sb["clock"]["hour"])) > 0.01 or sa["clock"]["speed"] != sb["clock"]["speed"]:
        out.add("time")
    if sa["gravity"] != sb["gravity"]:
        out.add("gravity")
    total = sum(a["counts"].values()) - sum(b["counts"].values())
    if total > 0 or a["state"]["spawned"] > b["state"]["spawned"]:
        out.add("more")
    if any(a["counts"].get(k, 0) < v for k, v in b["counts"].items()):
        out.add("fewer")
    if math.dist(a["pos"], b["pos"]) > 1.0:
        out.add("moved")
    if a["eruptions"] > b["eruptions"]:
        out.add("erupt")
    if b["erupting"] and not a["erupting"]:
        out.add("end")
    if a["overrides"] != b["overrides"]:
        out.add("act")
    if a["terrain"] != b["terrain"]:
        out.add("terrain")
    if out or a["log"] != b["log"]:
        out.add("any")
    return out


def claims(reply: str) -> set[str]:
    return {name for name, rx in _CLAIMS.items() if rx.search(reply)}


def honesty(reply: str, b: dict, a: dict) -> list[str]:
    """The reply may only claim kinds of change that happened."""
    false = claims(reply) - changes(b, a)
    return [f"reply claims a {c} change that did not happen" for c in sorted(false)]


def run_all(cases: list[dict] | None = None) -> list[Outcome]:
    cases = load_cases() if cases is None else cases
    bench = Bench()
    try:
        return [bench.run(c) for c in cases]
    finally:
        bench.close()


def world_table(outcomes) -> list[tuple[str, int, int, int]]:
    """(pattern, cases, right on the world state, replies that claim only what changed), in first-seen order."""
    rows: dict[str, list[int]] = {}
    for o in outcomes:
        r = rows.setdefault(o.case["pattern"], [0, 0, 0])
        r[0] += 1
        r[1] += o.ok
        r[2] += o.honest
    return [(k, *v) for k, v in rows.items()]


def measure_session(rounds: int = 3) -> dict:
    """Session.command wall times in ms on the world-state set, after the session is up (the first round only
    warms). Each case runs on its setup's session, as a visitor's command would; also the best of the timed
    rounds per command (what a command costs without the shared machine's scheduling noise)."""
    cases = load_cases()
    bench = Bench()
    times: list[tuple[float, str]] = []
    best = [float("inf")] * len(cases)
    try:
        for k in range(rounds):
            for i, case in enumerate(cases):
                o = bench.run(case)
                if k:
                    times.append((o.ms, case["text"]))
                    best[i] = min(best[i], o.ms)
    finally:
        bench.close()
    ms = sorted(t for t, _ in times)
    return {"commands": len(cases), "median_ms": statistics.median(ms), "p99_ms": _pct(ms, 0.99),
            "max_ms": ms[-1], "slowest": sorted(times, reverse=True)[:5],
            "over_50ms": sum(t > 50.0 for t in ms), "best_p99_ms": _pct(best, 0.99), "best_max_ms": max(best),
            "best_over_50ms": sum(t > 50.0 for t in best)}


def _pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))]


def main() -> None:
    if "--bench" in sys.argv:
        s = measure_session()
        print(f"Session.command, {s['commands']} commands of the world-state set (the session already up):")
        print(f"  median {s['median_ms']:.2f} ms   p99 {s['p99_ms']:.2f} ms   max {s['max_ms']:.2f} ms   "
              f"over 50 ms: {s['over_50ms']}")
        print("  slowest: " + "; ".join(f"{t:.1f} ms {text!r}" for t, text in s["slowest"]))
        print(f"  per-command best of the timed rounds: p99 {s['best_p99_ms']:.2f} ms   max {s['best_max_ms']:.2f} ms"
              f"   over 50 ms: {s['best_over_50ms']} (shared-CPU noise removed)")
        return
    outcomes = run_all()
    if "-q" not in sys.argv:
        for o in outcomes:
            if not (o.ok and o.honest):
                print(f"MISS [{o.case['pattern']}/{o.case['setup']}] {o.case['text']!r}: {'; '.join(o.why)}"
                      f"\n  reply: {o.reply}")
    table = world_table(outcomes)
    n, ok, honest = (sum(r[i] for r in table) for i in (1, 2, 3))
    print(f"world-state set: {len(outcomes)} hand-written commands through Session.command")
    print("| pattern | cases | right on the world state | reply names only what changed |\n| --- | --- | --- | --- |")
    for pattern, c, k, h in table:
        print(f"| {pattern} | {c} | {k / c:.1%} | {h / c:.1%} |")
    print(f"| **all** | {n} | {ok / n:.1%} | {honest / n:.1%} |")


if __name__ == "__main__":
    main()
