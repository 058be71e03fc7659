"""The data commands: `newsflow articles` (list, search, show), `newsflow export` and `newsflow stats`.

Thin: option values are parsed by newsflow.selection, rows read by storage.articles, rows written
by newsflow.export; this module opens the database, the output file, and the terminal.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, BinaryIO, TypeVar

import typer

from newsflow.errors import ConfigError, NewsflowError

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table
    from sqlmodel import Session

    from newsflow.export import ArticleRecord
    from newsflow.selection import ArticleFilter
    from newsflow.stats import SourceStats
    from newsflow.storage.models import ArticleRevision

T = TypeVar("T")

articles_app = typer.Typer(
    no_args_is_help=False,
    invoke_without_command=True,
    help="List and search the stored articles (newest first), or show one.",
)

SourceFilter = Annotated[
    list[str] | None,
    typer.Option("--source", metavar="NAME", help="Only this source (repeatable).", show_default=False),
]
SinceFilter = Annotated[
    str | None,
    typer.Option(
        "--since", help="Published at or after: YYYY-MM-DD or ISO date-time (UTC).", show_default=False
    ),
]
UntilFilter = Annotated[
    str | None,
    typer.Option(
        "--until", help="Published up to: YYYY-MM-DD (inclusive day) or ISO date-time.", show_default=False
    ),
]
LanguageFilter = Annotated[
    list[str] | None,
    typer.Option("--language", metavar="CODE", help="Only this language, e.g. en (repeatable)."),
]
SearchFilter = Annotated[
    str | None,
    typer.Option("--search", help="Words that must all appear in the title or text.", show_default=False),
]
DuplicatesFilter = Annotated[
    bool, typer.Option("--duplicates", help="Include duplicates (default: originals only).")
]


def _fail(message: str, code: int) -> typer.Exit:
    typer.secho(f"newsflow: {message}", err=True, fg=typer.colors.RED)
    return typer.Exit(code)


@contextmanager
def _reading() -> Iterator[Session]:
    """A read-only session on DATABASE_URL; bad input exits 2, a database problem exits 1."""
    from newsflow.settings import load_settings
    from newsflow.storage.db import read_scope, require_schema

    try:
        settings = load_settings()
        require_schema(settings.database_url)
        with read_scope(settings.database_url) as session:
            yield session
    except ConfigError as exc:
        raise _fail(str(exc), 2) from None
    except NewsflowError as exc:
        raise _fail(str(exc), 1) from None


def _filter(
    session: Session,
    *,
    source: list[str] | None,
    since: str | None,
    until: str | None,
    language: list[str] | None,
    search: str | None,
    duplicates: bool,
    limit: str | None,
) -> ArticleFilter:
    """The command line's filters; ConfigError for a bad value (`_reading` makes it exit 2)."""
    from newsflow.selection import parse_filter
    from newsflow.storage.articles import known_sources

    filters = parse_filter(
        sources=source,
        since=since,
        until=until,
        languages=language,
        search=search,
        duplicates=duplicates,
        limit=limit,
    )
    if filters.sources:
        known = known_sources(session)
        unknown = [name for name in filters.sources if name not in known]
        if unknown:
            listed = ", ".join(known) or "none yet"
            raise ConfigError(f"--source {unknown[0]!r}: no such source in the database (known: {listed})")
    return filters


@articles_app.callback()
def articles(
    ctx: typer.Context,
    source: SourceFilter = None,
    since: SinceFilter = None,
    until: UntilFilter = None,
    language: LanguageFilter = None,
    search: SearchFilter = None,
    duplicates: DuplicatesFilter = False,
    limit: Annotated[str, typer.Option("--limit", help="At most this many articles.")] = "20",
    as_json: Annotated[bool, typer.Option("--json", help="JSON Lines, one article per line.")] = False,
) -> None:
    """List the stored articles, newest published first; `articles show ID|URL` shows one."""
    if ctx.invoked_subcommand is not None:
        return
    from newsflow.export import jsonl_line
    from newsflow.storage.articles import iter_articles

    with _reading() as session:
        filters = _filter(
            session,
            source=source,
            since=since,
            until=until,
            language=language,
            search=search,
            duplicates=duplicates,
            limit=limit,
        )
        rows = iter_articles(session, filters=filters)
        if as_json:
            for record in rows:
                sys.stdout.write(jsonl_line(record))
            return
        _console().print(articles_table(list(rows), duplicates=duplicates))


