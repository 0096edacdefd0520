"""The launched app through gradio_client: waitlist rules, headless play endpoints, metrics, the seat cap."""
import concurrent.futures as cf
from urllib.parse import urlencode

import pytest
from app_harness import launched_app
from gradio_client import Client

from oyster.serve.encode import parse_data_url


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    db = tmp_path_factory.mktemp("wl") / "waitlist.db"
    with launched_app(str(db), width=320, height=180, max_players=4, signups_burst=50.0) as a:
        yield a


@pytest.fixture(scope="module")
def client(app):
    return Client(app.url, verbose=False)


def test_waitlist_valid_and_repeat(app, client):
    first = client.predict("ada@example.com", "Ada", "a museum of worlds", api_name="/waitlist")
    again = client.predict("ADA@example.com", "Ada L.", "", api_name="/waitlist")
    assert "You are on the waitlist" in first and again == first      # the reply never tells who is on the list
    assert app.waitlist.count() == 1
    assert "ada@" not in first + again


@pytest.mark.parametrize("bad", ["not-an-email", "", "a@b", "x" * 300 + "@example.com"])
def test_waitlist_invalid_gets_clear_error(client, bad):
    with pytest.raises(Exception, match="e-mail"):
        client.predict(bad, "", "", api_name="/waitlist")


def test_waitlist_concurrent_submissions(app):
    clients = [Client(app.url, verbose=False) for _ in range(4)]
    jobs = [(c, f"crowd{i % 6}@example.com") for i, c in enumerate(clients * 5)]
    with cf.ThreadPoolExecutor(8) as ex:
        msgs = list(ex.map(lambda cj: cj[0].predict(cj[1], "", "", api_name="/waitlist"), jobs))
    assert all("waitlist" in m for m in msgs)
    rows = app.waitlist._conn().execute("SELECT COUNT(*), SUM(submissions) FROM waitlist WHERE email LIKE 'crowd%'")
    assert rows.fetchone() == (6, 20)


def test_headless_play_round_trip(app, client):
    s = client.predict(11, "", "", api_name="/new_session")
    sid = s["session_id"]
    assert s["status"] == "active" and sid.startswith("api-")
    assert app.runner.stats()["sessions_active"] >= 1
    out = client.predict(sid, ["forward", "sprint"], 5, api_name="/step")
    meta, jpeg = parse_data_url(out["frame"])
    assert jpeg[:2] == b"\xff\xd8" and meta["fid"] == 1 and isinstance(out["state"], dict)
    reply = client.predict(sid, "make it rain", api_name="/command")
    assert isinstance(reply["reply"], str) and reply["reply"] and isinstance(reply["edits"], list)
    shared = client.predict(sid, api_name="/share")
    assert set(shared) == {"code", "link"} and shared["code"]
    assert shared["link"].endswith("/?" + urlencode({"world": shared["code"]}))   # the link opens that world
    assert client.predict(sid, api_name="/close") == {"closed": True}
    with pytest.raises(Exception, match="No open session"):
        client.predict(sid, [], 1, api_name="/step")


def test_headless_step_validates_inputs(client):
    sid = client.predict(0, "", "", api_name="/new_session")["session_id"]
    try:
        with pytest.raises(Exception, match="unknown input 'fly'"):
            client.predict(sid, ["fly"], 1, api_name="/step")
        with pytest.raises(Exception, match="steps"):
            client.predict(sid, [], 100000, api_name="/step")
        with pytest.raises(Exception, match="limit is"):
            client.predict(sid, "x" * 1_000_000, api_name="/command")
        assert parse_data_url(client.predict(sid, [], 1, api_name="/step")["frame"])[0]["fid"] >= 1  # still running
    finally:
        client.predict(sid, api_name="/close")


def test_headless_step_turns_by_an_analog_look(client):
    sid = client.predict(0, "", "", api_name="/new_session")["session_id"]
    try:
        yaw0 = client.predict(sid, [], 1, api_name="/step")["state"]["player"]["yaw"]
        yaw1 = client.predict(sid, [], 1, [0.25, 0.0], api_name="/step")["state"]["player"]["yaw"]
        assert yaw1 == pytest.approx(yaw0 + 0.25, abs=1e-6)
        with pytest.raises(Exception, match="look"):
            client.predict(sid, [], 1, [0.1], api_name="/step")
    finally:
        client.predict(sid, api_name="/close")


def test_scripts_cannot_drive_browser_sessions(app, client):
    app.runner.open("web-someone", seed=1)
    try:
        with pytest.raises(Exception, match="new_session"):
            client.predict("web-someone", ["forward"], 1, api_name="/step")
    finally:
        app.runner.close("web-someone")


def test_play_link_endpoint(client):
    link = client.predict("abc_DEF-123", api_name="/play_link")
    assert link.endswith("/?world=abc_DEF-123") and link.startswith("http")


def test_metrics_endpoint(client):
    m = client.predict(api_name="/metrics")
    for k in ("sessions_active", "sessions_waiting", "fps_mean", "frame_ms_p50", "frame_ms_p99", "frames_dropped"):
        assert k in m
    assert "session_id" not in str(m) and "api-" not in str(m)


def test_seat_cap(tmp_path):
    """With one seat, a second world is refused with the truth (no world opened, not "number 1 in line")."""
    with launched_app(str(tmp_path / "w.db"), width=160, height=90, max_players=1) as a:
        c = Client(a.url, verbose=False)
        first = c.predict(1, "", "", api_name="/new_session")["session_id"]
        with pytest.raises(Exception, match="The only seat is taken, so no world was opened"):
            c.predict(2, "", "", api_name="/new_session")
        assert a.runner.stats()["sessions_waiting"] == 0    # the refused script did not keep a place
        c.predict(first, api_name="/close")
        second = c.predict(2, "", "", api_name="/new_session")
        assert second["status"] == "active"


