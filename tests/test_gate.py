"""The render gate: never more frames at once than permits, and a freed permit goes to the earliest deadline."""
import threading
import time

import pytest

from oyster.serve.gate import DeadlineGate


def test_freed_permit_goes_to_the_earliest_deadline():
    gate = DeadlineGate(1)
    gate.acquire(0.0)
    order: list[float] = []
    threads = [threading.Thread(target=lambda d=d: (gate.acquire(d), order.append(d), gate.release()))
               for d in (5.0, 1.0, 3.0, 2.0, 4.0)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 5
    while gate.waiting() < 5:
        assert time.monotonic() < deadline
        time.sleep(0.005)
    gate.release()
    for t in threads:
        t.join(5)
    assert order == [1.0, 2.0, 3.0, 4.0, 5.0]


def test_never_more_holders_than_permits():
    gate, lock = DeadlineGate(2), threading.Lock()
    inside, most = [0], [0]

    def work(d):
        for _ in range(20):
            with gate.hold(d):
                with lock:
                    inside[0] += 1
                    most[0] = max(most[0], inside[0])
                time.sleep(0.0005)
                with lock:
                    inside[0] -= 1

    threads = [threading.Thread(target=work, args=(float(i),)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert most[0] == 2 and inside[0] == 0 and gate.waiting() == 0


def test_a_gate_needs_a_permit():
    with pytest.raises(ValueError):
        DeadlineGate(0)