@articles_app.command("show")
def show(
    key: Annotated[str, typer.Argument(help="The article's id or URL.", show_default=False)],
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object.")] = False,
) -> None:
    """Show one article with its metadata, its text, its duplicates and its revisions."""
    from newsflow.export import to_json_object
    from newsflow.storage.articles import duplicates_of, find_article
    from newsflow.storage.refresh import article_revisions

    with _reading() as session:
        record = find_article(session, key=key)
        if record is None:
            raise _fail(f"no article with id or URL {key!r}", 2)
        # A duplicate shows its original's other copies too: the whole group.
        duplicates = duplicates_of(session, article_id=record.duplicate_of or record.id)
        original = find_article(session, key=str(record.duplicate_of)) if record.duplicate_of else None
        revisions = [_revision_json(r) for r in article_revisions(session, article_id=record.id)]
    if as_json:
        shown = to_json_object(record)
        shown["duplicates"] = [_copy_json(d) for d in duplicates if d.id != record.id]
        shown["original"] = _copy_json(original) if original is not None else None
        shown["revisions"] = revisions
        typer.echo(json.dumps(shown, ensure_ascii=False, indent=2))
        return
    console = _console()
    console.print(article_table(record, original=original))
    console.print(record.text, markup=False, highlight=False)
    others = [d for d in duplicates if d.id != record.id]
    if others:
        console.print(copies_table(others))
    if revisions:
        console.print(revisions_table(revisions))


def export(
    format: Annotated[str, typer.Option("--format", help="jsonl, csv or parquet.", show_default=False)],
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="File to write (default: standard output; parquet needs a file).",
            show_default=False,
        ),
    ] = None,
    source: SourceFilter = None,
    since: SinceFilter = None,
    until: UntilFilter = None,
    language: LanguageFilter = None,
    search: SearchFilter = None,
    duplicates: DuplicatesFilter = False,
    limit: Annotated[str | None, typer.Option("--limit", help="At most this many articles.")] = None,
) -> None:
    """Export the stored articles (by id), streamed: columns in README "Use the data"."""
    from newsflow.export import WRITERS, parse_format
    from newsflow.storage.articles import iter_articles

    try:
        kind = parse_format(format)
        if kind == "parquet" and out is None:
            raise ConfigError("--format parquet needs --out PATH (Parquet is not written to a terminal)")
    except ConfigError as exc:
        raise _fail(str(exc), 2) from None
    with _reading() as session:
        filters = _filter(
            session,
            source=source,
            since=since,
            until=until,
            language=language,
            search=search,
            duplicates=duplicates,
            limit=limit,
        )
        rows = iter_articles(session, filters=filters, order="id")
        writer = WRITERS[kind]
        if out is None:
            count = writer(rows, sys.stdout.buffer)
            sys.stdout.flush()
        else:
            count = _write_file(out, lambda stream: writer(rows, stream))
    typer.echo(f"exported {count} articles" + (f" to {out}" if out is not None else ""), err=True)


def _write_file(path: Path, write: Callable[[BinaryIO], T]) -> T:
    """`write` into a temporary file beside `path`, renamed to `path` once complete: a failed or
    interrupted export leaves nothing behind. An unwritable place exits 2 with one line."""
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise _fail(f"--out {path}: is a folder; name a file", 2)
    # mkstemp's file is private (0600); the export gets the usual mode, or the one it replaces.
    mode = path.stat().st_mode & 0o7777 if path.exists() else 0o644
    try:
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".part")
    except OSError as exc:
        raise _fail(
            f"--out {path}: cannot write in {folder} ({exc.strerror}); choose a writable path", 2
        ) from None
    try:
        with os.fdopen(handle, "wb") as stream:
            result = write(stream)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException as exc:
        Path(temporary).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise _fail(
                f"--out {path}: writing failed ({exc.strerror or exc}); nothing was written", 1
            ) from None
        raise
    return result


def stats(
    as_json: Annotated[bool, typer.Option("--json", help="A JSON array, one object per source.")] = False,
) -> None:
    """Per source: articles, duplicates, share dated and with authors, languages, health."""
    from newsflow.stats import stats_json
    from newsflow.storage.articles import source_stats

    with _reading() as session:
        rows = source_stats(session)
    if as_json:
        typer.echo(json.dumps([stats_json(s) for s in rows], ensure_ascii=False, indent=2))
        return
    _console().print(stats_table(rows))


def _console() -> Console:
    from rich.console import Console

    # A wide virtual terminal when piped, so that lines are not cut at 80 columns.
    return Console(width=None if sys.stdout.isatty() else 200, soft_wrap=False)


def _when(record: ArticleRecord) -> str:
    return f"{record.published_at:%Y-%m-%d %H:%M}" if record.published_at else "-"


