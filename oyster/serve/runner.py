"""The in-process Runner: one world Session per visitor, a seat cap with a line, limits, paced JPEG frames, metrics.

The seam (plain data only): open, send_input, frames, step_once, command, snapshot, close, stats. A visitor is
a session id string; worlds live in this process. Frames are paced by deadlines (next_due += period); when a
visitor falls behind, stale frames are skipped and only the newest is rendered and sent (stream.py).
"""
import os
import threading
import time
from collections import deque
from collections.abc import Iterable

import numpy as np

from oyster.limits import frames_per_call, number, shown
from oyster.serve.checks import (
    InputError,
    RateLimited,
    RunnerFull,
    UnknownSession,
    check_held,
    check_id,
    check_key_input,
    check_look,
    check_world_args,
    clip,
    jsonable,
    parse_key_payload,
)
from oyster.serve.config import ServeConfig
from oyster.serve.encode import data_url, encode_jpeg
from oyster.serve.gate import DeadlineGate
from oyster.serve.hosted import SessionFactory
from oyster.serve.metrics import FrameStats, memory_mb
from oyster.serve.quality import QualityChoice, base_size, check_quality
from oyster.serve.ratelimit import RateLimits, default_rates, refused
from oyster.serve.stream import Packet, Streaming
from oyster.serve.together import Together
from oyster.serve.visitor import Slot
from oyster.session import Session


