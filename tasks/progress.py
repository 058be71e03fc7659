"""Progress bars per source on a terminal (rich); silent when output goes to a log.

The CLI opens `progress_bars()` around a flow call; the flow reads `progress_callback()` and
passes it to each source task as a parameter, so no task reaches for a global.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from prefect.logging.handlers import PrefectConsoleHandler
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.theme import Theme

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
def _one_console() -> Iterator[Console | None]:
    """Prefect's console log handlers, all printing through one rich Console for the block.

    Each handler has a Console of its own on the real stderr; bars drawn by another Console are
    then overwritten by log lines mid-line. Drawn by the same Console, rich prints each log line
    above the live bars."""
    handlers = [
        handler
        for name in ("", *logging.root.manager.loggerDict)
        for handler in logging.getLogger(name).handlers
        if isinstance(handler, PrefectConsoleHandler)
    ]
    if not handlers:
        yield None
        return
    shared = handlers[0].console
    saved = [(handler, handler.console) for handler in handlers]
    for handler in handlers:
        handler.console = shared
    # Prefect's theme does not inherit rich's defaults, which the bars' columns are drawn in.
    shared.push_theme(Theme(), inherit=True)
    try:
        yield shared
    finally:
        shared.pop_theme()
        for handler, console in saved:
            handler.console = console


def bars_wanted(setting: bool | None) -> bool:
    """NEWSFLOW_PROGRESS: true or false decide; unset shows bars only when stderr is a terminal."""
    return sys.stderr.isatty() if setting is None else setting


@contextmanager
def progress_bars(enabled: bool | None = None) -> Iterator[None]:
    """Show one bar per source while the block runs, with log lines printed above them, if
    `enabled` (None: if stderr is a terminal)."""
    if not bars_wanted(enabled):
        yield
        return
    lock = threading.Lock()
    bars: dict[str, TaskID] = {}
    with (
        _one_console() as console,
        Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            transient=False,
            console=console,
        ) as progress,
    ):

        def update(source: str, done: int, total: int) -> None:
            with lock:
                if source not in bars:
                    bars[source] = progress.add_task(source, total=total)
                progress.update(bars[source], completed=done, total=total)

        with reporting_progress_to(update):
            yield
