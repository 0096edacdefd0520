"""Bounded rolling counters for frame times, intervals and drops, per visitor and for the whole server."""
import os
import resource
import threading
import time
from collections import deque

import numpy as np


def percentile(values, q: float) -> float:
    """q-th percentile of a sequence, 0.0 when empty (metrics must never raise)."""
    return float(np.percentile(np.fromiter(values, float), q)) if len(values) else 0.0


class FrameStats:
    """Rolling window of one stream's frame work times and send intervals (milliseconds), plus counters."""

    def __init__(self, window: int = 300):
        self.work_ms: deque[float] = deque(maxlen=window)      # step + encode per frame
        self.interval_ms: deque[float] = deque(maxlen=window)  # between consecutive sends
        self.sent_at: deque[float] = deque(maxlen=window)      # monotonic send times, for delivered fps
        self.sent = 0
        self.dropped = 0
        self._lock = threading.Lock()

    def record(self, work_ms: float, now: float) -> None:
        with self._lock:
            if self.sent_at:
                self.interval_ms.append((now - self.sent_at[-1]) * 1000.0)
            self.sent_at.append(now)
            self.work_ms.append(work_ms)
            self.sent += 1

    def drop(self, n: int = 1) -> None:
        self.dropped += n

    def fps(self, now: float | None = None, horizon_s: float = 2.0) -> float:
        now = time.monotonic() if now is None else now
        with self._lock:
            recent = [t for t in self.sent_at if now - t <= horizon_s]
        if len(recent) < 2:
            return 0.0
        return (len(recent) - 1) / max(recent[-1] - recent[0], 1e-6)

    def summary(self) -> dict:
        with self._lock:
            work, iv = list(self.work_ms), list(self.interval_ms)
        return {"fps": round(self.fps(), 2), "frame_ms_p50": round(percentile(work, 50), 2),
                "frame_ms_p99": round(percentile(work, 99), 2), "interval_ms_p99": round(percentile(iv, 99), 2),
                "frames_sent": self.sent, "frames_dropped": self.dropped}


def memory_mb() -> dict:
    """{"rss_mb": resident memory now, "rss_peak_mb": the most it has been}: current from /proc where there is one
    (it goes down when memory is returned), peak from getrusage."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    try:
        with open("/proc/self/statm") as f:
            now = int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        now = peak
    return {"rss_mb": round(now, 1), "rss_peak_mb": round(max(peak, now), 1)}
