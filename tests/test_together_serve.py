"""Shared worlds through the Runner seam: only plain data crosses it (invite code, session ids, dicts), so the same
calls work in-process and from a remote runner. Join, step, command, the shared log, leaving, seat limits."""
import json

import pytest

from oyster.serve import InputError, Runner, RunnerFull, ServeConfig, UnknownSession
from oyster.serve.encode import parse_data_url


def plain(x):
    """What crosses a process boundary: JSON in, JSON out (a live object here would fail)."""
    return json.loads(json.dumps(x))


@pytest.fixture
def runner():
    r = Runner(ServeConfig.from_env(width=96, height=54, fps=30.0, max_players=4, max_waiting=2))
    yield r
    r.shutdown()


def test_invite_join_step_command_over_plain_data(runner):
    runner.open("api-host", seed=41)
    inv = plain(runner.invite("api-host", "Ada"))
    assert inv["players"] == ["Ada"] and runner.invite("api-host")["code"] == inv["code"]   # same world, same code
    info = plain(runner.join("api-guest", inv["code"], "<i>Bob</i>"))
    assert info["status"] == "active" and info["players"] == ["Ada", "<i>Bob</i>"] and info["seed"] == 41
    reply = plain(runner.command("api-host", "put a campfire here"))
    assert reply["edits"][0]["op"] == "spawn"
    packets = [next(runner.frames("api-guest")) for _ in range(2)]   # the paced stream serves a seat too
    assert all(p["url"].startswith("data:image/jpeg") for p in packets)
    out = plain(runner.step_once("api-guest", [], steps=3))       # 100 ms of world time later
    meta, jpeg = parse_data_url(out["frame"])
    assert jpeg[:2] == b"\xff\xd8"
    host = plain(runner.state("api-host"))
    fire = lambda st: [(e["id"], e["x"], e["y"]) for e in st["entities"] if e["kind"] == "campfire"]  # noqa: E731
    assert fire(out["state"]) == fire(host) and len(fire(host)) == 1
    assert ("player", "Ada: put a campfire here") in [tuple(x) for x in plain(runner.log("api-guest"))]
    assert ("you", "put a campfire here") in [tuple(x) for x in plain(runner.log("api-host"))]
    assert plain(runner.together("api-guest"))["name"] == "<i>Bob</i>"
    # the guest's share code is a private copy of the world with the guest's pose
    code = runner.snapshot("api-guest")
    runner.open("api-copy", share_code=code)
    assert fire(runner.state("api-copy")) == fire(host)


def test_leaving_keeps_the_world_and_the_last_out_leaves_a_private_world(runner):
    runner.open("api-a", seed=43)
    code = runner.invite("api-a", "A")["code"]
    runner.join("api-b", code, "B")
    runner.command("api-b", "plant a pine here")
    runner.close("api-a")
    out = runner.step_once("api-b", ["forward"], steps=5)
    assert [p["name"] for p in out["state"]["players"]] == ["B"]
    with pytest.raises(UnknownSession):
        runner.step_once("api-a", [], steps=1)
    runner.close("api-b")
    info = runner.join("api-c", code, "C")            # everyone left: the invite opens the world privately
    assert "private" in info["warning"]
    st = runner.state("api-c")
    assert st["spawned"] == 1 and "players" not in st


def test_bad_codes_names_and_full_worlds_are_refused_cleanly(runner):
    runner.open("api-a", seed=47)
    code = runner.invite("api-a", "A")["code"]
    for bad in ("", "x", "no such code at all!", None, "A" * 200, "zzzzzzzzzzzzzzzz"):
        with pytest.raises(InputError):
            runner.join("api-x", bad, "X")
    with pytest.raises(InputError, match="at most"):
        runner.join("api-x", code, "N" * 100)
    assert "api-x" not in runner.session_ids()
    for k in range(3):                                   # the server has 4 seats
        runner.join(f"api-{k}", code, f"P{k}")
    with pytest.raises(RunnerFull):
        runner.join("api-late", code, "Late")
    assert "api-late" not in runner.session_ids()
    with pytest.raises(InputError):
        runner.rename("api-0", "x" * 50)
    assert [p["name"] for p in runner.state("api-a")["players"]] == ["A", "P0", "P1", "P2"]
    assert runner.step_once("api-a", [], steps=1)["state"]["players"][0]["name"] == "A"


@pytest.mark.slow
def test_invite_and_join_endpoints_of_the_launched_app(tmp_path):
    from app_harness import launched_app
    from gradio_client import Client

    with launched_app(str(tmp_path / "w.db"), width=96, height=54, max_players=3) as app:
        c = Client(app.url, verbose=False)
        host = c.predict(5, "", "", api_name="/new_session")["session_id"]
        inv = c.predict(host, "Ada", api_name="/invite")
        assert "?join=" in inv["link"] and inv["players"] == ["Ada"]
        guest = c.predict(inv["code"], "Bob", False, api_name="/join")
        assert guest["session_id"].startswith("api-") and guest["players"] == ["Ada", "Bob"]
        c.predict(host, "erupt the volcano", api_name="/command")
        out = c.predict(guest["session_id"], [], 3, api_name="/step")
        assert any(e["kind"] == "eruption" for e in out["state"]["events"])
        with pytest.raises(Exception, match="invite code"):
            c.predict("not a code!", "Eve", False, api_name="/join")
        with pytest.raises(Exception, match="new_session"):
            c.predict("web-someone", "", api_name="/invite")
