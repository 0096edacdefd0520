"""The edit schema table (`oyster.world.edits.SCHEMA`) against validation, the README and Direct mode's replies.

Every test here walks the table, so a new op or field is checked the moment it is added: its examples pass, bad
values of its type are refused with a message that names the field, and the README's edit table says what the
table says.
"""
import math
import re
from pathlib import Path

import pytest

from oyster.direct import replies
from oyster.world import edits as T
from oyster.world.edits import SCHEMA, default, describe_fields, validate

README = Path(__file__).resolve().parent.parent / "README.md"
FIELDS = [(op, f) for op, spec in SCHEMA.items() for f in spec.fields]


def _field_id(case) -> str:
    return f"{case[0]}.{case[1].name}" if isinstance(case, tuple) else str(case)


def _base(op: str, f) -> dict:
    """An example of `op` in which field `f` is read: one that holds it, else one its `when` accepts."""
    exs = SCHEMA[op].examples
    return next((e for e in exs if f.name in e), None) or next(e for e in exs if f.when is None or f.when(e))


def _bad_values(t) -> list:
    if isinstance(t, T.Number):     # Whole and Coord too
        span = t.hi - t.lo
        bad = ["3", True, None, math.nan, math.inf, [1.0], t.lo - 0.01 * span, t.hi + 0.01 * span]
        return bad + ([t.lo + 0.5] if isinstance(t, T.Whole) else [])
    if isinstance(t, T.Choice):
        return ["no such thing", 3, None, [t.choices[0]], t.choices[0].upper()]
    if isinstance(t, T.Ident):
        return ["", 5, "x" * 41, None]
    if isinstance(t, T.Idents):
        return [[], "s1", [5], ["s1"] * (t.n_max + 1)]
    if isinstance(t, T.Points):
        return [[], [[1.0] * (t.width + 1)], [[math.nan] * t.width], [[1.0] * t.width] * (t.n_max + 1),
                [[2.0e6] * t.width]]
    if isinstance(t, T.Point):
        return [[1.0] * (t.width - 1), "x", [math.inf] * t.width]
    if isinstance(t, T.RecipeChanges):
        return [{}, "x", {"no.such.path": 1}, {"sky.day_color": "red"}]
    if isinstance(t, T.RecipeDoc):
        return ["x", {"bogus": 1}]
    raise AssertionError(f"no bad values for {type(t).__name__}; add them here")


@pytest.mark.parametrize("op", list(SCHEMA))
def test_every_op_accepts_its_examples_and_normalises_once(op):
    spec = SCHEMA[op]
    assert spec.examples, f"{op} has no example"
    for ex in spec.examples:
        out = validate(ex)
        assert out["op"] == op
        # the normalised form is a fixed point; None stands for "keep the world's own" and is not an input value
        assert validate({k: v for k, v in out.items() if v is not None}) == out
        for k, v in ex.items():                      # what was given comes back (numbers as floats)
            assert out[k] == v


@pytest.mark.parametrize("op", list(SCHEMA))
def test_every_op_refuses_an_unknown_field(op):
    with pytest.raises(ValueError, match=rf"{op} edit has unknown field\(s\) \['colour'\]; allowed: "):
        validate({**SCHEMA[op].examples[0], "colour": "red"})


@pytest.mark.parametrize("op", list(SCHEMA))
def test_every_required_field_is_asked_for_by_name(op):
    for f in SCHEMA[op].fields:
        if not f.required:
            continue
        ex = dict(_base(op, f))
        del ex[f.name]
        with pytest.raises(ValueError, match=f"{op} edit needs '{f.name}'"):
            validate(ex)


@pytest.mark.parametrize("case", FIELDS, ids=_field_id)
def test_bad_values_are_refused_with_the_field_named(case):
    op, f = case
    base = _base(op, f)
    for bad in _bad_values(f.type):
        with pytest.raises(ValueError) as err:
            validate({**base, f.name: bad})
        msg = str(err.value)
        if not isinstance(f.type, (T.RecipeChanges, T.RecipeDoc)):     # those speak in recipe paths
            assert f"{op}.{f.name}" in msg, (bad, msg)


