"""The Runner seam's behaviour, run against both runners: in-process (the default) and RayRunner on a local Ray.

The Ray side starts one loopback-only local Ray for the module (about 10-30 s on 2 cores); its sessions live in
host actors in other processes and are driven only through the seam.
"""
import os
import time

import pytest

from oyster.serve import InputError, Runner, RunnerFull, ServeConfig, UnknownSession
from oyster.serve.encode import parse_data_url
from oyster.serve.proctree import inet_sockets, is_loopback, is_unset, tree
from oyster.serve.ray_runner import RayOptions, RayRunner
from oyster.serve.seam import RunnerSeam

try:
    import ray
except ImportError:     # Ray is the optional extra (requirements-ray.txt); the in-process half still runs
    ray = None

pytestmark = pytest.mark.slow
CFG = dict(width=64, height=36, fps=30.0, max_players=3, max_waiting=1)


@pytest.fixture(scope="module")
def ray_runner():
    if ray is None:
        pytest.skip("Ray is not installed: pip install -r requirements-ray.txt")
    if ray.is_initialized():
        ray.shutdown()
    r = RayRunner(ServeConfig.from_env(**CFG), RayOptions(hosts=2, host_cpus=0.5))
    yield r
    r.shutdown()


@pytest.fixture(params=["local", "ray"])
def runner(request):
    r = request.getfixturevalue("ray_runner") if request.param == "ray" else Runner(ServeConfig.from_env(**CFG))
    yield r
    for sid in r.session_ids():
        r.close(sid, "test over")
    if request.param == "local":
        r.shutdown()


def until(gen, pred, limit=300):
    """Packets from a frame stream until one satisfies pred (the Ray side may lag a frame or two)."""
    for _ in range(limit):
        p = next(gen)
        if pred(p):
            return p
    raise AssertionError("no such packet")


def test_both_runners_fit_the_seam(runner):
    assert isinstance(runner, RunnerSeam)


def test_frames_carry_ids_and_the_applied_seq(runner):
    assert runner.open("a", seed=5)["status"] == "active"
    gen = runner.frames("a")
    first = next(gen)
    meta, jpeg = parse_data_url(first["url"])
    assert meta == {"fid": 1, "seq": -1} and jpeg[:2] == b"\xff\xd8" and first["hud"]["biome"]
    assert runner.send_input("a", 4, ["forward"])
    p = until(gen, lambda p: p.get("seq") == 4)
    assert parse_data_url(p["url"])[0]["seq"] == 4 and p["frame_id"] > 1
    fid, frame = runner.latest_frame("a")
    assert fid >= p["frame_id"] and frame.shape == (36, 64, 3)


def test_stale_sequence_numbers_are_dropped(runner):
    runner.open("a")
    assert runner.send_input("a", 5, ["forward"])
    assert not runner.send_input("a", 5, ["back"])
    assert not runner.send_input("a", 3, [])
    assert runner.held("a") == (5, frozenset({"forward"}))


@pytest.mark.parametrize("payload", ["not json", '{"seq": 1}', '{"seq": -1, "held": []}',
                                     '{"seq": 1, "held": ["fly"]}', '{"seq": 1, "held": [], "look": [1e999, 0]}'])
def test_malformed_key_payloads_raise_clear_errors_and_keep_state(runner, payload):
    runner.open("a")
    runner.send_input("a", 0, ["forward"])
    with pytest.raises(InputError) as e:
        runner.send_payload("a", payload)
    assert 0 < len(str(e.value)) < 200
    assert runner.held("a") == (0, frozenset({"forward"}))


def test_commands_are_bounded_logged_and_shared(runner):
    runner.open("a", seed=2)
    out = runner.command("a", "make it rain")
    assert out["edits"][0]["op"] == "weather" and out["reply"]
    with pytest.raises(InputError, match="the limit is"):
        runner.command("a", "x" * 10_000)
    with pytest.raises(InputError):
        runner.command("a", "  ")
    assert runner.log("a") == [("you", "make it rain"), ("world", out["reply"])]
    code = runner.snapshot("a")
    runner.close("a")
    assert runner.open("b", share_code=code)["warning"] == ""
    assert runner.state("b")["weather"]["kind"] == "rain"


def test_seat_cap_line_and_promotion(runner):
    for sid in ("a", "b", "c"):
        assert runner.open(sid)["status"] == "active"
    d = runner.open("d")
    assert (d["status"], d["position"]) == ("waiting", 1) and "number 1 in line" in d["message"]
    with pytest.raises(RunnerFull, match="try again"):
        runner.open("e")
    gen = runner.frames("d")
    assert "number 1 in line" in next(gen)["message"]
    with pytest.raises(InputError, match="in line"):
        runner.command("d", "make it rain")
    runner.close("a")
    p = until(gen, lambda p: p.get("frame_id", 0) >= 1)
    assert "message" not in p and runner.stats()["sessions_active"] == 3


