"""Typed edits: the schema as one table (`SCHEMA`), and `validate`, which reads it. The single door for every change.

`validate` checks an edit dict on its own (types, ranges, names) and returns a normalised copy. `World.apply`
then resolves everything that depends on the moment (positions "ahead", the nearest villager, the current pose)
into absolute values, changes the world (its undo goes on the world's undo stack) and returns the resolved edit.
Anything that can fail fails before the world is touched, so a rejected edit changes nothing. The resolved edit
replays exactly (share codes).

The table is read by validation, by Direct mode's replies (place names, caps), by the README's edit table (a test
compares it with `describe_fields`) and by the tests (every op, every field). What a table cannot say sits in a
few named rules per op.
"""
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .caps import MAX_SPAWNED  # noqa: F401  (the cap lives in caps.py; re-exported for older imports)
from .kinds import ACTIONS, DRAWN_AS, KINDS, WEATHER_KINDS
from .recipe import DEFAULT, PRESETS, from_doc

TELEPORT_TARGETS = ("volcano", "lake", "village", "forest", "desert", "mountain", "beach", "start")
TERRAIN_ACTIONS = ("raise", "lower", "crater", "flatten")
CHARACTER_ACTIONS = ACTIONS + ("stop",) + tuple(DRAWN_AS)
MAX_COORD = 1.0e6           # metres from the origin an edit may refer to


class _Omit:
    """Default of a field that stays out of the normalised edit when not given (None would be kept as None)."""

    def __repr__(self) -> str:
        return "OMIT"


OMIT = _Omit()


# ---------------------------------------------------------------------------------------------- value types
def _finite(v) -> bool:
    return not isinstance(v, bool) and isinstance(v, (int, float)) and math.isfinite(v)


class _Type:
    """What every field type says: `parse(v, where)` -> normalised value or ValueError, and how to name it."""

    def doc(self) -> str:
        return ""

    def hint(self) -> str:
        """Said after "X edit needs 'field'" when a required field is missing."""
        return ""


@dataclass(frozen=True)
class Number(_Type):
    """A finite number in [lo, hi]; normalised to float."""
    lo: float
    hi: float

    def parse(self, v, where: str) -> float:
        if not _finite(v):
            raise ValueError(f"{where} must be a finite number, got {v!r}")
        if not self.lo <= v <= self.hi:
            raise ValueError(f"{where} must be between {self.lo} and {self.hi}, got {v!r}")
        return float(v)

    def doc(self) -> str:
        return f" {self.lo:g}..{self.hi:g}"

    def hint(self) -> str:
        return f" (a number {self.lo:g}..{self.hi:g})"


@dataclass(frozen=True)
class Whole(Number):
    """A whole number in [lo, hi] (3.0 counts as 3); normalised to int."""

    def parse(self, v, where: str) -> int:
        n = int(super().parse(v, where))
        if v != n:
            raise ValueError(f"{where} must be a whole number, got {v!r}")
        return n


@dataclass(frozen=True)
class Coord(Number):
    """A coordinate in metres, within MAX_COORD of the origin."""
    lo: float = -MAX_COORD
    hi: float = MAX_COORD

    def doc(self) -> str:
        return " metres"

    def hint(self) -> str:
        return " (metres)"


@dataclass(frozen=True)
class Choice(_Type):
    """One of a fixed tuple of names."""
    choices: tuple

    def parse(self, v, where: str) -> str:
        if not isinstance(v, str) or v not in self.choices:
            raise ValueError(f"{where} must be one of {', '.join(self.choices)}, got {v!r}")
        return v

    def doc(self) -> str:
        return ": " + ", ".join(self.choices)

    def hint(self) -> str:
        return f" (one of {', '.join(self.choices)})"


@dataclass(frozen=True)
class Ident(_Type):
    """An entity id as the world hands them out ("s12", "3:-1:7")."""

    def parse(self, v, where: str) -> str:
        if not isinstance(v, str) or not 0 < len(v) <= 40:
            raise ValueError(f"{where} must be an entity id string, got {v!r}")
        return v

    def doc(self) -> str:
        return " entity id"


