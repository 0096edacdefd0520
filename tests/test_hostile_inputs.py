"""Hostile visitors at every entry point: any input gives a result or a clear error, a failed open keeps no seat,
per-client limits say when to come back, and a page's world is reachable only from that page."""
import base64
import json
import logging
import types
import zlib

import numpy as np
import pytest

from oyster import Session
from oyster.app.handlers import Handlers
from oyster.limits import MAX_FRAMES_PER_CALL, InputError, visitor_seed, whole_number
from oyster.serve import Runner, RunnerFull, ServeConfig
from oyster.serve.checks import RateLimited
from oyster.serve.metrics import memory_mb
from oyster.serve.ratelimit import Rate, RateLimits
from oyster.waitlist import Waitlist

NESTED_CODE = base64.urlsafe_b64encode(zlib.compress(b"[" * 100000 + b"]" * 100000, 9)).decode().rstrip("=")


class Tiny:
    """A Session stand-in (fast): frames are flat, share codes go through the real decoder."""

    def __init__(self, seed=0, prompt="", width=64, height=36):
        self.seed, self.prompt, self.width, self.height = seed, prompt, width, height
        self.prompt_reply = ""

    def step(self, held=frozenset(), dt=1 / 30, look=None):
        return np.zeros((self.height, self.width, 3), np.uint8)

    def resize(self, width, height):
        self.width, self.height = width, height

    def state(self):
        return {"seed": self.seed}

    def command(self, text):
        return types.SimpleNamespace(reply="ok", edits=[])

    def share_code(self):
        return ""

    @classmethod
    def from_share_code(cls, code, width=64, height=36):
        return Session.from_share_code(code, width, height)   # the real decoder, which the attack targets

    def close(self):
        pass


class Exploding(Tiny):
    def __init__(self, *a, **k):
        raise RecursionError("maximum recursion depth exceeded")


def runner(factory=Tiny, **kw) -> Runner:
    return Runner(ServeConfig.from_env(**({"width": 64, "height": 36, "max_players": 8} | kw)), factory)


def request(session_hash="h1", host="10.0.0.1", **query):
    return types.SimpleNamespace(session_hash=session_hash, query_params=query, headers={},
                                 client=types.SimpleNamespace(host=host))


# ---------------------------------------------------------------------------------------------- unhandled errors
def test_headless_step_with_a_number_for_held_is_a_value_error_not_a_type_error():
    with Session(seed=1, width=32, height=18) as s:
        for bad in (42, "forward", {"forward": 1}, [["forward"]], 1.5):
            with pytest.raises(ValueError, match="held"):
                s.step(held=bad)


@pytest.mark.parametrize("steps", ["abc", 1.5, None, [3], float("inf"), float("nan"), "٣", 10**30, True])
def test_step_with_steps_that_are_not_a_whole_number_is_a_clear_error(steps):
    """Attack: `/step` with a non-integer `steps` raised outside the guard (HTTP 500)."""
    r = runner()
    r.open("api-a")
    with pytest.raises(InputError, match="steps"):
        r.step_once("api-a", [], steps=steps)
    assert r.step_once("api-a", [], steps="3")["frame_id"] == 1        # digits as text are fine


def test_frames_per_call_are_capped():
    r = runner()
    r.open("api-a")
    with pytest.raises(InputError, match=f"steps must be within 1 .. {MAX_FRAMES_PER_CALL}"):
        r.step_once("api-a", [], steps=300)


@pytest.mark.parametrize("seed", [float("inf"), float("-inf"), float("nan"), 1e300, "1e5", "٣", "²", " 12x", -1,
                                  2**31, [], {}])
def test_new_session_with_a_bad_seed_is_a_clear_error(seed):
    """Attack: `/new_session` with an infinite seed raised OverflowError."""
    r = runner()
    with pytest.raises(InputError, match="seed"):
        r.open("api-a", seed=seed)
    assert r.session_ids() == []


