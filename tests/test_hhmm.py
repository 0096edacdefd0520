"""One clock formatting (`oyster.world.state.hhmm`) for Direct-mode replies, the HUD and trailer plans."""
import pytest

from oyster.direct.replies import describe
from oyster.serve.visitor import hud_fields
from oyster.trailer.prompt import _describe
from oyster.world.state import hhmm


@pytest.mark.parametrize("hour, text", [
    (0.0, "00:00"), (12.5, "12:30"), (17.8, "17:48"), (9.999, "10:00"), (23.99, "23:59"),
    (23.999, "00:00"), (24.0, "00:00"), (25.5, "01:30"), (-0.5, "23:30"), (-24.25, "23:45"), (48.0, "00:00"),
    (6.2, "06:12"), (10, "10:00"),
])
def test_hhmm_rounds_to_the_minute_and_wraps_the_day(hour, text):
    assert hhmm(hour) == text


@pytest.mark.parametrize("hour", [23.999, 10.9999, 6.2, -1.0])
def test_every_clock_on_screen_uses_hhmm(hour):
    assert f"Time set to {hhmm(hour)} " in describe({"op": "time", "hour": hour})
    assert hud_fields({"clock": {"hour": hour}})["time"] == hhmm(hour)
    assert _describe({"op": "time", "hour": hour}) == f"time {hhmm(hour)}"
