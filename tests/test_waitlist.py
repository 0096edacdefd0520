"""Waitlist store: validation, one row per e-mail, concurrent submissions, CSV export."""
import csv
import io
import subprocess
import sys
import threading

import pytest

from oyster.waitlist import Waitlist, validate


@pytest.fixture
def wl(tmp_path):
    return Waitlist(tmp_path / "sub" / "waitlist.db")


@pytest.mark.parametrize("bad", ["", "   ", "plainaddress", "a@b", "@example.com", "a@@b.com", "a b@c.com",
                                 "a@b..com", "<script>@x.com", "x" * 250 + "@example.com", None])
def test_bad_emails_are_refused_with_a_reason(bad):
    with pytest.raises(ValueError) as e:
        validate(bad)
    assert "e-mail" in str(e.value)


def test_length_caps():
    with pytest.raises(ValueError, match="name"):
        validate("a@example.com", "n" * 101)
    with pytest.raises(ValueError, match="build"):
        validate("a@example.com", "", "u" * 2001)


def test_repeat_counts_but_never_overwrites_the_first_details(wl):
    """Attack: re-submitting someone's e-mail rewrote their name and use case."""
    assert wl.add("Ada@Example.com ", "Ada", "worlds")
    assert not wl.add("ada@example.com", "Mallory", "games")   # same address, case and spaces aside
    out = io.StringIO()
    assert wl.export_csv(out) == 1
    row = list(csv.DictReader(io.StringIO(out.getvalue())))[0]
    assert (row["email"], row["name"], row["use_case"], row["submissions"]) == ("ada@example.com", "Ada", "worlds", "2")


def test_reply_is_the_same_for_new_and_known_addresses(wl):
    """Attack: the reply told anyone whether an address was already on the list."""
    assert wl.submit("known@example.com") == wl.submit("known@example.com") == wl.submit("fresh@example.com")


def test_csv_export_defuses_spreadsheet_formulas(wl):
    """Attack: `=HYPERLINK(...)` was written verbatim into a spreadsheet."""
    evil = ['=HYPERLINK("http://evil.example","x")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]
    for k, v in enumerate(evil):
        wl.add(f"p{k}@example.com", v[:100], v)
    wl.add("=cmd@example.com", "plain", "ok")
    out = io.StringIO()
    wl.export_csv(out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    for row in rows:
        for key in ("email", "name", "use_case"):
            assert not row[key].startswith(("=", "+", "-", "@", "\t", "\r")), row[key]
    assert any(r["use_case"] == "'" + evil[0] for r in rows)


def test_messages_never_echo_other_addresses(wl):
    wl.submit("first@example.com")
    msg = wl.submit("second@example.com")
    assert "first@" not in msg and "second@" not in msg


def test_concurrent_submissions_lose_nothing(tmp_path):
    """Eight threads with their own connections, overlapping e-mails: one row per address, every repeat counted."""
    path = tmp_path / "w.db"
    Waitlist(path)
    errors = []

    def worker(k):
        wl = Waitlist(path)
        try:
            for i in range(25):
                wl.add(f"user{i}@example.com", f"t{k}", "x")
        except Exception as e:  # noqa: BLE001 - any failure is the test's subject
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(8)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert not errors
    wl = Waitlist(path)
    assert wl.count() == 25
    assert wl._conn().execute("SELECT SUM(submissions) FROM waitlist").fetchone()[0] == 200


def test_export_command_writes_csv(tmp_path):
    db, out = tmp_path / "w.db", tmp_path / "out.csv"
    Waitlist(db).add("a@example.com", "A", "b")
    env = {"OYSTER_WAITLIST_DB": str(db), "PATH": "/usr/bin:/bin"}
    subprocess.run([sys.executable, "-m", "oyster.waitlist", "export", str(out)], check=True, env=env,
                   cwd=str(__import__("pathlib").Path(__file__).parents[1]))
    assert out.read_text().splitlines()[1].startswith("a@example.com,A,b,")
