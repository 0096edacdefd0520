"""Chunk cache: the ring map holds everything in draw distance, evicted chunks rebuild bit-identically with edits,
and edits persist after walking away and coming back."""
import hashlib
import math

import numpy as np
import pytest

from oyster.world.chunks import LOAD_RADIUS
from oyster.world.scene import CHUNK, DRAW_DISTANCE, MAP_MASK
from oyster.world.world import World


@pytest.fixture()
def world():
    w = World(11, background=False)
    yield w
    w.close()


def loaded_digest(world: World) -> str:
    """Hash of the ring map cells of every loaded chunk and the static sprites: what the renderer can see."""
    h = hashlib.sha256()
    r = world.cache.ring
    for c in world.cache.loaded():
        sy, sx = (c.cy * CHUNK) & MAP_MASK, (c.cx * CHUNK) & MAP_MASK
        for layer in (r.height, r.color, r.material, r.heat):
            h.update(np.ascontiguousarray(layer[sy:sy + CHUNK, sx:sx + CHUNK]).tobytes())
    v = world.things.view()
    h.update(v.s_xyz.tobytes() + v.s_kind.tobytes() + "|".join(v.s_ids).encode())
    return h.hexdigest()


def _chunk_bytes(c) -> tuple:
    return (c.height.tobytes(), c.color.tobytes(), c.material.tobytes(), c.xyz.tobytes(), c.alive.tobytes(),
            tuple(c.ids))


def test_ring_holds_every_chunk_within_draw_distance(world):
    p = world.s.player
    world.cache.ensure(p.x, p.y)
    keys = {(c.cx, c.cy) for c in world.cache.loaded()}
    for a in np.linspace(0, 2 * math.pi, 16, endpoint=False):
        x, y = p.x + DRAW_DISTANCE * math.cos(a), p.y + DRAW_DISTANCE * math.sin(a)
        assert (math.floor(x / CHUNK), math.floor(y / CHUNK)) in keys
    assert LOAD_RADIUS > DRAW_DISTANCE
    # the ring holds exactly what the chunks hold
    c = world.cache.get(math.floor(p.x / CHUNK), math.floor(p.y / CHUNK))
    sy, sx = (c.cy * CHUNK) & MAP_MASK, (c.cx * CHUNK) & MAP_MASK
    assert np.array_equal(world.cache.ring.height[sy:sy + CHUNK, sx:sx + CHUNK], c.height)


def test_evicted_chunk_rebuilds_bit_identically_with_edits(world):
    p = world.s.player
    for e in ({"op": "terrain", "action": "crater", "radius": 10.0, "amount": 5.0},
              {"op": "terrain", "action": "raise", "where": "here", "radius": 20.0, "amount": 2.5},
              {"op": "terrain", "action": "flatten", "x": p.x + 30.0, "y": p.y - 20.0, "radius": 12.0}):
        world.apply(e)
    cx, cy = math.floor(p.x / CHUNK), math.floor(p.y / CHUNK)
    keys = [(cx + i, cy + j) for i in (-1, 0, 1) for j in (-1, 0, 1)]
    before = {k: _chunk_bytes(world.cache.get(*k)) for k in keys}
    digest = loaded_digest(world)
    world.cache.evict_all()
    assert not world.cache.cached(cx, cy)
    world.cache.ensure(p.x, p.y)
    assert {k: _chunk_bytes(world.cache.get(*k)) for k in keys} == before
    assert loaded_digest(world) == digest


def test_edits_persist_after_walking_away_a_kilometre(world):
    world.cache.capacity = 300            # small enough that the first place is evicted while we are away
    p = world.s.player
    home = (p.x, p.y, p.yaw, p.pitch)
    world.apply({"op": "terrain", "action": "crater", "radius": 9.0, "amount": 6.0})
    world.apply({"op": "spawn", "kind": "house", "where": "ahead"})
    world.apply({"op": "remove", "radius": 5.0}) if world.things.near(p.x, p.y, 5.0) else None
    digest = loaded_digest(world)
    cx, cy = math.floor(p.x / CHUNK), math.floor(p.y / CHUNK)
    for dx in (1200.0, 2400.0):
        world.apply({"op": "teleport", "x": home[0] + dx, "y": home[1]})
        for _ in range(10):
            world.step({"forward"}, 1 / 30)
    assert not world.cache.cached(cx, cy), "the edited chunk should have been evicted"
    world.apply({"op": "teleport", "x": home[0], "y": home[1], "yaw": home[2], "pitch": home[3]})
    assert loaded_digest(world) == digest


def test_background_thread_and_synchronous_paths_agree():
    a, b = World(5, background=True), World(5, background=False)
    try:
        for _ in range(90):
            a.step({"forward", "sprint"}, 1 / 30)
            b.step({"forward", "sprint"}, 1 / 30)
        assert loaded_digest(a) == loaded_digest(b)
    finally:
        a.close()
        b.close()
