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


# The classifier acts only when its top probability reaches ACT: the lowest threshold at which its guesses on the
# held-out paraphrases (tests/data/direct_paraphrases.jsonl, none of them in the templates) are right at least 97%
# of the time; `python -m oyster.direct.evaluate --threshold` measures it. Between ASK and ACT it asks back.
ACT = 0.95
ASK = 0.3
# One concrete, clickable command per intent for "Did you mean: ..., or ...?" (each one parses by the grammar).
OFFER = {"weather_rain": "make it rain", "weather_snow": "make it snow", "weather_fog": "make it foggy",
         "weather_storm": "start a thunderstorm", "weather_clear": "clear skies", "time_night": "make it night",
         "time_day": "make it noon", "time_morning": "make it morning", "time_evening": "make it evening",
         "time_fast": "speed up time", "time_slow": "slow down time", "time_freeze": "freeze time",
         "gravity_low": "moon gravity", "gravity_high": "double gravity", "gravity_normal": "normal gravity",
         "spawn": "build a house", "remove": "remove the nearest tree", "teleport": "take me to the village",
         "eruption": "erupt the volcano", "character": "make the villager wave", "terrain_raise": "make a hill ahead",
         "terrain_lower": "dig a hole ahead", "terrain_crater": "dig a crater ahead",
         "terrain_flatten": "flatten the ground here", "undo": "undo"}


def guess(text: str, ctx: DirectContext, state: dict | None, min_prob: float | None = None) -> Parse | None:
    """Classifier intent + slot filling when sure; a question with one or two options when half sure; else None."""
    words = text.split()
    if not words or not any(is_known(w) for w in words):
        return None  # gibberish: the classifier would only be guessing
    model = C.shared()
    if model is None:
        return None
    p = model.probs(text)
    order = [int(i) for i in p.argsort()[::-1]]
    intent, top = model.cfg.intents[order[0]], float(p[order[0]])
    if _vague(words):  # "make it", "do something": ask, with the two likeliest concrete commands
        order = [i for i in order if model.cfg.intents[i] != "none"]
        offers = [OFFER[model.cfg.intents[i]] for i in order[:2] if model.cfg.intents[i] in OFFER]
        return Parse(notes=["Did you mean: " + ", or ".join(offers) + "?"], intent="ask", options=offers)
    if intent == "none":
        return None
    if top >= (ACT if min_prob is None else min_prob) and not _vague(words):
        out = fill(intent, text, ctx, state)
        if out is not None and out.edits:
            out.notes.insert(0, "guess")
            return out
    if top < ASK:
        return None
    offers = [OFFER[model.cfg.intents[i]] for i in order[:3] if model.cfg.intents[i] in OFFER]
    offers = [o for k, o in enumerate(offers[:2]) if k == 0 or p[order[k]] >= 0.05]
    question = "Did you mean: " + ", or ".join(offers) + "?"
    return Parse(notes=[question], intent="ask", options=offers)


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


_VAGUE = set("make it do let have get the a an some something thing things this that please now just can you could "
             "would me us go be set put turn change more less so very really".split())


def _vague(words: list[str]) -> bool:
    """'make it', 'do something': no word says what to change, so the fallback asks instead of acting."""
    return all(w in _VAGUE for w in words)
