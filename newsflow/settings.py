"""The one settings object, read from the environment and `.env` at the edge (CLI, flow entry)."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from pathlib import Path

from pydantic import AliasChoices, Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from newsflow.errors import ConfigError
from newsflow.refresh import DEFAULT_REFRESH_AGES, parse_refresh_ages

DATABASE_URL_FORMS = (
    "sqlite:///relative/path.db, sqlite:////absolute/path.db, or postgresql://user:password@host:5432/dbname"
)
_SQLITE_PREFIX = "sqlite:///"
_POSTGRES_SCHEMES = ("postgresql", "postgres", "postgresql+psycopg")

DEFAULT_USER_AGENT = "newsflow/0.1 (+https://github.com/newsflow/newsflow; news ingestion bot)"


# The flows' thread pools hold this many workers: the most sources one process runs at once.
MAX_SOURCE_CONCURRENCY = 128
# Sources in flight per CPU core when NEWSFLOW_SOURCE_CONCURRENCY is 0 (the default), and their cap:
# a source in flight mostly waits on its hosts, so a core keeps many busy, while each holds up to
# two batches of pages and a database connection while it stores.
SOURCES_PER_CORE = 16
AUTO_SOURCE_CONCURRENCY_CAP = 64


def sources_in_flight(setting: int, cpus: int | None) -> int:
    """How many sources a run processes at once: `setting`, or when it is 0, SOURCES_PER_CORE per
    CPU core (`cpus`; None counts as one), at most AUTO_SOURCE_CONCURRENCY_CAP."""
    if setting > 0:
        return setting
    return min(AUTO_SOURCE_CONCURRENCY_CAP, SOURCES_PER_CORE * max(1, cpus or 1))


class Settings(BaseSettings):
    """newsflow's configuration; every field can be set as NEWSFLOW_<NAME> (DATABASE_URL has no prefix)."""

    model_config = SettingsConfigDict(
        env_prefix="NEWSFLOW_", env_file=".env", env_file_encoding="utf-8", extra="ignore", frozen=True
    )

    database_url: str = Field(
        default="sqlite:///data/newsflow.db",
        validation_alias=AliasChoices("DATABASE_URL", "NEWSFLOW_DATABASE_URL"),
    )
    sources: Path = Field(default=Path("sources.yaml"))
    user_agent: str = DEFAULT_USER_AGENT
    connect_timeout: float = Field(default=5.0, gt=0)
    read_timeout: float = Field(default=15.0, gt=0)
    max_page_bytes: int = Field(default=5_000_000, gt=0)
    max_feed_bytes: int = Field(default=20_000_000, gt=0)
    fetch_concurrency: int = Field(default=16, ge=1, le=256)
    per_host_concurrency: int = Field(default=4, ge=1, le=64)
    per_host_delay: float = Field(default=0.0, ge=0)
    # Sources in flight; 0 derives it from the CPU count (sources_in_flight).
    source_concurrency: int = Field(default=0, ge=0, le=MAX_SOURCE_CONCURRENCY)
    extract_workers: int = Field(default=0, ge=0, le=64, description="0 means one per CPU core")
    batch_size: int = Field(default=64, ge=1, le=2000)
    max_retries: int = Field(default=2, ge=0, le=10)
    max_retry_after: float = Field(default=30.0, ge=0)
    max_urls_per_source: int = Field(default=5000, ge=1)
    respect_robots: bool = True
    # A robots.txt read this recently by an earlier run is not asked again (RFC 9309 allows a day).
    robots_cache_seconds: int = Field(default=3600, ge=0, le=86400)
    near_duplicate_threshold: float = Field(default=0.8, gt=0, le=1)
    progress: bool | None = Field(default=None, description="None: show bars only on a terminal")
    # How long a run waits out a database restart (or a SQLite lock) before it stops.
    db_retry_seconds: float = Field(default=60.0, ge=0)
    # The raw archive (WARC): a folder or an fsspec URL (memory://, s3://…), or "off".
    archive: str = "data/warc"
    archive_file_bytes: int = Field(default=1_000_000_000, ge=1, description="rotate files past this size")
    # Ages after first seen at which a stored article is fetched again ("" turns refreshing off),
    # and how many refetches one run makes at most (newsflow.refresh).
    refresh_ages: str = DEFAULT_REFRESH_AGES
    max_refresh_per_run: int = Field(default=1000, ge=0)

    @field_validator("database_url")
    @classmethod
    def _usable_database_url(cls, value: str) -> str:
        return check_database_url(value)

    @field_validator("archive")
    @classmethod
    def _usable_archive(cls, value: str) -> str:
        return check_archive(value)

    @field_validator("refresh_ages")
    @classmethod
    def _usable_refresh_ages(cls, value: str) -> str:
        parse_refresh_ages(value)
        return value