@dataclass(frozen=True)
class Idents(_Type):
    """A list of 1..n_max entity ids."""
    n_max: int

    def parse(self, v, where: str) -> list:
        if not isinstance(v, list) or not 0 < len(v) <= self.n_max:
            raise ValueError(f"{where} must be a list of 1..{self.n_max} entity ids")
        return [Ident().parse(t, f"{where} entry") for t in v]

    def doc(self) -> str:
        return f" list of 1..{self.n_max} entity ids"


@dataclass(frozen=True)
class Points(_Type):
    """A list of 1..n_max points, each a list of `width` finite numbers within MAX_COORD."""
    n_max: int
    width: int

    def parse(self, v, where: str) -> list:
        if not isinstance(v, list) or not 0 < len(v) <= self.n_max:
            raise ValueError(f"{where} must be a list of 1..{self.n_max} points")
        return [_point(p, self.width, f"{where} entries must be lists") for p in v]

    def doc(self) -> str:
        return f" list of 1..{self.n_max} points of {self.width} numbers"


@dataclass(frozen=True)
class Point(_Type):
    """One list of `width` finite numbers within MAX_COORD."""
    width: int

    def parse(self, v, where: str) -> list:
        return _point(v, self.width, f"{where} must be a list")

    def doc(self) -> str:
        return f" list of {self.width} numbers"


def _point(p, width: int, what: str) -> list:
    if not isinstance(p, list) or len(p) != width or any(not _finite(c) or abs(c) > MAX_COORD for c in p):
        raise ValueError(f"{what} of {width} finite numbers, got {p!r}")
    return [float(c) for c in p]


@dataclass(frozen=True)
class RecipeChanges(_Type):
    """An object of 1..64 dotted recipe paths to values, checked against the recipe schema."""

    def parse(self, v, where: str) -> dict:
        if not isinstance(v, dict) or not 0 < len(v) <= 64:
            raise ValueError(f"{where} must be an object of 1..64 dotted paths to values")
        DEFAULT.changed(v)          # unknown paths and bad values fail here, before anything changes
        return {k: (list(x) if isinstance(x, tuple) else x) for k, x in v.items()}

    def doc(self) -> str:
        return " {dotted path: value}"


@dataclass(frozen=True)
class RecipeDoc(_Type):
    """A whole recipe document (the resolved form); normalised to its compact document."""

    def parse(self, v, where: str) -> dict:
        return from_doc(v).to_compact_doc()

    def doc(self) -> str:
        return " recipe document"


# ---------------------------------------------------------------------------------------------- the table
@dataclass(frozen=True)
class Field:
    """One field of an edit. `default` may be a value (kept, even None), OMIT (left out) or a function of the
    fields read so far. `when` reads the field only if it holds for the raw edit (else the field is ignored).
    `resolved` marks what `ops` fills in when it resolves an edit (a caller need not give it)."""
    name: str
    type: Any
    doc: str = ""
    required: bool = False
    default: Any = OMIT
    when: Callable[[dict], bool] | None = None
    resolved: bool = False

    def read(self, e: dict, out: dict):
        if self.name not in e:
            if self.required:
                raise ValueError(f"{out['op']} edit needs {self.name!r}{self.type.hint()}")
            return self.default(out) if callable(self.default) else self.default
        return self.type.parse(e[self.name], f"{out['op']}.{self.name}")


@dataclass(frozen=True)
class EditSpec:
    """One op: what it does, its fields (in the order the normalised edit holds them), the rules a field table
    cannot say (each `rule(edit, out)` raises ValueError), and examples every test and doc may rely on."""
    summary: str
    fields: tuple = ()
    rules: tuple = ()
    examples: tuple = ()
    note: str = ""             # said after the fields in the README (a rule in words)

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)


def _both_xy(e: dict, out: dict) -> None:
    if ("x" in out) != ("y" in out):
        raise ValueError(f"{out['op']} edit needs both 'x' and 'y' or neither")


def _one_point_per_thing(e: dict, out: dict) -> None:
    if "at" in out and len(out["at"]) != out["count"]:
        raise ValueError("spawn.at must hold one point per spawned entity")


