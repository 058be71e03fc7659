"""The graceful stop's waiting: the main thread must wake to run a signal's Python handler."""

from __future__ import annotations

import queue
import signal
import threading
from collections.abc import Iterator

import pytest

from newsflow.runtime.stop import wait_awake


@pytest.fixture
def usr2_handler() -> Iterator[queue.SimpleQueue[str]]:
    items: queue.SimpleQueue[str] = queue.SimpleQueue()
    previous = signal.signal(signal.SIGUSR2, lambda *_: items.put("handled"))
    try:
        yield items
    finally:
        signal.signal(signal.SIGUSR2, previous)


def test_a_signal_the_kernel_hands_to_another_thread_is_handled_while_the_main_thread_waits(
    usr2_handler: queue.SimpleQueue[str],
) -> None:
    # A Ctrl-C may land on any thread; Python runs its handler in the main thread, once it wakes.
    # Nothing else is put for 10 s: a wait without end would return "late", after the handler.
    def other_thread() -> None:
        threading.Event().wait(1)  # the main thread is waiting by then
        signal.pthread_kill(threading.get_ident(), signal.SIGUSR2)
        threading.Event().wait(10)
        usr2_handler.put("late")

    threading.Thread(target=other_thread, daemon=True).start()
    assert wait_awake(usr2_handler) == "handled"


def test_items_come_in_order_without_waiting_a_slice() -> None:
    items: queue.SimpleQueue[int] = queue.SimpleQueue()
    for n in (1, 2):
        items.put(n)
    assert [wait_awake(items, slice_seconds=60), wait_awake(items, slice_seconds=60)] == [1, 2]
