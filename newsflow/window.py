"""A backfill's window: its days (an inclusive, bounded range of UTC dates) and what falls inside."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import TypeVar

from newsflow.errors import ConfigError
from newsflow.records import DateWindow, DiscoveredUrl

MAX_DAYS = 366
T = TypeVar("T")


def days_between(since: date, until: date) -> list[date]:
    """Every day from since to until inclusive; ConfigError if the range is empty or too long."""
    if until < since:
        raise ConfigError(f"--until {until} is before --since {since}; give an inclusive range")
    count = (until - since).days + 1
    if count > MAX_DAYS:
        raise ConfigError(
            f"the range {since}..{until} spans {count} days; split it into ranges of {MAX_DAYS} or fewer"
        )
    return [since + timedelta(days=n) for n in range(count)]


def split_by_window(
    items: Iterable[T], window: DateWindow, published: Callable[[T], datetime | None], *, keep_undated: bool
) -> tuple[list[T], list[T]]:
    """(inside, outside) the window by each item's publication time. Undated items go inside when
    `keep_undated` (a listed URL without a date may still be in the window once fetched)."""
    inside: list[T] = []
    outside: list[T] = []
    for item in items:
        when = published(item)
        if (when is None and keep_undated) or (when is not None and window.contains(when)):
            inside.append(item)
        else:
            outside.append(item)
    return inside, outside


def listed_in_window(
    urls: Iterable[DiscoveredUrl], window: DateWindow, *, page_dates: Mapping[str, datetime | None]
) -> tuple[list[DiscoveredUrl], list[DiscoveredUrl]]:
    """(inside, outside) for listed URLs: a listed date decides; for an undated URL, the date an
    earlier backfill read on its page (`page_dates`: None when the page had none, which is
    outside); a URL never fetched and undated may be inside until its page says otherwise."""
    inside: list[DiscoveredUrl] = []
    outside: list[DiscoveredUrl] = []
    for item in urls:
        when = item.published_at
        if when is None and item.url in page_dates:
            when = page_dates[item.url]
            if when is None:
                outside.append(item)
                continue
        (inside if when is None or window.contains(when) else outside).append(item)
    return inside, outside
