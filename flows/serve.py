"""`newsflow serve`: serve every deployment of deployments.yaml from one process, no work pool."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from prefect import Flow, serve
from prefect.cli.deploy._models import PrefectYamlModel, RawScheduleConfig
from prefect.cli.deploy._schedules import _schedule_config_to_deployment_schedule
from prefect.cli.deploy._triggers import _initialize_deployment_triggers
from prefect.client.schemas.actions import DeploymentScheduleCreate
from prefect.client.schemas.objects import ConcurrencyLimitConfig
from prefect.deployments.runner import RunnerDeployment
from prefect.events import DeploymentTriggerTypes
from prefect.flows import load_flow_from_entrypoint
from pydantic import ValidationError

from newsflow.errors import ConfigError
from newsflow.flows.prefect_api import require_answering
from newsflow.sources import not_valid_yaml

REPO_ROOT = Path(__file__).resolve().parent.parent


def read_deployments(path: Path) -> list[dict[str, Any]]:
    """The `deployments:` entries of a prefect.yaml-format file, read with Prefect's own model (as
    `prefect deploy` reads them, so its schema is Prefect's); ConfigError names what is wrong."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"deployments file {path} not found; pass --deployments PATH") from exc
    except yaml.YAMLError as exc:
        raise not_valid_yaml(path, exc) from exc
    if not isinstance(data, dict) or not isinstance(data.get("deployments"), list) or not data["deployments"]:
        raise ConfigError(f"{path}: expected a non-empty 'deployments:' list")
    for index, entry in enumerate(data["deployments"]):
        if not isinstance(entry, dict) or not entry.get("name") or not entry.get("entrypoint"):
            raise ConfigError(f"{path}: deployments[{index}] needs 'name' and 'entrypoint'")
        for number, schedule in enumerate(entry.get("schedules") or []):
            # Prefect's model accepts a schedule as any of several shapes and reports a failed
            # union; the YAML shape alone gives the one error a user can act on.
            try:
                RawScheduleConfig.model_validate(schedule)
            except ValidationError as exc:
                raise ConfigError(
                    f"{path}: deployment '{entry['name']}' schedules[{number}] is invalid: {_first_error(exc)}"
                ) from exc
    try:
        model = PrefectYamlModel.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"{path}: not a valid Prefect deployments file: {_first_error(exc)}") from exc
    # As `prefect deploy` hands them on: only the keys the file gives.
    return [d.model_dump(exclude_unset=True, mode="json") for d in model.deployments]


def _schedules(entry: dict[str, Any], path: Path) -> list[DeploymentScheduleCreate]:
    schedules: list[DeploymentScheduleCreate] = []
    for index, raw in enumerate(entry.get("schedules") or []):
        try:
            schedules.append(DeploymentScheduleCreate(**_schedule_config_to_deployment_schedule(raw)))
        except ValueError as exc:  # pydantic's ValidationError included
            raise ConfigError(
                f"{path}: deployment '{entry['name']}' schedules[{index}] is invalid: {_first_error(exc)}"
            ) from exc
    return schedules


def _triggers(entry: dict[str, Any], path: Path) -> list[DeploymentTriggerTypes]:
    """The entry's `triggers:` (event triggers that start a run), read as `prefect deploy` reads them."""
    specs = [dict(spec) for spec in entry.get("triggers") or []]
    try:
        return _initialize_deployment_triggers(str(entry["name"]), specs)
    except ValueError as exc:  # pydantic's ValidationError included
        raise ConfigError(
            f"{path}: deployment '{entry['name']}' triggers are invalid: {_first_error(exc)}"
        ) from exc


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
    """RunnerDeployments for every entry of the file, with schedules, concurrency limits and
    event triggers."""
    deployments: list[RunnerDeployment] = []
    for entry in read_deployments(path):
        flow = _load_flow(entry, path)
        deployment = flow.to_deployment(
            name=str(entry["name"]),
            schedules=_schedules(entry, path),
            concurrency_limit=_concurrency(entry, path),
            triggers=list(_triggers(entry, path)),
            parameters=entry.get("parameters") or {},
            tags=list(entry.get("tags") or []),
            description=entry.get("description"),
            version=entry.get("version"),
            paused=entry.get("paused"),
            **(
                {"enforce_parameter_schema": entry["enforce_parameter_schema"]}
                if entry.get("enforce_parameter_schema") is not None
                else {}
            ),
        )
        assert isinstance(deployment, RunnerDeployment)  # sync context: not a coroutine
        deployments.append(deployment)
    return deployments


def require_server() -> str:
    """The Prefect API that served runs report to; ConfigError when there is none. Without one,
    Prefect would start a temporary server that lives as long as this process: nothing else could
    reach it to trigger a run, and its schedule and history would vanish on exit."""
    from prefect.settings import PREFECT_API_URL

    url = PREFECT_API_URL.value()
    if not url:
        raise ConfigError(
            "serve needs a running Prefect server: start one with `prefect server start`, "
            "then set PREFECT_API_URL=http://127.0.0.1:4200/api "
            "(or once: `prefect config set PREFECT_API_URL=http://127.0.0.1:4200/api`)"
        )
    return str(url)


def serve_deployments(path: Path) -> None:
    """Serve until interrupted; schedules stay active afterwards (pause_on_shutdown=False)."""
    deployments = build_deployments(path)
    require_answering(require_server())
    serve(*deployments, pause_on_shutdown=False)
