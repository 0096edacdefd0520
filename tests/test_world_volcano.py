"""Volcanic eruption: bombs and smoke fly, lava flows downhill glowing, then cools into rock that stays through chunk
eviction and share codes."""
import math

import numpy as np
import pytest

from oyster import Session
from oyster.world import terrain
from oyster.world.scene import CHUNK, MAT_LAVA, MAT_ROCK
from oyster.world.sculpt import RockPatch
from oyster.world.world import World


@pytest.fixture(scope="module")
def erupted():
    """A world whose small eruption has run to the end; also returns a mid-eruption snapshot of facts."""
    w = World(7, background=False)
    w.apply({"op": "teleport", "target": "volcano"})
    w.apply({"op": "eruption", "strength": 0.2})
    e = w.eruptions[-1]
    mid = {}
    while not e.done:
        w.step(frozenset(), 0.25)
        if not mid and w.s.tick * (1 / 60) > 15.0:
            sc = w.scene()
            mid = {"particles": sc.particle_kind.copy(), "heat": float(sc.ring.heat.max()),
                   "lava": int((sc.ring.material == MAT_LAVA).sum()), "stage": w.state()["events"]}
        assert w.s.tick < 60 * 400, "the flow should cool within minutes"
    yield w, e, mid
    w.close()


def test_eruption_throws_bombs_and_smoke_and_glowing_lava(erupted):
    _, _, mid = erupted
    assert {0, 1}.issubset(set(mid["particles"].tolist()))    # lava bombs and smoke
    assert mid["heat"] > 0.5 and mid["lava"] > 100
    assert mid["stage"][0]["kind"] == "eruption" and mid["stage"][0]["stage"] == "erupting"


def test_lava_flows_downhill_from_the_rim(erupted):
    _, e, _ = erupted
    cx, cy, crater_r, summit = terrain.volcano_site(7)
    ys, xs = np.nonzero(e.rock > 0.05)
    d = np.hypot(xs + e.x0 - cx, ys + e.y0 - cy)
    assert d.max() > crater_r + 30.0                           # it ran well down the flank
    assert e.base[ys, xs].min() < summit - 20.0


def test_cooled_lava_becomes_a_persistent_rock_edit(erupted):
    w, e, _ = erupted
    patches = [t for t in w.terrain_edits if isinstance(t, RockPatch)]
    assert len(patches) == 1 and patches[0].uid == e.uid
    assert w.state()["events"][0]["stage"] == "cooled"
    ys, xs = np.nonzero(patches[0].rock > 0.5)
    x, y = int(xs[len(xs) // 2]) + patches[0].x0, int(ys[len(ys) // 2]) + patches[0].y0
    c = w.cache.get(math.floor(x / CHUNK), math.floor(y / CHUNK))
    i, j = x - c.cx * CHUNK, y - c.cy * CHUNK
    assert c.material[j, i] == MAT_ROCK
    before = (c.height.copy(), c.color.copy(), c.material.copy())
    raw = terrain.generate_chunk(7, c.cx, c.cy)
    assert c.height[j, i] > raw.height[j, i] + 0.4            # rock added on top of the old ground
    w.cache.evict_all()
    c2 = w.cache.get(c.cx, c.cy)
    assert c2 is not c
    assert all(np.array_equal(a, b) for a, b in zip(before, (c2.height, c2.color, c2.material), strict=True))
    assert not np.any(w.cache.ring.heat)                       # nothing glows once it has cooled


def test_rock_survives_a_share_code_round_trip():
    s = Session(seed=7, width=96, height=54)
    try:
        s.apply({"op": "eruption", "strength": 0.05})  # strength 0 ends an eruption
        e = s.world.eruptions[-1]
        while not e.done:
            s.world.step(frozenset(), 0.25)
        s.step(frozenset(), 1 / 30)
        twin = Session.from_share_code(s.share_code(), width=96, height=54)
        try:
            patch = [t for t in twin.world.terrain_edits if isinstance(t, RockPatch)][0]
            mine = [t for t in s.world.terrain_edits if isinstance(t, RockPatch)][0]
            assert (patch.x0, patch.y0) == (mine.x0, mine.y0) and np.array_equal(patch.rock, mine.rock)
            assert np.array_equal(twin.frame(), s.frame())
        finally:
            twin.close()
    finally:
        s.close()


def test_second_eruption_while_active_is_rejected_and_undo_clears_lava():
    w = World(7, background=False)
    try:
        w.apply({"op": "eruption"})
        w.step(frozenset(), 0.25)
        with pytest.raises(ValueError, match="already erupting"):
            w.apply({"op": "eruption"})
        w.apply({"op": "undo"})
        assert not w.eruptions and w.scene().particle_xyz.shape == (0, 3)
    finally:
        w.close()
