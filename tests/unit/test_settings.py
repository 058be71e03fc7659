from __future__ import annotations

from pathlib import Path

import pytest

from newsflow.errors import ConfigError
from newsflow.settings import load_settings


def test_defaults() -> None:
    settings = load_settings()
    assert settings.database_url == "sqlite:///data/newsflow.db"
    assert settings.sources == Path("sources.yaml")


def test_environment_and_dotenv(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        "DATABASE_URL=sqlite:///x.db\nNEWSFLOW_BATCH_SIZE=7\nSOMETHING_ELSE=ignored\n", encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NEWSFLOW_SOURCES", "/etc/newsflow/sources.yaml")
    settings = load_settings()
    assert settings.database_url == "sqlite:///x.db"
    assert settings.batch_size == 7
    assert settings.sources == Path("/etc/newsflow/sources.yaml")


def test_invalid_values_name_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSFLOW_FETCH_CONCURRENCY", "lots")
    with pytest.raises(ConfigError, match="fetch_concurrency"):
        load_settings()
