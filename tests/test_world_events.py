"""Events on the state: weather easing, snow cover, storms with seeded lightning, the clock, wandering villagers."""
import numpy as np
import pytest

from oyster.world import characters
from oyster.world.state import DT, Weather
from oyster.world.weather import lightning, step
from oyster.world.world import World


def _run(w: Weather, seconds: float, seed: int = 1, tick0: int = 0) -> list:
    levels = []
    for k in range(int(seconds / DT)):
        step(w, seed, tick0 + k)
        levels.append((w.rain, w.snow, w.fog, w.storm, w.snow_cover, lightning(w, tick0 + k)))
    return levels


def test_weather_eases_smoothly_toward_its_target():
    w = Weather(kind="rain", intensity=1.0)
    rain = np.array([lv[0] for lv in _run(w, 20.0)])
    assert np.all(np.diff(rain) > 0) and np.max(np.diff(rain)) < 0.01   # no jumps
    assert rain[60] < 0.5 < rain[-1] and rain[-1] > 0.95
    w.kind, w.intensity = "clear", 0.0
    assert _run(w, 30.0)[-1][0] < 0.01


def test_snow_cover_builds_while_snowing_and_melts_after():
    w = Weather(kind="snow", intensity=1.0)
    cover = [lv[4] for lv in _run(w, 60.0)]
    assert cover[0] == 0.0 and cover[-1] > 0.9
    w.kind = "clear"
    after = [lv[4] for lv in _run(w, 200.0)]
    assert after[1800] < cover[-1] and after[-1] == 0.0


def test_storm_lightning_is_seeded():
    a, b, c = (Weather(kind="storm", intensity=1.0) for _ in range(3))
    fa, fb, fc = _run(a, 60.0, seed=5), _run(b, 60.0, seed=5), _run(c, 60.0, seed=6)
    assert fa == fb and fa != fc
    assert a.strikes >= 4
    assert max(lv[5] for lv in fa) > 0.9
    clear = Weather()
    assert max(lv[5] for lv in _run(clear, 30.0)) == 0.0


def test_clock_runs_at_its_speed_and_wraps():
    w = World(3, background=False)
    try:
        w.apply({"op": "time", "hour": 23.5, "speed": 3600.0})      # an hour per second
        for _ in range(60):
            w.step(frozenset(), 1 / 60)
        assert w.state()["clock"]["hour"] == pytest.approx(0.5, abs=1e-6)
        w.apply({"op": "time", "hour": 12.0, "speed": 0.0})
        w.step(frozenset(), 1.0 / 4)
        assert w.state()["clock"]["hour"] == 12.0
    finally:
        w.close()


def test_villagers_wander_and_act_as_a_function_of_time():
    keys = np.array([11, 12, 13, 14, 15, 16], np.uint64)
    home = np.zeros(6)
    radius = np.full(6, 5.0)
    villager = np.ones(6, bool)
    seen = set()
    prev = None
    for t in np.arange(0.0, 200.0, 0.5):
        x, y, hd, act, ph = characters.ambient(keys, home, home, radius, villager, t)
        assert np.all(np.hypot(x, y) <= 5.0 + 1e-9)                     # they stay near home
        seen.update(act.tolist())
        if prev is not None:
            assert np.all(np.hypot(x - prev[0], y - prev[1]) < 5.0)      # no teleporting
        prev = (x, y)
    assert {0, 1, 2, 3, 4, 5}.issubset(seen)                            # idle, walk, wave, dance, sit, jump
    again = characters.ambient(keys, home, home, radius, villager, 123.25)
    once = characters.ambient(keys, home, home, radius, villager, 123.25)
    assert all(np.array_equal(a, b) for a, b in zip(again, once, strict=True))


def test_events_show_in_state():
    w = World(3, background=False)
    try:
        w.apply({"op": "weather", "kind": "storm", "intensity": 1.0})
        w.apply({"op": "eruption", "strength": 0.1})
        for _ in range(40):
            w.step(frozenset(), 0.25)
        kinds = [e["kind"] for e in w.state()["events"]]
        assert "storm" in kinds and "eruption" in kinds
    finally:
        w.close()
