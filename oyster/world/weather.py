"""Weather and sky events per fixed step: eased rain/snow/fog/storm levels, snow cover, wind and lightning.

Levels ease toward the targets of the current weather kind (a few seconds' time constant) so changes look smooth.
Lightning strikes at gaps drawn from (seed, strike number): the same storm flashes at the same ticks every time.
"""
import math

from .state import DT, Weather, mix64, weather_targets

EASE_TAU = 4.0                          # seconds: time constant of weather transitions
EASE = 1.0 - math.exp(-DT / EASE_TAU)
SNOW_BUILD = 45.0                       # seconds of full snowfall to cover the ground
SNOW_MELT = 120.0                       # seconds to melt a full cover
STORM_STRIKES = 0.3                     # storm level above which lightning strikes
FLASH_TAU = 0.12                        # seconds: flash decay


def step(w: Weather, seed: int, tick: int) -> None:
    """Advance the weather by one fixed step (in place)."""
    tr, ts, tf, tst = weather_targets(w.kind, w.intensity)
    w.rain += (tr - w.rain) * EASE
    w.snow += (ts - w.snow) * EASE
    w.fog += (tf - w.fog) * EASE
    w.storm += (tst - w.storm) * EASE
    if w.snow > 0.05:
        w.snow_cover = min(1.0, w.snow_cover + w.snow * DT / SNOW_BUILD)
    elif w.snow_cover > 0.0:
        w.snow_cover = max(0.0, w.snow_cover - DT / SNOW_MELT)
    if w.storm > STORM_STRIKES:
        if w.next_strike < 0:
            w.next_strike = tick + _gap(seed, w.strikes)
        elif tick >= w.next_strike:
            w.last_strike = tick
            w.strikes += 1
            w.next_strike = tick + _gap(seed, w.strikes)
    else:
        w.next_strike = -1


def _gap(seed: int, n: int) -> int:
    """Ticks until the next strike: 1.5 to 8 seconds, drawn from (seed, strike number)."""
    u = mix64(seed, 0x11647, n) / 2.0 ** 64
    return int((1.5 + 6.5 * u) / DT)


def lightning(w: Weather, tick: int) -> float:
    """Flash brightness 0..1 this tick: a bright stroke and a weaker return stroke a quarter second later."""
    s = (tick - w.last_strike) * DT
    if s < 0.0 or s > 1.0:
        return 0.0
    a = math.exp(-s / FLASH_TAU)
    b = 0.6 * math.exp(-abs(s - 0.25) / 0.05) if s > 0.2 else 0.0
    return min(1.0, a + b)


def wind(w: Weather, seed: int, t: float) -> tuple[float, float]:
    """Wind vector, metres/second: a seeded prevailing direction that wanders slowly, stronger in storms."""
    base = (mix64(seed, 0x3177D) % 6283) / 1000.0
    ang = base + 0.5 * math.sin(t / 47.0)
    speed = 1.5 + 2.0 * w.rain + 1.0 * w.snow + 9.0 * w.storm
    return speed * math.cos(ang), speed * math.sin(ang)