def test_unicode_digit_seed_in_the_page_link_is_ignored_with_a_note():
    """Attack: `?seed=٣` passed str.isdigit() and broke int() in the page load."""
    h = Handlers(runner(), Waitlist.__new__(Waitlist))
    for raw in ("٣", "²", "１２", "99999999999999999999", "-5"):
        log, status, seed, _ = h.on_load(request(session_hash=f"h-{raw}", host=f"h-{raw}", seed=raw))
        assert seed == 0 and "Ignored ?seed=" in status
    assert visitor_seed("42") == 42


def test_deeply_nested_key_message_is_a_clear_error():
    """Attack: a deeply nested key message raised RecursionError (HTTP 500)."""
    r = runner()
    r.open("a")
    for payload in ("[" * 1020 + "]" * 1020, '{"a":' * 400 + "1" + "}" * 400):
        with pytest.raises(InputError):
            r.send_payload("a", payload)
    assert r.send_payload("a", '{"seq": 1, "held": ["forward"]}')


def test_whole_number_never_raises_anything_but_input_error():
    class Weird:
        def __repr__(self):
            raise RuntimeError("no repr")
    for v in (Weird(), object(), b"12", 1j, np.float32("inf"), np.int64(5), "+7", "0x10"):
        try:
            whole_number(v, "n", 0, 10)
        except InputError:
            pass


# ---------------------------------------------------------------------------------------------- seats
def test_nested_share_codes_never_keep_seats():
    """Attack: nine 110-character nested codes took every seat for five minutes."""
    r = runner(max_players=2, max_waiting=0)
    for k in range(9):
        info = r.open(f"api-{k}", share_code=NESTED_CODE)
        assert "could not be opened" in info["warning"]
        r.close(f"api-{k}")
    assert r.session_ids() == [] and r.stats()["sessions_active"] == 0


def test_a_world_that_fails_to_build_keeps_no_seat():
    r = runner(Exploding, max_players=1, max_waiting=0)
    for k in range(3):
        with pytest.raises(InputError, match="could not be opened"):
            r.open(f"api-{k}")
    assert r.session_ids() == []


def test_one_client_cannot_hold_every_seat():
    r = runner(max_players=8, max_seats_per_client=3, opens_burst=100.0)
    for k in range(3):
        r.open(f"api-{k}", client="10.0.0.9")
    with pytest.raises(RateLimited, match="already hold 3 worlds"):
        r.open("api-x", client="10.0.0.9")
    assert r.open("api-y", client="10.0.0.10")["status"] == "active"   # others still get a seat
    r.close("api-0")
    assert r.open("api-z", client="10.0.0.9")["status"] == "active"


def test_full_runner_still_refuses_honestly():
    r = runner(max_players=1, max_waiting=0)
    r.open("a")
    with pytest.raises(RunnerFull, match="try again"):
        r.open("b")


# ---------------------------------------------------------------------------------------------- rates
def test_rate_limit_says_when_to_try_again():
    now = [0.0]
    rl = RateLimits({"command": Rate(2, 0.5)}, clock=lambda: now[0])
    rl.take("command", "c1")
    rl.take("command", "c1")
    with pytest.raises(RateLimited, match=r"slow down: try again in 2 s"):
        rl.take("command", "c1")
    rl.take("command", "c2")                          # another client has its own budget
    now[0] = 2.0
    rl.take("command", "c1")


def test_command_flood_from_one_client_is_slowed(caplog):
    r = runner(commands_burst=3.0, commands_per_min=6.0)
    r.open("a", client="10.0.0.7")
    for _ in range(3):
        r.command("a", "make it rain")
    with caplog.at_level(logging.WARNING, logger="oyster.refused"):
        with pytest.raises(RateLimited, match="slow down: try again in"):
            r.command("a", "make it rain")
    assert [rec.getMessage() for rec in caplog.records] == \
        ["refused command from 10.0.0.7: slow down: try again in 10 s"]     # one log line per refused request


