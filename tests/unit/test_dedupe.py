from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from newsflow.dedupe.fingerprint import (
    LSH_BANDS,
    NUM_PERM,
    band_hashes,
    content_hash,
    fingerprint,
    similarity,
)
from newsflow.dedupe.verdict import DuplicateKind, StoredFingerprint, decide_duplicate

FIXTURES = Path(__file__).parents[1] / "fixtures" / "aeb"
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
    assert verdict.similarity >= 0.7  # an estimate: 1.0 when the extra shingles never win a minimum


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


def _signature_pair(rng: np.random.Generator, equal: float) -> tuple[bytes, bytes]:
    left = rng.integers(0, 2**32, size=NUM_PERM, dtype=np.uint32)
    right = left.copy()
    changed = rng.choice(NUM_PERM, size=round(NUM_PERM * (1 - equal)), replace=False)
    right[changed] = rng.integers(0, 2**32, size=changed.size, dtype=np.uint32)
    return left.tobytes(), right.tobytes()


def _share_a_band(equal: float, pairs: int = 400) -> float:
    rng = np.random.default_rng(11)
    shared = 0
    for _ in range(pairs):
        left, right = _signature_pair(rng, equal)
        a = band_hashes(np.frombuffer(left, dtype="<u4"))
        b = band_hashes(np.frombuffer(right, dtype="<u4"))
        shared += any(x == y for x, y in zip(a, b, strict=True))
    return shared / pairs


def test_lsh_banding_finds_pairs_at_the_threshold_and_rarely_strangers() -> None:
    # Only pairs that share a band are ever compared: this is the recall of near-dup detection.
    assert _share_a_band(0.9) >= 0.99
    assert _share_a_band(0.8) >= 0.9
    assert _share_a_band(0.3) <= 0.03
