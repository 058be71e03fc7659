"""The terminal's bars for a run of many sources: the sources in flight, the last few finished, and
one line for the whole run."""

from __future__ import annotations

import io

from rich.console import Console
from rich.progress import Progress

from newsflow.tasks.progress import SourceBars


def shown(progress: Progress) -> dict[str, tuple[float, float | None]]:
    return {task.description: (task.completed, task.total) for task in progress.tasks}


def test_one_source_has_its_bar_and_no_line_for_the_run() -> None:
    progress = Progress(console=Console(file=io.StringIO()))
    bars = SourceBars(progress)
    bars("daily", 0, 6)
    bars("daily", 6, 6)
    assert shown(progress) == {"daily": (6, 6)}


def test_many_sources_keep_the_ones_in_flight_and_the_last_finished_and_a_line_for_all() -> None:
    progress = Progress(console=Console(file=io.StringIO()))
    bars = SourceBars(progress, keep_finished=2)
    for n in range(500):
        bars(f"s{n}", 0, 2)
        if n < 497:  # the last three stay in flight
            bars(f"s{n}", 2, 2)
    bars("s497", 1, 2)
    assert shown(progress) == {
        "s495": (2, 2),
        "s496": (2, 2),
        "s497": (1, 2),
        "s498": (0, 2),
        "s499": (0, 2),
        "all sources (497 done)": (497 * 2 + 1, 500 * 2),
    }


def test_a_source_with_nothing_to_fetch_counts_as_done() -> None:
    progress = Progress(console=Console(file=io.StringIO()))
    bars = SourceBars(progress, keep_finished=1)
    for name in ("a", "b", "c"):
        bars(name, 0, 0)
    assert shown(progress) == {"c": (0, 0), "all sources (3 done)": (0, 0)}
