"""The Dream panel: DreamStream against a real Session with the shipped checkpoint, the per-visitor registry
with a real Runner, the missing-checkpoint message, and the launched page with the Dream tab."""
import json
import re
import threading
import time
import urllib.request
from types import SimpleNamespace

import cv2
import gradio as gr
import numpy as np
import pytest

from oyster import Session
from oyster.app.dream_tab import DreamViews, add_dream_view
from oyster.neural import engine_frame, frame_psnr
from oyster.neural.hub import MISSING, load_dream
from oyster.neural.stream import DreamStream
from oyster.serve.encode import parse_data_url

WALK = [{"forward"}] * 6 + [{"forward", "turn_left"}] * 30


@pytest.fixture(scope="module")
def dream():
    d, n = load_dream()
    assert d is not None, n
    assert 1e5 < n < 2e7       # the parameter count the page quotes
    return d


def rollout(dream, seed=3, held_seq=WALK):
    """(engine frames at 160x90, held sets) stepping a real Session at the model's dt."""
    s = Session(seed, width=160, height=90)
    try:
        frames = [s.step(h, dt=dream.dt) for h in held_seq]
        exact = engine_frame(s)
    finally:
        s.close()
    return frames, [frozenset(h) for h in held_seq], exact


@pytest.fixture(scope="module")
def walk(dream):
    return rollout(dream)


def test_fit_places_wide_frame_where_the_model_sees_it(dream, walk):
    frames, _, exact = walk
    ds = DreamStream(dream.fork())
    fit = ds.fit(frames[-1])
    assert fit.shape == (*dream.size, 3) and fit.dtype == np.uint8
    assert ds.band == slice(14, 50)          # 160x90 at 64 wide is 36 rows, centred like the horizon
    assert ds.display_size == (180, 320)     # shown at the engine's aspect
    # the band matches what the engine draws at the model's own 64x64 view (same 80-degree horizontal FOV)
    assert frame_psnr(fit[ds.band], exact[ds.band]) > 24.0


def test_anchor_predicts_close_to_engine_and_beats_gray(dream, walk):
    frames, helds, _ = walk
    ds = DreamStream(dream.fork())
    first = ds.tick(frames[0], helds[0])
    assert first.frame is None and first.psnr is None   # one frame is not enough to anchor on
    t = ds.tick(frames[1], helds[1])
    assert t.anchored and t.since_anchor == 1
    gray = ds.psnr(np.full((*dream.size, 3), 128, np.uint8), ds.fit(frames[1]))
    assert t.psnr > gray + 8.0 and t.psnr > 25.0


def test_steps_have_display_size_and_finite_psnr(dream, walk):
    frames, helds, _ = walk
    ds = DreamStream(dream.fork())
    ticks = [ds.tick(f, h) for f, h in zip(frames, helds, strict=True)][1:]
    assert [t.since_anchor for t in ticks[:5]] == [1, 2, 3, 4, 5]
    for t in ticks:
        assert t.frame.shape == (180, 320, 3) and t.frame.dtype == np.uint8
        assert np.isfinite(t.psnr) and 5.0 < t.psnr < 60.0


def test_reanchoring_resets_drift(dream, walk):
    frames, helds, _ = walk
    ds = DreamStream(dream.fork())
    ds.anchor_every = 10**6           # free-run the whole walk, then anchor by hand
    ticks = [ds.tick(f, h) for f, h in zip(frames, helds, strict=True)][1:]
    assert ticks[0].psnr - ticks[-1].psnr > 6.0, [round(t.psnr, 1) for t in ticks]   # it drifts
    drifted = ticks[-1].psnr
    again = ds.anchor()
    assert ds.since_anchor == 1
    assert ds.psnr(again, ds.history[-1][0]) > drifted + 3.0


def test_reanchors_on_schedule_and_when_keys_are_released(dream, walk):
    frames, helds, _ = walk
    ds = DreamStream(dream.fork())
    ticks = [ds.tick(f, h) for f, h in zip(frames, helds, strict=True)]
    assert ds.anchor_every == 30                          # 2 s at dt = 1/15
    assert [i for i, t in enumerate(ticks) if t.anchored] == [1, 31]
    released = ds.tick(frames[-1], frozenset())
    assert released.anchored and released.since_anchor == 1


def test_missing_checkpoint_gives_clear_message(tmp_path):
    d, msg = load_dream(str(tmp_path / "nope.pt"))
    assert d is None and msg == MISSING and "assets/dream.pt" in msg
    with gr.Blocks() as demo:
        with gr.Tabs() as side:
            pass
        ctx = SimpleNamespace(demo=demo, side_tabs=side)
        add_dream_view(ctx, path=str(tmp_path / "nope.pt"))   # builds the tab with the message, no events
    texts = [getattr(b, "value", "") for b in demo.blocks.values()]
    assert any(isinstance(t, str) and "not available" in t for t in texts)


