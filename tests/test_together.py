"""Shared worlds: one authoritative world, several players (2 and 8), each with a body and a view; changes by one
are seen by all, identically; bodies collide; bad input, leaving and flooding never break the world for others."""
import math

import numpy as np
import pytest

import oyster
from oyster.app.views import log_html
from oyster.together import MAX_NAME, MAX_PLAYERS, Parties, PartyFull
from oyster.together.figures import Figure, tag_positions, with_figures
from oyster.world.physics import CONFIG

W, H = 96, 54
DT = 1 / 30
WITHIN = 0.2          # world seconds in which the others must see a change


def shared(n: int, seed: int = 11, names=None):
    parties = Parties()
    code, host = parties.host(oyster.Session(seed=seed, width=W, height=H), (names or ["Ada"])[0])
    seats = [host] + [parties.join(code, (names or [])[k] if names and k < len(names) else f"P{k}",
                                   width=W, height=H) for k in range(1, n)]
    return parties, code, seats


def round_(seats, held=None, dt=DT):
    """One frame for everybody (seat 0 holds `held`); returns the frames."""
    return [s.step(held if (k == 0 and held) else set(), dt) for k, s in enumerate(seats)]


def others_see(seats, check, budget=WITHIN):
    """Step everyone in frames until `check(state)` holds for every other seat; returns the world time it took."""
    t = 0.0
    while True:
        if all(check(s.state()) for s in seats[1:]):
            return t
        assert t <= budget, "the others did not see the change in time"
        round_(seats)
        t += DT


@pytest.fixture(scope="module", params=[2, 8])
def party(request):
    parties, code, seats = shared(request.param)
    yield seats
    for s in seats:
        s.close()


def test_a_move_is_seen_by_every_other_player_identically(party):
    round_(party)
    before = party[0].state()["player"]
    for _ in range(6):
        round_(party, {"forward"})
    me = party[0].state()["player"]
    assert math.hypot(me["x"] - before["x"], me["y"] - before["y"]) > 0.5
    for s in party[1:]:
        seen = next(p for p in s.state()["players"] if p["id"] == "p1")
        assert (seen["x"], seen["y"], seen["z"], seen["yaw"]) == (me["x"], me["y"], me["z"], me["yaw"])


def test_a_spawn_is_seen_with_the_same_id_and_position(party):
    e = party[0].apply({"op": "spawn", "kind": "campfire", "count": 2, "where": "here"})
    mine = {x["id"]: (x["x"], x["y"]) for x in party[0].state()["entities"] if x["kind"] == "campfire"}
    assert len(e["at"]) == 2 and len(mine) == 2
    t = others_see(party, lambda st: {x["id"]: (x["x"], x["y"]) for x in st["entities"]
                                      if x["kind"] == "campfire"} == mine)
    assert t <= WITHIN


def test_weather_and_eruption_by_one_reach_all_identically(party):
    party[-1].apply({"op": "weather", "kind": "snow", "intensity": 0.7})
    party[-1].apply({"op": "eruption", "strength": 0.6})
    others_see(party[-1:] + party[:-1], lambda st: st["weather"]["kind"] == "snow" and
               any(ev["kind"] == "eruption" for ev in st["events"]))
    for _ in range(4):
        round_(party)
    states = [s.state() for s in party]
    for st in states[1:]:
        assert st["weather"] == states[0]["weather"] and st["events"] == states[0]["events"]
        assert st["time"] == states[0]["time"] and st["clock"] == states[0]["clock"]


def test_one_tick_for_everyone(party):
    """Eight players stepping 1/30 s each move the world on by 1/30 s, not eight times that."""
    t0 = party[0].state()["time"]
    for _ in range(3):
        round_(party)
    assert party[0].state()["time"] - t0 == pytest.approx(0.1, abs=1.5 / 60)


def test_players_collide_with_each_other_not_through():
    _, _, (a, b) = shared(2, seed=5)
    a.step(set(), DT)
    pa = a.state()["player"]
    # b stands 3 m in front of a; a walks straight at it for two seconds
    bx, by = pa["x"] + 3 * math.cos(pa["yaw"]), pa["y"] + 3 * math.sin(pa["yaw"])
    b.apply({"op": "teleport", "x": bx, "y": by, "yaw": pa["yaw"] + math.pi, "pitch": 0.0})
    closest = 9.0
    for _ in range(60):
        a.step({"forward"}, DT)
        b.step(set(), DT)
        ps = {p["id"]: p for p in a.state()["players"]}
        d = math.hypot(ps["p1"]["x"] - ps["p2"]["x"], ps["p1"]["y"] - ps["p2"]["y"])
        closest = min(closest, d)
        assert d >= 2 * CONFIG.radius - 1e-3
    assert closest < 2 * CONFIG.radius + 0.2      # it did walk up to b (and stopped there)
    a.close(), b.close()


