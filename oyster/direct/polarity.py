"""Polarity and relative amounts, tried before the grammar: a prohibition ("don't", "never") changes nothing
unless the thing is happening now (then it stops it); a reversal ("stop", "no more", "put out", "calm",
"turn off") undoes the named thing; "a touch more rain", "ease off the snow", "two hours later", "an hour
earlier", "turn the rain into snow" are read relative to the world as it is now.
"""
import math
import re

from oyster.direct import extract as S
from oyster.direct import grammar as G
from oyster.direct import idioms as I
from oyster.direct import lexicon as L
from oyster.direct import refs
from oyster.direct.grammar import Parse
from oyster.direct.refs import DirectContext

_LEAD = r"^(?:(?:please|pls|ok|okay|and|but|so|now|oh|hey|just|actually|i said|i mean)\s+)*"
_PROHIBIT = re.compile(_LEAD + r"(?:(?:you|we|it|they|the \w+)\s+)?"
                       r"(?:dont you dare|dont ever|do not ever|dont|do not|never|"
                       r"lets not|let us not|no need to|there is no need to|you must not|you mustnt|must not|mustnt|"
                       r"shouldnt|should not|shall not|wont|will not|cannot|may not|i dont want you to|"
                       r"i do not want you to|i forbid you to|stop yourself from|refrain from|avoid)\b\s*")
_NOT_PROHIBIT = re.compile(r"^(?:want|wanna|like|need|care|mind|stop|worry)\b|^$")
_WANT_NOT = re.compile(_LEAD + r"(?:i |we )?(?:dont|do not|no longer|never) (?:want|need|like|wanna)\b|"
                       r"\b(?:anymore|any more|any longer)\b|\b(?:sick|tired) of\b|\bhad enough of\b|\bno more\b")
_STOP = re.compile(r"\b(?:stop|stops|stopping|end|ends|halt|cease|quit|enough|no more|put out|puts out|extinguish|"
                   r"douse|snuff|snuff out|turn off|switch off|shut off|shut down|kill|calm|calm down|quiet|quieten|"
                   r"quiet down|"
                   r"settle|settle down|cool|cool down|cool off|get rid of|clear|clear away|clear up|cancel|"
                   r"fight|stamp out|smother|pause|make it stop|go out|die down|"
                   r"put an end to|switch it off|turn it off|melt|anymore|any more|lift|disperse|burn off|blow away|"
                   r"chase away|put (?:\w+ ){1,2}out|turn (?:\w+ ){1,2}off|switch (?:\w+ ){1,2}off|call off|"
                   r"call it off|"
                   r"dry up|dry it up|dry things up|(?:shut|calm|quiet|settle|cool) (?:\w+ ){1,2}(?:down|off)|"
                   r"(?:throw|pour|splash|dump|spray|tip) (?:some |a bucket of |buckets of )?water|gone|go away|"
                   r"disappear|vanish|leave me alone|out of here|get out|begone|be gone)\b|^no\b|"
                   r"^(?!.*\b(?:set|sets|kick|kicks|go|goes|blast|blasts|take|took|show|shows)\b).*\boff$")
_SOFT = re.compile(r"\b(?:less|lighter|a touch|a tad|a bit|a little|a notch|slightly|ease|ease off|ease up|let up|"
                   r"down a|turn down|tone down|dial down|dial back|back off|not so much|not as much|not so|softer|"
                   r"weaker|gentler|thinner|lower|reduce|decrease|calm it down|fewer)\b")
_DOWN = re.compile(r"\b(?:less|lighter|lighten|soften|weaken|ease|ease off|ease up|let up|down|not so much|not as much|"
                   r"not so|softer|weaker|gentler|thinner|lower|reduce|decrease|back off|dial back|fewer|calm)\b")
_UP = re.compile(r"\b(?:more|heavier|harder|stronger|thicker|(?<!let )(?<!ease )(?<!lighten )up|increase|intensify|"
                 r"denser|worse|bigger|crank)\b")
_SMALL = re.compile(r"\b(?:a touch|touch|tad|a little|little|a bit|bit|slightly|a notch|notch|smidge|fraction)\b")
_LARGE = re.compile(r"\b(?:a lot|lot|much|way|far|loads|tons)\b")
_ERUPTION = re.compile(r"\b(?:eruption|eruptions|erupting|erupt|volcano|volcanoes|lava|magma|mountain of fire)\b")
_FIRE = re.compile(r"\b(?:fire|fires|campfire|campfires|camp fire|bonfire|bonfires|flames|flame|blaze)\b")
_DOING = {"dancing": "dance", "dance": "dance", "dances": "dance", "jumping": "jump", "jump": "jump",
          "waving": "wave", "wave": "wave", "following": "follow", "follow": "follow", "sitting": "sit",
          "walking": "walk", "wandering": "walk", "sleeping": "sleep", "running": "flee", "fleeing": "flee",
          "party": "dance", "partying": "dance", "hopping": "jump", "moving": "walk"}
