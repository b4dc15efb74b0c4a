"""Whether a command may work in more than one process here: the import's reader of a large
sheet (excel/read_ahead.py) and its worker for the derived rows (services/fact_worker.py).

Both fork (the child starts with the parent's state as it is: the open sheet, the settings), so
they are used where processes fork (Linux, macOS) and where a second CPU would run them beside
the command: with one CPU they would only take turns with it. REQTRACK_IMPORT_WORKER=0 keeps a
command in one process; =1 forks even on one CPU (the tests, on any machine).
"""

from __future__ import annotations

import os

__all__ = ["ENVIRONMENT", "forced", "more_processes"]

ENVIRONMENT = "REQTRACK_IMPORT_WORKER"


def forced() -> bool:
    """Whether REQTRACK_IMPORT_WORKER=1 asks for the helpers whatever the machine or the size."""
    return os.environ.get(ENVIRONMENT, "").strip() == "1"


def more_processes() -> bool:
    """Whether a command may fork helpers here (the environment, fork, two CPUs or more)."""
    import multiprocessing

    if os.environ.get(ENVIRONMENT, "").strip() == "0" or "fork" not in multiprocessing.get_all_start_methods():
        return False
    if forced():
        return True
    affinity = getattr(os, "sched_getaffinity", None)
    return (len(affinity(0)) if affinity is not None else (os.cpu_count() or 1)) >= 2