def _something_to_remove(e: dict, out: dict) -> None:
    if not ({"kind", "target", "radius", "targets"} & set(out)):
        raise ValueError("remove edit needs 'kind', 'target' or 'radius'")


def _one_pose_per_target(e: dict, out: dict) -> None:
    if "targets" in out and len(out["at"]) != len(out["targets"]):
        raise ValueError("character.at must hold one [x, y, heading] per target")


def _recipe_form(e: dict, out: dict) -> None:
    if "recipe" in e and "changes" in e:
        raise ValueError("a resolved recipe edit holds 'recipe' (and the preset it came from), not 'changes'")
    if not ({"preset", "changes", "recipe"} & set(e)):
        raise ValueError("recipe edit needs 'preset' and/or 'changes'")


def _no_target(e: dict) -> bool:
    return "target" not in e


def _has_targets(e: dict) -> bool:
    return "targets" in e


SCHEMA: dict[str, EditSpec] = {
    "weather": EditSpec("set the weather (eased in over a few seconds)", (
        Field("kind", Choice(WEATHER_KINDS), required=True),
        Field("intensity", Number(0.0, 1.0), "default 0.8; 0 for clear",
              default=lambda out: 0.0 if out["kind"] == "clear" else 0.8),
    ), examples=({"op": "weather", "kind": "rain", "intensity": 0.8}, {"op": "weather", "kind": "clear"})),
    "time": EditSpec("set the hour of day and the clock's speed", (
        Field("hour", Number(0.0, 24.0), required=True),
        Field("speed", Number(0.0, 3600.0), "world seconds per real second, normal 60", default=None),
    ), examples=({"op": "time", "hour": 18.5}, {"op": "time", "hour": 6.0, "speed": 240.0})),
    "gravity": EditSpec("scale gravity", (
        Field("scale", Number(0.05, 5.0), "1 = Earth", required=True),
    ), examples=({"op": "gravity", "scale": 0.165},)),
    "spawn": EditSpec("add objects or characters", (
        Field("kind", Choice(KINDS), required=True),
        Field("count", Whole(1, 20), "default 1", default=1),
        Field("where", Choice(("ahead", "here", "around")), "default ahead", default="ahead"),
        Field("x", Coord(), "with y: a spot instead of where"),
        Field("y", Coord()),
        Field("at", Points(20, 2), "one [x, y] per thing", resolved=True),
    ), rules=(_both_xy, _one_point_per_thing),
        examples=({"op": "spawn", "kind": "tree", "count": 3}, {"op": "spawn", "kind": "house", "x": 5.0, "y": -2.0},
                  {"op": "spawn", "kind": "rock", "count": 2, "at": [[1.0, 2.0], [3.0, 4.0]]})),
    "remove": EditSpec("remove objects or characters", (
        Field("kind", Choice(KINDS)),
        Field("target", Ident()),
        Field("radius", Number(0.1, 100.0), "metres: every match within it, not just the nearest"),
        Field("targets", Idents(500), resolved=True),
    ), rules=(_something_to_remove,), note="at least one of them",
        examples=({"op": "remove", "kind": "tree", "radius": 20.0}, {"op": "remove", "target": "s1"},
                  {"op": "remove", "targets": ["s1", "0:0:3"]})),
    "teleport": EditSpec("move the player to a place or a point", (
        Field("target", Choice(TELEPORT_TARGETS)),
        Field("x", Coord(), "when no target", required=True, when=_no_target),
        Field("y", Coord(), "when no target", required=True, when=_no_target),
        Field("yaw", Number(-100.0, 100.0), "radians", default=None),
        Field("pitch", Number(-1.6, 1.6), "radians", default=None),
        Field("from", Point(5), "the pose before, [x, y, z, yaw, pitch], for an exact undo", resolved=True),
    ), examples=({"op": "teleport", "target": "lake"}, {"op": "teleport", "x": 100.0, "y": -50.0, "yaw": 1.0})),
    "eruption": EditSpec("start (or with strength 0, end) the volcano's eruption", (
        Field("strength", Number(0.0, 1.0), "default 0.7; 0 ends the running eruption", default=0.7),
    ), examples=({"op": "eruption", "strength": 0.7}, {"op": "eruption", "strength": 0.0})),
    "character": EditSpec("tell villagers or animals what to do", (
        Field("action", Choice(CHARACTER_ACTIONS), "stop = idle", required=True),
        Field("target", Ident(), "default: the villagers near you"),
        Field("targets", Idents(200), resolved=True),
        Field("at", Points(200, 3), "one [x, y, heading] per target", required=True, when=_has_targets,
              resolved=True),
    ), rules=(_one_pose_per_target,),
        examples=({"op": "character", "action": "dance"}, {"op": "character", "action": "wave", "target": "s1"},
                  {"op": "character", "action": "sit", "targets": ["s1"], "at": [[1.0, 2.0, 0.5]]})),
    "terrain": EditSpec("reshape the ground", (
        Field("action", Choice(TERRAIN_ACTIONS), required=True),
        Field("where", Choice(("ahead", "here")), "default ahead", default="ahead"),
        Field("x", Coord(), "with y: a spot instead of where"),
        Field("y", Coord()),
        Field("radius", Number(1.0, 60.0), "metres, default 8", default=8.0),
        Field("amount", Number(0.0, 40.0), "metres, default 3; 4 for crater",
              default=lambda out: 4.0 if out["action"] == "crater" else 3.0),
        Field("level", Number(-1000.0, 1000.0), "metres: flatten to this height", default=None),
    ), rules=(_both_xy,),
        examples=({"op": "terrain", "action": "crater"},
                  {"op": "terrain", "action": "raise", "where": "here", "radius": 12.0, "amount": 5.0},
                  {"op": "terrain", "action": "flatten", "x": 3.0, "y": 4.0, "level": 2.0})),
    "undo": EditSpec("take back the last change", examples=({"op": "undo"},)),
    "recipe": EditSpec("change what world this is (live, undoable)", (
        Field("preset", Choice(tuple(PRESETS))),
        Field("changes", RecipeChanges(), "checked against the recipe schema"),
        Field("recipe", RecipeDoc(), "the whole new recipe", resolved=True),
    ), rules=(_recipe_form,), note="a preset and/or changes",
        examples=({"op": "recipe", "preset": "dunes"}, {"op": "recipe", "changes": {"sky.day_color": [200, 120, 60]}})),
}

