"""One tick loop for every session of a host: each session is stepped, rendered and encoded at its own deadline
(~30 fps, a key change brings its next frame forward), and its newest packet waits in a one-packet mailbox for
its stream; the sessions in Dream mode share one batched model step per Dream tick (a DreamHub this loop drives).

The loop works on an in-process Runner's slots (limits, rendering, metrics are the Runner's); only the pacing is
here, so a host process runs one thread of frames however many sessions it holds.
"""
import logging
import threading
import time
from dataclasses import dataclass, field

from oyster.serve.checks import UnknownSession, clip, closed_message
from oyster.serve.encode import Adapter, data_url, encode_jpeg
from oyster.serve.stream import KEEPALIVE_S, Packet
from oyster.serve.visitor import Slot

log = logging.getLogger(__name__)
PAUSE_S = 2.0        # a session whose stream has taken no packet for this long is not rendered (its reader left)
IDLE_WAKE_S = 0.5    # the loop looks around at least this often


class Mailbox:
    """The newest item for one reader (latest wins: a slow reader skips what it missed)."""

    def __init__(self):
        self._cond = threading.Condition()
        self.seq, self.item = 0, None
        self.taken_at = time.monotonic()   # when a reader last took an item or started waiting
        self.readers = 0
        self.waiting = 0
        self.taken = 0                      # seq of the newest item a reader took

    def post(self, item) -> None:
        with self._cond:
            self.seq, self.item = self.seq + 1, item
            self._cond.notify_all()

    def wait(self, after: int, timeout: float) -> tuple[int, object]:
        """(seq, item) once an item newer than `after` is posted, else (after, None) after `timeout` s."""
        with self._cond:
            self.waiting += 1
            try:
                self._cond.wait_for(lambda: self.seq > after, timeout)
            finally:
                self.waiting -= 1
                self.taken_at = time.monotonic()
            if self.seq > after:
                self.taken = self.seq
                return self.seq, self.item
            return after, None

    def unread(self) -> bool:
        """An item waits that no reader has taken yet."""
        with self._cond:
            return self.seq > self.taken

    def unread_for(self, now: float) -> float:
        """Seconds since a reader last looked (0 while one is waiting)."""
        with self._cond:
            if not self.readers:
                return float("inf")
            return 0.0 if self.waiting else max(0.0, now - self.taken_at)


@dataclass(eq=False)
class Pace:
    """One streamed session in the loop: its deadlines, quality adapter and mailbox."""
    slot: Slot
    box: Mailbox = field(default_factory=Mailbox)
    adapter: Adapter = field(default_factory=Adapter)
    next_due: float | None = None
    last_sent: float = 0.0
    next_hud: float = 0.0
    paused: bool = False      # its reader left (a stream abandoned when the session moved): not rendered
    done: bool = False


