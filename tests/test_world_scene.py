"""What World.scene hands the renderer: only visible sprites, stable per-entity looks, the true terrain maximum;
and cameras away from the player (render_from) that neither change the world nor force reloads."""
import math

import numpy as np
import pytest

from oyster import Session
from oyster.world.scene import CHUNK, DRAW_DISTANCE, MAP_MASK
from oyster.world.world import World


@pytest.fixture(scope="module")
def world():
    w = World(7, background=False)
    w.apply({"op": "time", "hour": 12, "speed": 0})
    w.step(frozenset(), 1 / 30)
    yield w
    w.close()


def _all_sprites(w):
    v = w.things.view()
    x, y, _, _, _ = w.things.char_states()
    return np.concatenate([v.s_xyz[:, :2], np.stack([x, y], 1)])


def test_scene_keeps_only_sprites_in_front_and_within_draw_distance(world):
    sc = world.scene()
    total = len(_all_sprites(world))
    assert 0 < len(sc.sprite_kind) < total / 2          # most loaded entities are behind or far away
    fx, fy = math.cos(sc.yaw), math.sin(sc.yaw)
    rx, ry = sc.sprite_xyz[:, 0] - sc.cam_x, sc.sprite_xyz[:, 1] - sc.cam_y
    assert (rx * fx + ry * fy > -20.0).all()            # nothing well behind the camera
    assert (np.hypot(rx, ry) < DRAW_DISTANCE + 30.0).all()
    n = len(sc.sprite_kind)
    assert all(len(a) == n for a in (sc.sprite_xyz, sc.sprite_action, sc.sprite_phase, sc.sprite_scale,
                                     sc.sprite_seed))
    # and every loaded sprite that is in view is there: turning round shows a different, also-culled set
    back = world.scene((sc.cam_x, sc.cam_y, sc.cam_z, sc.yaw + math.pi, 0.0))
    mine = {tuple(p) for p in np.round(sc.sprite_xyz[:, :2], 3).tolist()}
    theirs = {tuple(p) for p in np.round(back.sprite_xyz[:, :2], 3).tolist()}
    assert len(mine & theirs) < 0.2 * min(len(mine), len(theirs))


def test_sprite_behind_or_beyond_draw_distance_is_not_in_the_scene(world):
    p = world.s.player
    fx, fy = math.cos(p.yaw), math.sin(p.yaw)
    world.apply({"op": "spawn", "kind": "house", "x": p.x + 30 * fx, "y": p.y + 30 * fy})
    ahead = list(world.entities.spawned)[-1]
    world.apply({"op": "spawn", "kind": "house", "x": p.x - 60 * fx, "y": p.y - 60 * fy})
    behind = list(world.entities.spawned)[-1]
    try:
        sc = world.scene()
        seeds = set(sc.sprite_seed.tolist())
        v = world.things.view()
        seed_of = dict(zip(v.s_ids, world.things.look_seeds(v)[0].tolist(), strict=True))
        assert seed_of[ahead] in seeds
        assert seed_of[behind] not in seeds
        far = world.scene((p.x - (DRAW_DISTANCE + 60) * fx, p.y - (DRAW_DISTANCE + 60) * fy, p.z + 2, p.yaw, 0.0))
        assert seed_of[ahead] not in set(far.sprite_seed.tolist())
    finally:
        world.apply({"op": "undo"})
        world.apply({"op": "undo"})


