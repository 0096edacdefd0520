"""Layer 3: when the grammar is unsure, the learned classifier picks the intent and the grammar's slot
extractors fill in the details (with defaults)."""
from oyster.direct import classifier as C
from oyster.direct import extract as S
from oyster.direct import grammar as G
from oyster.direct import lexicon as L
from oyster.direct.grammar import Parse
from oyster.direct.refs import DirectContext
from oyster.direct.text import is_known

_HOURS = {"time_night": 22.0, "time_day": 12.0, "time_morning": 8.0, "time_evening": 18.5}
_GRAVITY = {"gravity_low": 0.5, "gravity_high": 2.0, "gravity_normal": 1.0}
_SPEED = {"time_fast": "speed up time", "time_slow": "slow down time", "time_freeze": "freeze time"}


def guess(text: str, ctx: DirectContext, state: dict | None, min_prob: float | None = None) -> Parse | None:
    """Classifier intent + slot filling, or None if the model is missing, unsure or says 'none'."""
    words = text.split()
    if not words or not any(is_known(w) for w in words):
        return None  # gibberish: the classifier would only be guessing
    model = C.shared()
    if model is None:
        return None
    intent, p = model.predict(text)
    if intent == "none" or p < (model.cfg.threshold if min_prob is None else min_prob):
        return None
    out = fill(intent, text, ctx, state)
    if out is not None:
        out.notes.insert(0, "guess")
    return out


def fill(intent: str, text: str, ctx: DirectContext, state: dict | None) -> Parse | None:
    """Typed edits for a classifier intent; slots come from the clause, else defaults."""
    family = intent.split("_")[0]
    if family == "weather":
        return Parse([G.weather_edit(text, intent.split("_")[1])], intent="weather")
    if intent in _HOURS:
        hour = S.hour_of_day(text, state)
        return Parse([G.time_edit(_HOURS[intent] if hour is None else hour, None, state)], intent="time")
    if intent in _SPEED:
        speed = S.time_speed(text, state)
        if speed is None:
            speed = S.time_speed(_SPEED[intent], state)
        return Parse([G.time_edit(None, speed, state)], intent="time")
    if intent in _GRAVITY:
        scale = S.gravity_scale(text)
        return Parse([G.gravity_edit(_GRAVITY[intent] if scale is None else scale)], intent="gravity")
    if family == "terrain":
        action = intent.split("_")[1]
        where = S.where(text) or ("here" if action == "flatten" else "ahead")
        return Parse([{"op": "terrain", "action": action, "where": "here" if where == "around" else where}],
                     intent="terrain")
    return _other(intent, text, ctx, state)


def _other(intent: str, text: str, ctx: DirectContext, state: dict | None) -> Parse | None:
    if intent == "undo":
        return Parse([{"op": "undo"}], intent="undo")
    if intent == "eruption":
        return Parse([{"op": "eruption", "strength": S.strength(text)}], intent="eruption")
    if intent == "teleport":
        target = S.place(text)
        return Parse([{"op": "teleport", "target": target}], intent="teleport") if target else \
            Parse(notes=["where_to"], intent="teleport")
    if intent == "spawn":
        found = L.KIND.find(text)
        return G.spawn(text, found) if found else Parse(notes=["what_kind"], intent="spawn")
    if intent == "remove":
        found = L.KIND.find(text)
        return G.remove(text, found, ctx, state) if found else None
    if intent == "character":
        act = S.action(text)
        if act is None:
            return None
        return Parse(G.character_edits(act, text, ctx, state), intent="character")
    return None
