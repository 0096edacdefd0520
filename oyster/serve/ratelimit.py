"""Per-client limits (token buckets) on what one client may ask for, with honest "try again in N s" messages,
and one log line per refused request."""
import logging
import math
import threading
import time
from dataclasses import dataclass

from oyster.serve.checks import RateLimited

log = logging.getLogger("oyster.refused")
MAX_CLIENTS = 20000      # buckets kept; the oldest idle ones are forgotten first


@dataclass(frozen=True)
class Rate:
    """`burst` requests at once, refilled at `per_s` requests per second."""
    burst: float
    per_s: float


@dataclass
class _Bucket:
    tokens: float
    at: float


def refused(kind: str, client: str, why: str) -> None:
    """The one log line for a refused request (client is an address, never a session id or an e-mail)."""
    log.warning("refused %s from %s: %s", kind, client or "-", why)


class RateLimits:
    """Token buckets keyed by (kind, client). Thread-safe; `take` raises RateLimited with a wait in seconds."""

    def __init__(self, rates: dict[str, Rate], clock=time.monotonic):
        self.rates = dict(rates)
        self._clock = clock
        self._buckets: dict[tuple[str, str], _Bucket] = {}
        self._lock = threading.Lock()

    def take(self, kind: str, client: str, cost: float = 1.0) -> None:
        rate = self.rates.get(kind)
        if rate is None or not client:    # no rate for this kind, or an in-process caller with no address
            return
        now = self._clock()
        with self._lock:
            b = self._buckets.get((kind, client))
            if b is None:
                if len(self._buckets) >= MAX_CLIENTS:
                    self._forget(now)
                b = self._buckets[(kind, client)] = _Bucket(rate.burst, now)
            b.tokens = min(rate.burst, b.tokens + (now - b.at) * rate.per_s)
            b.at = now
            if b.tokens >= cost:
                b.tokens -= cost
                return
            wait = max(1, math.ceil((min(cost, rate.burst) - b.tokens) / rate.per_s))
        msg = f"slow down: try again in {wait} s"
        refused(kind, client, msg)
        raise RateLimited(msg)

    def _forget(self, now: float) -> None:
        full = [k for k, b in self._buckets.items() if b.tokens + (now - b.at) * self.rates[k[0]].per_s
                >= self.rates[k[0]].burst]
        for k in full or list(self._buckets)[: len(self._buckets) // 2]:
            del self._buckets[k]


def default_rates(cfg) -> dict[str, Rate]:
    """The page's and API's per-client rates, from ServeConfig."""
    return {
        "open": Rate(cfg.opens_burst, cfg.opens_per_min / 60.0),
        "command": Rate(cfg.commands_burst, cfg.commands_per_min / 60.0),
        "frames": Rate(cfg.frames_burst, cfg.frames_per_s),
        "trailer": Rate(cfg.trailers_burst, cfg.trailers_per_hour / 3600.0),
        "signup": Rate(cfg.signups_burst, cfg.signups_per_hour / 3600.0),
        "share": Rate(cfg.commands_burst, cfg.commands_per_min / 60.0),
    }


# Harnesses that play many visitors from one address (tests, the load benchmark) lift the page-load driven
# per-client limits; the limits themselves are tested on their own.
ONE_ADDRESS_MANY_VISITORS = {"max_seats_per_client": 10_000, "opens_burst": 10_000.0, "commands_burst": 10_000.0,
                             "frames_burst": 10_000.0}


def one_address_env() -> dict[str, str]:
    """ONE_ADDRESS_MANY_VISITORS as OYSTER_* variables, for a server started as a process."""
    return {f"OYSTER_{k.upper()}": str(v) for k, v in ONE_ADDRESS_MANY_VISITORS.items()}
