"""Weather, time of day, gravity and eruption words, read by Direct mode's own extractors (one reading of them).

Every use of `oyster.direct` by the language layer goes through this module, so a change of Direct mode's
internals is mended here once.
"""
from __future__ import annotations

import re

from oyster.direct import extract as S
from oyster.direct import lexicon as L
from oyster.direct import replies as R
from oyster.direct.grammar import gravity_edit, time_edit, weather_edit
from oyster.direct.text import is_known, normalise

__all__ = ["clean", "clauses", "read_clause", "known_word", "weather_or_time_word"]


def known_word(word: str) -> bool:
    """A word Direct mode knows or a common English word: never a typo of a world word ("start" is not "stark")."""
    return is_known(word)


_COMMAND_OPS = frozenset({"spawn", "remove", "character", "terrain", "teleport", "undo"})


def is_command(text: str) -> bool:
    """Direct mode's grammar (no learned guesses) reads the text as a command for things in the world ("plant
    three trees", "make the villager dance"), not a description of one."""
    from oyster.direct.interpreter import Interpreter  # lazy: the interpreter imports the language layer
    return any(e["op"] in _COMMAND_OPS for e in Interpreter(use_classifier=False).interpret(text).edits)


def weather_or_time_word(word: str) -> bool:
    """'rain', 'snow', 'night', 'noon': the head of a weather or clock command ("make it rain on the village")."""
    return word in L.WEATHER.lookup or word in L.TIME_OF_DAY.lookup


def clean(text: str) -> str:
    """Direct mode's normalisation: lowercase ASCII words, numbers as digits, markup dropped."""
    return normalise(text).text


_CLAUSE = re.compile(r"\s*(?:[,;!?]|\.(?!\d)|\b(?:and then|and|then|but|while|plus)\b)\s*")


def clauses(text: str) -> list[str]:
    """Pieces of a prompt that each describe one thing ("with" stays inside: "peaks capped with snow")."""
    return [c for c in (p.strip(" -.") for p in _CLAUSE.split(text)) if c]


def _words(table: L.Table, text: str) -> set[str]:
    return {w for s, e, _ in table.find(text) for w in text[s:e].split()}


def read_clause(clause: str) -> tuple[list[dict], set[str]]:
    """(edits for weather / time / gravity / eruption in the order the clause says them, the words that said
    them) of one normalised clause."""
    said: list[tuple[set[str], dict]] = []          # (words, edit)
    if L.GRAVITY_WORDS.first(clause):
        scale = S.gravity_scale(clause)
        if scale is not None:
            said.append((_words(L.GRAVITY_WORDS, clause) | _words(L.GRAVITY_SCALE, clause), gravity_edit(scale)))
    if L.ERUPT.first(clause) or (L.VOLCANO.first(clause) and L.VOLCANO_GO.first(clause)):
        said.append((_words(L.ERUPT, clause) | _words(L.VOLCANO_GO, clause) | _words(L.STRENGTH, clause),
                     {"op": "eruption", "strength": S.strength(clause)}))
    hour = S.hour_of_day(clause, None)
    if hour is not None:
        words = _words(L.TIME_OF_DAY, clause) | _words(L.DAYPART, clause) | _words(L.TIME_WORDS, clause)
        words |= {w for w in clause.split() if any(c.isdigit() for c in w) or w in ("am", "pm", "oclock")}
        said.append((words, time_edit(hour, None)))
    rest = clause
    for s, e, _ in L.TIME_OF_DAY.find(clause):   # "day" and "night" are not weather
        rest = rest[:s] + " " * (e - s) + rest[e:]
    weather = weather_edit(rest)
    if weather is not None:
        said.append((_words(L.WEATHER, rest) | _words(L.INTENSITY, rest) | _words(L.WEATHER_NEG, rest), weather))
    tokens = clause.split()
    first = {w: i for i, w in reversed(list(enumerate(tokens)))}
    said.sort(key=lambda p: min((first.get(w, len(tokens)) for w in p[0]), default=len(tokens)))
    return [e for _, e in said], set().union(*(w for w, _ in said))


def describe(edit: dict) -> str:
    """Direct mode's own sentence for a weather / time / gravity / eruption edit ("Fog rolls in.")."""
    return R.describe(edit)
