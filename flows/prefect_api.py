"""The Prefect server a command reports to, when PREFECT_API_URL names one: it must answer before
anything starts, or Prefect's client fails deep inside the run with a 400-line traceback."""

from __future__ import annotations

from newsflow.errors import NewsflowError


def require_answering(url: str) -> None:
    """NewsflowError, in one line, when no Prefect server answers at `url`."""
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        error = client.api_healthcheck()
    if error is not None:
        raise NewsflowError(
            f"PREFECT_API_URL: no Prefect server answers at {url} ({type(error).__name__}: {error}); "
            "start it with `prefect server start`, or unset PREFECT_API_URL to run on a temporary one"
        )
