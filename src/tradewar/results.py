"""The results protocol: what every result object offers, whatever computed it.

In the style of linearmodels and pyblp: a result prints as a text table, shows as an
HTML table in a notebook, and exports its numbers.

- :meth:`Result.summary` returns a :class:`Summary` (``print`` it for text, or call
  :meth:`Summary.as_text` / :meth:`Summary.as_html`; notebooks show its HTML);
- ``_repr_html_`` on the result itself is its summary's HTML, ``repr`` its text;
- :meth:`Result.to_frame` gives a pandas frame (a ``level`` argument picks which);
- :meth:`Result.to_dict` gives a JSON-safe ``dict``: exactly what the matching
  command prints with ``--json``;
- results that hold arrays (:class:`ArrayResult`) also give :meth:`ArrayResult.to_dataset`
  (an ``xarray.Dataset`` with ``units`` in every variable's attributes) and
  :meth:`ArrayResult.to_netcdf`.

This module depends only on numpy, pandas and xarray, like :mod:`tradewar.errors`, so
that every layer may use it.
"""

from __future__ import annotations

import html
import json
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # annotations only: a result built from plain arrays needs no xarray
    import xarray as xr

__all__ = ["ArrayResult", "Result", "Summary", "SummaryTable", "UNITS", "missing_units", "netcdf_ready"]

#: The units used in result datasets' ``units`` attributes.
UNITS = {
    "ratio": "ratio (new/baseline)",
    "percent": "percent",
    "points": "percentage points",
    "usd": "USD millions",
    "rate": "ad valorem rate (fraction)",
    "share": "share (fraction)",
    "income_share": "fraction of baseline income",
    "elasticity": "elasticity (unitless)",
    "count": "count",
    "seconds": "seconds",
    "flag": "flag (1 = true)",
}


def _float_format(digits: int) -> Callable[[float], str]:
    return lambda value: f"{value:.{digits}f}"


@dataclass
class SummaryTable:
    """One table of a summary: a caption and a frame (numbers shown with ``digits`` decimals).

    Parameters
    ----------
    caption : str
        The line above the table ("" for none).
    frame : pandas.DataFrame
        The numbers.
    digits : int, default 3
        Decimals shown.
    """

    caption: str
    frame: pd.DataFrame
    digits: int = 3

    def as_text(self) -> str:
        """The table as plain text, under its caption.

        Returns
        -------
        str
            The caption and the frame as text ("(none)" for an empty frame).
        """
        body = self.frame.to_string(float_format=_float_format(self.digits)) if len(self.frame) else "(none)"
        return f"{self.caption}\n{body}" if self.caption else body

    def as_html(self) -> str:
        """The table as an HTML fragment, under its caption.

        Returns
        -------
        str
            The caption (escaped) and the frame as an HTML table.
        """
        table = self.frame.to_html(float_format=_float_format(self.digits), border=0, na_rep="",
                                   classes="tradewar-table") if len(self.frame) else "<p>(none)</p>"
        caption = f"<p><b>{html.escape(self.caption)}</b></p>" if self.caption else ""
        return caption + table


@dataclass
class Summary:
    """A result's summary: a title, lines saying what was solved, tables, and closing notes.

    ``print(summary)`` gives the text; notebooks show :meth:`as_html`.

    Parameters
    ----------
    title : str
        The first line.
    header : list of str
        Lines saying what was solved.
    tables : list of SummaryTable
        The tables, in order.
    notes : list of str
        Closing notes.
    """

    title: str
    header: list[str] = field(default_factory=list)
    tables: list[SummaryTable] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def as_text(self) -> str:
        """Title, header lines, tables and notes as plain text (what ``print`` shows).

        Returns
        -------
        str
            One part a line.
        """
        parts = [self.title, *self.header]
        parts += [table.as_text() for table in self.tables]
        parts += self.notes
        return "\n".join(parts)

    def as_html(self) -> str:
        """Title, header lines, tables and notes as an HTML fragment (what a notebook shows).

        Returns
        -------
        str
            A ``div`` of class ``tradewar-summary``, text escaped.
        """
        parts = [f"<div class=\"tradewar-summary\"><h4>{html.escape(self.title)}</h4>"]
        parts += [f"<p>{html.escape(line)}</p>" for line in self.header]
        parts += [table.as_html() for table in self.tables]
        parts += [f"<p><i>{html.escape(line)}</i></p>" for line in self.notes]
        parts.append("</div>")
        return "\n".join(parts)

    def __str__(self) -> str:
        return self.as_text()

    def __repr__(self) -> str:
        return self.as_text()

    def _repr_html_(self) -> str:
        return self.as_html()


