"""Errors the core raises, each worded for the person who has to act on it."""

from __future__ import annotations


class CivicShieldError(Exception):
    """Base class for errors that are shown to users as plain messages."""


class ConfigError(CivicShieldError):
    """A setting is missing or has a value that cannot be used."""


class NotFoundError(CivicShieldError):
    """Something asked for does not exist."""


class PermissionDeniedError(CivicShieldError):
    """The user's role does not allow this action."""


class InvalidInputError(CivicShieldError):
    """A value given by a user or file is not acceptable."""


class SourceError(CivicShieldError):
    """A live source (a mailbox, a Mastodon or Bluesky account) could not be read just now.

    ``retryable``: trying again later can help (a dropped connection, a rate limit); False when a
    person must act first (a refused password, an expired token). ``retry_after``: the seconds
    the server asked us to wait, when it said.
    """

    def __init__(self, problem: str, *, retryable: bool = True,
                 retry_after: float | None = None) -> None:
        super().__init__(problem)
        self.retryable = retryable
        self.retry_after = retry_after


class ImportFailure(CivicShieldError):  # noqa: N818 - users read "import failure"
    """A record in an import file is malformed; nothing from the file was stored."""

    def __init__(
        self, source: str, problem: str, *, line: int | None = None,
        record: int | None = None, field: str | None = None,
    ) -> None:
        self.source = source
        self.problem = problem
        self.line = line
        self.record = record
        self.field = field
        super().__init__(self.describe())

    def describe(self) -> str:
        """Return 'file, line N, field X: problem' with whatever is known."""
        parts = [self.source]
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.record is not None:
            parts.append(f"record {self.record}")
        if self.field is not None:
            parts.append(f"field '{self.field}'")
        return ", ".join(parts) + f": {self.problem}"
