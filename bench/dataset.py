"""Read a dataset folder in the article-extraction-benchmark layout (html/<id>.html.gz + ground truth)."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DATASET = Path(__file__).resolve().parent.parent.parent / "shared" / "datasets" / "aeb-dev"


@dataclass(frozen=True, slots=True)
class BenchPage:
    """One page of the benchmark: its HTML, the URL it came from, and the expected body."""

    page_id: str
    url: str
    html: str
    expected_body: str


def load_pages(folder: Path) -> Iterator[BenchPage]:
    """Yield the pages of `folder` in id order; a page without HTML is an error in the dataset."""
    truth_file = folder / "ground-truth.json"
    if not truth_file.is_file():
        raise SystemExit(f"{truth_file} not found: pass --dataset pointing at an aeb-layout folder")
    truth = json.loads(truth_file.read_text(encoding="utf-8"))
    for page_id in sorted(truth):
        path = folder / "html" / f"{page_id}.html.gz"
        html = gzip.decompress(path.read_bytes()).decode("utf-8", errors="replace")
        entry = truth[page_id]
        yield BenchPage(page_id, entry.get("url", ""), html, entry.get("articleBody", ""))
