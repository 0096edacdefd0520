"""One visitor's place in the Runner (world, held keys, timers, log), the HUD summary, and the waiting-line frame."""
import threading
import time
from collections import deque

import cv2
import numpy as np

from oyster.serve.metrics import FrameStats
from oyster.serve.quality import QualityChoice
from oyster.session import MAX_LOOK
from oyster.world.state import hhmm

MAX_LOG_CHARS = 600   # one chat-log line; replies are short, this bounds memory if one is not


class Slot:
    """Everything the Runner keeps for one session id. `lock` guards the Session (not thread-safe itself)."""

    def __init__(self, sid: str, max_log: int):
        self.sid = sid
        self.client = ""                      # the address that opened it ("" for in-process callers)
        self._status = "new"                  # new | waiting | active | closed
        self.session = None                   # oyster.Session once active
        self.world_args: tuple[int, str, str] = (0, "", "")   # (seed, prompt, share code) asked for
        self.built_args: tuple | None = None  # the args the current Session was built from
        self.lock = threading.RLock()
        self.input_lock = threading.Lock()
        self.wake = threading.Event()         # set by a key change: render the next frame now
        self.held: frozenset = frozenset()
        self.look = (0.0, 0.0)                # analog look (dyaw, dpitch) radians received since the last frame
        self.seq = -1                         # newest input sequence number applied
        self.seq_at = 0.0                     # monotonic time that seq arrived
        self.applied_at = 0.0                 # seq_at of the input the newest frame applied
        self.stale_inputs = 0                 # inputs dropped for an old seq
        now = time.monotonic()
        self.opened = now
        self.activated: float | None = None
        self.last_input = now                 # key change or command: drives the idle timeout
        self.last_seen = now                  # any contact: drives reaping of vanished tabs
        self.last_step = now
        self.frame_id = 0                     # frames rendered for this visitor
        self.acked = 0                        # newest frame id the browser says it showed
        self.ack_lag = 0.0                    # seconds from sending that frame to hearing it was shown
        self.ack_at = 0.0
        self.sent_log: deque[tuple[int, float]] = deque(maxlen=256)   # (frame id, monotonic send time)
        self.quality = 0                      # JPEG quality of the newest frame
        self.resolution = QualityChoice()     # sd | hd | auto (set by Runner.set_quality)
        self.streamed = False                 # a frames() loop has served this slot
        self.channel: str | None = None       # the frame channel (a WebSocket) that renders now; None = the page's
        self.released = threading.Event()     # set when that channel lets go: the page's stream renders again
        self.close_reason = ""
        self.last_frame = None                # newest RGB frame streamed (for side views such as Dream)
        self.stats = FrameStats()
        self.log: deque[tuple[str, str]] = deque(maxlen=max_log)

    @property
    def status(self) -> str:
        return self._status

    @status.setter
    def status(self, value: str) -> None:
        if value == "active" and self._status != "active":
            self.activated = time.monotonic()   # the visit clock starts when the seat is given, not in line
            self.last_input = self.activated    # waiting in line is not idling
        self._status = value

    def ack(self, frame_id: int, age_s: float = 0.0) -> None:
        """The browser showed `frame_id` `age_s` seconds ago: measure how late that frame was (the link's lag)."""
        now = time.monotonic()
        self.ack_at = now                      # any ack shows the page is alive, even with no newer frame
        if frame_id <= self.acked:
            return
        sent = next((t for fid, t in reversed(self.sent_log) if fid == frame_id), None)
        self.acked = frame_id
        if sent is not None:
            self.ack_lag = max(0.0, now - sent - age_s)

    def backlog(self, now: float, fps: float) -> int:
        """Frames the browser is behind, from the last ack's lag, or from silence while frames are outstanding.

        0 for clients that never acknowledge (scripts): they are paced but never throttled on this signal.
        """
        if not self.acked:
            return 0
        lag = self.ack_lag
        if self.frame_id > self.acked:         # acks come every ~0.4 s; 1.5 s of silence means frames pile up
            lag = max(lag, now - self.ack_at - 1.5)
        return int(lag * fps)

    def add_look(self, dyaw: float, dpitch: float) -> None:
        """Accumulate a look delta until the next frame takes it (call with input_lock held)."""
        lim = MAX_LOOK   # what one Session.step applies at most; more would be clipped there anyway
        self.look = (max(-lim, min(lim, self.look[0] + dyaw)), max(-lim, min(lim, self.look[1] + dpitch)))

    def take_input(self) -> tuple[int, frozenset, tuple[float, float] | None]:
        """(seq, held, look or None) for the frame about to be rendered; the look is consumed. The arrival time of
        that seq is left in `applied_at`."""
        with self.input_lock:
            look, self.look = self.look, (0.0, 0.0)
            self.applied_at = self.seq_at
            return self.seq, self.held, (look if look != (0.0, 0.0) else None)

    def touch(self, input_: bool = False) -> None:
        self.last_seen = time.monotonic()
        if input_:
            self.last_input = self.last_seen

    def log_line(self, who: str, text: str) -> None:
        text = str(text)
        self.log.append((who, text if len(text) <= MAX_LOG_CHARS else text[: MAX_LOG_CHARS - 1] + "…"))


def hud_fields(state: dict) -> dict:
    """The HUD's plain fields from Session.state(); missing parts become None."""
    player = state.get("player") or {}
    clock = state.get("clock") or {}
    weather = state.get("weather") or {}
    hour = clock.get("hour")
    return {
        "world": (state.get("recipe") or {}).get("style"),    # the world's style ("sand dunes", "cratered moon")
        "biome": state.get("biome"),
        "time": None if hour is None else hhmm(hour),
        "weather": weather.get("kind"),
        "intensity": weather.get("intensity"),
        "x": player.get("x"), "y": player.get("y"), "z": player.get("z"), "yaw": player.get("yaw"),
    }


def waiting_frame(message: str, cfg) -> np.ndarray:
    """A dark frame with the line message written on it, so the place in line shows where the world will be."""
    h, w = cfg.height, cfg.width
    img = np.zeros((h, w, 3), np.uint8)
    img[:] = (18, 32, 44)
    words, lines, line = message.split(), [], ""
    for word in words:  # wrap to the frame width
        if len(line) + len(word) + 1 > max(20, w // 14):
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    y = h // 2 - 18 * len(lines) // 2
    for text in lines:
        cv2.putText(img, text, (24, y), cv2.FONT_HERSHEY_SIMPLEX, max(0.4, w / 1280), (235, 235, 235), 1, cv2.LINE_AA)
        y += max(16, h // 14)
    return img
