"""Lexicon grammar: one normalised clause -> typed edits, or None when it is unsure.

Intents are tried in a fixed order so that the specific beats the general: "stop the rain" is
weather (not a character 'stop'), "lower gravity" is gravity (not terrain), "take me to the
mountain" is a teleport (not "make a mountain").
"""
import re
from dataclasses import dataclass, field

from oyster.direct import extract as S
from oyster.direct import idioms as I
from oyster.direct import lexicon as L
from oyster.direct import refs
from oyster.direct.refs import DirectContext

_NOT_TOO = re.compile(r"\bnot (?:too|so|very|that)\b")
_ALL = re.compile(r"\b(?:all|every|each|everything|any)\b")
_GO_TO = re.compile(r"(?:please |can you |could you |now )?(?:take|bring|send|teleport|tp|warp|go|get|move|beam|"
                    r"transport|walk|fly)(?: me| us)?(?: over| back)? to\b")
_VILLAGE = re.compile(r"\b(?:village|town|hamlet|settlement)\b")
_NOT_NOW = re.compile(r"\b(?:last|good|tomorrow|yesterday|every) (?:night|morning|evening|afternoon)\b")
_TOO = re.compile(r"\btoo (dark|bright)\b")
_OVER = re.compile(r"\b(?:all )?over (?:the|a|an|my|our|this|that|there|here|everything|everyone|us|me)\b")
_REMARK = re.compile(r"\s(?:looks?|seems?|is|are|was|were|feels?|smells?)\b")
_OFF = re.compile(r"\b(?:turn|switch|shut)\b(?: [a-z]+){1,2} off\b")  # "turn the rain off"
_EVERYTHING = re.compile(r"\b(?:everything|all of it|it all|all objects|all things)\b")


@dataclass
class Parse:
    """What the grammar made of one clause."""
    edits: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # canonical-only remarks for the reply
    intent: str = ""                                  # which branch matched ("" = none)
    options: list[str] = field(default_factory=list)  # commands to offer when unsure ("make it noon")


def parse_clause(text: str, ctx: DirectContext, state: dict | None, prev: list[dict]) -> Parse | None:
    """Typed edits for one clause; None if no rule fits (the learned fallback may try)."""
    for rule in (_undo, _idioms, _gravity, _time_speed, _eruption, _teleport, _character, _terrain, _objects,
                 _weather_time, _modifier):
        out = rule(text, ctx, state, prev)
        if out is not None:
            return out
    return None


def _undo(text, ctx, state, prev):
    if not L.UNDO.first(text) or (L.TELEPORT_VERB.first(text) and L.PLACE.first(text)):
        return None
    n = S.count(text) or (2 if "twice" in text else 3 if "thrice" in text else 1)
    if re.search(r"\b(?:everything|all)\b", text):
        n = 10
    return Parse([{"op": "undo"} for _ in range(max(1, min(n, 10)))], intent="undo")


def _idioms(text, ctx, state, prev):
    edits = I.it_stop(text, ctx, state) or I.sun(text, ctx, state) or I.take_back(text) or I.reset(text)
    return Parse(edits, intent="idiom") if edits else None


def _gravity(text, ctx, state, prev):
    if not L.GRAVITY_WORDS.first(text):
        return None
    scale = S.gravity_scale(text)
    if scale is None:
        return Parse(notes=["gravity_how"], intent="gravity")
    return Parse([gravity_edit(scale)], intent="gravity")


def gravity_edit(scale: float) -> dict:
    return {"op": "gravity", "scale": round(min(5.0, max(0.05, scale)), 3)}


def _time_speed(text, ctx, state, prev):
    phrase = L.TIME_SPEED.find(text)
    if not phrase or re.search(S._RELATIVE, text):
        return None
    if not L.TIME_SUBJECT.first(text):
        return None
    said = any(L.TIME_SUBJECT.first(text[s:e]) for s, e, _ in phrase)  # "freeze time", not a bare "stop"
    if refs.mentioned_kind(text) or (L.WEATHER.first(text) and not said):
        return None  # "make him stop", "stop the rain": not about the clock
    hour, speed = S.hour_of_day(text, state), S.time_speed(text, state)
    if hour is not None and L.TIME_SPEED.first(text) == "fast":
        speed = None  # "fast forward to night": a jump, not a new clock rate
    return Parse([time_edit(hour, speed, state)], intent="time")


