"""Article metadata from a page's JSON-LD and meta tags: dates, title, authors, language."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from lxml import html as lxml_html

_ARTICLE_TYPES = {
    "article",
    "newsarticle",
    "reportagenews",
    "analysisnewsarticle",
    "opinionnewsarticle",
    "backgroundnewsarticle",
    "blogposting",
    "liveblogposting",
    "report",
    "scholarlyarticle",
    "techarticle",
    "webpage",
}


@dataclass(frozen=True, slots=True)
class PageMetadata:
    """What a page says about itself outside its body text."""

    headline: str | None = None
    og_title: str | None = None
    html_title: str | None = None
    site_name: str | None = None
    authors: tuple[str, ...] = ()
    published: tuple[tuple[str, str], ...] = ()  # (source, raw value), best first
    modified: tuple[tuple[str, str], ...] = ()
    language: str | None = None
    canonical_url: str | None = None
    description: str | None = None
    image: str | None = None
    article_body: str | None = None
    keywords: tuple[str, ...] = ()


def _iter_jsonld_objects(data: Any) -> Iterator[dict[str, Any]]:
    if isinstance(data, list):
        for item in data:
            yield from _iter_jsonld_objects(item)
    elif isinstance(data, dict):
        yield data
        for key in ("@graph", "mainEntity", "mainEntityOfPage"):
            if key in data:
                yield from _iter_jsonld_objects(data[key])


def _types(obj: dict[str, Any]) -> set[str]:
    raw = obj.get("@type", [])
    values = raw if isinstance(raw, list) else [raw]
    return {str(v).lower() for v in values}


def _names(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [name for item in value for name in _names(item)]
    if isinstance(value, dict):
        name = value.get("name")
        if isinstance(name, str):
            return [name]
    return []


def _first_str(value: Any) -> str | None:
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, list) and value:
        return _first_str(value[0])
    if isinstance(value, dict):
        return _first_str(value.get("url") or value.get("@id") or value.get("name"))
    return None


def _jsonld_articles(tree: lxml_html.HtmlElement) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        raw = (script.text or "").strip()
        if not raw:
            continue
        try:
            data = json.loads(raw)
        except ValueError:
            # Some sites emit trailing commas or several objects; a cleanup pass rescues most.
            try:
                data = json.loads(re.sub(r",\s*([}\]])", r"\1", raw))
            except ValueError:
                continue
        for obj in _iter_jsonld_objects(data):
            types = _types(obj)
            if types & _ARTICLE_TYPES and ("headline" in obj or "datePublished" in obj):
                found.append(obj)
    # Prefer real article types over a generic WebPage.
    found.sort(key=lambda o: "webpage" in _types(o) and not (_types(o) - {"webpage"}))
    return found


def _meta(tree: lxml_html.HtmlElement, *names: str) -> str | None:
    for name in names:
        for attr in ("property", "name", "itemprop"):
            values = tree.xpath(f'//meta[@{attr}="{name}"]/@content')
            for value in values:
                if value and value.strip():
                    return str(value).strip()
    return None


def read_metadata(tree: lxml_html.HtmlElement) -> PageMetadata:
    """Collect JSON-LD and meta-tag metadata from a parsed page."""
    articles = _jsonld_articles(tree)
    ld = articles[0] if articles else {}
    published: list[tuple[str, str]] = []
    modified: list[tuple[str, str]] = []
    for obj in articles:
        if isinstance(obj.get("datePublished"), str):
            published.append(("json-ld", obj["datePublished"]))
        if isinstance(obj.get("dateModified"), str):
            modified.append(("json-ld", obj["dateModified"]))
    for source, names in (
        ("meta", ("article:published_time", "og:article:published_time", "datePublished")),
        ("meta", ("pubdate", "publishdate", "publish-date", "date", "dc.date", "DC.date.issued")),
        ("meta", ("parsely-pub-date", "sailthru.date", "cXenseParse:recs:publishtime")),
    ):
        value = _meta(tree, *names)
        if value:
            published.append((source, value))
    mod = _meta(tree, "article:modified_time", "og:updated_time", "dateModified")
    if mod:
        modified.append(("meta", mod))
    for value in tree.xpath("//time[@datetime]/@datetime")[:3]:
        published.append(("time", str(value)))

    authors = _names(ld.get("author")) if ld else []
    if not authors:
        meta_author = _meta(tree, "author", "article:author", "parsely-author", "sailthru.author")
        if meta_author and not meta_author.startswith("http"):
            authors = [meta_author]
    lang = tree.get("lang") or _meta(tree, "og:locale", "language", "content-language")
    if not lang and ld:
        lang = _first_str(ld.get("inLanguage"))
    canonical = tree.xpath('//link[@rel="canonical"]/@href')
    titles = tree.xpath("//title/text()")
    body = ld.get("articleBody") if ld else None
    keywords_raw = ld.get("keywords") if ld else None
    if isinstance(keywords_raw, str):
        keywords = tuple(k.strip() for k in keywords_raw.split(",") if k.strip())
    elif isinstance(keywords_raw, list):
        keywords = tuple(str(k).strip() for k in keywords_raw if str(k).strip())
    else:
        keywords = ()
    publisher = ld.get("publisher") if ld else None
    site_name = _meta(tree, "og:site_name") or (_names(publisher)[0] if _names(publisher) else None)
    return PageMetadata(
        headline=_first_str(ld.get("headline")) if ld else None,
        og_title=_meta(tree, "og:title", "twitter:title"),
        html_title=str(titles[0]).strip() if titles else None,
        site_name=site_name,
        authors=tuple(authors),
        published=tuple(published),
        modified=tuple(modified),
        language=lang,
        canonical_url=str(canonical[0]).strip() if canonical else _meta(tree, "og:url"),
        description=_meta(tree, "og:description", "description"),
        image=_meta(tree, "og:image", "twitter:image"),
        article_body=body if isinstance(body, str) else None,
        keywords=keywords,
    )
