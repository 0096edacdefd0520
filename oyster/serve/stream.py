"""The Runner's frame stream: deadline pacing, skipping stale frames, throttling a lagging browser, rendering one
frame (held keys and accumulated look, adaptive size and JPEG quality) and the HUD. Mixed into `Runner`.
"""
import logging
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass

import numba

from oyster.fastpaths import render_paths
from oyster.serve.checks import UnknownSession, clip, closed_message
from oyster.serve.encode import Adapter, data_url, encode_jpeg
from oyster.serve.quality import base_size
from oyster.serve.visitor import Slot, hud_fields, waiting_frame

log = logging.getLogger(__name__)
KEEPALIVE_S = 0.25   # while throttling a lagging browser, still send a frame this often


@dataclass
class Packet:
    """One item of `Runner.frames`: a frame (data URL) or a message, as plain data via `as_dict`."""
    url: str | None = None        # "data:image/jpeg;fid=..;seq=..;base64,..." (the page's Gradio stream)
    jpeg: bytes | None = None     # the same frame as JPEG bytes, for a frame channel (a WebSocket) instead of url
    stamps: dict | None = None    # with jpeg: the frame's stage times (see ServeConfig.stage_times)
    frame_id: int = 0
    seq: int = -1                 # last input seq applied before this frame was rendered
    hud: dict | None = None       # biome/time/weather/position/fps, about twice a second
    message: str | None = None    # e.g. the place in line, or why the visit ended
    done: bool = False            # the stream ends after this packet

    def as_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v is not None and v is not False}


