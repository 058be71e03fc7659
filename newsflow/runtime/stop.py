"""A graceful stop of the whole process, asked for by Ctrl-C or SIGTERM: runs take no new pages,
store the batch in flight, and end as Cancelled. Process-wide by nature, as signals are."""

from __future__ import annotations

import contextlib
import os
import queue
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NoReturn, TypeVar

T = TypeVar("T")

_requested = threading.Event()
_stop_handler: Any = None  # the `newsflow` command's handler, once it owns the signals
_own_sessions: set[int] = set()  # leaders of child sessions: the temporary API server, the fork server


def request_stop() -> None:
    """Ask every run of this process to stop after the batch in flight."""
    _requested.set()


def stop_requested() -> bool:
    return _requested.is_set()


def stop_on_signals(handler: Any) -> None:
    """Let `handler` answer Ctrl-C and SIGTERM in this process (the `newsflow` command does)."""
    global _stop_handler
    _stop_handler = handler
    signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGTERM, handler)


def own_session(pid: int) -> None:
    """Remember a child process that leads a session of its own: no terminal signal reaches it,
    so quitting at once must stop it (and whatever it started in its session) explicitly."""
    _own_sessions.add(pid)


def quit_now(code: int) -> NoReturn:
    """Exit at once (a second Ctrl-C), without cleanup, but not leaving the children of
    `own_session` running without their parent: a temporary API server or extraction workers
    orphaned that way ran until killed by hand."""
    for pid in _own_sessions:
        with contextlib.suppress(OSError):
            os.killpg(pid, signal.SIGTERM)
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGTERM)  # in case it has not made its session yet
    os._exit(code)


def reclaim_sigterm() -> None:
    """Inside a flow run: give SIGTERM back to the command's handler. Prefect's engine replaces it
    for the run with one that kills the run as Crashed; Prefect restores ours when the run ends.
    Without a command owning the signals (a worker runs the flow) Prefect's stays, as it must."""
    if _stop_handler is None or threading.current_thread() is not threading.main_thread():
        return
    if signal.getsignal(signal.SIGTERM) is not _stop_handler:
        signal.signal(signal.SIGTERM, _stop_handler)


def wait_awake(items: queue.SimpleQueue[T], *, slice_seconds: float = 0.25) -> T:
    """The next item of `items`, waited for in short slices. The kernel may hand Ctrl-C or SIGTERM
    to any thread, and Python runs the handler in the main thread only once that thread wakes: a
    wait without end there left a signal unanswered until a source finished."""
    while True:
        try:
            return items.get(timeout=slice_seconds)
        except queue.Empty:
            continue


def reset_stop() -> None:
    """Forget a stop request (tests run several CLI commands in one process)."""
    _requested.clear()


@contextmanager
def terminal_interrupts_blocked() -> Iterator[None]:
    """Child processes started in this block (the extraction fork server and its workers) never
    see the terminal's Ctrl-C, which reaches every process of the foreground group: the parent
    stops them in order instead, and none dies mid-write."""
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