class Runner(Streaming, Together):
    """Owns every visitor's Session; thread-safe; all limits enforced here, not in the page."""

    def __init__(self, config: ServeConfig | None = None, session_factory: SessionFactory = Session):
        self.cfg = config or ServeConfig.from_env()
        self._new_session = session_factory
        self._slots: dict[str, Slot] = {}
        self._line: deque[str] = deque()            # waiting session ids, head is next
        self._lock = threading.RLock()
        self._stats = FrameStats(window=2000)       # whole-server window
        self._closed_reasons: dict[str, int] = {}
        self._started = time.monotonic()
        self.limits = RateLimits(default_rates(self.cfg))   # per client; the page and the API share them
        self._gate = DeadlineGate(self.cfg.render_workers or os.cpu_count() or 1)   # streamed frames (stream.py)

    # ---- lifecycle -------------------------------------------------------------------------------------------
    def open(self, session_id: str, seed: int = 0, prompt: str = "", share_code: str = "",
             client: str = "") -> dict:
        """Start (or replace) a visitor's world. Returns info: status active|waiting, position, message, warning.

        A bad share code never fails the visit: a fresh world opens and `warning` says why. `client` (an address)
        is held to the per-client seat and rate limits; "" (in-process callers) is not. A world that fails to
        build leaves no seat behind.
        """
        check_id(session_id)
        seed, prompt, share_code = check_world_args(seed, prompt, share_code)
        self._reap()
        self.limits.take("open", client)
        with self._lock:
            slot = self._slots.get(session_id)
            if slot is None and client and sum(s.client == client for s in self._slots.values()) \
                    >= self.cfg.max_seats_per_client:
                why = (f"you already hold {self.cfg.max_seats_per_client} worlds from this address; "
                       "close one (or reload a tab) first")
                refused("open", client, why)
                raise RateLimited(why)
            if slot is None:
                if len(self._slots) >= self.cfg.max_players + self.cfg.max_waiting:
                    raise RunnerFull(f"All {self.cfg.max_players} seats and all {self.cfg.max_waiting} places in line "
                                     "are taken. Please try again in a few minutes.")
                slot = Slot(session_id, self.cfg.max_log_entries)
                slot.client = client
                self._slots[session_id] = slot
                if self._active_count() < self.cfg.max_players:
                    slot.status = "active"
                else:
                    slot.status = "waiting"
                    self._line.append(session_id)
            slot.world_args = (seed, prompt, share_code)
            slot.touch(input_=True)
        warning = ""
        if slot.status == "active":
            try:
                warning = self._build_world(slot)
            except Exception as e:       # whatever went wrong, the seat is not kept
                self.close(session_id, "failed open")
                refused("open", client, f"world did not build: {type(e).__name__}")
                raise InputError(f"that world could not be opened ({clip(str(e) or type(e).__name__, 120)})") \
                    from None
        return self._info(slot, warning)

    def close(self, session_id: str, reason: str = "closed") -> bool:
        """Free a visitor's world and seat; the head of the line gets the seat. False if it was not open."""
        with self._lock:
            slot = self._slots.pop(session_id, None)
            if slot is None:
                return False
            if session_id in self._line:
                self._line.remove(session_id)
            slot.status, slot.close_reason = "closed", reason
            self._closed_reasons[reason] = self._closed_reasons.get(reason, 0) + 1
            while self._line and self._active_count() < self.cfg.max_players:
                self._slots[self._line.popleft()].status = "active"   # its world is built by whoever uses it first
        with slot.lock:
            session, slot.session = slot.session, None
        if session is not None:
            session.close()
        return True

    def _build_world(self, slot: Slot) -> str:
        """Create the slot's Session if it has none (or its args changed); returns a warning for the visitor.

        The world is built outside the slot's lock (it takes a second or so), so the old one keeps streaming
        until the swap.
        """
        with slot.lock:
            args = slot.world_args
            if slot.session is not None and slot.built_args == args:
                return ""
        seed, prompt, code = args
        warning, session = "", None
        if code:
            try:
                session = self._new_session.from_share_code(code, width=self.cfg.width, height=self.cfg.height)
            except Exception as e:       # a crafted code may break in ways no validator foresaw: still a bad link
                why = str(e) if isinstance(e, ValueError) else f"it is damaged ({type(e).__name__})"
                warning = (f"That world link could not be opened ({clip(why, 160)}); "
                           "here is a fresh world instead.")
                refused("world link", getattr(slot, "client", ""), clip(why, 80))
        if session is None:
            session = self._new_session(seed=seed, prompt=prompt, width=self.cfg.width, height=self.cfg.height)
        with slot.lock:
            if slot.status == "closed" or slot.world_args != args:   # closed or asked again meanwhile: discard
                old = session
            else:
                old, slot.session, slot.built_args = slot.session, session, args
        if old is not None:
            old.close()
        if warning:
            slot.log_line("system", warning)
        elif old is not session and session.prompt_reply:
            slot.log_line("world", session.prompt_reply)   # what the prompt made, and what it did not understand
        return warning

    def _info(self, slot: Slot, warning: str = "") -> dict:
        with self._lock:
            pos = self._position(slot.sid)
        msg = "" if pos == 0 else self.line_message(pos)
        return {"session_id": slot.sid, "status": slot.status, "position": pos, "message": msg, "warning": warning,
                "seed": slot.world_args[0], "fps": self.cfg.fps, "width": self.cfg.width, "height": self.cfg.height}

    def line_message(self, position: int) -> str:
        seats = "The only seat is" if self.cfg.max_players == 1 else f"All {self.cfg.max_players} seats are"
        return (f"{seats} taken: you are number {position} in line. "
                "Your world starts as soon as a seat frees up.")

    def _position(self, sid: str) -> int:
        try:
            return self._line.index(sid) + 1
        except ValueError:
            return 0

    def _active_count(self) -> int:
        return sum(1 for s in self._slots.values() if s.status == "active")

    def _slot(self, session_id: str) -> Slot:
        slot = self._slots.get(session_id) if isinstance(session_id, str) else None
        if slot is None:
            raise UnknownSession(f"No open session {shown(session_id)} "
                                 "(closed, timed out, or never opened).")
        return slot

    # ---- inputs ----------------------------------------------------------------------------------------------
    def send_input(self, session_id: str, seq: int, held: Iterable[str], ack: int | None = None,
                   age_ms: float = 0.0, look=None) -> bool:
        """Replace the held set if `seq` is newer than the last one seen; returns False for a stale seq.

        `ack` is the newest frame id the browser has shown, `age_ms` how long ago it showed it (for adapting
        to a slow link). `look` = [dyaw, dpitch] radians of analog look (mouse drag, touch) since the previous
        message: looks add up until the next frame applies them (a stale seq's look is dropped with it).
        Raises InputError for malformed input; the session, its held set and pending look are untouched.
        """
        slot = self._slot(session_id)
        seq, names, (dyaw, dpitch), ack, age_ms = check_key_input(seq, held, look, ack, age_ms)
        if ack is not None:
            slot.ack(min(ack, slot.frame_id), age_ms / 1000.0)
        with slot.input_lock:
            if seq <= slot.seq:
                slot.stale_inputs += 1
                return False
            changed = names != slot.held or dyaw != 0.0 or dpitch != 0.0
            slot.seq, slot.held, slot.seq_at = seq, names, time.monotonic()
            slot.add_look(dyaw, dpitch)
        slot.touch(input_=changed)
        if changed:
            slot.wake.set()
        return True

    def set_quality(self, session_id: str, mode: str) -> dict:
        """Frame quality for this visitor: "sd" (the configured size), "hd" (1280x720) or "auto" (HD while the
        machine has room, SD under load); the next frame uses it. Returns {"quality", "width", "height"} of the
        mode's full size. InputError for an unknown mode (nothing changes)."""
        slot = self._slot(session_id)
        try:
            mode = check_quality(mode)
        except ValueError as e:
            raise InputError(str(e)) from None
        slot.resolution = QualityChoice(mode)
        w, h = base_size(mode == "hd", self.cfg)
        return {"quality": mode, "width": w, "height": h}

    def send_payload(self, session_id: str, payload: str) -> bool:
        """Browser form of send_input: a JSON string
        {"seq": int, "held": [names], "ack"?: int, "age"?: ms, "look"?: [dyaw, dpitch] radians}."""
        msg = parse_key_payload(payload)
        return self.send_input(session_id, msg["seq"], msg["held"], msg.get("ack"), msg.get("age", 0.0),
                               msg.get("look"))

    def step_once(self, session_id: str, held: Iterable[str] = (), steps: int = 1, dt: float | None = None,
                  quality: int | None = None, look=None) -> dict:
        """Headless play: apply `held`, advance `steps` frames of `dt` seconds, return the last frame and state.
        `look` = [dyaw, dpitch] radians turns the view once, on the first frame."""
        slot = self._slot(session_id)
        if slot.status != "active":
            raise InputError(self.line_message(self._position(session_id)) if slot.status == "waiting" else "closed")
        names = check_held(held)
        turn = check_look(look)
        steps = frames_per_call(steps)
        dt = 1.0 / self.cfg.fps if dt is None else number(dt, "dt", 0.0, self.cfg.max_dt)
        if dt <= 0.0:
            raise InputError(f"dt must be within (0, {self.cfg.max_dt}] seconds")
        self.limits.take("frames", slot.client, steps)
        self._build_world(slot)
        with slot.input_lock:
            slot.seq += 1
            slot.held = names
        slot.touch(input_=True)
        t0 = time.monotonic()
        with slot.lock:
            size = base_size(slot.resolution.mode == "hd", self.cfg)   # scripts: auto is SD (sizes stay predictable)
            if (slot.session.width, slot.session.height) != size:     # HostedSession: every session resizes
                slot.session.resize(*size)
            for k in range(steps):
                if k == 0 and turn != (0.0, 0.0):
                    frame = slot.session.step(held=names, dt=dt, look=turn)
                else:
                    frame = slot.session.step(held=names, dt=dt)
            state = slot.session.state()
        jpeg = encode_jpeg(frame, quality or self.cfg.jpeg_quality)
        slot.frame_id += 1
        self._stats.record((time.monotonic() - t0) * 1000.0 / steps, time.monotonic())
        return {"frame": data_url(jpeg, slot.frame_id, slot.seq), "state": jsonable(state), "frame_id": slot.frame_id}

    # ---- commands, snapshot, state ---------------------------------------------------------------------------
    def command(self, session_id: str, text: str) -> dict:
        """Direct mode: {'reply': str, 'edits': [dict], 'ok': bool}. Over-long or empty text is refused clearly."""
        slot = self._slot(session_id)
        if not isinstance(text, str):
            raise InputError("the command must be text")
        text = text.strip()
        if not text:
            raise InputError("type something for the world to do, e.g. 'make it rain'")
        if len(text) > self.cfg.max_command_chars:
            raise InputError(f"that message is {len(text):,} characters; the limit is {self.cfg.max_command_chars}")
        if slot.status != "active":
            raise InputError(self.line_message(self._position(session_id)))
        self.limits.take("command", slot.client)
        self._build_world(slot)
        slot.touch(input_=True)
        slot.log_line("you", text)
        with slot.lock:
            result = slot.session.command(text)
        reply = str(result.reply) or "Done."
        edits = jsonable(list(result.edits))
        slot.log_line("world", reply)
        return {"ok": True, "reply": reply, "edits": edits}

    def log(self, session_id: str) -> list[tuple[str, str]]:
        """The visitor's chat log as (who, text) pairs, oldest first (plain text; the page escapes it)."""
        slot = self._slot(session_id)
        chat = getattr(slot.session, "chat", None)     # a shared world's chat is the party's
        return chat() if chat is not None else list(slot.log)

    def log_line(self, session_id: str, who: str, text: str) -> None:
        self._slot(session_id).log_line(who, text)

    def snapshot(self, session_id: str) -> str:
        """The share code of the visitor's world right now (restores world, edits and pose)."""
        slot = self._slot(session_id)
        if slot.status != "active":
            raise InputError("your world has not started yet")
        self._build_world(slot)
        with slot.lock:
            return slot.session.share_code()

    def state(self, session_id: str) -> dict:
        slot = self._slot(session_id)
        if slot.session is None:
            return {}
        with slot.lock:
            return jsonable(slot.session.state())

    def held(self, session_id: str) -> tuple[int, frozenset]:
        """(seq, held names) as last received: for side views such as Dream that follow the visitor's keys."""
        slot = self._slot(session_id)
        return slot.seq, slot.held

    def latest_frame(self, session_id: str) -> tuple[int, np.ndarray | None]:
        """(frame id, HxWx3 uint8 RGB) of the newest frame streamed to this visitor, for side views (Dream).

        The array is shared read-only: copy it before changing it. (None, before the first frame.)
        """
        slot = self._slot(session_id)
        return slot.frame_id, slot.last_frame

    # ---- limits and metrics ----------------------------------------------------------------------------------
    def _limit_reason(self, slot: Slot) -> str:
        now = time.monotonic()
        if now - slot.last_input > self.cfg.idle_timeout_s:
            return "idle"
        if slot.activated is not None and now - slot.activated > self.cfg.max_visit_s:
            return "visit_limit"
        return ""

    def _reap(self) -> None:
        """Close sessions past their limits, or that nobody has polled lately (a tab that vanished, a script)."""
        now = time.monotonic()
        with self._lock:
            slots = list(self._slots.values())
        for slot in slots:
            reason = self._limit_reason(slot) if slot.status == "active" else ""
            quiet = now - slot.last_seen
            if not reason and (quiet > self.cfg.idle_timeout_s or (slot.streamed and quiet > self.cfg.stale_s)):
                reason = "stale"
            if reason:
                self.close(slot.sid, reason)

    def stats(self) -> dict:
        """Server metrics as a JSON-able dict (no session ids: those are capabilities)."""
        self._reap()
        with self._lock:
            slots = list(self._slots.values())
            waiting = len(self._line)
        active = [s for s in slots if s.status == "active"]
        per = [s.stats.summary() | {"quality": s.quality} for s in active]
        g = self._stats.summary()
        fps = [p["fps"] for p in per]
        return {
            "sessions_active": len(active), "sessions_waiting": waiting, "max_players": self.cfg.max_players,
            "target_fps": self.cfg.fps, "fps_mean": round(float(np.mean(fps)), 2) if fps else 0.0,
            "fps_min": round(min(fps), 2) if fps else 0.0,
            "frame_ms_p50": g["frame_ms_p50"], "frame_ms_p99": g["frame_ms_p99"],
            "frames_sent": g["frames_sent"], "frames_dropped": g["frames_dropped"],
            "stale_inputs": sum(s.stale_inputs for s in slots), "closed": dict(self._closed_reasons),
            "per_session": per, "uptime_s": round(time.monotonic() - self._started, 1),
            **memory_mb(),
        }

    def session_ids(self) -> list[str]:
        with self._lock:
            return list(self._slots)

    def shutdown(self) -> None:
        for sid in self.session_ids():
            self.close(sid, "shutdown")


__all__ = ["Runner", "Packet", "InputError", "UnknownSession", "RunnerFull"]
