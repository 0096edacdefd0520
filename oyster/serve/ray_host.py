"""A session host: one Ray actor process holding many visitors' sessions (an in-process Runner inside it, paced by
one tick loop for all of them, which also batches their Dream steps: host_loop.py).

Every method takes and returns plain data; errors come back as {"error": kind, "message": text} so the page gets the
same clear messages as in-process. A background thread sends every session's snapshot (share code, chat log, last
input seq) to the directory twice a second, and reports sessions the host ended (idle, visit limit) so their seats
free up. `frames` and `dream_frames` are Ray streaming generators: the page server iterates them.
"""
import threading
import time

from oyster.serve.checks import InputError, RunnerFull, UnknownSession
from oyster.serve.config import ServeConfig
from oyster.serve.host_loop import HostLoop, dream_packet
from oyster.serve.ray_directory import SNAPSHOT_SCHEMA
from oyster.serve.runner import Runner

ERRORS = {"InputError": InputError, "UnknownSession": UnknownSession, "RunnerFull": RunnerFull}
MOVED = "moved"      # close reason of a session handed to another host (drain)


def warm_up() -> None:
    """Load the compiled kernels before taking sessions (a restarted host must not make moved visitors wait).

    Direct mode (and torch with it) loads on a host's first command instead: restoring a world needs neither."""
    from oyster.session import Session
    from oyster.session import warm_up as warm_up_kernels

    warm_up_kernels()
    s = Session(seed=1, width=160, height=90)
    for held in ({"forward"}, {"turn_left", "jump"}, set()):
        s.step(held=held, dt=1 / 30)
    s.apply({"op": "weather", "kind": "rain", "intensity": 0.5})
    Session.from_share_code(s.share_code(), width=160, height=90).close()
    s.close()


def _call(fn, *args, **kwargs):
    """Run fn; expected errors become plain data ({"error", "message"}) instead of a pickled exception."""
    try:
        return {"ok": fn(*args, **kwargs)}
    except (InputError, UnknownSession, RunnerFull) as e:
        return {"error": type(e).__name__, "message": str(e)}


def unwrap(reply: dict):
    """The page-server side of `_call`: the value, or the same error class raised again."""
    if "error" in reply:
        raise ERRORS.get(reply["error"], InputError)(reply["message"])
    return reply["ok"]


