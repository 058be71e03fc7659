"""Regenerate tests/data/expected.json from the recorded pages: run after a deliberate extraction change.

    .venv/bin/python -m tests.record_expected

Review the diff before committing it: every changed field is a behaviour change.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

from newsflow.dedupe.fingerprint import content_hash
from newsflow.extract.article import extract_article

FIXTURES = Path(__file__).parent / "fixtures" / "aeb"
EXPECTED = Path(__file__).parent / "data" / "expected.json"
# Extraction runs "now" at a fixed instant so that date checks are reproducible.
NOW = "2025-01-01T00:00:00+00:00"


def record(page_id: str, url: str) -> dict[str, Any]:
    """What extraction makes of one recorded page, in the form stored in expected.json."""
    from datetime import datetime

    html = gzip.decompress((FIXTURES / f"{page_id}.html.gz").read_bytes()).decode("utf-8")
    article = extract_article(html, url=url, now=datetime.fromisoformat(NOW))
    return {
        "url": article.url,
        "title": article.title,
        "authors": list(article.authors),
        "published_at": article.published_at.isoformat() if article.published_at else None,
        "published_at_source": article.published_at_source,
        "language": article.language,
        "text_starts": article.text[:80],
        "text_ends": article.text[-80:],
        "content_hash": content_hash(article.text),
    }


def main() -> None:
    truth = json.loads((FIXTURES / "ground-truth.json").read_text(encoding="utf-8"))
    expected = {page_id: record(page_id, entry["url"]) for page_id, entry in sorted(truth.items())}
    EXPECTED.write_text(json.dumps(expected, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {len(expected)} pages to {EXPECTED}")


if __name__ == "__main__":
    main()
