"""Whether a command may work in more than one process here: the import's reader of a large
sheet (excel/read_ahead.py) and its worker for the derived rows (services/fact_worker.py).

Both fork (the child starts with the parent's state as it is: the open sheet, the settings), so
they are used where processes fork (Linux, macOS) and where a second CPU would run them beside
the command: with one CPU they would only take turns with it. REQTRACK_IMPORT_WORKER=0 keeps a
command in one process; =1 forks even on one CPU (the tests, on any machine).
"""

from __future__ import annotations

import os
from typing import Any

__all__ = ["ENVIRONMENT", "forced", "more_processes", "widen_pipe"]

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


_PIPE_BYTES = 1 << 20  # Linux's default most for a pipe of an unprivileged process


def widen_pipe(end: Any) -> None:
    """Let the pipe behind `end` (a multiprocessing Connection) hold 1 MB instead of 64 KB, where
    the system allows it (Linux): a batch of rows is some hundreds of KB, and with a 64 KB pipe
    the sender waits until the receiver has taken nearly all of it, which it does a piece at a
    time between its own work. Nothing elsewhere."""
    import fcntl

    setting = getattr(fcntl, "F_SETPIPE_SZ", None)
    if setting is None:
        return
    try:
        fcntl.fcntl(end.fileno(), setting, _PIPE_BYTES)
    except OSError:
        pass  # over the system's limit for this user: the pipe stays as it is
