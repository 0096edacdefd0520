"""Conversation: commands that refer to the last one (redo, "again", "even more", "do that at night too") and
questions about the world, answered from the state without changing anything."""
import math
import re

from oyster.direct import grammar as G
from oyster.direct import lexicon as L
from oyster.direct import replies as R
from oyster.direct.grammar import Parse
from oyster.world.state import hhmm

_WH = {"what", "whats", "why", "who", "whos", "where", "wheres", "when", "how", "hows", "which", "whom", "whose"}
_SUBJECTS = {"it", "there", "you", "i", "we", "he", "she", "they", "this", "that", "its", "thats"}
_STATE_SUBJECTS = {"the", "gravity", "anyone", "anybody", "someone", "somebody"}  # "is the volcano erupting"
_BE = {"is", "are", "was", "were"}
_SAFE_NAME = re.compile(r"^[a-z_ ]{1,30}$")
_POLITE = r"(?:please |pls |ok |okay |now |and |just |yes |yeah |hey |actually |no |oh |wait |hmm |um )*"
_END = r"(?: please| pls| now| thanks| again| too| as well| then)*"
_REDO = re.compile(_POLITE + r"(?:redo|re do|redo that|redo it|redo the last(?: change| thing| edit)?|undo the undo|"
                   r"undo that undo|undo my undo|cancel the undo|reverse the undo|ctrl y|ctrl shift z|"
                   r"put it back again|bring it back again|i want that back|no bring it back|actually keep it|"
                   r"redo twice|redo 2|redo 3)" + _END + r"$")
_AGAIN = re.compile(_POLITE + r"(?:again|do (?:it|that|this) again|do (?:it|that|this) once more|once more|"
                    r"one more time|"
                    r"same again|the same again|repeat|repeat that|repeat it|repeat the last(?: one| command)?|encore|"
                    r"same thing again|do the same(?: thing)?(?: again)?|more of the same|another one|one more|"
                    r"do that one more time|let.?s do that again|go again|"
                    r"(?:plant|build|add|put|place|make|spawn|grow|light) (?:another|one more)(?: one)?)"
                    + _END + r"!*$")
_MORE = re.compile(_POLITE + r"(?:even|much|a lot|way|a bit|a little|still|some)? ?(?:more|stronger|heavier|harder|"
                   r"bigger|thicker|further|more more|more and more|more than that|intensify it|crank it up more|"
                   r"keep going|turn it up more|even more than that|lower|higher|less|weaker|lighter|faster|slower|"
                   r"softer|thinner)(?: \w+)?" + _END + r"!*$")
_LESS = re.compile(r"\b(?:lower|less|weaker|lighter|slower|softer|thinner)\b")
_HIGHER = re.compile(r"\b(?:higher|stronger|heavier|harder|faster|thicker)\b")
_TOO = re.compile(r"\b(?:do|make|same|that|it|this)\b.*\b(?:too|as well|also|instead|again)\b|"
                  r"^(?:do |make )?(?:the )?same (?:thing )?(?:but )?(?:at|in|during)\b|"
                  r"^(?:now |and |then )?(?:do|make) (?:that|it|this|the same)(?: thing)? (?:but )?(?:at|in|during)\b")
_N_MORE = re.compile(_POLITE + r"(\d+|a couple|couple|a few|few|some|several) more"
                     r"(?: of (?:those|them|these))?(?: \w+)?" + _END + r"!*$")
_BACK = re.compile(_POLITE + r"(?:bring|put|give|get|have) (?:it|that|this) (?:all )?back" + _END + r"$")
_OTHER = re.compile(_POLITE + r"((?:the other one|the other|that other one|the other guy|the other villager|"
                    r"the other animal|him|her|them|that one|this one)(?: too| as well| also)?)" + _END + r"$")
_VOLCANO_Q = re.compile(r"\b(?:volcano|volcanoes|crater|lava)\b")
_DIRECTIONS = ("east", "north-east", "north", "north-west", "west", "south-west", "south", "south-east")


