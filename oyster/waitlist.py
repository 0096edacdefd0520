"""The waitlist: one SQLite row per e-mail, safe under concurrent submissions; CSV export.

The first submission's name and use case are kept: a repeat only counts (so nobody can rewrite another person's
details by sending their address), and every accepted sign-up gets the same reply (so the reply never tells
whether an address is on the list). The CSV export prefixes any cell a spreadsheet would run as a formula.
Export for the team:  python -m oyster.waitlist export [path.csv]   (stdout when no path)
The database is OYSTER_WAITLIST_DB, default data/waitlist.db. Nothing here ever returns stored e-mails to a visitor.
"""
import csv
import os
import re
import sqlite3
import sys
import threading
import time
from pathlib import Path

MAX_EMAIL = 254        # RFC 5321 path limit
MAX_NAME = 100
MAX_USE_CASE = 2000
# Pragmatic check: one @, a dot in the domain, no spaces or angle brackets. Deliverability is not our business.
EMAIL_RE = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                      r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")

THANKS = "Thanks! You are on the waitlist; we will write when there is news."
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")    # a cell starting so is a formula to a spreadsheet

SCHEMA = """
CREATE TABLE IF NOT EXISTS waitlist (
    email TEXT PRIMARY KEY,          -- lower-cased, stripped
    name TEXT NOT NULL DEFAULT '',
    use_case TEXT NOT NULL DEFAULT '',
    created REAL NOT NULL,           -- unix seconds of the first submission
    updated REAL NOT NULL,           -- unix seconds of the latest (a repeat changes only this and the count)
    submissions INTEGER NOT NULL DEFAULT 1
)"""


def default_path() -> Path:
    return Path(os.environ.get("OYSTER_WAITLIST_DB", "data/waitlist.db"))


def validate(email: str, name: str = "", use_case: str = "") -> tuple[str, str, str]:
    """Clean and check one submission; ValueError with a message fit for the visitor."""
    if not isinstance(email, str) or not email.strip():
        raise ValueError("Please enter your e-mail address.")
    email = email.strip().lower()
    if len(email) > MAX_EMAIL:
        raise ValueError(f"That e-mail address is longer than {MAX_EMAIL} characters.")
    if not EMAIL_RE.match(email) or ".." in email or len(email.split("@")[0]) > 64:
        raise ValueError("That does not look like an e-mail address (expected something like name@example.com).")
    name = (name or "").strip() if isinstance(name, str) else ""
    use_case = (use_case or "").strip() if isinstance(use_case, str) else ""
    if len(name) > MAX_NAME:
        raise ValueError(f"Please keep the name under {MAX_NAME} characters.")
    if len(use_case) > MAX_USE_CASE:
        raise ValueError(f"Please keep 'what you would build' under {MAX_USE_CASE} characters.")
    return email, name, use_case


class Waitlist:
    """A small SQLite store; one connection per thread, WAL so readers never block the writer."""

    def __init__(self, path: str | Path | None = None):
        self.path = Path(path) if path else default_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        with self._conn() as conn:
            conn.execute(SCHEMA)

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=10.0, isolation_level=None)   # autocommit; UPSERT is atomic
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA busy_timeout=10000")
            conn.execute("PRAGMA synchronous=NORMAL")
            self._local.conn = conn
        return conn

    def add(self, email: str, name: str = "", use_case: str = "") -> bool:
        """Store a submission; True when the e-mail is new. A repeat keeps the first details and only counts."""
        email, name, use_case = validate(email, name, use_case)
        now = time.time()
        conn = self._conn()
        row = conn.execute(
            "INSERT INTO waitlist (email, name, use_case, created, updated) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT(email) DO UPDATE SET updated = excluded.updated, submissions = submissions + 1 "
            "RETURNING submissions",
            (email, name, use_case, now, now)).fetchone()
        return row[0] == 1

    def submit(self, email: str, name: str = "", use_case: str = "") -> str:
        """The visitor-facing message for a submission, the same whether or not the address was already there
        (raises ValueError for a bad one)."""
        self.add(email, name, use_case)
        return THANKS

    def count(self) -> int:
        return self._conn().execute("SELECT COUNT(*) FROM waitlist").fetchone()[0]

    def export_csv(self, out) -> int:
        """Write every row as CSV to a text stream; returns the number of rows. For the team only."""
        rows = self._conn().execute(
            "SELECT email, name, use_case, datetime(created, 'unixepoch'), datetime(updated, 'unixepoch'), "
            "submissions FROM waitlist ORDER BY created").fetchall()
        w = csv.writer(out)
        w.writerow(["email", "name", "use_case", "created_utc", "updated_utc", "submissions"])
        w.writerows([[spreadsheet_safe(v) for v in row] for row in rows])
        return len(rows)


def spreadsheet_safe(value):
    """A CSV cell no spreadsheet will execute: text starting like a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] != "export" or len(argv) > 2:
        print("usage: python -m oyster.waitlist export [path.csv]   (database: OYSTER_WAITLIST_DB)", file=sys.stderr)
        return 2
    wl = Waitlist()
    if len(argv) == 2:
        with open(argv[1], "w", newline="", encoding="utf-8") as f:
            n = wl.export_csv(f)
        print(f"wrote {n} rows to {argv[1]}", file=sys.stderr)
    else:
        wl.export_csv(sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
