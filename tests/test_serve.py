"""Runner behaviour without Gradio: pacing, input sequencing, validation, limits, the line, metrics."""
import time

import cv2
import numpy as np
import pytest

from oyster.serve import InputError, Runner, RunnerFull, ServeConfig, UnknownSession
from oyster.serve.encode import Adapter, parse_data_url


class FakeSession:
    """Stands in for oyster.Session: records inputs, renders a frame whose brightness is the step count."""
    step_s = 0.0          # seconds each step takes (to simulate a slow renderer)
    instances: list = []

    def __init__(self, seed=0, prompt="", width=64, height=36):
        self.prompt_reply = ""
        self.seed, self.width, self.height, self.steps, self.helds, self.closed = seed, width, height, 0, [], False
        self.looks = []
        FakeSession.instances.append(self)

    def step(self, held=frozenset(), dt=1 / 30, look=None):
        if self.step_s:
            time.sleep(self.step_s)
        self.steps += 1
        self.helds.append(frozenset(held))
        self.looks.append(look)
        return np.full((self.height, self.width, 3), self.steps % 256, np.uint8)

    def resize(self, width, height):
        self.width, self.height = width, height

    def command(self, text):
        return type("R", (), {"reply": f"ok: {text}", "edits": [{"op": "weather", "kind": "rain"}]})()

    def state(self):
        return {"player": {"x": 1.0, "y": 2.0, "z": 3.0, "yaw": 0.0}, "biome": "forest",
                "clock": {"hour": 12.5}, "weather": {"kind": "clear", "intensity": 0.0}}

    def share_code(self):
        return f"seed{self.seed}"

    @classmethod
    def from_share_code(cls, code, width=64, height=36):
        if not code.startswith("seed"):
            raise ValueError("not a share code")
        return cls(int(code[4:]), width=width, height=height)

    def close(self):
        self.closed = True


def runner(**kw) -> Runner:
    FakeSession.step_s = 0.0
    return Runner(ServeConfig.from_env(**({"width": 64, "height": 36, "fps": 30.0} | kw)), session_factory=FakeSession)


def take(gen, n):
    return [next(gen) for _ in range(n)]


def test_pacing_holds_target_fps_by_deadline():
    """Deadline pacing (next_due += period) holds the rate; sleep-after-work drifted to ~27 of 30 fps."""
    r = runner(fps=50.0)
    r.open("a")
    gen = r.frames("a")
    FakeSession.step_s = 0.004   # work inside each period must not stretch it
    next(gen)
    t0 = time.monotonic()
    take(gen, 50)
    fps = 50 / (time.monotonic() - t0)
    assert 44 <= fps <= 52, fps


def test_slow_frames_are_skipped_not_queued():
    """When rendering falls behind, stale deadlines are dropped and only the newest frame is made."""
    r = runner(fps=60.0)
    r.open("a")
    gen = r.frames("a")
    next(gen)
    FakeSession.step_s = 0.05    # 3 periods per frame
    t0 = time.monotonic()
    take(gen, 10)
    elapsed = time.monotonic() - t0
    assert elapsed < 0.05 * 10 * 1.6, "frames must not queue up to catch up"
    assert r.stats()["frames_dropped"] >= 10


def test_frames_carry_id_and_applied_seq():
    r = runner()
    r.open("a")
    gen = r.frames("a")
    first = next(gen)
    meta, jpeg = parse_data_url(first["url"])
    assert meta == {"fid": 1, "seq": -1} and jpeg[:2] == b"\xff\xd8"
    r.send_input("a", 4, ["forward"])
    p = next(gen)
    assert p["seq"] == 4 and parse_data_url(p["url"])[0]["seq"] == 4
    assert FakeSession.instances[-1].helds[-1] == {"forward"}
    assert "hud" in first and first["hud"]["biome"] == "forest" and first["hud"]["time"] == "12:30"
    fid, frame = r.latest_frame("a")
    assert fid == 2 and frame.shape == (36, 64, 3)


