"""A world's conditions as a service (`world.conditions`): the clock, the weather and gravity, read and set. Each
setter returns the undo that puts the old value back exactly (the clock is kept as (hour0, tick0, speed), so an
undo restores the same hours at every later tick)."""
import copy

from .state import Clock


class Conditions:
    """Clock, weather and gravity of one World."""

    def __init__(self, world):
        self._s = world.s

    def hour(self) -> float:
        """Hour of day now, 0..24."""
        return self._s.clock.hour(self._s.tick)

    def clock(self) -> Clock:
        """A copy of the clock (hour0, tick0, speed)."""
        return copy.copy(self._s.clock)

    def weather(self) -> tuple[str, float]:
        """The weather asked for: (kind, intensity); the eased levels move toward it every step."""
        w = self._s.weather
        return w.kind, w.intensity

    @property
    def gravity(self) -> float:
        """Scale of Earth's gravity."""
        return self._s.gravity

    def set_weather(self, kind: str, intensity: float):
        w = self._s.weather
        before = (w.kind, w.intensity)
        w.kind, w.intensity = kind, intensity

        def undo():
            w.kind, w.intensity = before
        return undo

    def set_time(self, hour: float, speed: float | None) -> tuple[float, object]:
        """Set the hour now and the clock's speed (None keeps it); returns (the speed, undo)."""
        s = self._s
        before = copy.copy(s.clock)
        speed = s.clock.speed if speed is None else speed
        s.clock = Clock(hour % 24.0, s.tick, speed)

        def undo():
            s.clock = before
        return speed, undo

    def set_gravity(self, scale: float):
        s = self._s
        before = s.gravity
        s.gravity = scale

        def undo():
            s.gravity = before
        return undo
