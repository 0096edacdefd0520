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


def test_a_frame_that_needs_every_permit_waits_its_turn_and_holds_them_all():
    gate, lock = DeadlineGate(2), threading.Lock()
    inside, log = [0], []

    def work(deadline, need):
        with gate.hold(deadline, need):
            with lock:
                inside[0] += need
                log.append((deadline, inside[0]))
            time.sleep(0.002)
            with lock:
                inside[0] -= need

    gate.acquire(0.0, need=2)                           # both permits busy while the three frames queue
    threads = [threading.Thread(target=work, args=(d, n)) for d, n in ((2.0, 1), (1.0, 2), (3.0, 1))]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 5
    while gate.waiting() < 3:
        assert time.monotonic() < deadline
        time.sleep(0.005)
    gate.release(need=2)
    for t in threads:
        t.join(5)
    assert log[0] == (1.0, 2)                           # the earliest deadline went first, alone on both permits
    assert all(n <= 2 for _, n in log) and inside[0] == 0 and gate.waiting() == 0
    assert gate.acquire(9.0, need=5) is None and gate.waiting() == 0   # asking for more than exist means all
    gate.release(need=5)
