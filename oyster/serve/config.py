"""Serving limits and pacing knobs as one dataclass, overridable from OYSTER_* environment variables."""
import os
from dataclasses import dataclass, fields


@dataclass
class ServeConfig:
    max_players: int = 8             # worlds stepped at once; more visitors wait in line
    max_waiting: int = 32            # visitors allowed in line; beyond that `open` refuses
    fps: float = 30.0                # target frames per second per visitor
    width: int = 640                 # frame size each Session renders, pixels
    height: int = 360
    jpeg_quality: int = 80           # JPEG quality at the best adaptive level
    idle_timeout_s: float = 300.0    # no key or command for this long ends the visit
    max_visit_s: float = 1800.0      # a visit never lasts longer than this
    stale_s: float = 60.0            # a session nobody polled for this long is reaped (tab vanished)
    max_backlog_frames: int = 12     # frames sent but not yet shown by the browser before we skip frames
    max_command_chars: int = 500     # longer Direct-mode messages are refused, not truncated
    max_log_entries: int = 40        # chat log lines kept per visitor
    max_dt: float = 0.1              # seconds of world time one frame may advance after a stall
    frame_threads: int = 0           # numba threads per frame; 0 = all cores for 1 player, 1 when several
    page_quality: str = "auto"       # a browser visitor's starting quality: auto | sd | hd (quality.py)
    hd_width: int = 1280             # the HD frame size
    hd_height: int = 720
    hd_max_players: int = 0          # auto picks HD while at most this many play; 0 = one per render thread
    stage_times: bool = False        # frames carry their stage times (input received, render, encode) for loadtest

    @classmethod
    def from_env(cls, **overrides) -> "ServeConfig":
        """Defaults, then OYSTER_<FIELD> environment variables (e.g. OYSTER_MAX_PLAYERS=1), then overrides."""
        cfg = cls()
        for f in fields(cls):
            raw = os.environ.get(f"OYSTER_{f.name.upper()}")
            if raw is not None:
                try:
                    if isinstance(f.default, bool):   # bool("0") is True: read flags as words
                        setattr(cfg, f.name, raw.strip().lower() in ("1", "true", "yes", "on"))
                    else:
                        setattr(cfg, f.name, type(f.default)(raw))
                except ValueError as e:
                    kind = type(f.default).__name__
                    raise ValueError(f"OYSTER_{f.name.upper()}={raw!r} is not a valid {kind}") from e
        for k, v in overrides.items():
            if not hasattr(cfg, k):
                raise ValueError(f"unknown ServeConfig field {k!r}")
            setattr(cfg, k, v)
        cfg.validate()
        return cfg

    def validate(self) -> None:
        if self.max_players < 1 or self.max_waiting < 0:
            raise ValueError("max_players must be >= 1 and max_waiting >= 0")
        if not 1 <= self.fps <= 120:
            raise ValueError(f"fps must be within 1..120, got {self.fps}")
        if not (16 <= self.width <= 1920 and 16 <= self.height <= 1080):
            raise ValueError(f"frame size {self.width}x{self.height} out of range")
        if not (16 <= self.hd_width <= 1920 and 16 <= self.hd_height <= 1080):
            raise ValueError(f"HD frame size {self.hd_width}x{self.hd_height} out of range")
        if self.page_quality not in ("auto", "sd", "hd"):
            raise ValueError(f"page_quality must be auto, sd or hd, got {self.page_quality!r}")
