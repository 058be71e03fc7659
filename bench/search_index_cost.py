"""What the full-text index (migration 0005) costs per stored article, on real article text.

    .venv/bin/python -m bench.search_index_cost --rows 3000

Inserts `--rows` rows into a scratch database migrated to head, in transactions of 64 (the
pipeline's batch): the recorded articles' bodies (tests/fixtures/aeb, 88 real pages, about 3,200
characters), repeated with a unique word each. Once with the index as the migration makes it,
once without it (SQLite: the triggers dropped; PostgreSQL: the generated column dropped), so the
difference is what the database spends keeping the index, nothing else. Interleaved `--rounds`.
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import UTC, datetime
from pathlib import Path

from newsflow.storage.db import get_engine
from tests.support.scratch_db import DEFAULT_POSTGRES, scratch_database

GROUND_TRUTH = Path(__file__).parents[1] / "tests" / "fixtures" / "aeb" / "ground-truth.json"
_DROP = {
    "sqlite": (
        "DROP TRIGGER article_fts_insert",
        "DROP TRIGGER article_fts_update",
        "DROP TRIGGER article_fts_delete",
    ),
    "postgresql": ("DROP INDEX ix_article_search", "ALTER TABLE article DROP COLUMN search"),
}


def rate(url: str, bodies: list[str], *, indexed: bool) -> float:
    """Rows per second of plain batched INSERTs of `bodies` into `article`."""
    engine = get_engine(url)
    kind = engine.dialect.name
    if not indexed:
        with engine.begin() as connection:
            for statement in _DROP[kind]:
                connection.exec_driver_sql(statement)
    when = datetime(2025, 1, 1, tzinfo=UTC)
    stamp = when.replace(tzinfo=None).isoformat(" ") if kind == "sqlite" else when
    mark = "?" if kind == "sqlite" else "%s"
    statement = (
        "INSERT INTO article (url, fetched_url, source, title, text, authors, tags, content_hash, minhash,"
        f" first_seen_at, updated_at) VALUES ({', '.join([mark] * 11)})"
    )
    rows = [
        (
            f"https://a.test/{i}",
            f"https://a.test/{i}",
            "bench",
            f"Headline {i}",
            body,
            "[]",
            "[]",
            f"{i:064x}",
            b"\0",
            stamp,
            stamp,
        )
        for i, body in enumerate(bodies)
    ]
    started = time.perf_counter()
    for start in range(0, len(rows), 64):
        with engine.begin() as connection:
            connection.exec_driver_sql(statement, rows[start : start + 64])
    return len(rows) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES, help="admin URL; a scratch database is made")
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    truth = [v["articleBody"] for v in json.loads(GROUND_TRUTH.read_text(encoding="utf-8")).values()]
    bodies = [f"{truth[i % len(truth)]} unique{i}" for i in range(args.rows)]
    print(f"{len(bodies)} rows, {sum(map(len, bodies)) / len(bodies):.0f} characters of text on average")
    for kind in ["sqlite", "postgresql"] if args.only is None else [args.only]:
        for round_ in range(1, args.rounds + 1):
            for indexed in (True, False):
                with scratch_database(kind, args.postgres) as url:
                    measured = rate(url, bodies, indexed=indexed)
                label = "with the search index" if indexed else "without it"
                print(f"{kind:10} round {round_}  {label:22} {measured:8.0f} rows/s", flush=True)


if __name__ == "__main__":
    main()
