"""Canonical article URLs: one spelling per article, tracking parameters removed."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit, urlunsplit

import courlan

_SCHEMES = ("http", "https")


def canonicalize_url(url: str, *, base: str | None = None) -> str | None:
    """Return the canonical form of `url` (resolved against `base`), or None if it is not a web URL."""
    try:
        candidate = urljoin(base, url.strip()) if base else url.strip()
        parts = urlsplit(candidate)
        if parts.scheme.lower() not in _SCHEMES or not parts.hostname:
            return None
        # courlan lowercases the host, sorts the query and drops tracking parameters
        # (utm_*, fbclid, gclid, ...) but keeps ones that identify the article.
        normalized = courlan.normalize_url(candidate, strict=False)
    except (ValueError, UnicodeError):
        return None
    parts = urlsplit(normalized)
    path = parts.path or "/"
    # courlan collapses "//" in a path, but empty segments are the site's (RFC 3986 6.2.2 keeps
    # them): "/blog//post" may be the only address that answers, so it is fetched as listed.
    original = urlsplit(candidate).path
    if "//" in original and re.sub("/{2,}", "/", original) == path:
        path = original
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, parts.query, ""))


def host_of(url: str) -> str:
    """The lowercase host name of `url`, or '' when it has none."""
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


# A bare file name is an address relative to the page ("dredger.jpg"); other text without a "/" is not.
_FILE_NAME = re.compile(r"^[\w.-]+\.(?:jpe?g|png|gif|webp|avif|svg)(?:\?.*)?$", re.IGNORECASE)


def resource_url(ref: str | None, *, base: str) -> str | None:
    """An image's or a file's address as the page gives it, resolved against `base`; None when it
    is not an address ("com.example.Image@1aa3b0b8", a template's object printed as text)."""
    ref = (ref or "").strip()
    if not ref or ("/" not in ref and not _FILE_NAME.search(ref)):
        return None
    try:
        absolute = urljoin(base, ref)
        parts = urlsplit(absolute)
    except ValueError:
        return None
    return absolute if parts.scheme.lower() in _SCHEMES and parts.hostname else None