class Streaming:
    """The frames() half of Runner (uses its cfg, _lock, _stats, _slot, _position, close, line_message, ...)."""

    def frames(self, session_id: str, channel: str | None = None) -> Iterator[dict]:
        """Paced stream of packets (plain dicts, see Packet) until the visit ends; waits in line first if needed.

        `channel` names a frame channel beside the page's stream (a WebSocket, app/fastframes.py), whose packets
        carry JPEG bytes instead of data URLs. While a channel is open it renders the visitor's frames and the
        stream without a channel only passes messages, plus an empty packet each second (so its consumer notices
        a page that went away); when the channel ends, that stream renders again. A newer channel ends an older one.
        """
        slot = self._slot(session_id)
        try:
            yield from self._stream(slot, channel)
        finally:
            if channel is not None and slot.channel == channel:
                slot.channel = None
                slot.released.set()

    def _stream(self, slot: Slot, channel: str | None) -> Iterator[dict]:
        session_id = slot.sid
        period = 1.0 / self.cfg.fps
        adapter = Adapter()
        next_hud = 0.0
        next_due, last_sent = None, 0.0
        slot.streamed = True
        if channel is not None:
            slot.channel = channel
            slot.released.clear()
        while True:
            with self._lock:
                pos = self._position(session_id) if slot.status == "waiting" else 0
            if slot.status == "closed":
                yield Packet(message=closed_message(slot.close_reason, self.cfg), done=True).as_dict()
                return
            if pos:
                slot.touch()
                msg = self.line_message(pos)
                jpeg = encode_jpeg(waiting_frame(msg, self.cfg), 70)
                yield (Packet(url=data_url(jpeg, 0, -1), message=msg) if channel is None else
                       Packet(jpeg=jpeg, message=msg)).as_dict()
                time.sleep(0.5)
                continue
            ended = self._limit_reason(slot)
            if ended:
                self.close(session_id, ended)
                yield Packet(message=closed_message(ended, self.cfg), done=True).as_dict()
                return
            if slot.channel != channel:
                if channel is not None:
                    yield Packet(message="This view moved to a newer connection.", done=True).as_dict()
                    return
                if slot.released.wait(1.0):
                    slot.released.clear()
                    next_due = None            # the channel ended: pace afresh from now
                else:
                    yield Packet().as_dict()   # keepalive: lets the page's stream notice a closed page
                continue
            self._build_world(slot)
            if next_due is None:
                next_due = slot.last_step = time.monotonic()
            now = time.monotonic()
            key_at = None
            if now < next_due:
                # A key change wakes the loop early (not before half a period after the last frame), so the
                # frame that shows it does not wait for the next deadline; the deadlines then restart from it.
                if slot.wake.wait(next_due - now):
                    slot.wake.clear()
                    now = time.monotonic()
                    key_at = slot.seq_at
                    early = max(now, last_sent + period / 2)
                    if early < next_due:
                        time.sleep(max(0.0, early - now))
                        next_due = early
                now = time.monotonic()
            late = now - next_due > period
            if late:  # behind: skip the stale deadlines, render only the newest frame
                missed = int((now - next_due) / period)
                slot.stats.drop(missed)
                self._stats.drop(missed)
                next_due = now
            next_due += period
            backlog = slot.backlog(now, self.cfg.fps)
            adapter.update(backlog, late, self.cfg.max_backlog_frames, now)
            if backlog > self.cfg.max_backlog_frames and now - last_sent < KEEPALIVE_S:
                slot.stats.drop()   # the browser is behind: do not pile more frames onto its link
                self._stats.drop()
                slot.touch()
                continue            # (one frame per KEEPALIVE_S still goes out, so its acks can clear this)
            try:
                # by deadline; a frame that answers a key counts from the key's arrival, ahead of plain ticks
                deadline = next_due - period if key_at is None else min(key_at, next_due - period)
                with self._gate.hold(deadline):
                    packet = self._render(slot, adapter, time.monotonic(), raw=channel is not None)
            except UnknownSession:
                continue   # closed meanwhile: the top of the loop says goodbye
            except Exception as e:  # noqa: BLE001 - one visitor's broken world must not take the server down
                log.exception("frame failed for a session; closing it")
                self.close(session_id, "error")
                yield Packet(message=f"Your world hit an error and was closed ({clip(type(e).__name__, 40)}). "
                             "Reload to play again.", done=True).as_dict()
                return
            last_sent = now
            if now >= next_hud:
                packet.hud, next_hud = self._hud(slot), now + 0.5
            yield packet.as_dict()

    def _render(self, slot: Slot, adapter: Adapter, now: float, raw: bool = False) -> Packet:
        t0 = time.monotonic()
        self._set_threads()
        dt = min(max(now - slot.last_step, 1e-3), self.cfg.max_dt)
        with slot.lock:
            session = slot.session
            if session is None:
                raise UnknownSession("session closed")
            seq, held, look = slot.take_input()
            self._fit_size(session, adapter, slot, now)
            frame = session.step(held=held, dt=dt, look=look)
        slot.last_step = now
        slot.last_frame = frame          # Session.step returns a fresh array: keeping it costs one frame of memory
        quality, scale = adapter.settings(self.cfg.jpeg_quality)
        t_render = time.monotonic()
        jpeg = encode_jpeg(frame, quality, scale)
        slot.frame_id += 1
        slot.quality = quality
        done = time.monotonic()
        slot.sent_log.append((slot.frame_id, done))
        work_ms = (done - t0) * 1000.0
        slot.stats.record(work_ms, done)
        self._stats.record(work_ms, done)
        slot.touch()
        stamps = None
        if self.cfg.stage_times:   # microseconds of the monotonic clock: input arrived, render start/end, encoded
            stamps = {k: round(v * 1e6) for k, v in
                      (("rx", slot.applied_at), ("t0", t0), ("t1", t_render), ("t2", done))}
        if raw:
            return Packet(jpeg=jpeg, stamps=stamps, frame_id=slot.frame_id, seq=seq)
        return Packet(url=data_url(jpeg, slot.frame_id, seq, stamps), frame_id=slot.frame_id, seq=seq)

    def _fit_size(self, session, adapter: Adapter, slot: Slot, now: float) -> None:
        """The visitor's size (SD, HD, or auto: HD while there is room), smaller at the adapter's last level (CPU
        pressure); the world is kept."""
        with self._lock:
            active = self._active_count()
        room = self.cfg.hd_max_players or render_paths().max_threads
        hd = slot.resolution.wants_hd(active, room, adapter.level > 0, now)
        want = adapter.render_size(*base_size(hd, self.cfg))
        if (session.width, session.height) != want:
            session.resize(*want)

    def _set_threads(self) -> None:
        """numba threads for this frame: all cores for a lone player, one each when several share the CPU."""
        n = self.cfg.frame_threads
        if not n:
            with self._lock:   # another visitor's open/close may be changing the slots right now
                n = (os.cpu_count() or 1) if self._active_count() <= 1 else 1
        numba.set_num_threads(max(1, min(n, render_paths().max_threads)))

    def _hud(self, slot: Slot) -> dict:
        with slot.lock:
            state = slot.session.state() if slot.session is not None else {}
        hud = hud_fields(state)
        hud["fps"] = round(slot.stats.fps(), 1)
        hud["quality"] = slot.quality
        return hud
