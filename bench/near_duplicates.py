"""Near-duplicate detection: fingerprint cost per document, and lookup cost as the archive grows.

    .venv/bin/python -m bench.near_duplicates --sizes 1000 10000 100000

Fingerprint: newsflow.dedupe.fingerprint.fingerprint (word tokens, 128-permutation MinHash of word
5-shingles, 10 LSH band hashes) over the aeb-dev article bodies. Lookup: a database holding N
stored originals (random signatures and their bands, written straight into article and
article_lsh), then store_articles on a batch of 64 new articles, half of them near duplicates
of stored ones, in a transaction that is rolled back so every repeat sees the same N. The LSH
index is the article_lsh table: it is read per batch through one index per band, never
loaded or rebuilt at start-up.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from datetime import UTC, datetime

import numpy as np
from sqlalchemy import func, insert, select
from sqlmodel import Session

from bench.dataset import DEFAULT_DATASET
from newsflow.dedupe.fingerprint import NUM_PERM, band_hashes, fingerprint
from newsflow.dedupe.verdict import DuplicateKind
from newsflow.records import ExtractedArticle, Fingerprint, ProcessedArticle
from newsflow.storage.db import get_engine
from newsflow.storage.models import LSH_COLUMNS, Article, article_lsh
from newsflow.storage.repository import store_articles
from tests.support.scratch_db import DEFAULT_POSTGRES, scratch_database

BATCH = 64


def fingerprint_cost() -> tuple[float, int, float]:
    """(ms per document, documents, mean words) over the aeb-dev bodies."""
    truth = json.loads((DEFAULT_DATASET / "ground-truth.json").read_text(encoding="utf-8"))
    bodies = [entry["articleBody"] for entry in truth.values()]
    for body in bodies[:5]:
        fingerprint(body)
    rounds = 10
    started = time.perf_counter()
    for _ in range(rounds):
        for body in bodies:
            fingerprint(body)
    elapsed = time.perf_counter() - started
    return (
        elapsed / (rounds * len(bodies)) * 1000,
        len(bodies),
        statistics.mean(len(b.split()) for b in bodies),
    )


def random_fingerprint(rng: np.random.Generator, index: int) -> Fingerprint:
    signature = rng.integers(0, 2**32, size=NUM_PERM, dtype=np.uint32)
    return Fingerprint(f"{index:064x}", signature.astype("<u4").tobytes(), band_hashes(signature))


def near_copy(stored: Fingerprint, rng: np.random.Generator, index: int) -> Fingerprint:
    """A signature agreeing with `stored` on ~90% of its values (Jaccard estimate ~0.9)."""
    signature = np.frombuffer(stored.signature, dtype="<u4").copy()
    changed = rng.choice(NUM_PERM, size=NUM_PERM // 10, replace=False)
    signature[changed] = rng.integers(0, 2**32, size=changed.size, dtype=np.uint32)
    return Fingerprint(f"{index:064x}", signature.astype("<u4").tobytes(), band_hashes(signature))


def load_originals(url: str, fingerprints: list[Fingerprint]) -> None:
    """Write N original articles and their band rows in bulk (the archive being searched)."""
    now = datetime.now(UTC)
    engine = get_engine(url)
    step = 5000
    with engine.begin() as connection:
        for start in range(0, len(fingerprints), step):
            chunk = fingerprints[start : start + step]
            rows = [
                {
                    "id": start + i + 1,
                    "url": f"https://archive.example/{start + i}",
                    "fetched_url": f"https://archive.example/{start + i}",
                    "source": "archive",
                    "text": "stored",
                    "authors": [],
                    "tags": [],
                    "content_hash": fp.content_hash,
                    "minhash": fp.signature,
                    "first_seen_at": now,
                    "updated_at": now,
                }
                for i, fp in enumerate(chunk)
            ]
            connection.execute(insert(Article), rows)
            connection.execute(
                insert(article_lsh),
                [
                    {"article_id": start + i + 1, **dict(zip(LSH_COLUMNS, fp.bands, strict=True))}
                    for i, fp in enumerate(chunk)
                ],
            )
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            # Explicit ids do not advance the sequence; fresh statistics are what a live archive has.
            connection.exec_driver_sql(
                "SELECT setval(pg_get_serial_sequence('article', 'id'), max(id)) FROM article"
            )
            connection.exec_driver_sql("ANALYZE")


def batch_items(
    fingerprints: list[Fingerprint], stored: list[Fingerprint], seed: int
) -> list[ProcessedArticle]:
    items = []
    for i, fp in enumerate(fingerprints):
        url = f"https://new.example/{seed}/{i}"
        article = ExtractedArticle(url=url, title=None, text="new")
        items.append(ProcessedArticle(article, fp, url, "bench", 200))
    return items


def lookup_cost(
    url: str, stored: list[Fingerprint], rng: np.random.Generator, repeats: int
) -> tuple[float, int]:
    """Median ms per store_articles batch of 64 (rolled back), and near duplicates found."""
    engine = get_engine(url)
    times, found = [], 0
    for repeat in range(repeats):
        fresh = [random_fingerprint(rng, 10**9 + repeat * BATCH + i) for i in range(BATCH // 2)]
        picks = rng.choice(len(stored), size=BATCH // 2, replace=False)
        copies = [near_copy(stored[p], rng, 2 * 10**9 + repeat * BATCH + i) for i, p in enumerate(picks)]
        items = batch_items(fresh + copies, stored, repeat)
        with Session(engine) as session:
            started = time.perf_counter()
            results = store_articles(session, items=items, threshold=0.8, now=datetime.now(UTC))
            times.append(time.perf_counter() - started)
            session.rollback()
        found = sum(r.verdict.kind is DuplicateKind.NEAR for r in results)
    return statistics.median(times) * 1000, found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES)
    args = parser.parse_args()
    per_doc, docs, words = fingerprint_cost()
    print(f"fingerprint: {per_doc:.2f} ms per document ({docs} aeb-dev bodies, {words:.0f} words on average)")
    rng = np.random.default_rng(5)
    for kind in ["sqlite", "postgresql"] if args.only is None else [args.only]:
        for size in args.sizes:
            stored = [random_fingerprint(rng, i) for i in range(size)]
            with scratch_database(kind, args.postgres) as url:
                load_originals(url, stored)
                with Session(get_engine(url)) as session:
                    indexed = session.execute(select(func.count()).select_from(article_lsh)).scalar_one()
                ms, found = lookup_cost(url, stored, rng, args.repeats)
            print(
                f"{kind:10} {size:7} stored ({indexed:7} article_lsh rows): "
                f"{ms:6.1f} ms per batch of {BATCH} = {ms / BATCH:.3f} ms per document; "
                f"{found}/{BATCH // 2} near copies found"
            )


if __name__ == "__main__":
    main()