_DOING_RX = re.compile(r"\b(" + "|".join(_DOING) + r")\b")
_SPEED_WORDS = re.compile(r"\b(?:fast forward|time lapse|timelapse|speeding|sped up|speed up|fast time|slow motion|"
                          r"slowed|slow time|slowing)\b")
_GRAVITY_BACK = re.compile(r"\b(?:turn|switch|put|bring)\b(?: [a-z]+){0,2} (?:back on|on again|back)\b")

# Relative times: "in half an hour", "forty minutes later", "an hour earlier", "rewind two hours".
_AMOUNT = re.compile(r"\b(?:(?P<num>\d+(?:\.\d+)?)|(?P<word>an?|one|half an?|a half|a quarter of an?|quarter of an?|"
                     r"a couple of|couple of|a couple|a few|few|several))\s*(?P<unit>hours?|hrs?|minutes?|mins?)\b"
                     r"(?P<half> and a half)?")
_HALF_HOUR = re.compile(r"\bhalf (?:an )?hour\b")
_LATER = re.compile(r"\b(?:later|from now|ahead|forward|forwards|on|skip|skip ahead|advance|pass|passes|wait|"
                    r"fast forward|"
                    r"jump|move on|onward|onwards|after)\b|^in\b|\bin (?=\d|an?\b|half|a few|a couple)")
_EARLIER = re.compile(r"\b(?:earlier|ago|back|backward|backwards|before|rewind|reverse|turn back|roll back|set back)\b")
_BACK_IN_TIME = re.compile(r"\b(?:back in time|rewind(?: time| the clock| the day)?|turn back (?:the )?(?:clock|time)|"
                           r"turn the clock back|set the clock back|earlier in the day|go back in time|travel back)\b")
_FORWARD_IN_TIME = re.compile(r"\b(?:forward in time|later in the day|fast forward(?: time)?|skip ahead|"
                              r"move the clock forward|set the clock forward|turn the clock forward)\b")
_A_BIT = re.compile(r"\b(?:a (?:bit|little|tad|touch) |slightly |much |way |a lot )?(?:later|earlier)\b")
_NEXT = re.compile(r"\b(?:the )?(?:next|following|tomorrow|tomorrows|the day after) ?(morning|afternoon|evening|night|"
                   r"dawn|sunrise|day|noon|midday|sunset|dusk)\b|"
                   r"^(?:skip to |jump to |go to |make it |fast forward to |on to )?tomorrow$")
_INTO = re.compile(r"\b(?:into|in to|to become|to)\b")
_CHANGE = re.compile(r"\b(?:turn|turns|change|changes|switch|make|transform|convert|swap|shift|go|going|move|from)\b")
_GATHER = re.compile(r"\b(?:gather|huddle|assemble|meet|sit|come|go|get|crowd|circle|cluster|hang out|warm up|"
                     r"warm themselves|warm yourselves|everyone to|all to)\b.*\b(?:round|around|by|at|to|near|beside|"
                     r"next to)\b.*\b(?:campfire|fire|bonfire|fireplace|fire pit)\b|\bgather (?:round|around)\b|"
                     r"\b(?:everyone|everybody|all|villagers|people|folks)\b.*\b(?:round|around|to|by)\b (?:the )?"
                     r"(?:campfire|fire|bonfire)\b")
_COMMANDED = {"dance", "follow", "flee", "sleep", "jump", "wave", "sit"}  # not walking: every animal wanders
_TRAVEL = re.compile(r"\b(?:take|bring|send|teleport|tp|warp|go to|go back to|head to|travel|fly me|beam me|"
                     r"get me to|move me)\b")
_QUIT = re.compile(r"(?:(?:ok|okay|now|please|hey|everyone|everybody|all of you) )*(?:cut it out|knock it off|"
                   r"quit it|stop it|stop that|that is enough|thats enough|enough|stop|stop now|quit|halt)"
                   r"(?: (?:please|now|everyone|everybody|all of you))*")
