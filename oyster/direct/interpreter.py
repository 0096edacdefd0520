"""Direct mode entry point: text (+ Session.state()) -> a Plan of typed edits, then a reply from what really ran.

Layers: 1 normalise and split into clauses, 2 conversation (redo, "again", "even more") and polarity
(prohibition, reversal, relative amounts), 3 lexicon grammar per clause, 4 learned fallback for clauses the
grammar cannot place (acts only when sure, else asks back with options), 5 a friendly "try ..." reply when
nothing fits. Never raises.
"""
import logging
import re
from dataclasses import dataclass, field

from oyster.direct import compose, extras, fallback, polarity, talk
from oyster.direct import lexicon as L
from oyster.direct import replies as R
from oyster.direct.grammar import parse_clause
from oyster.direct.refs import DirectContext
from oyster.direct.result import CommandResult
from oyster.direct.text import MAX_CHARS, normalise, repair_clause, split_clauses
from oyster.world.state import hhmm

log = logging.getLogger(__name__)
_SENTENCE = re.compile(r"(?<=[!?])\s*|(?<=\.)(?!\d)\s*")
_FILLER = set("a an the it is please now ok okay so just then um uh me to be that this and you hey too".split())
_VOCATIVE = {"everyone", "everybody", "all", "guys", "folks", "friends", "world", "y"}
_OVERRIDE = ("weather", "gravity")  # later edits of these ops replace earlier ones in one command
_CALL = re.compile(r"(?:(?:come on|hey|ok|okay|alright|right|now|so|oi|you|all|the) )*(?:everyone|everybody|"
                   r"all of you|you all|y all|guys|folks|villagers|people|animals|kids|children|villager|you there|"
                   r"volcano|the volcano|mister volcano)"
                   r"(?: now)?")
_GO_AWAY = re.compile(r"(?:please |now |just )*(?:go away|stop|end|be gone|begone|leave|disappear|vanish|go)"
                      r"(?: please| now| already)*")
_PLAIN = 0.6                        # extract.DEFAULTS.intensity: a weather named with no amount


@dataclass
class Plan:
    """What one message asks for: edits to try in order, and what the reply should add to them."""
    edits: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)    # canonical remarks (keys of replies.NOTES or sentences)
    flags: set = field(default_factory=set)           # greeting, help, skipped
    options: list[str] = field(default_factory=list)  # commands offered when unsure ("make it noon")
    tail: str = ""                                    # e.g. the note that a long message was cut


def _result(edits: list[dict], reply: str, options: list[str] | None = None) -> CommandResult:
    return CommandResult(edits=edits, reply=reply, options=list(options or []))