def time_edit(hour: float | None, speed: float | None, state: dict | None = None) -> dict:
    """A time edit; a speed-only one gets the current hour later (`finalise`), after merging."""
    edit: dict = {"op": "time"}
    if hour is not None:
        edit["hour"] = round(float(hour) % 24, 3)
    if speed is not None:
        edit["speed"] = round(float(speed), 3)
    return edit


def _eruption(text, ctx, state, prev):
    if L.ERUPT.first(text) or (L.VOLCANO.first(text) and L.VOLCANO_GO.first(text)):
        if _strong_teleport(text) and not L.ERUPT.first(text):
            return None
        return Parse([{"op": "eruption", "strength": S.strength(text)}], intent="eruption")
    return None


def _teleport_words(text: str) -> bool:
    return bool(L.TELEPORT_VERB.first(text))


def _strong_teleport(text: str) -> bool:
    """A travel verb other than a bare 'go' ('volcano go boom' is not a trip)."""
    return any(text[s:e] not in ("go", "head") for s, e, _ in L.TELEPORT_VERB.find(text))


def _teleport(text, ctx, state, prev):
    if not _teleport_words(text):
        return None
    target = S.place(text)
    if target and not (refs.mentioned_kind(text) and "me" not in text.split()):
        return Parse([{"op": "teleport", "target": target}], intent="teleport")
    if refs.mentioned_kind(text) and _GO_TO.match(text):
        spot = _entity_spot(text, ctx, state)
        if spot:
            return Parse([{"op": "teleport", "x": spot[0], "y": spot[1]}], intent="teleport")
    xy = S.coords(text)
    if xy and not L.KIND.first(text):
        return Parse([{"op": "teleport", "x": xy[0], "y": xy[1]}], intent="teleport")
    strong = re.search(r"\b(?:teleport|tp|warp|take me|send me|transport|beam me|travel)\b", text)
    if strong and not L.KIND.first(text):
        return Parse(notes=["where_to"], intent="teleport")
    return None


def _entity_spot(text: str, ctx: DirectContext, state: dict | None) -> tuple[float, float] | None:
    """Where the character a teleport names stands ("take me to the villager")."""
    ids, _ = refs.resolve(text, ctx, state)
    ent = next((c for c in refs.characters(state) if ids and str(c["id"]) == ids[0]), None)
    if ent is None or not all(isinstance(ent.get(k), (int, float)) for k in ("x", "y")):
        return None
    return float(ent["x"]), float(ent["y"])


def _character(text, ctx, state, prev):
    act = S.action(text)
    if act is None or S._RELATIVE.search(text):
        return None
    refer = refs.refers(text)
    if not refer and re.search(r"\b(?:i|im|ill|ive|id|we)\b", text) and not L.REQUEST.first(text):
        return None  # "i am going to explore": the player talking about themself
    strong = refs.mentioned_kind(text) or L.EVERYONE.first(text) or \
        any(text[s:e] not in ("it", "they", "them") for s, e, _ in L.PRONOUN.find(text))
    if L.WEATHER.first(text) and not strong:
        return None  # "make it stop snowing": 'it' is the weather
    other_kinds = [k for _, k in S.kinds(text) if k not in L.CHARACTER_KIND]
    if not refer and (other_kinds or L.WEATHER.first(text) or L.TERRAIN.first(text)):
        return None
    if not refer and L.SPAWN_VERB.first(text) and act in ("walk", "follow"):
        return None
    edits = character_edits(act, text, ctx, state)
    return Parse(edits, intent="character") if edits else Parse(notes=[nobody(text, state)], intent="character")


def character_edits(act: str, text: str, ctx: DirectContext, state: dict | None) -> list[dict]:
    """One edit per character the clause means (remembered for pronouns); untargeted if the state says nothing
    about characters, none at all if it lists none of the kind asked for (never another kind instead)."""
    ids, kind = refs.resolve(text, ctx, state)
    refs.remember(ctx, ids, kind, state)
    if not ids:
        listed = (state or {}).get("characters", (state or {}).get("entities"))
        known = isinstance(listed, list) and (listed == [] and "characters" in state or
                                              any(isinstance(e, dict) and "id" in e for e in listed))
        return [] if known else [{"op": "character", "action": act}]
    return [{"op": "character", "action": act, "target": i} for i in ids]