def test_stale_sequence_numbers_are_dropped():
    r = runner()
    r.open("a")
    assert r.send_input("a", 5, ["forward"])
    assert not r.send_input("a", 5, ["back"])       # same seq: a replay
    assert not r.send_input("a", 3, [])             # older: arrived late
    assert r.held("a") == (5, frozenset({"forward"}))
    assert r.send_input("a", 6, [])
    assert r.held("a") == (6, frozenset())
    assert r.stats()["stale_inputs"] == 2


@pytest.mark.parametrize("payload", [
    "not json", "[]", '{"seq": 1}', '{"seq": -1, "held": []}', '{"seq": "1", "held": []}',
    '{"seq": 1, "held": "forward"}', '{"seq": 1, "held": ["fly"]}', '{"seq": 1, "held": [1]}',
    '{"seq": true, "held": []}', '{"seq": 1, "held": [], "ack": "x"}', "x" * 5000,
    '{"seq": 1, "held": [], "look": [0.1]}', '{"seq": 1, "held": [], "look": ["a", 0]}',
    '{"seq": 1, "held": [], "look": [1e999, 0]}', '{"seq": 1, "held": [], "look": {"yaw": 1}}',
    '{"seq": 1, "held": [], "look": [50, 0]}', '{"seq": 1, "held": [], "look": [true, 0]}',
])
def test_malformed_key_payloads_raise_clear_errors_and_keep_state(payload):
    r = runner()
    r.open("a")
    r.send_input("a", 0, ["forward"])
    with pytest.raises(InputError) as e:
        r.send_payload("a", payload)
    assert len(str(e.value)) < 200 and str(e.value)
    assert r.held("a") == (0, frozenset({"forward"}))
    next(r.frames("a"))   # still running


def test_commands_are_bounded_and_logged():
    r = runner(max_command_chars=500)
    r.open("a")
    out = r.command("a", "make it rain")
    assert out["reply"] == "ok: make it rain" and out["edits"][0]["op"] == "weather"
    with pytest.raises(InputError, match="1,000,000 characters; the limit is 500"):
        r.command("a", "x" * 1_000_000)
    with pytest.raises(InputError):
        r.command("a", "   ")
    assert r.log("a") == [("you", "make it rain"), ("world", "ok: make it rain")]


def test_seat_cap_line_position_and_promotion():
    r = runner(max_players=1, max_waiting=2)
    assert r.open("a")["status"] == "active"
    b, c = r.open("b"), r.open("c")
    assert (b["status"], b["position"], c["position"]) == ("waiting", 1, 2)
    assert "you are number 2 in line" in c["message"]
    with pytest.raises(RunnerFull, match="try again"):
        r.open("d")
    p = next(r.frames("c"))
    assert "number 2 in line" in p["message"] and p["url"].startswith("data:image/jpeg")
    with pytest.raises(InputError, match="in line"):
        r.command("b", "make it rain")
    r.close("a")
    assert r.stats()["sessions_active"] == 1
    p = next(r.frames("b"))   # b got the seat: a world frame (fid 1), not another place-in-line frame
    assert p["frame_id"] == 1 and "message" not in p and r.open("c")["position"] == 1


def test_idle_timeout_ends_visit_inside_loop():
    r = runner(idle_timeout_s=0.3)
    r.open("a")
    gen = r.frames("a")
    next(gen)
    time.sleep(0.35)
    last = None
    for p in gen:
        last = p
    assert last["done"] and "without input" in last["message"]
    assert r.session_ids() == [] and FakeSession.instances[-1].closed
    with pytest.raises(UnknownSession):
        r.send_input("a", 1, [])


def test_input_keeps_idle_timeout_away():
    r = runner(idle_timeout_s=0.3)
    r.open("a")
    gen = r.frames("a")
    for i in range(20):  # ~0.66 s of play with a key change every frame
        r.send_input("a", i, ["forward"] if i % 2 else [])
        assert "done" not in next(gen)


