"""The reply to a command, built only from the edits that really ran (resolved by the world), the entities
they really touched and the reasons the others failed: a reply never claims a change that did not happen."""
from oyster.direct import replies as R

_FAILED = {"undo": "There is nothing to undo.", "redo": "There is nothing to redo."}


def reply(plan, ran: list[tuple[dict, dict]], failed: list[tuple[dict, str]], kinds: dict, state, ctx) -> str:
    parts: list[str] = []
    if "guess" in plan.notes and ran:
        parts.append(R.GUESS)
    i = 0
    while i < len(ran):
        edit, done = ran[i]
        j = i + 1
        while j < len(ran) and _same_group(edit, ran[j][0]):
            j += 1
        parts.append(_describe_group(ran[i:j], kinds, state))
        i = j
    for edit, reason in failed:
        parts.append(_FAILED.get(edit.get("op"), "") if edit.get("op") in _FAILED else _could_not(edit, reason))
    parts += [R.NOTES.get(n, n) for n in plan.notes if n != "guess"]
    if not ran and not failed and not [n for n in plan.notes if n != "guess"]:
        flags = plan.flags
        parts.append(R.GREETING if "greeting" in flags else R.HELP if "help" in flags else R.NOT_UNDERSTOOD)
    elif ran and "skipped" in plan.flags:
        parts.append(R.PARTIAL)
    return " ".join(p for p in parts if p) + plan.tail


def _same_group(a: dict, b: dict) -> bool:
    return a["op"] == b["op"] and a["op"] in ("undo", "character") and a.get("action") == b.get("action")


def _describe_group(group: list[tuple[dict, dict]], kinds: dict, state) -> str:
    edit, done = group[0]
    op = edit["op"]
    if op == "undo":
        return "Undid the last change." if len(group) == 1 else f"Undid the last {len(group)} changes."
    if op == "redo":
        return "Redid: " + _describe(done, done, kinds, state)
    if op == "character":
        targets = [t for _, d in group for t in (d.get("targets") or ([d["target"]] if "target" in d else []))]
        return _characters(edit["action"], targets, kinds, state)
    return _describe(edit, done, kinds, state)


def _describe(edit: dict, done: dict, kinds: dict, state) -> str:
    op = edit.get("op")
    if op == "character":
        return _characters(done["action"], done.get("targets") or [], kinds, state)
    if op == "eruption" and float(done.get("strength", 0.7)) == 0.0:
        return "The eruption stops and the lava cools to rock."
    if op == "remove":
        return _removed(edit, done)
    if op == "time":
        clock = (state or {}).get("clock") or {}
        now = clock.get("hour")
        if edit is done and "hour" in edit and edit.get("speed") == clock.get("speed"):
            edit = {k: v for k, v in edit.items() if k != "speed"}  # a redo: say only what it changes
        return R.describe(edit, None, now if isinstance(now, (int, float)) else None)
    if op == "weather":
        return _weather(edit, state)
    return R.describe(edit)


_NOUN = {"rain": ("rain", "heavier", "eases off"), "snow": ("snow", "heavier", "eases off"),
         "fog": ("fog", "thicker", "thins out"), "storm": ("storm", "stronger", "calms a little")}


def _weather(edit: dict, state) -> str:
    """A change of amount of the weather already falling reads as such ("the rain gets heavier")."""
    before = (state or {}).get("weather") or {}
    kind = edit["kind"]
    if kind == "clear" or before.get("kind") != kind or not isinstance(before.get("intensity"), (int, float)):
        return R.describe(edit)
    noun, more, less = _NOUN[kind]
    pct = f" ({float(edit['intensity']) * 100:.0f}%)"
    d = float(edit["intensity"]) - float(before["intensity"])
    if abs(d) < 0.01:
        return f"The {noun} stays as it is{pct}."
    return f"The {noun} gets {more}{pct}." if d > 0 else f"The {noun} {less}{pct}."


def _characters(action: str, targets: list[str], kinds: dict, state) -> str:
    known = {str(c.get("id")): c.get("kind") for c in ((state or {}).get("characters") or
                                                       (state or {}).get("entities") or []) if isinstance(c, dict)}
    ks = [kinds.get(t) or known.get(t) for t in targets]
    one, many = R.ACTION_PHRASES.get(action, ("obeys", "obey"))
    if not targets:
        return f"The villager {one}."
    if len(set(ks)) == 1 and ks[0] in ("villager", "animal"):
        noun = ks[0]
        return f"The {noun} {one}." if len(ks) == 1 else f"{_num(len(ks))} {noun}s {many}."
    return f"{_num(len(ks))} characters {many}." if len(ks) > 1 else f"The character {one}."


def _num(n: int) -> str:
    words = ("No", "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine", "Ten")
    return words[n] if n < len(words) else str(n)


def _removed(edit: dict, done: dict) -> str:
    if "targets" not in done:
        return R.describe(edit)  # not applied yet (a plan read on its own)
    n = len(done["targets"])
    kind = edit.get("kind")
    if kind == "campfire":
        return "Put out the campfire." if n == 1 else f"Put out {_num(n).lower()} campfires."
    if n <= 1:
        return R.describe(edit) if "radius" not in edit else f"Removed one {kind or 'thing'}."
    one, many = R.KIND_NAMES.get(kind, ("thing", "things"))
    return f"Removed {_num(n).lower()} {many}."


def _could_not(edit: dict, reason: str) -> str:
    reason = reason.rstrip(".")
    return f"Nothing changed for that: {reason}." if reason else "That did not work here."