# ---------------------------------------------------------------------------------------------- conversation
def conversation(sentence: str, it, state: dict | None) -> Parse | None:
    """A sentence that refers to the last command, or None. `it` is the Interpreter (its memory and clause reader)."""
    s = sentence.strip(" .!?")
    if _REDO.match(s):
        n = 3 if "3" in s else 2 if ("twice" in s or "2" in s) else 1
        return Parse([{"op": "redo"} for _ in range(n)], intent="redo")
    ctx = it.context
    if ctx.undid and _BACK.match(s):
        return Parse([{"op": "redo"}], intent="redo")
    other = _OTHER.match(s)
    if other and ctx.last_edits and ctx.last_edits[-1]["op"] == "character":
        edits = G.character_edits(ctx.last_edits[-1]["action"], other.group(1), ctx, state)
        return Parse(edits, intent="character") if edits else Parse(notes=[G.nobody(s, state)], intent="character")
    more = _N_MORE.match(s)
    if more and ctx.last_edits and all(e["op"] == "spawn" for e in ctx.last_edits):
        word = more.group(1).removeprefix("a ")
        n = int(word) if word.isdigit() else L.COUNT_WORDS.get(word)
        return Parse([{**e, "count": max(1, min(20, n or 1))} for e in ctx.last_edits], intent="again")
    if _AGAIN.match(s):
        return _replay(it, state) or Parse(notes=["There is nothing to repeat yet."], intent="again")
    if _MORE.match(s) and ctx.last_edits and not L.KIND.first(s):
        return _more(ctx.last_edits, state, it, -1 if _LESS.search(s) else 1 if _HIGHER.search(s) else 0)
    if _TOO.search(s) and ctx.last_edits and (L.TIME_OF_DAY.first(s) or L.WEATHER.first(s)):
        extra = G.parse_clause(re.sub(r"\b(?:do|make|that|it|this|the same|same|thing|too|as well|also|instead|"
                                      r"again|but)\b", " ", s), it.context, state, [])
        if extra and extra.edits:  # the last change (as it was made) plus the new setting
            keep = [dict(e) for e in ctx.last_edits if e["op"] not in {x["op"] for x in extra.edits}]
            return Parse(keep + extra.edits, intent="again")
    return None


def _replay(it, state) -> Parse | None:
    """The last command read again against the world as it is now (`it.reread`: the interpreter's clause reader)."""
    if not it.context.last_text:
        return None
    saved = (it.context.last_text, it.context.last_edits)
    edits, notes = it.reread(it.context.last_text, state)
    it.context.last_text, it.context.last_edits = saved
    return Parse(edits, notes, intent="again") if edits else None


def _more(last: list[dict], state: dict | None, it, way: int = 0) -> Parse:
    """'even more': the last change pushed further in the same direction; way -1 ('even lower', 'less') or
    +1 ('higher', 'heavier') says the direction outright."""
    out = []
    for e in last:
        op = e["op"]
        if op == "weather" and e["kind"] != "clear":
            now = ((state or {}).get("weather") or {})
            base = float(now.get("intensity", e["intensity"])) if now.get("kind") == e["kind"] else e["intensity"]
            k = max(0.1, base - 0.25) if way < 0 else min(1.0, base + 0.25)
            out.append({**e, "intensity": round(k, 3)})
        elif op == "gravity":
            s = float((state or {}).get("gravity", e["scale"]) or e["scale"])
            lower = way < 0 or (way == 0 and e["scale"] < 1)
            out.append(G.gravity_edit(s * 0.5 if lower else s * 1.5 if way > 0 or e["scale"] > 1 else 1.0))
        elif op == "time" and "speed" in e and e["speed"] not in (0.0, 60.0):
            s = float(((state or {}).get("clock") or {}).get("speed", e["speed"]))
            faster = way > 0 or (way == 0 and e["speed"] > 60)
            out.append({"op": "time", "speed": round(min(3600.0, s * 2) if faster else s / 2, 3)})
        elif op in ("spawn", "terrain"):
            out.append(dict(e))
        elif op == "character":
            out.append(dict(e))
    if not out:
        return Parse(notes=["I can't push that any further."], intent="more")
    return Parse(out, intent="more")