def nobody(text: str, state: dict | None) -> str:
    """Why no character acted: none of the kind named is near (there may be others)."""
    kind = refs.mentioned_kind(text)
    if kind and refs.characters(state):
        return f"There is no {kind} nearby, so nobody moved."
    return "There is nobody nearby to do that."


def _terrain(text, ctx, state, prev):
    found = L.TERRAIN.find(text)
    first_kind = L.KIND.rx.search(text)
    if found and first_kind and first_kind.start() < found[0][0] and L.SPAWN_VERB.first(text):
        return None  # "put a tree on the hill": the hill is where, not what
    if not found or L.KIND.first(text) and (L.REMOVE_VERB.first(text) or not _terrain_noun(found, text)):
        return None
    actions = {a for _, _, a in found}
    action = next(a for a in ("crater", "flatten", "raise", "lower") if a in actions)
    edit = {"op": "terrain", "action": action,
            "where": S.where(text) or ("here" if action == "flatten" else "ahead")}
    if edit["where"] == "around":
        edit["where"] = "here"
    size = L.SIZE.first(text)
    if size:
        edit["radius"], edit["amount"] = (4.0, 3.0) if size == "small" else (16.0, 12.0)
    r = S.radius(text)
    if r:
        edit["radius"] = r
    return Parse([edit], intent="terrain")


def parse_terrain(text: str) -> Parse | None:
    """The terrain rule alone (for a second intent inside a clause: "take me to the beach to dig a hole")."""
    return _terrain(text, None, None, [])


def _terrain_noun(found, text) -> bool:
    """A terrain noun ('hill', 'crater') beats an object noun; a bare verb ('lower') does not."""
    return any(text[s:e] in ("hill", "hills", "crater", "craters", "mound", "hole", "pit", "ditch", "trench",
                             "valley", "mountain") for s, e, _ in found)


def _objects(text, ctx, state, prev):
    found = L.KIND.find(text)
    removing = L.REMOVE_VERB.first(text)
    if not found and not removing and L.SPAWN_VERB.first(text) and _VILLAGE.search(text) and \
            not L.WEATHER.first(text):  # "make it snow on the village" is weather
        where = S.where(text) or "ahead"  # "build a village": a few houses and their people
        return Parse([{"op": "spawn", "kind": "house", "count": 4, "where": where},
                      {"op": "spawn", "kind": "villager", "count": 2, "where": where}], intent="spawn")
    if not found:
        if removing and _EVERYTHING.search(text):
            return Parse([{"op": "remove", "radius": S.radius(text) or S.DEFAULTS.radius}], intent="remove")
        if removing and L.PRONOUN.first(text) and not L.WEATHER.first(text):
            return _remove_character(text, ctx, state)
        if text.split() and text.split()[0] in ("more", "another", "again") and prev and prev[-1]["op"] == "spawn":
            return Parse([dict(prev[-1])], intent="spawn")
        return None
    if removing or (prev and prev[-1]["op"] == "remove" and not L.SPAWN_VERB.first(text)):
        return remove(text, found, ctx, state)  # "cut down the trees and the rocks"
    if L.WEATHER.first(text) and not L.SPAWN_VERB.first(text):
        return None  # "rain on the houses": weather, the noun is scenery
    if not L.SPAWN_VERB.first(text):
        if found[0][2] in L.CHARACTER_KIND and S.count(text) is None:
            return Parse(intent="vocative")  # "villager, follow me": addressing, not asking for one
        if not _bare_request(text, found[0]):  # "the house looks cool": talk about a thing, not a request
            return Parse(intent="remark") if _REMARK.search(text, found[0][1]) else None
    return spawn(text, found)


def remove(text, found, ctx, state):
    start, end, kind = found[0]
    if kind in L.CHARACTER_KIND and not S.is_plural(text) and not L.WHERE.first(text):
        return _remove_character(text, ctx, state)
    edit = {"op": "remove", "kind": kind}
    r = S.radius(text)
    if r or S.is_plural(text) or L.WHERE.first(text) in ("around", "here"):
        edit["radius"] = r or S.DEFAULTS.radius
    return Parse([edit], intent="remove")


