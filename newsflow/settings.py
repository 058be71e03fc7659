"""The one settings object, read from the environment and `.env` at the edge (CLI, flow entry)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path

from pydantic import AliasChoices, Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from newsflow.errors import ConfigError

DEFAULT_USER_AGENT = "newsflow/0.1 (+https://github.com/newsflow/newsflow; news ingestion bot)"


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
    # The flows' thread pools hold 16 workers; this bounds how many of them run sources.
    source_concurrency: int = Field(default=4, ge=1, le=16)
    extract_workers: int = Field(default=0, ge=0, le=64, description="0 means one per CPU core")
    batch_size: int = Field(default=64, ge=1, le=2000)
    max_retries: int = Field(default=2, ge=0, le=10)
    max_retry_after: float = Field(default=30.0, ge=0)
    max_urls_per_source: int = Field(default=5000, ge=1)
    respect_robots: bool = True
    near_duplicate_threshold: float = Field(default=0.8, gt=0, le=1)
    progress: bool | None = Field(default=None, description="None: show bars only on a terminal")
    # How long a run waits out a database restart (or a SQLite lock) before it stops.
    db_retry_seconds: float = Field(default=60.0, ge=0)


def load_settings(**overrides: object) -> Settings:
    """Read settings from the environment and .env, with explicit overrides; ConfigError if invalid."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'settings'}: {err['msg']}" for err in exc.errors()
        )
        raise ConfigError(f"invalid settings ({problems}); check your environment and .env") from exc


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
    near_duplicate_threshold: float
    db_retry_seconds: float

    @classmethod
    def from_settings(cls, settings: Settings) -> RunConfig:
        """The run configuration of `settings`: the one place it is derived."""
        return cls(**{f.name: getattr(settings, f.name) for f in fields(cls)})
