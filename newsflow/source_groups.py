"""How a run hands its sources to Prefect: in groups, one task run per group.

A Prefect task run costs tens of milliseconds of CPU (its engine, and the API server recording
its states, events and logs) however little its source had to do; at hundreds of sources with
nothing new that was most of a run's work. A run with no more sources than it runs at once keeps
one task run per source, as small deployments always had; beyond that, sources share task runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from math import ceil
from typing import TypeVar

T = TypeVar("T")


def group_size(sources: int, in_flight: int) -> int:
    """Sources per task run: 1 while every source can run at once (`in_flight` at a time), else
    enough for about `in_flight` groups, at most `in_flight` sources each."""
    in_flight = max(1, in_flight)
    if sources <= in_flight:
        return 1
    return min(in_flight, ceil(sources / in_flight))


def groups_in_flight(size: int, in_flight: int) -> int:
    """Group task runs a run keeps open: enough to fill its `in_flight` source slots, and one more
    whose sources take a slot as soon as one frees, so a slow source holds its group open, not
    the run's slots. One source per group: `in_flight` of them, as before groups."""
    in_flight = max(1, in_flight)
    return in_flight if size <= 1 else ceil(in_flight / size) + 1


def source_groups(sources: Sequence[T], in_flight: int) -> list[list[T]]:
    """`sources` in groups of group_size, in their order (the sources file's)."""
    size = group_size(len(sources), in_flight)
    return [list(sources[start : start + size]) for start in range(0, len(sources), size)]


def group_label(names: Sequence[str]) -> str:
    """A group's task run label: the source's name, or the first and last of the group's."""
    if len(names) == 1:
        return names[0]
    return f"{names[0]}-to-{names[-1]}"


def failure_message(failures: Sequence[tuple[str, str]], *, limit: int = 20) -> str:
    """A group's Failed state message: each failed source with its reason, `name: reason`; past
    `limit` sources, how many more."""
    message = "; ".join(f"{name}: {reason}" for name, reason in failures[:limit])
    if len(failures) > limit:
        message += f"; and {len(failures) - limit} more sources failed"
    return message
