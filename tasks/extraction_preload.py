"""What the extraction fork server imports before it forks any worker: the extraction code, then
a freeze of everything imported, so that workers share those pages instead of copying them."""

import os

# First, a session of its own for the fork server and its workers: a SIGTERM sent to the whole
# process group (a service manager stopping `newsflow`) then reaches the parent only, which stops
# the workers in order instead of losing them mid-batch. The parent still stops them at exit.
if os.getpid() != os.getsid(0):
    os.setsid()

import datasketch  # noqa: F401  (imported at the first fingerprint otherwise, in every worker)

import newsflow.extract.page  # noqa: F401
from newsflow.runtime.gc_freeze import freeze_survivors

freeze_survivors()
