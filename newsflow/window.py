"""The days of a backfill: an inclusive, bounded range of UTC dates."""

from __future__ import annotations

from datetime import date, timedelta

from newsflow.errors import ConfigError

MAX_DAYS = 366


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