class SessionHost:
    def __init__(self, name: str, config: dict, directory, snapshot_period_s: float = 0.5, session_factory=None):
        self.name = name
        cfg = ServeConfig(**config)
        self.runner = Runner(cfg, session_factory) if session_factory else Runner(cfg)
        self.loop = HostLoop(self.runner)     # the one thread that steps, renders and encodes every session
        self.directory = directory
        self.period = snapshot_period_s
        self._versions: dict[str, int] = {}
        self._moved: set[str] = set()
        self._known: set[str] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        import ray
        if session_factory is None:
            warm_up()
        ray.get(directory.host_up.remote(name))   # only now: sessions moved here find it ready
        self._thread = threading.Thread(target=self._report_loop, daemon=True, name="oyster-snapshots")
        self._thread.start()

    # ---- sessions ------------------------------------------------------------------------------------------
    def open(self, sid: str, seed: int, prompt: str, share_code: str, snapshot: dict | None = None,
             replace: bool = True) -> dict:
        """Open (or, with replace, rebuild) a session; from `snapshot` when given (a restore after a move)."""
        def go():
            if not replace and sid in self.runner.session_ids():
                return self.runner._info(self.runner._slot(sid))
            code = snapshot["code"] if snapshot else share_code
            info = self.runner.open(sid, seed=seed, prompt=prompt, share_code=code)
            with self._lock:   # versions never go back: the directory keeps only newer snapshots
                self._moved.discard(sid)
                self._known.add(sid)
                self._versions[sid] = max(self._versions.get(sid, 0), (snapshot or {}).get("version", 0))
            if snapshot:
                slot = self.runner._slot(sid)
                slot.log.clear()
                for who, text in snapshot.get("log", []):
                    slot.log_line(who, text)
                with slot.input_lock:
                    slot.seq = max(slot.seq, int(snapshot.get("seq", -1)))
            return info
        return _call(go)

    def close(self, sid: str, reason: str = "closed") -> bool:
        with self._lock:   # the directory dropped its snapshots when the seat was released
            self._known.discard(sid)
            self._versions.pop(sid, None)
        return self.runner.close(sid, reason)

    def send_input(self, sid: str, seq: int, held: list, ack, age_ms: float, look) -> dict:
        out = _call(self.runner.send_input, sid, seq, held, ack, age_ms, look)
        if out.get("ok"):
            self.loop.poke()     # the loop brings that session's next frame forward
        return out

    def step_once(self, sid: str, held: list, steps: int, dt, quality, look) -> dict:
        return _call(self.runner.step_once, sid, held, steps=steps, dt=dt, quality=quality, look=look)

    def command(self, sid: str, text: str) -> dict:
        """The reply, plus the session's snapshot right after the edit (the page server stores it at once)."""
        def go():
            with self.runner._slot(sid).lock:   # no other snapshot slips between the edit and this one
                out = self.runner.command(sid, text)
                out["snapshot"] = self._snapshot(sid)
            return out
        return _call(go)

    def log(self, sid: str) -> dict:
        return _call(lambda: [list(x) for x in self.runner.log(sid)])

    def log_line(self, sid: str, who: str, text: str) -> dict:
        return _call(self.runner.log_line, sid, who, text)

    def share_code(self, sid: str) -> dict:
        return _call(self.runner.snapshot, sid)

    def state(self, sid: str) -> dict:
        return _call(self.runner.state, sid)

    def set_quality(self, sid: str, mode: str) -> dict:
        return _call(self.runner.set_quality, sid, mode)

    def frames(self, sid: str):
        """Streaming generator of frame packets; ends with {"moved": True} when the session went to another host,
        or {"gone": True} when this host does not hold it."""
        try:
            for packet in self.loop.packets(sid):
                if packet.get("done") and sid in self._moved:
                    yield {"moved": True, "done": True}
                    return
                yield packet
        except UnknownSession:
            yield {"gone": True, "done": True}

    def dream_frames(self, sid: str, ticket: str = ""):
        """Streaming generator of the session's dream (plain dicts, see host_loop.dream_packet), stepped in one
        batch with every other dreaming session of this host, until `dream_stop` or a newer dream of it."""
        try:
            member = self.loop.dream_join(sid, ticket)
        except UnknownSession:
            yield {"gone": True, "done": True}
            return
        if isinstance(member, str):
            yield {"message": member, "done": True}
            return
        quality = self.loop.hub.cfg.jpeg_quality
        seq, fid = 0, 0
        try:
            while True:
                seq, item = member.wait(seq, 0.5)
                if item is None:
                    if self.loop.dreamers.get(sid) is not member:
                        return
                    continue
                fid += not isinstance(item, str)
                packet = dream_packet(item, fid, quality)
                yield packet
                if packet.get("done"):
                    return
        finally:
            self.loop.dream_leave(sid, ticket)

    def dream_stop(self, sid: str, ticket: str = "") -> bool:
        self.loop.dream_leave(sid, ticket)
        return True

    # ---- moving, health, metrics ---------------------------------------------------------------------------
    def release_all(self) -> dict:
        """Drain: snapshot every session exactly as it is, then close them here (streams end with "moved")."""
        import ray
        out, sids = {}, self.runner.session_ids()
        locks = [self.runner._slot(sid).lock for sid in sids]
        for lock in locks:        # hold every world still from its snapshot until it is closed here
            lock.acquire()
        try:
            for sid in sids:
                snap = self._snapshot(sid)
                if snap is not None:
                    out[sid] = snap
            # stored before any session closes, so whoever restores one finds this exact snapshot
            ray.get(self.directory.put_snapshots.remote(self.name, out, {}))
            with self._lock:
                self._moved.update(sids)
                self._known.difference_update(sids)
        finally:
            for lock in locks:
                lock.release()
        for sid in sids:
            self.runner.close(sid, MOVED)
        return out

    def ping(self) -> dict:
        """Health: sessions held and how long ago the newest frame of a streamed session was made."""
        now = time.monotonic()
        slots = list(self.runner._slots.values())
        streamed = [s.last_step for s in slots if s.streamed and s.status == "active" and s.session is not None]
        return {"name": self.name, "sessions": len(slots),
                "frame_age_s": round(now - max(streamed), 3) if streamed else 0.0}

    def stats(self) -> dict:
        import os

        import ray
        st = self.runner.stats()
        st.pop("per_session", None)
        st["host"] = self.name
        st["node"] = ray.get_runtime_context().get_node_id()[:12]
        st["pid"] = os.getpid()
        st["cpu_s"] = round(time.process_time(), 2)
        st |= self.loop.stats()
        return st

    def hold(self, seconds: float) -> bool:
        """Operations drill: freeze every session's frames for `seconds` (as a wedged host would)."""
        slots = list(self.runner._slots.values())
        for s in slots:
            s.lock.acquire()
        try:
            time.sleep(seconds)
        finally:
            for s in slots:
                s.lock.release()
        return True

    def _snapshot(self, sid: str) -> dict | None:
        """The session's snapshot; versions follow the order of the worlds they capture (taken under its lock)."""
        try:
            slot = self.runner._slot(sid)
            with slot.lock:
                if slot.session is None or slot.built_args != slot.world_args:
                    return None   # its world is still being built: nothing newer to keep yet
                code = slot.session.share_code()
                log = [list(x) for x in slot.log]
                seq = slot.seq
                with self._lock:
                    version = self._versions.get(sid, 0) + 1
                    self._versions[sid] = version
        except (InputError, UnknownSession):
            return None
        return {"v": SNAPSHOT_SCHEMA, "version": version, "code": code, "log": log, "seq": seq, "host": self.name}

    def _report_loop(self) -> None:
        next_due = time.monotonic()
        while not self._stop.is_set():
            next_due += self.period
            try:
                self.runner._reap()
                held = set(self.runner.session_ids())
                with self._lock:
                    gone = {sid: "ended" for sid in self._known - held}
                    self._known -= set(gone)
                snaps = {}
                for sid in held:
                    snap = self._snapshot(sid)
                    if snap is not None:
                        snaps[sid] = snap
                self.directory.put_snapshots.remote(self.name, snaps, gone)
            except Exception:  # noqa: BLE001 - the report loop must outlive one bad session
                pass
            self._stop.wait(max(0.0, next_due - time.monotonic()))
