"""Read a dataset folder in the article-extraction-benchmark layout (html/<id>.html.gz + ground truth).

Both dev sets in ../shared/datasets use it: aeb-dev (bodies only) and wcxb-dev-articles (bodies
plus the title, author and publish day the page shows).
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

# ../shared/datasets beside the checkout, or beside a folder above it (a worktree under /work/wt).
DATASETS = next(
    (
        folder / "shared" / "datasets"
        for folder in Path(__file__).resolve().parents[2:]
        if (folder / "shared" / "datasets").is_dir()
    ),
    Path(__file__).resolve().parents[2] / "shared" / "datasets",
)
DEFAULT_DATASET = DATASETS / "aeb-dev"
DEV_SETS = (DATASETS / "aeb-dev", DATASETS / "wcxb-dev-articles")


@dataclass(frozen=True, slots=True)
class BenchPage:
    """One page of the benchmark: its HTML, the URL it came from, and the expected body."""

    page_id: str
    url: str
    html: str
    expected_body: str
    title: str | None = None  # gold metadata, where the set has it (WCXB)
    author: str | None = None
    date: str | None = None  # YYYY-MM-DD
    has_metadata: bool = False
    # WCXB's short snippets a correct extraction must / must not contain.
    must_contain: tuple[str, ...] = ()
    must_not_contain: tuple[str, ...] = ()

    @property
    def half(self) -> int:
        """0 or 1, fixed by the page id: rules are derived on half 0 and checked on half 1."""
        return hashlib.sha256(self.page_id.encode()).digest()[-1] % 2


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
        yield BenchPage(
            page_id,
            entry.get("url", ""),
            html,
            entry.get("articleBody", ""),
            title=entry.get("title"),
            author=entry.get("author"),
            date=entry.get("date"),
            has_metadata="title" in entry,
            must_contain=tuple(entry.get("with") or ()),
            must_not_contain=tuple(entry.get("without") or ()),
        )
