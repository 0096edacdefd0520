"""The edit handlers: resolve each op to absolute values, change the world through its services, return an undo.

`World.apply` validates an edit, calls its handler here and keeps the log and the undo stack. Each handler first
does everything that can fail (lookups, limits) and only then changes the world, so a ValueError leaves it
untouched. Handlers touch the World only through its services (`things`, `land`, `conditions`) and methods.
Resolved edits carry what they depended on (positions, ids, the pose before a teleport), so replaying the log from
a share code reproduces the same world, undo stack included.
"""
import math

from . import places
from .caps import MAX_SPAWNED
from .kinds import CHARACTER_KINDS
from .scene import DRAW_DISTANCE
from .state import rng

AHEAD = 10.0                # metres in front of the player for "ahead"
CROWD = 30.0                # metres: villagers this close all follow a character edit without a target


def _recipe(world, e):
    """Change the world's recipe live: nearby chunks regenerate over the next frames (see ChunkCache.set_recipe);
    a preset also brings its gravity. Resolved to the whole new recipe, so a replay never re-reads presets."""
    from .recipe import from_doc, preset
    if "recipe" in e:
        new = from_doc(e["recipe"])
    else:
        base = preset(e["preset"]) if "preset" in e else world.recipe
        new = base.changed(e.get("changes", {}))
    before = world.recipe
    world.set_recipe(new)
    undo_gravity = world.conditions.set_gravity(new.gravity) if "preset" in e else None
    out = {"op": "recipe", "recipe": new.to_compact_doc()}
    if "preset" in e:
        out["preset"] = e["preset"]

    def undo():
        world.set_recipe(before)
        if undo_gravity is not None:
            undo_gravity()
    return out, undo


def _ahead(world, dist: float) -> tuple[float, float]:
    p = world.player
    return p.x + dist * math.cos(p.yaw), p.y + dist * math.sin(p.yaw)


# ---------------------------------------------------------------------------------------------- environment
def _weather(world, e):
    return e, world.conditions.set_weather(e["kind"], e["intensity"])


def _time(world, e):
    speed, undo = world.conditions.set_time(e["hour"], e.get("speed"))
    return {**e, "speed": speed}, undo


def _gravity(world, e):
    return e, world.conditions.set_gravity(e["scale"])


# ---------------------------------------------------------------------------------------------- entities
def _spawn(world, e):
    if world.things.spawned_count() + e["count"] > MAX_SPAWNED:
        raise ValueError(f"too many spawned things (at most {MAX_SPAWNED}); remove some first")
    if "at" not in e:
        e = {**e, "at": _spawn_points(world, e)}
    e.pop("where", None), e.pop("x", None), e.pop("y", None)
    _, undo = world.things.add(e["kind"], e["at"])
    return e, undo


def _spawn_points(world, e) -> list:
    """Where `count` new things go: ahead of the player, at it, around it, or around (x, y); seeded spread."""
    p = world.player
    big = 4.0 if e["kind"] == "house" else 1.0
    if "x" in e:
        cx, cy, spread = e["x"], e["y"], 3.0 * big
    elif e["where"] == "here":
        cx, cy, spread = p.x, p.y, 2.0 * big
    elif e["where"] == "around":
        cx, cy, spread = p.x, p.y, 0.0
    else:
        cx, cy = _ahead(world, AHEAD * big if big > 1 else AHEAD)
        spread = 3.0 * big
    r = rng(world.seed, 0x5BA7, world.things.ids_given())
    pts = []
    for k in range(e["count"]):
        if e["where"] == "around" and "x" not in e:
            a = 2 * math.pi * (k + r.uniform(0, 0.5)) / e["count"] + p.yaw
            d = (6.0 + r.uniform(0, 6.0)) * big
            pts.append([cx + d * math.cos(a), cy + d * math.sin(a)])
        elif k == 0:
            pts.append([cx, cy])
        else:
            a, d = r.uniform(0, 2 * math.pi), spread * math.sqrt(k) * r.uniform(0.8, 1.2)
            pts.append([cx + d * math.cos(a), cy + d * math.sin(a)])
    return pts


