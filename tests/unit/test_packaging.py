"""What installing newsflow puts on the import path: the `newsflow` package only (issue #15)."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
import tomllib
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_the_installed_distribution_occupies_only_the_newsflow_name() -> None:
    distribution = importlib.metadata.distribution("newsflow")
    assert (distribution.read_text("top_level.txt") or "").split() == ["newsflow"]
    [script] = [e for e in distribution.entry_points if e.group == "console_scripts"]
    assert script.value == "newsflow.flows.cli:main"


def test_outside_the_checkout_flows_tasks_and_storage_are_not_importable_but_newsflow_s_are(
    tmp_path: Path,
) -> None:
    probe = (
        "import importlib.util as u\n"
        "print([u.find_spec(n) is None for n in ('flows', 'tasks', 'storage')])\n"
        "import newsflow.flows.cli, newsflow.tasks.ingest_source, newsflow.storage.db\n"
        "print(newsflow.storage.db.MIGRATIONS.joinpath('env.py').is_file())\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split("\n")[:2] == ["[True, True, True]", "True"]


def test_the_folders_stay_at_the_top_of_the_checkout_and_the_package_links_them() -> None:
    for name in ("flows", "tasks", "storage"):
        assert (REPO_ROOT / name).is_dir() and not (REPO_ROOT / name).is_symlink()
        link = REPO_ROOT / "newsflow" / name
        assert link.is_symlink() and link.resolve() == (REPO_ROOT / name).resolve()
    config = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert config["tool"]["setuptools"]["packages"]["find"]["include"] == ["newsflow*"]
