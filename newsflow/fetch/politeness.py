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
        # release cost about 0.2 ms of CPU per page). Made only once a thread has to wait, and
        # a host's entries go once nothing is left to remember: a run over thousands of hosts,
        # each asked a few times, keeps no state per host (about 1 KiB each).
        self._hosts: dict[str, threading.Condition] = {}
        self._active: dict[str, int] = {}
        self._next_start: dict[str, float] = {}
        self._delays: dict[str, float] = {}
        self._waiting: dict[str, int] = {}  # threads waiting for a slot of the host

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
            self._notify(host, every=True)

    def _condition(self, host: str) -> threading.Condition:
        condition = self._hosts.get(host)
        if condition is None:
            condition = self._hosts[host] = threading.Condition(self._lock)
        return condition

    def _notify(self, host: str, *, every: bool = False) -> None:
        """Wake one (or every) waiter for `host`; with the lock held. No condition, no waiter."""
        condition = self._hosts.get(host)
        if condition is not None:
            condition.notify_all() if every else condition.notify()

    def _forget_if_idle(self, host: str) -> None:
        """Drop `host`'s entries when no request runs, none waits, and no delay is pending; with
        the lock held."""
        if self._active.get(host, 0) > 0 or self._next_start.get(host, 0.0) > self._clock():
            return
        if self._waiting.get(host, 0) > 0:
            return
        self._hosts.pop(host, None)
        self._active.pop(host, None)
        self._next_start.pop(host, None)

    @contextmanager
    def slot(self, host: str) -> Iterator[None]:
        """Hold one of `host`'s request slots for the duration of a request."""
        with self._lock:
            while True:
                if stop_requested():  # Ctrl-C: no request starts any more
                    raise Interrupted("stopped before fetching")
                wait = self._next_start.get(host, 0.0) - self._clock()
                if self._active.get(host, 0) < self._max and wait <= 0:
                    break
                # At most a quarter second between looks at the stop flag (a Crawl-delay may be 60 s).
                self._waiting[host] = self._waiting.get(host, 0) + 1
                try:
                    self._condition(host).wait(
                        timeout=min(max(wait, 0.01), _STOP_CHECK) if wait > 0 else _STOP_CHECK
                    )
                finally:
                    self._waiting[host] -= 1
                    if not self._waiting[host]:
                        del self._waiting[host]
            self._active[host] = self._active.get(host, 0) + 1
            delay = max(self._default_delay, self._delays.get(host, 0.0))
            self._next_start[host] = self._clock() + delay
        try:
            yield
        finally:
            with self._lock:
                self._active[host] -= 1
                self._notify(host)
                self._forget_if_idle(host)


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
