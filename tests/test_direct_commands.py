"""Direct mode on the hand-written command set: accuracy, edit schema, and separation from training templates."""
import re

from oyster.direct import templates
from oyster.direct.evaluate import STATES, accuracy, load_cases, run_case
from oyster.direct.interpreter import Interpreter
from oyster.direct.text import normalise
from oyster.direct.train import TrainConfig
from oyster.world.edits import SCHEMA, validate


def check_edit(e: dict) -> None:
    """The edit vocabulary is the schema table: a planned edit must pass the world's own validation as it is."""
    assert e["op"] in SCHEMA, e
    if e["op"] == "time" and "hour" not in e:     # "speed up time": the interpreter keeps the hour the world has
        e = {**e, "hour": 12.0}
    out = validate(e)
    assert all(out[k] == v for k, v in e.items()), (e, out)     # nothing given is dropped or changed


def test_set_is_big_and_varied():
    cases = load_cases()
    assert len(cases) >= 170
    assert len({c["text"] for c in cases}) >= 170
    ops = {e["op"] for c in cases for e in c["edits"]}
    assert ops == set(SCHEMA) - {"recipe"}      # world changes have their own set (tests/test_language.py)
    assert sum(1 for c in cases if len(c["edits"]) > 1) >= 15      # multi-intent
    assert sum(1 for c in cases if not c["edits"]) >= 15            # nothing to do
    assert sum(1 for c in cases if c.get("before")) >= 4            # pronouns across commands


def test_accuracy_at_least_95_percent(capsys):
    cases = load_cases()
    acc = accuracy(cases, verbose=True)
    with capsys.disabled():
        print(f"\ndirect mode accuracy: {acc:.3f} on {len(cases)} hand-written commands")
    assert acc >= 0.95


def test_every_edit_fits_the_vocabulary():
    for case in load_cases():
        _, result = run_case(case)
        for e in result.edits:
            check_edit(e)
        assert isinstance(result.reply, str) and 0 < len(result.reply) < 400


def test_replies_say_what_changed():
    _, r = run_case({"text": "sunset with heavy rain", "edits": []})
    assert "17:48 (sunset)" in r.reply and "rain" in r.reply
    _, r = run_case({"text": "plant three trees", "edits": []})
    assert r.reply == "Planted three trees ahead."


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", normalise(text).text)


def test_no_test_sentence_is_in_the_training_data():
    """Guards the honesty of the accuracy number: no test sentence is one the classifier was trained on
    (the default training set, compared without spaces or punctuation)."""
    cfg = TrainConfig()
    generated = {_key(t) for t, _ in templates.generate(cfg.per_intent, cfg.seed)}
    clashes = [c["text"] for c in load_cases() if _key(c["text"]) and _key(c["text"]) in generated]
    assert not clashes, clashes


def test_accuracy_does_not_depend_on_the_template_trained_model():
    """The grammar alone must carry the set, so template overlap cannot inflate the number."""
    cases = load_cases()
    hits = sum(run_case(c, Interpreter(use_classifier=False))[0] for c in cases)
    assert hits / len(cases) >= 0.95


def test_fixture_states_match_session_state_shape():
    s = STATES["village"]
    assert {"player", "clock", "weather", "gravity", "biome", "entities"} <= set(s)
    assert all({"id", "kind", "x", "y", "radius", "action", "distance"} <= set(e) for e in s["entities"])
