"""Typed edits: bad edits are rejected with ValueError and change nothing; good ones show in state(); undo restores."""
import copy
import json

import numpy as np
import pytest

from oyster.world import persist
from oyster.world.world import World


@pytest.fixture(scope="module")
def world():
    w = World(7, background=False)
    w.apply({"op": "spawn", "kind": "villager", "where": "ahead"})   # someone to direct
    yield w
    w.close()


def fingerprint(w: World) -> str:
    """Everything an edit may change: the share-code document (log, pose, clock, weather...) and the state."""
    return json.dumps([persist.snapshot(w), w.state()], sort_keys=True)


BAD_EDITS = [
    None, "rain", {}, {"op": "explode"}, {"op": "weather"}, {"op": "weather", "kind": "hail"},
    {"op": "weather", "kind": "rain", "intensity": 2.0}, {"op": "weather", "kind": "rain", "intensity": "lots"},
    {"op": "weather", "kind": "rain", "intensity": float("nan")}, {"op": "weather", "kind": "rain", "colour": 1},
    {"op": "time"}, {"op": "time", "hour": 25}, {"op": "time", "hour": -1}, {"op": "time", "hour": 3, "speed": -1},
    {"op": "time", "hour": True},
    {"op": "gravity"}, {"op": "gravity", "scale": 0.0}, {"op": "gravity", "scale": 50},
    {"op": "gravity", "scale": None},
    {"op": "spawn"}, {"op": "spawn", "kind": "dragon"}, {"op": "spawn", "kind": "tree", "count": 0},
    {"op": "spawn", "kind": "tree", "count": 21}, {"op": "spawn", "kind": "tree", "count": 2.5},
    {"op": "spawn", "kind": "tree", "where": "moon"}, {"op": "spawn", "kind": "tree", "x": 3.0},
    {"op": "spawn", "kind": "tree", "x": float("inf"), "y": 0.0}, {"op": "spawn", "kind": "tree", "at": [[1, 2, 3]]},
    {"op": "remove"}, {"op": "remove", "kind": "dragon"}, {"op": "remove", "target": "no:such:id"},
    {"op": "remove", "target": 5}, {"op": "remove", "radius": 0.0}, {"op": "remove", "radius": 1000.0},
    {"op": "remove", "targets": []}, {"op": "remove", "targets": ["s999"]},
    {"op": "teleport"}, {"op": "teleport", "x": 1.0}, {"op": "teleport", "target": "mars"},
    {"op": "teleport", "x": 1e9, "y": 0.0}, {"op": "teleport", "x": 0.0, "y": 0.0, "pitch": 3.0},
    {"op": "eruption", "strength": 1.5}, {"op": "eruption", "strength": "big"},
    {"op": "character"}, {"op": "character", "action": "fly"}, {"op": "character", "action": "wave", "target": "0:0:0"},
    {"op": "character", "action": "wave", "target": "s999"}, {"op": "character", "action": "wave", "targets": ["s1"]},
    {"op": "terrain"}, {"op": "terrain", "action": "melt"}, {"op": "terrain", "action": "raise", "radius": 0.5},
    {"op": "terrain", "action": "raise", "radius": 100}, {"op": "terrain", "action": "raise", "amount": -3},
    {"op": "terrain", "action": "raise", "where": "behind"}, {"op": "terrain", "action": "raise", "y": 2.0},
    {"op": "undo", "steps": 2},
]


@pytest.mark.parametrize("edit", BAD_EDITS, ids=[str(i) for i in range(len(BAD_EDITS))])
def test_bad_edit_raises_and_changes_nothing(world, edit):
    before = fingerprint(world)
    with pytest.raises(ValueError) as err:
        world.apply(copy.deepcopy(edit))
    assert str(err.value)                                   # says what is wrong
    assert fingerprint(world) == before


