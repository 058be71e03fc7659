"""newsflow's exceptions.

NewsflowError
├── ConfigError        a bad setting or sources.yaml entry (names the key and file)
├── FetchError         .url is set; a per-page failure, recorded as a fetch_event
│   ├── ConnectionFailed
│   ├── FetchTimeout
│   ├── ResponseTooLarge
│   ├── HttpStatusError    .status is set
│   ├── BlockedByRobots
│   ├── ForbiddenHost      SSRF guard: private address or scheme not allowed
│   └── UnsupportedContent binary or non-HTML body
├── FeedError          an unparseable or hostile feed or sitemap
├── ExtractionError    a page with no article in it
├── ArchiveError       the raw archive (WARC) could not be written, or a record not read back
├── StorageError       database unreachable or migration failed
│   └── DatabaseUnavailable  the database stayed away past NEWSFLOW_DB_RETRY_SECONDS: the run stops
└── Interrupted        Ctrl-C: the run stops taking pages (not a failure of any page or source)
"""

from __future__ import annotations


class NewsflowError(Exception):
    """Base of every error newsflow raises on purpose."""


class ConfigError(NewsflowError):
    """A setting or a sources file entry is invalid."""


class FetchError(NewsflowError):
    """A URL could not be fetched; the message says why."""

    def __init__(self, url: str, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.url = url
        self.status = status


class ConnectionFailed(FetchError):
    """The connection could not be made or broke off; likely transient."""


class FetchTimeout(FetchError):
    """The server did not answer within the configured timeout."""


class ResponseTooLarge(FetchError):
    """The body (after decompression) exceeded the configured size cap."""


class HttpStatusError(FetchError):
    """The server answered with an error status."""

    def __init__(self, url: str, message: str, *, status: int, retry_after: float | None = None) -> None:
        super().__init__(url, message, status=status)
        self.retry_after = retry_after


class BlockedByRobots(FetchError):
    """robots.txt disallows this URL for our user agent."""


class ForbiddenHost(FetchError):
    """The URL points at a private address or an unsupported scheme."""


class UnsupportedContent(FetchError):
    """The body is not a web page (binary, image, PDF...)."""


class FeedError(NewsflowError):
    """A feed or sitemap could not be parsed, or was refused as hostile."""


class ExtractionError(NewsflowError):
    """A page held no article text worth storing."""


class ArchiveError(NewsflowError):
    """The raw archive could not be written, or an archived record could not be read back."""


class StorageError(NewsflowError):
    """The database could not be reached or migrated."""


class DatabaseUnavailable(StorageError):
    """The database stayed unreachable (or locked) for the whole retry budget; the run stops."""


class Interrupted(NewsflowError):
    """The user asked the run to stop (Ctrl-C); what is stored stays, the rest waits for a rerun."""