def test_visit_limit_ends_visit():
    r = runner(max_visit_s=0.2)
    r.open("a")
    gen = r.frames("a")
    t0 = time.monotonic()
    packets = list(gen)
    assert packets[-1]["done"] and "at most" in packets[-1]["message"]
    assert time.monotonic() - t0 < 1.0


def test_headless_sessions_are_reaped_when_idle():
    r = runner(idle_timeout_s=0.1)
    r.open("api-x")
    time.sleep(0.15)
    assert r.stats()["sessions_active"] == 0 and r.stats()["closed"] == {"idle": 1}


def test_bad_share_code_opens_fresh_world_with_warning():
    r = runner()
    info = r.open("a", seed=3, share_code="garbage")
    assert info["status"] == "active" and "could not be opened" in info["warning"]
    assert r.snapshot("a") == "seed3"
    assert r.open("b", share_code="seed9")["warning"] == "" and r.snapshot("b") == "seed9"


def test_step_once_for_scripts():
    r = runner()
    r.open("api-a")
    out = r.step_once("api-a", ["forward", "sprint"], steps=5)
    assert out["state"]["biome"] == "forest" and out["frame"].startswith("data:image/jpeg")
    assert FakeSession.instances[-1].steps == 5
    with pytest.raises(InputError):
        r.step_once("api-a", ["forward"], steps=10_000)


def test_adapter_degrades_under_backlog_and_recovers():
    a = Adapter()
    assert a.update(backlog=20, late=False, max_backlog=12, now=10.0) == 1
    assert a.update(backlog=20, late=False, max_backlog=12, now=10.1) == 1   # rate-limited
    assert a.update(backlog=20, late=False, max_backlog=12, now=10.7) == 2
    assert a.update(backlog=0, late=False, max_backlog=12, now=12.0) == 2    # not calm long enough
    assert a.update(backlog=0, late=False, max_backlog=12, now=14.0) == 1
    q, scale = a.settings(80)
    assert q == 70 and scale == 1.0


def test_metrics_dict_has_the_counters():
    r = runner()
    r.open("web-secret-id")
    take(r.frames("web-secret-id"), 5)
    m = r.stats()
    for k in ("sessions_active", "sessions_waiting", "fps_mean", "frame_ms_p50", "frame_ms_p99", "frames_dropped",
              "frames_sent", "per_session", "rss_mb"):
        assert k in m, k
    assert m["frames_sent"] == 5 and "secret" not in str(m)


def test_config_from_env(monkeypatch):
    monkeypatch.setenv("OYSTER_MAX_PLAYERS", "3")
    assert ServeConfig.from_env().max_players == 3
    monkeypatch.setenv("OYSTER_FPS", "fast")
    with pytest.raises(ValueError, match="OYSTER_FPS"):
        ServeConfig.from_env()


def test_real_session_streams_frames():
    """The Runner drives the real oyster.Session (small frames to keep it quick)."""
    r = Runner(ServeConfig.from_env(width=160, height=90))
    r.open("a", seed=5)
    gen = r.frames("a")
    packets = take(gen, 3)
    meta, jpeg = parse_data_url(packets[-1]["url"])
    assert meta["fid"] == 3 and jpeg[:2] == b"\xff\xd8"
    r.shutdown()


def test_lagging_browser_is_throttled_then_recovers():
    """A browser that shows frames late gets fewer frames (not a growing queue); catching up restores the rate."""
    r = runner(fps=60.0)
    r.open("a")
    gen = r.frames("a")
    take(gen, 3)
    time.sleep(0.5)
    r.send_input("a", 1, [], ack=1, age_ms=0.0)     # frame 1 took ~0.5 s to show: 30 frames behind
    t0 = time.monotonic()
    take(gen, 4)
    assert time.monotonic() - t0 > 0.5, "a lagging browser must be throttled"
    newest = next(gen)["frame_id"]
    r.send_input("a", 2, [], ack=newest, age_ms=0.0)  # caught up
    t0 = time.monotonic()
    take(gen, 12)
    assert time.monotonic() - t0 < 0.5