def test_bad_input_and_disconnect_never_break_the_world_for_others():
    _, code, (a, b, c) = shared(3, seed=7)
    round_([a, b, c])
    log_len = a.state()["edits"]
    for bad in (lambda: b.step({"fly"}, DT), lambda: b.step(set(), float("nan")), lambda: b.step(set(), DT, "x"),
                lambda: b.apply({"op": "explode"}), lambda: b.apply({"op": "spawn", "kind": "tree", "count": 999}),
                lambda: b.apply("rain"), lambda: b.command(None)):
        with pytest.raises(ValueError):
            bad()
    assert a.state()["edits"] == log_len
    # b walks, then its tab vanishes while a key is held: it stops within HELD_TTL and the others play on
    for _ in range(3):
        b.step({"forward"}, DT)
    for _ in range(45):
        a.step(set(), DT)
        c.step(set(), DT)
    p = {x["id"]: x for x in a.state()["players"]}["p2"]
    for _ in range(15):
        a.step(set(), DT)
    q = {x["id"]: x for x in a.state()["players"]}["p2"]
    assert (p["x"], p["y"]) == (q["x"], q["y"])
    b.close()
    for gone in (lambda: b.step({"forward"}, DT), lambda: b.apply({"op": "gravity", "scale": 2.0})):
        with pytest.raises(ValueError, match="left"):
            gone()
    assert [x["name"] for x in a.state()["players"]] == ["Ada", "P2"] and a.state()["gravity"] == 1.0
    assert a.command("make it rain").edits and c.state()["weather"]["kind"] == "rain"
    assert a.step(set(), DT).shape == (H, W, 3)
    a.close(), c.close()


def test_joining_mid_game_gets_the_full_current_state():
    parties, code, (a,) = shared(1, seed=9)
    a.command("plant three trees and make it night")
    a.apply({"op": "eruption", "strength": 0.5})
    for _ in range(20):
        a.step({"forward"}, DT)
    b = parties.join(code, "Late", width=W, height=H)
    sa, sb = a.state(), b.state()
    for k in ("time", "clock", "weather", "gravity", "events", "spawned", "edits"):
        assert sa[k] == sb[k], k
    ids = lambda st: {x["id"]: (x["x"], x["y"]) for x in st["entities"] if x["id"].startswith("s")}  # noqa: E731
    assert ids(sa) and ids(sa).items() <= {**ids(sa), **ids(sb)}.items()
    assert {p["name"] for p in sb["players"]} == {"Ada", "Late"}
    a.close(), b.close()


def test_last_to_leave_ends_it_and_its_code_reopens_a_private_world():
    parties, code, (a, b) = shared(2, seed=13)
    b.apply({"op": "spawn", "kind": "rock", "count": 1, "where": "ahead"})
    round_([a, b])
    rock = next(x for x in a.state()["entities"] if x["id"].startswith("s"))
    a.close()
    assert parties.live(code) is not None and b.step(set(), DT).shape == (H, W, 3)
    b.close()
    assert parties.live(code) is None
    final = parties.ended_code(code)
    with pytest.raises(KeyError):
        parties.join(code, "Too late")
    with oyster.Session.from_share_code(final, width=W, height=H) as s:
        got = {x["id"]: (x["x"], x["y"]) for x in s.state()["entities"]}
        assert got[rock["id"]] == (rock["x"], rock["y"])


def test_undo_takes_back_only_your_own_change():
    _, _, (a, b) = shared(2, seed=17)
    a.apply({"op": "weather", "kind": "rain", "intensity": 0.8})
    tree = b.apply({"op": "spawn", "kind": "tree", "count": 1, "where": "ahead"})
    r = a.command("undo")                          # a's rain goes; b's tree stays
    assert r.edits and a.state()["weather"]["kind"] == "clear"
    spawned = {x["id"] for x in b.state()["entities"] if x["id"].startswith("s")}
    assert len(spawned) == 1
    assert "nothing to undo" in a.command("undo").reply
    b.command("undo")                              # b's own tree goes
    assert not any(x["id"].startswith("s") for x in b.state()["entities"])
    assert tree["at"]
    # the share code replays the same world (compensating edits are ordinary edits)
    with oyster.Session.from_share_code(a.share_code(), width=W, height=H) as s:
        st = s.state()
        assert st["weather"]["kind"] == "clear" and st["spawned"] == 0
    a.close(), b.close()


def test_a_later_change_of_the_same_kind_is_not_undone_by_someone_else():
    _, _, (a, b) = shared(2, seed=17)
    a.apply({"op": "weather", "kind": "rain", "intensity": 0.8})
    b.apply({"op": "weather", "kind": "snow", "intensity": 0.5})
    with pytest.raises(ValueError, match="no longer"):
        a.apply({"op": "undo"})
    assert b.state()["weather"]["kind"] == "snow"
    a.close(), b.close()


def test_edit_rate_limit_is_per_player():
    _, _, (a, b) = shared(2, seed=19)
    for k in range(10):
        a.apply({"op": "time", "hour": 1.0 + k})
    with pytest.raises(ValueError, match="slow down"):
        a.apply({"op": "time", "hour": 20.0})
    before = a.state()["edits"]
    assert "Slow down" in a.command("make it rain").reply and a.state()["edits"] == before
    b.apply({"op": "weather", "kind": "fog", "intensity": 0.5})     # b has its own budget
    for _ in range(60):                                              # two seconds of world time refill two
        round_([a, b])
    a.apply({"op": "time", "hour": 12.0})
    a.apply({"op": "time", "hour": 13.0})
    a.close(), b.close()


