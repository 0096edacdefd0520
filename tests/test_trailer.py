"""Trailer: prompt -> plan -> world state, the MP4 itself, stepping into the share code, and the refusals."""
import math

import av
import numpy as np
import pytest

from oyster import Session
from oyster.trailer import check_length, make_trailer, plan_world
from oyster.trailer.camera import Poi, Pose, build_path
from oyster.trailer.video import setup_world
from oyster.world.state import EYE_HEIGHT


def _state_after(prompt: str) -> tuple[dict, object]:
    plan = plan_world(prompt)
    s, where, _, _ = setup_world(plan, 160, 90)
    try:
        return s.state(), where
    finally:
        s.close()


def test_prompt_sets_weather_time_and_biome():
    st, _ = _state_after("misty pine forest at dawn")
    assert st["weather"]["kind"] == "fog"
    assert 4.5 <= st["clock"]["hour"] <= 8.0
    assert st["biome"] == "forest"
    st, _ = _state_after("desert canyon during a thunderstorm")
    assert st["weather"]["kind"] == "storm"
    assert st["biome"] == "desert"


def test_volcano_prompt_lands_facing_the_volcano_at_sunset():
    st, where = _state_after("a snowy volcanic island at sunset")
    assert where.recipe.terrain.islands > 0 and where.recipe.terrain.volcano
    assert where.recipe.ground.season == "winter" and st["weather"]["kind"] == "clear"   # snow lies, not falls
    assert 16.5 <= st["clock"]["hour"] <= 21.0
    main, p = where.pois[0], st["player"]
    assert main.name == "volcano"
    assert 150 < math.dist((p["x"], p["y"]), (main.x, main.y)) < 400
    facing = math.atan2(main.y - p["y"], main.x - p["x"])
    assert abs((p["yaw"] - facing + math.pi) % (2 * math.pi) - math.pi) < 0.05


def test_prompt_reports_what_it_did_not_understand():
    plan = plan_world("blorp lake with heavy rain")
    assert plan.biome == "lake"
    assert plan.weather["kind"] == "rain"
    assert "blorp" in " ".join(plan.not_understood)
    assert "Not understood" in plan.summary()


def test_prompt_reads_every_intent_of_a_clause_and_keeps_clock_times():
    """Regressions: Direct mode read only the eruption in "erupting volcano at night", and splitting at
    prepositions must not turn "6:30 in the morning" into 8:00."""
    plan = plan_world("an erupting volcano at night")
    assert plan.eruption is not None and plan.hour == 22.0 and plan.biome == "volcano"
    assert plan_world("mountains at 6:30 in the morning").hour == 6.5
    assert not plan_world("a village by the lake at night").not_understood   # "a", "by", "the" are not edits


def test_seed_is_stable_and_explicit_seed_wins():
    assert plan_world("Misty  pine forest").seed == plan_world("misty pine FOREST").seed
    assert plan_world("misty pine forest").seed != plan_world("sunny desert").seed
    assert plan_world("misty pine forest", seed=5).seed == 5
    assert plan_world("seed 42 misty forest").seed == 42


@pytest.mark.parametrize("prompt, message", [
    ("", "empty"), ("   \n\t", "empty"), ("rain " * 100, "too long"), ("qwxzv zzkvq plarbt", "could not understand"),
    ("🙂🙂🙂", "no words"), (None, "must be text")])
def test_bad_prompts_raise_clear_errors(prompt, message):
    with pytest.raises(ValueError, match=message):
        plan_world(prompt)


@pytest.mark.parametrize("seconds", [0, 1.9, 20.5, -3, float("nan"), "ten", None])
def test_bad_lengths_raise_clear_errors(seconds, tmp_path):
    with pytest.raises(ValueError, match="between 2 and 20 seconds|number of seconds"):
        make_trailer("rain", seconds, str(tmp_path / "t.mp4"))
    assert not (tmp_path / "t.mp4").exists()


