"""The project's exception family: every error a user can cause, with what to do next."""

from __future__ import annotations


class PacketEvalError(Exception):
    """Base of every error packet-eval reports to a user (exit code 2 at the CLI)."""

    code = "E000"

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message} ({self.hint})"


class InputError(PacketEvalError):
    """A packet could not be read: missing, empty, binary, undecodable or too large."""

    code = "E100"


class CriteriaError(PacketEvalError):
    """A criteria directory or file is missing, malformed or invalid."""

    code = "E200"


class ModelError(PacketEvalError):
    """A model file is missing, foreign, tampered with or does not match the criteria."""

    code = "E300"


class UsageError(PacketEvalError):
    """Arguments that do not fit together or are out of range."""

    code = "E400"
