"""JPEG encoding of RGB frames into data URLs, and the adaptive quality ladder used when frames back up.

cv2.imencode releases the GIL, so several visitors' frames encode in parallel threads.
"""
import base64
import time
from dataclasses import dataclass

import cv2
import numpy as np

cv2.setNumThreads(1)  # the Runner already runs one thread per visitor; OpenCV's own pool would oversubscribe

# (jpeg quality offset from the configured best, encode scale, render scale); index 0 is the best. The last level
# renders at half size (Session.resize): the frame costs the CPU about a quarter, not just the link.
LEVELS = ((0, 1.0, 1.0), (-10, 1.0, 1.0), (-20, 0.75, 1.0), (-30, 1.0, 0.5))


def encode_jpeg(frame: np.ndarray, quality: int, scale: float = 1.0) -> bytes:
    """HxWx3 uint8 RGB -> JPEG bytes, optionally scaled down first (INTER_AREA keeps it crisp)."""
    assert frame.ndim == 3 and frame.shape[2] == 3 and frame.dtype == np.uint8, f"bad frame {frame.shape} {frame.dtype}"
    if scale != 1.0:
        h, w = frame.shape[:2]
        frame = cv2.resize(frame, (max(16, int(w * scale)), max(16, int(h * scale))), interpolation=cv2.INTER_AREA)
    bgr = cv2.cvtColor(frame, cv2.COLOR_RGB2BGR)
    ok, buf = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
    if not ok:
        raise RuntimeError("JPEG encoding failed")
    return buf.tobytes()


def data_url(jpeg: bytes, frame_id: int, seq: int, stamps: dict[str, int] | None = None) -> str:
    """A data URL that also carries the frame id and the last applied input seq as MIME parameters.

    Browsers ignore unknown parameters; the page reads `fid` back to acknowledge frames, and scripts read `seq`
    to measure key-to-frame latency. `stamps` (name -> integer microseconds of the server's monotonic clock) are
    the frame's stage times, for the load benchmark's latency breakdown (see ServeConfig.stage_times).
    """
    extra = "".join(f";{k}={int(v)}" for k, v in stamps.items()) if stamps else ""
    return f"data:image/jpeg;fid={frame_id};seq={seq}{extra};base64," + base64.b64encode(jpeg).decode("ascii")


def parse_data_url(url: str) -> tuple[dict, bytes]:
    """Inverse of `data_url`: ({'fid': int, 'seq': int, ...stamps}, jpeg bytes). For tests and the load benchmark."""
    head, _, body = url.partition(",")
    params = dict(p.split("=", 1) for p in head.split(";")[1:] if "=" in p)
    return {k: int(v) for k, v in params.items()}, base64.b64decode(body)


@dataclass
class Adapter:
    """Moves one step down the quality ladder when the browser lags or frames run late, back up when calm."""
    level: int = 0
    down_after_s: float = 0.5     # at most one step worse per this many seconds
    up_after_s: float = 3.0       # this long without trouble buys one step better
    _last_change: float = 0.0

    def update(self, backlog: int, late: bool, max_backlog: int, now: float | None = None) -> int:
        now = time.monotonic() if now is None else now
        trouble = late or backlog > max_backlog // 2
        if trouble and self.level < len(LEVELS) - 1 and now - self._last_change > self.down_after_s:
            self.level, self._last_change = self.level + 1, now
        elif not trouble and self.level > 0 and now - self._last_change > self.up_after_s:
            self.level, self._last_change = self.level - 1, now
        elif trouble:
            self._last_change = max(self._last_change, now - self.up_after_s)  # trouble resets the calm clock
        return self.level

    def settings(self, best_quality: int) -> tuple[int, float]:
        """(JPEG quality, encode scale) at this level."""
        dq, scale, _ = LEVELS[self.level]
        return max(30, best_quality + dq), scale

    def render_size(self, width: int, height: int) -> tuple[int, int]:
        """The frame size the Session should render at this level (full size but at the last level)."""
        r = LEVELS[self.level][2]
        return (width, height) if r == 1.0 else (max(16, int(width * r)), max(16, int(height * r)))
