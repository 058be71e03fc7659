"""Dedup planning without a database: a batch against stored candidates and against itself."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from newsflow.dedupe.fingerprint import fingerprint
from newsflow.dedupe.plan import StoredCandidate, plan_batch
from newsflow.dedupe.verdict import DuplicateKind, StoredFingerprint
from newsflow.records import ExtractedArticle, ProcessedArticle

BODIES = [
    v["articleBody"]
    for v in json.loads(
        (Path(__file__).parents[1] / "fixtures" / "aeb" / "ground-truth.json").read_text(encoding="utf-8")
    ).values()
]
DAY = datetime(2025, 6, 3, 12, 0, tzinfo=UTC)


def _item(url: str, text: str, published: datetime | None = None) -> ProcessedArticle:
    article = ExtractedArticle(url=url, title="T", text=text, published_at=published)
    return ProcessedArticle(article, fingerprint(text), fetched_url=url, source="daily")


def _stored(article_id: int, text: str, published: datetime | None = None) -> StoredCandidate:
    print_ = fingerprint(text)
    return StoredCandidate(
        StoredFingerprint(article_id, print_.content_hash, print_.signature, published), print_.bands
    )


def _near_copy(text: str) -> str:
    words = text.split()
    return " ".join([*words[:-3], "Updated", "at", "noon."])


def test_a_new_text_is_an_original_with_a_provisional_id() -> None:
    plan = plan_batch([_item("https://a/1", BODIES[0])], stored=[], stored_urls=set(), threshold=0.8)
    [planned] = plan.articles
    assert planned.verdict.kind is DuplicateKind.NONE
    assert planned.provisional_id == -1
    assert plan.to_insert == [planned]
    assert plan.demotions == []


def test_a_stored_url_is_not_inserted_again_nor_a_url_repeated_in_the_batch() -> None:
    items = [
        _item("https://a/1", BODIES[0]),
        _item("https://a/2", BODIES[1]),
        _item("https://a/2", BODIES[1]),
    ]
    plan = plan_batch(items, stored=[], stored_urls={"https://a/1"}, threshold=0.8)
    assert [a.provisional_id for a in plan.articles] == [None, -2, None]
    assert [a.item.article.url for a in plan.to_insert] == ["https://a/2"]


def test_batch_copies_point_at_the_first_of_the_batch_and_stored_copies_at_the_stored_id() -> None:
    items = [
        _item("https://a/1", BODIES[0]),
        _item("https://mirror/1", BODIES[0]),
        _item("https://mirror/2", _near_copy(BODIES[0])),
        _item("https://mirror/3", BODIES[1]),
    ]
    plan = plan_batch(items, stored=[_stored(7, BODIES[1])], stored_urls=set(), threshold=0.8)
    kinds = [(a.verdict.kind, a.verdict.of) for a in plan.articles]
    assert kinds == [
        (DuplicateKind.NONE, None),
        (DuplicateKind.EXACT, -1),
        (DuplicateKind.NEAR, -1),
        (DuplicateKind.EXACT, 7),
    ]
    # Originals come first, so a duplicate's original is inserted before it.
    assert [a.provisional_id for a in plan.to_insert] == [-1, -2, -3, -4]


def test_an_earlier_published_copy_demotes_the_stored_original() -> None:
    stored = _stored(7, BODIES[0], published=DAY)
    items = [_item("https://origin/1", BODIES[0], published=DAY - timedelta(hours=2))]
    plan = plan_batch(items, stored=[stored], stored_urls=set(), threshold=0.8)
    [planned] = plan.articles
    assert planned.verdict.kind is DuplicateKind.NONE
    [demotion] = plan.demotions
    assert (demotion.stored_id, demotion.original, demotion.kind) == (7, -1, DuplicateKind.EXACT)


def test_a_later_or_undated_copy_stays_a_duplicate() -> None:
    stored = _stored(7, BODIES[0], published=DAY)
    items = [
        _item("https://mirror/1", BODIES[0], published=DAY + timedelta(hours=1)),
        _item("https://mirror/2", BODIES[0]),
    ]
    plan = plan_batch(items, stored=[stored], stored_urls=set(), threshold=0.8)
    assert [(a.verdict.kind, a.verdict.of) for a in plan.articles] == [(DuplicateKind.EXACT, 7)] * 2
    assert plan.demotions == []


def test_below_the_threshold_is_an_original() -> None:
    words = BODIES[0].split()
    half = " ".join(words[: len(words) // 2])
    items = [_item("https://a/1", BODIES[0]), _item("https://a/2", half)]
    plan = plan_batch(items, stored=[], stored_urls=set(), threshold=0.8)
    assert [a.verdict.kind for a in plan.articles] == [DuplicateKind.NONE, DuplicateKind.NONE]
