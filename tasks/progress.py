"""Progress bars per source on a terminal (rich); silent when output goes to a log.

The CLI opens `progress_bars()` around a flow call; the flow reads `progress_callback()` and
passes it to each source task as a parameter, so no task reaches for a global.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections import deque
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


class SourceBars:
    """A run's bars on one rich Progress: one per source in flight, the last few finished ones,
    and, once there are two sources, a line for the whole run. A run of hundreds of sources would
    otherwise leave a bar per source, and the live display would outgrow the terminal."""

    def __init__(self, progress: Progress, *, keep_finished: int = 8) -> None:
        self._progress = progress
        self._keep = keep_finished
        self._lock = threading.Lock()
        self._bars: dict[str, TaskID] = {}
        self._finished: deque[str] = deque()  # the finished sources whose bars are still shown
        self._running: dict[str, tuple[int, int]] = {}  # pages done and to do, per source in flight
        self._done_sources = 0
        self._done_pages = (0, 0)  # of the finished sources: one entry per source less to keep
        self._overall: TaskID | None = None

    def __call__(self, source: str, done: int, total: int) -> None:
        with self._lock:
            bar = self._bars.get(source)
            if bar is None:
                bar = self._bars[source] = self._progress.add_task(source, total=total)
                if self._overall is None and len(self._bars) + self._done_sources > 1:
                    self._overall = self._progress.add_task("all sources", total=0)
            self._progress.update(bar, completed=done, total=total)
            if done < total:
                self._running[source] = (done, total)
            elif source not in self._finished:
                self._running.pop(source, None)
                self._done_sources += 1
                self._done_pages = (self._done_pages[0] + done, self._done_pages[1] + total)
                self._finished.append(source)
                if len(self._finished) > self._keep:
                    self._progress.remove_task(self._bars.pop(self._finished.popleft()))
            if self._overall is not None:
                pages_done = self._done_pages[0] + sum(d for d, _ in self._running.values())
                pages = self._done_pages[1] + sum(t for _, t in self._running.values())
                self._progress.update(
                    self._overall,
                    completed=pages_done,
                    total=pages,
                    description=f"all sources ({self._done_sources} done)",
                )


@contextmanager
def progress_bars(enabled: bool | None = None) -> Iterator[None]:
    """Show the sources' bars (SourceBars) while the block runs, with log lines printed above
    them, if `enabled` (None: if stderr is a terminal)."""
    if not bars_wanted(enabled):
        yield
        return
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
        reporting_progress_to(SourceBars(progress)),
    ):
        yield
