"""The data commands' pure parts: option parsing (newsflow.selection), export rows and writers
(newsflow.export), statistics rows (newsflow.stats)."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta, timezone

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from newsflow.errors import ConfigError
from newsflow.export import (
    COLUMNS,
    ArticleRecord,
    csv_values,
    jsonl_line,
    parse_format,
    write_csv,
    write_jsonl,
    write_parquet,
)
from newsflow.selection import ArticleFilter, fts5_query, parse_filter, search_words
from newsflow.stats import SourceStats, languages_text, stats_row

WHEN = datetime(2025, 6, 3, 12, 30, tzinfo=UTC)


def _record(number: int, **changes: object) -> ArticleRecord:
    values: dict[str, object] = {
        "id": number,
        "url": f"https://a.test/{number}",
        "fetched_url": f"https://a.test/{number}?utm=x",
        "source": "daily",
        "title": 'Quotes "and", commas',
        "text": "Line one.\nLine two, with ünïcode.",
        "authors": ("Ann Lee", "Bo Chen"),
        "published_at": WHEN,
        "published_at_source": "json-ld",
        "modified_at": None,
        "language": "en",
        "paywalled": None,
        "site_name": "Daily",
        "description": None,
        "image": None,
        "tags": (),
        "content_hash": "ab" * 32,
        "duplicate_of": None,
        "duplicate_kind": None,
        "first_seen_at": WHEN,
        "updated_at": WHEN,
        "removed_at": None,
        "published_day": date(2025, 6, 3),
    }
    values.update(changes)
    return ArticleRecord(**values)  # type: ignore[arg-type]


def test_columns_are_the_documented_stable_list() -> None:
    assert COLUMNS == (
        "id",
        "url",
        "fetched_url",
        "source",
        "title",
        "text",
        "authors",
        "published_at",
        "published_at_source",
        "modified_at",
        "language",
        "paywalled",
        "site_name",
        "description",
        "image",
        "tags",
        "content_hash",
        "duplicate_of",
        "duplicate_kind",
        "first_seen_at",
        "updated_at",
        "removed_at",
        "published_day",
    )


def test_parse_filter_reads_days_times_and_rejects_bad_values_in_one_line() -> None:
    filters = parse_filter(since="2025-06-01", until="2025-06-02", languages=["EN"], limit="5", search="Ä b")
    assert filters == ArticleFilter(
        since=datetime(2025, 6, 1, tzinfo=UTC),
        until=datetime(2025, 6, 3, tzinfo=UTC),  # the whole of the --until day
        languages=("en",),
        search=("ä", "b"),
        limit=5,
    )
    assert parse_filter(since="2025-06-01T14:00+02:00").since == datetime(2025, 6, 1, 12, tzinfo=UTC)
    for kwargs, message in [
        ({"since": "June 1"}, "--since 'June 1' is not a date"),
        (
            {"since": "2025-06-03", "until": "2025-06-01"},
            "--until 2025-06-01 is not after --since 2025-06-03",
        ),
        ({"limit": "0"}, "--limit '0' is not a positive whole number"),
        ({"limit": "ten"}, "--limit 'ten' is not a positive whole number"),
        ({"languages": ["english!"]}, "--language 'english!' is not a code like en or pt-br"),
        ({"sources": ["Bad Name"]}, "--source 'Bad Name' is not a source name"),
        ({"search": " -- ! "}, "--search ' -- ! ' has no words"),
    ]:
        with pytest.raises(ConfigError, match=message):
            parse_filter(**kwargs)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="--format 'xml' is not one of jsonl, csv, parquet"):
        parse_format("xml")


def test_search_words_quote_every_word_for_fts5() -> None:
    words = search_words('Brexit "deal" OR NEAR(x) foo_bar')
    assert words == ("brexit", "deal", "or", "near", "x", "foo", "bar")
    assert fts5_query(words) == '"brexit" "deal" "or" "near" "x" "foo" "bar"'


def test_jsonl_and_csv_rows() -> None:
    record = _record(1, paywalled=True, duplicate_of=7, duplicate_kind="near")
    row = json.loads(jsonl_line(record))
    assert list(row) == list(COLUMNS)
    assert row["published_at"] == "2025-06-03T12:30:00+00:00" and row["modified_at"] is None
    assert row["authors"] == ["Ann Lee", "Bo Chen"] and row["tags"] == []
    cells = dict(zip(COLUMNS, csv_values(record), strict=True))
    assert cells["authors"] == '["Ann Lee", "Bo Chen"]' and cells["paywalled"] == "true"
    assert cells["modified_at"] == "" and cells["duplicate_of"] == "7"
    # The page's own day, not a time: a plain date in every format.
    assert row["published_day"] == cells["published_day"] == "2025-06-03"
    assert csv_values(_record(1, published_day=None))[COLUMNS.index("published_day")] == ""


def test_writers_round_trip_every_row() -> None:
    records = [
        _record(
            n,
            published_at=None if n % 3 == 0 else WHEN + timedelta(hours=n),
            published_day=None if n % 3 == 0 else date(2025, 6, 3),
        )
        for n in range(1, 26)
    ]
    stream = io.BytesIO()
    assert write_jsonl(iter(records), stream) == 25
    lines = stream.getvalue().decode("utf-8").splitlines()
    assert [json.loads(line)["id"] for line in lines] == list(range(1, 26))

    stream = io.BytesIO()
    assert write_csv(iter(records), stream) == 25
    parsed = list(csv.DictReader(io.StringIO(stream.getvalue().decode("utf-8"), newline="")))
    assert [int(r["id"]) for r in parsed] == list(range(1, 26))
    assert (
        parsed[0]["text"] == "Line one.\nLine two, with ünïcode."
        and parsed[0]["title"] == 'Quotes "and", commas'
    )

    stream = io.BytesIO()
    assert write_parquet(iter(records), stream, row_group=10) == 25
    parquet = pq.ParquetFile(io.BytesIO(stream.getvalue()))
    assert parquet.metadata.num_row_groups == 3 and parquet.metadata.num_rows == 25
    table = parquet.read()
    assert table.schema.field("published_at").type == pa.timestamp("us", tz="UTC")
    assert table.schema.field("authors").type == pa.list_(pa.string())
    assert table.schema.field("id").type == pa.int64()
    rows = table.to_pylist()
    assert rows[1]["published_at"] == WHEN + timedelta(hours=2) and rows[2]["published_at"] is None
    assert table.schema.field("published_day").type == pa.date32()
    assert rows[0]["published_day"] == date(2025, 6, 3) and rows[2]["published_day"] is None
    assert rows[0]["authors"] == ["Ann Lee", "Bo Chen"] and rows[0]["tags"] == []


def test_an_empty_export_still_has_its_header_and_schema() -> None:
    stream = io.BytesIO()
    assert write_csv(iter([]), stream) == 0
    assert stream.getvalue().decode("utf-8").strip() == ",".join(COLUMNS)
    stream = io.BytesIO()
    assert write_parquet(iter([]), stream) == 0
    assert pq.read_table(io.BytesIO(stream.getvalue())).column_names == list(COLUMNS)


def test_timestamps_in_other_zones_are_written_in_utc() -> None:
    record = _record(1, published_at=datetime(2025, 6, 3, 14, 30, tzinfo=timezone(timedelta(hours=2))))
    stream = io.BytesIO()
    write_parquet([record], stream)
    [row] = pq.read_table(io.BytesIO(stream.getvalue())).to_pylist()
    assert row["published_at"] == WHEN and row["published_at"].utcoffset() == timedelta(0)


def test_stats_rows_show_shares_languages_and_health() -> None:
    stats = SourceStats("daily", 5, 1, 3, 6, (("en", 4), ("de", 1), ("fr", 1), ("it", 1)), WHEN, 0, False)
    assert stats_row(stats) == {
        "source": "daily",
        "articles": 5,
        "duplicates": 1,
        "dated": "50%",
        "with_authors": "100%",
        "languages": "en 4, de 1, fr 1, +1 more",
        "last_success": "2025-06-03 12:30 UTC",
        "consecutive_failures": 0,
        "blocked": "no",
    }
    silent = SourceStats("down", 0, 0, 0, 0, (), None, 4, True)
    row = stats_row(silent)
    assert (row["dated"], row["last_success"], row["blocked"], row["languages"]) == ("-", "never", "yes", "")
    assert languages_text((("en", 1),)) == "en 1"


def test_the_stored_event_payload_counts_and_spans_the_batch() -> None:
    from newsflow.tasks.events import articles_stored_payload, source_resource

    payload = articles_stored_payload("daily", original_ids=[12, 10], duplicate_ids=[15], run_kind="ingest")
    assert payload == {
        "source": "daily",
        "run_kind": "ingest",
        "stored": 3,
        "new": 2,
        "duplicates": 1,
        "first_id": 10,
        "last_id": 15,
    }
    assert source_resource("daily") == {
        "prefect.resource.id": "newsflow.source.daily",
        "prefect.resource.name": "daily",
    }
