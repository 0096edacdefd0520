"""World as state plus named services: outside modules reach it only through methods and services, and the
methods that replaced direct field access (acting as a body, stepping several bodies, rewinding) keep behaviour."""
import ast
from pathlib import Path

import pytest

from oyster.world.state import Player
from oyster.world.world import World

ROOT = Path(__file__).resolve().parent.parent
# the World's state (chunk cache included): private to the world's own modules (its services, present, persist)
STATE = {"s", "cache", "undo_stack", "terrain_edits", "uid", "entities", "pending_look"}
# ops.py resolves edits through the services only: not even the eruption list or the log
OPS_ALSO = {"eruptions", "log"}
WORLD_NAMES = {"world", "w"}


def _reaches(path: Path, forbidden: set) -> list[str]:
    """`world.<field>` / `self.world.<field>` / `w.<field>` reads or writes of forbidden or private fields."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if not isinstance(node, ast.Attribute):
            continue
        base = node.value
        name = base.id if isinstance(base, ast.Name) else base.attr if isinstance(base, ast.Attribute) else None
        if name in WORLD_NAMES and (node.attr in forbidden or node.attr.startswith("_")):
            out.append(f"{path.relative_to(ROOT)}:{node.lineno} {name}.{node.attr}")
    return out


def test_ops_touches_the_world_only_through_services_and_methods():
    assert _reaches(ROOT / "oyster/world/ops.py", STATE | OPS_ALSO) == []


def test_modules_outside_the_world_room_do_not_reach_into_world_state():
    found = []
    for path in sorted((ROOT / "oyster").rglob("*.py")):
        if "world" not in path.relative_to(ROOT / "oyster").parts[:1]:
            found += _reaches(path, STATE)
    assert found == []


@pytest.fixture(scope="module")
def world():
    w = World(3, background=False)
    yield w
    w.close()


def test_acting_as_puts_the_anchor_and_look_back_even_on_error(world):
    anchor, other = world.player, Player(x=5.0, y=6.0)
    with pytest.raises(RuntimeError):
        with world.acting_as(other, (0.1, 0.0)) as look_left:
            assert world.player is other and look_left() == (0.1, 0.0)
            raise RuntimeError("boom")
    assert world.player is anchor and world.pending_look == (0.0, 0.0)
    with world.acting_as(None):                       # a watcher: the world's own player acts
        assert world.player is anchor


def test_rewind_takes_back_changes_and_their_log(world):
    mark = world.checkpoint()
    before = (world.conditions.weather(), world.conditions.gravity, world.things.spawned_count())
    world.apply({"op": "weather", "kind": "snow", "intensity": 0.5})
    world.apply({"op": "gravity", "scale": 2.0})
    world.apply({"op": "spawn", "kind": "rock", "count": 2})
    assert world.undo_depth() == mark[0] + 3
    assert world.rewind(mark)
    assert (world.conditions.weather(), world.conditions.gravity, world.things.spawned_count()) == before
    assert world.checkpoint() == mark
    world.apply({"op": "gravity", "scale": 0.5})
    inner = world.checkpoint()
    world.apply({"op": "undo"})                       # takes back a change from before `inner`
    assert not world.rewind(inner)


def test_stepping_one_body_matches_a_private_step():
    a, b = World(5, background=False), World(5, background=False)
    try:
        held = frozenset({"forward", "turn_left"})
        look = (0.02, -0.01)
        pending = look
        for _ in range(20):
            a.step(held, 1 / 30, look)
            pending = b.step_bodies([(b.player, held, pending)], 1 / 30)[0]
            pending = (pending[0] + look[0], pending[1] + look[1])
        pa, pb = a.player, b.player
        assert (pa.x, pa.y, pa.z, pa.yaw, pa.pitch, a.tick) == (pb.x, pb.y, pb.z, pb.yaw, pb.pitch, b.tick)
    finally:
        a.close()
        b.close()


def test_service_setters_return_exact_undos(world):
    c = world.conditions
    hour, clock = c.hour(), c.clock()
    speed, undo = c.set_time(30.0, None)          # wraps to 6:00, keeps the speed
    assert speed == clock.speed and c.hour() == pytest.approx(6.0)
    undo()
    assert c.clock() == clock and c.hour() == hour
    ids, undo = world.things.add("tree", [[1.0, 2.0], [3.0, 4.0]])
    assert {world.things.kind(i) for i in ids} == {"tree"}
    undo()
    assert all(world.things.kind(i) is None for i in ids)
    g0 = world.land.ground(10.0, 10.0)
    undo = world.land.sculpt("raise", 10.0, 10.0, 6.0, 3.0, 0.0)
    assert world.land.ground(10.0, 10.0) > g0 + 1.0
    undo()
    assert world.land.ground(10.0, 10.0) == g0