class Interpreter:
    """One per Session: holds the pronoun memory ("him" = the villager we last talked about) and the last
    command (for "again", "even more", "do that at night too")."""

    def __init__(self, use_classifier: bool = True):
        self.context = DirectContext()
        self.use_classifier = use_classifier

    def __call__(self, text: str, state: dict | None = None) -> CommandResult:
        return self.interpret(text, state)

    def interpret(self, text: str, state: dict | None = None) -> CommandResult:
        """Edits and a reply that assumes every edit runs (use plan + report to reply from what really ran)."""
        plan = self.plan(text, state)
        return _result(plan.edits, compose.reply(plan, [(e, e) for e in plan.edits], [], {}, state, self.context),
                       plan.options)

    def plan(self, text: str, state: dict | None = None, skip_noops: bool = False) -> Plan:
        """The edits a message asks for; with `skip_noops` (a live world) edits that would change nothing are left
        out and the reply says so ("The sky is already clear.")."""
        try:
            plan = self._interpret(text, state if isinstance(state, dict) else None)
            if skip_noops:
                plan.edits, already = drop_noops(plan.edits, state if isinstance(state, dict) else None)
                plan.notes.extend(n for n in already if n not in plan.notes)
        except Exception:  # a chat box must never crash the session; log and answer politely
            log.exception("direct mode failed on a command")
            return Plan(notes=[R.NOT_UNDERSTOOD])
        self.context.state = state if isinstance(state, dict) else None
        return plan

    def report(self, plan: Plan, ran: list[tuple[dict, dict]], failed: list[tuple[dict, str]],
               kinds: dict[str, str | None] | None = None) -> str:
        """The reply for a plan after it was applied: `ran` = (edit, resolved edit) pairs that succeeded,
        `failed` = (edit, reason) pairs, `kinds` = kind of every character a resolved edit touched."""
        try:
            return compose.reply(plan, ran, failed, kinds or {}, self.context.state, self.context)
        except Exception:
            log.exception("direct mode failed to reply")
            return "Done." if ran else R.NOT_UNDERSTOOD

    def _interpret(self, raw: str, state: dict | None) -> Plan:
        clean = normalise(raw)
        plan = Plan(tail=(" " + R.TRUNCATED.format(n=MAX_CHARS)) if clean.truncated else "")
        if not clean.had_letters:
            plan.notes.append(_empty_reply(raw, clean))
            return plan
        referred = False  # "again", "even more": the last command stays the one to refer to
        for sentence in (s for s in _SENTENCE.split(clean.text) if s and s.strip(" .!?")):
            said = talk.conversation(repair_clause(sentence, clean.fuzzy), self, state)
            if said is not None:
                plan.edits.extend(said.edits)
                plan.notes.extend(said.notes)
                referred = True
                continue
            if talk.is_question(sentence):
                plan.notes.append(talk.answer(sentence, state))
                continue
            clauses = split_clauses(sentence)
            if len(clauses) > 1 and _CALL.fullmatch(clauses[-1]):  # "cool it down, volcano": a call at the end
                clauses[-2:] = [clauses[-1] + " " + clauses[-2]]
            if len(clauses) > 1 and _GO_AWAY.fullmatch(clauses[-1]):  # "rain, rain, go away"
                clauses[-2:] = [clauses[-2] + " " + clauses[-1]]
            for i, clause in enumerate(clauses):
                if _CALL.fullmatch(clause) and i + 1 < len(clauses):
                    # "come on everybody, dance!", "villagers, come here": the call says who the next clause means
                    clauses[i + 1] = re.sub(r"^(?:come on|hey|ok|okay|alright|right|so|oi) ", "", clause) + " " + \
                        clauses[i + 1]
                    continue
                self._clause(repair_clause(clause, clean.fuzzy), state, plan)
        plan.edits = finalise(plan.edits, state)
        if plan.edits:
            self.context.last_op = next((e["op"] for e in reversed(plan.edits) if e["op"] not in ("undo", "redo")),
                                        self.context.last_op)
            self.context.undid = any(e["op"] == "undo" for e in plan.edits)
            if not any(e["op"] in ("undo", "redo") for e in plan.edits):
                if not referred:
                    self.context.last_text = clean.text
                self.context.last_edits = [dict(e) for e in plan.edits]
        return plan

    def reread(self, text: str, state) -> tuple[list[dict], list[str]]:
        """(edits, notes) of a normalised command read again clause by clause ("again" replays the last one)."""
        plan = Plan()
        for clause in split_clauses(text):
            self._clause(repair_clause(clause), state, plan)
        return plan.edits, plan.notes

    def _clause(self, text: str, state, plan: Plan) -> None:
        if not text:
            return
        if L.HELP.first(text) and not L.SPAWN_VERB.first(text):
            plan.flags.add("help")
            return
        rest = L.GREETING.rx.sub(" ", text).split()
        while rest and rest[-1] in _VOCATIVE:  # "good night everyone"
            rest.pop()
        if not rest or " ".join(rest) in ("good morning", "good night", "good evening", "good afternoon"):
            plan.flags.add("greeting")
            return
        parse = polarity.parse(text, self.context, state, plan.edits)
        if parse is None:
            parse = parse_clause(text, self.context, state, plan.edits)
            if parse is not None:
                parse = extras.extend(parse, text, self.context, state)
        if parse is None and self.use_classifier:
            parse = fallback.guess(text, self.context, state)
        if parse is None:
            if any(w not in _FILLER for w in text.split()):
                plan.flags.add("skipped")
            return
        n = len(parse.edits)
        if n and plan.edits[-n:] == parse.edits:
            return  # "let it snow, let it snow": the same change once
        plan.edits.extend(parse.edits)
        plan.notes.extend(n for n in parse.notes if n not in plan.notes)
        plan.options.extend(o for o in getattr(parse, "options", ()) if o not in plan.options)


def finalise(edits: list[dict], state: dict | None) -> list[dict]:
    """Merge edits that override each other (one weather, one gravity, one time per command) and give a
    speed-only time edit the current hour, as the edit vocabulary requires an hour."""
    if any(e["op"] in ("undo", "redo") for e in edits):
        return _fill_hour(list(edits), state)  # order matters around an undo: keep every step
    out: list[dict] = []
    for e in edits:
        same = next((i for i, o in enumerate(out) if o["op"] == e["op"]), None)
        if same is not None and e["op"] in _OVERRIDE:
            if not (e["op"] == "weather" and e["kind"] == out[same]["kind"] and e["intensity"] == _PLAIN):
                out[same] = e  # ...but a bare "rain" after "pelting down" keeps the amount said first
        elif same is not None and e["op"] == "time":
            out[same] = {**out[same], **e}
        else:
            out.append(e)
    return _fill_hour(out, state)


def drop_noops(edits: list[dict], state: dict | None) -> tuple[list[dict], list[str]]:
    """Edits that would leave the world as it is ("no snow" under a clear sky) are dropped and said so, so a
    reply never claims a change that did not happen."""
    if state is None or any(e["op"] in ("undo", "redo") for e in edits):
        return edits, []
    w, clock = state.get("weather") or {}, state.get("clock") or {}
    keep, notes = [], []
    for e in edits:
        if e["op"] == "weather" and w.get("kind") == e["kind"] and \
                isinstance(w.get("intensity"), (int, float)) and abs(w["intensity"] - e["intensity"]) < 0.01:
            notes.append("The sky is already clear." if e["kind"] == "clear" else "The weather is already like that.")
        elif e["op"] == "gravity" and isinstance(state.get("gravity"), (int, float)) and \
                abs(state["gravity"] - e["scale"]) < 1e-3:
            notes.append(f"Gravity is already {e['scale']:g} g.")
        elif e["op"] == "time" and isinstance(clock.get("hour"), (int, float)) and \
                abs(float(clock["hour"]) - e.get("hour", -1)) < 0.01 and e.get("speed", clock.get("speed")) == \
                clock.get("speed"):
            notes.append(f"It is already {hhmm(e['hour'])}.")
        else:
            keep.append(e)
    return keep, notes


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


def interpret(text: str, state: dict | None = None) -> CommandResult:
    """Stateless convenience: a fresh pronoun memory per call (use an Interpreter per Session instead)."""
    return Interpreter().interpret(text, state)
