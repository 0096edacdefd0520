"""The frame socket (WebSocket /oyster/frames): frames that follow keys sent on it, the hand-over with the page's
Gradio stream, and refusals (bad tokens, garbage, oversized messages) that leave every other visitor playing."""
import json
import threading
import time

import cv2
import numpy as np
import pytest
from app_harness import launched_app
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from oyster.app.fastframes import parse_frame_message
from oyster.app.fastkeys import tokens_for
from oyster.serve import Runner, ServeConfig


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    with launched_app(str(tmp_path_factory.mktemp("wl") / "w.db"), width=160, height=90, max_players=4,
                      stage_times=True) as a:
        yield a


@pytest.fixture
def world(app):
    """A fresh visitor's id (closed after the test)."""
    sid = f"ws-{time.monotonic_ns()}"
    app.runner.open(sid, seed=3)
    yield sid
    app.runner.close(sid)


def ws_url(app, token: str | None) -> str:
    base = app.url.replace("http://", "ws://").rstrip("/") + "/oyster/frames"
    return base if token is None else f"{base}?t={token}"


def next_frame(ws, timeout: float = 30.0) -> tuple[dict, np.ndarray]:
    """The next binary frame (header, decoded image); text messages in between are skipped."""
    deadline = time.monotonic() + timeout
    while True:
        msg = ws.recv(timeout=max(0.01, deadline - time.monotonic()))
        if isinstance(msg, bytes):
            head, jpeg = parse_frame_message(msg)
            return head, cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)


def next_text(ws, timeout: float = 30.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        msg = ws.recv(timeout=max(0.01, deadline - time.monotonic()))
        if isinstance(msg, str):
            return json.loads(msg)


def test_socket_streams_frames_that_change_after_a_key(app, world):
    with connect(ws_url(app, tokens_for(app.runner).token(world))) as ws:
        head, before = next_frame(ws)
        assert before.shape == (90, 160, 3) and head["fid"] >= 1
        assert {"rx", "t0", "t1", "t2"} <= set(head)          # stage times ride in the header when asked for
        ws.send(json.dumps({"seq": 10, "held": ["turn_left"]}))
        while head["seq"] < 10:
            head, frame = next_frame(ws)
        for _ in range(5):                                     # a few frames of turning
            head, frame = next_frame(ws)
        assert app.runner.held(world) == (10, frozenset({"turn_left"}))
        assert np.abs(frame.astype(int) - before.astype(int)).mean() > 1.0, "the view did not turn"
        fids = [next_frame(ws)[0]["fid"] for _ in range(3)]
        assert fids == sorted(set(fids)), fids                 # rising frame ids, none repeated
        assert any("hud" in next_text(ws) for _ in range(3))   # the HUD rides on the socket too


@pytest.mark.parametrize("token", [None, "", "nonsense", "ws-other.0123456789abcdef0123456789abcdef"])
def test_bad_tokens_are_refused_before_the_socket_opens(app, world, token):
    with pytest.raises(InvalidStatus) as e:
        connect(ws_url(app, token), open_timeout=10)
    assert e.value.response.status_code == 403


def test_forged_token_for_another_visitor_is_refused(app, world):
    other = f"{world}-b"
    app.runner.open(other, seed=3)
    try:
        forged = other + "." + tokens_for(app.runner).token(world).rsplit(".", 1)[1]
        with pytest.raises(InvalidStatus):
            connect(ws_url(app, forged), open_timeout=10)
        assert app.runner.held(other) == (-1, frozenset())
    finally:
        app.runner.close(other)


def test_garbage_and_oversized_messages_are_refused_and_others_play_on(app, world):
    other = f"{world}-c"
    app.runner.open(other, seed=4)
    tokens = tokens_for(app.runner)
    try:
        with connect(ws_url(app, tokens.token(other))) as bystander, connect(ws_url(app, tokens.token(world))) as ws:
            ws.send(json.dumps({"seq": 1, "held": ["forward"]}))
            for junk in ("not json", json.dumps({"seq": 2, "held": ["fly"]}), b"\x00\x01binary", "[]",
                         json.dumps({"seq": "x", "held": []})):
                ws.send(junk)
                reply = next_text(ws)
                while "error" not in reply:
                    reply = next_text(ws)
                assert reply["error"]
            assert app.runner.held(world) == (1, frozenset({"forward"}))     # untouched by the refusals
            fid = next_frame(ws)[0]["fid"]
            assert next_frame(ws)[0]["fid"] > fid                            # still streaming after garbage
            ws.send("x" * 100_000)
            with pytest.raises(ConnectionClosed) as closed:
                while True:
                    ws.recv(timeout=10)
            assert closed.value.rcvd.code == 1009
            assert app.runner.held(world) == (1, frozenset({"forward"}))
            f0 = next_frame(bystander)[0]["fid"]
            assert next_frame(bystander)[0]["fid"] > f0                      # the other visitor plays on
        assert world in app.runner.session_ids()    # a closed socket does not end the visit (the page's stream does)
    finally:
        app.runner.close(other)


def test_a_flood_of_refused_messages_closes_only_that_socket(app, world):
    with connect(ws_url(app, tokens_for(app.runner).token(world))) as ws:
        for _ in range(60):
            ws.send("{")
        with pytest.raises(ConnectionClosed) as closed:
            while True:
                ws.recv(timeout=10)
        assert closed.value.rcvd.code == 1008
    assert world in app.runner.session_ids()


def test_page_stream_hands_frames_to_a_channel_and_takes_them_back():
    """Runner level: while a channel streams, the page's stream yields no frames (keepalives only); when the
    channel ends, the page's stream renders again. A newer channel ends an older one."""
    r = Runner(ServeConfig(width=64, height=36, fps=30.0))
    r.open("a", seed=1)
    page = r.frames("a")
    assert "url" in next(page)
    chan = r.frames("a", channel="c1")
    first = next(chan)
    assert first["jpeg"][:2] == b"\xff\xd8" and "url" not in first
    got: list[dict] = []
    t = threading.Thread(target=lambda: got.append(next(page)))   # the page's stream, now passive
    t.start()
    for _ in range(3):
        assert "jpeg" in next(chan)
    t.join(5)
    assert got and "url" not in got[0] and "jpeg" not in got[0]
    newer = r.frames("a", channel="c2")
    assert "jpeg" in next(newer)
    assert next(chan).get("done")                                  # replaced
    newer.close()                                                  # the channel ends: the page renders again
    assert "url" in next(page)
    r.shutdown()