OP_NAMES = tuple(SCHEMA)
FIELDS = {op: {f.name for f in spec.fields} for op, spec in SCHEMA.items()}   # allowed keys per op besides "op"


def validate(edit) -> dict:
    """Check an edit on its own and return a normalised copy; ValueError says what is wrong."""
    if not isinstance(edit, dict):
        raise ValueError(f"an edit must be a dict with an 'op' key, got {type(edit).__name__}")
    op = edit.get("op")
    if not isinstance(op, str) or op not in SCHEMA:
        raise ValueError(f"unknown edit op {op!r}; expected one of {', '.join(OP_NAMES)}")
    extra = set(edit) - FIELDS[op] - {"op"}
    if extra:
        raise ValueError(f"{op} edit has unknown field(s) {sorted(extra)}; allowed: {sorted(FIELDS[op])}")
    spec = SCHEMA[op]
    out = {"op": op}
    for f in spec.fields:
        if f.when is None or f.when(edit):
            v = f.read(edit, out)
            if v is not OMIT:
                out[f.name] = v
    for rule in spec.rules:
        rule(edit, out)
    return out


def default(op: str, name: str):
    """The default a field takes when an edit leaves it out (a constant default only)."""
    d = SCHEMA[op].field(name).default
    if callable(d) or d is OMIT:
        raise KeyError(f"{op}.{name} has no constant default")
    return d


def describe_fields(op: str) -> str:
    """The fields a caller may give, in words (the README's edit table shows exactly this)."""
    spec = SCHEMA[op]
    parts = []
    for f in spec.fields:
        if f.resolved:
            continue
        text = f"{'' if f.required else 'optional '}`{f.name}`{f.type.doc()}"
        parts.append(text + (f" ({f.doc})" if f.doc else ""))
    if spec.note:
        parts.append(spec.note)
    return "; ".join(parts) or "-"
