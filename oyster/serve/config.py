"""Serving limits and pacing knobs as one dataclass, overridable from OYSTER_* environment variables."""
import os
from dataclasses import dataclass, fields

from oyster.limits import MAX_COMMAND


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
    max_command_chars: int = MAX_COMMAND   # longer Direct-mode messages are refused, not truncated
    max_log_entries: int = 40        # chat log lines kept per visitor
    max_dt: float = 0.1              # seconds of world time one frame may advance after a stall
    frame_threads: int = 0           # numba threads per frame; 0 = all cores for 1 player, 1 when several
    render_workers: int = 0          # frames rendered+encoded at once, most overdue first (gate.py); 0 = cores
    page_quality: str = "auto"       # a browser visitor's starting quality: auto | sd | hd (quality.py)
    hd_width: int = 1280             # the HD frame size
    hd_height: int = 720
    hd_max_players: int = 0          # auto picks HD while at most this many play; 0 = one per render thread
    stage_times: bool = False        # frames carry their stage times (input received, render, encode) for loadtest
    # per client (an address): what one visitor or script may hold and ask for (serve/ratelimit.py)
    max_seats_per_client: int = 4    # worlds (playing or in line) one client may hold at once
    opens_burst: float = 6.0         # new worlds at once, then opens_per_min
    opens_per_min: float = 12.0
    commands_burst: float = 6.0      # Direct-mode messages (and share links) at once, then commands_per_min
    commands_per_min: float = 30.0
    frames_burst: float = 120.0      # headless frames at once, then frames_per_s
    frames_per_s: float = 60.0
    trailers_burst: float = 2.0      # trailers at once, then trailers_per_hour
    trailers_per_hour: float = 12.0
    signups_burst: float = 3.0       # waitlist sign-ups at once, then signups_per_hour
    signups_per_hour: float = 10.0
    trust_proxy: int = 0             # 1: the client is the first X-Forwarded-For address (behind a known proxy)

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
        if self.render_workers < 0:
            raise ValueError(f"render_workers must be >= 0 (0 = one per core), got {self.render_workers}")
        if self.page_quality not in ("auto", "sd", "hd"):
            raise ValueError(f"page_quality must be auto, sd or hd, got {self.page_quality!r}")
