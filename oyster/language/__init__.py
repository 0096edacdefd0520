"""The language layer: one reading of world words for every door (new world prompt, trailer, Direct mode).

    from oyster.language import read_world
    r = read_world("snowy mountains at sunset with a frozen lake")
    r.preset, r.changes, r.edits, r.not_understood
"""
from oyster.language.reader import WorldReading, read_prompt, read_world

__all__ = ["WorldReading", "read_prompt", "read_world"]