def check_archive(value: str) -> str:
    """`value` if it is "off", a folder or a URL of an fsspec filesystem this install knows."""
    import fsspec

    value = value.strip()
    if not value:
        raise ValueError(
            "empty; use a folder such as data/warc, an fsspec URL such as s3://bucket/warc, or off"
        )
    protocol, separator, _ = value.partition("://")
    if separator and protocol.lower() not in fsspec.available_protocols():
        raise ValueError(
            f"{value!r}: fsspec knows no filesystem {protocol!r}; use a folder, a known URL, or off"
        )
    return value


def check_database_url(url: str) -> str:
    """`url` if newsflow can store articles there; ValueError naming the accepted forms if not."""
    url = url.strip()
    if url.startswith(_SQLITE_PREFIX) and len(url) > len(_SQLITE_PREFIX):
        return url
    scheme, separator, rest = url.partition("://")
    if separator and scheme.lower() in _POSTGRES_SCHEMES and rest.split("/", 1)[0].rsplit("@", 1)[-1]:
        return url
    shown = repr(_without_password(url)) if url else "empty"
    kind = scheme.split("+")[0].lower()
    if separator and kind and kind != "sqlite" and kind not in _POSTGRES_SCHEMES:
        shown += f" (newsflow stores to SQLite or PostgreSQL, not {kind})"
    raise ValueError(f"{shown} is not a database URL newsflow can use; use {DATABASE_URL_FORMS}")


def _without_password(url: str) -> str:
    """`url` with its password starred out, fit for an error message."""
    scheme, separator, rest = url.partition("://")
    userinfo, at, host = rest.partition("@")
    if not (separator and at and ":" in userinfo):
        return url
    return f"{scheme}://{userinfo.split(':', 1)[0]}:***@{host}"


def load_settings(**overrides: object) -> Settings:
    """Read settings from the environment and .env, with explicit overrides; ConfigError if invalid."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        errors = exc.errors()
        if [e["loc"] for e in errors] in ([("database_url",)], [("DATABASE_URL",)]):
            # The one setting every user meets first gets a message of its own.
            message = str(errors[0]["msg"]).removeprefix("Value error, ")
            raise ConfigError(f"DATABASE_URL: {message}") from exc
        problems = "; ".join(
            f"{_variable(err['loc'])}: {str(err['msg']).removeprefix('Value error, ')}" for err in errors
        )
        raise ConfigError(f"invalid settings ({problems}); check your environment and .env") from exc


def _variable(loc: tuple[int | str, ...]) -> str:
    """The environment variable behind a settings field, as the user sets it."""
    name = ".".join(str(p) for p in loc) or "settings"
    if name.lower() == "database_url":
        return "DATABASE_URL"
    return f"NEWSFLOW_{name.upper()}" if name in Settings.model_fields else name


@dataclass(frozen=True, slots=True)
class RunConfig:
    """The settings a run's tasks read, as plain values (no pydantic model crosses into a task).

    Every field is copied by name from Settings (`from_settings`), so a new setting a task needs
    is declared here once more and nowhere else.
    """

    database_url: str
    user_agent: str
    connect_timeout: float
    read_timeout: float
    max_page_bytes: int
    max_feed_bytes: int
    fetch_concurrency: int
    source_concurrency: int
    per_host_concurrency: int
    per_host_delay: float
    extract_workers: int
    batch_size: int
    max_retries: int
    max_retry_after: float
    max_urls_per_source: int
    respect_robots: bool
    robots_cache_seconds: int
    near_duplicate_threshold: float
    db_retry_seconds: float
    archive: str
    archive_file_bytes: int
    refresh_ages: str
    max_refresh_per_run: int

    @classmethod
    def from_settings(cls, settings: Settings) -> RunConfig:
        """The run configuration of `settings`: the one place it is derived."""
        values = {f.name: getattr(settings, f.name) for f in fields(cls)}
        values["source_concurrency"] = sources_in_flight(settings.source_concurrency, os.cpu_count())
        return cls(**values)
