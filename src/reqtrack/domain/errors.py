"""The exceptions of reqtrack. The CLI turns each into one sentence and an exit code."""

from __future__ import annotations


class ReqtrackError(Exception):
    """Base of every error a user can cause or fix; `exit_code` follows SPEC §6."""

    exit_code = 4


class InvalidInput(ReqtrackError):
    """Bad input: an invalid value, a bad date, a bad file (exit 2)."""

    exit_code = 2


class NotFound(InvalidInput):
    """An unknown request ID or attachment (exit 2)."""


class TransitionRefused(InvalidInput):
    """A lifecycle command that the request's current status does not allow (exit 2)."""


class EnvironmentProblem(ReqtrackError):
    """The database is missing, unreadable, foreign, too new or locked (exit 3)."""

    exit_code = 3
