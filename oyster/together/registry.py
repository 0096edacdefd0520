"""The shared worlds of one server, by invite code: a deliberate registry. Ended worlds leave their final share
code behind (for a while), so an old invite link still opens the world, as a private one."""
import secrets
import threading
from collections import OrderedDict

from .party import Party
from .seat import Seat

ENDED_KEPT = 256        # invite codes of ended worlds remembered (oldest forgotten first)
CODE_CHARS = 16


def check_code(code) -> str:
    if not isinstance(code, str) or not 8 <= len(code.strip()) <= 64 or not all(
            c.isalnum() or c in "-_" for c in code.strip()):
        raise ValueError("that is not an invite code (ask for a new link)")
    return code.strip()


class Parties:
    def __init__(self):
        self._live: dict[str, Party] = {}
        self._ended: OrderedDict[str, str] = OrderedDict()
        self._lock = threading.Lock()

    def host(self, session, name: str = "") -> tuple[str, Seat]:
        """Turn a private Session into a shared world (its player keeps playing, unchanged); (invite code, seat).
        The Session must not be used afterwards: its world now belongs to the party."""
        party = Party(session.world, session.prompt)
        seat = Seat(party, party.join(name), session.width, session.height)
        code = secrets.token_urlsafe(12)[:CODE_CHARS]
        party.code = code
        party.on_end.append(self._ended_hook(code))
        with self._lock:
            self._live[code] = party
        return code, seat

    def _ended_hook(self, code: str):
        def ended(party: Party) -> None:
            with self._lock:
                self._live.pop(code, None)
                self._ended[code] = party.final_code
                while len(self._ended) > ENDED_KEPT:
                    self._ended.popitem(last=False)
        return ended

    def join(self, code: str, name: str = "", watch: bool = False, width: int = 640, height: int = 360) -> Seat:
        """A seat in the live world of `code`. KeyError if none is live (see ended_code); ValueError for a bad
        code or name, PartyFull when there is no room."""
        code = check_code(code)
        with self._lock:
            party = self._live.get(code)
        if party is None:
            raise KeyError(code)
        return Seat(party, party.join(name, watch), width, height)

    def ended_code(self, code: str) -> str | None:
        """The share code an ended world left behind, or None."""
        with self._lock:
            return self._ended.get(code)

    def live(self, code: str) -> Party | None:
        with self._lock:
            return self._live.get(code)

    def count(self) -> int:
        with self._lock:
            return len(self._live)
