"""The `newsflow` command: ingest, backfill, reextract, serve, db upgrade; sources add/check
(flows.sources_cli); articles, export, stats (flows.data)."""

from __future__ import annotations

import os
from datetime import date, datetime
from multiprocessing import resource_tracker
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from newsflow.errors import ConfigError, Interrupted, NewsflowError
from newsflow.flows.data import articles_app
from newsflow.flows.data import export as export_command
from newsflow.flows.data import stats as stats_command
from newsflow.flows.sources_cli import sources_app
from newsflow.runtime.gc_freeze import freeze_survivors
from newsflow.runtime.malloc_tuning import tune_malloc
from newsflow.runtime.stop import (
    quit_now,
    request_stop,
    stop_on_signals,
    stop_requested,
    terminal_interrupts_blocked,
)

if TYPE_CHECKING:
    from newsflow.flows.temporary_server import TemporaryServer
    from newsflow.settings import Settings

app = typer.Typer(add_completion=False, no_args_is_help=True, help="News ingestion on Prefect.")
db_app = typer.Typer(no_args_is_help=True, help="Database schema commands.")
app.add_typer(db_app, name="db")
app.add_typer(sources_app, name="sources")
app.add_typer(articles_app, name="articles")
app.command("export")(export_command)
app.command("stats")(stats_command)

SourcesOption = Annotated[
    Path | None,
    typer.Option(
        "--sources", help="Sources file (default: $NEWSFLOW_SOURCES or ./sources.yaml).", show_default=False
    ),
]
SourceNames = Annotated[
    list[str] | None, typer.Option("--source", help="Only this source (repeatable).", show_default=False)
]


INTERRUPTED = 130  # 128 + SIGINT, as shells report a command stopped by Ctrl-C
STOPPING = "newsflow: stopping after the batch in flight; Ctrl-C again quits at once\n"

# True in the `newsflow` process itself (main), not when a test invokes `app` in its own process.
_own_process = False


def _fail(message: str, code: int) -> typer.Exit:
    typer.secho(f"newsflow: {message}", err=True, fg=typer.colors.RED)
    return typer.Exit(code)


def _report(state: Any) -> None:
    """Print one line per source and exit non-zero when the run failed."""
    from newsflow.flows.summary import RunSummary

    summary = state.result(raise_on_failure=False)
    if state.is_cancelled():
        # Ctrl-C: the flow run ended Cancelled after storing the batch in flight.
        typer.secho(state.message or "interrupted; run the same command to resume", err=True)
        raise typer.Exit(INTERRUPTED)
    if isinstance(summary, NewsflowError):  # the run stopped on purpose (database gone): its one line
        raise _fail(str(summary), 1)
    if not isinstance(summary, RunSummary):
        raise _fail(f"the run failed: {state.message or summary}", 1)
    for report in summary.reports:
        if report.source_failed:
            typer.secho(f"{report.source}: FAILED: {report.error}", err=True, fg=typer.colors.RED)
        else:
            status = " (blocked)" if report.blocked else ""
            typer.echo(
                f"{report.source}{status}: {report.discovered} discovered, {report.fetched} fetched, "
                f"{report.new} new, {report.duplicate} duplicate, {report.not_modified} not modified, "
                f"{report.failed} failed, {report.skipped} skipped"
                + (f", {report.refreshed} refreshed, {report.updated} updated" if report.refreshed else "")
            )
    if summary.all_sources_failed:
        raise _fail(summary.message(), 1)
    typer.echo(summary.message())


def _imports_done() -> None:
    """Called once the flow's modules are imported: freeze them, so the run's collections skip them."""
    if _own_process:
        freeze_survivors()


def _run(call: Any) -> None:
    if _own_process:
        # Ctrl-C or SIGTERM during an ingest or a backfill stops it gracefully (serve keeps
        # Prefect's own).
        stop_on_signals(_on_interrupt)
    try:
        state = call()
    except ConfigError as exc:
        raise _fail(str(exc), 2) from None
    except Interrupted as exc:  # Ctrl-C before the flow run began
        typer.secho(str(exc), err=True)
        raise typer.Exit(INTERRUPTED) from None
    except NewsflowError as exc:
        raise _fail(str(exc), 1) from None
    _report(state)


