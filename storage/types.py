"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes in, aware UTC datetimes out, on every backend.

    SQLite has no timezone type and hands back naive values; we store naive UTC there
    and re-attach UTC on the way out.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r} given; newsflow stores only timezone-aware datetimes")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        stored: datetime = value
        if stored.tzinfo is None:
            return stored.replace(tzinfo=UTC)
        return stored.astimezone(UTC)


def utc_from_raw(value: object) -> datetime | None:
    """A UTCDateTime column's value as read by raw driver SQL (SQLite gives its text form)."""
    if value is None:
        return None
    stored = datetime.fromisoformat(value) if isinstance(value, str) else value
    if not isinstance(stored, datetime):
        raise TypeError(f"not a stored datetime: {value!r}")
    return stored.replace(tzinfo=UTC) if stored.tzinfo is None else stored.astimezone(UTC)