def test_frames_flood_from_one_client_is_slowed():
    r = runner(frames_burst=60.0, frames_per_s=30.0)
    r.open("api-a", client="10.0.0.7")
    r.step_once("api-a", [], steps=60)
    with pytest.raises(RateLimited, match="try again"):
        r.step_once("api-a", [], steps=60)


def test_signups_are_limited_per_client(tmp_path):
    """Attack: 106 sign-ups in 10 s from one client."""
    import gradio as gr
    h = Handlers(runner(signups_burst=3.0, signups_per_hour=10.0), Waitlist(tmp_path / "w.db"))
    for k in range(3):
        h.on_waitlist(f"x{k}@example.com", "", "", request(host="10.0.0.5"))
    with pytest.raises(gr.Error, match="slow down"):
        h.on_waitlist("x9@example.com", "", "", request(host="10.0.0.5"))
    h.on_waitlist("y@example.com", "", "", request(host="10.0.0.6"))
    assert h.waitlist.count() == 4


# ---------------------------------------------------------------------------------------------- ownership
def test_page_world_ids_are_server_secrets_not_the_session_hash():
    r = runner()
    h = Handlers(r, Waitlist.__new__(Waitlist))
    h.on_load(request(session_hash="victim"))
    sid = h.web_id(request(session_hash="victim"))
    assert sid.startswith("web-") and "victim" not in sid and len(sid) > 20
    assert sid in r.session_ids()
    assert h.web_id(request(session_hash="attacker")) == ""            # never loaded: no world to reach


def test_calls_without_a_loaded_page_share_no_fallback_world():
    """Attack: page functions called without a session all drove one shared world."""
    r = runner()
    h = Handlers(r, Waitlist.__new__(Waitlist))
    for sh in (None, "", "never-loaded"):
        _, _, status = h.on_command("make it rain", request(session_hash=sh))
        assert "closed" in str(status) or "No open session" in str(status)
        h.on_keys('{"seq": 1, "held": ["forward"]}', request(session_hash=sh))
    assert r.session_ids() == []


def test_reloading_a_page_replaces_its_world_and_frees_the_old_seat():
    r = runner()
    h = Handlers(r, Waitlist.__new__(Waitlist))
    h.on_load(request(session_hash="p"))
    first = h.web_id(request(session_hash="p"))
    h.on_load(request(session_hash="p"))
    assert h.web_id(request(session_hash="p")) != first and len(r.session_ids()) == 1
    h.on_unload(request(session_hash="p"))
    assert r.session_ids() == []


# ---------------------------------------------------------------------------------------------- metrics
def test_metrics_report_current_and_peak_rss():
    m = memory_mb()
    assert 0 < m["rss_mb"] <= m["rss_peak_mb"]
    big = np.ones(256 * 2**20 // 8)                      # 256 MB touched, then returned (margin for other threads)
    grown = memory_mb()["rss_mb"]
    del big
    after = memory_mb()
    assert after["rss_mb"] < grown - 128 and after["rss_peak_mb"] >= grown - 1
    stats = runner().stats()
    assert {"rss_mb", "rss_peak_mb"} <= set(stats)


def test_share_code_json_is_never_unhandled():
    for code in (NESTED_CODE, "A" * 10, "=" * 5, "", "é", json.dumps({"v": 1})):
        with pytest.raises(ValueError):
            Session.from_share_code(code, 32, 18)


# ---------------------------------------------------------------------------------------------- memory
def test_closing_a_visit_releases_its_world():
    """Per-session memory returns on close: nothing keeps the closed world (and its eruption) alive."""
    import gc
    import weakref
    r = Runner(ServeConfig.from_env(width=48, height=27))
    r.open("api-m", seed=4)
    r.step_once("api-m", ["forward"], steps=2)
    r.command("api-m", "erupt the volcano")
    r.step_once("api-m", [], steps=3)
    slot = r._slots["api-m"]
    world = weakref.ref(slot.session.world)
    eruption = weakref.ref(slot.session.world.eruptions[-1])
    del slot
    r.close("api-m")
    gc.collect()
    assert world() is None and eruption() is None