def test_bad_share_code_opens_a_fresh_world_with_a_warning(runner):
    info = runner.open("a", seed=3, share_code="garbage")
    assert info["status"] == "active" and "could not be opened" in info["warning"]


def test_step_once_for_scripts(runner):
    runner.open("api-a", seed=4)
    x0 = runner.state("api-a")["player"]["x"]
    out = runner.step_once("api-a", ["forward", "sprint"], steps=10)
    assert out["frame"].startswith("data:image/jpeg") and out["state"]["player"]["x"] != x0
    with pytest.raises(InputError):
        runner.step_once("api-a", ["forward"], steps=10_000)


def test_unknown_sessions_are_refused(runner):
    with pytest.raises(UnknownSession):
        runner.send_input("nobody", 1, [])
    with pytest.raises(UnknownSession):
        runner.command("nobody", "make it rain")
    assert runner.close("nobody") is False


def test_metrics_have_the_counters(runner):
    runner.open("web-secret-id")
    gen = runner.frames("web-secret-id")
    for _ in range(5):
        next(gen)
    m = runner.stats()
    for k in ("sessions_active", "sessions_waiting", "fps_mean", "frame_ms_p50", "frame_ms_p99", "frames_sent"):
        assert k in m, k
    assert m["frames_sent"] >= 5 and "secret" not in str(m)


# ---- Ray only ---------------------------------------------------------------------------------------------------
def test_local_ray_uses_loopback_only(ray_runner):
    """Every socket of this process and of the Ray processes it started is on 127.0.0.1 (listening included)."""
    ray_runner.open("a")
    gen = ray_runner.frames("a")
    next(gen)
    socks = inet_sockets(tree(os.getpid()))
    assert len(socks) > 10, "the Ray processes were not found"
    bad = [s for s in socks if not is_loopback(s[1]) or not (is_unset(s[2]) or is_loopback(s[2]))]
    assert bad == [], bad
    assert all(n["NodeManagerAddress"] == "127.0.0.1" for n in ray.nodes())
    ray_runner.close("a")


def test_ray_metrics_report_each_host_and_the_total(ray_runner):
    for sid in ("a", "b"):
        ray_runner.open(sid)
    gens = [ray_runner.frames(s) for s in ("a", "b")]
    for _ in range(10):
        for g in gens:
            next(g)
    m = ray_runner.stats()
    hosts = m["hosts"]
    assert len(hosts) == 2 and sum(h["sessions_active"] for h in hosts) == m["sessions_active"] == 2
    assert {h["sessions_active"] for h in hosts} == {1}, "placement must spread sessions over the least-loaded host"
    for h in hosts:
        assert h["frames_sent"] > 0 and h["frame_ms_p50"] > 0 and h["node"]
    assert m["frames_sent"] == sum(h["frames_sent"] for h in hosts)
    for sid in ("a", "b"):
        ray_runner.close(sid)


def test_a_second_page_server_reaches_any_session(ray_runner):
    """Two page servers share the cluster: a session opened through one is played and commanded through the other."""
    other = RayRunner(ray_runner.cfg, RayOptions(hosts=2, host_cpus=0.5, supervise=False))
    try:
        ray_runner.open("a", seed=6)
        assert other.command("a", "make it snow")["edits"][0]["kind"] == "snow"
        gen = other.frames("a")
        p = next(gen)
        assert p["url"].startswith("data:image/jpeg")
        assert ray_runner.state("a")["weather"]["kind"] == "snow"
    finally:
        other.shutdown()
    ray_runner.close("a")


def test_a_stalled_host_is_detected_and_its_sessions_move(ray_runner):
    ray_runner.open("a", seed=8)
    ray_runner.command("a", "moon gravity")
    gen = ray_runner.frames("a")
    next(gen)
    host = ray_runner._d("status", "a")["host"]
    ray_runner._handle(host).hold.remote(60.0)           # the host's frames freeze, as if wedged
    t0 = time.monotonic()
    assert until(gen, lambda p: p.get("reconnecting"), limit=50)["message"] == "Reconnecting…"
    assert until(gen, lambda p: "url" in p, limit=50)["frame_id"] > 1   # frame ids keep growing across the move
    assert time.monotonic() - t0 < 30
    assert ray_runner.state("a")["gravity"] == pytest.approx(0.165)
    ray_runner.close("a")


