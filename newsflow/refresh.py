"""When a stored article is fetched again: at set ages after it was first seen (news pages are
corrected, retitled and extended in their first days), or at once when a listing says it changed."""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from newsflow.records import PageHints, Validators

DEFAULT_REFRESH_AGES = "1h,6h,24h,72h"

_AGE = re.compile(r"(\d+(?:\.\d+)?)\s*([smhd])")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_refresh_ages(text: str) -> tuple[timedelta, ...]:
    """ "1h,6h,24h,72h" → the ages, ascending; "" → none (refreshing is off). ValueError says what
    is wrong with a part."""
    ages: list[timedelta] = []
    for part in (p.strip().lower() for p in text.split(",")):
        if not part:
            continue
        match = _AGE.fullmatch(part)
        if match is None:
            raise ValueError(f"{part!r} is not an age; write a number and a unit: 90m, 6h, 3d")
        age = timedelta(seconds=float(match[1]) * _UNIT_SECONDS[match[2]])
        if age <= timedelta(0):
            raise ValueError(f"{part!r}: an age must be above zero")
        ages.append(age)
    if ages != sorted(set(ages)):
        raise ValueError(f"{text!r}: give each age once, in increasing order")
    return tuple(ages)


def next_refresh_at(
    first_seen_at: datetime, refreshes_done: int, ages: Sequence[timedelta]
) -> datetime | None:
    """When the article is next due, after `refreshes_done` refetches; None once every age passed."""
    if refreshes_done >= len(ages):
        return None
    return first_seen_at + ages[refreshes_done]


def refreshes_passed(first_seen_at: datetime, now: datetime, ages: Sequence[timedelta]) -> int:
    """How many ages have passed at `now`: a refetch settles all of them at once, so an article
    that waited (a run skipped, a capped run) is fetched once, not once per missed age."""
    return sum(1 for age in ages if first_seen_at + age <= now)


def listing_says_changed(listed_updated_at: datetime | None, last_fetched_at: datetime | None) -> bool:
    """A feed entry's `updated` or a sitemap's `lastmod` later than our last fetch of the page."""
    return (
        listed_updated_at is not None and last_fetched_at is not None and listed_updated_at > last_fetched_at
    )


def first_refresh_at(first_seen_at: datetime, ages: Sequence[timedelta]) -> datetime | None:
    """When a newly stored article is first due again; None when refreshing is off."""
    return next_refresh_at(first_seen_at, 0, ages)


def schedule_after(
    first_seen_at: datetime, refreshes_done: int, now: datetime, ages: Sequence[timedelta]
) -> tuple[int, datetime | None]:
    """The ages settled and the next due time after a refetch at `now`, whatever it answered: a
    page that failed waits for its next age like one that answered, so it cannot hold the front
    of the queue run after run."""
    # Fetched early (a listing said it changed), no age is spent and the next one stays due.
    done = max(refreshes_done, refreshes_passed(first_seen_at, now, ages))
    return done, next_refresh_at(first_seen_at, done, ages)


@dataclass(frozen=True, slots=True)
class DueArticle:
    """A stored article to fetch again: the URL it was fetched from, its validators, its schedule."""

    article_id: int
    url: str
    source: str
    first_seen_at: datetime
    refreshes_done: int
    fetched_at: datetime | None
    validators: Validators | None = None
    hints: PageHints = field(default_factory=PageHints)


def conditional_headers(validators: Validators | None) -> dict[str, str]:
    """If-None-Match and If-Modified-Since from the last response's validators."""
    headers: dict[str, str] = {}
    if validators is not None and validators.etag:
        headers["If-None-Match"] = validators.etag
    if validators is not None and validators.last_modified:
        headers["If-Modified-Since"] = validators.last_modified
    return headers


class RefreshBudget:
    """How many refetches a run has left (NEWSFLOW_MAX_REFRESH_PER_RUN), shared by its sources."""

    def __init__(self, total: int) -> None:
        self._left = total
        self._lock = threading.Lock()

    def take(self, wanted: int) -> int:
        """Up to `wanted` refetches, taken from what is left."""
        with self._lock:
            granted = max(0, min(wanted, self._left))
            self._left -= granted
            return granted

    def give_back(self, unused: int) -> None:
        with self._lock:
            self._left += unused
