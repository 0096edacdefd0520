"""Direct mode judged on the world state: the hand-written world-state set through real Sessions (accuracy per
pattern, honest replies), plus the world pieces it needs: ending an eruption, redo, fleeing, the start-up load."""
import json
import re
import time

import pytest

from oyster import Session, judge
from oyster.direct import classifier, templates, warm_up
from oyster.direct.evaluate import load_cases as load_edit_cases
from oyster.direct.evaluate import pick_threshold, threshold_table
from oyster.direct.fallback import ACT
from oyster.direct.text import normalise
from oyster.direct.train import TrainConfig
from oyster.judge import world_table


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", normalise(text).text)


@pytest.fixture(scope="module")
def outcomes():
    return judge.run_all()


def test_set_is_new_big_and_covers_every_pattern():
    cases = judge.load_cases()
    assert len(cases) >= 300
    old = {_key(c["text"]) for c in load_edit_cases()}
    fresh = [c for c in cases if _key(c["text"]) not in old]
    assert len(fresh) >= 300
    generated = {_key(t) for t, _ in templates.generate(TrainConfig().per_intent, TrainConfig().seed)}
    assert not [c["text"] for c in cases if _key(c["text"]) in generated]
    patterns = {c["pattern"] for c in cases}
    assert {"prohibition", "reversal", "relative_time", "relative_intensity", "into", "honest", "conversation",
            "question", "characters", "gravity"} <= patterns
    assert all(c["setup"] in judge.SETUPS and c["expect"] for c in cases)


def test_world_state_accuracy_per_pattern(outcomes, capsys):
    table = world_table(outcomes)
    misses = [f"{o.case['text']!r}: {o.why} | {o.reply}" for o in outcomes if not o.ok]
    with capsys.disabled():
        print("\n" + "\n".join(f"{p}: {k}/{c}" for p, c, k, _ in table))
    assert sum(o.ok for o in outcomes) / len(outcomes) >= 0.97, misses
    for pattern, n, ok, _ in table:
        assert ok / n >= 0.9, (pattern, misses)


def test_every_reply_names_only_what_changed(outcomes):
    lies = [f"{o.case['text']!r}: {o.why} | {o.reply}" for o in outcomes if not o.honest]
    assert not lies


def test_the_judge_catches_a_false_claim():
    s = Session(seed=judge.SEED, width=32, height=18)
    try:
        b = judge.snapshot(s)
        assert judge.honesty("It starts to rain.", b, b)
        assert judge.honesty("Undid the last change.", b, b)
        s.apply({"op": "weather", "kind": "rain", "intensity": 0.6})
        assert not judge.honesty("It starts to rain.", b, judge.snapshot(s))
    finally:
        s.close()


def test_ending_an_eruption_cools_the_lava_within_seconds_and_replays():
    s = Session(seed=judge.SEED, width=32, height=18)
    try:
        s.command("erupt the volcano")
        judge._advance(s, 4.0)
        r = s.command("calm the volcano")
        assert r.edits == [{"op": "eruption", "strength": 0.0}] and "stops" in r.reply
        assert s.state()["events"][-1]["stage"] == "cooling"
        judge._advance(s, 6.0)
        assert s.world.active_eruption() is None and s.state()["events"][-1]["stage"] == "cooled"
        again = Session.from_share_code(s.share_code(), 32, 18)
        assert again.world.active_eruption() is None and len(again.world.eruptions) == 1
        again.close()
        assert "not erupting" in s.command("stop the eruption").reply
    finally:
        s.close()


def test_ending_an_eruption_can_be_undone_before_time_passes():
    s = Session(seed=judge.SEED, width=32, height=18)
    try:
        s.apply({"op": "eruption", "strength": 0.5})
        s.apply({"op": "eruption", "strength": 0.0})
        assert s.state()["events"][-1]["stage"] == "cooling"
        s.apply({"op": "undo"})
        assert s.state()["events"][-1]["stage"] == "erupting"
    finally:
        s.close()


def test_redo_reapplies_what_undo_took_back_and_a_new_edit_clears_it():
    s = Session(seed=judge.SEED, width=32, height=18)
    try:
        assert s.command("undo").reply == "There is nothing to undo."
        s.command("make it snow")
        s.command("undo")
        assert s.state()["weather"]["kind"] == "clear"
        r = s.command("redo")
        assert s.state()["weather"]["kind"] == "snow" and r.reply.startswith("Redid")
        s.command("undo")
        s.command("moon gravity")
        assert "nothing to redo" in s.command("redo").reply and s.state()["weather"]["kind"] == "clear"
    finally:
        s.close()


def test_fleeing_characters_run_away_from_the_player_and_replay():
    s = Session(seed=judge.SEED, width=32, height=18)
    try:
        s.apply({"op": "spawn", "kind": "villager", "count": 2, "where": "here"})
        r = s.command("make the villagers run away")
        ids = [e["target"] for e in r.edits]
        p = s.state()["player"]

        def dist():
            near = {i: (x, y) for _, i, _, x, y, _, _ in s.world.things.near(p["x"], p["y"], 80.0)}
            return [((near[i][0] - p["x"]) ** 2 + (near[i][1] - p["y"]) ** 2) ** 0.5 for i in ids]
        d0 = dist()
        judge._advance(s, 3.0)
        assert all(b > a + 5.0 for a, b in zip(d0, dist(), strict=True))
        code = s.share_code()
        again = Session.from_share_code(code, 32, 18)
        assert again.world.things.pose(ids[0]) == pytest.approx(s.world.things.pose(ids[0]))
        again.close()
    finally:
        s.close()


def test_unsure_fallback_asks_back_with_options_and_changes_nothing():
    s = Session(seed=judge.SEED, width=32, height=18)
    try:
        before = s.state()["edits"]
        r = s.command("make it")
        assert r.edits == [] and r.reply.startswith("Did you mean: ") and 1 <= len(r.options) <= 2
        assert s.state()["edits"] == before
        for option in r.options:  # every offered option is itself a command that works
            assert s.command(option).edits
    finally:
        s.close()


def test_fallback_threshold_is_the_measured_one():
    table = threshold_table()
    assert ACT == pick_threshold(table)
    rows = [json.loads(line) for line in open(judge.CASES.parent / "direct_paraphrases.jsonl")]
    generated = {_key(t) for t, _ in templates.generate(TrainConfig().per_intent, TrainConfig().seed)}
    assert len(rows) >= 80 and not [r["text"] for r in rows if _key(r["text"]) in generated]


def test_session_start_loads_the_fallback(monkeypatch):
    monkeypatch.setattr(classifier, "_SHARED", [])   # as in a fresh process
    warm_up.cache_clear()
    s = Session(seed=1, width=32, height=18)
    try:
        assert classifier._SHARED and classifier._SHARED[0] is not None   # loaded by the Session, not a command
        t0 = time.perf_counter()
        s.command("let the sky weep a little")      # reaches the learned fallback
        assert time.perf_counter() - t0 < 1.0        # gross bound only: loading it took seconds before
    finally:
        s.close()
