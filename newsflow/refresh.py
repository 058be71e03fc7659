"""When a stored article is fetched again: at set ages after it was first seen (news pages are
corrected, retitled and extended in their first days), or at once when a listing says it changed."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, timedelta

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
