"""Errors of the policy layer.

Each names what is wrong so that the input can be fixed without a traceback: the
measure id and the field, the unknown label and the valid ones, and for scenario
files the file, the line and the field.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tradewar.errors import TradewarError

__all__ = [
    "LabelError",
    "MeasureError",
    "PolicyError",
    "Problem",
    "ScenarioError",
    "ScenarioNotFoundError",
    "TimelineError",
]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one measure: which measure, which field, what is wrong.

    ``field`` is a path into the measure's fields, e.g. ``("rate",)`` or
    ``("rate_by_sector", "Metals")``; empty when the problem is the whole measure.

    Parameters
    ----------
    measure_id : str or None
        The measure's id (None when unknown).
    field : tuple of str or int
        The path of the field.
    message : str
        What is wrong.
    """

    measure_id: str | None
    field: tuple[str | int, ...]
    message: str

    @property
    def field_name(self) -> str:
        """The field path as text: ``rate``, ``targets[1]``, ``rate_by_sector.Metals``."""
        return format_field(self.field)

    def __str__(self) -> str:
        where = f"measure {self.measure_id!r}" if self.measure_id is not None else "measure"
        if self.field:
            where += f", field {self.field_name}"
        return f"{where}: {self.message}"


def format_field(path: tuple[str | int, ...]) -> str:
    """``("measure", 1, "rate")`` -> ``measure[1].rate``.

    Parameters
    ----------
    path : tuple of str or int
        A field path.

    Returns
    -------
    str
        Names joined by dots, indices in brackets.
    """
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


class PolicyError(TradewarError, ValueError):
    """Base class of the policy layer's errors."""


class _ProblemsError(PolicyError):
    """An error listing one or more :class:`Problem` (first one on the first line)."""

    def __init__(self, problems: list[Problem], *, header: str | None = None):
        self.problems = list(problems)
        lines = [str(problem) for problem in self.problems]
        if header:
            lines.insert(0, header)
        super().__init__("\n".join(lines))

    @property
    def measure_id(self) -> str | None:
        return self.problems[0].measure_id if self.problems else None

    @property
    def field(self) -> tuple[str | int, ...]:
        return self.problems[0].field if self.problems else ()


class MeasureError(_ProblemsError):
    """A measure's fields are invalid (bad rate, end not after start, unknown kind...).

    Parameters
    ----------
    problems : list of Problem
        Every problem found (the first one is the error's ``measure_id`` and ``field``).
    header : str, optional
        A line put before them.
    """


class TimelineError(_ProblemsError):
    """A set of measures does not fit together (duplicate ids, unknown references...).

    Parameters
    ----------
    problems : list of Problem
        Every problem found (the first one is the error's ``measure_id`` and ``field``).
    header : str, optional
        A line put before them.
    """


class LabelError(_ProblemsError):
    """A measure names a country, group or sector that the world does not have.

    Parameters
    ----------
    problems : list of Problem
        Every problem found (the first one is the error's ``measure_id`` and ``field``).
    header : str, optional
        A line put before them.
    """


class ScenarioError(PolicyError):
    """A scenario file is malformed; names the file, the line and the field.

    Attributes ``source`` (the file), ``line`` (1-based, or None when unknown),
    ``field`` (e.g. ``measure[1].rate``, or None) and ``problems`` (every problem
    found, as ``(line, field, message)``).

    Parameters
    ----------
    source : str
        The file (or ``<text>``).
    problems : sequence of tuple
        ``(line, field, message)`` for each problem, the first one first.
    """

    def __init__(self, source: str, problems: Sequence[tuple[int | None, str | None, str]]):
        self.source = source
        self.problems = list(problems)
        self.line, self.field, _ = self.problems[0]
        super().__init__("\n".join(_scenario_line(source, *problem) for problem in self.problems))


def _scenario_line(source: str, line: int | None, field: str | None, message: str) -> str:
    parts = [source]
    if line is not None:
        parts.append(f"line {line}")
    if field:
        parts.append(f"field {field}")
    return f"{', '.join(parts)}: {message}"


class ScenarioNotFoundError(TradewarError, FileNotFoundError):
    """A scenario file does not exist."""
