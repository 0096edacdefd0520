"""Direct mode: plain-language commands -> typed world edits plus a short reply.

    from oyster.direct import Interpreter, interpret
    it = Interpreter()                       # one per Session: remembers who "him" is and the last command
    result = it.interpret("make it rain and plant three trees", session.state())
    plan = it.plan(text, state)              # what Session.command uses: plan, apply, then
    reply = it.report(plan, ran, failed)     # a reply from the edits that really ran
"""
from functools import cache

from oyster.direct.interpreter import Interpreter, interpret
from oyster.direct.refs import DirectContext

__all__ = ["Interpreter", "DirectContext", "interpret", "warm_up"]


@cache
def warm_up() -> None:
    """Load the learned fallback and fill the lexicon caches once per process, so no command waits on them."""
    from oyster.direct import classifier, text
    classifier.shared()
    text._vocab()
    Interpreter().plan("make it rian and plant thre tres, then moon gravity", None)