def test_the_page_plays_through_ray_end_to_end(ray_runner, tmp_path):
    """The Gradio page on RayRunner: a simulated visitor joins, gets frames, and sees its key changes applied."""
    import asyncio

    from oyster.app.page import build_demo, launch_kwargs
    from oyster.serve import loadtest
    from oyster.waitlist import Waitlist

    demo = build_demo(ray_runner, Waitlist(str(tmp_path / "w.db")), extensions=[])
    port = loadtest.free_port()
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True,
                **launch_kwargs(ray_runner))
    try:
        results, server = asyncio.run(loadtest.run_round(f"http://127.0.0.1:{port}/", 1, seconds=3.0, warmup=1.0))
    finally:
        demo.close()
    r = results[0]
    assert not r.error and len(r.arrivals) > 10 and r.key_latency_ms, r.error
    assert server["runner"] == "ray" and len(server["hosts"]) == 2


def test_the_runner_switch(ray_runner, monkeypatch):
    """OYSTER_RUNNER picks the runner; in-process is the default; a Ray runner joins the Ray already running."""
    from oyster.serve.choose import make_runner

    monkeypatch.delenv("OYSTER_RUNNER", raising=False)
    assert type(make_runner(ServeConfig.from_env(**CFG))) is Runner
    with pytest.raises(ValueError, match="OYSTER_RUNNER"):
        make_runner(kind="spark")
    monkeypatch.setenv("OYSTER_RUNNER", "ray")
    monkeypatch.setenv("OYSTER_RAY_HOSTS", "2")
    joined = make_runner(ray_runner.cfg)
    try:
        assert isinstance(joined, RayRunner) and not joined.started_local
        joined.open("switch", seed=1)
        assert "switch" in ray_runner.session_ids()
        joined.close("switch")
    finally:
        joined.shutdown()


def _play(runner, sids, stop):
    """Keep the sessions' frame streams flowing in threads (a host renders only what is being watched)."""
    import threading

    def drain(sid):
        for p in runner.frames(sid):
            if stop.is_set() or p.get("done"):
                return
    threads = [threading.Thread(target=drain, args=(s,), daemon=True) for s in sids]
    for t in threads:
        t.start()
    return threads


def test_a_host_paces_all_its_sessions_with_one_loop_and_batches_their_dreams(ray_runner):
    """Two sessions on one host: one tick loop serves both; in Dream mode both step in one model call per tick."""
    import threading
    sids = ["loop-a", "loop-b", "loop-c"]
    for i, sid in enumerate(sids):
        ray_runner.open(sid, seed=i)
    where = {s: ray_runner._d("status", s)["host"] for s in sids}
    host = max(set(where.values()), key=list(where.values()).count)
    pair = [s for s in sids if where[s] == host]
    assert len(pair) == 2
    stop = threading.Event()
    threads = _play(ray_runner, sids, stop)
    try:
        time.sleep(1.0)
        h = next(x for x in ray_runner.stats()["hosts"] if x["host"] == host)
        assert h["loops"] == 1 and h["loop_sessions"] == h["sessions_active"] >= 2 and h["frames_sent"] > 2
        got: dict[str, list] = {s: [] for s in pair}

        def dream(sid):
            for p in ray_runner.dream_frames(sid):
                got[sid].append(p)
                if sum("url" in q for q in got[sid]) >= 8 or p.get("done"):
                    return
        dreamers = [threading.Thread(target=dream, args=(s,), daemon=True) for s in pair]
        for t in dreamers:
            t.start()
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not all(any("url" in q for q in got[s]) for s in pair):
            time.sleep(0.1)
        h0 = next(x for x in ray_runner.stats()["hosts"] if x["host"] == host)
        assert h0["dreaming"] == 2, (h0, got)
        frames0 = {s: sum("url" in q for q in got[s]) for s in pair}
        for t in dreamers:
            t.join(60)
        h1 = next(x for x in ray_runner.stats()["hosts"] if x["host"] == host)
        made = sum(sum("url" in q for q in got[s]) - frames0[s] for s in pair)
        assert made >= 8, got
        assert h1["dream_calls"] - h0["dream_calls"] < made, "the two dreams stepped together, not one by one"
        for s in pair:
            p = next(q for q in got[s] if "url" in q)
            assert p["url"].startswith("data:image/jpeg") and 5.0 < p["psnr"] < 60.0
        time.sleep(1.0)
        assert next(x for x in ray_runner.stats()["hosts"] if x["host"] == host)["dreaming"] == 0
    finally:
        stop.set()
        for sid in sids:
            ray_runner.close(sid)
        for t in threads:
            t.join(10)