def test_registry_streams_follow_a_real_runner_and_clean_up(dream):
    from oyster.app.handlers import web_id
    from oyster.serve import Runner, ServeConfig
    runner = Runner(ServeConfig.from_env(width=160, height=90, max_players=2, fps=15.0))
    request = SimpleNamespace(session_hash="dreamer")
    sid = web_id(request)
    runner.open(sid, seed=5)
    ctx = SimpleNamespace(runner=runner, session_id=web_id)
    views = DreamViews(ctx, dream)
    play = runner.frames(sid)
    stop = threading.Event()

    def drain():   # the play stream: keeps latest_frame fresh
        for p in play:
            if stop.is_set() or p.get("done"):
                return

    player = threading.Thread(target=drain, daemon=True)
    player.start()
    try:
        assert list(views.stream(request)) == [gr.skip()]    # off: leaves the panel as it is
        assert views.toggle(request) == "Stop dreaming"
        runner.send_input(sid, 1, ["forward"])
        out, t0, shown = [], time.monotonic(), 0
        for html in views.stream(request):
            out.append(html)
            shown += "data:image/jpeg" in html
            if shown == 8 and "Stopped" not in html:
                assert views.toggle(request) == "Dream along"   # the stream sees it and stops
        assert sum("data:image/jpeg" in h for h in out) >= 9 and "PSNR vs engine" in out[-2]
        assert "Stopped. Last: PSNR" in out[-1] and "data:image/jpeg" in out[-1]   # the last frame stays
        urls = [re.search(r'src="([^"]+)"', h).group(1) for h in out if "data:image/jpeg" in h]
        fids = [parse_data_url(u)[0]["fid"] for u in urls]
        assert fids[:-1] == list(range(1, len(fids))) and fids[-1] == fids[-2]   # rising ids; last frame kept
        jpeg = np.frombuffer(parse_data_url(urls[-1])[1], np.uint8)
        assert cv2.imdecode(jpeg, cv2.IMREAD_COLOR).shape == (180, 320, 3)   # display size, engine's aspect
        assert time.monotonic() - t0 < 20
        views.on_unload(request)
        assert sid not in views.visitors
    finally:
        stop.set()
        runner.shutdown()
        player.join(5)


def test_a_dream_ends_with_a_message_when_the_visitors_world_closes(dream):
    """The tab turns the Runner's UnknownSession into the hub's SourceClosed: the panel says so and stops."""
    from oyster.app.handlers import web_id
    from oyster.serve import Runner, ServeConfig
    runner = Runner(ServeConfig.from_env(width=160, height=90, max_players=2, fps=15.0))
    request = SimpleNamespace(session_hash="leaver")
    sid = web_id(request)
    runner.open(sid, seed=5)
    views = DreamViews(SimpleNamespace(runner=runner, session_id=web_id), dream)
    try:
        views.toggle(request)
        out = []
        for html in views.stream(request):       # no play stream: the engine has no frame yet
            out.append(html)
            if len(out) == 1:
                assert "Waiting for the engine" in html
                runner.close(sid)
        assert "Your world has closed" in out[-1] and len(out) == 2
        assert not views.hub.members                  # the slot is free again
    finally:
        runner.shutdown()


def test_launched_page_has_dream_panel(tmp_path):
    from app_harness import launched_app
    with launched_app(str(tmp_path / "w.db"), extensions=[add_dream_view], width=160, height=90,
                      max_players=2) as app:
        cfg = json.loads(urllib.request.urlopen(app.url + "config", timeout=30).read())
    comps = cfg["components"]
    ids = {c.get("props", {}).get("elem_id") for c in comps}
    assert {"dream-view", "dream-toggle", "dream-about", "screen"} <= ids
    labels = {c.get("props", {}).get("label") for c in comps if c.get("type") == "tabitem"}
    assert "Dream" in labels
    about = next(c for c in comps if c.get("props", {}).get("elem_id") == "dream-about")["props"]["value"]
    assert "ground truth" in about and "M parameters" in about


class Feed:
    """A hub member's source that replays recorded engine frames and keys, one per call."""

    def __init__(self, frames, helds, gaps=()):
        self.frames, self.helds, self.gaps, self.i = frames, helds, set(gaps), 0

    def __call__(self):
        i = self.i
        self.i += 1
        if i in self.gaps:
            return None, frozenset()
        if i >= len(self.frames):
            from oyster.neural.hub import SourceClosed
            raise SourceClosed
        return self.frames[i], self.helds[i]


