"""`newsflow serve`: serve every deployment of deployments.yaml from one process, no work pool."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from prefect import Flow, serve
from prefect.client.schemas.objects import ConcurrencyLimitConfig
from prefect.deployments.runner import RunnerDeployment
from prefect.flows import load_flow_from_entrypoint
from prefect.schedules import Cron, Interval, RRule, Schedule
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from newsflow.errors import ConfigError

REPO_ROOT = Path(__file__).resolve().parent.parent


class ScheduleEntry(BaseModel):
    """One item of a deployment's `schedules:`, read as `prefect deploy` reads it."""

    model_config = ConfigDict(extra="forbid")

    interval: timedelta | None = None  # seconds, ISO 8601 ("PT15M") or "HH:MM:SS"
    cron: str | None = None
    rrule: str | None = None
    timezone: str | None = None
    anchor_date: datetime | None = None
    day_or: bool = True
    active: bool = True
    parameters: dict[str, Any] = {}
    slug: str | None = None

    @model_validator(mode="after")
    def _exactly_one_kind(self) -> ScheduleEntry:
        if sum(v is not None for v in (self.interval, self.cron, self.rrule)) != 1:
            raise ValueError("give exactly one of 'interval', 'cron' or 'rrule'")
        return self

    def to_schedule(self) -> Schedule:
        common: dict[str, Any] = {
            "timezone": self.timezone,
            "active": self.active,
            "parameters": self.parameters,
            "slug": self.slug,
        }
        if self.interval is not None:
            return Interval(self.interval, anchor_date=self.anchor_date, **common)
        if self.cron is not None:
            return Cron(self.cron, day_or=self.day_or, **common)
        assert self.rrule is not None
        return RRule(self.rrule, **common)


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
    for index, raw in enumerate(entry.get("schedules") or []):
        try:
            schedules.append(ScheduleEntry.model_validate(raw).to_schedule())
        except ValueError as exc:  # pydantic's ValidationError included
            raise ConfigError(
                f"{path}: deployment '{entry['name']}' schedules[{index}] is invalid: {_first_error(exc)}"
            ) from exc
    return schedules


def _concurrency(entry: dict[str, Any], path: Path) -> ConcurrencyLimitConfig | None:
    raw = entry.get("concurrency_limit")
    if raw is None:
        return None
    try:
        if isinstance(raw, int):
            return ConcurrencyLimitConfig(limit=raw)
        return ConcurrencyLimitConfig.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(
            f"{path}: deployment '{entry['name']}' concurrency_limit is invalid: {_first_error(exc)}"
        ) from exc


def _first_error(exc: ValueError) -> str:
    if isinstance(exc, ValidationError):
        error = exc.errors()[0]
        where = ".".join(str(part) for part in error["loc"])
        return f"{where}: {error['msg']}" if where else str(error["msg"])
    return str(exc)


def _load_flow(entry: dict[str, Any], path: Path) -> Flow[..., Any]:
    # Entrypoints are relative to the checkout, as `prefect deploy` run from its root reads them.
    entrypoint = str(entry["entrypoint"])
    module_path, _, _ = entrypoint.partition(":")
    if not (REPO_ROOT / module_path).is_file():
        raise ConfigError(
            f"{path}: deployment '{entry['name']}' points at {entrypoint}, which is not a file under {REPO_ROOT}"
        )
    return load_flow_from_entrypoint(str(REPO_ROOT / entrypoint), use_placeholder_flow=False)


def build_deployments(path: Path) -> list[RunnerDeployment]:
    """RunnerDeployments for every entry of the file, with schedules and concurrency limits."""
    deployments: list[RunnerDeployment] = []
    for entry in read_deployments(path):
        flow = _load_flow(entry, path)
        deployment = flow.to_deployment(
            name=str(entry["name"]),
            schedules=_schedules(entry, path),
            concurrency_limit=_concurrency(entry, path),
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