def _settings(sources: Path | None) -> Settings:
    from newsflow.settings import load_settings

    return load_settings(**({"sources": sources} if sources else {}))


def _prevalidate(settings: Settings, names: list[str] | None) -> None:
    # Fail on bad configuration before Prefect starts, so the user sees one line, not a flow run.
    from newsflow.flows.run import read_sources_file
    from newsflow.sources import select_sources
    from newsflow.storage.db import upgrade

    select_sources(read_sources_file(settings.sources), names, path=str(settings.sources))
    upgrade(settings.database_url)


def _early_server() -> TemporaryServer | None:
    """Prefect's temporary API server, started at once when none is configured (the `newsflow`
    process only: a test brings its own), so that its start-up overlaps the command's."""
    if not _own_process:
        return None
    from newsflow.flows.temporary_server import start_early

    return start_early()


def _start_children(settings: Settings, server: TemporaryServer | None) -> None:
    """Start the extraction fork server out of the terminal's Ctrl-C (this process stops it at
    exit), and point Prefect at the temporary API server once it answers."""
    from newsflow.flows.temporary_server import use_or_stop
    from newsflow.tasks.extraction_pool import resolve_workers, start_fork_server

    # multiprocessing's resource tracker unblocks SIGINT once it has started: start it first.
    # After a quit at once (a second Ctrl-C) it removes the pool's semaphores, as it should, and
    # warns about them on the terminal after the prompt came back: that warning is not for users.
    previous = os.environ.get("PYTHONWARNINGS")
    os.environ["PYTHONWARNINGS"] = ",".join(
        filter(None, [previous, "ignore::UserWarning:multiprocessing.resource_tracker"])
    )
    try:
        resource_tracker.ensure_running()
    finally:
        if previous is None:
            del os.environ["PYTHONWARNINGS"]
        else:
            os.environ["PYTHONWARNINGS"] = previous
    with terminal_interrupts_blocked():
        start_fork_server(resolve_workers(settings.extract_workers))
    if not use_or_stop(server):
        from prefect.settings import PREFECT_API_URL

        from newsflow.flows.prefect_api import require_answering

        if PREFECT_API_URL.value():
            require_answering(str(PREFECT_API_URL.value()))


@app.command()
def ingest(sources: SourcesOption = None, source: SourceNames = None) -> None:
    """Fetch new articles from every configured source (or only --source NAME)."""

    def call() -> Any:
        settings = _settings(sources)
        server = _early_server()
        _prevalidate(settings, source)
        _start_children(settings, server)
        from prefect import tags

        from newsflow.flows.ingest import ingest as ingest_flow
        from newsflow.tasks.progress import progress_bars

        _imports_done()
        # The same tags as the deployments', so CLI runs filter alongside scheduled ones in the UI.
        with progress_bars(settings.progress), tags("newsflow", "ingest"):
            return ingest_flow(str(sources) if sources else None, source, return_state=True)

    _run(call)


def _parse_day(value: str, option: str) -> date:
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise _fail(f"{option} {value!r} is not a date; use YYYY-MM-DD", 2) from None


@app.command()
def backfill(
    since: Annotated[str, typer.Option("--since", help="First day, YYYY-MM-DD (UTC, inclusive).")],
    until: Annotated[str, typer.Option("--until", help="Last day, YYYY-MM-DD (UTC, inclusive).")],
    sources: SourcesOption = None,
    source: SourceNames = None,
) -> None:
    """Ingest the articles published between --since and --until, one day at a time."""
    first, last = _parse_day(since, "--since"), _parse_day(until, "--until")

    def call() -> Any:
        from newsflow.window import days_between

        days_between(first, last)
        settings = _settings(sources)
        server = _early_server()
        _prevalidate(settings, source)
        _start_children(settings, server)
        from prefect import tags

        from newsflow.flows.backfill import backfill as backfill_flow

        _imports_done()
        with tags("newsflow", "backfill"):
            return backfill_flow(first, last, source, str(sources) if sources else None, return_state=True)

    _run(call)


