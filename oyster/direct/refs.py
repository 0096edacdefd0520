"""Who "the villager", "him" or "the dog" means: resolve references to character ids from `Session.state()`.

`DirectContext` is the small memory one Session keeps between commands (the last character mentioned).
"""
from dataclasses import dataclass, field

from oyster.direct import lexicon as L

PLURALS = {"villagers", "people", "animals", "npcs", "folks", "guys", "humans", "kids", "children", "men", "women",
           "dogs", "cats", "cows", "pigs", "horses", "creatures", "rabbits", "chickens", "goats", "locals",
           "residents", "friends", "critters", "pets", "ducks", "wolves", "bears"}
MAX_GROUP = 200  # "make everyone dance" addresses every character in view, up to the edit vocabulary's cap


@dataclass
class DirectContext:
    """Per-session memory for pronouns: the character last addressed."""
    last_target: str | None = None
    last_kind: str | None = None
    last_op: str | None = None  # op of the last edit made ("make it stop" after rain means the rain)
    last_text: str | None = None  # the last command that changed something ("again", "do that at night too")
    last_edits: list = field(default_factory=list)
    state: dict | None = None     # the state the last command was read against (for its reply)
    undid: bool = False           # the last command was an undo ("bring it back" then means redo)


def characters(state: dict | None) -> list[dict]:
    """Characters near the player, nearest first (state lists entities sorted by distance)."""
    st = state or {}
    ents = st.get("characters") if isinstance(st.get("characters"), list) else st.get("entities") or []
    out = [e for e in ents if isinstance(e, dict) and e.get("kind") in L.CHARACTER_KIND and "id" in e]
    return sorted(out, key=lambda e: float(e.get("distance", 0.0) or 0.0))


def mentioned_kind(text: str) -> str | None:
    """'villager' or 'animal' if the clause names a character kind."""
    for _, _, kind in L.KIND.find(text):
        if kind in L.CHARACTER_KIND:
            return kind
    return None


def refers(text: str) -> bool:
    """Does the clause point at a character (noun, pronoun or 'everyone')?"""
    return bool(mentioned_kind(text) or L.PRONOUN.first(text) or L.EVERYONE.first(text))


def resolve(text: str, ctx: DirectContext, state: dict | None) -> tuple[list[str], str | None]:
    """Target ids for a character clause and the kind word for the reply; ids may be empty (world picks)."""
    chars = characters(state)
    kind = mentioned_kind(text)
    if L.EVERYONE.first(text) or any(text[s:e] in PLURALS for s, e, _ in L.KIND.find(text)):
        group = [c for c in chars if kind is None or c["kind"] == kind][:MAX_GROUP]
        return [str(c["id"]) for c in group], kind or "villager"
    other = " other" in f" {text}" or "another" in text
    if kind:
        pool = [c for c in chars if c["kind"] == kind]
        if other and len(pool) > 1:  # "the other villager": not the one we just talked to
            pool = [c for c in pool if str(c["id"]) != ctx.last_target] if ctx.last_target in \
                {str(c["id"]) for c in pool} else pool[1:]
        if pool:
            return [str(pool[0]["id"])], kind
        same = ctx.last_target if ctx.last_kind == kind else None
        return ([same] if same and not chars else []), kind
    if ctx.last_target:
        if other and L.PRONOUN.first(text):  # "the other one": same kind as before if possible
            rest = [c for c in chars if str(c["id"]) != ctx.last_target]
            pool = [c for c in rest if c["kind"] == ctx.last_kind] or rest
            if pool:
                return [str(pool[0]["id"])], pool[0]["kind"]
        # "him", or no reference at all: the one we last spoke about, if still near
        if not chars or ctx.last_target in {str(c["id"]) for c in chars}:
            return [ctx.last_target], ctx.last_kind
    if chars:
        return [str(chars[0]["id"])], chars[0]["kind"]
    return [], None


def remember(ctx: DirectContext, ids: list[str], kind: str | None, state: dict | None) -> None:
    if len(ids) == 1:
        ctx.last_target = ids[0]
        ctx.last_kind = kind or next((c["kind"] for c in characters(state) if str(c["id"]) == ids[0]), None)
