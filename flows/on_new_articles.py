"""An example downstream flow for new articles: run by a deployment trigger on the
`newsflow.articles.stored` event (README "Use the data"), it reads the batch the event names and
lists it in a `new-articles` artifact. A real one would index the articles, or run an NLP job."""

from __future__ import annotations

from prefect import flow
from prefect.artifacts import create_table_artifact

from newsflow.selection import ArticleFilter
from newsflow.settings import load_settings
from newsflow.storage.articles import iter_articles
from newsflow.storage.db import read_scope


@flow(name="new-articles", log_prints=False, persist_result=False)
def new_articles(source: str, first_id: int, last_id: int) -> int:
    """List the articles of `source` stored with ids first_id..last_id; how many there are."""
    filters = ArticleFilter(sources=(source,), duplicates=True, first_id=first_id, last_id=last_id)
    with read_scope(load_settings().database_url) as session:
        rows = [
            {"id": r.id, "title": r.title or "", "url": r.url, "duplicate_of": r.duplicate_of or ""}
            for r in iter_articles(session, filters=filters, order="id")
        ]
    create_table_artifact(
        key="new-articles", table=rows, description=f"{len(rows)} articles stored from {source}"
    )
    return len(rows)
