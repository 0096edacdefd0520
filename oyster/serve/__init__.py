"""Serving: the Runner that owns one world Session per visitor, paces and encodes their frames, and counts.

Only plain data crosses the Runner's methods (ids, ints, lists of names, strings, dicts), so the same seam can
later be served by worker processes. `Runner` is in-process and the default.
"""
from oyster.serve.config import ServeConfig
from oyster.serve.runner import InputError, Runner, RunnerFull, UnknownSession

__all__ = ["Runner", "ServeConfig", "InputError", "RunnerFull", "UnknownSession"]
