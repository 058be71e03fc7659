"""Keep Python's cyclic garbage collector off the objects that live as long as the process.

A `newsflow` run imports Prefect, pydantic, SQLAlchemy and FastAPI: about 150k objects that stay
until exit. Every full collection walks them all again (about 0.1 s here), and interpreter
shutdown runs several full collections (0.5 s of a 3.3 s run with nothing new; BENCHMARKS.md,
Fixed cost). In the extraction fork server, frozen modules also keep the workers' collections
from writing to the memory pages they share with it (the Python docs' advice for gc.freeze).
"""

from __future__ import annotations

import gc


def freeze_survivors() -> None:
    """Move every object alive now out of the collector's reach (gc.freeze).

    Objects frozen and later dropped in a reference cycle are never freed, so call this after
    imports or before exit, not once per unit of work. (gc.get_freeze_count walks every frozen
    object, about 20 ms in a run's CLI: only tests ask for it.)
    """
    gc.freeze()
