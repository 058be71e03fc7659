"""Per-source statistics of the stored articles and the sources' health, and their table form
(shared by `newsflow stats` and the `ingest-stats` artifact)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

STATS_COLUMNS = (
    "source",
    "articles",
    "duplicates",
    "dated",
    "with_authors",
    "languages",
    "last_success",
    "consecutive_failures",
    "blocked",
)


@dataclass(frozen=True, slots=True)
class SourceStats:
    """One source: originals and duplicates stored, how many rows are dated and have authors,
    languages by count, and its health across runs."""

    source: str
    articles: int
    duplicates: int
    dated: int
    with_authors: int
    languages: tuple[tuple[str, int], ...]
    last_success_at: datetime | None
    consecutive_failures: int
    blocked: bool
    last_error: str | None = None

    @property
    def rows(self) -> int:
        """Article rows of the source, originals and duplicates."""
        return self.articles + self.duplicates


def share(part: int, whole: int) -> str:
    """A percentage with no decimals ("83%"), or "-" when there is nothing to divide."""
    return f"{100 * part / whole:.0f}%" if whole else "-"


def languages_text(languages: tuple[tuple[str, int], ...], *, top: int = 3) -> str:
    """The most frequent languages with their counts ("en 120, de 3, +2 more")."""
    shown = ", ".join(f"{language} {count}" for language, count in languages[:top])
    rest = len(languages) - top
    return f"{shown}, +{rest} more" if rest > 0 else shown


def stats_row(stats: SourceStats) -> dict[str, str | int]:
    """The table row of a source (STATS_COLUMNS; shares of all its article rows)."""
    return {
        "source": stats.source,
        "articles": stats.articles,
        "duplicates": stats.duplicates,
        "dated": share(stats.dated, stats.rows),
        "with_authors": share(stats.with_authors, stats.rows),
        "languages": languages_text(stats.languages),
        "last_success": f"{stats.last_success_at:%Y-%m-%d %H:%M} UTC" if stats.last_success_at else "never",
        "consecutive_failures": stats.consecutive_failures,
        "blocked": "yes" if stats.blocked else "no",
    }


def stats_json(stats: SourceStats) -> dict[str, object]:
    """A source's statistics for scripts: raw counts, languages as an object, ISO times."""
    return {
        "source": stats.source,
        "articles": stats.articles,
        "duplicates": stats.duplicates,
        "dated": stats.dated,
        "with_authors": stats.with_authors,
        "languages": dict(stats.languages),
        "last_success_at": stats.last_success_at.isoformat() if stats.last_success_at else None,
        "consecutive_failures": stats.consecutive_failures,
        "blocked": stats.blocked,
        "last_error": stats.last_error,
    }