def _remove_character(text, ctx, state):
    ids, kind = refs.resolve(text, ctx, state)
    if ids:
        if ids[0] == ctx.last_target:
            ctx.last_target = None
        return Parse([{"op": "remove", "target": ids[0], "kind": kind or "villager"}], intent="remove")
    return Parse([{"op": "remove", "kind": kind or "villager"}], intent="remove")


def _bare_request(text: str, first: tuple[int, int, str]) -> bool:
    """A verb-less clause asks for things only if it is just a (counted) noun: "campfire", "a dozen trees"."""
    head = text[:first[0]].split()
    tail = text[first[1]:].split()
    lead = all(w in L.COUNT_WORDS or w.isdigit() or w in ("of", "the", "more") for w in head)
    return lead and all(w in ("please", "pls", "now", "too", "here", "there", "ahead") or L.WHERE.first(w)
                        for w in tail)


def spawn(text, found):
    start, end, kind = found[0]
    grove = re.search(r"\b(forest|grove|woods)\b", text[start:])  # "a pine forest": many pines
    n = L.COUNT_WORDS.get(grove.group(1), 10) if grove else S.count(text, start)
    notes = []
    if n is None:
        n = S.DEFAULTS.plural_count if S.is_plural(text[start:end + 1]) else S.DEFAULTS.count
    if n <= 0:
        return Parse(notes=["zero"], intent="spawn")
    if n > S.DEFAULTS.max_count:
        n, notes = S.DEFAULTS.max_count, ["capped"]
    edit = {"op": "spawn", "kind": kind, "count": int(n), "where": S.where(text) or "ahead"}
    return Parse([edit], notes=notes, intent="spawn")


def _weather_time(text, ctx, state, prev):
    hour = S.hour_of_day(text, state)
    if hour is not None and _NOT_NOW.search(text) and not re.search(r"\d", text):
        hour = None  # "last night", "good night everyone": not a request for the clock
    if _TOO.search(text):  # "it's too dark" asks for light; "too bright" for a low sun
        hour = 12.0 if _TOO.search(text).group(1) == "dark" else 17.8
    rest = text
    for s, e, _ in L.TIME_OF_DAY.find(text):
        rest = rest[:s] + " " * (e - s) + rest[e:]
    edits = []
    weather = weather_edit(rest)
    if weather:
        edits.append(weather)
    if hour is not None:
        edits.append(time_edit(hour, None, state))
    return Parse(edits, intent="weather" if weather else "time") if edits else None


def weather_edit(text: str, kind: str | None = None) -> dict | None:
    """Weather kind from the clause (or `kind`), with negation and intensity words applied."""
    found = [k for _, _, k in L.WEATHER.find(text)]
    if kind is None:
        if not found:
            return None
        named = [k for k in found if k != "clear"]
        kind = named[-1] if named else "clear"
    said = _OVER.sub(" ", _NOT_TOO.sub(" ", text))  # "snow over the town" is where, not "the rain is over"
    if kind != "clear" and (L.WEATHER_NEG.find(said) or _OFF.search(text)):
        kind = "clear"
    if kind == "clear":
        return dict(I.CLEAR)
    default = S.DEFAULTS.storm_intensity if kind == "storm" else S.DEFAULTS.intensity
    return {"op": "weather", "kind": kind, "intensity": S.intensity(text, default)}


def _modifier(text, ctx, state, prev):
    """'heavier', 'a bit lighter': adjust the weather just set (or the current one)."""
    if not L.INTENSITY.first(text) or len(text.split()) > 4:
        return None
    kind = next((e["kind"] for e in reversed(prev) if e["op"] == "weather"), None)
    if kind is None:
        kind = ((state or {}).get("weather") or {}).get("kind")
    if kind in (None, "clear"):
        return None
    edit = {"op": "weather", "kind": kind, "intensity": S.intensity(text)}
    if prev and prev[-1]["op"] == "weather":
        prev.pop()
    return Parse([edit], intent="weather")
