"""Hostile share codes: a short link must not stall the server or pin memory; restores apply recorded results."""
import base64
import json
import time
import zlib

import numpy as np
import pytest

from oyster import Session
from oyster.world import caps, persist
from oyster.world.sculpt import RockPatch
from oyster.world.world import World

W, H = 96, 54


def _code(raw: bytes) -> str:
    return base64.urlsafe_b64encode(zlib.compress(raw, 9)).decode().rstrip("=")


def _doc(code: str) -> dict:
    return json.loads(zlib.decompress(base64.urlsafe_b64decode(code + "=" * (-len(code) % 4))))


@pytest.fixture(scope="module")
def cooled():
    """A session whose small eruption has cooled, and its share code."""
    s = Session(seed=7, width=W, height=H)
    s.apply({"op": "eruption", "strength": 0.05})
    e = s.world.eruptions[-1]
    while not e.done:
        s.world.step(frozenset(), 0.25)
    s.step(frozenset(), 1 / 30)
    yield s, s.share_code()
    s.close()


def test_cooled_eruption_restores_from_its_recorded_rock_without_running_the_flow(cooled):
    s, code = cooled
    t0 = time.perf_counter()
    twin = Session.from_share_code(code, width=W, height=H)
    try:
        took = time.perf_counter() - t0
        e = twin.world.eruptions[-1]
        assert e.recorded is not None and e.done and e.lava is None        # applied, not simulated
        mine = [t for t in s.world.terrain_edits if isinstance(t, RockPatch)][0]
        got = [t for t in twin.world.terrain_edits if isinstance(t, RockPatch)][0]
        assert (got.x0, got.y0) == (mine.x0, mine.y0) and np.array_equal(got.rock, mine.rock)
        assert np.array_equal(twin.frame(), s.frame())                      # the same world, bit for bit
        assert twin.share_code() == code
        assert took < 20.0                                                  # gross bound only (shared machine)
    finally:
        twin.close()


def test_forty_eruption_code_is_refused_before_any_work(cooled):
    """Attack: a 595-character code with 40 eruptions used to replay 40 flows (35 s, 140 MB)."""
    _, code = cooled
    doc = _doc(code)
    doc["lava"] = []
    doc["edits"] = [{"t": k * 10, "edit": {"op": "eruption", "strength": 1.0}} for k in range(40)]
    doc["t"] = max(doc["t"], 400)
    doc["clock"]["tick0"] = 0
    bad = _code(json.dumps(doc).encode())
    assert len(bad) < 2000
    t0 = time.perf_counter()
    with pytest.raises(ValueError, match="lava flows"):
        Session.from_share_code(bad, width=W, height=H)
    assert time.perf_counter() - t0 < 1.0


def test_cooled_eruption_without_its_recorded_rock_counts_as_a_flow_to_run(cooled):
    _, code = cooled
    doc = _doc(code)
    doc["lava"] = []
    doc["edits"] = doc["edits"] * 2
    doc["edits"][1] = {**doc["edits"][1], "t": doc["edits"][0]["t"]}
    with pytest.raises(ValueError, match="lava flows"):
        persist.decode(_code(json.dumps(doc).encode()))


def test_altered_recorded_rock_is_refused(cooled):
    _, code = cooled
    doc = _doc(code)
    doc["lava"][0]["touched"] = [0, 0, 383, 383]             # claims a bigger area than the data holds
    with pytest.raises(ValueError, match="lava rock"):
        persist.decode(_code(json.dumps(doc).encode()))
    doc = _doc(code)
    doc["lava"][0]["cm"] = "AAAA"
    with pytest.raises(ValueError, match="lava rock"):
        persist.decode(_code(json.dumps(doc).encode()))


def test_deeply_nested_code_is_a_clear_error_not_a_recursion_error():
    """Attack: a 110-character code decoding to deeply nested JSON raised RecursionError (and kept a seat)."""
    for raw in (b"[" * 200000 + b"]" * 200000, b'{"a":' * 100000 + b"1" + b"}" * 100000):
        bad = _code(raw)
        assert len(bad) < 2000
        with pytest.raises(ValueError):
            Session.from_share_code(bad, width=W, height=H)


def test_wrong_shaped_values_are_value_errors(cooled):
    _, code = cooled
    doc = _doc(code)
    doc["weather"]["kind"] = ["rain"]                       # unhashable where a name belongs
    with pytest.raises(ValueError):
        persist.decode(_code(json.dumps(doc).encode()))


def test_crater_spam_is_capped_the_same_for_commands_and_codes():
    """Attack: 399 craters at one spot took 25 s to restore; a world holds at most MAX_TERRAIN_EDITS shapes."""
    w = World(7, background=False)
    try:
        crater = {"op": "terrain", "action": "crater", "x": 100.0, "y": 100.0, "radius": 6.0}
        for _ in range(caps.MAX_TERRAIN_EDITS):
            w.apply(crater)
        with pytest.raises(ValueError, match="terrain edits"):
            w.apply(crater)
        doc = persist.snapshot(w)
        doc["edits"].append({"t": doc["t"], "edit": crater})
        with pytest.raises(ValueError, match="terrain edits"):
            Session.from_share_code(persist.encode(doc), width=W, height=H)
    finally:
        w.close()


def test_eruptions_per_world_are_capped():
    w = World(7, background=False)
    try:
        for _ in range(caps.MAX_ERUPTIONS):
            w.apply({"op": "eruption"})
            w.eruptions[-1].done = True                     # pretend it cooled (the cap counts eruptions, not flows)
        with pytest.raises(ValueError, match="eruptions"):
            w.apply({"op": "eruption"})
    finally:
        w.close()


def test_a_world_of_many_craters_restores_without_rebuilding_per_edit():
    """Attack: craters piled at one spot made a restore rebuild the loaded chunks once per crater (O(n^2))."""
    with Session(seed=7, width=W, height=H) as s:
        p = s.world.s.player
        for _ in range(caps.MAX_TERRAIN_EDITS):
            s.apply({"op": "terrain", "action": "crater", "x": p.x, "y": p.y, "radius": 30.0, "amount": 40.0})
        s.step(frozenset(), 1 / 30)
        code = s.share_code()
        t0 = time.perf_counter()
        twin = Session.from_share_code(code, W, H)
        try:
            took = time.perf_counter() - t0
            assert np.array_equal(twin.frame(), s.frame())            # still the same world, bit for bit
            assert took < caps.RESTORE_BUDGET_S
        finally:
            twin.close()
