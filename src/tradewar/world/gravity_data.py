"""Gravity-style panel data: one row per exporter, importer (and year), as used by
structural-gravity tools (USITC's ``gegravity``, Stata's ``ge_gravity``, ``gme``).

A panel has the identifier columns ``exporter``, ``importer`` and (optionally)
``year``, the flow column ``trade`` (exporter's sales to importer, domestic sales
where the two are the same), optionally each exporter's total output ``Y`` and each
importer's total expenditure ``E`` repeated on every row, and any number of trade-cost
variables (distance, contiguity, PTA dummies...). Column names are given when reading
and stored under the standard names ``exporter``, ``importer``, ``year``, ``trade``,
``output``, ``expenditure``.

Read one with :func:`read_gravity_panel` (CSV, tab- or other-delimited text such as
gegravity's ``.dlm``, or Parquet). Matrices come out in tradewar's axis order,
``[importer, exporter]``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from tradewar.errors import DataNotFoundError, WorldValidationError

__all__ = ["GravityPanel", "read_gravity_panel"]

STANDARD = ("exporter", "importer", "year", "trade", "output", "expenditure")


@dataclass(frozen=True)
class GravityPanel:
    """A validated gravity panel (see the module docstring); ``data`` uses the standard names.

    Build one with :meth:`from_frame` or :func:`read_gravity_panel` (they check it).

    Parameters
    ----------
    data : pandas.DataFrame
        One row per (exporter, importer, year), with the standard column names.
    source : str, default "<data frame>"
        Where the data came from, named in errors.
    """

    data: pd.DataFrame
    source: str = "<data frame>"

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_frame(
        cls,
        frame: pd.DataFrame,
        *,
        exporter: str = "exporter",
        importer: str = "importer",
        year: str | None = "year",
        trade: str = "trade",
        output: str | None = None,
        expenditure: str | None = None,
        source: str = "<data frame>",
    ) -> GravityPanel:
        """Rename the given columns to the standard names and check the panel.

        Parameters
        ----------
        frame : pandas.DataFrame
            The data, one row per pair and year.
        exporter, importer : str
            The columns holding the country labels.
        year : str or None, default "year"
            The year column (absent or None: one year, 0).
        trade : str, default "trade"
            The flows column.
        output, expenditure : str, optional
            The columns of each country's output and expenditure (gegravity's ``Y``, ``E``).
        source : str, default "<data frame>"
            Where the data came from, named in errors.

        Returns
        -------
        GravityPanel
            The checked panel.

        Raises
        ------
        tradewar.errors.WorldValidationError
            If a column is missing or would be overwritten, or the data fail :meth:`check`.
        """
        mapping = {exporter: "exporter", importer: "importer", trade: "trade"}
        if year is not None and year in frame.columns:
            mapping[year] = "year"
        if output is not None:
            mapping[output] = "output"
        if expenditure is not None:
            mapping[expenditure] = "expenditure"
        missing = [name for name in mapping if name not in frame.columns]
        if missing:
            raise WorldValidationError(
                f"{source}: columns {missing} not found; the file has {list(frame.columns)}."
            )
        clashes = [std for given, std in mapping.items() if std in frame.columns and given != std]
        if clashes:
            raise WorldValidationError(f"{source}: columns {clashes} would be overwritten by renamed columns.")
        data = frame.rename(columns=mapping).copy()
        for column in ("exporter", "importer"):
            data[column] = data[column].astype(str).str.strip()
        if "year" not in data:
            data["year"] = 0
        panel = cls(data.reset_index(drop=True), source)
        panel.check()
        return panel

    def check(self) -> None:
        """Flows finite and non-negative; one row per (exporter, importer, year); output and
        expenditure constant within a country-year and positive."""
        d, where = self.data, self.source
        trade = pd.to_numeric(d["trade"], errors="coerce")
        bad = d.index[~np.isfinite(trade.to_numpy(dtype=float)) | (trade.to_numpy(dtype=float) < 0)]
        if len(bad):
            row = d.loc[bad[0]]
            raise WorldValidationError(
                f"{where}: trade must be finite and non-negative; row {int(bad[0])} "
                f"(exporter {row['exporter']!r}, importer {row['importer']!r}, year {row['year']}) has "
                f"{row['trade']!r}."
            )
        duplicated = d.duplicated(["exporter", "importer", "year"])
        if duplicated.any():
            row = d.loc[duplicated.idxmax()]
            raise WorldValidationError(
                f"{where}: exporter {row['exporter']!r}, importer {row['importer']!r}, year {row['year']} "
                "appears more than once."
            )
        for column, side in (("output", "exporter"), ("expenditure", "importer")):
            if column not in d:
                continue
            values = pd.to_numeric(d[column], errors="coerce").to_numpy(dtype=float)
            if not np.all(np.isfinite(values) & (values > 0)):
                index = int(np.flatnonzero(~(np.isfinite(values) & (values > 0)))[0])
                raise WorldValidationError(
                    f"{where}: {column} must be positive; row {index} has {d[column].iloc[index]!r}."
                )
            grouped = d.assign(**{column: values}).groupby([side, "year"])[column]
            spread = grouped.max() - grouped.min()  # vectorised: a Python function per group was slow
            if (spread > 0).any():
                key = spread.index[int(np.argmax(spread.to_numpy() > 0))]
                raise WorldValidationError(
                    f"{where}: {column} differs between rows of {side} {key[0]!r} in year {key[1]}; "
                    "it must be the country's total, repeated on each of its rows."
                )

    # ------------------------------------------------------------------ views
    @property
    def years(self) -> list:
        """The panel's years, sorted."""
        return sorted(self.data["year"].unique().tolist())

    @property
    def variables(self) -> list[str]:
        """The columns other than the identifiers, flows, output and expenditure."""
        return [c for c in self.data.columns if c not in STANDARD]

    def year_frame(self, year=None) -> pd.DataFrame:
        """The rows of one year (the only year when ``year`` is None).

        Parameters
        ----------
        year : optional
            The year (default: the panel's only year).

        Returns
        -------
        pandas.DataFrame
            The year's rows.

        Raises
        ------
        tradewar.errors.WorldValidationError
            If ``year`` is None and the panel holds several years, or the year has no rows.
        """
        years = self.years
        if year is None:
            if len(years) != 1:
                raise WorldValidationError(f"{self.source} holds years {years}: choose one with year=...")
            return self.data  # every row is of that year
        chosen = self.data[self.data["year"].astype(str) == str(year)]
        if chosen.empty:
            raise WorldValidationError(f"{self.source} has no rows for year {year!r}; years are {years}.")
        return chosen

    def countries(self, year=None) -> list[str]:
        """Countries that trade in a year (default: the panel's only year, as :meth:`year_frame`).

        Parameters
        ----------
        year : optional
            The year (default: the panel's only year).

        Returns
        -------
        list of str
            Exporters and importers, sorted.

        Raises
        ------
        tradewar.errors.WorldValidationError
            As :meth:`year_frame`.
        """
        frame = self.year_frame(year)
        return sorted(set(frame["exporter"]) | set(frame["importer"]))

    def matrix(self, column: str, year=None, countries: Sequence[str] | None = None) -> np.ndarray:
        """``column`` as a square ``[importer, exporter]`` array; every pair must be present.

        Parameters
        ----------
        column : str
            The column.
        year : optional
            The year (default: the panel's only year).
        countries : sequence of str, optional
            The order of rows and columns (default: :meth:`countries`).

        Returns
        -------
        numpy.ndarray
            (N, N) values.

        Raises
        ------
        tradewar.errors.WorldValidationError
            If the column is missing or a pair has no row.
        """
        return self.matrices([column], year, countries)[column]

    def matrices(
        self, columns: Sequence[str], year=None, countries: Sequence[str] | None = None
    ) -> dict[str, np.ndarray]:
        """Several columns as square ``[importer, exporter]`` arrays, in one pass over the rows (a
        model needs the flows and every cost variable: one pivot each was most of its set-up).
        Every pair must be present.

        Parameters
        ----------
        columns : sequence of str
            The columns.
        year : optional
            The year (default: the panel's only year).
        countries : sequence of str, optional
            The order of rows and columns (default: :meth:`countries`).

        Returns
        -------
        dict
            Column -> (N, N) values.

        Raises
        ------
        tradewar.errors.WorldValidationError
            If a column is missing or a pair has no row.
        """
        frame = self.year_frame(year)
        missing = [column for column in columns if column not in frame]
        if missing:
            raise WorldValidationError(
                f"{self.source} has no column {missing[0]!r}; columns are {list(frame.columns)}."
            )
        countries = list(countries) if countries is not None else self.countries(year)
        n = len(countries)
        position = {label: k for k, label in enumerate(countries)}
        rows = frame["importer"].map(position)
        cols = frame["exporter"].map(position)
        inside = (rows.notna() & cols.notna()).to_numpy()
        at = (rows.to_numpy()[inside].astype(np.intp), cols.to_numpy()[inside].astype(np.intp))
        result = {}
        for column in columns:
            values = np.full((n, n), np.nan)
            values[at] = frame[column].to_numpy(dtype=float)[inside]
            if np.isnan(values).any():
                i, j = np.argwhere(np.isnan(values))[0]
                raise WorldValidationError(
                    f"{self.source}: no {column!r} for exporter {countries[j]!r} -> importer {countries[i]!r}"
                    f"{'' if year is None else f' in {year}'}; the panel must be square (domestic rows included)."
                )
            result[column] = values
        return result

    def country_values(self, column: str, year=None, countries: Sequence[str] | None = None) -> np.ndarray:
        """Output (by exporter) or expenditure (by importer) as a vector.

        Parameters
        ----------
        column : {"output", "expenditure"}
            Which.
        year : optional
            The year (default: the panel's only year).
        countries : sequence of str, optional
            The order (default: :meth:`countries`).

        Returns
        -------
        numpy.ndarray
            (N,) values.

        Raises
        ------
        tradewar.errors.WorldValidationError
            If the panel has no such column, or a country has no value.
        """
        side = {"output": "exporter", "expenditure": "importer"}[column]
        frame = self.year_frame(year)
        if column not in frame:
            raise WorldValidationError(f"{self.source} has no {column} column: name it when reading the panel.")
        countries = list(countries) if countries is not None else self.countries(year)
        values = frame.groupby(side)[column].first().reindex(countries).to_numpy(dtype=float)
        if np.isnan(values).any():
            raise WorldValidationError(
                f"{self.source}: no {column} for {countries[int(np.argmax(np.isnan(values)))]!r}."
            )
        return values

    def with_values(
        self, column: str, pairs: Iterable[tuple[str, str]], value: float, *, both_ways: bool = False
    ) -> GravityPanel:
        """A copy with ``column`` set to ``value`` for the (exporter, importer) ``pairs`` (an
        experiment's data, e.g. a PTA added between two countries).

        Parameters
        ----------
        column : str
            The column to change.
        pairs : iterable of tuple of str
            (exporter, importer) pairs.
        value : float
            The new value.
        both_ways : bool, default False
            Also set the reverse pairs.

        Returns
        -------
        GravityPanel
            The changed copy.

        Raises
        ------
        tradewar.errors.WorldValidationError
            If the column or a country is unknown.
        """
        data = self.data.copy()
        if column not in data:
            raise WorldValidationError(f"{self.source} has no column {column!r}.")
        known = set(data["exporter"]) | set(data["importer"])
        for exporter, importer in pairs:
            for e, i in ((exporter, importer), (importer, exporter)) if both_ways else ((exporter, importer),):
                for label in (e, i):
                    if label not in known:
                        raise WorldValidationError(f"{self.source}: unknown country {label!r}.")
                data.loc[(data["exporter"] == e) & (data["importer"] == i), column] = value
        return GravityPanel(data, self.source)


