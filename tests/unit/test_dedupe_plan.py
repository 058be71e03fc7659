"""Dedup planning without a database: a batch against stored candidates and against itself."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

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


def _item(
    url: str, text: str, published: datetime | None = None, *, fetched_url: str | None = None
) -> ProcessedArticle:
    article = ExtractedArticle(url=url, title="T", text=text, published_at=published)
    return ProcessedArticle(article, fingerprint(text), fetched_url=fetched_url or url, source="daily")


def _stored(
    article_id: int, text: str, published: datetime | None = None, *, url: str = "https://a/0"
) -> StoredCandidate:
    print_ = fingerprint(text)
    return StoredCandidate(
        StoredFingerprint(article_id, print_.content_hash, print_.signature, published, url, at_home=True),
        print_.bands,
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
    plan = plan_batch(
        items, stored=[_stored(7, BODIES[1], url="https://a/7")], stored_urls=set(), threshold=0.8
    )
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
    stored = _stored(7, BODIES[0], published=DAY, url="https://origin/1")
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


def test_on_the_same_date_the_copy_fetched_from_its_own_host_beats_one_fetched_elsewhere() -> None:
    # The mirror's copy was stored first; it was fetched from the mirror under the origin's
    # canonical host name, so it is a copy living elsewhere.
    stored = StoredCandidate(
        StoredFingerprint(7, *_signature(BODIES[0]), DAY, "https://news.example/a/1", at_home=False),
        fingerprint(BODIES[0]).bands,
    )
    items = [_item("https://news.example/a/1?page=1", BODIES[0], published=DAY)]
    plan = plan_batch(items, stored=[stored], stored_urls=set(), threshold=0.8)
    assert plan.articles[0].verdict.kind is DuplicateKind.NONE
    assert [(d.stored_id, d.original) for d in plan.demotions] == [(7, -1)]


def _signature(text: str) -> tuple[str, bytes]:
    print_ = fingerprint(text)
    return print_.content_hash, print_.signature


def _store_one_at_a_time(items: list[ProcessedArticle]) -> str:
    """Plan and 'store' each item in its own batch, as storage applies plans; the original's URL."""
    stored: dict[int, StoredCandidate] = {}
    ids: dict[str, int] = {}
    original_of: dict[int, int | None] = {}
    for item in items:
        plan = plan_batch([item], stored=list(stored.values()), stored_urls=set(ids), threshold=0.8)
        [planned] = plan.articles
        new_id = len(ids) + 1
        ids[item.article.url] = new_id
        original_of[new_id] = planned.verdict.of
        if planned.verdict.kind is DuplicateKind.NONE:
            stored[new_id] = StoredCandidate(
                StoredFingerprint(
                    new_id,
                    *_signature(item.article.text),
                    item.article.published_at,
                    item.article.url,
                    at_home=item.article.url.split("/")[2] == item.fetched_url.split("/")[2],
                ),
                item.fingerprint.bands,
            )
        for demotion in plan.demotions:
            stored.pop(demotion.stored_id)
            for article_id, of in list(original_of.items()):
                if of == demotion.stored_id or article_id == demotion.stored_id:
                    original_of[article_id] = new_id
    [original] = [url for url, article_id in ids.items() if original_of[article_id] is None]
    return original


def _in_one_batch(items: list[ProcessedArticle]) -> str:
    plan = plan_batch(items, stored=[], stored_urls=set(), threshold=0.8)
    [original] = [a.item.article.url for a in plan.articles if a.verdict.kind is DuplicateKind.NONE]
    return original


ORIGIN = "https://news.example/2025/06/03/talks.html"


def _copies() -> list[ProcessedArticle]:
    """The origin, a syndicated copy two days later, an undated copy, and an AMP copy fetched from
    a CDN under the origin's host name: the origin wins on evidence, in every order. (Built per
    test: articles kept alive at module level would count as leaks in test_extraction_pool.)"""
    return [
        _item(ORIGIN, BODIES[0], DAY),
        _item("https://wire.example/s/1", _near_copy(BODIES[0]), DAY + timedelta(days=2)),
        _item("https://blog.example/t", BODIES[0]),
        _item("https://news.example/amp/talks", BODIES[0], DAY, fetched_url="https://cdn.example/amp/talks"),
    ]


@pytest.mark.parametrize("order", list(itertools.permutations(range(4))))
def test_the_original_is_the_same_whatever_the_fetch_order(order: tuple[int, ...]) -> None:
    copies = _copies()
    items = [copies[i] for i in order]
    assert _store_one_at_a_time(items) == ORIGIN
    assert _in_one_batch(items) == ORIGIN


def test_an_exact_copy_of_the_same_date_on_its_own_host_is_a_tie_broken_the_same_way_every_time() -> None:
    # Nothing on the pages tells origin from copy here: the choice is arbitrary (the shorter URL),
    # but never the fetch order.
    copy = _item("https://mirror.example/stories/talks.html", BODIES[0], DAY)
    pair = [_copies()[0], copy]
    winners = {f(order) for f in (_store_one_at_a_time, _in_one_batch) for order in (pair, pair[::-1])}
    assert winners == {copy.article.url}


def test_only_a_copy_fetched_at_home_takes_over_a_url_stored_from_elsewhere() -> None:
    url = "https://news.example/a/1"
    items = [
        _item(url, BODIES[0], fetched_url="https://mirror.example/a/1"),  # another mirror: no
        _item(url, BODIES[0]),  # from home: takes the row over
        _item(url, BODIES[0]),  # the same URL again in the batch: nothing more
    ]
    plan = plan_batch(items, stored=[], stored_urls={url}, stored_away={url}, threshold=0.8)
    assert [(a.provisional_id, a.rehome) for a in plan.articles] == [
        (None, False),
        (None, True),
        (None, False),
    ]
    assert plan.to_insert == []
    settled = plan_batch(items[1:2], stored=[], stored_urls={url}, threshold=0.8)  # stored at home
    assert [a.rehome for a in settled.articles] == [False]
