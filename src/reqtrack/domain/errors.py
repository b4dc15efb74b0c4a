"""The exceptions of reqtrack and the exit statuses of the command line.

The CLI turns each exception into one sentence on stderr and exits with its `exit_code`, one of
`ExitStatus`: the one table of the numbers the command exits with, and what each means to a script.
"""

from __future__ import annotations

from enum import IntEnum


class ExitStatus(IntEnum):
    """Every number the `reqtrack` command exits with."""

    SUCCESS = 0
    FOUND = 1  # `overdue` listed something, `check` found a problem: for cron and scripts
    BAD_INPUT = 2  # an invalid value, an unknown ID, a refused transition, a usage error
    ENVIRONMENT = 3  # the database is missing, unreadable, foreign, too new or locked
    INTERNAL = 4  # a bug: please report it
    INTERRUPTED = 130  # Ctrl-C (128 + SIGINT)


class ReqtrackError(Exception):
    """Base of every error a user can cause or fix."""

    exit_code: ExitStatus = ExitStatus.INTERNAL


class InvalidInput(ReqtrackError):
    """Bad input: an invalid value, a bad date, a bad file (exit 2)."""

    exit_code = ExitStatus.BAD_INPUT


class NotFound(InvalidInput):
    """An unknown request ID or attachment (exit 2)."""


class TransitionRefused(InvalidInput):
    """A lifecycle command that the request's current status does not allow (exit 2)."""


class EnvironmentProblem(ReqtrackError):
    """The database is missing, unreadable, foreign, too new or locked (exit 3)."""

    exit_code = ExitStatus.ENVIRONMENT