def read_gravity_panel(
    path: Path | str,
    *,
    exporter: str = "exporter",
    importer: str = "importer",
    year: str | None = "year",
    trade: str = "trade",
    output: str | None = None,
    expenditure: str | None = None,
    sep: str | None = None,
) -> GravityPanel:
    """Read a gravity panel from CSV/delimited text (separator sniffed unless ``sep``) or Parquet.

    gegravity's sample data: ``read_gravity_panel(path, output="Y", expenditure="E")``.

    Parameters
    ----------
    path : pathlib.Path or str
        The file (``.parquet``/``.pq`` read as Parquet, anything else as delimited text).
    exporter, importer : str
        The columns holding the country labels.
    year : str or None, default "year"
        The year column (absent or None: one year, 0).
    trade : str, default "trade"
        The flows column.
    output, expenditure : str, optional
        The columns of each country's output and expenditure (gegravity's ``Y``, ``E``).
    sep : str, optional
        The separator (default: sniffed).

    Returns
    -------
    GravityPanel
        The checked panel, its source the file's path.

    Raises
    ------
    tradewar.errors.DataNotFoundError
        If the file does not exist.
    tradewar.errors.WorldValidationError
        If the columns or values fail the panel's checks.
    """
    path = Path(path)
    if not path.is_file():
        raise DataNotFoundError(f"Gravity data file {path} not found.")
    if path.suffix.lower() in (".parquet", ".pq"):
        frame = pd.read_parquet(path)
    else:
        frame = pd.read_csv(path, sep=sep, engine="python") if sep is None else pd.read_csv(path, sep=sep)
    return GravityPanel.from_frame(
        frame, exporter=exporter, importer=importer, year=year, trade=trade, output=output,
        expenditure=expenditure, source=str(path),
    )
