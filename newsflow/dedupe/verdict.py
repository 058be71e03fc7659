"""Decide whether an article duplicates one already stored: same URL, same text, or nearly the same."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from newsflow.dedupe.fingerprint import similarity
from newsflow.records import Fingerprint


class DuplicateKind(StrEnum):
    NONE = "none"
    EXACT = "exact"
    NEAR = "near"


@dataclass(frozen=True, slots=True)
class StoredFingerprint:
    """An original article already stored, as dedup sees it."""

    article_id: int
    content_hash: str
    signature: bytes
    published_at: datetime | None = None


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


def replaces_original(new_published: datetime | None, original_published: datetime | None) -> bool:
    """A duplicate published strictly earlier than the stored original is the real original."""
    return new_published is not None and original_published is not None and new_published < original_published
