"""deployments.yaml is a valid prefect.yaml whose parameters, schedules and limits fit its flows."""

from __future__ import annotations

from datetime import UTC, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from prefect.cli.deploy._models import PrefectYamlModel
from prefect.cli.deploy._schedules import _schedule_config_to_deployment_schedule
from prefect.client.schemas.objects import ConcurrencyLimitStrategy
from prefect.client.schemas.schedules import IntervalSchedule
from prefect.flows import load_flow_from_entrypoint
from prefect.utilities.callables import parameter_schema
from prefect.utilities.schema_tools.validation import validate
from typer.testing import CliRunner

from newsflow.errors import ConfigError
from newsflow.flows.backfill import backfill
from newsflow.flows.cli import app
from newsflow.flows.ingest import ingest, ingest_run_name
from newsflow.flows.serve import REPO_ROOT, build_deployments
from newsflow.flows.shards import SHARD_DEPLOYMENT

DEPLOYMENTS = REPO_ROOT / "deployments.yaml"


def _raw() -> dict[str, Any]:
    data = yaml.safe_load(DEPLOYMENTS.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _entries() -> dict[str, dict[str, Any]]:
    """The file's deployments by flow/name, as Prefect names them (names are unique per flow)."""
    return {
        f"{entry['entrypoint'].rsplit(':', 1)[1]}/{entry['name']}": entry for entry in _raw()["deployments"]
    }


def test_the_file_passes_prefects_own_prefect_yaml_model() -> None:
    # `prefect deploy` skips a file that fails this model with only a yellow warning.
    model = PrefectYamlModel.model_validate(_raw())
    assert [d.name for d in model.deployments] == ["scheduled", "shard", "by-date", "by-date"]
    assert model.pull == [
        {"prefect.deployments.steps.set_working_directory": {"directory": "{{ $NEWSFLOW_HOME }}"}}
    ]
    assert model.build is None and model.push is None
    for deployment in model.deployments:
        assert deployment.work_pool is not None and deployment.work_pool.name == "newsflow"


@pytest.mark.parametrize(
    ("name", "flow_name"),
    [
        ("ingest/scheduled", "ingest"),
        ("ingest/shard", "ingest"),
        ("backfill/by-date", "backfill"),
        ("reextract/by-date", "reextract"),
    ],
)
def test_each_entrypoint_loads_its_flow_from_the_checkout(name: str, flow_name: str) -> None:
    entry = _entries()[name]
    flow = load_flow_from_entrypoint(str(REPO_ROOT / entry["entrypoint"]), use_placeholder_flow=False)
    assert flow.name == flow_name


def test_scheduled_parameters_are_complete_for_the_ingest_flow() -> None:
    # A scheduled run gets exactly these parameters, so they must satisfy the schema on their own.
    schema = parameter_schema(ingest).model_dump()
    assert validate(_entries()["ingest/scheduled"]["parameters"], schema) == []
    assert validate({"source_names": "news-az"}, schema) != []


def test_backfill_parameters_are_dates_so_the_ui_form_shows_date_pickers() -> None:
    schema = parameter_schema(backfill).model_dump()
    for name in ("since", "until"):
        assert schema["properties"][name]["type"] == "string"
        assert schema["properties"][name]["format"] == "date"
    assert schema["required"] == ["since", "until"]
    # The file leaves the window to the person running it: the form must ask for both dates.
    missing = " ".join(e.message for e in validate(_entries()["backfill/by-date"]["parameters"], schema))
    assert "'since' is a required property" in missing and "'until' is a required property" in missing
    good = {"since": "2025-06-01", "until": "2025-06-07", "source_names": ["news-az"]}
    assert validate(good, schema) == []
    assert validate({**good, "until": "next week"}, schema) != []
    assert validate({**good, "since": "2025-13-01"}, schema) != []


def test_the_ingest_runs_every_fifteen_minutes_and_never_piles_up() -> None:
    entry = _entries()["ingest/scheduled"]
    [schedule] = [_schedule_config_to_deployment_schedule(raw) for raw in entry["schedules"]]
    assert isinstance(schedule["schedule"], IntervalSchedule)
    assert schedule["schedule"].interval == timedelta(minutes=15)
    # Anchored on a quarter hour, so every run starts (and is named) at :00, :15, :30 or :45 UTC.
    anchor = schedule["schedule"].anchor_date.astimezone(UTC)
    assert (anchor.minute % 15, anchor.second, schedule["schedule"].timezone) == (0, 0, "UTC")
    assert schedule.get("active", True) is True
    limit = entry["concurrency_limit"]
    assert limit["limit"] == 1
    assert ConcurrencyLimitStrategy(limit["collision_strategy"]) is ConcurrencyLimitStrategy.CANCEL_NEW


def test_the_shard_deployment_is_started_by_the_ingest_only_and_never_cancelled() -> None:
    # Its runs start while the scheduled run holds that deployment's only slot, so no limit here.
    entry = _entries()["ingest/shard"]
    assert not entry["schedules"] and "concurrency_limit" not in entry
    assert f"ingest/{entry['name']}" == SHARD_DEPLOYMENT
    schema = parameter_schema(ingest).model_dump()
    assert validate({**_entries()["ingest/scheduled"]["parameters"], "shards": 4, "shard": 3}, schema) == []
    assert validate({"shards": 0}, schema) != []


def test_the_backfill_has_no_schedule_and_a_valid_limit() -> None:
    entry = _entries()["backfill/by-date"]
    assert not entry["schedules"]
    ConcurrencyLimitStrategy(entry["concurrency_limit"]["collision_strategy"])
    assert "backfill" in entry["tags"]


def test_serve_builds_the_same_deployments_the_file_describes() -> None:
    built = {f"{d.flow_name}/{d.name}": d for d in build_deployments(DEPLOYMENTS)}
    assert set(built) == {"ingest/scheduled", "ingest/shard", "backfill/by-date", "reextract/by-date"}
    scheduled, by_date = built["ingest/scheduled"], built["backfill/by-date"]
    reextract = built["reextract/by-date"]
    assert reextract.schedules == [] and set(reextract.tags) >= {"newsflow", "reextract"}
    reextract_schema = reextract._parameter_openapi_schema.model_dump()["properties"]
    assert reextract_schema["since"]["anyOf"][0]["format"] == "date"
    assert scheduled.flow_name == "ingest" and by_date.flow_name == "backfill"
    [schedule] = scheduled.schedules
    assert isinstance(schedule.schedule, IntervalSchedule)
    assert schedule.schedule.interval == timedelta(seconds=900) and schedule.active
    assert schedule.schedule.anchor_date.astimezone(UTC).minute % 15 == 0
    assert scheduled.concurrency_limit == 1
    assert scheduled.concurrency_options is not None
    assert scheduled.concurrency_options.collision_strategy is ConcurrencyLimitStrategy.CANCEL_NEW
    assert by_date.schedules == []
    assert set(by_date.tags) >= {"newsflow", "backfill"}
    assert by_date.enforce_parameter_schema
    properties = by_date._parameter_openapi_schema.model_dump()["properties"]
    assert properties["since"]["format"] == properties["until"]["format"] == "date"


def test_flow_run_names_say_what_ran() -> None:
    name = ingest_run_name()
    assert name.startswith("ingest-") and len(name) == len("ingest-2025-06-03T12-00")
    assert backfill.flow_run_name == "backfill-{since}-to-{until}"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "deployments.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("deployments: []\n", "non-empty 'deployments:'"),
        ("deployments:\n  - name: x\n", "needs 'name' and 'entrypoint'"),
        ("deployments:\n  - name: x\n    entrypoint: flows/nope.py:f\n", "flows/nope.py:f"),
        (
            "deployments:\n  - name: x\n    entrypoint: flows/ingest.py:ingest\n"
            "    schedules:\n      - interval: 60\n        cron: '* * * * *'\n",
            "schedules[0]",
        ),
        (
            "deployments:\n  - name: x\n    entrypoint: flows/ingest.py:ingest\n"
            "    schedules:\n      - interval: soon\n",
            "schedules[0] is invalid: interval",
        ),
        (
            "deployments:\n  - name: x\n    entrypoint: flows/ingest.py:ingest\n"
            "    concurrency_limit: {limit: 1, collision_strategy: SOMETIMES}\n",
            "concurrency_limit is invalid",
        ),
        (
            "deployments:\n  - name: x\n    entrypoint: flows/ingest.py:ingest\n"
            "    triggers:\n      - type: event\n        posture: Sometimes\n",
            "deployment 'x' triggers are invalid",
        ),
    ],
)
def test_a_bad_deployments_file_is_a_config_error_that_names_the_problem(
    tmp_path: Path, text: str, message: str
) -> None:
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("]", r"\]")):
        build_deployments(_write(tmp_path, text))


