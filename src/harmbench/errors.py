"""Errors a user can cause, each carrying what went wrong, where, and what to do.

The CLI prints these as one clear message (no traceback); library callers can catch
`HarmbenchError` and read `.where` / `.hint`.
"""

from __future__ import annotations


class HarmbenchError(Exception):
    """Base class: a problem the user can fix. `where` names the file/line/key, `hint` the fix."""

    exit_code = 2

    def __init__(self, message: str, *, where: str | None = None, hint: str | None = None):
        self.message = message
        self.where = where
        self.hint = hint
        super().__init__(self.render())

    def render(self) -> str:
        text = f"{self.where}: {self.message}" if self.where else self.message
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text


class DataError(HarmbenchError):
    """A behaviors, targets or other data file is missing, malformed or fails its checksum."""


class ConfigError(HarmbenchError):
    """A models.yaml, method config or pipeline config is malformed or refers to unknown names."""


class StoreError(HarmbenchError):
    """The run store cannot be opened, migrated, imported into or exported from."""


class NetworkError(HarmbenchError):
    """A download could not reach its server."""

    exit_code = 3
