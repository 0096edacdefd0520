"""Find world words in a clause: longest phrase first, then word forms (plurals, -y, -ish, -ed, compounds), then typos.

Pure and deterministic: the same tokens always give the same matches.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from oyster.language.direct_words import known_word
from oyster.language.vocab import Entry, vocabulary

MAX_PHRASE = 7          # words in the longest phrase of the vocabulary that we look for
MIN_FUZZY = 5           # shorter unknown words are not typo-repaired ("moan" is not "moon")
MAX_TYPO_WORDS = 12     # unknown words per clause tried as typos (bounds the cost of long gibberish)
# Word ends that join a world word into a compound ("icescape", "snowfield", "frostbitten").
COMPOUND_TAILS = ("scapes", "scape", "lands", "land", "fields", "field", "bitten", "covered", "capped", "clad",
                  "swept", "filled", "like", "world", "side", "bound", "y", "s")
# Function words and generic verbs: never world words, never reported as not understood.
FILLER = frozenset("""
a an the of in on at to with and or during under over by from for into onto near while then plus but as
is are was were be being been it its this that these those there here some any very really quite so just
bit lot lots full filled covered made make makes create generate give show me please i we you my our your
want like looking look looks seen see can could would will let lets us where which who whose what how
world scene kind sort type one ones all every each with without around across through between beside behind
above below beneath among amid amidst along toward towards upon within out up down off than too also
little big small huge large wide tall great giant giant tiny whole entire much many more most
has have having had do does did go goes going gone get got becomes become turn turned into new old
should must shall might may ought
""".split())


@dataclass(frozen=True)
class Hit:
    start: int                  # token index
    end: int                    # exclusive
    entry: Entry
    how: str = "exact"          # exact / form / compound / typo


def _undouble(stem: str) -> str:
    return stem[:-1] if len(stem) > 2 and stem[-1] == stem[-2] and stem[-1] not in "aeiousl" else stem


def forms(word: str) -> list[str]:
    """Candidate base forms of a word, most likely first."""
    out = []
    for suf, rep in (("ies", "y"), ("es", ""), ("s", ""), ("iest", "y"), ("ier", "y"), ("est", ""), ("er", ""),
                     ("ish", ""), ("ed", ""), ("ed", "e"), ("ing", ""), ("ing", "e"), ("ness", ""), ("ly", ""),
                     ("y", ""), ("y", "e"), ("ey", ""), ("like", ""), ("en", "")):
        if word.endswith(suf) and len(word) - len(suf) >= 3:
            stem = word[:len(word) - len(suf)]
            out += [stem + rep, _undouble(stem) + rep]
    return list(dict.fromkeys(w for w in out if w != word))


@lru_cache(maxsize=1)
def _single_words() -> dict[int, tuple[str, ...]]:
    """Single-word vocabulary keys by length (the typo candidates)."""
    by_len: dict[int, list[str]] = {}
    for w in sorted(vocabulary()):
        if " " not in w and w.isalpha():
            by_len.setdefault(len(w), []).append(w)
    return {k: tuple(v) for k, v in by_len.items()}


def distance(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment edit distance (swaps count once); stops early above `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2, prev = None, list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


@lru_cache(maxsize=4096)
def lookup(word: str, typos: bool = True) -> tuple[str, str] | None:
    """(vocabulary key, how) for one word, or None; `typos=False` skips the (slower) typo search."""
    vocab = vocabulary()
    if word in vocab:
        return word, "exact"
    for f in forms(word):
        if f in vocab:
            return f, "form"
    if word in FILLER or not word.isalpha():
        return None
    for i in range(len(word) - 3, 2, -1):          # compounds: the longest known head with a known tail
        head, tail = word[:i], word[i:]
        base = head if head in vocab else next((f for f in forms(head) if f in vocab), None)
        if base and (tail in COMPOUND_TAILS or tail in vocab):
            return base, "compound"
    if not typos or len(word) < MIN_FUZZY or known_word(word):
        return None
    limit = 1 if len(word) < 8 else 2
    best = None
    for n in range(len(word) - limit, len(word) + limit + 1):
        for cand in _single_words().get(n, ()):
            if cand[0] != word[0] and cand[:2] != word[:2][::-1]:
                continue                             # a slip rarely hits the first letter
            d = distance(word, cand, limit)
            if d <= limit and (best is None or d < best[0]):
                best = (d, cand)
    return (best[1], "typo") if best else None


def find(tokens: list[str], typos: int = MAX_TYPO_WORDS) -> list[Hit]:
    """World words in a clause's tokens, left to right; each token in at most one hit. Longer phrases win
    wherever they start ("the wild west" is the west, not "the wild" + "west")."""
    vocab = vocabulary()
    spans = [(n, i) for n in range(min(MAX_PHRASE, len(tokens)), 1, -1) for i in range(len(tokens) - n + 1)
             if " ".join(tokens[i:i + n]) in vocab]
    spans.sort(key=lambda s: (-s[0], tokens[s[1]] in FILLER, s[1]))
    taken = [False] * len(tokens)
    hits = []
    for n, i in spans:
        if not any(taken[i:i + n]):
            hits.append(Hit(i, i + n, vocab[" ".join(tokens[i:i + n])]))
            taken[i:i + n] = [True] * n
    for i, tok in enumerate(tokens):
        if not taken[i]:
            found = lookup(tok, typos > 0)
            typos -= found is None or found[1] == "typo"
            if found is not None:
                hits.append(Hit(i, i + 1, vocab[found[0]], found[1]))
    return sorted(hits, key=lambda h: h.start)
