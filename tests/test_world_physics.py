"""Player physics: fixed steps, jumping under gravity, ground following, slopes, water, collisions."""
import math

import pytest

from oyster.world import physics
from oyster.world.scene import WATER_LEVEL
from oyster.world.state import DT
from oyster.world.world import World


@pytest.fixture(scope="module")
def world():
    w = World(7, background=False)
    yield w
    w.close()


def _fresh(world: World, x: float = None, y: float = None) -> World:
    """Put the module's world back to a plain state at (x, y) (default: the spawn point)."""
    world.s.gravity = 1.0
    p = world.s.player
    if x is None:
        world.apply({"op": "teleport", "target": "start"})
    else:
        world.place_player(x, y, p.yaw, 0.0)
    return world


def _airtime(world: World, gravity: float) -> tuple[float, float]:
    """(take-off vertical speed, seconds in the air) of one jump on the spot."""
    _fresh(world)
    world.apply({"op": "gravity", "scale": gravity})
    for _ in range(10):
        world.step(frozenset(), DT)
    world.step({"jump"}, DT)
    v0 = world.s.player.vz + physics.EARTH_G * gravity * DT   # speed before this step's gravity
    assert not world.s.player.on_ground
    ticks = 1
    while not world.s.player.on_ground:
        world.step(frozenset(), DT)
        ticks += 1
        assert ticks < 60 * 60
    return v0, ticks * DT


def test_jump_takeoff_speed_same_and_airtime_scales_as_one_over_g(world):
    v_earth, t_earth = _airtime(world, 1.0)
    v_moon, t_moon = _airtime(world, 0.165)
    assert v_earth == pytest.approx(v_moon)
    assert t_earth == pytest.approx(2 * v_earth / physics.EARTH_G, abs=0.05)
    assert t_moon / t_earth == pytest.approx(1 / 0.165, rel=0.05)


def test_fixed_steps_do_not_depend_on_frame_rate():
    a, b = World(3, background=False), World(3, background=False)
    try:
        held = {"forward", "turn_left"}
        for _ in range(60):
            a.step(held, 1 / 30)
        for _ in range(40):
            b.step(held, 1 / 20)
        assert a.s.tick == b.s.tick
        pa, pb = a.s.player, b.s.player
        assert (pa.x, pa.y, pa.z, pa.yaw) == (pb.x, pb.y, pb.z, pb.yaw)
    finally:
        a.close()
        b.close()


def test_walk_is_relative_to_yaw_and_strafe_goes_right(world):
    _fresh(world)
    p = world.s.player
    world.place_player(p.x, p.y, math.pi / 2, 0.0)      # facing +y (north)
    x0, y0 = p.x, p.y
    world.step({"forward"}, 0.25)
    assert p.y - y0 > 0.5 and abs(p.x - x0) < 0.2
    x0, y0 = p.x, p.y
    world.step({"right"}, 0.25)                          # right of north is east
    assert p.x - x0 > 0.5 and abs(p.y - y0) < 0.2


def test_sprint_is_faster_and_look_is_clamped(world):
    _fresh(world)
    p = world.s.player
    x0, y0 = p.x, p.y
    world.step({"forward"}, 0.25)
    walk = math.hypot(p.x - x0, p.y - y0)
    x0, y0 = p.x, p.y
    world.step({"forward", "sprint"}, 0.25)
    assert math.hypot(p.x - x0, p.y - y0) > 1.5 * walk
    for _ in range(20):
        world.step({"look_up"}, 0.25)
    assert p.pitch == pytest.approx(physics.CONFIG.max_pitch)


def test_never_below_ground_on_rough_terrain(world):
    """Sprinting and jumping across the mountains: the feet never end up under the terrain."""
    world.apply({"op": "teleport", "target": "mountain"})
    p = world.s.player
    for k in range(400):
        held = {"forward", "sprint"} | ({"turn_left"} if (k // 40) % 2 else set())
        held |= {"jump"} if k % 50 == 0 else set()
        world.step(held, 1 / 30)
        sup, _ = physics.support(world.cache.ring.height, p.x, p.y)
        assert p.z >= sup - 1e-6
        assert p.z >= world.land.ground(p.x, p.y) - 1e-3 or p.in_water


def test_slope_limit_blocks_a_cliff(world):
    """A 30 m bump 8 m wide is far steeper than 45 degrees: walking into it you stay at its foot."""
    _fresh(world)
    p = world.s.player
    z0 = p.z
    world.apply({"op": "terrain", "action": "raise", "radius": 8.0, "amount": 30.0})
    try:
        for _ in range(120):
            world.step({"forward"}, 1 / 30)
        assert p.z < z0 + 6.0
    finally:
        world.apply({"op": "undo"})


def test_water_floats_at_the_surface_and_slows(world):
    world.apply({"op": "teleport", "target": "lake"})
    p = world.s.player
    world.step(frozenset(), 0.25)
    assert p.in_water
    assert p.z == pytest.approx(WATER_LEVEL - physics.CONFIG.swim_depth)
    assert world.land.ground(p.x, p.y) < p.z                    # floating above the lake floor, not on it
    x0, y0 = p.x, p.y
    world.step({"forward"}, 0.25)
    moved = math.hypot(p.x - x0, p.y - y0)
    assert moved < physics.CONFIG.walk * 0.25 * 0.75


def _walk_into(world: World, ox: float, oy: float, radius: float, seconds: float = 4.0) -> float:
    """Stand 6 m + radius from (ox, oy), face it, walk into it; returns the smallest centre distance seen."""
    d0 = radius + 6.0
    world.place_player(ox - d0, oy, 0.0, 0.0)
    p = world.s.player
    closest = math.inf
    for _ in range(int(seconds * 60)):
        world.step({"forward", "sprint"}, DT)
        closest = min(closest, math.hypot(p.x - ox, p.y - oy))
    return closest


def test_cannot_walk_through_a_house(world):
    _fresh(world)
    p = world.s.player
    e = world.apply({"op": "spawn", "kind": "house", "x": p.x + 40.0, "y": p.y})
    try:
        (hx, hy), = e["at"]
        r = world.entities.spawned["s" + str(world.entities.counter)].radius
        closest = _walk_into(world, hx, hy, r)
        assert closest >= r + physics.CONFIG.radius - 1e-3
        assert world.s.player.x < hx                     # still on the near side
    finally:
        world.apply({"op": "undo"})


def test_cannot_walk_through_a_generated_tree(world):
    world.apply({"op": "teleport", "target": "forest"})
    p = world.s.player
    near = world.things.near(p.x, p.y, 200.0, ("tree", "pine"))
    assert near, "a forest has trees"
    _, ident, _, tx, ty, r, _ = near[0]
    closest = _walk_into(world, tx, ty, r, seconds=3.0)
    assert closest >= r + physics.CONFIG.radius - 1e-3


def test_spawned_rock_on_the_player_pushes_it_out(world):
    _fresh(world)
    p = world.s.player
    world.apply({"op": "spawn", "kind": "rock", "where": "here"})
    try:
        world.step(frozenset(), DT * 2)
        rock = world.entities.spawned["s" + str(world.entities.counter)]
        assert math.hypot(p.x - rock.x, p.y - rock.y) >= rock.radius + physics.CONFIG.radius - 1e-3
    finally:
        world.apply({"op": "undo"})
