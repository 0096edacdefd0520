"""Frame quality per visitor: SD, HD and auto (HD while there is room, SD under load), through the Runner."""
import cv2
import numpy as np
import pytest

from oyster.serve import InputError, Runner, ServeConfig
from oyster.serve.encode import parse_data_url
from oyster.serve.quality import AUTO_SD_HOLD_S, QualityChoice
from tests.test_serve import FakeSession


def runner(**kw) -> Runner:
    FakeSession.step_s = 0.0
    cfg = {"width": 64, "height": 36, "hd_width": 128, "hd_height": 72, "fps": 60.0} | kw
    return Runner(ServeConfig.from_env(**cfg), session_factory=FakeSession)


def frame_size(packet: dict) -> tuple[int, int]:
    img = cv2.imdecode(np.frombuffer(parse_data_url(packet["url"])[1], np.uint8), cv2.IMREAD_COLOR)
    return img.shape[1], img.shape[0]


def test_switching_quality_changes_the_streamed_frame_size():
    r = runner()
    r.open("a", seed=1)
    frames = r.frames("a")
    assert frame_size(next(frames)) == (64, 36)
    assert r.set_quality("a", "HD") == {"quality": "hd", "width": 128, "height": 72}
    assert frame_size(next(frames)) == (128, 72)
    r.set_quality("a", "sd")
    assert frame_size(next(frames)) == (64, 36)
    r.close("a")


def test_unknown_quality_is_refused_and_changes_nothing():
    r = runner()
    r.open("a", seed=1)
    r.set_quality("a", "hd")
    for bad in ("4k", "", None, 3):
        with pytest.raises(InputError, match="quality must be one of"):
            r.set_quality("a", bad)
    assert frame_size(next(r.frames("a"))) == (128, 72)
    r.close("a")


def test_auto_is_hd_while_there_is_room_and_sd_for_a_crowd():
    r = runner(hd_max_players=2, max_players=4)
    for sid in "abc":
        r.open(sid, seed=1)
        r.set_quality(sid, "auto")
    assert frame_size(next(r.frames("a"))) == (64, 36)        # three play, room for two in HD
    r.close("c")
    assert frame_size(next(r.frames("a"))) == (128, 72)
    r.shutdown()


def test_auto_falls_back_under_load_and_holds_sd_for_a_while():
    q = QualityChoice("auto")
    assert q.wants_hd(active=1, hd_room=2, trouble=False, now=100.0)
    assert not q.wants_hd(active=1, hd_room=2, trouble=True, now=101.0)           # frames ran late
    assert not q.wants_hd(active=1, hd_room=2, trouble=False, now=101.0 + AUTO_SD_HOLD_S - 1)
    assert q.wants_hd(active=1, hd_room=2, trouble=False, now=101.0 + AUTO_SD_HOLD_S + 0.1)
    assert QualityChoice("hd").wants_hd(active=9, hd_room=2, trouble=True, now=0.0)   # asked for: kept


def test_headless_steps_follow_the_quality():
    r = runner()
    r.open("api-x", seed=1)
    r.set_quality("api-x", "hd")
    out = r.step_once("api-x", ["forward"], steps=2)
    img = cv2.imdecode(np.frombuffer(parse_data_url(out["frame"])[1], np.uint8), cv2.IMREAD_COLOR)
    assert img.shape[:2] == (72, 128)
    r.close("api-x")


def test_bad_config_quality_is_refused():
    with pytest.raises(ValueError, match="quality"):
        ServeConfig.from_env(page_quality="ultra")