class HostLoop:
    """Paces every streamed session of `runner` on one thread (`threaded=False`: the caller calls `tick`)."""

    def __init__(self, runner, threaded: bool = True, dream_loader=None):
        self.runner = runner
        self.period = 1.0 / runner.cfg.fps
        self._paces: dict[Slot, Pace] = {}
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._dream_loader = dream_loader
        self._dream_lock = threading.Lock()
        self.hub = None                       # DreamHub, made when the first session starts dreaming
        self.dreamers: dict[str, object] = {}  # session id -> its HubMember
        self._tickets: dict[str, str] = {}     # session id -> the stream that put it in Dream mode
        self._dream_due: float | None = None
        self.ticks = 0                        # passes of the loop
        self.dream_calls = 0                  # batched Dream steps (one model call for every dreaming session)
        self.cpu_s = 0.0                      # CPU time the loop thread spent
        self.thread: threading.Thread | None = None
        if threaded:
            self.thread = threading.Thread(target=self._run, daemon=True, name="oyster-host-loop")
            self.thread.start()

    # ---- streams ---------------------------------------------------------------------------------------------
    def attach(self, sid: str) -> Pace:
        """The session's place in the loop (made on first use); UnknownSession if this runner does not hold it."""
        slot = self.runner._slot(sid)
        with self._lock:
            pace = self._paces.get(slot)
            if pace is None or pace.done:
                pace = self._paces[slot] = Pace(slot)
            slot.streamed = True
            with pace.box._cond:
                pace.box.readers += 1
        self.poke()
        return pace

    def detach(self, pace: Pace) -> None:
        with pace.box._cond:
            pace.box.readers -= 1
            last = pace.box.readers <= 0
        if last:
            with self._lock:
                if self._paces.get(pace.slot) is pace:
                    del self._paces[pace.slot]

    def packets(self, sid: str):
        """The session's packets (plain dicts, as `Runner.frames` yields them) until its visit ends."""
        pace = self.attach(sid)
        seq = 0
        try:
            while True:
                seq, item = pace.box.wait(seq, IDLE_WAKE_S)
                if item is None:
                    self.poke()   # a reader that returns after a pause wants frames again now
                    continue
                yield item
                if item.get("done"):
                    return
        finally:
            self.detach(pace)

    def poke(self) -> None:
        """Look at the sessions now (a key change, a new stream), not at the next deadline."""
        self._wake.set()

    def sessions(self) -> int:
        """Sessions this loop streams now."""
        with self._lock:
            return sum(1 for p in self._paces.values() if not p.done and not p.paused)

    # ---- the loop --------------------------------------------------------------------------------------------
    def _run(self) -> None:
        while not self._stop.is_set():
            c0 = time.thread_time()
            try:
                wake_at = self.tick()
            except Exception:  # noqa: BLE001 - the loop carries every session: it must outlive any one failure
                log.exception("host loop tick failed")
                wake_at = time.monotonic() + self.period
            self.cpu_s += time.thread_time() - c0
            delay = wake_at - time.monotonic()
            if delay > 0 and self._wake.wait(delay):
                self._wake.clear()

    def stop(self) -> None:
        self._stop.set()
        self.poke()
        if self.thread is not None:
            self.thread.join(timeout=5)

    def tick(self, now: float | None = None) -> float:
        """Serve every due session once, then the Dream step when due; returns when the loop is next due.

        `now` fixes the clock for the whole pass (tests); by default each session reads the clock itself."""
        self.ticks += 1
        with self._lock:
            paces = [p for p in self._paces.values() if not p.done]
        wake_at = (now if now is not None else time.monotonic()) + IDLE_WAKE_S
        for pace in paces:
            due = self._serve(pace, now if now is not None else time.monotonic())
            if due is not None:
                wake_at = min(wake_at, due)
        due = self._dream(now if now is not None else time.monotonic())
        if due is not None:
            wake_at = min(wake_at, due)
        return wake_at

    def _finish(self, pace: Pace, message: str) -> None:
        pace.done = True
        pace.box.post(Packet(message=message, done=True).as_dict())

    def _serve(self, pace: Pace, now: float) -> float | None:
        """`Runner.frames`'s body for one session at `now`: a frame when due; returns its next deadline."""
        runner, slot, period = self.runner, pace.slot, self.period
        if slot.status == "closed":
            self._finish(pace, closed_message(slot.close_reason, runner.cfg))
            return None
        if slot.status != "active":
            return now + IDLE_WAKE_S     # a host seats every session it is given; nothing waits in line here
        ended = runner._limit_reason(slot)
        if ended:
            runner.close(slot.sid, ended)
            self._finish(pace, closed_message(ended, runner.cfg))
            return None
        if slot.session is None or slot.built_args != slot.world_args:
            return now + period          # its world is being (re)built by the call that asked for it
        if pace.next_due is None:
            pace.next_due = slot.last_step = now
        if slot.wake.is_set():           # a key change: its frame comes early (not before half a period)
            slot.wake.clear()
            pace.next_due = min(pace.next_due, max(now, pace.last_sent + period / 2))
        if now < pace.next_due:
            return pace.next_due
        pace.paused = pace.box.unread_for(now) > PAUSE_S
        if pace.paused:
            return now + period          # nobody reads this stream: render nothing (the reaper sees it go quiet)
        if pace.box.unread():
            return now + period / 4      # its reader has not taken the last frame: the next one waits for it
        late = now - pace.next_due > period
        if late:  # behind: skip the stale deadlines, render only the newest frame
            missed = int((now - pace.next_due) / period)
            slot.stats.drop(missed)
            runner._stats.drop(missed)
            pace.next_due = now
        pace.next_due += period
        backlog = slot.backlog(now, runner.cfg.fps)
        pace.adapter.update(backlog, late, runner.cfg.max_backlog_frames, now)
        if backlog > runner.cfg.max_backlog_frames and now - pace.last_sent < KEEPALIVE_S:
            slot.stats.drop()   # the browser is behind: do not pile more frames onto its link
            runner._stats.drop()
            slot.touch()
            return pace.next_due
        if not slot.lock.acquire(blocking=False):
            return now + period / 4      # a command holds this world: the other sessions go on meanwhile
        try:
            packet = runner._render(slot, pace.adapter, now)
            if now >= pace.next_hud:
                packet.hud, pace.next_hud = runner._hud(slot), now + 0.5
        except UnknownSession:
            return now          # closed meanwhile: the next pass says goodbye
        except Exception as e:  # noqa: BLE001 - one visitor's broken world must not take the host down
            log.exception("frame failed for a session; closing it")
            runner.close(slot.sid, "error")
            self._finish(pace, f"Your world hit an error and was closed ({clip(type(e).__name__, 40)}). "
                               "Reload to play again.")
            return None
        finally:
            slot.lock.release()
        pace.last_sent = now
        pace.box.post(packet.as_dict())
        return pace.next_due

    # ---- Dream -----------------------------------------------------------------------------------------------
    def dream_join(self, sid: str, ticket: str = ""):
        """Put the session in Dream mode: its HubMember, or a message (str) saying why it cannot dream. A newer
        join for the same session replaces an older one (its reader is told "Stopped.")."""
        slot = self.runner._slot(sid)
        with self._dream_lock:
            if self.hub is None:
                from oyster.neural.hub import DreamHub, load_dream
                dream, info = (self._dream_loader or load_dream)()
                if dream is None:
                    return info
                self.hub = DreamHub(dream, 2 * self.runner.cfg.max_players, threaded=False)
            self._leave(sid)
            member = self.hub.join(self._source(slot))
            if member is None:
                return "Dream is full right now: try again in a moment. The game itself is unaffected."
            self.dreamers[sid] = member
            self._tickets[sid] = ticket
        self.poke()
        return member

    def dream_leave(self, sid: str, ticket: str | None = None) -> None:
        """Take the session out of Dream mode (only if its turn is still `ticket`, when given)."""
        with self._dream_lock:
            if ticket is None or self._tickets.get(sid) == ticket:
                self._leave(sid)

    def _leave(self, sid: str) -> None:
        member = self.dreamers.pop(sid, None)
        self._tickets.pop(sid, None)
        if member is not None and self.hub is not None:
            self.hub.leave(member)
            member.post("Stopped.")

    def dreaming(self) -> int:
        with self._dream_lock:
            return len(self.dreamers)

    def _source(self, slot: Slot):
        """What the hub dreams from: the newest frame this loop rendered for the session, and its held keys."""
        from oyster.neural.hub import SourceClosed

        def source():
            if slot.status == "closed":
                raise SourceClosed
            return slot.last_frame, slot.held
        return source

    def _dream(self, now: float) -> float | None:
        """One batched step for every dreaming session when the Dream's tick is due; returns the next one."""
        hub = self.hub
        if hub is None:
            return None
        with hub.lock:
            members = list(hub.members.values())
        if not members:
            self._dream_due = None
            return None
        if self._dream_due is None:
            self._dream_due = now
        if now < self._dream_due:
            return self._dream_due
        late = int((now - self._dream_due) / hub.period)
        self._dream_due += hub.period * (1 + late)
        try:
            hub.tick(members, steps=1 + late)
            self.dream_calls += 1
        except Exception as e:  # noqa: BLE001 - never let one bad tick end everyone's dream silently
            log.exception("dream tick failed")
            for m in members:
                m.post(f"Dream stopped on a server error ({type(e).__name__}).")
                hub.leave(m)
        with self._dream_lock:   # members the hub let go (their world closed) are no longer dreaming
            for sid, m in list(self.dreamers.items()):
                if hub.members.get(m.slot) is not m:
                    del self.dreamers[sid]
                    self._tickets.pop(sid, None)
        return self._dream_due

    # ---- metrics ---------------------------------------------------------------------------------------------
    def stats(self) -> dict:
        return {"loops": int(self.thread is not None and self.thread.is_alive()), "loop_sessions": self.sessions(),
                "loop_ticks": self.ticks, "loop_cpu_s": round(self.cpu_s, 2), "dreaming": self.dreaming(),
                "dream_calls": self.dream_calls}


def dream_packet(item, fid: int, quality: int) -> dict:
    """A hub mailbox item as plain data: {"url", "psnr", "since_anchor", "anchored"} for a dreamed frame,
    {"waiting": True} before the engine has frames, {"message", "done"} when the dream ends."""
    from oyster.neural.hub import CLOSED, WAITING
    if item == CLOSED:
        return {"message": "Your world has closed, so Dream stopped. Reload the page to play again.", "done": True}
    if item == WAITING:
        return {"waiting": True}
    if isinstance(item, str):
        return {"message": item, "done": True}
    return {"url": data_url(encode_jpeg(item.frame, quality), fid, -1), "psnr": round(float(item.psnr), 2),
            "since_anchor": int(item.since_anchor), "anchored": bool(item.anchored)}