def test_up_to_eight_players_then_watchers():
    parties, code, seats = shared(MAX_PLAYERS, seed=23)
    with pytest.raises(PartyFull):
        parties.join(code, "Ninth")
    w = parties.join(code, "Eye", watch=True, width=W, height=H)
    assert "Watchers cannot" in w.command("make it rain").reply and w.state()["weather"]["kind"] == "clear"
    assert w.step({"forward"}, DT).shape == (H, W, 3)
    st = w.state()
    assert len(st["players"]) == MAX_PLAYERS and st["watchers"] == 1
    xy = [(p["x"], p["y"]) for p in st["players"]]
    assert min(math.dist(p, q) for i, p in enumerate(xy) for q in xy[i + 1:]) >= 2 * CONFIG.radius
    for s in seats + [w]:
        s.close()


def test_names_are_text_and_length_limited():
    parties, code, (a,) = shared(1, seed=29)
    evil = "<img src=x onerror=f()>"
    b = parties.join(code, evil, width=W, height=H)
    assert b.name == evil and evil in [p["name"] for p in a.state()["players"]]
    b.command("make it snow")
    page = log_html(a.chat())
    assert "<img" not in page and "&lt;img src=x" in page and "make it snow" in page
    with pytest.raises(ValueError, match=str(MAX_NAME)):
        parties.join(code, "x" * (MAX_NAME + 1))
    assert parties.join(code, "Ada").name == "Ada 2"                # unique within the world
    a.close(), b.close()


def test_a_lone_shared_player_plays_exactly_like_a_private_session():
    """Hosting changes nothing for the host: same inputs, same states, same frames as a private Session."""
    private = oyster.Session(seed=31, width=W, height=H)
    _, _, (host,) = shared(1, seed=31)
    keys = [{"forward"}] * 20 + [{"turn_left", "sprint", "forward"}] * 10 + [{"jump"}] * 5 + [set()] * 5
    for held in keys:
        fa = private.step(held, DT)
        fb = host.step(held, DT)
    sa, sb = private.state(), host.state()
    assert sa["player"] == sb["player"] and sa["time"] == sb["time"]
    assert np.array_equal(fa, fb)
    private.close(), host.close()


def test_other_players_are_drawn_with_name_tags():
    _, _, (a, b) = shared(2, seed=37)
    a.step(set(), DT)
    pa = a.state()["player"]
    b.apply({"op": "teleport", "x": pa["x"] + 6 * math.cos(pa["yaw"]), "y": pa["y"] + 6 * math.sin(pa["yaw"]),
             "yaw": pa["yaw"], "pitch": 0.0})
    with a.party.lock, a.party._as(a.member):
        scene = a.world.scene()
    pb = b.state()["player"]
    fig = Figure("Bob", pb["x"], pb["y"], pb["z"], pb["yaw"], False)
    tags = tag_positions(with_figures(scene, [fig]), [fig], 320, 180)
    assert len(tags) == 1 and abs(tags[0][1] - 160) < 20        # straight ahead: the middle column
    a.resize(320, 180)
    with_b = a.frame()
    b.close()
    alone = a.frame()
    assert np.abs(with_b.astype(int) - alone.astype(int)).sum(axis=2)[:, 140:180].max() > 60
    a.close()


def test_a_follower_follows_the_player_who_asked():
    _, _, (a, b) = shared(2, seed=43)
    dog = b.apply({"op": "spawn", "kind": "animal", "count": 1, "where": "here"})
    ident = next(x["id"] for x in b.state()["entities"] if x["kind"] == "animal" and x["id"].startswith("s"))
    b.apply({"op": "character", "action": "follow", "target": ident})
    assert dog["at"]
    for _ in range(90):                     # b walks away for three seconds; a stands still
        a.step(set(), DT)
        b.step({"forward"}, DT)
    st = a.state()
    pos = {p["id"]: (p["x"], p["y"]) for p in st["players"]}
    pet = a.world.things.pose(ident)
    assert math.dist(pet[:2], pos["p2"]) < math.dist(pet[:2], pos["p1"])
    a.close(), b.close()


def test_watchers_keep_the_world_and_a_new_player_anchors_it():
    parties, code, (a,) = shared(1, seed=47)
    w = parties.join(code, "Eye", watch=True, width=W, height=H)
    a.close()
    assert parties.live(code) is not None and w.step(set(), DT).shape == (H, W, 3)
    c = parties.join(code, "Cy", width=W, height=H)
    for _ in range(30):
        c.step({"forward"}, DT)
        w.step(set(), DT)
    pc = c.state()["player"]
    cam = w.party.camera(w.member)
    assert math.hypot(cam[0] - pc["x"], cam[1] - pc["y"]) == pytest.approx(8.0, abs=1e-6)
    c.close(), w.close()
    assert parties.live(code) is None
