"""Pronoun memory: an Interpreter per Session remembers who "him" is; the plain function does not."""
from oyster.direct import Interpreter, interpret
from oyster.direct.evaluate import STATES

VILLAGE = STATES["village"]


def test_pronoun_follows_the_last_mentioned_character():
    it = Interpreter()
    assert it.interpret("make the dog sit", VILLAGE).edits[0]["target"] == "a1"
    assert it.interpret("now have him jump", VILLAGE).edits[0]["target"] == "a1"
    assert it.interpret("make the villager wave", VILLAGE).edits[0]["target"] == "v1"
    assert it.interpret("the other one should dance", VILLAGE).edits[0]["target"] == "v2"
    assert it.context.last_target == "v2"


def test_plain_function_is_stateless():
    interpret("make the dog sit", VILLAGE)
    assert interpret("have him jump", VILLAGE).edits[0]["target"] == "v1"  # nearest character


def test_without_state_targets_are_left_to_the_world():
    r = Interpreter().interpret("make the villager wave")
    assert r.edits == [{"op": "character", "action": "wave"}]


def test_speed_only_time_edit_keeps_the_current_hour():
    r = interpret("speed up time", VILLAGE)
    assert r.edits == [{"op": "time", "speed": 240.0, "hour": 14.0}]


def test_one_command_sets_one_weather():
    r = interpret("a foggy, rainy afternoon", VILLAGE)
    assert [(e["op"], e.get("kind")) for e in r.edits] == [("weather", "rain"), ("time", None)]


def test_questions_are_answered_from_state_without_edits():
    assert interpret("what time is it?", VILLAGE).reply.startswith("It is 14:00")
    assert "clear" in interpret("is it raining?", VILLAGE).reply
    assert interpret("where am i?", VILLAGE).reply == "You are in the grassland."