def test_page_builds_with_its_tabs_and_extra_extensions(tmp_path):
    """An extension plugs a tab in beside Direct mode; by default the page has the Dream and trailer tabs."""
    from oyster.app import build_demo
    from oyster.app.extensions import PageContext
    from oyster.serve import Runner, ServeConfig
    from oyster.waitlist import Waitlist

    seen = []

    def add_panel(ctx: PageContext) -> None:
        import gradio as gr
        with ctx.side_tabs, gr.Tab("Extra", id="extra"):
            seen.append(gr.Markdown("extra panel"))

    demo = build_demo(Runner(ServeConfig()), Waitlist(tmp_path / "w.db"), extensions=[add_panel])
    labels = [c["props"].get("label") for c in demo.get_config_file()["components"] if c["type"] == "tabitem"]
    assert labels[:5] == ["Play", "Direct mode", "Share & new world", "Play together", "Extra"]
    assert labels[-1] == "Join the waitlist"
    assert seen
    demo = build_demo(Runner(ServeConfig()), Waitlist(tmp_path / "w.db"))
    labels = [c["props"].get("label") for c in demo.get_config_file()["components"] if c["type"] == "tabitem"]
    assert {"Dream", "Trailer"} <= set(labels)


def test_share_links_name_the_space_when_hosted(monkeypatch):
    from oyster.app.links import play_link

    class Req:
        headers = {"referer": "http://127.0.0.1:7860/?world=old&x=1", "host": "127.0.0.1:7860"}

    assert play_link("abc", Req()) == "http://127.0.0.1:7860/?world=abc"
    monkeypatch.setenv("SPACE_ID", "happy/oyster")
    assert play_link("a+b/c", Req()) == "https://huggingface.co/spaces/happy/oyster/?world=a%2Bb%2Fc"


def test_uploads_are_capped(app):
    """Attack: Gradio's open upload route stored 20 MB from anyone; the page takes no uploads and caps the route."""
    import httpx
    big = b"x" * (3 * 2**20)
    r = httpx.post(app.url + "gradio_api/upload", files={"files": ("big.bin", big)}, timeout=60)
    assert r.status_code in (413, 400) or "exceeds" in r.text.lower() or "too large" in r.text.lower()


def test_no_seat_reply_tells_scripts_the_truth(tmp_path):
    """Attack: the ninth API client was told "number 1 in line" while its session was already closed."""
    with launched_app(str(tmp_path / "w.db"), width=160, height=90, max_players=2, max_waiting=4) as a:
        c = Client(a.url, verbose=False)
        held = [c.predict(k, "", "", api_name="/new_session")["session_id"] for k in range(2)]
        with pytest.raises(Exception, match="no world was opened") as e:
            c.predict(9, "", "", api_name="/new_session")
        assert "number" not in str(e.value)             # no place in a line it does not have
        assert a.runner.stats()["sessions_waiting"] == 0 and len(a.runner.session_ids()) == 2
        for sid in held:
            c.predict(sid, api_name="/close")


def test_direct_key_route_takes_signed_tokens_only(app):
    """POST /oyster/keys: a token signed for one visitor moves only that visitor; forged tokens and bad payloads
    are refused with a reason and change nothing."""
    import httpx

    from oyster.app.fastkeys import tokens_for
    app.runner.open("web-keys-a", seed=1)
    app.runner.open("web-keys-b", seed=1)
    try:
        token = tokens_for(app.runner).token("web-keys-a")
        url = app.url.rstrip("/") + "/oyster/keys"
        r = httpx.post(url, params={"t": token}, content='{"seq": 1, "held": ["forward"]}')
        assert r.status_code == 204 and app.runner.held("web-keys-a") == (1, frozenset({"forward"}))
        forged = "web-keys-b." + token.rsplit(".", 1)[1]
        r = httpx.post(url, params={"t": forged}, content='{"seq": 5, "held": ["back"]}')
        assert r.status_code == 403 and app.runner.held("web-keys-b") == (-1, frozenset())
        r = httpx.post(url, params={"t": token}, content='{"seq": 2, "held": ["fly"]}')
        assert r.status_code == 400 and "unknown input 'fly'" in r.json()["error"]
        r = httpx.post(url, params={"t": token}, content="x" * 10_000)
        assert r.status_code == 400
        assert app.runner.held("web-keys-a") == (1, frozenset({"forward"}))       # untouched by the refusals
    finally:
        app.runner.close("web-keys-a")
        app.runner.close("web-keys-b")
    r = httpx.post(url, params={"t": token}, content='{"seq": 3, "held": []}')
    assert r.status_code == 404


def test_headless_quality_switch_gives_hd_frames(client):
    import cv2
    import numpy as np
    sid = client.predict(0, "", "", api_name="/new_session")["session_id"]
    try:
        assert client.predict(sid, "hd", api_name="/quality") == {"quality": "hd", "width": 1280, "height": 720}
        jpeg = parse_data_url(client.predict(sid, ["forward"], 1, api_name="/step")["frame"])[1]
        assert cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR).shape == (720, 1280, 3)
        with pytest.raises(Exception, match="quality must be"):
            client.predict(sid, "8k", api_name="/quality")
        client.predict(sid, "sd", api_name="/quality")
        jpeg = parse_data_url(client.predict(sid, [], 1, api_name="/step")["frame"])[1]
        assert cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR).shape == (180, 320, 3)
    finally:
        client.predict(sid, api_name="/close")
