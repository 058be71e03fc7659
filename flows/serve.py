"""`newsflow serve`: serve every deployment of deployments.yaml from one process, no work pool."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import yaml
from prefect import Flow, serve
from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy
from prefect.deployments.runner import RunnerDeployment
from prefect.flows import load_flow_from_entrypoint
from prefect.schedules import Cron, Interval, Schedule

from newsflow.errors import ConfigError

REPO_ROOT = Path(__file__).resolve().parent.parent


def read_deployments(path: Path) -> list[dict[str, Any]]:
    """The `deployments:` entries of a prefect.yaml-format file; ConfigError names what is wrong."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"deployments file {path} not found; pass --deployments PATH") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML ({exc})") from exc
    entries = data.get("deployments") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not entries:
        raise ConfigError(f"{path}: expected a non-empty 'deployments:' list")
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict) or not entry.get("name") or not entry.get("entrypoint"):
            raise ConfigError(f"{path}: deployments[{index}] needs 'name' and 'entrypoint'")
    return entries


def _schedules(entry: dict[str, Any], path: Path) -> list[Schedule]:
    schedules: list[Schedule] = []
    for raw in entry.get("schedules") or []:
        active = bool(raw.get("active", True))
        if "interval" in raw:
            schedules.append(
                Interval(
                    timedelta(seconds=float(raw["interval"])), active=active, timezone=raw.get("timezone")
                )
            )
        elif "cron" in raw:
            schedules.append(Cron(str(raw["cron"]), active=active, timezone=raw.get("timezone")))
        else:
            raise ConfigError(
                f"{path}: deployment '{entry['name']}' has a schedule with neither 'interval' nor 'cron'"
            )
    return schedules


def _concurrency(entry: dict[str, Any]) -> ConcurrencyLimitConfig | None:
    raw = entry.get("concurrency_limit")
    if raw is None:
        return None
    if isinstance(raw, int):
        return ConcurrencyLimitConfig(limit=raw)
    return ConcurrencyLimitConfig(
        limit=int(raw["limit"]),
        collision_strategy=ConcurrencyLimitStrategy(raw.get("collision_strategy", "ENQUEUE")),
    )


def build_deployments(path: Path) -> list[RunnerDeployment]:
    """RunnerDeployments for every entry of the file, with schedules and concurrency limits."""
    deployments: list[RunnerDeployment] = []
    for entry in read_deployments(path):
        entrypoint = str(entry["entrypoint"])
        module_path, _, _ = entrypoint.partition(":")
        if not (REPO_ROOT / module_path).exists():
            raise ConfigError(
                f"{path}: deployment '{entry['name']}' points at {entrypoint}, which does not exist"
            )
        flow: Flow[..., Any] = load_flow_from_entrypoint(str(REPO_ROOT / entrypoint))
        deployment = flow.to_deployment(
            name=str(entry["name"]),
            schedules=_schedules(entry, path),
            concurrency_limit=_concurrency(entry),
            parameters=entry.get("parameters") or {},
            tags=list(entry.get("tags") or []),
            description=entry.get("description"),
        )
        assert isinstance(deployment, RunnerDeployment)  # sync context: not a coroutine
        deployments.append(deployment)
    return deployments


def serve_deployments(path: Path) -> None:
    """Serve until interrupted; schedules stay active afterwards (pause_on_shutdown=False)."""
    serve(*build_deployments(path), pause_on_shutdown=False)
