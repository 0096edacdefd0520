"""The cluster's directory (one named Ray actor): the seat cap and line, which host holds each session, the hosts'
loads, and every session's newest snapshot, kept outside the hosts so a lost host loses nothing.

A plain class (wrapped by `ray.remote` in ray_runner.py); every method takes and returns plain data. Ray runs one
method at a time on it, so it needs no locks.
"""
import time
from collections import deque

SNAPSHOT_SCHEMA = 1   # the "v" of a snapshot dict: {"v", "version", "code", "log", "seq"}


class Directory:
    def __init__(self, max_players: int, max_waiting: int, cap_per_host: int):
        self.max_players, self.max_waiting, self.cap = max_players, max_waiting, cap_per_host
        self.hosts: dict[str, dict] = {}              # name -> {"up": bool, "draining": bool, "seen": monotonic}
        self.placement: dict[str, str | None] = {}    # seated session -> host name (None: lost, to restore)
        self.line: deque[str] = deque()                # waiting session ids, head is next
        self.args: dict[str, list] = {}                # session -> [seed, prompt, share code] it was opened with
        self.snaps: dict[str, dict] = {}               # session -> newest snapshot
        self.closed: dict[str, str] = {}               # recently closed session -> reason (bounded)
        self.moves = 0

    # ---- hosts ---------------------------------------------------------------------------------------------
    def host_up(self, name: str) -> list[str]:
        """A host (re)started empty: whatever it held is lost and must come back from snapshots."""
        lost = [sid for sid, h in self.placement.items() if h == name]
        for sid in lost:
            self.placement[sid] = None
        self.hosts[name] = {"up": True, "draining": False, "seen": time.monotonic()}
        return lost

    def host_down(self, name: str) -> list[str]:
        """A host died or stalled: mark it down and its sessions lost; returns their ids."""
        lost = [sid for sid, h in self.placement.items() if h == name]
        for sid in lost:
            self.placement[sid] = None
        if name in self.hosts:
            self.hosts[name]["up"] = False
        return lost

    def host_alive(self, name: str) -> None:
        """A host marked down answers again (it came back): place sessions on it again."""
        if name in self.hosts:
            self.hosts[name]["up"] = True

    def set_draining(self, name: str, draining: bool) -> list[str]:
        """Stop (or resume) placing sessions on a host; returns the sessions it holds now."""
        if name in self.hosts:
            self.hosts[name]["draining"] = draining
        return [sid for sid, h in self.placement.items() if h == name]

    def _load(self, name: str) -> int:
        return sum(1 for h in self.placement.values() if h == name)

    def _pick(self, exclude: str | None = None, overflow: bool = False) -> str | None:
        """The least-loaded live host that is not draining; over its cap only when `overflow` (failover)."""
        live = [n for n, h in self.hosts.items() if h["up"] and not h["draining"] and n != exclude]
        if not live:
            return None
        best = min(live, key=lambda n: (self._load(n), n))
        return best if overflow or self._load(best) < self.cap else None

    # ---- seats ---------------------------------------------------------------------------------------------
    def admit(self, sid: str, args: list) -> dict:
        """Seat a session (placing it on a host), put it in line, or refuse: {"status", "position", "host"}."""
        self.closed.pop(sid, None)
        self.args[sid] = list(args)
        if sid in self.placement:
            self.snaps.pop(sid, None)          # a new world in the same seat: older snapshots are of the old one
            if self.placement[sid] is None:
                self.placement[sid] = self._pick(overflow=True)
            return {"status": "active", "position": 0, "host": self.placement[sid]}
        if sid in self.line:
            return {"status": "waiting", "position": self.line.index(sid) + 1, "host": None}
        if len(self.placement) < self.max_players:
            host = self._pick()
            if host is not None:
                self.placement[sid] = host
                return {"status": "active", "position": 0, "host": host}
        if len(self.line) >= self.max_waiting:
            self.args.pop(sid, None)
            return {"status": "full", "position": 0, "host": None}
        self.line.append(sid)
        return {"status": "waiting", "position": len(self.line), "host": None}

    def node(self) -> str:
        """The Ray node this directory runs on (it must outlive the hosts' nodes: see RayRunner)."""
        import ray
        return ray.get_runtime_context().get_node_id()

    def status(self, sid: str) -> dict:
        """{"status": active|waiting|closed|unknown, "position", "host", "args", "reason"} for one session."""
        if sid in self.placement:
            return {"status": "active", "position": 0, "host": self.placement[sid], "args": self.args.get(sid)}
        if sid in self.line:
            return {"status": "waiting", "position": self.line.index(sid) + 1, "host": None, "args": None}
        if sid in self.closed:
            return {"status": "closed", "position": 0, "host": None, "reason": self.closed[sid], "args": None}
        return {"status": "unknown", "position": 0, "host": None, "args": None}

    def release(self, sid: str, reason: str, host: str | None = None) -> dict:
        """Free a seat (only if `host`, when given, still holds it) and seat the head of the line.

        Returns {"released": bool, "host": where it was}.
        """
        if host is not None and self.placement.get(sid, host) != host:
            return {"released": False, "host": None}
        was = self.placement.pop(sid, None)
        released = was is not None or sid in self.args
        if sid in self.line:
            self.line.remove(sid)
        self.args.pop(sid, None)
        self.snaps.pop(sid, None)
        if released:
            self.closed[sid] = reason
            while len(self.closed) > 4096:
                self.closed.pop(next(iter(self.closed)))
        self._promote()
        return {"released": released, "host": was}

    def _promote(self) -> None:
        while self.line and len(self.placement) < self.max_players:
            host = self._pick()
            if host is None:
                return
            self.placement[self.line.popleft()] = host

    # ---- snapshots and moves -------------------------------------------------------------------------------
    def put_snapshots(self, host: str, snaps: dict, gone: dict) -> int:
        """A host's periodic report: newest snapshots of its sessions, and sessions it ended (id -> reason).

        Snapshots of sessions the host no longer holds, or older than the stored one, are ignored.
        """
        if host in self.hosts:
            self.hosts[host]["seen"] = time.monotonic()
        kept = 0
        for sid, snap in snaps.items():
            if self.placement.get(sid) != host:
                continue
            old = self.snaps.get(sid)
            if old is None or snap["version"] > old["version"]:
                self.snaps[sid] = snap
                kept += 1
        for sid, reason in gone.items():
            self.release(sid, reason, host=host)
        return kept

    def move(self, sid: str, failed: str | None) -> dict:
        """Re-place a session whose host `failed` (or that is lost): {"host", "snapshot", "args", "moved"}.

        When another caller already moved it, returns where it is now with moved=False.
        """
        if sid not in self.placement:
            return {"host": None, "snapshot": None, "args": None, "moved": False}
        now = self.placement[sid]
        if now is not None and now != failed:
            return {"host": now, "snapshot": None, "args": self.args.get(sid), "moved": False}
        target = self._pick(exclude=failed, overflow=True)
        if target is None:
            return {"host": None, "snapshot": None, "args": None, "moved": False}
        self.placement[sid] = target
        self.moves += 1
        return {"host": target, "snapshot": self.snaps.get(sid), "args": self.args.get(sid), "moved": True}

    # ---- reading -------------------------------------------------------------------------------------------
    def overview(self) -> dict:
        return {"hosts": {n: h | {"sessions": self._load(n)} for n, h in self.hosts.items()},
                "seated": len(self.placement), "waiting": len(self.line), "moves": self.moves,
                "lost": sum(1 for h in self.placement.values() if h is None),
                "max_players": self.max_players, "cap_per_host": self.cap}

    def session_ids(self) -> list[str]:
        return list(self.placement) + list(self.line)

    def snapshot_of(self, sid: str) -> dict | None:
        return self.snaps.get(sid)
