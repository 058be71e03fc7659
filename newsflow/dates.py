"""Publication dates: parse, normalize to UTC, and pick the most trustworthy one on a page."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from dateutil import parser as dateutil_parser
from dateutil import tz

_URL_DATE = re.compile(r"/(20\d{2}|19\d{2})[/-](0[1-9]|1[0-2])[/-](0[1-9]|[12]\d|3[01])(?:/|-|$)")

# A page date more than this far ahead of "now" is a parsing error or a placeholder.
FUTURE_TOLERANCE = timedelta(hours=26)


@dataclass(frozen=True, slots=True)
class DatedValue:
    """A date with the name of the place it came from (json-ld, meta, time, url, feed...)."""

    value: datetime
    source: str
    has_time: bool


_TZ_ABBREVIATIONS = {
    "UTC": 0,
    "GMT": 0,
    "Z": 0,
    "BST": 3600,
    "CET": 3600,
    "CEST": 7200,
    "EET": 7200,
    "EEST": 10800,
    "MSK": 10800,
    "IST": 19800,
    "JST": 32400,
    "KST": 32400,
    "AEST": 36000,
    "AEDT": 39600,
    "EST": -18000,
    "EDT": -14400,
    "CST": -21600,
    "CDT": -18000,
    "MST": -25200,
    "MDT": -21600,
    "PST": -28800,
    "PDT": -25200,
    "ET": -18000,
    "PT": -28800,
}


def _tzinfos(name: str | None, offset: int | None) -> tz.tzoffset | None:
    # dateutil warns (and will raise) on abbreviations it does not know: resolve the
    # common ones, and read an unknown one as UTC rather than failing the page.
    if offset is not None:
        return tz.tzoffset(name, offset)
    return tz.tzoffset(name, _TZ_ABBREVIATIONS.get((name or "").upper(), 0))


def to_utc(value: datetime) -> datetime:
    """Make `value` timezone-aware in UTC; naive values are taken to be UTC already."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def parse_datetime(text: str | None) -> tuple[datetime, bool] | None:
    """Parse a date string in any common format; return (UTC datetime, whether it had a time)."""
    if not text:
        return None
    text = text.strip()
    if not text or len(text) > 64:
        return None
    try:
        parsed = dateutil_parser.parse(text, default=datetime(1, 1, 1, 0, 0), tzinfos=_tzinfos)
    except (ValueError, OverflowError, TypeError):
        return None
    if parsed.year < 1990:
        return None
    has_time = bool(re.search(r"\d{1,2}:\d{2}", text))
    return to_utc(parsed), has_time


def date_from_url(url: str) -> datetime | None:
    """The date embedded in a URL path like /2024/05/17/, at midnight UTC."""
    match = _URL_DATE.search(url)
    if not match:
        return None
    try:
        day = date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None
    return datetime.combine(day, time(0, 0), tzinfo=UTC)


def is_plausible(value: datetime, *, now: datetime) -> bool:
    """False for dates in the future (beyond clock skew) or before the web."""
    return datetime(1990, 1, 1, tzinfo=UTC) <= value <= now + FUTURE_TOLERANCE