def test_triggers_are_read_like_prefect_deploy_reads_them(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "deployments:\n  - name: x\n    entrypoint: flows/on_new_articles.py:new_articles\n"
        "    triggers:\n      - type: event\n        expect: [newsflow.articles.stored]\n"
        "        parameters: {source: '{{ event.payload.source }}'}\n",
    )
    [deployment] = build_deployments(path)
    [trigger] = deployment.triggers
    assert trigger.name == "x__automation_1"
    assert getattr(trigger, "expect", None) == {"newsflow.articles.stored"}
    assert getattr(trigger, "parameters", None) == {"source": "{{ event.payload.source }}"}


def test_iso_intervals_and_cron_schedules_are_read_like_prefect_deploy_reads_them(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "deployments:\n  - name: x\n    entrypoint: flows/ingest.py:ingest\n"
        "    schedules:\n      - interval: PT15M\n      - cron: '0 3 * * *'\n        timezone: Europe/Paris\n"
        "        active: false\n",
    )
    [deployment] = build_deployments(path)
    interval, cron = deployment.schedules
    assert isinstance(interval.schedule, IntervalSchedule)
    assert interval.schedule.interval == timedelta(minutes=15)
    assert cron.active is False and getattr(cron.schedule, "timezone", None) == "Europe/Paris"


