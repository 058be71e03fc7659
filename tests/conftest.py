"""Test isolation: a private Prefect home, a clean environment, and a fresh database per test."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

# Prefect reads these at import time: set them before anything imports prefect.
_PREFECT_HOME = tempfile.mkdtemp(prefix="newsflow-prefect-")
os.environ["PREFECT_HOME"] = _PREFECT_HOME
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ["DO_NOT_TRACK"] = "1"
os.environ["PREFECT_LOGGING_TO_API_ENABLED"] = "false"
os.environ.pop("PREFECT_API_URL", None)

import pytest  # noqa: E402

# Set by .ci/run for the PostgreSQL pass; unset means SQLite.
TEST_POSTGRES_URL = os.environ.get("NEWSFLOW_TEST_DATABASE_URL", "")

_CLEARED_PREFIXES = ("NEWSFLOW_",)
_CLEARED = (
    "DATABASE_URL",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
)


_KINDS = ("unit", "e2e", "property")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark each test with its kind, the folder it lives in: `pytest -m "not e2e"` is the fast loop."""
    for item in items:
        kind = next((k for k in _KINDS if f"/tests/{k}/" in str(item.path)), None)
        if kind is not None:
            item.add_marker(kind)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """No developer settings, .env or proxies leak into a test; cwd is a fresh folder."""
    for name in list(os.environ):
        if name.startswith(_CLEARED_PREFIXES) or name in _CLEARED:
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "*")
    monkeypatch.chdir(tmp_path_factory.mktemp("cwd"))


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """One Prefect test server for the whole session (starting one costs seconds)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=60):
        yield


def _postgres_database() -> Iterator[str]:
    from tests.support.scratch_db import scratch_postgres

    with scratch_postgres(TEST_POSTGRES_URL, prefix="newsflow_") as url:
        yield url


@pytest.fixture
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh, empty database: PostgreSQL when NEWSFLOW_TEST_DATABASE_URL is set, else SQLite."""
    if TEST_POSTGRES_URL:
        yield from _postgres_database()
        return
    url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'newsflow.db'}"
    yield url
    from newsflow.storage.db import dispose_engine

    dispose_engine(url)


@pytest.fixture
def migrated_database(database_url: str) -> str:
    """A fresh database with the schema applied."""
    from newsflow.storage.db import upgrade

    upgrade(database_url)
    return database_url


@pytest.fixture
def feed_source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str) -> Callable[[str], str]:
    """use(feed_url): settings for runs over one source, "chronicle", reading that feed (the
    database, a sources file and a raw archive in tmp_path); returns the database URL."""

    def use(feed_url: str) -> str:
        sources = tmp_path / "sources.yaml"
        sources.write_text(f'sources:\n  - name: chronicle\n    feeds: ["{feed_url}"]\n')
        monkeypatch.setenv("DATABASE_URL", database_url)
        monkeypatch.setenv("NEWSFLOW_SOURCES", str(sources))
        monkeypatch.setenv("NEWSFLOW_ARCHIVE", str(tmp_path / "warc"))
        return database_url

    return use