@app.command()
def reextract(
    since: Annotated[
        str | None, typer.Option("--since", help="First publication day, YYYY-MM-DD (UTC, inclusive).")
    ] = None,
    until: Annotated[
        str | None, typer.Option("--until", help="Last publication day, YYYY-MM-DD (UTC, inclusive).")
    ] = None,
    source: SourceNames = None,
    warc: Annotated[
        list[str] | None,
        typer.Option(
            "--warc",
            help="Read the pages from this WARC file (repeatable) instead of the archive; needs one --source.",
            show_default=False,
        ),
    ] = None,
    sources: SourcesOption = None,
) -> None:
    """Extract stored articles again from their archived pages (no network); update those that changed."""
    first = _parse_day(since, "--since") if since else None
    last = _parse_day(until, "--until") if until else None

    def call() -> Any:
        from newsflow.flows.reextract import publication_bounds, warc_source
        from newsflow.storage.db import upgrade

        publication_bounds(first, last)
        settings = _settings(sources)
        server = _early_server()
        if warc:
            warc_source(str(sources) if sources else None, source)
            missing = [path for path in warc if "://" not in path and not Path(path).is_file()]
            if missing:
                raise ConfigError(f"--warc {missing[0]}: no such file")
        upgrade(settings.database_url)
        _start_children(settings, server)
        from prefect import tags

        from newsflow.flows.reextract import reextract as reextract_flow

        _imports_done()
        with tags("newsflow", "reextract"):
            return reextract_flow(
                first, last, source, warc, str(sources) if sources else None, return_state=True
            )

    try:
        state = call()
    except ConfigError as exc:
        raise _fail(str(exc), 2) from None
    except NewsflowError as exc:
        raise _fail(str(exc), 1) from None
    report = state.result(raise_on_failure=False)
    if not state.is_completed():
        raise _fail(f"the run failed: {state.message or report}", 1)
    for where, reason in report.failures:
        typer.secho(f"{where}: {reason}", err=True, fg=typer.colors.YELLOW)
    typer.echo(report.message())


@app.command()
def serve(
    deployments: Annotated[Path, typer.Option("--deployments", help="Prefect deployments file.")] = Path(
        "deployments.yaml"
    ),
) -> None:
    """Serve every deployment in the deployments file from this process (schedules included)."""
    try:
        from newsflow.flows.serve import serve_deployments

        # Served runs read $NEWSFLOW_SOURCES and DATABASE_URL: check both now, not at the first run.
        _prevalidate(_settings(None), None)
        serve_deployments(deployments)
    except ConfigError as exc:
        raise _fail(str(exc), 2) from None
    except NewsflowError as exc:
        raise _fail(str(exc), 1) from None
    # Prefect's runner returns on Ctrl-C; what the user needs to know is what keeps going.
    typer.echo("stopped serving; the schedules stay on, and their runs wait for the next `newsflow serve`")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply every pending Alembic migration to DATABASE_URL."""
    from newsflow.settings import load_settings
    from newsflow.storage.db import upgrade

    try:
        settings = load_settings()
        upgrade(settings.database_url)
    except ConfigError as exc:
        raise _fail(str(exc), 2) from None
    except NewsflowError as exc:
        raise _fail(str(exc), 1) from None
    typer.echo("database is up to date")


def _on_interrupt(signum: int, frame: object) -> None:
    """The first Ctrl-C (or SIGTERM) stops the run after the batch in flight; the second quits at
    once."""
    if stop_requested():
        quit_now(INTERRUPTED)
    request_stop()
    # Say at once that the signal was heard (the batch in flight may take seconds). A raw write:
    # the handler may run while the main thread is inside a buffered write to stderr.
    os.write(2, STOPPING.encode())


def main() -> None:
    """Console-script entry point."""
    # Prefect's ephemeral server and client phone home by default; a news crawler should not,
    # unless asked.
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    # The temporary API server gets 20 s to start by default; on a busy 2-core machine it took
    # longer, and the run died with a 60-line traceback before fetching anything.
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    # Before any thread starts: page bodies would otherwise fragment malloc arenas (malloc_tuning).
    tune_malloc(environ=os.environ)
    global _own_process
    _own_process = True
    try:
        app(prog_name="newsflow")
    finally:
        # Interpreter shutdown would walk every object left in several full collections (0.5 s):
        # what needs closing at exit is closed by atexit handlers and reference counting.
        freeze_survivors()


if __name__ == "__main__":
    main()
