"""Applying typed edits to a World: resolve each op to absolute values, change the world, return an undo.

Each `_op` function first does everything that can fail (lookups, limits) and only then mutates, so a ValueError
leaves the world untouched. Resolved edits carry what they depended on (positions, ids, the pose before a
teleport), so replaying the log from a share code reproduces the same world, undo stack included.
"""
import copy
import math

import numpy as np

from . import terrain, volcano
from .characters import Override
from .edits import MAX_SPAWNED, validate
from .entities import Spawned
from .kinds import CHARACTER_KINDS
from .scene import CHUNK, DRAW_DISTANCE
from .sculpt import Shape
from .state import EARTH_G, Clock, rng

MAX_LOG = 400               # edits kept in the log (and so in a share code)
AHEAD = 10.0                # metres in front of the player for "ahead"
VOLCANO_VIEW = 240.0       # metres from the crater where teleport "volcano" lands
VILLAGE_VIEW = 9.0          # metres from the campfire where teleport "village" lands
CROWD = 30.0                # metres: villagers this close all follow a character edit without a target


def apply(world, edit) -> dict:
    """Validate, resolve and apply one edit; returns the resolved edit (as logged). ValueError changes nothing."""
    e = validate(edit)
    if len(world.log) >= MAX_LOG:
        raise ValueError(f"the edit log is full ({MAX_LOG} edits); start a new world to keep editing")
    if e["op"] == "undo":
        if not world.undo_stack:
            raise ValueError("nothing to undo")
        world.undo_stack.pop()()
        undo = None
    else:
        e, undo = HANDLERS[e["op"]](world, e)
    world.log.append({"t": world.s.tick, "edit": e})
    if undo is not None:
        world.undo_stack.append(undo)
    return e


def _recipe(world, e):
    """Change the world's recipe live: nearby chunks regenerate over the next frames (see ChunkCache.set_recipe);
    a preset also brings its gravity. Resolved to the whole new recipe, so a replay never re-reads presets."""
    from .recipe import from_doc, preset
    if "recipe" in e:
        new = from_doc(e["recipe"])
    else:
        base = preset(e["preset"]) if "preset" in e else world.recipe
        new = base.changed(e.get("changes", {}))
    before, g0 = world.recipe, world.s.gravity
    world.set_recipe(new)
    if "preset" in e:
        world.s.gravity = new.gravity
    out = {"op": "recipe", "recipe": new.to_compact_doc()}
    if "preset" in e:
        out["preset"] = e["preset"]

    def undo():
        world.set_recipe(before)
        world.s.gravity = g0
    return out, undo


def _ahead(world, dist: float) -> tuple[float, float]:
    p = world.s.player
    return p.x + dist * math.cos(p.yaw), p.y + dist * math.sin(p.yaw)


# ---------------------------------------------------------------------------------------------- environment
def _weather(world, e):
    w = world.s.weather
    before = (w.kind, w.intensity)
    w.kind, w.intensity = e["kind"], e["intensity"]

    def undo():
        w.kind, w.intensity = before
    return e, undo


def _time(world, e):
    s = world.s
    before = copy.copy(s.clock)
    speed = s.clock.speed if e.get("speed") is None else e["speed"]
    e = {**e, "speed": speed}
    s.clock = Clock(e["hour"] % 24.0, s.tick, speed)

    def undo():
        s.clock = before
    return e, undo


def _gravity(world, e):
    s = world.s
    before = s.gravity
    s.gravity = e["scale"]

    def undo():
        s.gravity = before
    return e, undo


# ---------------------------------------------------------------------------------------------- entities
def _spawn(world, e):
    ents = world.entities
    if len(ents.spawned) + e["count"] > MAX_SPAWNED:
        raise ValueError(f"too many spawned things (at most {MAX_SPAWNED}); remove some first")
    if "at" not in e:
        e = {**e, "at": _spawn_points(world, e)}
    e.pop("where", None), e.pop("x", None), e.pop("y", None)
    ids = []
    for x, y in e["at"]:
        ident = ents.new_id()
        ents.spawned[ident] = Spawned(ident, e["kind"], x, y)
        ids.append(ident)
    ents.version += 1

    def undo():
        for i in ids:
            ents.spawned.pop(i, None)
            ents.overrides.pop(i, None)
        ents.version += 1            # the counter stays: an id is never given to two different things
    return e, undo


