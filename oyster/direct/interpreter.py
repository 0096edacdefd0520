"""Direct mode entry point: text (+ Session.state()) -> CommandResult(edits, reply).

Layers: 1 normalise and split into clauses, 2 lexicon grammar per clause, 3 learned fallback for
clauses the grammar cannot place, 4 a friendly "try ..." reply when nothing fits. Never raises.
"""
import logging
import re

from oyster.direct import extras, fallback
from oyster.direct import lexicon as L
from oyster.direct import replies as R
from oyster.direct.grammar import parse_clause
from oyster.direct.refs import DirectContext
from oyster.direct.result import CommandResult
from oyster.direct.text import MAX_CHARS, normalise, repair_clause, split_clauses

log = logging.getLogger(__name__)
_SENTENCE = re.compile(r"(?<=[!?])\s*|(?<=\.)(?!\d)\s*")
_SAFE_NAME = re.compile(r"^[a-z_ ]{1,30}$")
_WH = {"what", "whats", "why", "who", "whos", "where", "wheres", "when", "how", "hows", "which", "whom", "whose"}
_SUBJECTS = {"it", "there", "you", "i", "we", "he", "she", "they", "this", "that", "its", "thats"}
_FILLER = set("a an the it is please now ok okay so just then um uh me to be that this and you hey too".split())
_VOCATIVE = {"everyone", "everybody", "all", "guys", "folks", "friends", "world", "y"}
_OVERRIDE = ("weather", "gravity")  # later edits of these ops replace earlier ones in one command


def _result(edits: list[dict], reply: str) -> "CommandResult":
    return CommandResult(edits=edits, reply=reply)


class Interpreter:
    """One per Session: holds the pronoun memory ("him" = the villager we last talked about)."""

    def __init__(self, use_classifier: bool = True):
        self.context = DirectContext()
        self.use_classifier = use_classifier

    def __call__(self, text: str, state: dict | None = None) -> "CommandResult":
        return self.interpret(text, state)

    def interpret(self, text: str, state: dict | None = None) -> "CommandResult":
        try:
            return self._interpret(text, state if isinstance(state, dict) else None)
        except Exception:  # a chat box must never crash the session; log and answer politely
            log.exception("direct mode failed on a command")
            return _result([], R.NOT_UNDERSTOOD)

    def _interpret(self, raw: str, state: dict | None) -> "CommandResult":
        clean = normalise(raw)
        tail = (" " + R.TRUNCATED.format(n=MAX_CHARS)) if clean.truncated else ""
        if not clean.had_letters:
            return _result([], _empty_reply(raw, clean) + tail)
        edits: list[dict] = []
        notes: list[str] = []
        flags: set[str] = set()
        for sentence in (s for s in _SENTENCE.split(clean.text) if s and s.strip(" .!?")):
            if _is_question(sentence):
                notes.append(_answer(sentence, state))
                continue
            for clause in split_clauses(sentence):
                self._clause(repair_clause(clause, clean.fuzzy), state, edits, notes, flags)
        edits = finalise(edits, state)
        if edits:
            self.context.last_op = edits[-1]["op"]
        return _result(edits, _compose(edits, notes, flags, state, self.context) + tail)

    def _clause(self, text: str, state, edits: list, notes: list, flags: set) -> None:
        if not text:
            return
        if L.HELP.first(text) and not L.SPAWN_VERB.first(text):
            flags.add("help")
            return
        rest = L.GREETING.rx.sub(" ", text).split()
        while rest and rest[-1] in _VOCATIVE:  # "good night everyone"
            rest.pop()
        if not rest or " ".join(rest) in ("good morning", "good night", "good evening", "good afternoon"):
            flags.add("greeting")
            return
        parse = parse_clause(text, self.context, state, edits)
        if parse is not None:
            parse = extras.extend(parse, text, self.context, state)
        if parse is None and self.use_classifier:
            parse = fallback.guess(text, self.context, state)
        if parse is None:
            if any(w not in _FILLER for w in text.split()):
                flags.add("skipped")
            return
        n = len(parse.edits)
        if n and edits[-n:] == parse.edits:
            return  # "let it snow, let it snow": the same change once
        edits.extend(parse.edits)
        notes.extend(n for n in parse.notes if n not in notes)


def finalise(edits: list[dict], state: dict | None) -> list[dict]:
    """Merge edits that override each other (one weather, one gravity, one time per command) and give a
    speed-only time edit the current hour, as the edit vocabulary requires an hour."""
    if any(e["op"] == "undo" for e in edits):
        return _fill_hour(list(edits), state)  # order matters around an undo: keep every step
    out: list[dict] = []
    for e in edits:
        same = next((i for i, o in enumerate(out) if o["op"] == e["op"]), None)
        if same is not None and e["op"] in _OVERRIDE:
            out[same] = e
        elif same is not None and e["op"] == "time":
            out[same] = {**out[same], **e}
        else:
            out.append(e)
    return _fill_hour(out, state)


