"""Progress bars per source on a terminal (rich); silent when output goes to a log.

The CLI opens `progress_bars()` around a flow call; the flow reads `progress_callback()` and
passes it to each source task as a parameter, so no task reaches for a global.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

ProgressCallback = Callable[[str, int, int], None]  # (source, done, total)

_callback: ContextVar[ProgressCallback | None] = ContextVar("newsflow_progress", default=None)


def progress_callback() -> ProgressCallback | None:
    """The callback of the progress bars open in this context, if any."""
    return _callback.get()


@contextmanager
def reporting_progress_to(callback: ProgressCallback | None) -> Iterator[None]:
    """Flows run inside this block hand `callback` to their source tasks."""
    token = _callback.set(callback)
    try:
        yield
    finally:
        _callback.reset(token)


@contextmanager
def progress_bars(enabled: bool | None = None) -> Iterator[None]:
    """Show one bar per source while the block runs, if stderr is a terminal (or `enabled`)."""
    if not (sys.stderr.isatty() if enabled is None else enabled):
        yield
        return
    lock = threading.Lock()
    bars: dict[str, TaskID] = {}
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        transient=False,
    ) as progress:

        def update(source: str, done: int, total: int) -> None:
            with lock:
                if source not in bars:
                    bars[source] = progress.add_task(source, total=total)
                progress.update(bars[source], completed=done, total=total)

        with reporting_progress_to(update):
            yield
