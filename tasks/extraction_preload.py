"""What the extraction fork server imports before it forks any worker: the extraction code, then
a freeze of everything imported, so that workers share those pages instead of copying them."""

import datasketch  # noqa: F401  (imported at the first fingerprint otherwise, in every worker)

import newsflow.extract.page  # noqa: F401
from newsflow.runtime.gc_freeze import freeze_survivors

freeze_survivors()