_LEAVE = re.compile(r"\b(?:leave me alone|stop chasing me|quit following|get off me|stop tailing me)\b")
_INSTEAD = re.compile(r"\s*\b(?:instead of|rather than|not)\b(?: the| any)? ?(?:rain|snow|fog|mist|storm|thunder|"
                      r"day|night|morning|evening|drizzle)\w*$")
_WHOLE = {"everyone", "everybody", "all", "villagers", "people", "folks", "guys", "them"}


def parse(text: str, ctx: DirectContext, state: dict | None, prev: list[dict]) -> Parse | None:
    for rule in (_prohibit, _group, _reverse, _into, _relative_time, _relative_intensity):
        out = rule(text, ctx, state, prev)
        if out is not None:
            return out
    return None


# ---------------------------------------------------------------------------------------------- state
def _weather_now(state) -> tuple[str | None, float]:
    w = (state or {}).get("weather") or {}
    kind = w.get("kind") if isinstance(w.get("kind"), str) else None
    k = w.get("intensity")
    return kind, float(k) if isinstance(k, (int, float)) else 0.0


def _erupting(state) -> bool | None:
    """True/False from the state's events; None when there is no state to ask."""
    if state is None:
        return None
    return any(isinstance(e, dict) and e.get("kind") == "eruption" and e.get("stage") == "erupting"
               for e in state.get("events") or [])


def _campfires(state) -> list[dict]:
    ents = (state or {}).get("entities") or []
    return sorted((e for e in ents if isinstance(e, dict) and e.get("kind") == "campfire"),
                  key=lambda e: float(e.get("distance", 0.0) or 0.0))


# ---------------------------------------------------------------------------------------------- prohibition
def _prohibit(text, ctx, state, prev):
    m = _PROHIBIT.match(text)
    if not m:
        return None
    rest = text[m.end():]
    complaint = rest.startswith("stop") and re.search(r"\b(?:wont|will not|cannot|cant)\b", m.group(0))
    if complaint or (_NOT_PROHIBIT.match(rest) and not rest.startswith("stop")):
        return None  # "it won't stop raining": make it stop; "don't want rain anymore": a reversal
    scratch = DirectContext(last_target=ctx.last_target, last_kind=ctx.last_kind, last_op=ctx.last_op)
    parsed = G.parse_clause(rest, scratch, state, []) if rest else None
    edits = parsed.edits if parsed else []
    stop = _stop_what(edits, rest, ctx, state)
    if stop:
        return Parse(stop, intent="reverse")
    return Parse(notes=[f"OK, I won't {_what(edits, rest)}; nothing changed."], intent="prohibit")


def _stop_what(edits: list[dict], rest: str, ctx, state) -> list[dict]:
    """A prohibition of something happening now stops it ("never snow here" while it snows)."""
    kind, _ = _weather_now(state)
    out = []
    for e in edits:
        if e["op"] == "weather" and e["kind"] != "clear" and e["kind"] == kind:
            out.append(dict(I.CLEAR))
        elif e["op"] == "eruption" and _erupting(state):
            out.append({"op": "eruption", "strength": 0.0})
        elif e["op"] == "character" and e["action"] in _COMMANDED:
            out += _stop_action(e["action"], rest, ctx, state, quiet=True)
    return out


def _what(edits: list[dict], rest: str) -> str:
    if not edits:
        if L.SPAWN_VERB.first(rest) or "anything" in rest or "something" in rest:
            return "change anything"
        return "do that"
    e = edits[0]
    op = e["op"]
    if op == "weather":
        return {"rain": "make it rain", "snow": "make it snow", "fog": "bring fog", "storm": "start a storm",
                "clear": "change the weather"}[e["kind"]]
    return {"spawn": "add anything", "remove": "remove anything", "eruption": "start an eruption",
            "time": "change the time", "gravity": "change gravity", "teleport": "move you",
            "terrain": "change the land", "character": "make anyone move", "undo": "undo anything"}.get(op, "do that")


