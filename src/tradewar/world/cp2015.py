"""The Caliendo-Parro (2015) world: 31 countries x 40 sectors, 1993.

Reads the replication inputs (layout in ``shared/data/README.md``) and follows
the construction of the published code, step by step:

1. flows ``xbilat1993`` (USD thousands, 20 tradable sectors) are at producer
   prices; the 20 non-tradable sectors have no trade;
2. gross output ``GO`` is raised to exports where it falls short, and domestic
   sales are gross output minus exports;
3. input-output coefficients ``IO`` are shares of intermediate spending
   (columns renormalised to one: the text file rounds them to 7 digits; its one
   negative coefficient, -0.00085, is set to zero) and become cost shares
   ``(1 - B) * IO``;
4. final-demand shares are spending not used as intermediates, over income
   (value added + tariff revenue + deficit), negative values set to zero and
   renormalised;
5. non-tradable sectors get theta = 8.22, the paper's aggregate elasticity (it
   does not matter: nothing is traded in them).

The result is raw data; :func:`load_cp2015` then makes it a model equilibrium
with :meth:`World.balanced`, as the published code does before any counterfactual.
Reference: Caliendo, L. and Parro, F. (2015), "Estimates of the Trade and Welfare
Effects of NAFTA", Review of Economic Studies 82(1): 1-44.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from tradewar.errors import DataNotFoundError
from tradewar.world.world import World

if TYPE_CHECKING:  # annotations only (world <- model)
    from tradewar.model.solver import SolverOptions

__all__ = ["load_cp2015", "read_cp2015", "read_cp2015_tariffs", "default_cp2015_dir", "CITATION"]

CITATION = (
    "Caliendo, L. and Parro, F. (2015), 'Estimates of the Trade and Welfare Effects of NAFTA', "
    "Review of Economic Studies 82(1): 1-44."
)
FILES = ("xbilat1993.txt", "tariffs1993.txt", "tariffs2005.txt", "IO.txt", "B.txt", "GO.txt", "T.txt", "labels.csv")
N_TRADABLE = 20
NONTRADABLE_THETA = 8.22

# Short labels used by tradewar (ISO-3 where one exists), in the files' order.
COUNTRY_CODES = {
    "Argentina": "ARG", "Australia": "AUS", "Austria": "AUT", "Brazil": "BRA", "Canada": "CAN",
    "Chile": "CHL", "China": "CHN", "Denmark": "DNK", "Finland": "FIN", "France": "FRA",
    "Germany": "DEU", "Greece": "GRC", "Hungary": "HUN", "India": "IND", "Indonesia": "IDN",
    "Ireland": "IRL", "Italy": "ITA", "Japan": "JPN", "Korea": "KOR", "Mexico": "MEX",
    "Netherlands": "NLD", "New Zealand": "NZL", "Norway": "NOR", "Portugal": "PRT",
    "South Africa": "ZAF", "Spain": "ESP", "Sweden": "SWE", "Turkey": "TUR", "UK": "GBR",
    "USA": "USA", "Rest of World": "ROW",
}


def default_cp2015_dir() -> Path:
    """Where to look for the data: ``$TRADEWAR_CP2015_DIR``, else ``../shared/data/cp2015``.

    Returns
    -------
    pathlib.Path
        The environment variable's folder, else the first ``shared/data/cp2015`` found in the
        working directory or a parent, else ``../shared/data/cp2015`` (which may not exist).
    """
    env = os.environ.get("TRADEWAR_CP2015_DIR")
    if env:
        return Path(env)
    for base in (Path.cwd(), *Path.cwd().parents):
        candidate = base / "shared" / "data" / "cp2015"
        if candidate.is_dir():
            return candidate
    return Path.cwd().parent / "shared" / "data" / "cp2015"


def _require(directory: Path) -> None:
    missing = [name for name in FILES if not (directory / name).is_file()]
    if missing:
        raise DataNotFoundError(
            f"The Caliendo-Parro (2015) replication data are missing from {directory} "
            f"(not found: {', '.join(missing)}). Point tradewar at a copy with --data DIR or "
            "the TRADEWAR_CP2015_DIR environment variable; the files come with the paper's "
            "supplementary material (Review of Economic Studies, 2015)."
        )


def _labels(directory: Path) -> tuple[list[str], list[str]]:
    countries: list[str] = []
    sectors: list[str] = []
    with open(directory / "labels.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            (countries if row["kind"] == "country" else sectors).append(row["name"])
    return [COUNTRY_CODES.get(c, c) for c in countries], sectors


def _blocks(matrix: np.ndarray, n_countries: int) -> np.ndarray:
    """Sector-major blocks of importers (rows) x exporters -> (importer, exporter, sector)."""
    return matrix.reshape(-1, n_countries, n_countries).transpose(1, 2, 0)


def read_cp2015_tariffs(directory: Path | str | None = None, year: int = 1993) -> np.ndarray:
    """Tariffs of 1993 or 2005 as fractions, shape (importer, exporter, sector), all 40 sectors.

    Parameters
    ----------
    directory : pathlib.Path or str, optional
        The replication data (default: :func:`default_cp2015_dir`).
    year : {1993, 2005}, default 1993
        Which tariffs.

    Returns
    -------
    numpy.ndarray
        The tariffs (zero in the non-tradable sectors).

    Raises
    ------
    tradewar.errors.DataNotFoundError
        If a replication file is missing (the message says how to point tradewar at a copy).
    ValueError
        If ``year`` is neither 1993 nor 2005.
    """
    directory = Path(directory) if directory is not None else default_cp2015_dir()
    _require(directory)
    if year not in (1993, 2005):
        raise ValueError(f"CP2015 tariffs exist for 1993 and 2005, not {year}.")
    raw = np.loadtxt(directory / f"tariffs{year}.txt")
    n_countries = raw.shape[1]
    tradable = _blocks(raw, n_countries) / 100.0
    n_sectors = np.loadtxt(directory / "B.txt").shape[0]
    tariff = np.zeros((n_countries, n_countries, n_sectors))
    tariff[:, :, : tradable.shape[2]] = tradable
    return tariff


def read_cp2015(directory: Path | str | None = None) -> World:
    """The raw 1993 data as a :class:`World` (not yet a model equilibrium).

    Parameters
    ----------
    directory : pathlib.Path or str, optional
        The replication data (default: :func:`default_cp2015_dir`).

    Returns
    -------
    World
        31 countries x 40 sectors, flows in USD millions, not checked for market clearing.

    Raises
    ------
    tradewar.errors.DataNotFoundError
        If a replication file is missing (the message says how to point tradewar at a copy).
    """
    directory = Path(directory) if directory is not None else default_cp2015_dir()
    _require(directory)
    countries, sectors = _labels(directory)
    n, n_sectors = len(countries), len(sectors)

    flows_tradable = _blocks(np.loadtxt(directory / "xbilat1993.txt"), n) / 1e3  # USD mn
    trade = np.zeros((n, n, n_sectors))
    trade[:, :, :N_TRADABLE] = flows_tradable
    tariff = read_cp2015_tariffs(directory, 1993)

    gross_output = np.loadtxt(directory / "GO.txt").T / 1e6  # (country, sector), USD mn
    exports = trade.sum(axis=0)
    gross_output = np.maximum(gross_output, exports)
    domestic = np.arange(n)
    trade[domestic, domestic, :] = gross_output - exports

    value_added_share = np.loadtxt(directory / "B.txt").T  # (country, sector)
    io = np.loadtxt(directory / "IO.txt").reshape(n, n_sectors, n_sectors)  # (country, input, sector)
    # One coefficient in the file is negative (Canada, 'Other' into 'Basic metals', -0.00085).
    io = np.maximum(io, 0.0)
    column_totals = io.sum(axis=1, keepdims=True)
    io = np.divide(io, column_totals, out=np.zeros_like(io), where=column_totals > 0)
    input_share = io * (1.0 - value_added_share)[:, None, :]

    theta = np.concatenate([np.loadtxt(directory / "T.txt"), np.full(n_sectors - N_TRADABLE, NONTRADABLE_THETA)])

    spending = (trade * (1 + tariff)).sum(axis=1)
    intermediate = np.einsum("njk,nk->nj", input_share, gross_output)
    final = np.maximum(spending - intermediate, 0.0)
    final_demand_share = final / final.sum(axis=1, keepdims=True)

    return World.from_arrays(
        countries=countries,
        sectors=sectors,
        trade=trade,
        tariff=tariff,
        value_added_share=value_added_share,
        input_share=input_share,
        final_demand_share=final_demand_share,
        trade_elasticity=theta,
        require_equilibrium=False,
        name="cp2015",
        source=f"Caliendo & Parro (2015) replication inputs ({directory})",
        year=1993,
        citation=CITATION,
        goods="|".join(sectors[:N_TRADABLE]),
    )


def load_cp2015(
    directory: Path | str | None = None,
    *,
    zero_deficits: bool = False,
    options: SolverOptions | None = None,
) -> World:
    """The CP2015 world of 1993 as a model equilibrium.

    With ``zero_deficits`` the world is re-solved with every trade deficit at zero,
    the baseline of the paper's Table 2.

    Parameters
    ----------
    directory : pathlib.Path or str, optional
        The replication data (default: :func:`default_cp2015_dir`).
    zero_deficits : bool, default False
        Re-solve with every trade deficit at zero.
    options : SolverOptions, optional
        Solver settings.

    Returns
    -------
    World
        The balanced world.

    Raises
    ------
    tradewar.errors.DataNotFoundError
        If a replication file is missing (the message says how to point tradewar at a copy).
    """
    world = read_cp2015(directory).balanced(options)
    if zero_deficits:
        world = world.without_deficits(options)
    return world
