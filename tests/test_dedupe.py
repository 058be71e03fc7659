from __future__ import annotations

import json
from pathlib import Path

from newsflow.dedupe import DuplicateKind, StoredFingerprint, decide_duplicate
from newsflow.fingerprint import LSH_BANDS, content_hash, fingerprint, similarity

FIXTURES = Path(__file__).parent / "fixtures" / "aeb"
BODIES = [
    v["articleBody"]
    for v in json.loads((FIXTURES / "ground-truth.json").read_text(encoding="utf-8")).values()
]


def _stored(article_id: int, text: str) -> StoredFingerprint:
    fp = fingerprint(text)
    return StoredFingerprint(article_id, fp.content_hash, fp.signature)


def test_content_hash_ignores_case_and_whitespace() -> None:
    assert content_hash("Hello,   World!\n\nAgain") == content_hash("hello world again")
    assert content_hash("hello world") != content_hash("hello there world")


def test_exact_copy_is_an_exact_duplicate() -> None:
    verdict = decide_duplicate(
        fingerprint(BODIES[0]), [_stored(1, BODIES[1]), _stored(2, BODIES[0])], threshold=0.7
    )
    assert verdict.kind is DuplicateKind.EXACT
    assert verdict.of == 2


def test_syndicated_copy_with_new_headline_and_footer_is_a_near_duplicate() -> None:
    copy = (
        "A different headline for the copy\n" + BODIES[2] + "\nThis story was originally published elsewhere."
    )
    verdict = decide_duplicate(
        fingerprint(copy), [_stored(1, BODIES[1]), _stored(7, BODIES[2])], threshold=0.7
    )
    assert verdict.kind is DuplicateKind.NEAR
    assert verdict.of == 7
    assert 0.7 <= verdict.similarity < 1.0


def test_different_articles_are_not_duplicates() -> None:
    stored = [_stored(i, body) for i, body in enumerate(BODIES[1:], start=1)]
    assert decide_duplicate(fingerprint(BODIES[0]), stored, threshold=0.7).kind is DuplicateKind.NONE


def test_near_copies_share_lsh_bands_and_strangers_do_not() -> None:
    a = fingerprint(BODIES[3])
    b = fingerprint(BODIES[3] + "\nRepublished with permission.")
    c = fingerprint(BODIES[4])
    assert len(a.bands) == LSH_BANDS
    assert set(enumerate(a.bands)) & set(enumerate(b.bands))
    assert not set(enumerate(a.bands)) & set(enumerate(c.bands))
    assert similarity(a.signature, b.signature) > 0.8
    assert similarity(a.signature, c.signature) < 0.2