# ---------------------------------------------------------------------------------------------- reversal
def _reverse(text, ctx, state, prev):
    if _QUIT.fullmatch(text) and not I.weather_on(ctx, state) and ctx.last_op in (None, "character"):
        busy = [c for c in refs.characters(state) if c.get("action") in _COMMANDED]
        if busy:  # "cut it out" while they dance: everyone busy with a commanded action stands still
            return Parse([{"op": "character", "action": "idle", "target": str(c["id"])} for c in busy],
                         intent="reverse")
    wants_not = bool(_WANT_NOT.search(text))
    if not (_STOP.search(text) or wants_not):
        return None
    it_erupts = ctx.last_op == "eruption" or (ctx.last_op is None and _erupting(state) and not I.weather_on(ctx, state))
    if _ERUPTION.search(text) and not _TRAVEL.search(text) or \
            (re.search(r"\b(?:it|that)\b", text) and it_erupts and _bare_stop(text)):
        if L.KIND.first(text) and not _ERUPTION.search(text):
            return None
        return _end_eruption(state)
    if _FIRE.search(text) and not _ERUPTION.search(text):
        return _put_out(text, state)
    if _LEAVE.search(text):
        return Parse(_stop_action("follow", text, ctx, state, quiet=True), intent="reverse")
    doing = _DOING_RX.search(text)
    if doing and (not L.WEATHER.first(text) or refs.refers(text)):
        return Parse(_stop_action(_DOING[doing.group(1)], text, ctx, state), intent="reverse") \
            if _stop_action(_DOING[doing.group(1)], text, ctx, state) else \
            Parse(notes=[f"Nobody here is {_gerund(_DOING[doing.group(1)])} right now."], intent="reverse")
    if L.GRAVITY_WORDS.first(text) and (wants_not or re.search(r"\b(?:stop|enough|end|cancel|no more)\b", text)) \
            and not re.search(r"\b(?:turn|switch) (?:off|gravity off)\b", text):
        return Parse([G.gravity_edit(1.0)], intent="gravity")
    if _SPEED_WORDS.search(text) and not L.WEATHER.first(text):
        return Parse([G.time_edit(None, S.DEFAULTS.speed, state)], intent="time")
    found = [k for _, _, k in L.WEATHER.find(text) if k != "clear"]
    if found or ("snow" in text and "melt" in text):
        if _SOFT.search(text) and not re.search(r"\b(?:no more|stop|end|clear|turn off|anymore)\b", text):
            return None  # "less snow": a relative amount, not an end
        return Parse([dict(I.CLEAR)], intent="weather")
    if re.search(r"\b(?:it|this|that)\b", text) and I.weather_on(ctx, state) and not L.KIND.first(text) \
            and not refs.refers(text.replace(" it", " ")) and _bare_stop(text.replace(" up", " off")):
        return Parse([dict(I.CLEAR)], intent="weather")  # "dry it up" while it rains
    if wants_not:
        kinds = [f for f in L.KIND.find(text) if f[2] not in L.CHARACTER_KIND]
        if kinds:
            return Parse([{"op": "remove", "kind": kinds[0][2], "radius": S.radius(text) or S.DEFAULTS.radius}],
                         intent="remove")
    return None


def _bare_stop(text: str) -> bool:
    return bool(re.fullmatch(r"(?:please |now |ok |just )*(?:make (?:it|that) stop|stop (?:it|that)|end (?:it|that)|"
                             r"dry (?:it|that|this) off|call (?:it|that) off|shut (?:it|that) down|"
                             r"calm (?:it|that) down|turn (?:it|that) off|cool (?:it|that) down)"
                             r"(?: please| now| already)*", text))


def _end_eruption(state) -> Parse:
    if _erupting(state) is False:
        return Parse(notes=["The volcano is not erupting right now, so nothing changed."], intent="reverse")
    return Parse([{"op": "eruption", "strength": 0.0}], intent="eruption")


def _put_out(text: str, state) -> Parse:
    fires = _campfires(state)  # none listed: the world looks further and says so if there is none
    if S.is_plural(text) or re.search(r"\b(?:all|every|fires|campfires|bonfires)\b", text):
        return Parse([{"op": "remove", "kind": "campfire", "radius": S.radius(text) or 60.0}], intent="remove")
    if fires and "id" in fires[0]:
        return Parse([{"op": "remove", "kind": "campfire", "target": str(fires[0]["id"])}], intent="remove")
    return Parse([{"op": "remove", "kind": "campfire"}], intent="remove")


def _stop_action(action: str, text: str, ctx: DirectContext, state, quiet: bool = False) -> list[dict]:
    """'stop dancing': idle every character doing it (or the one named); none if nobody is."""
    chars = refs.characters(state)
    named = refs.mentioned_kind(text) or L.PRONOUN.first(text) or L.EVERYONE.first(text)
    if named and not L.EVERYONE.first(text) and not re.search(r"\b(?:villagers|animals|people|them|they|all)\b", text):
        ids, kind = refs.resolve(text, ctx, state)
        return [{"op": "character", "action": "idle", "target": i} for i in ids] if ids or state else \
            [{"op": "character", "action": "idle"}]
    if state is None:
        return [{"op": "character", "action": "idle"}]
    kind = refs.mentioned_kind(text)
    doing = [c for c in chars if c.get("action") == action and (kind is None or c.get("kind") == kind)]
    if not doing and not quiet:  # nobody is doing it: the one last spoken to (or the nearest) stands still
        ids, _ = refs.resolve(text, ctx, state)
        return [{"op": "character", "action": "idle", "target": i} for i in ids[:1]]
    return [{"op": "character", "action": "idle", "target": str(c["id"])} for c in doing]


