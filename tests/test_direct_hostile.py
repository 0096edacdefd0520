"""Hostile and odd input: no edit, a clear reply, no exception, and never the user's text echoed back."""
import random
import time

import pytest

from oyster.direct import Interpreter, interpret
from oyster.direct.evaluate import STATES
from oyster.direct.text import MAX_CHARS

STATE = STATES["village"]


@pytest.mark.parametrize("text", ["", "   ", "\n\t", None, 42, "????", "1234", "...", "🙂🙂🙂", "🌧️🌧️",
                                  "我想要下雨", "Я хочу дождь", "asdkjh qwelkj zxcmnb", "lorem ipsum dolor",
                                  "<b></b>", "<script>alert('x')</script>", "<iframe src=//evil></iframe>",
                                  "what's the capital of France?", "who won the world cup in 2018?",
                                  "what is love", "DROP TABLE users;--", "{{7*7}}", "${jndi:ldap://x}"])
def test_nothing_to_do(text):
    r = interpret(text, STATE)
    assert r.edits == []
    assert isinstance(r.reply, str) and r.reply
    assert "<" not in r.reply and ">" not in r.reply


def test_specific_replies():
    assert "Type a command" in interpret("").reply
    assert "English" in interpret("🙂🙂🙂").reply
    assert "plain text" in interpret("<script>alert(1)</script>").reply
    assert "questions" in interpret("what's the capital of France?").reply


def test_markup_is_stripped_and_the_command_still_works():
    r = interpret('<img src=x onerror="alert(1)">make it <b>snow</b>', STATE)
    assert [e["kind"] for e in r.edits] == ["snow"]
    assert "<" not in r.reply and "alert" not in r.reply


def test_reply_never_echoes_user_text():
    marker = "zqxjvbkw"
    for text in (marker, f"make it rain {marker}", f"<b>{marker}</b>", f"what is {marker}?", f"spawn a {marker}"):
        assert marker not in interpret(text, STATE).reply


def test_enormous_input_is_cut_and_says_so():
    text = "make it rain " + "blah " * 20000
    t0 = time.perf_counter()
    r = interpret(text, STATE)
    assert time.perf_counter() - t0 < 1.0
    assert [e["op"] for e in r.edits] == ["weather"]
    assert f"first {MAX_CHARS} characters" in r.reply


def test_random_unicode_never_raises():
    rng = random.Random(0)
    alphabet = "abcdefghijklmnopqrstuvwxyz  ,.!?<>/&;:'\"0123456789éßøЖ漢🙂\u200b\x00"
    it = Interpreter()
    for _ in range(300):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 80)))
        r = it.interpret(text, STATE)
        assert isinstance(r.edits, list) and isinstance(r.reply, str)
        assert "<" not in r.reply


def test_garbage_state_is_tolerated():
    for state in (None, {}, {"entities": "nope"}, {"entities": [None, 3, {"kind": "villager"}]}, {"clock": None}):
        r = interpret("make him dance and speed up time", state)
        assert [e["op"] for e in r.edits] == ["character", "time"]
