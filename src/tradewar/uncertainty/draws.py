"""Parameter draws for Monte Carlo: trade elasticities by sector.

Generated draws multiply each sector's point estimate ``theta_j`` by a random factor:

- ``"lognormal"``: ``theta_j * exp(spread * z_j)``: always positive, median ``theta_j``;
  ``spread`` is the standard deviation of ``log theta``.
- ``"normal"``: ``theta_j * (1 + spread * z_j)``: ``spread`` is the relative standard
  deviation; a draw at or below zero is kept and reported as a failed draw.

``z`` is standard normal, independent across sectors (``correlation="independent"``) or
one value per draw for every sector (``"common"``, a single elasticity shifter).

A file of draws (CSV or Parquet) has one column per sector, named as the world's
sectors, one row per draw; an optional ``draw`` column labels the rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from tradewar.errors import DataNotFoundError, ShockError

__all__ = ["draw_elasticities", "read_draws", "check_draws"]

DISTRIBUTIONS = ("lognormal", "normal")


def draw_elasticities(
    base: pd.Series,
    draws: int,
    spread: float,
    distribution: Literal["lognormal", "normal"] = "lognormal",
    seed: int | None = None,
    correlation: Literal["independent", "common"] = "independent",
) -> pd.DataFrame:
    """``draws`` rows of elasticities around ``base`` (a Series indexed by sector).

    Parameters
    ----------
    base : pandas.Series
        The central theta, indexed by sector.
    draws : int
        Rows to draw (>= 1).
    spread : float
        The shock's standard deviation (>= 0): in logs (lognormal: ``theta exp(spread z)``) or
        relative (normal: ``theta (1 + spread z)``).
    distribution : {"lognormal", "normal"}, default "lognormal"
        The shape.
    seed : int, optional
        The random seed (same seed, same draws).
    correlation : {"independent", "common"}, default "independent"
        One shock per sector, or one shock shared by every sector in a draw.

    Returns
    -------
    pandas.DataFrame
        ``draw`` x ``sector``.

    Raises
    ------
    tradewar.errors.ShockError
        If the distribution or correlation is unknown, ``draws`` < 1 or the spread is negative
        or not finite.
    """
    if distribution not in DISTRIBUTIONS:
        raise ShockError(f"distribution must be one of {DISTRIBUTIONS}, not {distribution!r}.")
    if correlation not in ("independent", "common"):
        raise ShockError(f"correlation must be 'independent' or 'common', not {correlation!r}.")
    if int(draws) < 1:
        raise ShockError(f"draws must be at least 1, got {draws!r}.")
    if not (np.isfinite(spread) and spread >= 0):
        raise ShockError(f"spread must be a finite number >= 0, got {spread!r}.")
    rng = np.random.default_rng(seed)
    sectors = len(base)
    shocks = rng.standard_normal((int(draws), 1 if correlation == "common" else sectors))
    shocks = np.broadcast_to(shocks, (int(draws), sectors))
    theta = base.to_numpy(dtype=float)[None, :]
    values = theta * np.exp(spread * shocks) if distribution == "lognormal" else theta * (1.0 + spread * shocks)
    return pd.DataFrame(values, columns=pd.Index(list(base.index), name="sector"),
                        index=pd.RangeIndex(int(draws), name="draw"))


def read_draws(path: Path | str, sectors: Sequence[str]) -> pd.DataFrame:
    """Draws from a CSV or Parquet file, one column per sector (see the module docstring).

    Parameters
    ----------
    path : pathlib.Path or str
        The file (``.parquet``/``.pq`` as Parquet, else CSV; a ``draw`` column is the index).
    sectors : sequence of str
        The world's sectors.

    Returns
    -------
    pandas.DataFrame
        As :func:`check_draws`.

    Raises
    ------
    tradewar.errors.DataNotFoundError
        If the file does not exist.
    tradewar.errors.ShockError
        As :func:`check_draws`.
    """
    path = Path(path)
    if not path.is_file():
        raise DataNotFoundError(f"Draws file {path} not found.")
    frame = pd.read_parquet(path) if path.suffix.lower() in (".parquet", ".pq") else pd.read_csv(path)
    if "draw" in frame.columns:
        frame = frame.set_index("draw")
    return check_draws(frame, sectors, str(path))


def check_draws(frame: pd.DataFrame, sectors: Sequence[str], source: str = "draws") -> pd.DataFrame:
    """Columns exactly the world's sectors (in its order), values numeric.

    Parameters
    ----------
    frame : pandas.DataFrame
        The draws.
    sectors : sequence of str
        The world's sectors.
    source : str, default "draws"
        Where the draws came from, in messages.

    Returns
    -------
    pandas.DataFrame
        Float values, columns in the world's order, index ``draw`` from 0.

    Raises
    ------
    tradewar.errors.ShockError
        If a column is unknown or missing, or a value is not a number.
    """
    columns = [str(c) for c in frame.columns]
    unknown = sorted(set(columns) - set(sectors))
    missing = [s for s in sectors if s not in columns]
    if unknown or missing:
        raise ShockError(
            f"{source}: columns must be the world's sectors; "
            + (f"unknown {unknown}; " if unknown else "")
            + (f"missing {missing}; " if missing else "")
            + f"sectors are {list(sectors)}."
        )
    frame = frame.copy()
    frame.columns = columns
    values = frame[list(sectors)].apply(pd.to_numeric, errors="coerce")
    if values.isna().any().any():
        row, column = np.argwhere(values.isna().to_numpy())[0]
        raise ShockError(f"{source}: row {row}, sector {sectors[column]!r} is not a number.")
    values.index = pd.RangeIndex(len(values), name="draw")
    values.columns.name = "sector"
    return values.astype(float)
