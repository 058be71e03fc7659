"""Freezing long-lived objects: out of the collector's reach in the CLI process and in the
extraction workers, never in a test's own process."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from pathlib import Path

import pytest

from newsflow.flows import cli


def _python(script: str, *args: str, env: dict[str, str] | None = None) -> str:
    return subprocess.run(
        [sys.executable, "-c", script, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=True,
    ).stdout


def test_frozen_objects_leave_the_collectors_generations() -> None:
    script = (
        "import gc\nfrom newsflow.runtime.gc_freeze import freeze_survivors\n"
        "held = [[] for _ in range(1000)]\nids = set(map(id, held))\n"
        "before = sum(1 for o in gc.get_objects() if id(o) in ids)\n"
        "freeze_survivors()\ncount = gc.get_freeze_count()\n"
        "after = sum(1 for o in gc.get_objects() if id(o) in ids)\n"
        "print(before, after, count >= 1000)"
    )
    assert _python(script).split() == ["1000", "0", "True"]


def test_the_cli_process_freezes_before_interpreter_shutdown(tmp_path: Path) -> None:
    # atexit handlers registered first run last: after main() and the other handlers returned.
    script = (
        "import atexit, gc\n"
        "atexit.register(lambda: print('frozen', gc.get_freeze_count()))\n"
        "from newsflow.flows.cli import main\nmain()"
    )
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'news.db'}"
    out = _python(script, "db", "upgrade", env=env)
    assert "database is up to date" in out
    frozen = int(out.split("frozen")[-1])
    assert frozen > 10000  # typer, SQLAlchemy, Alembic and our modules


@pytest.fixture
def unfreeze() -> object:
    yield
    gc.unfreeze()


def test_the_run_freezes_its_imports_only_in_its_own_process(
    monkeypatch: pytest.MonkeyPatch, unfreeze: object
) -> None:
    gc.unfreeze()
    cli._imports_done()  # a test invoking the app: its objects must stay collectable
    assert gc.get_freeze_count() == 0
    monkeypatch.setattr(cli, "_own_process", True)
    cli._imports_done()
    assert gc.get_freeze_count() > 0
