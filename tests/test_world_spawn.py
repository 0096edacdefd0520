"""Spawn view: a fresh world starts with nothing in the view wedge for about 12 m, toward the volcano, per seed."""
import math

import pytest

from oyster.world import spawn, terrain
from oyster.world.state import wrap_angle
from oyster.world.world import World


@pytest.mark.parametrize("seed", [0, 2, 6, 42, 99])
def test_start_pose_sees_the_world(seed):
    with World(seed, background=False) as w, World(seed, background=False) as again:
        x, y, yaw = w.start
        p = w.s.player
        assert (p.x, p.y, p.yaw) == pytest.approx((x, y, yaw))
        assert spawn.view_clear(w, x, y, yaw) >= 0.9 * spawn.CLEAR_M      # no tree filling the view
        assert terrain.walkable(seed, math.floor(x), math.floor(y))
        vx, vy, _, _ = terrain.volcano_site(seed)
        assert abs(wrap_angle(math.atan2(vy - y, vx - x) - yaw)) <= math.radians(30) + 1e-9
        sx, sy = terrain.spawn_point(seed)
        assert math.hypot(x - sx, y - sy) <= 24.0
        assert again.start == w.start                                       # deterministic per seed


def test_seed_0_no_longer_spawns_behind_a_tree():
    with World(0, background=False) as w:
        x0, y0 = terrain.spawn_point(0)
        vx, vy, _, _ = terrain.volcano_site(0)
        assert spawn.view_clear(w, x0, y0, math.atan2(vy - y0, vx - x0)) < 3.0   # the old pose: a tree ahead
        assert spawn.view_clear(w, *w.start) >= spawn.CLEAR_M


def test_teleport_to_start_returns_to_the_start_pose():
    with World(6, background=False) as w:
        w.apply({"op": "teleport", "target": "volcano"})
        w.apply({"op": "teleport", "target": "start"})
        p = w.s.player
        assert (p.x, p.y, p.yaw) == pytest.approx(w.start)