def test_silent_browser_still_gets_keepalive_frames():
    """Regression: when acks stopped, the stream used to stop sending for good (no frames, so no new acks)."""
    r = runner(fps=60.0)
    r.open("a")
    gen = r.frames("a")
    take(gen, 2)
    r.send_input("a", 1, [], ack=2, age_ms=0.0)
    t0 = time.monotonic()
    while time.monotonic() - t0 < 2.0:      # acks stop: after 1.5 s of silence frames are throttled...
        next(gen)
    t1 = time.monotonic()
    n = len(take(gen, 3))                   # ...but keep coming, about 4 a second
    assert n == 3 and time.monotonic() - t1 < 1.5


def test_a_failing_world_ends_its_visit_with_a_message():
    r = runner()
    r.open("a")
    r.open("b")
    gen = r.frames("a")
    next(gen)
    FakeSession.instances[-2].step = lambda held, dt: 1 / 0
    last = list(gen)[-1]
    assert last["done"] and "error" in last["message"] and r.session_ids() == ["b"]
    p = next(r.frames("b"))     # the other visitor plays on
    assert p["frame_id"] == 1 and "done" not in p and "message" not in p


def test_key_change_wakes_the_loop_early():
    """The frame after a key change is rendered at once, not at the next deadline (half the period saved)."""
    r = runner(fps=5.0)        # 200 ms period makes the difference obvious
    r.open("a")
    gen = r.frames("a")
    take(gen, 2)
    time.sleep(0.12)           # > half a period after the last frame
    r.send_input("a", 1, ["forward"])
    t0 = time.monotonic()
    p = next(gen)
    assert p["seq"] == 1 and time.monotonic() - t0 < 0.05


def test_look_deltas_add_up_between_frames_and_apply_once():
    r = runner()
    r.open("a")
    gen = r.frames("a")
    next(gen)
    fake = FakeSession.instances[-1]
    assert r.send_payload("a", '{"seq": 1, "held": ["forward"], "look": [0.1, 0.02]}')
    assert r.send_input("a", 2, ["forward"], look=[0.05, -0.04])
    assert not r.send_input("a", 2, ["forward"], look=[9.0, 0.0])       # a replayed seq: its look is dropped
    next(gen)
    assert fake.looks[-1] == pytest.approx((0.15, -0.02))
    next(gen)
    assert fake.looks[-1] is None                                         # consumed by one frame
    with pytest.raises(InputError, match="look"):
        r.send_input("a", 3, [], look=[float("nan"), 0.0])
    assert r.held("a") == (2, frozenset({"forward"}))                    # the bad message changed nothing
    assert r.send_input("a", 3, [], look=[0.9, 0.0]) and r.send_input("a", 4, [], look=[0.9, 0.0])
    next(gen)
    assert fake.looks[-1] == pytest.approx((1.0, 0.0))                   # clipped to what one step applies


def test_step_once_takes_a_look():
    r = runner()
    r.open("api-a")
    r.step_once("api-a", [], steps=3, look=[0.2, 0.1])
    assert FakeSession.instances[-1].looks[-3:] == [(0.2, 0.1), None, None]
    with pytest.raises(InputError, match="look"):
        r.step_once("api-a", [], look=[0.2])


def test_render_size_drops_to_half_at_the_last_level_under_cpu_pressure():
    a = Adapter()
    assert a.render_size(640, 360) == (640, 360)
    a.level = 3
    assert a.render_size(640, 360) == (320, 180) and a.settings(80)[1] == 1.0
    r = runner(fps=30.0)
    r.open("a")
    FakeSession.step_s = 0.08                       # every frame is late: the adapter walks down its ladder
    gen = r.frames("a")
    fake = FakeSession.instances[-1]
    for _ in range(60):
        meta, jpeg = parse_data_url(next(gen)["url"])
        if (fake.width, fake.height) == (32, 18):
            break
    assert (fake.width, fake.height) == (32, 18)
    frame = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
    assert frame.shape[:2] in ((18, 32), (36, 64))  # the frame that noticed, or the first small one
    FakeSession.step_s = 0.0
    r.shutdown()
