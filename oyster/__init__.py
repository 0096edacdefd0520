"""HappyOyster: a persistent, physical world you play in the browser, plus a learned world model of it."""
from oyster.session import CommandResult, Session

__all__ = ["Session", "CommandResult"]
