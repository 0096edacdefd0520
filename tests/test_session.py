"""The headless Session API: frames, determinism, validation, commands, state, share codes, what frames show."""
import itertools
import json
import math

import numpy as np
import pytest

from oyster import CommandResult, Session
from oyster.session import HELD_INPUTS

W, H = 160, 90


@pytest.fixture(scope="module")
def base():
    """A session standing still at noon with the clock stopped, a villager 5 m ahead."""
    s = Session(seed=4, width=W, height=H)
    s.apply({"op": "time", "hour": 12.0, "speed": 0.0})
    p = s.state()["player"]
    s.apply({"op": "spawn", "kind": "villager", "x": p["x"] + 5.0 * math.cos(p["yaw"]),
             "y": p["y"] + 5.0 * math.sin(p["yaw"])})
    s.step(frozenset(), 1 / 30)
    yield s
    s.close()


def test_step_returns_an_rgb_frame_that_the_caller_owns(base):
    f = base.step(frozenset(), 1 / 30)
    assert f.shape == (H, W, 3) and f.dtype == np.uint8 and f.flags.c_contiguous
    g = base.step({"turn_left"}, 0.2)
    assert not np.array_equal(f, g)
    f[:] = 0
    assert g.any()                                   # a later step did not reuse the array we were given


def test_same_seed_and_inputs_give_identical_frames():
    a, b = Session(seed=9, width=W, height=H), Session(seed=9, width=W, height=H)
    try:
        inputs = [({"forward", "sprint"}, 1 / 30), ({"turn_left", "jump"}, 1 / 20), ({"look_up"}, 1 / 60),
                  ({"right"}, 1 / 30), (set(), 0.0)] * 12
        a.apply({"op": "weather", "kind": "storm"})
        b.apply({"op": "weather", "kind": "storm"})
        for held, dt in inputs:
            assert np.array_equal(a.step(held, dt), b.step(held, dt))
        assert a.state() == b.state()
        c = Session(seed=10, width=W, height=H)
        assert not np.array_equal(c.step(set(), 1 / 30), a.step(set(), 1 / 30))
        c.close()
    finally:
        a.close()
        b.close()


@pytest.mark.parametrize("held", [{"fly"}, {"forward", "up"}, ["Forward"], {3}])
def test_unknown_held_inputs_are_rejected(base, held):
    with pytest.raises(ValueError, match="held input"):
        base.step(held, 1 / 30)


@pytest.mark.parametrize("dt", [-0.1, float("nan"), "fast", None])
def test_bad_dt_is_rejected(base, dt):
    with pytest.raises(ValueError):
        base.step(set(), dt)


@pytest.mark.parametrize("args", [dict(width=0), dict(height=10**6), dict(seed="x"), dict(prompt=5)])
def test_bad_construction_is_rejected(args):
    with pytest.raises(ValueError):
        Session(**{"seed": 1, "width": W, "height": H, **args})


def test_all_held_inputs_are_accepted(base):
    f = base.step(HELD_INPUTS, 1 / 60)
    assert f.shape == (H, W, 3) and f.dtype == np.uint8


def test_state_is_json_and_has_the_contract_fields(base):
    st = base.state()
    json.dumps(st)
    assert {"x", "y", "z", "yaw", "pitch", "on_ground"} <= set(st["player"])
    assert {"hour", "speed"} <= set(st["clock"]) and {"kind", "intensity"} <= set(st["weather"])
    assert isinstance(st["gravity"], float) and isinstance(st["biome"], str) and isinstance(st["events"], list)
    ents = st["entities"]
    assert ents and {"id", "kind", "x", "y", "radius", "action", "distance"} <= set(ents[0])
    assert [e["distance"] for e in ents] == sorted(e["distance"] for e in ents)


def test_render_from_draws_any_camera_and_changes_nothing(base):
    code, st = base.share_code(), base.state()
    here = base.frame()
    p = st["player"]
    away = base.render_from(p["x"] + 600.0, p["y"], p["z"] + 80.0, p["yaw"] + 2.0, -0.3)
    assert away.shape == (H, W, 3) and not np.array_equal(away, here)
    assert base.share_code() == code and base.state() == st
    assert np.array_equal(base.frame(), here)


def test_command_applies_direct_mode_edits_and_reports(base):
    r = base.command("make it snow")
    assert isinstance(r, CommandResult) and isinstance(r.reply, str) and r.reply
    assert r.edits, "Direct mode must turn this command into an edit"
    assert base.state()["weather"]["kind"] == "snow"
    base.apply({"op": "undo"})
    with pytest.raises(ValueError):
        base.command(None)


def test_prompt_edits_are_logged_and_replayed():
    s = Session(seed=2, prompt="a snowy night", width=W, height=H)
    try:
        st = s.state()
        assert s.world.log, "the prompt's weather and time must be logged as edits"
        assert st["weather"]["kind"] == "snow" and (st["clock"]["hour"] >= 19 or st["clock"]["hour"] < 5)
        twin = Session.from_share_code(s.share_code(), width=W, height=H)
        assert twin.state() == st and twin.prompt == "a snowy night"
        assert np.array_equal(twin.frame(), s.frame())
        twin.close()
    finally:
        s.close()


def _twins(base: Session, edits: list) -> dict:
    """For each edit: a copy of `base` (via its share code) with the edit applied, all stepped 1.5 s alike."""
    code = base.share_code()
    frames = {}
    for name, e in edits:
        t = Session.from_share_code(code, width=W, height=H)
        if e is not None:
            t.apply(e)
        for _ in range(45):
            f = t.step(frozenset(), 1 / 30)
        frames[name] = f
        t.close()
    return frames


def test_every_weather_kind_shows_in_the_frame(base):
    kinds = [("clear", None)] + [(k, {"op": "weather", "kind": k, "intensity": 1.0})
                                 for k in ("rain", "snow", "fog", "storm")]
    frames = _twins(base, kinds)
    for (a, fa), (b, fb) in itertools.combinations(frames.items(), 2):
        diff = np.abs(fa.astype(int) - fb.astype(int)).mean()
        assert diff > 1.0, f"{a} and {b} look the same"


def test_every_character_action_shows_in_the_frame(base):
    villager = f"s{base.world.entities.counter}"
    actions = [(a, {"op": "character", "action": a, "target": villager})
               for a in ("idle", "walk", "wave", "dance", "sit", "jump", "follow")]
    frames = _twins(base, actions)
    for (a, fa), (b, fb) in itertools.combinations(frames.items(), 2):
        assert not np.array_equal(fa, fb), f"{a} and {b} look the same"
