"""Calendar dates as the policy layer takes them: ``date`` objects or ISO text."""

from __future__ import annotations

from datetime import date, datetime

__all__ = ["as_date"]


def as_date(value: object, what: str = "date") -> date:
    """A ``datetime.date`` from a date, a datetime (its day) or ISO text ``YYYY-MM-DD``.

    Partial dates (``2025-07``, ``2025``) are refused: a measure must say on which
    day it starts, so that the tariff on every day is defined.

    Parameters
    ----------
    value : object
        A date, a datetime (or pandas Timestamp) or text.
    what : str, default "date"
        What the value is, named in the error.

    Returns
    -------
    datetime.date
        The day.

    Raises
    ------
    ValueError
        If the value is not a full date.
    """
    if isinstance(value, datetime):  # also pandas.Timestamp
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise ValueError(
                f"{what} must be a full date YYYY-MM-DD (e.g. 2025-04-05); got {value!r}"
            ) from None
    raise ValueError(f"{what} must be a date YYYY-MM-DD; got {value!r} ({type(value).__name__})")
