"""Direct mode: plain-language commands -> typed world edits plus a short reply.

    from oyster.direct import Interpreter, interpret
    it = Interpreter()                       # one per Session: remembers who "him" is
    result = it.interpret("make it rain and plant three trees", session.state())
"""
from oyster.direct.interpreter import Interpreter, interpret
from oyster.direct.refs import DirectContext

__all__ = ["Interpreter", "DirectContext", "interpret"]
