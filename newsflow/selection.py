"""Which stored articles a command reads: the filter record and the parsing of its option values."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from newsflow.errors import ConfigError

_SOURCE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})?$")
# Words as both search indexes split them (FTS5's unicode61, PostgreSQL's 'simple' parser):
# runs of letters and digits; punctuation and underscores separate words.
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True, slots=True)
class ArticleFilter:
    """The articles to read: every field narrows; the defaults select every original article."""

    sources: tuple[str, ...] = ()
    since: datetime | None = None  # published at or after (UTC)
    until: datetime | None = None  # published before (UTC, exclusive)
    languages: tuple[str, ...] = ()
    search: tuple[str, ...] = ()  # words that must all appear in the title or text
    duplicates: bool = False  # include duplicates (default: originals only)
    limit: int | None = None
    first_id: int | None = None  # ids from (inclusive), as a `newsflow.articles.stored` event gives
    last_id: int | None = None  # ids up to (inclusive)


def parse_filter(
    *,
    sources: list[str] | None = None,
    since: str | None = None,
    until: str | None = None,
    languages: list[str] | None = None,
    search: str | None = None,
    duplicates: bool = False,
    limit: str | None = None,
) -> ArticleFilter:
    """An ArticleFilter from command-line values; ConfigError names the option and what it takes."""
    start = parse_instant(since, "--since", end_of_day=False) if since is not None else None
    end = parse_instant(until, "--until", end_of_day=True) if until is not None else None
    if start is not None and end is not None and end <= start:
        raise ConfigError(f"--until {until} is not after --since {since}")
    return ArticleFilter(
        sources=tuple(_checked(sources or [], _SOURCE, "--source", "a source name (lowercase slug)")),
        since=start,
        until=end,
        languages=tuple(
            _checked([v.lower() for v in languages or []], _LANGUAGE, "--language", "a code like en or pt-br")
        ),
        search=search_words(search) if search is not None else (),
        duplicates=duplicates,
        limit=parse_limit(limit) if limit is not None else None,
    )


def parse_instant(value: str, option: str, *, end_of_day: bool) -> datetime:
    """YYYY-MM-DD (a whole UTC day: its start, or the next day's start for an end) or an ISO
    8601 date and time (UTC when it names no offset)."""
    text = value.strip()
    try:
        if len(text) == 10:
            day = datetime.strptime(text, "%Y-%m-%d").date()
            start = datetime.combine(day, time(), tzinfo=UTC)
            return start + timedelta(days=1) if end_of_day else start
        when = datetime.fromisoformat(text)
    except ValueError:
        raise ConfigError(
            f"{option} {value!r} is not a date; use YYYY-MM-DD or YYYY-MM-DDTHH:MM[+HH:MM]"
        ) from None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def parse_limit(value: str) -> int:
    """A positive row count."""
    try:
        limit = int(value)
    except ValueError:
        limit = 0
    if limit < 1:
        raise ConfigError(f"--limit {value!r} is not a positive whole number")
    return limit


def search_words(text: str) -> tuple[str, ...]:
    """The words of a search, lowercased; ConfigError when it has none."""
    words = tuple(dict.fromkeys(word.lower() for word in _WORD.findall(text)))
    if not words:
        raise ConfigError(f"--search {text!r} has no words to search for")
    return words


def fts5_query(words: tuple[str, ...]) -> str:
    """An FTS5 MATCH expression requiring every word (each quoted: no operators from user input)."""
    return " ".join(f'"{word}"' for word in words)


def _checked(values: list[str], pattern: re.Pattern[str], option: str, expected: str) -> list[str]:
    for value in values:
        if not pattern.match(value):
            raise ConfigError(f"{option} {value!r} is not {expected}")
    return list(dict.fromkeys(values))
