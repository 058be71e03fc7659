"""Per-source counts of one run, as shown in the summary artifact and the CLI."""

from __future__ import annotations

from dataclasses import dataclass, field

MAX_LISTED_FAILURES = 50


@dataclass
class SourceReport:
    """What happened to one source in one run."""

    source: str
    discovered: int = 0
    fetched: int = 0
    new: int = 0
    duplicate: int = 0
    not_modified: int = 0
    failed: int = 0
    skipped: int = 0
    out_of_window: int = 0
    blocked: bool = False
    error: str | None = None  # set when the source as a whole failed
    failures: list[tuple[str, str]] = field(default_factory=list)  # (url, reason), capped

    @property
    def source_failed(self) -> bool:
        return self.error is not None

    def add_failure(self, url: str, reason: str) -> None:
        if len(self.failures) < MAX_LISTED_FAILURES:
            self.failures.append((url, reason))
