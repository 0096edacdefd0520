"""The shared-world half of the Runner (plain data only): invite turns a visitor's world into a shared one and
returns its invite code; join puts another session id into that live world (a seat usable with step_once,
command, frames, snapshot, close); together reports who is in it. Mixed into `Runner`.
"""
from oyster.serve.checks import InputError, RunnerFull, check_id, clip
from oyster.serve.visitor import Slot
from oyster.together import Parties, PartyFull, Seat

SHARED_TAG = "#together:"   # world_args[2] of a joined slot: never a share code, so open() always rebuilds


class Together:
    """Uses Runner's cfg, _lock, _slots, _slot, _active_count, _build_world, open, close, _info."""

    @property
    def parties(self) -> Parties:
        if getattr(self, "_parties", None) is None:
            self._parties = Parties()
        return self._parties

    def invite(self, session_id: str, name: str = "") -> dict:
        """Share this visitor's world live: {"code": invite code, "players": [names]}. The visitor keeps playing
        the same world; calling it again returns the same code."""
        slot = self._slot(session_id)
        if slot.status != "active":
            raise InputError("your world has not started yet")
        self._build_world(slot)
        with slot.lock:
            session = slot.session
            if not isinstance(session, Seat):
                try:
                    _, seat = self.parties.host(session, name)
                except ValueError as e:
                    raise InputError(str(e)) from None
                slot.session = seat
                slot.world_args = slot.built_args = (slot.world_args[0], slot.world_args[1],
                                                     SHARED_TAG + seat.party.code)
            return self._together(slot.session)

    def join(self, session_id: str, code: str, name: str = "", watch: bool = False) -> dict:
        """Put `session_id` into the live world of an invite code, as a player (or a watcher). Returns the open()
        info plus "code", "name" and "players". A world that has ended opens as a private world from its final
        share code (info["warning"] says so). InputError / RunnerFull change nothing."""
        check_id(session_id)
        if not isinstance(watch, bool):
            raise InputError("watch must be true or false")
        try:
            seat = self.parties.join(code, name, watch, self.cfg.width, self.cfg.height)
        except KeyError:
            final = self.parties.ended_code(code)
            if not final:
                raise InputError("no shared world has that invite code (it may have ended long ago)") from None
            info = self.open(session_id, share_code=final)
            info["warning"] = "Everyone had left that shared world; it opens here as your own private world."
            return info
        except PartyFull as e:
            raise RunnerFull(str(e)) from None
        except ValueError as e:
            raise InputError(clip(str(e), 200)) from None
        try:
            slot = self._seat_slot(session_id)
        except BaseException:
            seat.close()
            raise
        with slot.lock:
            old, slot.session = slot.session, seat
            slot.world_args = slot.built_args = (seat.seed, seat.prompt, SHARED_TAG + seat.party.code)
        if old is not None and old is not seat:
            old.close()
        slot.touch(input_=True)
        return self._info(slot) | self._together(seat)

    def _seat_slot(self, session_id: str) -> Slot:
        with self._lock:
            slot = self._slots.get(session_id)
            if slot is None or slot.status != "active":
                if self._active_count() >= self.cfg.max_players:
                    raise RunnerFull(f"All {self.cfg.max_players} seats of this server are taken; "
                                     "please try again in a few minutes.")
            if slot is None:
                slot = Slot(session_id, self.cfg.max_log_entries)
                self._slots[session_id] = slot
            if session_id in self._line:
                self._line.remove(session_id)
            slot.status = "active"
            return slot

    def together(self, session_id: str) -> dict:
        """{"code", "name", "players": [names], "watchers": n} of a shared world, or {} for a private one."""
        slot = self._slot(session_id)
        with slot.lock:
            session = slot.session
            return self._together(session) if isinstance(session, Seat) else {}

    def rename(self, session_id: str, name: str) -> dict:
        slot = self._slot(session_id)
        with slot.lock:
            session = slot.session
            if not isinstance(session, Seat):
                raise InputError("names are for shared worlds: press Play together first")
            try:
                session.rename(name)
            except ValueError as e:
                raise InputError(str(e)) from None
            return self._together(session)

    @staticmethod
    def _together(seat: Seat) -> dict:
        p = seat.party
        with p.lock:
            players = [m.name for m in p.players()]
            return {"code": p.code, "name": seat.name, "players": players, "watchers": len(p.members) - len(players),
                    "watching": seat.member.watching}