def _remove(world, e):
    things, p = world.things, world.player
    if "targets" in e:
        targets = e["targets"]
    elif "target" in e:
        targets = [e["target"]]
    else:
        kinds = (e["kind"],) if "kind" in e else None
        near = things.near(p.x, p.y, e.get("radius", DRAW_DISTANCE), kinds)
        if not near:
            what = e.get("kind", "thing")
            raise ValueError(f"no {what} within {e.get('radius', DRAW_DISTANCE):g} m to remove")
        targets = [n[1] for n in near] if "radius" in e else [near[0][1]]
    for t in targets:
        if things.kind(t) is None:
            raise ValueError(f"no entity with id {t!r} (already removed, or never existed)")
    if len(set(targets)) != len(targets):
        raise ValueError("remove.targets lists an id twice")
    e = {"op": "remove", "targets": list(targets)}
    return e, things.take_away(e["targets"])


def _character(world, e):
    things, p = world.things, world.player
    action = "idle" if e["action"] == "stop" else e["action"]
    if "targets" in e:
        targets, at = e["targets"], e["at"]
        for t in targets:
            if things.kind(t) not in CHARACTER_KINDS:
                raise ValueError(f"{t!r} is not a villager or animal here")
    else:
        if "target" in e:
            if things.kind(e["target"]) not in CHARACTER_KINDS:
                raise ValueError(f"{e['target']!r} is not a villager or animal here")
            targets = [e["target"]]
        else:
            near = things.near(p.x, p.y, CROWD, ("villager",))
            near = near or things.near(p.x, p.y, 80.0, CHARACTER_KINDS)[:1]
            if not near:
                raise ValueError("there is no villager or animal nearby")
            targets = [n[1] for n in near]
        at = []
        for t in targets:
            pose = things.pose(t)
            if pose is None:
                raise ValueError(f"{t!r} is too far away to direct")
            at.append(list(pose))
        if action == "flee":     # run straight away from the player (the heading is the escape direction)
            at = [[x, y, math.atan2(y - p.y, x - p.x)] for x, y, _ in at]
    if len(set(targets)) != len(targets):
        raise ValueError("character.targets lists an id twice")
    e = {"op": "character", "action": e["action"], "targets": list(targets), "at": at}
    return e, things.direct(action, targets, at)


# ---------------------------------------------------------------------------------------------- places
def _teleport(world, e):
    p = world.player
    frm = e.get("from") or [p.x, p.y, p.z, p.yaw, p.pitch]     # where undo goes back to (replays exactly)
    if "target" in e:
        x, y, face = places.landing(world, e["target"])
        e = {"op": "teleport", "x": x, "y": y,
             "yaw": e["yaw"] if e.get("yaw") is not None else face,
             "pitch": e["pitch"] if e.get("pitch") is not None else 0.0}
    e = {"op": "teleport", "x": e["x"], "y": e["y"],
         "yaw": e["yaw"] if e.get("yaw") is not None else p.yaw,
         "pitch": e["pitch"] if e.get("pitch") is not None else p.pitch, "from": frm}
    world.place_player(e["x"], e["y"], e["yaw"], max(-0.9, min(0.9, e["pitch"])))

    def undo():
        world.place_player(frm[0], frm[1], frm[3], frm[4], z=frm[2], exact=True)
    return e, undo


def _terrain(world, e):
    p = world.player
    if "x" in e:
        x, y = e["x"], e["y"]
    elif e["where"] == "here":
        x, y = p.x, p.y
    else:
        x, y = _ahead(world, max(AHEAD, e["radius"] * 1.2))
    level = e.get("level")
    if e["action"] == "flatten" and level is None:
        level = world.land.ground(x, y)
    e = {"op": "terrain", "action": e["action"], "x": x, "y": y, "radius": e["radius"], "amount": e["amount"]}
    if level is not None:
        e["level"] = level
    return e, world.land.sculpt(e["action"], x, y, e["radius"], e["amount"], level or 0.0)


def _eruption(world, e):
    """Strength 0 ends the running eruption (emission stops now, the lava freezes within a few seconds)."""
    return e, (world.end_eruption() if e["strength"] == 0.0 else world.erupt(e["strength"]))


HANDLERS = {"weather": _weather, "time": _time, "gravity": _gravity, "spawn": _spawn, "remove": _remove,
            "teleport": _teleport, "eruption": _eruption, "character": _character, "terrain": _terrain,
            "recipe": _recipe}
