"""A source's own filters: `include`/`exclude` URL patterns and the `language` it keeps."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from functools import lru_cache

from newsflow.records import DiscoveredUrl, FetchOutcome, Outcome, ProcessedArticle, Source


@lru_cache(maxsize=256)
def compiled(pattern: str) -> re.Pattern[str]:
    """The regular expression of an include/exclude pattern (checked by load_sources)."""
    return re.compile(pattern)


def url_allowed(url: str, *, include: Sequence[str], exclude: Sequence[str]) -> bool:
    """False when `url` matches an exclude pattern, or include patterns are given and it matches none."""
    if any(compiled(p).search(url) for p in exclude):
        return False
    return not include or any(compiled(p).search(url) for p in include)


def allowed_urls(urls: Iterable[DiscoveredUrl], source: Source) -> list[DiscoveredUrl]:
    """The listed URLs the source's include/exclude patterns let through."""
    if not source.include and not source.exclude:
        return list(urls)
    return [u for u in urls if url_allowed(u.url, include=source.include, exclude=source.exclude)]


def max_pages(source: Source, run_limit: int) -> int:
    """How many article pages one run fetches for `source`: its `max_pages`, within the run's limit."""
    return min(run_limit, source.max_pages) if source.max_pages else run_limit


def by_language(
    articles: Iterable[ProcessedArticle], source: Source, *, now: datetime
) -> tuple[list[ProcessedArticle], list[FetchOutcome]]:
    """Articles in the source's languages (or of unknown language), and a skipped outcome for each
    of the others, with the reason."""
    articles = list(articles)
    if not source.language:
        return articles, []
    kept: list[ProcessedArticle] = []
    skipped: list[FetchOutcome] = []
    for item in articles:
        language = item.article.language
        if language is None or language.lower() in source.language:
            kept.append(item)
            continue
        reason = f"language {language} is not one of the source's ({', '.join(source.language)})"
        skipped.append(
            FetchOutcome(item.fetched_url, item.source, Outcome.SKIPPED, now, item.http_status, reason)
        )
    return kept, skipped