def test_serve_with_a_missing_deployments_file_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sources = tmp_path / "sources.yaml"
    sources.write_text('sources:\n  - name: a\n    feeds: ["https://example.com/feed"]\n', encoding="utf-8")
    monkeypatch.setenv("NEWSFLOW_SOURCES", str(sources))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite'}")
    result = CliRunner().invoke(app, ["serve", "--deployments", str(tmp_path / "missing.yaml")])
    assert result.exit_code == 2, result.output
    assert "missing.yaml not found" in result.output


def test_serve_without_a_sources_file_exits_2_before_serving(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSFLOW_SOURCES", str(tmp_path / "nowhere.yaml"))
    result = CliRunner().invoke(app, ["serve", "--deployments", str(DEPLOYMENTS)])
    assert result.exit_code == 2, result.output
    assert "nowhere.yaml not found" in result.output


def test_keys_prefect_accepts_are_accepted_even_ones_newsflow_does_not_use(tmp_path: Path) -> None:
    # Read with Prefect's own model: a schedule's `replaces`, a deployment's `version` or a key a
    # newer Prefect adds are Prefect's business, not a reason to refuse the file.
    path = _write(
        tmp_path,
        "deployments:\n  - name: x\n    entrypoint: flows/ingest.py:ingest\n    version: '1.2'\n"
        "    a_key_from_a_newer_prefect: true\n"
        "    schedules:\n      - interval: 900\n        slug: quarter\n        replaces: every-15\n",
    )
    [deployment] = build_deployments(path)
    [schedule] = deployment.schedules
    assert schedule.slug == "quarter"
    assert deployment.version == "1.2"


def test_serve_without_a_prefect_server_refuses_with_one_line_saying_how_to_start_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sources = tmp_path / "sources.yaml"
    sources.write_text('sources:\n  - name: a\n    feeds: ["https://example.com/feed"]\n', encoding="utf-8")
    monkeypatch.setenv("NEWSFLOW_SOURCES", str(sources))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite'}")
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    from prefect.settings import PREFECT_API_URL, temporary_settings

    # Unset even while the session's test server (set as a temporary setting) is up.
    with temporary_settings(restore_defaults={PREFECT_API_URL}):
        result = CliRunner().invoke(app, ["serve", "--deployments", str(DEPLOYMENTS)])
    assert result.exit_code == 2, result.output
    [line] = result.stderr.strip().splitlines()
    assert "needs a running Prefect server" in line and "prefect server start" in line
    assert "PREFECT_API_URL=http://127.0.0.1:4200/api" in line
