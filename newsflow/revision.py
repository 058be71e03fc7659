"""What changed between two versions of an article, and whether the older one is worth keeping as a
revision: a page that flips between two versions must not grow revisions without bound."""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class ArticleVersion:
    """The parts of an article whose change makes a revision."""

    title: str | None
    text: str
    authors: tuple[str, ...]
    published_at: datetime | None
    modified_at: datetime | None

    @property
    def key(self) -> str:
        """One hash of every part: equal keys, equal versions."""
        parts = (
            self.title or "",
            self.text,
            "\x1f".join(self.authors),
            self.published_at.isoformat() if self.published_at else "",
            self.modified_at.isoformat() if self.modified_at else "",
        )
        return hashlib.sha256("\x1e".join(parts).encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Change:
    """A short summary of a new version against the stored one."""

    words_added: int
    words_removed: int
    title_changed: bool
    authors_changed: bool
    dates_changed: bool

    @property
    def changed(self) -> bool:
        return bool(
            self.words_added
            or self.words_removed
            or self.title_changed
            or self.authors_changed
            or self.dates_changed
        )

    def summary(self) -> str:
        """ "+12 −3 words, title changed" — for the run's log and `articles show`."""
        parts = (
            [f"+{self.words_added} −{self.words_removed} words"]
            if self.words_added or self.words_removed
            else []
        )
        parts += [
            name
            for name, flag in (
                ("title changed", self.title_changed),
                ("authors changed", self.authors_changed),
                ("dates changed", self.dates_changed),
            )
            if flag
        ]
        return ", ".join(parts) or "unchanged"


def compare(old: ArticleVersion, new: ArticleVersion) -> Change:
    """Words added and removed (a word-level diff of the texts) and which metadata changed."""
    added, removed = _word_diff(old.text.split(), new.text.split())
    return Change(
        words_added=added,
        words_removed=removed,
        title_changed=(old.title or "") != (new.title or ""),
        authors_changed=old.authors != new.authors,
        dates_changed=(old.published_at, old.modified_at) != (new.published_at, new.modified_at),
    )


def _word_diff(old: Sequence[str], new: Sequence[str]) -> tuple[int, int]:
    if old == new:
        return 0, 0
    # autojunk off: in long texts, frequent words ("the") would otherwise count as changed.
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    kept = sum(block.size for block in matcher.get_matching_blocks())
    return len(new) - kept, len(old) - kept


def keep_as_revision(previous: ArticleVersion, kept_keys: Collection[str]) -> bool:
    """Whether the version being replaced needs a revision row: not when an identical one is kept."""
    return previous.key not in kept_keys
