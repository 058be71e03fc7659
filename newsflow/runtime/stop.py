"""A graceful stop of the whole process, asked for by Ctrl-C: runs take no new pages, store the
batch in flight, and end as Cancelled. Process-wide by nature, as signals are."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_requested = threading.Event()


def request_stop() -> None:
    """Ask every run of this process to stop after the batch in flight."""
    _requested.set()


def stop_requested() -> bool:
    return _requested.is_set()


def reset_stop() -> None:
    """Forget a stop request (tests run several CLI commands in one process)."""
    _requested.clear()


@contextmanager
def terminal_interrupts_blocked() -> Iterator[None]:
    """Child processes started in this block (the extraction fork server and its workers, Prefect's
    temporary API server) never see the terminal's Ctrl-C, which reaches every process of the
    foreground group: the parent stops them in order instead, and none dies mid-write."""
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
