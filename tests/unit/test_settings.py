from __future__ import annotations

import os
from pathlib import Path

import pytest

from newsflow.errors import ConfigError
from newsflow.settings import MAX_SOURCE_CONCURRENCY, load_settings, sources_in_flight


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
    with pytest.raises(ConfigError, match="NEWSFLOW_FETCH_CONCURRENCY: Input should be a valid integer"):
        load_settings()


def test_run_config_is_derived_from_settings_by_name_alone() -> None:
    from dataclasses import fields

    from newsflow.settings import RunConfig, Settings

    settings = load_settings(batch_size=7, per_host_delay=0.5, database_url="sqlite:///x.db")
    config = RunConfig.from_settings(settings)
    assert {f.name for f in fields(RunConfig)} <= set(Settings.model_fields)
    derived = {"source_concurrency"}  # 0 in the settings means "from the CPU count"
    assert all(
        getattr(config, f.name) == getattr(settings, f.name)
        for f in fields(RunConfig)
        if f.name not in derived
    )
    assert (config.batch_size, config.per_host_delay, config.database_url) == (7, 0.5, "sqlite:///x.db")
    assert config.source_concurrency == sources_in_flight(0, os.cpu_count())
    assert RunConfig.from_settings(load_settings(source_concurrency=3)).source_concurrency == 3


def test_sources_in_flight_scale_with_the_cores_within_bounds() -> None:
    assert [sources_in_flight(0, cpus) for cpus in (None, 1, 2, 4, 8)] == [16, 16, 32, 64, 64]
    assert sources_in_flight(5, 64) == 5  # an explicit setting wins
    with pytest.raises(ConfigError, match="NEWSFLOW_SOURCE_CONCURRENCY"):
        load_settings(source_concurrency=MAX_SOURCE_CONCURRENCY + 1)


def test_env_example_is_valid_shell_and_lists_every_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import re
    import subprocess

    from newsflow.settings import Settings

    example = Path(__file__).resolve().parents[2] / ".env.example"
    text = example.read_text(encoding="utf-8")
    shell = subprocess.run(
        ["bash", "-c", f"set -eu -a; . {example}; set +a; env"], capture_output=True, text=True, check=True
    )
    assert "NEWSFLOW_USER_AGENT=newsflow/0.1 (+https://example.org/contact" in shell.stdout
    listed = set(re.findall(r"^#? ?([A-Z_]+)=", text, flags=re.MULTILINE))
    wanted = {
        "DATABASE_URL" if n == "database_url" else f"NEWSFLOW_{n.upper()}" for n in Settings.model_fields
    }
    assert wanted <= listed, f"missing from .env.example: {sorted(wanted - listed)}"
    # And pydantic-settings reads it as a .env file, to the same values as the defaults.
    (tmp_path / ".env").write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    from_file = load_settings()
    assert from_file.user_agent.startswith("newsflow/0.1 (+https://example.org/contact")
    assert from_file.model_dump(exclude={"user_agent"}) == Settings(_env_file=None).model_dump(  # type: ignore[call-arg]
        exclude={"user_agent"}
    )


def test_the_readme_documents_every_setting() -> None:
    from newsflow.settings import Settings

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    wanted = {
        "DATABASE_URL" if n == "database_url" else f"NEWSFLOW_{n.upper()}" for n in Settings.model_fields
    }
    missing = sorted(name for name in wanted if f"`{name}`" not in readme)
    assert not missing, f"README.md does not document: {missing}"
