"""Normalize titles, author lists and language codes to one clean form."""

from __future__ import annotations

import re
import unicodedata

_TITLE_SEPARATORS = re.compile(r"\s+[|\-–—:·•»«]\s+")
_BYLINE_PREFIX = re.compile(r"^\s*(?:by|von|par|por|di|door|av|от|автор)\s*[:\-]?\s+", re.IGNORECASE)
_AUTHOR_SPLIT = re.compile(r"\s*(?:,|;|\band\b|&|\bund\b|\bet\b|\by\b|\|)\s*", re.IGNORECASE)
_EMAIL = re.compile(r"\S+@\S+")
_NOT_A_PERSON = re.compile(
    r"^(?:staff|staff writer|staff reporter|editor|editors|editorial|admin|administrator|"
    r"news desk|newsdesk|desk|reporter|correspondent|agencies|agency|wire|wires|"
    r"associated press|ap|reuters|afp|press release|guest|contributor|team|web desk|"
    r"the editorial board|editorial board|\w+ staff|\w+ news)$",
    re.IGNORECASE,
)
_ROLE_SUFFIX = re.compile(
    r"\s*[,(\-–|]\s*(?:senior|chief|staff|political|economics|business|foreign|"
    r"technology|science|health|sports?|special|deputy|associate|contributing|"
    r"managing|executive)?\s*(?:editor|writer|reporter|correspondent|columnist|"
    r"contributor|analyst|producer)\b.*$",
    re.IGNORECASE,
)
_DATE_IN_BYLINE = re.compile(r"\b(?:\d{1,2}[:/.]\d{2}|\d{4}|updated|published|posted)\b.*$", re.IGNORECASE)


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


def normalize_title(title: str | None, *, site_name: str | None = None) -> str | None:
    """Strip a site-name prefix or suffix ("Headline | Site") and collapse whitespace."""
    if not title:
        return None
    title = _squash(title)
    parts = _TITLE_SEPARATORS.split(title)
    if len(parts) > 1:
        site_key = _key(site_name) if site_name else None
        if site_key and _key(parts[-1]) in (site_key, site_key.replace("the", "")):
            parts = parts[:-1]
        elif site_key and _key(parts[0]) == site_key:
            parts = parts[1:]
        elif len(parts[-1]) <= 30 and len(" - ".join(parts[:-1])) >= 20 and _looks_like_brand(parts[-1]):
            parts = parts[:-1]
    cleaned = " - ".join(parts) if len(parts) > 1 else parts[0]
    # Keep the original separators when we removed nothing.
    return title if len(parts) == len(_TITLE_SEPARATORS.split(title)) else cleaned.strip() or None


def _key(text: str) -> str:
    return re.sub(r"[^\w]", "", text.lower())


def _looks_like_brand(part: str) -> bool:
    words = part.split()
    return 1 <= len(words) <= 4 and (
        any(ch in part for ch in ".") or all(w[:1].isupper() or w[:1].isdigit() for w in words)
    )


def normalize_authors(raw: list[str] | tuple[str, ...] | str | None, *, site_name: str | None = None) -> tuple[str, ...]:
    """Turn bylines into a de-duplicated tuple of person names."""
    if not raw:
        return ()
    items = [raw] if isinstance(raw, str) else list(raw)
    names: list[str] = []
    site_key = _key(site_name) if site_name else None
    for item in items:
        item = _EMAIL.sub("", _squash(str(item)))
        for piece in _AUTHOR_SPLIT.split(item):
            name = _BYLINE_PREFIX.sub("", piece).strip(" .,:;-–|")
            name = _ROLE_SUFFIX.sub("", name)
            name = _DATE_IN_BYLINE.sub("", name).strip(" .,:;-–|")
            if not name or len(name) > 60 or name.startswith("http"):
                continue
            if _NOT_A_PERSON.match(name) or (site_key and _key(name) == site_key):
                continue
            if not any(ch.isalpha() for ch in name):
                continue
            if name.lower() not in (n.lower() for n in names):
                names.append(name)
    return tuple(names)


def normalize_language(raw: str | None) -> str | None:
    """ISO 639-1 code from values like 'en-US', 'en_GB', 'EN' or 'eng'."""
    if not raw:
        return None
    code = re.split(r"[-_\s,;]", raw.strip().lower(), maxsplit=1)[0]
    three_to_two = {"eng": "en", "deu": "de", "ger": "de", "fra": "fr", "fre": "fr", "spa": "es", "rus": "ru", "aze": "az"}
    code = three_to_two.get(code, code)
    return code if re.fullmatch(r"[a-z]{2}", code) else None
