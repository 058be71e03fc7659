"""The database schema (a public interface: keep README.md in step). Changes go through Alembic."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Column, Date, ForeignKey, Integer, LargeBinary, Table, Text
from sqlmodel import Field, SQLModel

from newsflow.dedupe.fingerprint import LSH_BANDS
from newsflow.storage.types import UTCDateTime

LSH_COLUMNS = tuple(f"band_{band}" for band in range(LSH_BANDS))


class Article(SQLModel, table=True):
    """One article; duplicates are rows too, pointing at their original through duplicate_of."""

    __tablename__ = "article"

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(max_length=2048, unique=True, description="canonical URL")
    fetched_url: str = Field(max_length=2048, index=True)
    source: str = Field(max_length=64, index=True)
    title: str | None = Field(default=None, sa_type=Text)
    text: str = Field(sa_type=Text)
    authors: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    published_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), index=True))
    published_at_source: str | None = Field(default=None, max_length=64)
    # The calendar day of published_at as the page states it, in its own timezone (published_at
    # is UTC: a -05:00 evening is the next UTC day). Rows stored before 0009 hold the UTC day
    # (the migration's backfill) until `newsflow reextract` reads their pages again.
    published_day: date | None = Field(default=None, sa_column=Column(Date()))
    modified_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    language: str | None = Field(default=None, max_length=8)
    # The page's JSON-LD isAccessibleForFree, inverted: True for a teaser of a paid article.
    paywalled: bool | None = None
    site_name: str | None = Field(default=None, max_length=256)
    description: str | None = Field(default=None, sa_type=Text)
    image: str | None = Field(default=None, max_length=2048)
    tags: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    content_hash: str = Field(max_length=64, index=True)
    minhash: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    duplicate_of: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("article.id", ondelete="SET NULL"), index=True)
    )
    duplicate_kind: str | None = Field(default=None, max_length=8)
    first_seen_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    # The raw response in the archive (newsflow.fetch.archive): file, offset and length of its
    # gzip member; NULL when archiving was off or the page came from someone else's WARC.
    warc_file: str | None = Field(default=None, max_length=2048)
    warc_offset: int | None = Field(default=None, sa_column=Column(BigInteger))
    warc_length: int | None = None
    # Refresh (newsflow.refresh): the validators and time of the last fetch, when the article is
    # next due, how many refresh ages have passed, and when the page answered 404/410.
    etag: str | None = Field(default=None, max_length=512)
    last_modified: str | None = Field(default=None, max_length=128)
    fetched_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    refresh_due_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), index=True))
    refreshes_done: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))
    removed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


class ArticleRevision(SQLModel, table=True):
    """An earlier version of an article that a refetch replaced (newsflow.revision)."""

    __tablename__ = "article_revision"

    id: int | None = Field(default=None, primary_key=True)
    article_id: int = Field(
        sa_column=Column(Integer, ForeignKey("article.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    version_key: str = Field(max_length=64)  # ArticleVersion.key: one row per distinct version
    title: str | None = Field(default=None, sa_type=Text)
    text: str = Field(sa_type=Text)
    authors: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    published_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    modified_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    content_hash: str = Field(max_length=64)
    fetched_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))  # last seen
    replaced_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    words_added: int  # by the version that replaced this one
    words_removed: int
    title_changed: bool
    summary: str = Field(max_length=256)


# The persisted near-duplicate index: one row per original article, one indexed column per LSH
# band. One row of 16 columns writes about twice as fast as 16 rows of (article, band, hash) and
# is looked up with one indexed IN term per band (bench/storage_upsert.py, BENCHMARKS.md).
article_lsh = Table(
    "article_lsh",
    SQLModel.metadata,
    Column("article_id", Integer, ForeignKey("article.id", ondelete="CASCADE"), primary_key=True),
    *(Column(name, BigInteger, nullable=False, index=True) for name in LSH_COLUMNS),
)


class FetchEvent(SQLModel, table=True):
    """One row per fetch outcome of a URL in a run."""

    __tablename__ = "fetch_event"

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(max_length=2048, index=True)
    source: str = Field(max_length=64, index=True)
    outcome: str = Field(max_length=16, index=True)
    http_status: int | None = None
    error: str | None = Field(default=None, sa_type=Text)
    article_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("article.id", ondelete="SET NULL"))
    )
    run_id: str | None = Field(default=None, max_length=64, index=True)
    # The page's publication date as extracted (set on out_of_window rows), so that a later
    # backfill knows whether the page belongs to its window without fetching it again.
    published_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))


class FeedState(SQLModel, table=True):
    """Validators from the last fetch of a feed or sitemap, for conditional GET."""

    __tablename__ = "feed_state"

    url: str = Field(max_length=2048, primary_key=True)
    etag: str | None = Field(default=None, max_length=512)
    last_modified: str | None = Field(default=None, max_length=128)
    checked_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class RobotsTxt(SQLModel, table=True):
    """The robots.txt of each origin as last read, so that runs within a while need not ask again."""

    __tablename__ = "robots_txt"

    origin: str = Field(max_length=512, primary_key=True)
    text: str = Field(sa_type=Text)
    fetched_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class SourceHealth(SQLModel, table=True):
    """How each source has been doing across runs."""

    __tablename__ = "source_health"

    source: str = Field(max_length=64, primary_key=True)
    consecutive_failures: int = 0
    blocked: bool = False
    last_success_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    last_failure_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    last_error: str | None = Field(default=None, sa_type=Text)


# The full-text index (migration 0005) lives outside these models, kept by the database itself:
# on SQLite the FTS5 table article_fts and its shadow tables, on PostgreSQL the generated column
# article.search and its GIN index. Autogenerate must leave them alone.
SEARCH_INDEX_PREFIX = "article_fts"
SEARCH_COLUMN = "search"


def managed_by_models(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    """Alembic's include_object: False for the search index objects the models do not describe."""
    if type_ == "table" and name is not None and name.startswith(SEARCH_INDEX_PREFIX):
        return False
    if (
        type_ == "column"
        and name == SEARCH_COLUMN
        and getattr(getattr(obj, "table", None), "name", "") == "article"
    ):
        return False
    return not (type_ == "index" and name == f"ix_article_{SEARCH_COLUMN}")