def _spawn_points(world, e) -> list:
    """Where `count` new things go: ahead of the player, at it, around it, or around (x, y); seeded spread."""
    p = world.s.player
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
    r = rng(world.seed, 0x5BA7, world.entities.counter)
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
    ents, p = world.entities, world.s.player
    if "targets" in e:
        targets = e["targets"]
    elif "target" in e:
        targets = [e["target"]]
    else:
        kinds = (e["kind"],) if "kind" in e else None
        near = world.entities_near(p.x, p.y, e.get("radius", DRAW_DISTANCE), kinds)
        if not near:
            what = e.get("kind", "thing")
            raise ValueError(f"no {what} within {e.get('radius', DRAW_DISTANCE):g} m to remove")
        targets = [n[1] for n in near] if "radius" in e else [near[0][1]]
    for t in targets:
        if world.entity_kind(t) is None:
            raise ValueError(f"no entity with id {t!r} (already removed, or never existed)")
    if len(set(targets)) != len(targets):
        raise ValueError("remove.targets lists an id twice")
    e = {"op": "remove", "targets": list(targets)}
    gone = {t: ents.spawned.pop(t) for t in targets if t in ents.spawned}
    generated = [t for t in targets if t not in gone]
    ents.removed.update(generated)
    overrides = {t: ents.overrides.pop(t) for t in targets if t in ents.overrides}
    ents.version += 1
    ents.removed_rev += 1

    def undo():
        ents.spawned.update(gone)
        ents.spawned = dict(sorted(ents.spawned.items(), key=lambda kv: int(kv[0][1:])))
        ents.removed.difference_update(generated)
        ents.overrides.update(overrides)
        ents.version += 1
        ents.removed_rev += 1
    return e, undo


def _character(world, e):
    ents, p = world.entities, world.s.player
    action = "idle" if e["action"] == "stop" else e["action"]
    if "targets" in e:
        targets, at = e["targets"], e["at"]
        for t in targets:
            if world.entity_kind(t) not in CHARACTER_KINDS:
                raise ValueError(f"{t!r} is not a villager or animal here")
    else:
        if "target" in e:
            if world.entity_kind(e["target"]) not in CHARACTER_KINDS:
                raise ValueError(f"{e['target']!r} is not a villager or animal here")
            targets = [e["target"]]
        else:
            near = world.entities_near(p.x, p.y, CROWD, ("villager",))
            near = near or world.entities_near(p.x, p.y, 80.0, CHARACTER_KINDS)[:1]
            if not near:
                raise ValueError("there is no villager or animal nearby")
            targets = [n[1] for n in near]
        at = []
        for t in targets:
            pose = world.character_pose(t)
            if pose is None:
                raise ValueError(f"{t!r} is too far away to direct")
            at.append(list(pose))
        if action == "flee":     # run straight away from the player (the heading is the escape direction)
            at = [[x, y, math.atan2(y - p.y, x - p.x)] for x, y, _ in at]
    if len(set(targets)) != len(targets):
        raise ValueError("character.targets lists an id twice")
    e = {"op": "character", "action": e["action"], "targets": list(targets), "at": at}
    before = {t: ents.overrides.get(t) for t in targets}
    for t, (x, y, hd) in zip(targets, at, strict=True):
        o = Override(action, world.s.tick, x, y, hd)
        if action == "walk":     # wander on from here: shift home so the wander path passes through (x, y)
            ents.overrides.pop(t, None)
            ax, ay, _ = world.character_pose(t)
            o.dhx, o.dhy = x - ax, y - ay
        ents.overrides[t] = o

    def undo():
        for t, o in before.items():
            if o is None:
                ents.overrides.pop(t, None)
            else:
                ents.overrides[t] = o
    return e, undo


# ---------------------------------------------------------------------------------------------- places
def _teleport(world, e):
    p = world.s.player
    frm = e.get("from") or [p.x, p.y, p.z, p.yaw, p.pitch]     # where undo goes back to (replays exactly)
    if "target" in e:
        x, y, face = _feature(world, e["target"])
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


def _feature(world, name: str) -> tuple[float, float, float]:
    """(x, y, yaw) to land at for a named place; the volcano is viewed from its flank, facing the crater."""
    p = world.s.player
    if name == "start":
        return world.start
    got = terrain.find_feature(world.seed, name, p.x, p.y, world.recipe)
    if got is None:
        raise ValueError(f"there is no {name} within reach of here")
    x, y = got
    if name == "volcano":     # stand back on dry land where the whole cone is in view, facing the crater
        a0 = math.atan2(p.y - y, p.x - x) if (p.x, p.y) != (x, y) else 0.0
        for k in range(12):
            a = a0 + (k + 1) // 2 * (math.pi / 6) * (1 if k % 2 else -1)
            vx, vy = x + VOLCANO_VIEW * math.cos(a), y + VOLCANO_VIEW * math.sin(a)
            if terrain.height_at(world.seed, vx, vy, world.recipe) > 1.0:
                return vx, vy, a + math.pi
        return vx, vy, a + math.pi
    if name == "village":     # stand among the houses a few metres from the campfire, facing it
        return _clear_spot(world, x, y, VILLAGE_VIEW)
    return x, y, p.yaw


