"""Regressions from integration: several intents in one clause, sun hours that match the renderer, and
everyday phrasings ("make it stop", "bring back the sun"). Sentences are hand-written, not from templates."""
import math
from types import SimpleNamespace

import pytest

from oyster.direct import Interpreter, interpret
from oyster.direct.evaluate import STATES
from oyster.render.sky import sky_light

VILLAGE = STATES["village"]


def ops(text: str, state=VILLAGE) -> list[dict]:
    return interpret(text, state).edits


def test_heavy_rain_under_moon_gravity_gives_both():
    assert ops("heavy rain under moon gravity") == [{"op": "weather", "kind": "rain", "intensity": 0.9},
                                                    {"op": "gravity", "scale": 0.165}]


def test_erupting_volcano_at_night_gives_both():
    edits = ops("erupting volcano at night")
    assert [e["op"] for e in edits] == ["eruption", "time"] and edits[1]["hour"] == 22.0


def test_villagers_dance_in_the_rain_gives_both():
    edits = ops("make the villagers dance in the rain")
    assert [(e["op"], e.get("target")) for e in edits] == [("character", "v1"), ("character", "v2"),
                                                           ("weather", None)]
    assert edits[0]["action"] == "dance" and edits[2]["kind"] == "rain"


@pytest.mark.parametrize("text, want", [
    ("take me to the lake at dusk", ["teleport", "time"]),
    ("plant some cacti in the fog", ["spawn", "weather"]),
    ("make the cow jump under jupiter gravity", ["character", "gravity"]),
    ("a small eruption in the snow", ["eruption", "weather"]),
    ("dig a pit at 3 pm", ["terrain", "time"]),
])
def test_more_pairs_in_one_clause(text, want):
    assert [e["op"] for e in ops(text)] == want


@pytest.mark.parametrize("text", ["6:30 in the morning", "half past six in the evening", "thick fog",
                                  "take me to the snowy mountains", "make the villagers dance all night"])
def test_one_intent_stays_one_edit_kind(text):
    assert len({e["op"] for e in ops(text)}) == 1


@pytest.mark.parametrize("text", ["good night everyone", "i was at the lake last night", "the house looks nice",
                                  "i like trains", "what a beautiful sunset", "the villagers seem happy today"])
def test_chatter_still_changes_nothing(text):
    assert ops(text) == []


def _sun_elevation(hour: float) -> float:
    scene = SimpleNamespace(hour=hour, rain=0.0, storm=0.0, snow=0.0, fog=0.0, lightning=0.0)
    return math.degrees(math.asin(sky_light(scene).sun_dir[2]))


def test_named_hours_match_the_renderers_sun():
    hour = {w: ops(w)[0]["hour"] for w in ("sunset", "sundown", "dusk", "twilight", "dawn", "sunrise",
                                           "evening", "night")}
    for w in ("sunset", "sundown", "dawn", "sunrise"):  # the sun is low but still up
        assert 0.5 < _sun_elevation(hour[w]) < 8, w
    for w in ("dusk", "twilight", "evening"):           # just gone: afterglow, not yet black night
        assert -10 < _sun_elevation(hour[w]) < 0, w
    assert _sun_elevation(hour["night"]) < -30
    assert interpret("sunset", VILLAGE).reply == "Time set to 17:48 (sunset)."
    assert "(dusk)" in interpret("dusk", VILLAGE).reply and "(sunrise)" in interpret("dawn", VILLAGE).reply


def test_make_it_stop_means_what_was_last_set():
    it = Interpreter()
    it.interpret("make it rain", VILLAGE)
    assert it.interpret("make it stop", VILLAGE).edits == [{"op": "weather", "kind": "clear", "intensity": 0.0}]
    it.interpret("make the villager dance", VILLAGE)
    assert it.interpret("make it stop", VILLAGE).edits[0]["op"] == "character"


def test_bring_back_the_sun_depends_on_the_hour():
    night_rain = {**STATES["empty"], "clock": {"hour": 23.0, "speed": 60.0}}
    night_clear = {**night_rain, "weather": {"kind": "clear", "intensity": 0.0}}
    assert [e["op"] for e in ops("bring back the sun", night_rain)] == ["time", "weather"]
    assert ops("bring back the sun", night_clear) == [{"op": "time", "hour": 12.0}]
    assert ops("bring back the sun", STATES["empty"]) == [{"op": "weather", "kind": "clear", "intensity": 0.0}]
    assert ops("turn off the sun please")[0] == {"op": "time", "hour": 22.0}
