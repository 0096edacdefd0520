"""Analog look (Session.step look=...) and Session.resize: amounts, clamps, validation, determinism, share codes."""
import math

import numpy as np
import pytest

from oyster import Session
from oyster.session import MAX_LOOK
from oyster.world.physics import CONFIG
from oyster.world.state import wrap_angle

W, H = 96, 54


@pytest.fixture(scope="module")
def s():
    with Session(seed=3, width=W, height=H) as s:
        s.step(set(), 1 / 30)
        yield s


def _pose(s):
    p = s.state()["player"]
    return p["yaw"], p["pitch"]


def test_look_turns_by_the_given_radians_on_the_next_tick(s):
    yaw0, pitch0 = _pose(s)
    s.step(set(), 1 / 30, look=(0.3, -0.2))
    yaw1, pitch1 = _pose(s)
    assert yaw1 == pytest.approx(wrap_angle(yaw0 + 0.3), abs=1e-9)
    assert pitch1 == pytest.approx(pitch0 - 0.2, abs=1e-9)


def test_look_waits_for_a_tick_when_dt_runs_none(s):
    yaw0, _ = _pose(s)
    s.step(set(), 0.0, look=(0.1, 0.0))
    assert _pose(s)[0] == pytest.approx(yaw0)          # no fixed step ran yet
    s.step(set(), 1 / 30)
    assert _pose(s)[0] == pytest.approx(wrap_angle(yaw0 + 0.1), abs=1e-9)


def test_pitch_is_clamped_and_each_call_is_clipped(s):
    s.step(set(), 1 / 30, look=(0.0, 0.9))
    s.step(set(), 1 / 30, look=(0.0, 0.9))
    assert _pose(s)[1] == pytest.approx(CONFIG.max_pitch)
    yaw0, _ = _pose(s)
    s.step(set(), 1 / 30, look=(50.0, -0.9))           # a wild flick is clipped to MAX_LOOK
    assert _pose(s)[0] == pytest.approx(wrap_angle(yaw0 + MAX_LOOK), abs=1e-9)


@pytest.mark.parametrize("look", [(math.nan, 0.0), (0.0, math.inf), (1.0,), (1, 2, 3), "ab", {"x": 1}, (True, 0),
                                  ("0.1", 0.0), 5.0])
def test_bad_look_is_rejected_and_changes_nothing(s, look):
    before = s.state()
    with pytest.raises(ValueError, match="look"):
        s.step(set(), 1 / 30, look=look)
    assert s.state() == before


def test_look_is_deterministic_and_share_codes_keep_it():
    a, b = Session(seed=5, width=W, height=H), Session(seed=5, width=W, height=H)
    try:
        for k in range(20):
            look = (0.02 * math.sin(k), 0.01 * math.cos(k))
            assert np.array_equal(a.step({"forward"}, 1 / 30, look), b.step({"forward"}, 1 / 30, look))
        assert a.state() == b.state()
        a.step(set(), 0.0, look=(0.25, 0.1))            # pending: not applied by a tick yet
        with Session.from_share_code(a.share_code(), width=W, height=H) as c:
            a.step({"forward"}, 1 / 30)
            c.step({"forward"}, 1 / 30)
            assert c.state()["player"] == a.state()["player"]
    finally:
        a.close()
        b.close()


def test_resize_changes_frames_not_the_world():
    with Session(seed=2, width=W, height=H) as s:
        s.step(set(), 1 / 30)
        before = s.state()
        s.resize(64, 36)
        assert s.frame().shape == (36, 64, 3)
        assert s.step(set(), 0.0).shape == (36, 64, 3)
        assert s.state() == before
        for bad in ((0, 36), (64, 5000), (64.0, 36), ("64", 36), (True, 36)):
            with pytest.raises(ValueError):
                s.resize(*bad)
        assert s.frame().shape == (36, 64, 3)
        s.resize(W, H)
        with Session(seed=2, width=W, height=H) as fresh:
            fresh.step(set(), 1 / 30)
            assert np.array_equal(s.frame(), fresh.frame())