def test_undo_with_nothing_to_undo_is_rejected():
    w = World(8, background=False)
    try:
        with pytest.raises(ValueError, match="nothing to undo"):
            w.apply({"op": "undo"})
    finally:
        w.close()


GOOD_EDITS = [
    {"op": "weather", "kind": "storm", "intensity": 0.9},
    {"op": "time", "hour": 21.5, "speed": 0},
    {"op": "gravity", "scale": 0.165},
    {"op": "spawn", "kind": "house", "where": "ahead"},
    {"op": "spawn", "kind": "animal", "count": 5, "where": "around"},
    {"op": "remove", "kind": "villager"},
    {"op": "remove", "radius": 30.0},
    {"op": "teleport", "x": 300.0, "y": -200.0, "yaw": 1.0, "pitch": 0.2},
    {"op": "teleport", "target": "village"},
    {"op": "eruption", "strength": 0.5},
    {"op": "character", "action": "dance"},
    {"op": "character", "action": "follow"},
    {"op": "terrain", "action": "crater", "radius": 10.0},
    {"op": "terrain", "action": "flatten", "where": "here"},
]


@pytest.mark.parametrize("edit", GOOD_EDITS, ids=[e["op"] + str(i) for i, e in enumerate(GOOD_EDITS)])
def test_undo_restores_the_previous_state_exactly(world, edit):
    before_state = world.state()
    before_ring = world.cache.ring.height.copy()
    world.apply(edit)
    assert world.state() != before_state
    world.apply({"op": "undo"})
    after = world.state()
    for k in ("edits", "can_undo"):
        after.pop(k), before_state.pop(k)
    assert after == before_state
    assert np.array_equal(world.cache.ring.height, before_ring)


def test_edits_show_in_state(world):
    p = world.s.player
    world.apply({"op": "time", "hour": 6.25, "speed": 0})
    world.apply({"op": "gravity", "scale": 0.4})
    world.apply({"op": "weather", "kind": "snow", "intensity": 0.5})
    st = world.state()
    assert st["clock"] == {"hour": 6.25, "speed": 0.0}
    assert st["gravity"] == 0.4
    assert st["weather"]["kind"] == "snow" and st["weather"]["intensity"] == 0.5
    resolved = world.apply({"op": "spawn", "kind": "campfire", "x": p.x + 3.0, "y": p.y})
    ident = f"s{world.entities.counter}"
    ents = {e["id"]: e for e in world.state()["entities"]}
    assert ents[ident]["kind"] == "campfire" and resolved["at"] == [[p.x + 3.0, p.y]]
    world.apply({"op": "remove", "target": ident})
    assert ident not in {e["id"] for e in world.state()["entities"]}
    for _ in range(5):
        world.apply({"op": "undo"})
    st = world.state()
    assert st["gravity"] == 1.0 and st["weather"]["kind"] != "snow"


def test_character_actions_show_in_state(world):
    p = world.s.player
    world.apply({"op": "spawn", "kind": "villager", "x": p.x + 4.0, "y": p.y + 1.0})
    ident = f"s{world.entities.counter}"
    for action in ("idle", "walk", "wave", "dance", "sit", "jump"):
        world.apply({"op": "character", "action": action, "target": ident})
        world.step(frozenset(), 0.1)
        ent = {e["id"]: e for e in world.state()["entities"]}[ident]
        if action != "walk":          # a walker may be resting between strolls
            assert ent["action"] == action
    world.apply({"op": "character", "action": "follow", "target": ident})
    world.apply({"op": "teleport", "x": p.x + 20.0, "y": p.y})
    for _ in range(180):
        world.step(frozenset(), 1 / 30)
    ent = {e["id"]: e for e in world.state()["entities"]}[ident]
    assert ent["distance"] < 4.0                             # it came after us
    world.apply({"op": "character", "action": "stop", "target": ident})
    ent = {e["id"]: e for e in world.state()["entities"]}[ident]
    assert ent["action"] == "idle"
