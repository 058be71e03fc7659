"""Stored articles as export rows: the record, its stable columns, and JSON Lines, CSV and Parquet
writers that take rows one at a time and an open binary stream (constant memory)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, BinaryIO, Literal

from newsflow.errors import ConfigError

ExportFormat = Literal["jsonl", "csv", "parquet"]
FORMATS: tuple[ExportFormat, ...] = ("jsonl", "csv", "parquet")
# Rows per Parquet row group: a group is held in memory (as columns) until written.
PARQUET_ROW_GROUP = 10_000


@dataclass(frozen=True, slots=True)
class ArticleRecord:
    """One stored article as the data commands show and export it (a public interface: the field
    names are the export's column names, documented in README "Use the data")."""

    id: int
    url: str
    fetched_url: str
    source: str
    title: str | None
    text: str
    authors: tuple[str, ...]
    published_at: datetime | None
    published_at_source: str | None
    modified_at: datetime | None
    language: str | None
    paywalled: bool | None
    site_name: str | None
    description: str | None
    image: str | None
    tags: tuple[str, ...]
    content_hash: str
    duplicate_of: int | None
    duplicate_kind: str | None
    first_seen_at: datetime
    updated_at: datetime
    removed_at: datetime | None  # the page answered 404 or 410 when it was fetched again (#17)
    # The day of published_at as the page states it, in its own timezone (#12); last, as the
    # columns only grow.
    published_day: date | None


COLUMNS: tuple[str, ...] = tuple(ArticleRecord.__dataclass_fields__)
_TIMES = ("published_at", "modified_at", "first_seen_at", "updated_at", "removed_at")
_LISTS = ("authors", "tags")


def parse_format(value: str) -> ExportFormat:
    """The export format named on the command line; ConfigError for any other."""
    for name in FORMATS:
        if value == name:
            return name
    raise ConfigError(f"--format {value!r} is not one of {', '.join(FORMATS)}")


def iso(when: datetime | None) -> str | None:
    """ISO 8601 in UTC with its offset (2025-06-03T12:00:00+00:00), or None."""
    return when.isoformat() if when is not None else None


def to_json_object(record: ArticleRecord) -> dict[str, Any]:
    """The record as JSON-ready values: times as ISO 8601 strings, lists as lists."""
    row: dict[str, Any] = {name: getattr(record, name) for name in COLUMNS}
    for name in _TIMES:
        row[name] = iso(row[name])
    row["published_day"] = record.published_day.isoformat() if record.published_day else None
    for name in _LISTS:
        row[name] = list(row[name])
    return row


_encode = json.JSONEncoder(ensure_ascii=False).encode


def jsonl_line(record: ArticleRecord) -> str:
    """One JSON Lines line (with its newline)."""
    return _encode(to_json_object(record)) + "\n"


def csv_values(record: ArticleRecord) -> list[str]:
    """The record's CSV cells: empty for null, lists as JSON arrays, booleans as true/false."""
    cells: list[str] = []
    for name, value in to_json_object(record).items():
        if value is None:
            cells.append("")
        elif name in _LISTS:
            cells.append(_encode(value))
        elif isinstance(value, bool):
            cells.append("true" if value else "false")
        else:
            cells.append(str(value))
    return cells


def write_jsonl(records: Iterable[ArticleRecord], stream: BinaryIO) -> int:
    """Write JSON Lines; how many rows were written."""
    count = 0
    for record in records:
        stream.write(jsonl_line(record).encode("utf-8"))
        count += 1
    return count


def write_csv(records: Iterable[ArticleRecord], stream: BinaryIO) -> int:
    """Write CSV (RFC 4180, UTF-8, a header row); how many rows were written."""
    text = io.TextIOWrapper(stream, encoding="utf-8", newline="", write_through=True)
    try:
        writer = csv.writer(text)
        writer.writerow(COLUMNS)
        count = 0
        for record in records:
            writer.writerow(csv_values(record))
            count += 1
        text.flush()
    finally:
        text.detach()  # the caller owns the stream
    return count


def parquet_schema() -> Any:
    """The Parquet schema: int64 ids, UTC timestamps (microseconds), date32 days, list<string> lists."""
    import pyarrow as pa

    types: dict[str, Any] = {
        "id": pa.int64(),
        "duplicate_of": pa.int64(),
        "paywalled": pa.bool_(),
        "published_day": pa.date32(),
    }
    types.update({name: pa.timestamp("us", tz="UTC") for name in _TIMES})
    types.update({name: pa.list_(pa.string()) for name in _LISTS})
    required = {"id", "url", "fetched_url", "source", "text", "authors", "tags", "content_hash"}
    required |= {"first_seen_at", "updated_at"}
    return pa.schema(
        [pa.field(name, types.get(name, pa.string()), nullable=name not in required) for name in COLUMNS]
    )


def write_parquet(
    records: Iterable[ArticleRecord], stream: BinaryIO, *, row_group: int = PARQUET_ROW_GROUP
) -> int:
    """Write Parquet, `row_group` rows at a time; how many rows were written."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = parquet_schema()
    count = 0
    with pq.ParquetWriter(stream, schema, compression="zstd") as writer:
        columns: dict[str, list[Any]] = {name: [] for name in COLUMNS}
        for record in records:
            for name in COLUMNS:
                columns[name].append(getattr(record, name))
            count += 1
            if count % row_group == 0:
                writer.write_table(pa.Table.from_pydict(columns, schema=schema))
                columns = {name: [] for name in COLUMNS}
        if columns["id"] or count == 0:
            writer.write_table(pa.Table.from_pydict(columns, schema=schema))
    return count


WRITERS = {"jsonl": write_jsonl, "csv": write_csv, "parquet": write_parquet}
