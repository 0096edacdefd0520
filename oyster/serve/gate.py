"""The render gate: at most one frame per core is rendered and encoded at once, the most overdue first.

Every visitor's frame loop runs in its own thread; without a gate eight of them on two cores time-slice each
other, so every frame takes several times its CPU cost and the slowest ones set the p99s. With the gate the
waiting frames queue by deadline, and the one let in takes its visitor's newest input only then.
"""
import heapq
import itertools
import threading
from contextlib import contextmanager


class DeadlineGate:
    """A semaphore of `permits` that hands freed permits to the waiter with the earliest deadline.

    A frame may ask for several permits: an HD frame takes every core, so it renders with all of them at once
    instead of sharing the machine with other frames at one core each (stream.py)."""

    def __init__(self, permits: int):
        if permits < 1:
            raise ValueError("a gate needs at least one permit")
        self.permits = permits
        self._free = permits
        self._lock = threading.Lock()
        self._waiting: list[tuple[float, int, int, threading.Event]] = []   # deadline, order, need, turn
        self._order = itertools.count()   # equal deadlines: first come, first served

    def acquire(self, deadline: float, need: int = 1) -> None:
        """Wait for `need` permits (at most all of them); waiters are served strictly by deadline."""
        need = max(1, min(need, self.permits))
        with self._lock:
            if self._free >= need and not self._waiting:
                self._free -= need
                return
            turn = threading.Event()
            heapq.heappush(self._waiting, (deadline, next(self._order), need, turn))
        turn.wait()     # release() handed the permits straight to this waiter

    def release(self, need: int = 1) -> None:
        with self._lock:
            self._free += max(1, min(need, self.permits))
            # The earliest waiter goes first even when a later one would fit now: a frame that needs every core
            # would otherwise starve behind a stream of one-core frames.
            while self._waiting and self._free >= self._waiting[0][2]:
                _, _, got, turn = heapq.heappop(self._waiting)
                self._free -= got
                turn.set()

    @contextmanager
    def hold(self, deadline: float, need: int = 1):
        self.acquire(deadline, need)
        try:
            yield
        finally:
            self.release(need)

    def waiting(self) -> int:
        with self._lock:
            return len(self._waiting)