# ---------------------------------------------------------------------------------------------- questions
def is_question(sentence: str) -> bool:
    words = sentence.split()
    if words and words[0] == "when" and not sentence.rstrip().endswith("?"):
        return False  # "when the sun goes down": a time, not a question
    if words and words[0] in _WH and not re.match(r"(?:what|how) (?:about|if)\b|why (?:dont|not)\b", sentence):
        return True
    if re.search(r"\b(?:tell me|do you know|show me)\b (?:where|what|how|which|when|if|whether)\b", sentence):
        return True
    if not words or L.REQUEST.first(sentence):
        return False
    if words[0] in L.QUESTION_START:  # "is it raining", but not "have him dance"
        return len(words) > 1 and (words[1] in _SUBJECTS or words[0] in _BE and words[1] in _STATE_SUBJECTS)
    return sentence.rstrip().endswith("?") and not _looks_imperative(words)


def _looks_imperative(words: list[str]) -> bool:
    return bool(L.SPAWN_VERB.first(words[0]) or L.TELEPORT_VERB.first(words[0]) or L.UNDO.first(words[0]))


def answer(sentence: str, state: dict | None) -> str:
    """Answer what we can from the state; numbers and known names only, never the player's words."""
    s = sentence.strip(" ?!.")
    if L.HELP.first(s) or re.search(r"\bwhat (?:can|could|should|do) (?:i|we|you) (?:do|try|say|type)\b", s):
        return R.HELP
    st = state or {}
    clock, weather = st.get("clock") or {}, st.get("weather") or {}
    if _VOLCANO_Q.search(s) and not re.search(r"\berupt|\blava\b", s):
        where = _volcano(st)
        if where:
            return where
    if re.search(r"\berupt|\blava\b", s):
        ev = [e for e in st.get("events") or [] if isinstance(e, dict) and e.get("kind") == "eruption"]
        if state is not None:
            stage = ev[-1].get("stage") if ev else None
            return {"erupting": "Yes, the volcano is erupting.",
                    "cooling": "The eruption is over; its lava is cooling."}.get(stage, "No, the volcano is quiet.")
    if re.search(r"\b(?:time|clock|hour|late|early)\b|\bday or night\b|"
                 r"\bis it (?:night|day|daytime|nighttime|morning|evening|afternoon|dark|light|late|early)\b", s) \
            and isinstance(clock.get("hour"), (int, float)):
        return f"It is {hhmm(float(clock['hour']))} ({R.hour_label(float(clock['hour']))})."
    if re.search(r"\bgravity\b", s) and isinstance(st.get("gravity"), (int, float)):
        return f"Gravity is {float(st['gravity']):g} g."
    if (L.WEATHER.first(s) or "weather" in s) and weather.get("kind") in L.WEATHER.lookup.values():
        kind = weather["kind"]
        return "The sky is clear right now." if kind == "clear" else f"The weather is {kind} right now."
    if re.search(r"\b(?:who|anyone|anybody|someone|somebody|how many|villagers?|people|animals?)\b", s) and state:
        chars = [c for c in (st.get("characters") or st.get("entities") or []) if isinstance(c, dict)]
        v = sum(c.get("kind") == "villager" for c in chars)
        a = sum(c.get("kind") == "animal" for c in chars)
        if v or a:
            return f"Nearby: {v} villager{'s' * (v != 1)} and {a} animal{'s' * (a != 1)}."
        return "There is nobody nearby."
    biome = st.get("biome")
    if re.match(r"wheres? (?:am i|are we)\b", s) and isinstance(biome, str) and _SAFE_NAME.match(biome):
        return f"You are in the {biome.replace('_', ' ')}."
    return R.QUESTION


def _volcano(st: dict) -> str | None:
    v, p = st.get("volcano") or {}, st.get("player") or {}
    if not all(isinstance(d.get(k), (int, float)) for d in (v, p) for k in ("x", "y")):
        return None
    dx, dy = float(v["x"]) - float(p["x"]), float(v["y"]) - float(p["y"])
    dist = math.hypot(dx, dy)
    if dist < 30:
        return "You are at the volcano."
    bearing = math.atan2(dy, dx)
    compass = _DIRECTIONS[int(round(bearing / (math.pi / 4))) % 8]
    yaw = float(p.get("yaw", 0.0) or 0.0)
    rel = (bearing - yaw + math.pi) % (2 * math.pi) - math.pi
    side = "ahead of you" if abs(rel) < 0.5 else "behind you" if abs(rel) > 2.6 else \
        ("to your left" if rel > 0 else "to your right")
    return f"The volcano is about {dist:.0f} m to the {compass}, {side}."