def articles_table(rows: list[ArticleRecord], *, duplicates: bool) -> Table:
    """The listing: one line per article."""
    from rich.table import Table

    table = Table(title=f"{len(rows)} articles", title_justify="left")
    # "day" is the page's own (published_day); the UTC time can fall on the day after or before.
    for name in ("id", "day", "published (UTC)", "source", "lang", "title", "url"):
        table.add_column(name, overflow="fold" if name == "url" else "ellipsis")
    if duplicates:
        table.add_column("duplicate of")
    for record in rows:
        cells = [
            str(record.id),
            record.published_day.isoformat() if record.published_day else "-",
            _when(record),
            record.source,
            record.language or "-",
            _one_line(record.title),
            record.url,
        ]
        if duplicates:
            cells.append(f"{record.duplicate_of} ({record.duplicate_kind})" if record.duplicate_of else "")
        table.add_row(*cells)
    return table


def article_table(record: ArticleRecord, *, original: ArticleRecord | None) -> Table:
    """One article's metadata, a field per line."""
    from rich.table import Table

    from newsflow.export import iso

    table = Table(
        show_header=False,
        title=_one_line(record.title) if record.title else "(untitled)",
        title_justify="left",
    )
    table.add_column("field", style="bold")
    table.add_column("value", overflow="fold")
    fields: list[tuple[str, str | None]] = [
        ("id", str(record.id)),
        ("url", record.url),
        ("fetched_url", record.fetched_url if record.fetched_url != record.url else None),
        ("source", record.source),
        (
            "published_at",
            f"{iso(record.published_at)} ({record.published_at_source})" if record.published_at else None,
        ),
        ("published_day", record.published_day.isoformat() if record.published_day else None),
        ("modified_at", iso(record.modified_at)),
        ("language", record.language),
        ("authors", ", ".join(record.authors) or None),
        ("tags", ", ".join(record.tags) or None),
        ("site_name", record.site_name),
        ("description", record.description),
        ("image", record.image),
        ("paywalled", None if record.paywalled is None else str(record.paywalled).lower()),
        ("duplicate_of", f"{original.id} {original.url} ({record.duplicate_kind})" if original else None),
        ("first_seen_at", iso(record.first_seen_at)),
        ("updated_at", iso(record.updated_at)),
        ("removed_at", iso(record.removed_at)),  # gone at its URL when fetched again (404/410)
        ("content_hash", record.content_hash),
    ]
    for name, value in fields:
        if value is not None:
            table.add_row(name, value)
    return table


def _dated(record: ArticleRecord) -> str | None:
    from newsflow.export import iso

    if record.published_at is None:
        return None
    found_in = f" (from {record.published_at_source})" if record.published_at_source else ""
    return f"{iso(record.published_at)}{found_in}"


def _one_line(text: str | None) -> str:
    return " ".join(text.split()) if text else "-"


def copies_table(copies: list[ArticleRecord]) -> Table:
    """The other copies of an article."""
    from rich.table import Table

    table = Table(title=f"{len(copies)} duplicates", title_justify="left")
    for name in ("id", "kind", "source", "url"):
        table.add_column(name, overflow="fold")
    for copy in copies:
        table.add_row(str(copy.id), copy.duplicate_kind or "original", copy.source, copy.url)
    return table


def revisions_table(revisions: list[dict[str, object]]) -> Table:
    """An article's earlier versions, oldest first, and what the next version changed."""
    from rich.table import Table

    table = Table(title=f"{len(revisions)} revisions", title_justify="left")
    for name in ("replaced_at", "title", "change"):
        table.add_column(name, overflow="fold")
    for revision in revisions:
        title = revision["title"]
        table.add_row(
            str(revision["replaced_at"]),
            _one_line(title) if isinstance(title, str) else "",
            str(revision["summary"]),
        )
    return table


def _revision_json(revision: ArticleRevision) -> dict[str, object]:
    from newsflow.export import iso

    return {
        "replaced_at": iso(revision.replaced_at),
        "fetched_at": iso(revision.fetched_at),
        "title": revision.title,
        "content_hash": revision.content_hash,
        "published_at": iso(revision.published_at),
        "modified_at": iso(revision.modified_at),
        "words_added": revision.words_added,
        "words_removed": revision.words_removed,
        "title_changed": revision.title_changed,
        "summary": revision.summary,
        "text": revision.text,
    }


def stats_table(rows: list[SourceStats]) -> Table:
    """`newsflow stats` on a terminal: the STATS_COLUMNS rows."""
    from rich.table import Table

    from newsflow.stats import STATS_COLUMNS, stats_row

    table = Table(title="sources", title_justify="left")
    for name in STATS_COLUMNS:
        table.add_column(name.replace("_", " "))
    for stats in rows:
        table.add_row(*(str(value) for value in stats_row(stats).values()))
    return table


def _copy_json(record: ArticleRecord) -> dict[str, object]:
    return {
        "id": record.id,
        "url": record.url,
        "source": record.source,
        "duplicate_kind": record.duplicate_kind,
    }
