"""Per-host politeness shared by every source of a run: a concurrency cap and a minimum delay."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from newsflow.errors import Interrupted
from newsflow.runtime.stop import stop_requested

_RUNS_KEPT = 32
_STOP_CHECK = 0.25  # seconds


class HostLimiter:
    """Caps concurrent requests per host and spaces request starts by at least `min_delay` seconds."""

    def __init__(
        self, *, max_concurrency: int, min_delay: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._max = max_concurrency
        self._default_delay = min_delay
        self._clock = clock
        self._lock = threading.Lock()
        # One condition per host: a freed slot wakes one waiter for that host, not every fetch
        # thread of the run (with 16 threads and 4 slots per host, waking all of them on every
        # release cost about 0.2 ms of CPU per page).
        self._hosts: dict[str, threading.Condition] = {}
        self._active: dict[str, int] = {}
        self._next_start: dict[str, float] = {}
        self._delays: dict[str, float] = {}

    def set_delay(self, host: str, delay: float) -> None:
        """Raise the minimum delay for one host (robots.txt Crawl-delay, Retry-After)."""
        with self._lock:
            self._delays[host] = max(delay, self._delays.get(host, 0.0))

    def delay_for(self, host: str) -> float:
        """The minimum spacing between request starts to `host`."""
        with self._lock:
            return max(self._default_delay, self._delays.get(host, 0.0))

    def push_back(self, host: str, seconds: float) -> None:
        """Let no request to `host` start for `seconds` (a 429 or 503 with Retry-After)."""
        with self._lock:
            self._next_start[host] = max(self._next_start.get(host, 0.0), self._clock() + seconds)
            self._condition(host).notify_all()

    def _condition(self, host: str) -> threading.Condition:
        condition = self._hosts.get(host)
        if condition is None:
            condition = self._hosts[host] = threading.Condition(self._lock)
        return condition

    @contextmanager
    def slot(self, host: str) -> Iterator[None]:
        """Hold one of `host`'s request slots for the duration of a request."""
        with self._lock:
            condition = self._condition(host)
            while True:
                if stop_requested():  # Ctrl-C: no request starts any more
                    raise Interrupted("stopped before fetching")
                wait = self._next_start.get(host, 0.0) - self._clock()
                if self._active.get(host, 0) < self._max and wait <= 0:
                    break
                # At most a quarter second between looks at the stop flag (a Crawl-delay may be 60 s).
                condition.wait(timeout=min(max(wait, 0.01), _STOP_CHECK) if wait > 0 else _STOP_CHECK)
            self._active[host] = self._active.get(host, 0) + 1
            delay = max(self._default_delay, self._delays.get(host, 0.0))
            self._next_start[host] = self._clock() + delay
        try:
            yield
        finally:
            with self._lock:
                self._active[host] -= 1
                condition.notify()


_by_run: OrderedDict[tuple[str | None, int, float], HostLimiter] = OrderedDict()
_by_run_lock = threading.Lock()


def limiter_for_run(run_id: str | None, *, max_concurrency: int, min_delay: float) -> HostLimiter:
    """The limiter every source of one run shares; a later run starts afresh.

    A Crawl-delay or Retry-After learnt in one run must not slow a later run of the same
    long-lived process (`newsflow serve`) for ever; the next run reads robots.txt again.
    """
    key = (run_id, max_concurrency, min_delay)
    with _by_run_lock:
        limiter = _by_run.get(key)
        if limiter is None:
            limiter = _by_run[key] = HostLimiter(max_concurrency=max_concurrency, min_delay=min_delay)
            while len(_by_run) > _RUNS_KEPT:
                _by_run.popitem(last=False)
        _by_run.move_to_end(key)
        return limiter
