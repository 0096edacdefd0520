"""Direct mode through the real Session: typed commands change the world state, and undo restores it."""
import pytest

from oyster import Session


@pytest.fixture(scope="module")
def session():
    s = Session(seed=7, width=64, height=36)
    s.step(set(), 1 / 30)
    yield s
    s.close()


def test_commands_change_the_world_and_undo_restores(session):
    before = session.state()["weather"]["kind"]
    r = session.command("heavy snow and moon gravity")
    assert [e["op"] for e in r.edits] == ["weather", "gravity"]
    st = session.state()
    assert st["weather"]["kind"] == "snow" and abs(st["gravity"] - 0.165) < 1e-6
    session.command("undo twice")
    st = session.state()
    assert st["weather"]["kind"] == before and st["gravity"] == 1.0


def test_every_vocabulary_example_is_accepted_by_the_world(session):
    for text in ("sunset", "speed up time", "plant three trees", "make a hill ahead", "take me to the lake",
                 "take me home"):
        r = session.command(text)
        assert r.edits, (text, r.reply)
        assert "Skipped" not in r.reply, (text, r.reply)
