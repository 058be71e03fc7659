"""Publication dates: parse, normalize to UTC, and pick the most trustworthy one on a page."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple
from urllib.parse import unquote

from dateutil import parser as dateutil_parser
from dateutil import tz

# A day in a URL path: /2024/05/17/, /2024-05-17-slug, /2024-05-17+Title, /2024_05_17_slug.
_URL_DATE = re.compile(r"/(20\d{2}|19\d{2})[/_-](0[1-9]|1[0-2])[/_-](0[1-9]|[12]\d|3[01])(?:[/_+.-]|$)")
# The month by name: "/blog/2023/october/03/".
_URL_NAMED_DATE = re.compile(
    r"/((?:19|20)\d{2})/(january|february|march|april|may|june|july|august|september|october|november|"
    r"december)/(0?[1-9]|[12]\d|3[01])(?:[/_+.-]|$)",
    re.IGNORECASE,
)
_HAS_TIME = re.compile(r"\d{1,2}:\d{2}")

# A page date more than this far ahead of "now" is a parsing error or a placeholder.
FUTURE_TOLERANCE = timedelta(hours=26)
# A page date further than this from the date the feed or sitemap listed is not trusted.
LISTING_TOLERANCE = timedelta(days=3)
_EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class DatedValue:
    """A date with the name of the place it came from (json-ld, meta, time, url, listing...)."""

    value: datetime
    source: str
    has_time: bool
    has_timezone: bool = False
    day: date | None = None  # the calendar day as the page states it, in the page's own timezone

    @property
    def local_day(self) -> date:
        return self.day or self.value.date()

    @classmethod
    def of_day(cls, day: date, source: str) -> DatedValue:
        """A calendar day with no time (a byline's "March 5, 2025"): midnight UTC, the day as given."""
        return cls(datetime.combine(day, time(0, 0), tzinfo=UTC), source, has_time=False, day=day)


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
        return None
    return tz.tzoffset(name, _TZ_ABBREVIATIONS.get((name or "").upper(), 0))


def to_utc(value: datetime) -> datetime:
    """Make `value` timezone-aware in UTC; naive values are taken to be UTC already."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _parse_aware(text: str) -> datetime | None:
    try:
        # ISO 8601 first: exact, and fast for the common JSON-LD and meta formats.
        return datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text)
    except ValueError:
        pass
    try:
        return dateutil_parser.parse(text, default=datetime(1, 1, 1, 0, 0), tzinfos=_tzinfos)
    except (ValueError, OverflowError, TypeError):
        return None


def read_date(text: str | None, source: str) -> DatedValue | None:
    """Parse one date string from `source`, remembering whether it had a time and a timezone."""
    if not text or not text.strip() or len(text.strip()) > 64:
        return None
    text = text.strip()
    parsed = _parse_aware(text)
    if parsed is None or parsed.year < _EARLIEST.year:
        return None
    has_time = bool(_HAS_TIME.search(text))
    return DatedValue(
        to_utc(parsed), source, has_time, has_time and parsed.tzinfo is not None, day=parsed.date()
    )


# A date in digits with the day and the month in an order it does not say: "02-12-2025", "3/7/2024".
_NUMERIC_DAY = re.compile(r"\s*(\d{1,2})[-/.](\d{1,2})[-/.]((?:19|20)\d{2})\b")


def read_day_first(raw: str, candidate: DatedValue, others: set[date]) -> DatedValue:
    """`candidate`, read from `raw`, with its day first when `raw`'s digits allow either order
    and `others`, the page's other declared days, hold only that reading: dateutil reads
    "02-12-2025" as February 12, where the page's ISO date says December 2."""
    match = _NUMERIC_DAY.match(raw)
    if match is None:
        return candidate
    first, second, year = (int(group) for group in match.groups())
    if first > 12 or second > 12 or first == second or candidate.local_day != date(year, first, second):
        return candidate
    day_first = date(year, second, first)
    if day_first not in others or candidate.local_day in others:
        return candidate
    shift = day_first - candidate.local_day
    return replace(candidate, value=candidate.value + shift, day=day_first)


def parse_datetime(text: str | None) -> tuple[datetime, bool] | None:
    """Parse a date string in any common format; return (UTC datetime, whether it had a time)."""
    dated = read_date(text, "")
    return (dated.value, dated.has_time) if dated else None


def date_from_url(url: str) -> datetime | None:
    """The date embedded in a URL path like /2024/05/17/ or /2023/october/03/, at midnight UTC."""
    # Read as the site wrote it: canonical URLs escape a "+" after the day ("2025-12-15%2BRust").
    url = unquote(url)
    if match := _URL_DATE.search(url):
        year, month, day_of_month = (int(group) for group in match.groups())
    elif match := _URL_NAMED_DATE.search(url):
        year, month, day_of_month = int(match[1]), _MONTHS[match[2].lower()], int(match[3])
    else:
        return None
    try:
        day = date(year, month, day_of_month)
    except ValueError:
        return None
    return datetime.combine(day, time(0, 0), tzinfo=UTC)


def is_plausible(value: datetime, *, now: datetime) -> bool:
    """False for dates in the future (beyond clock skew) or before the web."""
    return _EARLIEST <= value <= now + FUTURE_TOLERANCE


# The earliest and the latest civil time zones: an instant falls on some calendar day between them.
_WESTMOST = timedelta(hours=-12)
_EASTMOST = timedelta(hours=14)


def could_fall_on(candidate: DatedValue, day: date) -> bool:
    """Whether `candidate` can be `day` in some time zone: an instant with a timezone only on the
    days its time takes from UTC-12 to UTC+14 (22:02 UTC is never the day before); any other date
    on its own day or either neighbour, the zone it was written in being unknown."""
    if candidate.has_timezone:
        return (candidate.value + _WESTMOST).date() <= day <= (candidate.value + _EASTMOST).date()
    return abs(candidate.local_day - day) <= timedelta(days=1)


def _precision(candidate: DatedValue) -> int:
    return int(candidate.has_time) + int(candidate.has_timezone)


def _best_on_page(candidates: Iterable[DatedValue]) -> DatedValue | None:
    """The first (most trusted) candidate, sharpened by a later one that agrees on the day."""
    ranked = list(candidates)
    if not ranked:
        return None
    best = ranked[0]
    for other in ranked[1:]:
        if _precision(other) > _precision(best) and abs(other.value - best.value) < timedelta(hours=26):
            if best.has_time and not best.has_timezone and other.has_timezone:
                continue  # a naive time disagreeing with an aware one: keep the better source
            best = other
    return best


# Where article.published_at_source says a date came from: a closed vocabulary (README, Schema).
PUBLISHED_SOURCES = ("json-ld", "meta", "microdata", "time", "url", "byline", "listing")


class Published(NamedTuple):
    """The chosen publication date, its source (one of PUBLISHED_SOURCES), and why a page date was
    passed over for the listing's, if it was (for the log, not the database)."""

    value: datetime | None
    source: str | None
    note: str | None = None


def choose_published(
    candidates: Iterable[DatedValue], *, listed: datetime | None, now: datetime
) -> Published:
    """Pick the publication date: the page's own, checked against the clock and the listing.

    A page date in the future, or more than LISTING_TOLERANCE from the date the feed or
    sitemap gave, is not stored silently: the listing date wins and the source says why.
    Without any date, the answer is None: never the fetch time.
    """
    rejected: list[str] = []
    plausible: list[DatedValue] = []
    for candidate in candidates:
        if candidate.value > now + FUTURE_TOLERANCE:
            rejected.append(f"{candidate.source} date in the future")
        elif candidate.value >= _EARLIEST:
            plausible.append(candidate)
    listed = listed if listed is not None and is_plausible(listed, now=now) else None
    best = _best_on_page(plausible)
    if best is not None and listed is not None:
        gap = abs(best.value - listed)
        if gap > LISTING_TOLERANCE:
            return Published(listed, "listing", f"{best.source} date {gap.days} days away rejected")
        if not best.has_time and best.value.date() == listed.date():
            return Published(listed, "listing")  # same day, and the listing knows the time
    if best is not None:
        return Published(best.value, best.source)
    if listed is not None:
        return Published(listed, "listing", "; ".join(dict.fromkeys(rejected)) or None)
    return Published(None, None)


_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
# The months in the languages of western Europe, which print the day first ("4 de agosto de 2021",
# "04-ago-2021", "4. März 2021", "22 de outubro de 2010"): read in that order only.
_DAY_FIRST_MONTHS = {
    **_MONTHS,
    **{
        name: number
        for number, names in enumerate(
            (
                ("ene", "enero", "janv", "janvier", "januar", "januari", "gen", "gennaio", "janeiro"),
                (
                    "febrero",
                    "févr",
                    "février",
                    "fevr",
                    "fevrier",
                    "februar",
                    "februari",
                    "febbraio",
                    "fev",
                    "fevereiro",
                ),
                ("marzo", "mars", "märz", "maerz", "maart", "mrt", "março", "marco"),
                ("abr", "abril", "avr", "avril", "aprile"),
                ("mayo", "mai", "mei", "mag", "maggio", "maio"),
                ("junio", "juin", "juni", "giu", "giugno", "junho"),
                ("julio", "juil", "juillet", "juli", "lug", "luglio", "julho"),
                ("ago", "agosto", "août", "aout", "augustus"),
                ("septiembre", "septembre", "set", "settembre", "setembro"),
                ("octubre", "octobre", "okt", "oktober", "ott", "ottobre", "out", "outubro"),
                ("noviembre", "novembre", "novembro"),
                (
                    "dic",
                    "diciembre",
                    "déc",
                    "décembre",
                    "decembre",
                    "dez",
                    "dezember",
                    "dicembre",
                    "dezembro",
                ),
            ),
            start=1,
        )
        for name in names
    },
}
_DAY_FIRST_MONTH = "(" + "|".join(sorted(_DAY_FIRST_MONTHS, key=len, reverse=True)) + r")\.?"
_MONTH = r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
# The forms bylines print: "March 5, 2024", "5 March 2024" (also "5-Mar-2024"), "2024-03-05" (also "2024.03.05",
# "2024/03/05" and a printed ISO instant "2024-03-05T08:10+02:00"), "05.03.2024", "3/5/2024".
# Every form starts with a digit or a month's first letter: the leading lookahead rejects the other
# positions with one character test before the five alternatives are tried (half the time a byline).
_VISIBLE_DATE = re.compile(
    r"(?=[\djfmasond])(?:"
    rf"\b{_MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+((?:19|20)\d{{2}})\b"
    rf"|\b(\d{{1,2}})(?:st|nd|rd|th|\.)?(?:\s+(?:of|de)\s+|\s+|-){_DAY_FIRST_MONTH}(?:,?\s+(?:de\s+)?|-)((?:19|20)\d{{2}})\b"
    r"|\b((?:19|20)\d{2})[-./](\d{2})[-./](\d{2})(?:\b|(?=T\d))"
    r"|\b(\d{1,2})\.(\d{1,2})\.((?:19|20)\d{2})\b"
    r"|\b(\d{1,2})/(\d{1,2})/((?:19|20)\d{2})\b)",
    re.IGNORECASE,
)
# A date printed after one of these words is when the page changed, not when it appeared.
_UPDATED_LABEL = re.compile(
    r"(?:updated|modified|edited|revised|reviewed)\W{0,3}(?:\w+\W{1,3}){0,2}$", re.IGNORECASE
)


def visible_dates(text: str, *, nearest: int | None = None) -> list[tuple[date, bool]]:
    """The calendar dates printed in `text`, each with whether it is labelled as an update: in
    order, or the nearest to position `nearest` (a headline) first."""
    found: list[tuple[int, date, bool]] = []
    for match in _VISIBLE_DATE.finditer(text):
        day = _match_day(match)
        if day is not None:
            updated = bool(_UPDATED_LABEL.search(text[max(0, match.start() - 30) : match.start()]))
            distance = 0 if nearest is None else _line_distance(text, match, nearest)
            found.append((distance, day, updated))
    if nearest is not None:
        found.sort(key=lambda item: item[0])
    return [(day, updated) for _distance, day, updated in found]


def _line_distance(text: str, match: re.Match[str], at: int) -> int:
    """How far the line holding `match` is from position `at` (the dates of one line tie)."""
    end = text.find("\n", match.end())
    return max(at - (end if end >= 0 else len(text)), text.rfind("\n", 0, match.start()) + 1 - at)


def _match_day(match: re.Match[str]) -> date | None:
    g = match.groups()
    try:
        if g[0]:
            return date(int(g[2]), _MONTHS[g[0].lower().rstrip(".")], int(g[1]))
        if g[3]:
            return date(int(g[5]), _DAY_FIRST_MONTHS[g[4].lower().rstrip(".")], int(g[3]))
        if g[6]:
            return date(int(g[6]), int(g[7]), int(g[8]))
        if g[9]:
            return date(int(g[11]), int(g[10]), int(g[9]))
        return _slashed_day(int(g[12]), int(g[13]), int(g[14]))
    except (ValueError, KeyError):
        return None


def _slashed_day(first: int, second: int, year: int) -> date:
    """2/24/2026 and, when either order would do, 3/1/2017 month first (the US order: on WCXB half 0
    it scored one day more than reading only the unambiguous ones); 24/2/2026 day first."""
    return date(year, second, first) if first > 12 else date(year, first, second)


# A date printed alone on a short line just under the headline is the page's dateline.
DATELINE_CHARS = 40
DATELINE_AFTER_HEADLINE = 200


def dateline_days(text: str, *, headline_at: int) -> list[date]:
    """The days printed alone on a short line (not labelled as an update) within
    DATELINE_AFTER_HEADLINE characters after `headline_at` in `text`, a line per text node."""
    found: list[date] = []
    for match in _VISIBLE_DATE.finditer(text):
        if match.start() - headline_at > DATELINE_AFTER_HEADLINE:
            break  # the matches come in order: none further on is near the headline
        if match.start() < headline_at:
            continue
        start = text.rfind("\n", 0, match.start()) + 1
        end = text.find("\n", match.end())
        line = text[start : end if end >= 0 else len(text)]
        day = _match_day(match)
        labelled = _UPDATED_LABEL.search(text[max(0, match.start() - 30) : match.start()])
        if day is not None and len(line) <= DATELINE_CHARS and not labelled:
            found.append(day)
    return found


# "Published on: 15 August 2025", "Posted: Jan 3, 2024": a date the page labels as the publication's.
_PUBLISHED_LABEL = re.compile(r"\b(?:published|posted)(?:\s+on)?\s*:?\s*$", re.IGNORECASE)
_PUBLISHED_WORD = re.compile(r"published|posted", re.IGNORECASE)


def labelled_published_day(text: str) -> date | None:
    """The first date in `text` printed right after a "Published" or "Posted" label, anywhere."""
    # Without the label's word there is no labelled date: most pages are spared the date scan,
    # 2.7 ms on a whole page's text (BENCHMARKS.md, issue #12).
    if not _PUBLISHED_WORD.search(text):
        return None
    return _labelled_day(text, _PUBLISHED_LABEL, 20)


def _labelled_day(text: str, label: re.Pattern[str], reach: int) -> date | None:
    """The first date in `text` that `label` matches in the `reach` characters before it."""
    for match in _VISIBLE_DATE.finditer(text):
        if label.search(text[max(0, match.start() - reach) : match.start()]):
            day = _match_day(match)
            if day is not None:
                return day
    return None


# "This article was originally published on 26 Sep 2019 ...", "First published on November 19,
# 2019": the first publication as the page itself tells it, against an update's date in its byline.
_FIRST_PUBLISHED_LABEL = re.compile(
    r"\b(?:originally|first)\s+(?:published|posted)(?:\s+on)?\s*:?\s*$", re.IGNORECASE
)
# Strings one of which a page with that label holds, to spare the others a scan of their text.
FIRST_PUBLISHED_WORDS = ("riginally published", "riginally posted", "irst published", "irst Published")


def first_published_day(text: str) -> date | None:
    """The first date in `text` printed right after an "Originally published" or "First
    published" label, anywhere."""
    return _labelled_day(text, _FIRST_PUBLISHED_LABEL, 30)


# An author block away from the headline ("Luke Kim" over "December 17, 2025"): the lines it spans.
BYLINE_BLOCK_CHARS = 80
BYLINE_BLOCK_LINES = 2


def day_beside_names(text: str, names: Sequence[str]) -> date | None:
    """The first date printed on a short line that holds one of `names` (a byline), or on one of
    the BYLINE_BLOCK_LINES short lines after it, in `text` (a line per text node)."""
    if not names:
        return None
    lines = text.split("\n")
    for index, line in enumerate(lines):
        if len(line) > BYLINE_BLOCK_CHARS or not any(name in line for name in names):
            continue
        for near in lines[index : index + 1 + BYLINE_BLOCK_LINES]:
            if len(near) > BYLINE_BLOCK_CHARS:
                break
            match = _VISIBLE_DATE.search(near)
            if match:
                day = _match_day(match)
                if day is not None:
                    return day
    return None


# A publication date that only a script's data holds (a framework's page state, a data layer):
# "datePublished":"2025-11-17T09:00", &quot;publishDate&quot;:&quot;2025-05-27", \"publishedAt\":...
_QUOTE = r'(?:"|\\"|&quot;)'
_SCRIPTED_PUBLISHED = re.compile(
    _QUOTE
    + r"(?:datePublished|publishDate|publishedDate|publishedAt|published_at|publish_date|datePosted)"
    + _QUOTE
    + r"\s*:\s*"
    + _QUOTE
    + r"((?:19|20)\d{2})-(\d{2})-(\d{2})"
)


def scripted_published_day(html: str) -> date | None:
    """The first day a publication-date key holds in the page's source, wherever it sits (read
    only on pages where nothing else dates the article: htmldate reads such keys the same way)."""
    for match in _SCRIPTED_PUBLISHED.finditer(html):
        try:
            return date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            continue
    return None
