"""Errors that name the input (or output) they come from."""

from __future__ import annotations

from refexport.model import Problem

__all__ = ["InputError", "OutputError", "Problem"]


class InputError(Exception):
    """The whole input is refused (unreadable, wrong format, unsafe, or `--strict` and a bad
    entry). The CLI prints `str(error)` on one line and exits with status 2."""

    def __init__(self, file: str, where: int | str | None, message: str) -> None:
        self.problem = Problem(file, where, message)
        super().__init__(str(self.problem))


class OutputError(Exception):
    """The output cannot be written (missing folder, full disk, a file we must not replace).
    The CLI prints `str(error)` on one line and exits with status 2; nothing is half-written."""