def _clear_spot(world, x: float, y: float, dist: float) -> tuple[float, float, float]:
    """(x, y, yaw facing the centre) of the first point `dist` from (x, y), starting on the player's side, that
    keeps 1.5 m clear of every object (houses, trees, the campfire)."""
    p = world.s.player
    objs = []
    for cy in range(math.floor((y - dist - 16) / CHUNK), math.floor((y + dist + 16) / CHUNK) + 1):
        for cx in range(math.floor((x - dist - 16) / CHUNK), math.floor((x + dist + 16) / CHUNK) + 1):
            c = world.cache.get(cx, cy)
            keep = c.alive & ~c.is_char
            objs += [(float(c.xyz[k, 0]), float(c.xyz[k, 1]), float(c.radius[k])) for k in np.flatnonzero(keep)]
    a0 = math.atan2(p.y - y, p.x - x) if (p.x, p.y) != (x, y) else 0.0
    best = None
    for k in range(24):
        a = a0 + (k + 1) // 2 * (math.pi / 12) * (1 if k % 2 else -1)
        sx, sy = x + dist * math.cos(a), y + dist * math.sin(a)
        room = min((math.hypot(sx - ox, sy - oy) - r for ox, oy, r in objs), default=99.0)
        if best is None or room > best[0]:
            best = (room, sx, sy, a + math.pi)
        if room >= 1.5:
            break
    return best[1], best[2], best[3]


def _terrain(world, e):
    p = world.s.player
    if "x" in e:
        x, y = e["x"], e["y"]
    elif e["where"] == "here":
        x, y = p.x, p.y
    else:
        x, y = _ahead(world, max(AHEAD, e["radius"] * 1.2))
    level = e.get("level")
    if e["action"] == "flatten" and level is None:
        level = world.ground(x, y)
    e = {"op": "terrain", "action": e["action"], "x": x, "y": y, "radius": e["radius"], "amount": e["amount"]}
    if level is not None:
        e["level"] = level
    shape = Shape(world.uid + 1, e["action"], x, y, e["radius"], e["amount"], level or 0.0)
    if world.blocked_by_lava(shape):
        raise ValueError("lava is still flowing there; wait until it has cooled")
    world.uid += 1
    world.terrain_edits.append(shape)
    world.rebuild(shape)

    def undo():
        world.terrain_edits.remove(shape)
        world.rebuild(shape)
    return e, undo


def _eruption(world, e):
    if e["strength"] == 0.0:
        return _end_eruption(world, e)
    if world.active_eruption() is not None:
        raise ValueError("the volcano is already erupting")
    if not world.recipe.terrain.volcano:
        raise ValueError("this world has no volcano")
    world.uid += 1
    er = volcano.start(world.seed, world.uid, world.s.tick, e["strength"], EARTH_G * world.s.gravity,
                       world.cache.heights)
    world.eruptions.append(er)
    b = er.crater_box()            # light the crater lake now
    world.cache.refresh(er.x0 + b[0], er.y0 + b[1], er.x0 + b[2], er.y0 + b[3])

    def undo():
        world.eruptions.remove(er)
        for k, t in enumerate(world.terrain_edits):
            if getattr(t, "uid", None) == er.uid and not isinstance(t, Shape):
                del world.terrain_edits[k]
                break
        x0, y0, x1, y1 = er.world_box()
        if x1 >= x0:
            world.cache.refresh(x0 - 1, y0 - 1, x1 + 1, y1 + 1, rebuild=True)
    return e, undo


def _end_eruption(world, e):
    """Strength 0 ends the running eruption: emission stops now and the lava freezes within a few seconds."""
    er = world.active_eruption()
    if er is None or er.end_s < math.inf:
        raise ValueError("the volcano is not erupting")
    er.end(world.s.tick)

    def undo():
        er.end_s = math.inf
    return e, undo


HANDLERS = {"weather": _weather, "time": _time, "gravity": _gravity, "spawn": _spawn, "remove": _remove,
            "teleport": _teleport, "eruption": _eruption, "character": _character, "terrain": _terrain,
            "recipe": _recipe}