def test_user_facing_trailers_are_at_least_640x360(tmp_path):
    with pytest.raises(ValueError, match="640x360"):
        make_trailer("rain", 2, str(tmp_path / "t.mp4"), width=320, height=180)
    assert check_length(2) == 2.0 and check_length("20") == 20.0


def test_camera_path_is_smooth_stays_above_ground_and_lands_on_the_eye_pose():
    def ground(x, y):
        return 20 * math.sin(x / 40) * math.cos(y / 55) + 5
    end = Pose(30.0, -20.0, ground(30.0, -20.0) + EYE_HEIGHT, math.atan2(70.0, 170.0), 0.1)   # facing the volcano
    pois = [Poi("volcano", 200.0, 50.0, 120.0, 1.6), Poi("lake", 120.0, -150.0, 0.5)]
    cam = build_path(pois, end, ground, 10.0, 30, close=True)
    assert len(cam) == 300 and cam.pose(299) == end
    clearance = cam.z - np.array([ground(x, y) for x, y in zip(cam.x, cam.y, strict=True)])
    assert clearance.min() >= EYE_HEIGHT - 1e-6
    assert clearance[:10].max() < 6.0 and clearance[60:240].min() > 8.0     # crane up from near the ground
    assert np.diff(clearance[:60]).min() > -0.5                               # ... rising, not bobbing
    speed = np.hypot(np.diff(cam.x), np.diff(cam.y)) * 30
    assert speed.max() < 60.0 and speed[:3].max() < 5.0 and speed[-3:].max() < 5.0   # eased in and out
    turn = np.abs((np.diff(cam.yaw) + np.pi) % (2 * np.pi) - np.pi)
    assert turn.max() < 0.03                                                   # radians per frame


@pytest.fixture(scope="module")
def trailer(tmp_path_factory):
    path = str(tmp_path_factory.mktemp("trailer") / "t.mp4")
    ticks = []
    r = make_trailer("a lake at night with light rain", 2, path, progress=lambda f, desc="": ticks.append(f))
    return r, ticks


def test_mp4_decodes_with_the_right_length_size_and_rate(trailer):
    r, ticks = trailer
    with av.open(r.video_path) as c:
        v = c.streams.video[0]
        assert v.codec_context.name == "h264" and v.codec_context.pix_fmt == "yuv420p"
        assert (v.width, v.height) == (640, 360) and v.average_rate == 30
        frames = [f.to_ndarray(format="rgb24") for f in c.decode(video=0)]
    assert len(frames) == 60
    head = open(r.video_path, "rb").read()
    assert 0 < head.find(b"moov") < head.find(b"mdat")        # +faststart: browsers play before the end arrives
    mse = np.mean((frames[-1].astype(np.float64) - r.last_frame) ** 2)
    assert 10 * math.log10(255**2 / max(mse, 1e-9)) > 30     # the video ends on last_frame (lossy codec)
    assert ticks == sorted(ticks) and ticks[-1] == 1.0 and len(ticks) > 5


def test_stepping_into_the_share_code_shows_the_last_frame(trailer):
    """The shot lands at the player's own eye pose, so the world opened from the share code looks exactly like
    the trailer's last frame: from the player's eye, as the current frame, and after a first 1 ms play step."""
    r, _ = trailer
    assert r.last_frame.shape == (360, 640, 3) and r.last_frame.std() > 5    # a real picture, not a blank frame
    s = Session.from_share_code(r.share_code, width=640, height=360)
    try:
        p = s.state()["player"]
        views = [s.render_from(p["x"], p["y"], p["z"] + EYE_HEIGHT, p["yaw"], p["pitch"]), s.frame(),
                 s.step(set(), 1e-3)]
    finally:
        s.close()
    for view in views:
        diff = np.abs(view.astype(np.int16) - r.last_frame.astype(np.int16))
        assert diff.mean() < 0.5 and np.mean(diff > 8) < 0.002    # same world, same pose, same moment
