"""Decide whether an article duplicates one already stored: same URL, same text, or nearly the same."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from urllib.parse import urlsplit

from newsflow.dedupe.fingerprint import similarity
from newsflow.records import Fingerprint


class DuplicateKind(StrEnum):
    NONE = "none"
    EXACT = "exact"
    NEAR = "near"


@dataclass(frozen=True, slots=True)
class StoredFingerprint:
    """An original article (stored, or earlier in the batch), as dedup sees it."""

    article_id: int
    content_hash: str
    signature: bytes
    published_at: datetime | None = None
    url: str = ""  # canonical URL
    at_home: bool = False  # fetched from its canonical URL's host: not a copy living elsewhere


@dataclass(frozen=True, slots=True)
class DuplicateVerdict:
    """The outcome of dedup for one article."""

    kind: DuplicateKind
    of: int | None = None
    similarity: float = 0.0


def decide_duplicate(
    candidate: Fingerprint, stored: Iterable[StoredFingerprint], *, threshold: float
) -> DuplicateVerdict:
    """Compare a new article's fingerprint with stored originals; exact beats near, oldest wins ties."""
    best: DuplicateVerdict = DuplicateVerdict(DuplicateKind.NONE)
    for other in sorted(stored, key=lambda s: s.article_id):
        if other.content_hash == candidate.content_hash:
            return DuplicateVerdict(DuplicateKind.EXACT, other.article_id, 1.0)
        score = similarity(candidate.signature, other.signature)
        if score >= threshold and score > best.similarity:
            best = DuplicateVerdict(DuplicateKind.NEAR, other.article_id, score)
    return best


def at_home(url: str, fetched_url: str) -> bool:
    """Whether a page was fetched from the host its canonical URL names (a syndicated copy
    usually lives on another host than the one its canonical URL, or the original, names)."""
    return _site(url) == _site(fetched_url) != ""


def _site(url: str) -> str:
    """Host and port: two sites may share a host (127.0.0.1, a shared host name) on other ports."""
    try:
        parts = urlsplit(url)
        return f"{(parts.hostname or '').lower()}:{parts.port or ''}" if parts.hostname else ""
    except ValueError:
        return ""


def replaces_original(new: StoredFingerprint, original: StoredFingerprint) -> bool:
    """Whether `new` is the real original of a group `original` leads, whatever the fetch order:
    the earlier publication date (a known date before an unknown one), then the copy fetched from
    its canonical URL's host, then the shorter canonical URL (then alphabetical): arbitrary, but
    never the order in which the copies happened to be stored."""
    new_date, original_date = new.published_at, original.published_at
    if (new_date is None) != (original_date is None):
        return new_date is not None
    if new_date is not None and original_date is not None and new_date != original_date:
        return new_date < original_date
    if new.at_home != original.at_home:
        return new.at_home
    return (len(new.url), new.url) < (len(original.url), original.url)