def _gerund(action: str) -> str:
    return {"dance": "dancing", "jump": "jumping", "wave": "waving", "follow": "following you", "sit": "sitting",
            "walk": "walking", "sleep": "sleeping", "flee": "running away"}.get(action, "doing that")


# ---------------------------------------------------------------------------------------------- group actions
def _group(text, ctx, state, prev):
    if re.search(r"\b(?:fight|battle|tackle|stamp out|beat out|put out|extinguish|douse)\b.*"
                 r"\b(?:fire|fires|flames|blaze|"
                 r"campfire|campfires|bonfire)\b", text):
        return _put_out(text, state)
    if not _GATHER.search(text):
        return None
    fires = _campfires(state)
    if state is None:
        return None
    if not fires:
        return Parse(notes=["There is no campfire nearby to gather round."], intent="character")
    f = fires[0]
    kind = refs.mentioned_kind(text)
    chars = [c for c in refs.characters(state) if kind is None or c.get("kind") == kind]
    if kind is None and not (_WHOLE & set(text.split())):
        chars = [c for c in chars if c.get("kind") == "villager"] or chars
    if not chars:
        return Parse(notes=["There is nobody nearby to gather round the campfire."], intent="character")
    fx, fy, n = float(f["x"]), float(f["y"]), len(chars)
    at = []
    for k in range(n):
        a = 2 * math.pi * k / n
        x, y = fx + 2.2 * math.cos(a), fy + 2.2 * math.sin(a)
        at.append([round(x, 3), round(y, 3), round(math.atan2(fy - y, fx - x), 4)])
    edit = {"op": "character", "action": "sit", "targets": [str(c["id"]) for c in chars], "at": at}
    return Parse([edit], intent="character")


# ---------------------------------------------------------------------------------------------- relative amounts
def _into(text, ctx, state, prev):
    """'turn the rain into snow', 'change day to night', 'switch from snow to rain': the side after into/to;
    'snow instead of rain': the side before."""
    instead = _INSTEAD.search(text)
    if instead and instead.start() > 0:
        return G.parse_clause(text[:instead.start()], ctx, state, prev)
    found = list(_INTO.finditer(text))
    m = found[-1] if found else None
    if m is None or not _CHANGE.search(text[:m.start()]) or L.TELEPORT_VERB.first(text[:m.start()]) and \
            not (L.WEATHER.first(text[:m.start()]) or L.TIME_OF_DAY.first(text[:m.start()])):
        return None
    left, right = text[:m.start()], text[m.end():]
    if not (L.WEATHER.first(left) or L.TIME_OF_DAY.first(left)) or \
            not (L.WEATHER.first(right) or L.TIME_OF_DAY.first(right) or S.hour_from_clock(right, False) is not None):
        return None
    return G.parse_clause(right, ctx, state, prev)


def _relative_time(text, ctx, state, prev):
    now = ((state or {}).get("clock") or {}).get("hour")
    now = float(now) if isinstance(now, (int, float)) else None
    nxt = _NEXT.search(text)
    if nxt and not L.KIND.first(text):
        word = nxt.group(1) or "morning"
        hour = L.TIME_OF_DAY.first(word)
        hour = float(hour) if hour is not None and word != "day" else 8.0
        rest = text[:nxt.start()] + " " + text[nxt.end():]  # "the next day at noon": the named hour wins
        said = S.hour_from_clock(rest, False) if re.search(r"\d", rest) else None
        named = L.TIME_OF_DAY.first(rest)
        hour = said if said is not None else float(named) if named is not None else hour
        return Parse([G.time_edit(hour, None, state)], intent="time")
    hours = _hours(text)
    back = bool(_BACK_IN_TIME.search(text)) or (hours is not None and bool(_EARLIER.search(text)) and
                                                 not _LATER.search(text.replace("go back", "")))
    ahead = bool(_FORWARD_IN_TIME.search(text)) or (hours is not None and bool(_LATER.search(text)))
    if hours is None:
        bit = _A_BIT.fullmatch(text.replace("make it ", "").replace("please", "").strip()) or \
            back or _FORWARD_IN_TIME.search(text)
        if not bit or L.KIND.first(text):
            return None
        hours = 3.0 if re.search(r"\b(?:much|way|a lot)\b", text) else 1.0
        back = back or "earlier" in text
    elif not (back or ahead) or L.KIND.first(text) or L.WEATHER.first(text):
        return None
    if now is None:
        return None
    return Parse([G.time_edit((now - hours if back else now + hours) % 24, None, state)], intent="time")


