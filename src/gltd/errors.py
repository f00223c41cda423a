"""User-facing errors.

Anything a user can cause (a bad file, a wrong option, a period without data) raises a
:class:`GltdError` with a message that names what is wrong and what was expected. The
CLI and the web application show the message, never a traceback.
"""

from __future__ import annotations

__all__ = ["GltdError", "InputError", "ValidationFailed"]


class GltdError(Exception):
    """An error caused by the user's input or request, shown as a plain message."""


class InputError(GltdError):
    """A bad argument or file, with an optional location (file, row, field)."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        row: int | None = None,
        field: str | None = None,
    ) -> None:
        self.file, self.row, self.field = file, row, field
        #: The message without its location (an interface may name the field its own way).
        self.reason = message
        where = ", ".join(
            p
            for p in (
                f"fichier {file}" if file else "",
                f"ligne {row}" if row is not None else "",
                f"colonne « {field} »" if field else "",
            )
            if p
        )
        super().__init__(f"{where} : {message}" if where else message)


class ValidationFailed(GltdError):  # noqa: N818
    """An import rejected as a whole; ``problems`` lists each bad row."""

    def __init__(self, message: str, problems: list[dict[str, object]]) -> None:
        self.problems = problems
        super().__init__(message)
