"""Shared worlds: several people in one live world, each with a camera and a body (see party.py)."""
from .names import MAX_NAME
from .party import MAX_PLAYERS, MAX_WATCHERS, Party, PartyFull
from .registry import Parties
from .seat import Seat

__all__ = ["MAX_NAME", "MAX_PLAYERS", "MAX_WATCHERS", "Parties", "Party", "PartyFull", "Seat"]
