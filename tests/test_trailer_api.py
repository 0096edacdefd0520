"""The trailer through the launched page: /trailer -> (video, share code) -> /play_link and /new_session step in."""
import math

import av
import pytest
from app_harness import launched_app
from gradio_client import Client

from oyster.app.trailer_tab import add_trailer_tab


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    db = tmp_path_factory.mktemp("wl") / "waitlist.db"
    with launched_app(str(db), extensions=[add_trailer_tab], width=640, height=360, max_players=2) as a:
        yield a


@pytest.fixture(scope="module")
def client(app):
    return Client(app.url, verbose=False)


def test_trailer_endpoint_returns_a_playable_video_and_a_code_to_step_into(client):
    video, code = client.predict("misty pine forest at dawn", 2, api_name="/trailer")
    with av.open(video) as c:
        v = c.streams.video[0]
        assert (v.width, v.height, v.average_rate, v.codec_context.name) == (640, 360, 30, "h264")
        assert sum(1 for _ in c.decode(video=0)) == 60
    link = client.predict(code, api_name="/play_link")
    assert "?world=" in link
    s = client.predict(0, "", code, api_name="/new_session")
    try:
        assert s["status"] == "active" and not s["warning"]
        state = client.predict(s["session_id"], [], 1, api_name="/step")["state"]
        assert state["weather"]["kind"] == "fog" and state["biome"] == "forest"
        assert 4.5 <= state["clock"]["hour"] <= 8.0 and math.isfinite(state["player"]["x"])
    finally:
        client.predict(s["session_id"], api_name="/close")


@pytest.mark.parametrize("prompt, seconds, message", [
    ("", 4, "empty"), ("qwxzv zzkvq plarbt", 4, "could not understand"), ("rain", 30, "maximum"),
    ("rain", 1, "minimum")])
def test_trailer_endpoint_refuses_bad_input_clearly(client, prompt, seconds, message):
    with pytest.raises(Exception, match=message):
        client.predict(prompt, seconds, api_name="/trailer")
