"""Errors and problems that name the input they come from."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One bad entry that was skipped while the good ones were kept.

    `where` is a line number, or an item label such as `item 3 (smith2020)` for formats
    without lines (JSON). `str(problem)` is the one-line report `file:line: message`.
    """

    file: str
    where: int | str | None
    message: str

    def __str__(self) -> str:
        if self.where is None:
            return f"{self.file}: {self.message}"
        if isinstance(self.where, int):
            return f"{self.file}:{self.where}: {self.message}"
        return f"{self.file}: {self.where}: {self.message}"


class InputError(Exception):
    """The whole input is refused (unreadable, wrong format, unsafe). The CLI prints
    `str(error)` on one line and exits with status 2."""

    def __init__(self, file: str, where: int | str | None, message: str) -> None:
        self.problem = Problem(file, where, message)
        super().__init__(str(self.problem))