def _hours(text: str) -> float | None:
    if _HALF_HOUR.search(text):
        return 0.5
    m = _AMOUNT.search(text)
    if not m:
        return None
    if m.group("num"):
        n = float(m.group("num"))
    else:
        n = {"a": 1, "an": 1, "one": 1, "half a": 0.5, "half an": 0.5, "a half": 0.5, "a quarter of a": 0.25,
             "a quarter of an": 0.25, "quarter of an": 0.25, "quarter of a": 0.25, "a couple of": 2, "couple of": 2,
             "a couple": 2, "a few": 3, "few": 3, "several": 4}.get(m.group("word"), 1)
    if m.group("half"):
        n += 0.5
    return n / 60.0 if m.group("unit").startswith("m") else n


def _relative_intensity(text, ctx, state, prev):
    """'a touch more rain', 'ease off the snow', 'down a little', 'not so much': change the weather from now."""
    said = _ABSOLUTE.sub(" ", text)
    up, down = _UP.search(said), _DOWN.search(said) or re.search(r"\ba notch\b", said) and not _UP.search(said)
    if _ABSOLUTE.search(text) and not (up or down):
        return None
    if not (up or down) or L.KIND.first(text) or L.GRAVITY_WORDS.first(text) or L.TIME_SPEED.first(text) \
            and not L.WEATHER.first(text):
        return None
    named = [k for _, _, k in L.WEATHER.find(text) if k != "clear"]
    now_kind, now_k = _weather_now(state)
    last = next((e for e in reversed(prev) if e["op"] == "weather"), None)
    if named:
        kind = named[-1]
    elif last is not None and last["kind"] != "clear":
        kind = last["kind"]
    elif now_kind not in (None, "clear") and (ctx.last_op in (None, "weather") or _only_amount(text)):
        kind = now_kind
    else:
        return None
    if not named and not _only_amount(text):
        return None
    base = last["intensity"] if last is not None and last["kind"] == kind else (now_k if now_kind == kind else None)
    step = 0.15 if _SMALL.search(text) else 0.4 if _LARGE.search(said.replace("so much", "")) else 0.25
    if down and not (up and up.start() > down.start()):
        k = 0.3 if base is None else max(0.1, base - step)  # "less fog" in clear air: a little of it
    else:
        k = min(1.0, (base if base is not None else 0.2) + step) if base is not None or not named else \
            (0.3 if _SMALL.search(text) else S.intensity(text, S.DEFAULTS.intensity))
    if prev and prev[-1]["op"] == "weather":
        prev.pop()
    return Parse([{"op": "weather", "kind": kind, "intensity": round(k, 3)}], intent="weather")


# Words that already say an absolute amount ("bucketing down" is heavy rain, not "turn it down").
_ABSOLUTE = re.compile(r"\b(?:bucketing|chucking|tipping|pelting|lashing|pouring|teeming|coming) it down\b|"
                       r"\b(?:bucketing|chucking it|tipping|pelting|lashing|coming|pouring|pour|pours|teeming|"
                       r"come|comes|falling|fall|falls|settle|settles|settling|lie|lying|bucket|buckets) down\b|"
                       r"\b(?:bucketing|pelting|lashing|teeming|spitting|spotting|chucking it|tipping it)\b")
_AMOUNT_WORDS = set("a an the it bit little touch tad notch more less down up please now ease off let turn tone dial "
                    "back slightly much way lot heavier lighter harder softer stronger weaker thicker thinner not "
                    "so as "
                    "still even just can you could make crank some increase decrease reduce lower raise gentler "
                    "intensify again this that too heavy light strong weak thick thin hard soft intense gentle "
                    "lighten soften weaken".split())


def _only_amount(text: str) -> bool:
    """A clause that says only how much ('down a little', 'a notch more', 'ease off'), naming no thing."""
    return all(w in _AMOUNT_WORDS or w in L.WEATHER.lookup for w in text.split())
