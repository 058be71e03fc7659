"""Recorded news pages the local site serves: the AEB fixtures and the News.Az seed article."""

from __future__ import annotations

import gzip
import html
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

FIXTURES_DIR = Path(__file__).resolve().parent.parent / "fixtures"
AEB_DIR = FIXTURES_DIR / "aeb"
SEED_PATH = FIXTURES_DIR / "news-az-2025-06-03.txt"

_FALLBACK_START = datetime(2019, 11, 1, 9, 0, tzinfo=UTC)
_JSONLD_DATE = re.compile(r'"datePublished"\s*:\s*"([^"]+)"')
_META_DATE = re.compile(r'<meta[^>]+property="article:published_time"[^>]+content="([^"]+)"', re.IGNORECASE)
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_OG_TITLE = re.compile(r'<meta[^>]+property="og:title"[^>]+content="([^"]*)"', re.IGNORECASE)


@dataclass(frozen=True)
class FixtureArticle:
    """One recorded news page with its expected body and where it was published."""

    id: str
    html: bytes
    body: str
    url: str
    title: str
    published: datetime

    @property
    def paragraphs(self) -> list[str]:
        return [line.strip() for line in self.body.splitlines() if line.strip()]

    @property
    def word_count(self) -> int:
        return len(self.body.split())


@dataclass(frozen=True)
class SeedArticle:
    """The News.Az article whose extracted text leaked font-size widget residue."""

    residue: str
    paragraphs: tuple[str, ...]
    title: str
    published: datetime
    slug: str = "azerbaijani-fm-meets-kenyan-prime-cabinet-secretary"

    @property
    def body(self) -> str:
        return "\n\n".join(self.paragraphs)


def load_fixture_articles() -> list[FixtureArticle]:
    """Return the 24 recorded AEB pages, sorted by id, each with a deterministic publication date."""
    return list(_load_fixture_articles())


@cache
def _load_fixture_articles() -> tuple[FixtureArticle, ...]:
    truth = json.loads((AEB_DIR / "ground-truth.json").read_text(encoding="utf-8"))
    articles = []
    for index, article_id in enumerate(sorted(truth)):
        page = gzip.decompress((AEB_DIR / f"{article_id}.html.gz").read_bytes())
        text = page.decode("utf-8", errors="replace")
        articles.append(
            FixtureArticle(
                id=article_id,
                html=page,
                body=truth[article_id]["articleBody"],
                url=truth[article_id]["url"].strip(),
                title=page_title(text) or truth[article_id]["articleBody"][:80],
                published=publication_date(text, index=index),
            )
        )
    return tuple(articles)


def load_seed_article() -> SeedArticle:
    """Return the News.Az seed: its first line is widget residue, the rest are body paragraphs."""
    residue, _, rest = SEED_PATH.read_text(encoding="utf-8").partition("\n")
    paragraphs = tuple(line.strip() for line in rest.splitlines() if line.strip())
    return SeedArticle(
        residue=residue.strip(),
        paragraphs=paragraphs,
        title="Azerbaijani FM Jeyhun Bayramov meets Kenya's Prime Cabinet Secretary in Nairobi",
        published=datetime.fromisoformat("2025-06-03T10:15:00+04:00"),
    )


def publication_date(page: str, *, index: int) -> datetime:
    """Date a page from JSON-LD or article:published_time; undated pages spread over November 2019."""
    for match in [*_JSONLD_DATE.findall(page), *_META_DATE.findall(page)]:
        parsed = _parse_iso(match)
        if parsed is not None:
            return parsed
    return _FALLBACK_START + timedelta(days=index % 30, minutes=7 * index)


def page_title(page: str) -> str | None:
    """Return the og:title or <title> of a page, unescaped and stripped."""
    match = _OG_TITLE.search(page) or _TITLE.search(page)
    if match is None:
        return None
    title = " ".join(html.unescape(match.group(1)).split())
    return title or None


def _parse_iso(value: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if parsed.year < 1995:  # placeholder dates such as 0001-01-01 are not real publication dates
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
