"""Typed edits: validate, resolve against the world, apply, and undo. The single door for every change.

`validate` checks an edit dict on its own (types, ranges, names) and returns a normalised copy. `ops.apply`
then resolves everything that depends on the moment (positions "ahead", the nearest villager, the current pose)
into absolute values, changes the world (its undo goes on the world's undo stack) and returns the resolved edit.
Anything that can fail fails before the world is touched, so a rejected edit changes nothing. The resolved edit
replays exactly (share codes).
"""
import math

from .kinds import ACTIONS, DRAWN_AS, KINDS, WEATHER_KINDS

OP_NAMES = ("weather", "time", "gravity", "spawn", "remove", "teleport", "eruption", "character", "terrain", "undo",
            "recipe")
TELEPORT_TARGETS = ("volcano", "lake", "village", "forest", "desert", "mountain", "beach", "start")
TERRAIN_ACTIONS = ("raise", "lower", "crater", "flatten")
CHARACTER_ACTIONS = ACTIONS + ("stop",) + tuple(DRAWN_AS)
MAX_COORD = 1.0e6           # metres from the origin an edit may refer to
MAX_SPAWNED = 400           # spawned entities alive at once
FIELDS = {                  # allowed keys per op (besides "op"); resolved edits add the ones after "|"
    "weather": {"kind", "intensity"},
    "time": {"hour", "speed"},
    "gravity": {"scale"},
    "spawn": {"kind", "count", "where", "x", "y", "at"},
    "remove": {"kind", "target", "radius", "targets"},
    "teleport": {"x", "y", "yaw", "pitch", "target", "from"},
    "eruption": {"strength"},
    "character": {"action", "target", "targets", "at"},
    "terrain": {"action", "where", "x", "y", "radius", "amount", "level"},
    "undo": set(),
    "recipe": {"preset", "changes", "recipe"},   # resolved: "recipe" holds the whole new recipe (compact doc)
}


def _num(e: dict, key: str, lo: float, hi: float, default=None, required: bool = False):
    if key not in e:
        if required:
            raise ValueError(f"{e['op']} edit needs {key!r}")
        return default
    v = e[key]
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
        raise ValueError(f"{e['op']}.{key} must be a finite number, got {v!r}")
    if not lo <= v <= hi:
        raise ValueError(f"{e['op']}.{key} must be between {lo} and {hi}, got {v!r}")
    return float(v)


def _name(e: dict, key: str, allowed, default=None, required: bool = False):
    if key not in e:
        if required:
            raise ValueError(f"{e['op']} edit needs {key!r} (one of {', '.join(allowed)})")
        return default
    v = e[key]
    if not isinstance(v, str) or v not in allowed:
        raise ValueError(f"{e['op']}.{key} must be one of {', '.join(allowed)}, got {v!r}")
    return v


def _ident(v, what: str) -> str:
    if not isinstance(v, str) or not 0 < len(v) <= 40:
        raise ValueError(f"{what} must be an entity id string, got {v!r}")
    return v


def _points(v, n_max: int, width: int, what: str) -> list:
    if not isinstance(v, list) or not 0 < len(v) <= n_max:
        raise ValueError(f"{what} must be a list of 1..{n_max} points")
    out = []
    for p in v:
        if not isinstance(p, list) or len(p) != width or any(
                isinstance(c, bool) or not isinstance(c, (int, float)) or not math.isfinite(c) or abs(c) > MAX_COORD
                for c in p):
            raise ValueError(f"{what} entries must be lists of {width} finite numbers, got {p!r}")
        out.append([float(c) for c in p])
    return out


