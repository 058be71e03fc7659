"""The Prefect events newsflow emits, for automations and deployment triggers (README "Use the data").

Both concern a source, as the resource `newsflow.source.<name>`; Prefect adds the flow run and
task run that emitted them as related resources.

- `newsflow.articles.stored` after each batch that wrote article rows: how many originals and
  duplicates, and the range of their ids (ids are unique, not consecutive per source: other
  sources storing at the same time may hold ids in the range, so filter on the source too).
- `newsflow.source.unhealthy` when a source's run failed (every listing failed, or every page)
  or it is blocked (403/429 walls), with the reason and its consecutive failures.
"""

from __future__ import annotations

from collections.abc import Sequence

from prefect.events import emit_event

ARTICLES_STORED = "newsflow.articles.stored"
SOURCE_UNHEALTHY = "newsflow.source.unhealthy"


def source_resource(source: str) -> dict[str, str]:
    """The event resource of a source."""
    return {"prefect.resource.id": f"newsflow.source.{source}", "prefect.resource.name": source}


def articles_stored_payload(
    source: str, *, original_ids: Sequence[int], duplicate_ids: Sequence[int], run_kind: str
) -> dict[str, object]:
    """What a stored batch says: counts, and the id range of the rows it wrote."""
    ids = [*original_ids, *duplicate_ids]
    return {
        "source": source,
        "run_kind": run_kind,
        "stored": len(ids),
        "new": len(original_ids),
        "duplicates": len(duplicate_ids),
        "first_id": min(ids) if ids else None,
        "last_id": max(ids) if ids else None,
    }


def emit_articles_stored(
    source: str, *, original_ids: Sequence[int], duplicate_ids: Sequence[int], run_kind: str
) -> None:
    """`newsflow.articles.stored` for a batch that wrote rows (none for a batch that wrote none)."""
    if not original_ids and not duplicate_ids:
        return
    payload = articles_stored_payload(
        source, original_ids=original_ids, duplicate_ids=duplicate_ids, run_kind=run_kind
    )
    emit_event(ARTICLES_STORED, resource=source_resource(source), payload=payload)


def emit_source_unhealthy(
    source: str, *, error: str | None, blocked: bool, consecutive_failures: int
) -> None:
    """`newsflow.source.unhealthy` for a source whose run failed or that is blocked."""
    emit_event(
        SOURCE_UNHEALTHY,
        resource=source_resource(source),
        payload={
            "source": source,
            "error": error,
            "blocked": blocked,
            "consecutive_failures": consecutive_failures,
        },
    )
