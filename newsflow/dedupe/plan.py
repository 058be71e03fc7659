"""Plan a batch's dedup: which articles are new originals, which duplicate what, which stored
originals a batch article replaces. Pure: storage looks up the candidates and applies the plan."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field

from newsflow.dedupe.verdict import (
    DuplicateKind,
    DuplicateVerdict,
    StoredFingerprint,
    at_home,
    decide_duplicate,
    replaces_original,
)
from newsflow.records import ProcessedArticle


@dataclass(frozen=True, slots=True)
class StoredCandidate:
    """A stored original that shares a content hash or an LSH band with some article of the batch."""

    fingerprint: StoredFingerprint
    bands: tuple[int, ...] = ()


class DedupIndex:
    """Originals a batch may duplicate (stored ones and the batch's own), by content hash and by
    LSH band hash (band hashes are salted with their band, so one dict holds every band)."""

    def __init__(self) -> None:
        self.prints: dict[int, StoredFingerprint] = {}
        # Most keys belong to one article: an int, and a list only once a second one shares it.
        self._ids_by_key: dict[int | str, int | list[int]] = {}

    def add(self, print_: StoredFingerprint, bands: Iterable[int]) -> None:
        article_id = print_.article_id
        self.prints[article_id] = print_
        by_key = self._ids_by_key
        keys: tuple[int | str, ...] = (print_.content_hash, *bands)
        for key in keys:
            held = by_key.setdefault(key, article_id)
            if held != article_id:
                if isinstance(held, list):
                    held.append(article_id)
                else:
                    by_key[key] = [held, article_id]

    def remove(self, article_id: int) -> None:
        self.prints.pop(article_id, None)

    def candidates(self, item: ProcessedArticle) -> list[StoredFingerprint]:
        ids: set[int] = set()
        by_key = self._ids_by_key
        keys: tuple[int | str, ...] = (item.fingerprint.content_hash, *item.fingerprint.bands)
        for key in keys:
            held = by_key.get(key)
            if held is None:
                continue
            if isinstance(held, list):
                ids.update(held)
            else:
                ids.add(held)
        return [self.prints[i] for i in ids if i in self.prints]


@dataclass(frozen=True, slots=True)
class PlannedArticle:
    """One batch article's fate. Ids below zero are provisional: the batch's own new articles,
    numbered -(position + 1) until storage inserts them."""

    item: ProcessedArticle
    verdict: DuplicateVerdict
    provisional_id: int | None  # None: its URL is stored already (or earlier in the batch): no insert
    # Its URL is stored from a copy fetched on another host (a mirror declaring the origin's
    # canonical URL); this one comes from the URL's own host, and takes the stored row over.
    rehome: bool = False


@dataclass(frozen=True, slots=True)
class Demotion:
    """A stored original (and its duplicates) that now point at an earlier-published batch copy."""

    stored_id: int
    original: int  # provisional id of the batch article that replaces it
    kind: DuplicateKind


@dataclass
class DedupPlan:
    articles: list[PlannedArticle] = field(default_factory=list)
    demotions: list[Demotion] = field(default_factory=list)

    @property
    def to_insert(self) -> list[PlannedArticle]:
        """New rows, originals first: a duplicate may point at an original of this batch."""
        new = [a for a in self.articles if a.provisional_id is not None]
        return [a for a in new if a.verdict.kind is DuplicateKind.NONE] + [
            a for a in new if a.verdict.kind is not DuplicateKind.NONE
        ]


def plan_batch(
    items: Sequence[ProcessedArticle],
    *,
    stored: Iterable[StoredCandidate],
    stored_urls: Collection[str],
    threshold: float,
    stored_away: Collection[str] = (),
) -> DedupPlan:
    """Dedupe `items` against the stored candidates and against each other. The original of each
    group of copies is the one `replaces_original` ranks first, stored or new, so that the choice
    does not depend on which copy was fetched first. `stored_away`: stored URLs whose row was
    fetched from another host than the URL's; a copy of one fetched at home takes its row over."""
    index = DedupIndex()
    for candidate in stored:
        index.add(candidate.fingerprint, candidate.bands)
    stored_ids = set(index.prints)
    verdicts: dict[int, DuplicateVerdict] = {}  # by provisional id
    demotions: list[Demotion] = []
    new: list[tuple[ProcessedArticle, int | None]] = []
    seen_urls: set[str] = set()
    rehomed: set[int] = set()  # positions
    for position, item in enumerate(items):
        url = item.article.url
        if url in stored_urls or url in seen_urls:
            if url in stored_away and url not in seen_urls and at_home(url, item.fetched_url):
                rehomed.add(position)
                seen_urls.add(url)
            new.append((item, None))
            continue
        seen_urls.add(url)
        provisional_id = -(position + 1)
        new.append((item, provisional_id))
        verdict = decide_duplicate(item.fingerprint, index.candidates(item), threshold=threshold)
        claim = StoredFingerprint(
            provisional_id,
            item.fingerprint.content_hash,
            item.fingerprint.signature,
            item.article.published_at,
            url,
            at_home(url, item.fetched_url),
        )
        original = index.prints.get(verdict.of) if verdict.of is not None else None
        if original is not None and replaces_original(claim, original):
            index.remove(original.article_id)
            if original.article_id in stored_ids:
                demotions.append(Demotion(original.article_id, provisional_id, verdict.kind))
            else:
                verdicts[original.article_id] = DuplicateVerdict(
                    verdict.kind, provisional_id, verdict.similarity
                )
            # The demoted original's copies (in this batch, or stored ones it had itself demoted)
            # follow it to the new original.
            for other, earlier in verdicts.items():
                if earlier.of == original.article_id:
                    verdicts[other] = DuplicateVerdict(earlier.kind, provisional_id, earlier.similarity)
            demotions = [
                Demotion(d.stored_id, provisional_id, d.kind) if d.original == original.article_id else d
                for d in demotions
            ]
            verdict = DuplicateVerdict(DuplicateKind.NONE)
        if verdict.kind is DuplicateKind.NONE:
            index.add(claim, item.fingerprint.bands)
        verdicts[provisional_id] = verdict
    plan = DedupPlan(demotions=demotions)
    for position, (item, planned_id) in enumerate(new):
        if planned_id is None:
            plan.articles.append(
                PlannedArticle(item, DuplicateVerdict(DuplicateKind.NONE), None, rehome=position in rehomed)
            )
        else:
            plan.articles.append(PlannedArticle(item, verdicts[planned_id], planned_id))
    return plan
