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
    """A bad argument or file, with an optional location (file, row, field).

    ``field`` names what is at fault. With ``file`` or ``row`` it is a column of that file,
    and the message says so (« ligne 3, colonne « date » : … »). Alone it is a parameter of
    the call (``cell``, ``bandwidth``, ``radius``…): the message names the quantity
    (« taille de cellule »), never an interface's word for it; the CLI adds the parameter's
    flag when it prints the error, the web marks its form field.
    """

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
        in_file = file is not None or row is not None
        where = ", ".join(
            p
            for p in (
                f"fichier {file}" if file else "",
                f"ligne {row}" if row is not None else "",
                f"colonne « {field} »" if field and in_file else "",
            )
            if p
        )
        super().__init__(f"{where} : {message}" if where else message)

    @property
    def parameter(self) -> str | None:
        """The parameter at fault (``field`` of an error outside a file), else ``None``."""
        return self.field if self.file is None and self.row is None else None


class ValidationFailed(GltdError):  # noqa: N818
    """An import rejected as a whole; ``problems`` lists each bad row."""

    def __init__(self, message: str, problems: list[dict[str, object]]) -> None:
        self.problems = problems
        super().__init__(message)