def validate(edit) -> dict:
    """Check an edit on its own and return a normalised copy; ValueError says what is wrong."""
    if not isinstance(edit, dict):
        raise ValueError(f"an edit must be a dict with an 'op' key, got {type(edit).__name__}")
    op = edit.get("op")
    if op not in OP_NAMES:
        raise ValueError(f"unknown edit op {op!r}; expected one of {', '.join(OP_NAMES)}")
    extra = set(edit) - FIELDS[op] - {"op"}
    if extra:
        raise ValueError(f"{op} edit has unknown field(s) {sorted(extra)}; allowed: {sorted(FIELDS[op])}")
    e = dict(edit)
    out = {"op": op}
    if op == "weather":
        out["kind"] = _name(e, "kind", WEATHER_KINDS, required=True)
        out["intensity"] = _num(e, "intensity", 0.0, 1.0, 0.0 if out["kind"] == "clear" else 0.8)
    elif op == "time":
        out["hour"] = _num(e, "hour", 0.0, 24.0, required=True)
        out["speed"] = _num(e, "speed", 0.0, 3600.0)
    elif op == "gravity":
        out["scale"] = _num(e, "scale", 0.05, 5.0, required=True)
    elif op == "spawn":
        out["kind"] = _name(e, "kind", KINDS, required=True)
        out["count"] = int(_num(e, "count", 1, 20, 1))
        if e.get("count", 1) != out["count"]:
            raise ValueError(f"spawn.count must be a whole number, got {e['count']!r}")
        out["where"] = _name(e, "where", ("ahead", "here", "around"), "ahead")
        _xy(e, out)
        if "at" in e:
            out["at"] = _points(e["at"], 20, 2, "spawn.at")
            if len(out["at"]) != out["count"]:
                raise ValueError("spawn.at must hold one point per spawned entity")
    elif op == "remove":
        if "kind" in e:
            out["kind"] = _name(e, "kind", KINDS)
        if "target" in e:
            out["target"] = _ident(e["target"], "remove.target")
        if "radius" in e:
            out["radius"] = _num(e, "radius", 0.1, 100.0)
        if "targets" in e:
            if not isinstance(e["targets"], list) or not 0 < len(e["targets"]) <= 500:
                raise ValueError("remove.targets must be a list of 1..500 entity ids")
            out["targets"] = [_ident(t, "remove.targets entry") for t in e["targets"]]
        if not ({"kind", "target", "radius", "targets"} & set(out)):
            raise ValueError("remove edit needs 'kind', 'target' or 'radius'")
    elif op == "teleport":
        if "target" in e:
            out["target"] = _name(e, "target", TELEPORT_TARGETS)
        else:
            out["x"] = _num(e, "x", -MAX_COORD, MAX_COORD, required=True)
            out["y"] = _num(e, "y", -MAX_COORD, MAX_COORD, required=True)
        out["yaw"] = _num(e, "yaw", -100.0, 100.0)
        out["pitch"] = _num(e, "pitch", -1.6, 1.6)
        if "from" in e:     # resolved form: the pose before, [x, y, z, yaw, pitch], for an exact undo
            out["from"] = _points([e["from"]], 1, 5, "teleport.from")[0]
    elif op == "eruption":
        out["strength"] = _num(e, "strength", 0.0, 1.0, 0.7)
    elif op == "character":
        out["action"] = _name(e, "action", CHARACTER_ACTIONS, required=True)
        if "target" in e:
            out["target"] = _ident(e["target"], "character.target")
        if "targets" in e:
            if not isinstance(e["targets"], list) or not 0 < len(e["targets"]) <= 200:
                raise ValueError("character.targets must be a list of 1..200 entity ids")
            out["targets"] = [_ident(t, "character.targets entry") for t in e["targets"]]
            out["at"] = _points(e.get("at"), 200, 3, "character.at")
            if len(out["at"]) != len(out["targets"]):
                raise ValueError("character.at must hold one [x, y, heading] per target")
    elif op == "terrain":
        out["action"] = _name(e, "action", TERRAIN_ACTIONS, required=True)
        out["where"] = _name(e, "where", ("ahead", "here"), "ahead")
        _xy(e, out)
        out["radius"] = _num(e, "radius", 1.0, 60.0, 8.0)
        out["amount"] = _num(e, "amount", 0.0, 40.0, 4.0 if out["action"] == "crater" else 3.0)
        out["level"] = _num(e, "level", -1000.0, 1000.0)
    elif op == "recipe":
        out.update(_recipe_fields(e))
    return out


def _recipe_fields(e: dict) -> dict:
    """A recipe edit: a preset and/or dotted changes (checked against the schema), or a resolved recipe doc."""
    from .recipe import DEFAULT, PRESETS, from_doc  # lazy: the schema module is only needed by this op
    out = {}
    if "recipe" in e:
        if "changes" in e:
            raise ValueError("a resolved recipe edit holds 'recipe' (and the preset it came from), not 'changes'")
        out["recipe"] = from_doc(e["recipe"]).to_compact_doc()
        if "preset" in e:
            out["preset"] = _name(e, "preset", tuple(PRESETS))
        return out
    if "preset" not in e and "changes" not in e:
        raise ValueError("recipe edit needs 'preset' and/or 'changes'")
    if "preset" in e:
        out["preset"] = _name(e, "preset", tuple(PRESETS))
    if "changes" in e:
        ch = e["changes"]
        if not isinstance(ch, dict) or not 0 < len(ch) <= 64:
            raise ValueError("recipe.changes must be an object of 1..64 dotted paths to values")
        DEFAULT.changed(ch)          # unknown paths and bad values fail here, before anything changes
        out["changes"] = {k: (list(v) if isinstance(v, tuple) else v) for k, v in ch.items()}
    return out


def _xy(e: dict, out: dict) -> None:
    if ("x" in e) != ("y" in e):
        raise ValueError(f"{e['op']} edit needs both 'x' and 'y' or neither")
    if "x" in e:
        out["x"] = _num(e, "x", -MAX_COORD, MAX_COORD)
        out["y"] = _num(e, "y", -MAX_COORD, MAX_COORD)