def _fill_hour(out: list[dict], state: dict | None) -> list[dict]:
    hour = ((state or {}).get("clock") or {}).get("hour")
    for e in out:
        if e["op"] == "time" and "hour" not in e and isinstance(hour, (int, float)):
            e["hour"] = round(float(hour) % 24, 3)
    return out


def _empty_reply(raw: object, clean) -> str:
    if clean.had_markup:
        return R.MARKUP_ONLY
    text = raw if isinstance(raw, str) else ""
    if any(ch.isalpha() for ch in text) or any(ord(ch) > 0x2000 for ch in text):
        return R.NOT_ENGLISH  # other scripts, emoji
    return R.EMPTY if not text.strip() else R.NOT_UNDERSTOOD


def _is_question(sentence: str) -> bool:
    words = sentence.split()
    if not words or L.REQUEST.first(sentence):
        return False
    if words[0] in _WH:
        return True
    if words[0] in L.QUESTION_START:  # "is it raining", but not "have him dance"
        return len(words) > 1 and words[1] in _SUBJECTS
    return sentence.rstrip().endswith("?") and not _looks_imperative(words)


def _looks_imperative(words: list[str]) -> bool:
    return bool(L.SPAWN_VERB.first(words[0]) or L.TELEPORT_VERB.first(words[0]) or L.UNDO.first(words[0]))


def _answer(sentence: str, state: dict | None) -> str:
    """Answer what we can from the state (time, weather, place); numbers and known names only."""
    if L.HELP.first(sentence):
        return R.HELP
    st = state or {}
    clock, weather = st.get("clock") or {}, st.get("weather") or {}
    if re.search(r"\btime\b|\bclock\b|\bhour\b", sentence) and isinstance(clock.get("hour"), (int, float)):
        return f"It is {R.clock(float(clock['hour']))} ({R.hour_label(float(clock['hour']))})."
    if (L.WEATHER.first(sentence) or "weather" in sentence) and weather.get("kind") in L.WEATHER.lookup.values():
        return f"The weather is {weather['kind']} right now."
    biome = st.get("biome")
    if re.match(r"wheres? (?:am i|are we)\b", sentence) and isinstance(biome, str) and _SAFE_NAME.match(biome):
        return f"You are in the {biome.replace('_', ' ')}."
    return R.QUESTION


def _who(edit: dict, state: dict | None, ctx: DirectContext) -> str:
    target = edit.get("target")
    kind = next((e.get("kind") for e in (state or {}).get("entities") or []
                 if isinstance(e, dict) and str(e.get("id")) == target), None)
    kind = kind or (ctx.last_kind if target and target == ctx.last_target else None)
    return "The animal" if kind == "animal" else "The villager"


def _compose(edits: list[dict], notes: list[str], flags: set, state, ctx: DirectContext) -> str:
    parts: list[str] = []
    if "guess" in notes:
        parts.append(R.GUESS)
    i = 0
    while i < len(edits):
        e, j = edits[i], i + 1
        while j < len(edits) and edits[j]["op"] == e["op"] and e["op"] in ("undo", "character") and \
                edits[j].get("action") == e.get("action"):
            j += 1
        if e["op"] == "undo" and j - i > 1:
            parts.append(f"Undid the last {j - i} changes.")
        elif e["op"] == "character" and j - i > 1:
            parts.append(f"Everyone {R.describe(e).split(' ', 2)[-1]}")
        else:
            now = ((state or {}).get("clock") or {}).get("hour")
            parts.append(R.describe(e, _who(e, state, ctx), now if isinstance(now, (int, float)) else None))
        i = j
    parts += [n if n not in R.NOTES else R.NOTES[n] for n in notes if n != "guess"]
    if not edits and not [n for n in notes if n != "guess"]:
        parts.append(R.GREETING if "greeting" in flags else R.HELP if "help" in flags else R.NOT_UNDERSTOOD)
    elif edits and "skipped" in flags:
        parts.append(R.PARTIAL)
    return " ".join(p for p in parts if p)


_DEFAULT = Interpreter()


def interpret(text: str, state: dict | None = None) -> "CommandResult":
    """Stateless convenience: a fresh pronoun memory per call (use an Interpreter per Session instead)."""
    it = Interpreter(_DEFAULT.use_classifier)
    return it.interpret(text, state)
