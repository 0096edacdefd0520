"""A host's one tick loop (serve/host_loop.py) over an in-process Runner: every session paced on one thread, keys
and closes reach the right stream, a busy world does not hold the others up, and the sessions in Dream mode take
one batched model step per tick with the same frames as single streams."""
import threading
import time

import numpy as np
import pytest

from oyster.neural.hub import load_dream
from oyster.neural.stream import DreamStream
from oyster.serve import Runner, ServeConfig
from oyster.serve.encode import parse_data_url
from oyster.serve.host_loop import HostLoop


def _runner(n: int, **kw) -> Runner:
    return Runner(ServeConfig.from_env(**({"width": 64, "height": 36, "fps": 30.0, "max_players": n} | kw)))


def test_one_thread_paces_every_session_of_a_host():
    runner = _runner(4)
    loop = HostLoop(runner)
    rendered_on = set()
    render = runner._render
    runner._render = lambda *a: rendered_on.add(threading.current_thread()) or render(*a)
    sids = [f"s{i}" for i in range(4)]
    got: dict[str, list] = {sid: [] for sid in sids}
    try:
        for i, sid in enumerate(sids):
            runner.open(sid, seed=i)

        def read(sid):
            for p in loop.packets(sid):
                got[sid].append((time.monotonic(), p))
                if len(got[sid]) == 20:
                    return

        readers = [threading.Thread(target=read, args=(sid,), daemon=True) for sid in sids]
        for t in readers:
            t.start()
        for t in readers:
            t.join(60)
        for sid in sids:
            fids = [parse_data_url(p["url"])[0]["fid"] for _, p in got[sid]]
            assert len(fids) == 20 and fids == sorted(set(fids)), fids      # every session advanced on its own
            assert any(p.get("hud", {}).get("biome") for _, p in got[sid])
            span = got[sid][-1][0] - got[sid][0][0]
            assert span > 19 / 30 * 0.6, span                                 # paced at ~30 fps, not free-running
        assert rendered_on == {loop.thread}, "every frame of every session came from the one loop thread"
        st = loop.stats()
        assert st["loops"] == 1 and st["loop_ticks"] > 0
        time.sleep(0.1)
        assert loop.sessions() == 0, "a stream whose reader left is no longer rendered"
    finally:
        loop.stop()
        runner.shutdown()
    assert not loop.thread.is_alive()


def test_keys_reach_their_session_and_a_close_ends_only_its_stream():
    runner = _runner(2)
    loop = HostLoop(runner)
    try:
        runner.open("a", seed=1)
        runner.open("b", seed=2)
        a, b = loop.packets("a"), loop.packets("b")
        next(a), next(b)
        assert runner.send_input("a", 7, ["forward"])
        loop.poke()
        p = next(p for p in a if p.get("seq") == 7)
        assert parse_data_url(p["url"])[0]["seq"] == 7
        assert runner.held("b") == (-1, frozenset())
        runner.close("a", "idle")
        last = next(p for p in a if p.get("done"))
        assert "without input" in last["message"]
        assert "url" in next(b), "the other session keeps streaming"
    finally:
        loop.stop()
        runner.shutdown()


def test_a_world_busy_with_a_command_does_not_hold_up_the_others():
    runner = _runner(2)
    loop = HostLoop(runner, threaded=False)
    try:
        runner.open("busy", seed=1)
        runner.open("free", seed=2)
        busy, free = loop.attach("busy"), loop.attach("free")
        held, release = threading.Event(), threading.Event()

        def command():                          # holds the world's lock as a long command does
            with runner._slot("busy").lock:
                held.set()
                release.wait(10)

        hold = threading.Thread(target=command)
        hold.start()
        held.wait(10)
        t = time.monotonic()
        for k in range(3):
            loop.tick(t + k / 30)
            free.box.wait(0, 0)
        assert free.box.seq == 3 and busy.box.seq == 0
        release.set()
        hold.join()
        loop.tick(t + 4 / 30)
        assert busy.box.seq == 1
    finally:
        runner.shutdown()


@pytest.fixture(scope="module")
def dream():
    d, n = load_dream()
    assert d is not None, n
    return d, n


@pytest.mark.slow
def test_dreaming_sessions_share_one_batched_step_with_the_frames_of_single_streams(dream):
    """Three sessions of one host dream (joining at different ticks, keys changing and released): each Dream tick
    is one batched model call for all of them, and each gets what a single DreamStream fed the same engine frames
    and keys makes (within the in-process hub's tolerance)."""
    runner = _runner(3, width=160, height=90)
    loop = HostLoop(runner, threaded=False, dream_loader=lambda: dream)
    sids = ["d0", "d1", "d2"]
    try:
        for i, sid in enumerate(sids):
            runner.open(sid, seed=3 + i)
        paces = {sid: loop.attach(sid) for sid in sids}
        members, singles, seen = {}, {}, {}
        calls = []
        t0 = time.monotonic()
        for k in range(40):
            if k in (0, 3, 8):                                   # they start dreaming at different moments
                sid = sids[(0, 3, 8).index(k)]
                members[sid] = loop.dream_join(sid)
                singles[sid] = DreamStream(dream[0].fork())
                seen[sid] = 0
            if k == 2:
                loop.hub.batch.step_many = _counting(loop.hub.batch.step_many, calls)
            keys = ["forward"] if k < 20 else (["forward", "turn_left"] if k < 30 else [])
            for i, sid in enumerate(sids):
                runner.send_input(sid, k + 1, keys if i != 1 or k % 10 < 7 else ["back"])
            before, ticks = len(calls), loop.dream_calls
            loop.tick(t0 + k / 30)
            for p in paces.values():
                p.box.wait(0, 0)                                  # a reader takes its frames
            if loop.dream_calls == ticks:
                continue
            stepped = [sid for sid, m in members.items() if m.wait(seen[sid], 0)[0] > seen[sid]]
            if stepped:
                assert len(calls) - before == 1, "one model call for every dreaming session this tick"
                assert sorted(calls[-1]) == sorted(members[s].slot for s in stepped)
            for sid in members:
                slot = runner._slot(sid)
                want = singles[sid].tick(slot.last_frame, slot.held)
                if sid not in stepped:
                    assert want.frame is None, (k, sid)
                    continue
                seen[sid], got = members[sid].wait(seen[sid], 0)
                assert (got.anchored, got.since_anchor) == (want.anchored, want.since_anchor), (k, sid)
                assert np.abs(got.frame.astype(int) - want.frame.astype(int)).max() <= 2, (k, sid)
                assert abs(got.psnr - want.psnr) < 0.05
        assert len(calls) >= 15 and max(len(c) for c in calls) == 3
        assert loop.stats()["dreaming"] == 3 and loop.stats()["dream_calls"] >= 15
        loop.dream_leave("d1")
        assert loop.dreaming() == 2 and members["d1"].slot in loop.hub.free
        runner.close("d0")
        loop.tick(t0 + 41 / 30)
        loop.tick(t0 + 43 / 30)
        assert loop.dreaming() == 1, "a closed world leaves Dream mode"
    finally:
        runner.shutdown()


def _counting(step_many, calls):
    def wrapped(helds, events=None, streams=None):
        calls.append(list(streams))
        return step_many(helds, events, streams)
    return wrapped