def test_sprite_look_seed_is_stable_per_entity_when_rows_reorder(world):
    v = world.things.view()
    seeds = dict(zip(v.s_ids + v.c_ids, np.concatenate(world.things.look_seeds(v)).tolist(), strict=True))
    assert len(set(seeds.values())) > 0.99 * len(seeds)   # distinct per entity
    # removing an entity shifts the rows of everything after it; nobody else's seed changes
    victim = v.s_ids[len(v.s_ids) // 3]
    world.apply({"op": "remove", "target": victim})
    try:
        v2 = world.things.view()
        got = dict(zip(v2.s_ids + v2.c_ids, np.concatenate(world.things.look_seeds(v2)).tolist(), strict=True))
        assert victim not in got and all(got[i] == seeds[i] for i in got if i in seeds)
    finally:
        world.apply({"op": "undo"})
    # and the renderer draws the same frame whatever order the rows come in (villagers included)
    from dataclasses import replace

    from oyster.render import render
    world.apply({"op": "spawn", "kind": "villager", "count": 4, "where": "ahead"})
    try:
        sc = world.scene()
        perm = np.random.default_rng(0).permutation(len(sc.sprite_kind))
        shuffled = replace(sc, **{k: getattr(sc, k)[perm] for k in ("sprite_xyz", "sprite_kind", "sprite_action",
                                                                     "sprite_phase", "sprite_scale", "sprite_seed")})
        a = render(sc, np.zeros((120, 200, 3), np.uint8))
        b = render(shuffled, np.zeros((120, 200, 3), np.uint8))
        assert np.array_equal(a, b)
    finally:
        world.apply({"op": "undo"})


def test_scene_max_height_is_the_true_maximum_of_the_ring(world):
    sc = world.scene()
    cx0, cx1, cy0, cy1 = world.cache._range
    true = max(float(world.cache.get(cx, cy).height.max()) for cy in range(cy0, cy1 + 1)
               for cx in range(cx0, cx1 + 1))
    assert sc.max_height >= true and sc.max_height <= float(sc.ring.height.max()) + 1e-3
    # and it follows terrain edits written into the ring
    ring = world.cache.ring.height
    iy, ix = np.unravel_index(int(np.argmax(ring)), ring.shape)
    p = world.s.player
    x = p.x + ((ix - math.floor(p.x)) & MAP_MASK) - (((ix - math.floor(p.x)) & MAP_MASK) >= 512) * 1024
    y = p.y + ((iy - math.floor(p.y)) & MAP_MASK) - (((iy - math.floor(p.y)) & MAP_MASK) >= 512) * 1024
    world.apply({"op": "terrain", "action": "raise", "x": float(x), "y": float(y), "radius": 6, "amount": 40})
    try:
        raised = world.scene().max_height
        assert raised >= true + 20 and math.isclose(raised, float(world.cache.ring.height.max()), abs_tol=1e-3)
    finally:
        world.apply({"op": "undo"})
    assert math.isclose(world.scene().max_height, float(world.cache.ring.height.max()), abs_tol=1e-3)


# ---------------------------------------------------------------------------------------------- advance, cameras
def test_advance_is_step_without_drawing():
    a, b = Session(seed=5, width=64, height=36), Session(seed=5, width=64, height=36)
    try:
        for s in (a, b):
            s.apply({"op": "eruption", "strength": 0.5})
            s.apply({"op": "weather", "kind": "rain"})
            s.apply({"op": "spawn", "kind": "villager", "count": 2, "where": "ahead"})
            s.step({"forward", "jump"}, 0.2)              # in the air: advance must keep the physics going
        for dt in (1 / 30, 0.1, 0.25, 1 / 60) * 5:
            a.step(set(), dt)
            assert b.advance(dt) is None
        assert a.state() == b.state()
        assert np.array_equal(a.frame(), b.frame())
        with pytest.raises(ValueError):
            b.advance(-1.0)
    finally:
        a.close()
        b.close()


def test_render_from_changes_nothing_and_forces_no_reload():
    s = Session(seed=7, width=96, height=54)
    try:
        s.apply({"op": "time", "hour": 12, "speed": 0})
        s.step(set(), 1 / 30)
        cache = s.world.cache
        before = s.state()
        p = before["player"]
        for k in range(20):                               # a camera flying away from the player, 300 m out
            x, y = p["x"] + 15.0 * k, p["y"] + 5.0 * k
            s.render_from(x, y, s.world.land.ground(x, y) + 20.0, 0.3, -0.1)
            w0 = cache.writes
            s.advance(1 / 30)
            assert cache.writes - w0 <= 9, "advancing after a far camera rewrote the ring"
        assert {k: v for k, v in s.state().items() if k != "time"} == \
               {k: v for k, v in before.items() if k != "time"}
        # a camera close to the player costs the next step (which draws the player's view) at most a chunk row
        s.render_from(p["x"] - 10.0, p["y"], p["z"] + 3.0, 0.0, 0.0)
        s.step(set(), 1 / 30)
        w0 = cache.writes
        s.render_from(p["x"] - 30.0, p["y"] + 10.0, p["z"] + 8.0, 0.5, -0.2)
        s.step(set(), 1 / 30)
        assert cache.writes - w0 <= 2 * (2 * DRAW_DISTANCE // CHUNK + 3)
    finally:
        s.close()


def test_ring_cells_near_the_player_are_right_after_a_far_camera():
    s = Session(seed=7, width=64, height=36)
    try:
        p = s.state()["player"]
        s.render_from(p["x"] + 900.0, p["y"] + 700.0, 200.0, 0.0, 0.0)   # aliases the player's ring slots
        s.advance(1 / 30)
        ring = s.world.cache.ring
        ix, iy = int(math.floor(p["x"])), int(math.floor(p["y"]))
        want = s.world.cache.heights(ix - 40, iy - 40, 80, 80)
        ys = (np.arange(iy - 40, iy + 40) & MAP_MASK)[:, None]
        xs = (np.arange(ix - 40, ix + 40) & MAP_MASK)[None, :]
        assert np.array_equal(ring.height[ys, xs], want)
        assert s.state()["player"]["z"] == pytest.approx(p["z"], abs=1e-4)
    finally:
        s.close()
