"""Dump every field extract_article gives on every page of the dev sets, to diff two versions.

    .venv/bin/python -m bench.extraction_outputs OUT.json [--dataset PATH ...]
    diff before.json after.json    # a change meant to save work must leave this empty

`now` is fixed, so the dates' plausibility checks give the same answer on any day.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import warnings
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from bench.dataset import DEV_SETS, load_pages
from newsflow.errors import ExtractionError
from newsflow.extract.article import extract_article

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value


def outputs(folders: list[Path]) -> dict[str, dict[str, Any]]:
    """Each page's fields ({"error": message} for a page without an article), keyed set/page id."""
    found: dict[str, dict[str, Any]] = {}
    for folder in folders:
        for page in load_pages(folder):
            key = f"{folder.name}/{page.page_id}"
            try:
                article = extract_article(page.html, url=page.url, now=NOW)
            except ExtractionError as exc:
                found[key] = {"error": str(exc)}
                continue
            found[key] = {name: _plain(value) for name, value in dataclasses.asdict(article).items()}
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--dataset", type=Path, action="append", help="default: both dev sets")
    args = parser.parse_args()
    warnings.simplefilter("ignore")  # library chatter
    found = outputs(args.dataset or list(DEV_SETS))
    args.out.write_text(json.dumps(found, indent=1, sort_keys=True, ensure_ascii=False), encoding="utf-8")
    print(f"{len(found)} pages -> {args.out}")


if __name__ == "__main__":
    main()
