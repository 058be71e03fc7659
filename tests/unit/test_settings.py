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


def test_run_config_is_derived_from_settings_by_name_alone() -> None:
    from dataclasses import fields

    from newsflow.settings import RunConfig, Settings

    settings = load_settings(batch_size=7, per_host_delay=0.5, database_url="sqlite:///x.db")
    config = RunConfig.from_settings(settings)
    assert {f.name for f in fields(RunConfig)} <= set(Settings.model_fields)
    assert all(getattr(config, f.name) == getattr(settings, f.name) for f in fields(RunConfig))
    assert (config.batch_size, config.per_host_delay, config.database_url) == (7, 0.5, "sqlite:///x.db")