def test_hub_steps_visitors_together_like_single_streams(dream, walk):
    """Three visitors in one DreamHub (batched steps, re-anchors at different times, a late tick that catches
    up) get the frames and scores of three single DreamStreams fed the same engine frames."""
    from oyster.neural.hub import CLOSED, DreamHub
    frames, helds, _ = walk
    hub = DreamHub(dream, capacity=4, threaded=False)
    offsets = (0, 5, 11)                       # they joined at different moments of the walk
    feeds = [Feed(frames[o:], helds[o:]) for o in offsets]
    members = [hub.join(f) for f in feeds]
    singles = [DreamStream(dream.fork()) for _ in offsets]
    calls, step_many = [], hub.batch.step_many
    hub.batch.step_many = lambda helds, events=None, streams=None: calls.append(sorted(streams)) or step_many(
        helds, events, streams)
    for t in range(len(frames) - max(offsets)):
        steps = 3 if t == 9 else 1             # the hub ran two periods late once
        hub.tick(members, steps=steps)
        for m, single, o in zip(members, singles, offsets, strict=True):
            want = single.tick(frames[o + t], helds[o + t], steps=steps)
            _, got = m.wait(0, 0)
            if want.frame is None:
                assert m.stream.since_anchor == 0
                continue
            assert (got.anchored, got.since_anchor) == (want.anchored, want.since_anchor), (t, o)
            assert np.abs(got.frame.astype(int) - want.frame.astype(int)).max() <= 2, (t, o)
            assert abs(got.psnr - want.psnr) < 0.05
    ticks = len(frames) - max(offsets)         # one forward for all three per tick (none on the first), and
    assert len(calls) == ticks - 1 + 2 and calls.count([0, 1, 2]) >= len(calls) - 2   # two to catch up
    hub.tick(members)                          # the shortest feed has run out: its world closed
    assert members[2].wait(0, 0)[1] == CLOSED
    assert members[2].slot in hub.free and members[2].slot not in hub.members


def test_hub_reanchors_a_visitor_who_missed_a_tick_and_frees_slots(dream, walk):
    from oyster.neural.hub import CLOSED, WAITING, DreamHub
    frames, helds, _ = walk
    hub = DreamHub(dream, capacity=2, threaded=False)
    a = hub.join(Feed(frames, helds, gaps={4}))     # no engine frame at tick 4
    b = hub.join(Feed(frames, helds))
    assert hub.join(Feed(frames, helds)) is None     # full
    ticks = []
    for _ in range(7):
        hub.tick([a, b])
        ticks.append(a.wait(0, 0)[1])
    assert ticks[4] == WAITING and hub.batch.stale[b.slot] == False   # noqa: E712  (b stepped alone)
    assert ticks[5].anchored and ticks[5].since_anchor == 1            # a missed a step: re-anchored
    assert not ticks[6].anchored and ticks[6].since_anchor == 2
    hub.leave(b)
    c = hub.join(Feed(frames[:1], helds[:1]))
    assert c is not None and c.slot == b.slot
    hub.tick([a, c])
    hub.tick([a, c])
    assert c.wait(0, 0)[1] == CLOSED and c.slot in hub.free


def test_hub_thread_runs_only_while_someone_dreams(dream, walk):
    frames, helds, _ = walk
    from oyster.neural.hub import DreamHub
    hub = DreamHub(dream, capacity=2)
    m = hub.join(Feed(frames * 10, helds * 10))
    seq, ticks = 0, []
    t0 = time.monotonic()
    while len(ticks) < 5 and time.monotonic() - t0 < 10:
        seq, item = m.wait(seq, 1.0)
        if item is not None and not isinstance(item, str) and item.frame is not None:
            ticks.append((time.monotonic(), item))
    assert len(ticks) == 5 and hub.thread is not None and hub.thread.is_alive()
    span = ticks[-1][0] - ticks[0][0]
    assert 2 * dream.dt < span < 40 * dream.dt               # paced at dt, not free-running
    thread = hub.thread
    hub.leave(m)
    thread.join(5)
    assert not thread.is_alive() and hub.thread is None


def test_hub_bench_runs_and_reports_each_visitor_count():
    from oyster.neural.bench import main
    rows = main(["--visitors", "1", "3", "--ticks", "10"])
    assert [r["visitors"] for r in rows] == [1, 3]
    for r in rows:
        assert r["hub_ms"] > 0 and r["single_ms"] > 0 and r["hub_p99"] >= r["hub_ms"]
        assert abs(r["gain"] - r["single_ms"] / r["hub_ms"]) < 1e-9


def test_hub_error_ends_dreams_with_a_message_and_the_thread(dream):
    from oyster.neural.hub import DreamHub

    def broken():
        raise RuntimeError("engine exploded")

    hub = DreamHub(dream, capacity=2)
    m = hub.join(broken)
    thread = hub.thread
    _, item = m.wait(0, 5.0)
    assert isinstance(item, str) and "server error (RuntimeError)" in item
    thread.join(5)
    assert not thread.is_alive() and not hub.members and sorted(hub.free) == [0, 1]
