"""Progress bars per source on a terminal (rich); silent when output goes to a log."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from tasks.ingest_source import set_progress


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

        set_progress(update)
        try:
            yield
        finally:
            set_progress(None)
