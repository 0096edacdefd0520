"""Several intents in one clause with no conjunction ("heavy rain under moon gravity", "erupting volcano at
night"): after the grammar's main reading, find other clearly marked intents in the words it did not use.

Each detector is stricter than the grammar rule of the same intent (a travel verb AND a place, an action AND
a named character...), so chatter and one-intent clauses ("6:30 in the morning") keep exactly one reading.
"""
import re

from oyster.direct import extract as S
from oyster.direct import grammar as G
from oyster.direct import idioms as I
from oyster.direct import lexicon as L
from oyster.direct import refs
from oyster.direct.grammar import Parse
from oyster.direct.refs import DirectContext

# The lexicon tables whose words the main reading used, per intent: they are blanked before looking further.
_USED = {
    "gravity": (L.GRAVITY_WORDS, L.GRAVITY_SCALE),
    "time": (L.TIME_SPEED, L.TIME_SUBJECT, L.TIME_OF_DAY, L.DAYPART, L.TIME_WORDS),
    "eruption": (L.ERUPT, L.VOLCANO, L.VOLCANO_GO, L.STRENGTH),
    "teleport": (L.TELEPORT_VERB, L.PLACE),
    "character": (L.ACTION, L.PRONOUN, L.EVERYONE, L.KIND),
    "terrain": (L.TERRAIN, L.SIZE, L.WHERE),
    "spawn": (L.SPAWN_VERB, L.KIND, L.WHERE),
    "weather": (L.WEATHER, L.INTENSITY, L.WEATHER_NEG, L.TIME_OF_DAY, L.DAYPART),
}
# Where the main reading sits in the clause (to keep the edits in the order they were said).
_ANCHOR = {"gravity": L.GRAVITY_WORDS, "time": L.TIME_SPEED, "eruption": L.ERUPT, "teleport": L.TELEPORT_VERB,
           "character": L.ACTION, "terrain": L.TERRAIN, "spawn": L.SPAWN_VERB,
           "weather": L.WEATHER}
# Weather words that describe more often than they ask ("a winter cabin", "summer").
_SCENERY = {"winter", "wintry", "summer", "dry", "pour", "shower", "showers", "precipitation", "wet weather"}
# Time words too vague to be a second request ("dance all day", "a dark forest", "a bright campfire").
_VAGUE = {"day", "the day", "bright", "dark", "darkness", "light out", "daylight", "breakfast", "mornings",
          "evenings", "nights", "nite"}
_NOT_NOW = {"all", "every", "each", "good", "last", "tomorrow", "yesterday", "per", "one", "whole"}
_NEG = {"no", "without", "stop", "not", "dont", "end", "less"}
_STRONG_REF = re.compile(r"\b(?:him|her|he|she|them|they)\b")
_CLOCK = re.compile(r"\b\d{1,2}(?::\d{2})?\s*(?:am|pm)\b|\b\d{1,2}:\d{2}\b")
_GO = re.compile(r"\b(?:teleport|tp|warp|take me|take us|bring me|send me|go to|go back to|lets go|"
                 r"let us go|head to|travel to|fly me|beam me|show me the|get me to|jump to)\b")
_MAKE = re.compile(r"\b(?:plant|build|spawn|add|put|place|create|make|grow|summon|light|construct|erect|"
                   r"dig|blast|raise)\b")
_HOLE = {"hill", "hills", "crater", "craters", "mound", "hole", "pit", "ditch", "trench"}


def mask(text: str, tables) -> str:
    """The clause with every phrase of `tables` blanked out (same length, so positions still line up)."""
    out = text
    for t in tables:
        for s, e, _ in t.find(out):
            out = out[:s] + " " * (e - s) + out[e:]
    return out


