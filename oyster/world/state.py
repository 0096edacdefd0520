"""The world's mutable state as plain dataclasses: player, clock, weather, gravity and the tick counter.

Everything else (terrain, entities, eruptions) lives in its own module; these are the small scalars that physics
and events update every fixed step and that a share code carries verbatim.
"""
import math
from dataclasses import asdict, dataclass, field

import numpy as np

STEP_HZ = 60                 # fixed physics / event steps per world second
DT = 1.0 / STEP_HZ           # seconds per step
EYE_HEIGHT = 1.7             # metres from the feet to the camera
EARTH_G = 9.81               # m/s^2 at gravity scale 1


@dataclass
class Player:
    x: float = 0.0           # metres (feet position)
    y: float = 0.0
    z: float = 0.0
    yaw: float = 0.0         # radians, 0 looks along +x, counter-clockwise
    pitch: float = 0.0       # radians, positive looks up
    vx: float = 0.0          # metres/second
    vy: float = 0.0
    vz: float = 0.0
    on_ground: bool = True
    in_water: bool = False


@dataclass
class Clock:
    """Hour of day as a pure function of the tick: hour = hour0 + speed * (tick - tick0) / 3600 (mod 24).

    Keeping (hour0, tick0, speed) instead of a running sum makes the clock exact under replay and undo.
    """
    hour0: float = 10.0      # hour at tick0
    tick0: int = 0
    speed: float = 60.0      # world seconds per real (simulated) second

    def hour(self, tick: int) -> float:
        return (self.hour0 + self.speed * (tick - self.tick0) * DT / 3600.0) % 24.0


def hhmm(hour: float) -> str:
    """An hour of day as "HH:MM" on a 24-hour clock, to the nearest minute: 23.999 reads 00:00 (never 24:00), and
    hours below 0 or from 24 on wrap around the day. The one formatting of a time for replies, the HUD and trailers."""
    minutes = int(round((float(hour) % 24.0) * 60.0)) % (24 * 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@dataclass
class Weather:
    kind: str = "clear"      # target kind, one of kinds.WEATHER_KINDS
    intensity: float = 0.0   # target intensity 0..1
    # eased levels 0..1, moving toward the targets every step
    rain: float = 0.0
    snow: float = 0.0
    fog: float = 0.0
    storm: float = 0.0
    snow_cover: float = 0.0  # white on the ground, builds while snowing, melts otherwise
    strikes: int = 0         # lightning strikes so far (seeds the next gap)
    next_strike: int = -1    # tick of the next strike while stormy, -1 when none is scheduled
    last_strike: int = -10**9


@dataclass
class WorldScalars:
    """Everything small that changes per step; serialised as-is into share codes."""
    tick: int = 0
    acc: float = 0.0         # leftover frame time not yet consumed by fixed steps, seconds
    gravity: float = 1.0     # scale of EARTH_G
    player: Player = field(default_factory=Player)
    clock: Clock = field(default_factory=Clock)
    weather: Weather = field(default_factory=Weather)

    def to_dict(self) -> dict:
        return asdict(self)


def weather_targets(kind: str, intensity: float) -> tuple[float, float, float, float]:
    """(rain, snow, fog, storm) levels a weather kind eases toward."""
    i = float(intensity)
    return {
        "clear": (0.0, 0.0, 0.0, 0.0),
        "rain": (i, 0.0, 0.15 * i, 0.0),
        "snow": (0.0, i, 0.25 * i, 0.0),
        "fog": (0.0, 0.0, i, 0.0),
        "storm": (i, 0.0, 0.3 * i, i),
    }[kind]


def wrap_angle(a: float) -> float:
    """Angle in [-pi, pi)."""
    return (a + math.pi) % (2.0 * math.pi) - math.pi


# ------------------------------------------------------------------------------------------ seeded randomness
_M64 = (1 << 64) - 1


def mix64(*parts: int) -> int:
    """Deterministic 64-bit hash of integers (splitmix64 chain); the root of every random choice in the world."""
    h = 0x9E3779B97F4A7C15
    for p in parts:
        h = (h ^ (int(p) & _M64)) & _M64
        h = (h + 0x9E3779B97F4A7C15) & _M64
        h = ((h ^ (h >> 30)) * 0xBF58476D1CE4E5B9) & _M64
        h = ((h ^ (h >> 27)) * 0x94D049BB133111EB) & _M64
        h ^= h >> 31
    return h


def rng(seed: int, *counters: int) -> np.random.Generator:
    """A numpy Generator derived from (seed, counters): the only way world code draws random numbers."""
    return np.random.default_rng(mix64(seed, *counters))
