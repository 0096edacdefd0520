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
    """A semaphore of `permits` that hands a freed permit to the waiter with the earliest deadline."""

    def __init__(self, permits: int):
        if permits < 1:
            raise ValueError("a gate needs at least one permit")
        self.permits = permits
        self._free = permits
        self._lock = threading.Lock()
        self._waiting: list[tuple[float, int, threading.Event]] = []
        self._order = itertools.count()   # equal deadlines: first come, first served

    def acquire(self, deadline: float) -> None:
        with self._lock:
            if self._free > 0 and not self._waiting:
                self._free -= 1
                return
            turn = threading.Event()
            heapq.heappush(self._waiting, (deadline, next(self._order), turn))
        turn.wait()     # release() handed its permit straight to this waiter

    def release(self) -> None:
        with self._lock:
            if self._waiting:
                heapq.heappop(self._waiting)[2].set()
            else:
                self._free += 1

    @contextmanager
    def hold(self, deadline: float):
        self.acquire(deadline)
        try:
            yield
        finally:
            self.release()

    def waiting(self) -> int:
        with self._lock:
            return len(self._waiting)