@pytest.mark.parametrize("case", [c for c in FIELDS if isinstance(c[1].type, T.Number)], ids=_field_id)
def test_numbers_accept_both_ends_of_their_range(case):
    op, f = case
    base = _base(op, f)
    for v in (f.type.lo, f.type.hi):
        got = validate({**base, f.name: v})
        assert got[f.name] == v
    msg = f"{op}.{f.name} must be between {f.type.lo} and {f.type.hi}"
    with pytest.raises(ValueError, match=re.escape(msg)):
        validate({**base, f.name: f.type.hi * 2 + 1})


def test_defaults_fill_in_and_depend_only_where_the_table_says():
    assert validate({"op": "weather", "kind": "rain"})["intensity"] == 0.8
    assert validate({"op": "weather", "kind": "clear"})["intensity"] == 0.0
    assert validate({"op": "terrain", "action": "crater"})["amount"] == 4.0
    assert validate({"op": "terrain", "action": "raise"})["amount"] == 3.0
    assert validate({"op": "time", "hour": 3})["speed"] is None           # kept as None: "keep the clock's speed"
    assert "x" not in validate({"op": "spawn", "kind": "tree"})           # omitted fields stay out
    assert default("eruption", "strength") == 0.7 and default("spawn", "count") == 1
    with pytest.raises(KeyError):
        default("weather", "intensity")                                   # depends on the kind


def test_rules_the_table_cannot_say():
    with pytest.raises(ValueError, match="needs both 'x' and 'y' or neither"):
        validate({"op": "terrain", "action": "raise", "x": 1.0})
    with pytest.raises(ValueError, match="one point per spawned entity"):
        validate({"op": "spawn", "kind": "tree", "count": 2, "at": [[1.0, 2.0]]})
    with pytest.raises(ValueError, match="remove edit needs 'kind', 'target' or 'radius'"):
        validate({"op": "remove"})
    with pytest.raises(ValueError, match=r"one \[x, y, heading\] per target"):
        validate({"op": "character", "action": "sit", "targets": ["a", "b"], "at": [[0.0, 0.0, 0.0]]})
    with pytest.raises(ValueError, match="needs 'preset' and/or 'changes'"):
        validate({"op": "recipe"})
    # a teleport to a place ignores coordinates, as it always has
    assert validate({"op": "teleport", "target": "lake", "x": 1.0}) == {
        "op": "teleport", "target": "lake", "yaw": None, "pitch": None}


@pytest.mark.parametrize("bad", [None, "weather", 3, [], {"op": "rain"}, {"op": ["weather"]}, {}])
def test_not_an_edit_at_all(bad):
    with pytest.raises(ValueError, match="edit"):
        validate(bad)


def _readme_rows() -> dict:
    text = README.read_text()
    table = text.split("| op | fields | you can say (examples) |", 1)[1].split("\n\n", 1)[0]
    rows = {}
    for line in table.splitlines():
        m = re.match(r"\| `(\w+)` \| (.*?) \| .* \|$", line)
        if m:
            assert m.group(1) not in rows, f"{m.group(1)} listed twice"
            rows[m.group(1)] = m.group(2)
    return rows


def test_readme_edit_table_is_the_schema():
    rows = _readme_rows()
    assert list(rows) == list(SCHEMA)
    for op, cell in rows.items():
        assert cell == describe_fields(op), f"README row for {op!r} should read: {describe_fields(op)}"


def test_replies_name_every_value_the_schema_allows():
    assert replies.NOTES["where_to"].startswith("Where to? I know the volcano, lake,")
    for place in SCHEMA["teleport"].field("target").type.choices:
        assert place in replies.NOTES["where_to"]
    assert f"at most {SCHEMA['spawn'].field('count').type.hi}" in replies.NOTES["capped"]
    for action in SCHEMA["character"].field("action").type.choices:
        assert replies.describe({"op": "character", "action": action}) != "The villager obeys.", action
    for action in SCHEMA["terrain"].field("action").type.choices:
        assert not replies.describe({"op": "terrain", "action": action}).startswith("Reshaped"), action
    for ex in (e for spec in SCHEMA.values() for e in spec.examples if spec is not SCHEMA["recipe"]):
        said = replies.describe(ex)
        assert said and said != "Done.", ex


def test_coordinates_are_metres_within_reach():
    c = T.Coord()
    assert c.parse(-1.0e6, "x") == -1.0e6
    with pytest.raises(ValueError, match="between"):
        c.parse(1.0e6 + 1, "x")