class Result(ABC):
    """What every result offers (see the module docstring)."""

    @abstractmethod
    def summary(self) -> Summary:
        """The main numbers as a :class:`Summary` (text and HTML).

        Returns
        -------
        Summary
            Title, header, tables and notes.
        """

    @abstractmethod
    def to_frame(self, level: str) -> pd.DataFrame:
        """The numbers as a pandas frame; ``level`` picks which (each result documents its levels).

        Parameters
        ----------
        level : str
            Which numbers.

        Returns
        -------
        pandas.DataFrame
            The numbers at that level.
        """

    @abstractmethod
    def to_dict(self) -> dict:
        """A JSON-safe document: exactly what the matching ``--json`` command prints.

        Returns
        -------
        dict
            Plain Python values only.
        """

    def to_json(self, **kwargs) -> str:
        """:meth:`to_dict` as JSON text.

        Parameters
        ----------
        **kwargs
            Passed to :func:`json.dumps` (e.g. ``indent=2``).

        Returns
        -------
        str
            The document as JSON.
        """
        return json.dumps(self.to_dict(), **kwargs)

    def _repr_html_(self) -> str:
        return self.summary().as_html()

    def __repr__(self) -> str:
        return self.summary().as_text()


class ArrayResult(Result):
    """A result that holds arrays: also an ``xarray.Dataset`` with units, and netCDF export."""

    @abstractmethod
    def to_dataset(self) -> xr.Dataset:
        """The arrays, labelled, with ``units`` in every data variable's attributes.

        Returns
        -------
        xarray.Dataset
            The result's arrays.
        """

    def to_netcdf(self, path: str | Path) -> Path:
        """Write :meth:`to_dataset` to a netCDF file (any engine xarray has; netCDF-3 suffices).

        Attributes netCDF cannot hold are converted: booleans to 0/1, ``None`` dropped,
        lists and dicts written as JSON text.

        Parameters
        ----------
        path : str or pathlib.Path
            The file to write (overwritten).

        Returns
        -------
        pathlib.Path
            The file written.

        Raises
        ------
        AssertionError
            If a data variable has no ``units`` (a programming error, not a user's).
        """
        path = Path(path)
        dataset = self.to_dataset()
        lacking = missing_units(dataset)
        if lacking:  # a programming error, not a user's: every variable must say its units
            raise AssertionError(f"Variables without units: {lacking}")
        netcdf_ready(dataset).to_netcdf(path)
        return path


def missing_units(dataset: xr.Dataset) -> list[str]:
    """The data variables of ``dataset`` with no ``units`` attribute.

    Parameters
    ----------
    dataset : xarray.Dataset
        The dataset to check.

    Returns
    -------
    list of str
        Their names (empty when every variable says its units).
    """
    return [str(name) for name, variable in dataset.data_vars.items() if not variable.attrs.get("units")]


def _attr_value(value):
    if isinstance(value, (bool, np.bool_)):
        return int(value)
    if isinstance(value, (list, tuple, dict)):
        return json.dumps(value, default=str)
    if isinstance(value, np.generic):
        return value.item()
    return value


def netcdf_ready(dataset: xr.Dataset) -> xr.Dataset:
    """A copy of ``dataset`` whose attributes netCDF can store (see :meth:`ArrayResult.to_netcdf`).

    Parameters
    ----------
    dataset : xarray.Dataset
        The dataset (not changed).

    Returns
    -------
    xarray.Dataset
        A copy whose booleans are 0/1, lists and dicts JSON text, and ``None`` attributes dropped.
    """
    ready = dataset.copy()

    def clean(attrs: dict) -> dict:
        return {key: _attr_value(value) for key, value in attrs.items() if value is not None}

    ready.attrs = clean(ready.attrs)
    for name in ready.variables:
        ready[name].attrs = clean(ready[name].attrs)
    return ready
