"""What one world may hold and what restoring one may cost: the single definition of each cap.

Commands and share codes reach the world through the same edit door (World.apply), so every cap here binds both
the same way; the restore caps bound a share code's cost before any of its work is done.
"""

MAX_LOG = 400               # edits kept in a world's log (and so in a share code)
MAX_SPAWNED = 400           # spawned things alive at once
MAX_ERUPTIONS = 6           # eruptions in one world's lifetime (each cooled one leaves a rock patch to draw)
MAX_ACTIVE_ERUPTIONS = 1    # eruptions flowing at once
MAX_TERRAIN_EDITS = 64      # raise / lower / crater / flatten shapes alive at once (each chunk rebuild applies them)
RESTORE_SIMULATED = 1       # eruptions a restore may run as a flow: a cooled one must carry its recorded rock
RESTORE_CHUNKS = 3000       # chunks a restore may generate before it is refused
RESTORE_BUDGET_S = 8.0      # seconds of work a restore may take before it is refused (a backstop to the caps)


def table() -> list[tuple[str, int | float, str]]:
    """(name, value, meaning) of every cap, for the README and the fuzz report."""
    return [
        ("MAX_LOG", MAX_LOG, "edits in one world's log"),
        ("MAX_SPAWNED", MAX_SPAWNED, "spawned things alive at once"),
        ("MAX_ERUPTIONS", MAX_ERUPTIONS, "eruptions in one world's lifetime"),
        ("MAX_ACTIVE_ERUPTIONS", MAX_ACTIVE_ERUPTIONS, "eruptions flowing at once"),
        ("MAX_TERRAIN_EDITS", MAX_TERRAIN_EDITS, "terrain shapes alive at once"),
        ("RESTORE_SIMULATED", RESTORE_SIMULATED, "eruption flows a share code may make the server run"),
        ("RESTORE_CHUNKS", RESTORE_CHUNKS, "chunks a restore may generate"),
        ("RESTORE_BUDGET_S", RESTORE_BUDGET_S, "seconds a restore may take"),
    ]
