"""Frame quality per visitor: SD (the configured size), HD (1280x720), or auto (HD while the machine has room,
SD under load). The adaptive ladder (encode.Adapter) still applies on top of the chosen size."""
from dataclasses import dataclass

MODES = ("auto", "sd", "hd")
AUTO_SD_HOLD_S = 20.0    # after auto fell back to SD under load, stay there this long (no flapping)


def check_quality(mode) -> str:
    """A valid mode, lower-cased; ValueError with the choices otherwise."""
    if not isinstance(mode, str) or mode.strip().lower() not in MODES:
        raise ValueError(f"quality must be one of {', '.join(MODES)}, got {str(mode)[:20]!r}")
    return mode.strip().lower()


@dataclass
class QualityChoice:
    """One visitor's quality mode and auto's memory of recent load."""
    mode: str = "sd"
    sd_until: float = 0.0        # auto: SD until this monotonic time (set when frames ran late in HD)

    def wants_hd(self, active: int, hd_room: int, trouble: bool, now: float) -> bool:
        """HD for this frame? `hd_room`: visitors the machine serves in HD (about one per core); `trouble`: the
        adaptive ladder is below its best level (frames late or the browser behind)."""
        if self.mode != "auto":
            return self.mode == "hd"
        if trouble or active > hd_room:
            if trouble:
                self.sd_until = now + AUTO_SD_HOLD_S
            return False
        return now >= self.sd_until


def base_size(hd: bool, cfg) -> tuple[int, int]:
    return (cfg.hd_width, cfg.hd_height) if hd else (cfg.width, cfg.height)