def extend(parse: Parse, text: str, ctx: DirectContext, state: dict | None) -> Parse:
    """Add the other intents of `text` to the grammar's reading, all in the order they were said."""
    if not parse.edits or parse.intent not in _USED:
        return parse
    have = {e["op"] for e in parse.edits}
    rest = mask(text, _USED[parse.intent])
    found: list[tuple[int, list[dict]]] = []
    for op, detect in _DETECTORS:
        if op not in have:
            hit = detect(rest, text, ctx, state)
            if hit:
                found.append(hit)
    if not found:
        return parse
    anchor = _ANCHOR[parse.intent].rx.search(text)
    found.append((anchor.start() if anchor else 0, parse.edits))
    found.sort(key=lambda h: h[0])
    return Parse([e for _, edits in found for e in edits], parse.notes, parse.intent)


def _before(text: str, pos: int, n: int) -> list[str]:
    return text[:pos].split()[-n:]


def _weather(rest, text, ctx, state):
    for s, e, kind in L.WEATHER.find(rest):
        word = rest[s:e]
        if kind == "clear" or word in _SCENERY:
            continue
        nxt = text[e:].split()[:1]
        if word.endswith("y") and nxt and (L.PLACE.first(nxt[0]) or L.KIND.first(nxt[0])):
            continue  # "the snowy mountains": scenery, not a request
        lead = _before(text, s, 3)
        if _NEG & set(lead[-2:]):
            return s, [dict(I.CLEAR)]
        start = len(text[:s].rstrip()) - len(" ".join(lead)) if lead else s
        default = S.DEFAULTS.storm_intensity if kind == "storm" else S.DEFAULTS.intensity
        return s, [{"op": "weather", "kind": kind, "intensity": S.intensity(text[start:e], default)}]
    return None


def _time(rest, text, ctx, state):
    clock = _CLOCK.search(rest)
    if clock:
        hour = S.hour_from_clock(rest[clock.start():], True)
        if hour is not None:
            return clock.start(), [G.time_edit(hour, None, state)]
    for s, e, hour in L.TIME_OF_DAY.find(rest):
        if rest[s:e] in _VAGUE or set(_before(text, s, 1)) & _NOT_NOW:
            continue
        return s, [G.time_edit(float(hour), None, state)]
    return None


def _gravity(rest, text, ctx, state):
    m = L.GRAVITY_WORDS.rx.search(rest)
    scale = S.gravity_scale(text) if m else None
    return (m.start(), [G.gravity_edit(scale)]) if scale is not None else None


def _eruption(rest, text, ctx, state):
    m = L.ERUPT.rx.search(rest)
    if not m:
        return None
    window = " ".join(_before(text, m.start(), 3) + text[m.start():].split()[:3])
    return m.start(), [{"op": "eruption", "strength": S.strength(window)}]


def _character(rest, text, ctx, state):
    acts = [(s, e, a) for s, e, a in L.ACTION.find(rest) if not rest[s:e].endswith("ing")]  # "the dancing guy"
    named = refs.mentioned_kind(rest) or L.EVERYONE.first(rest) or _STRONG_REF.search(rest)
    if not acts or not named:
        return None
    return acts[-1][0], G.character_edits(acts[-1][2], text, ctx, state)


def _teleport(rest, text, ctx, state):
    m = _GO.search(rest)
    target = S.place(text[m.end():]) if m else None
    return (m.start(), [{"op": "teleport", "target": target}]) if target else None


def _spawn(rest, text, ctx, state):
    verb = _MAKE.search(rest)
    if not verb:
        return None
    found = [f for f in L.KIND.find(rest[verb.end():]) if f[2] not in L.CHARACTER_KIND]
    if not found or _HOLE & set(rest[verb.end():].split()):
        return None
    sub = text[verb.start():]
    return verb.start(), G.spawn(sub, [f for f in L.KIND.find(sub) if f[2] == found[0][2]][:1]).edits


def _terrain(rest, text, ctx, state):
    verb = _MAKE.search(rest)
    if not verb or not _HOLE & set(rest[verb.end():].split()):
        return None
    sub = text[verb.start():]
    parse = G.parse_terrain(sub)
    return (verb.start(), parse.edits) if parse else None


_DETECTORS = (("teleport", _teleport), ("eruption", _eruption), ("character", _character),
              ("terrain", _terrain), ("spawn", _spawn), ("weather", _weather), ("time", _time),
              ("gravity", _gravity))
