"""Instruments found by the solver: quotas and purchase commitments.

A quota caps the value a country exports; its tax equivalent is the export tax that
brings the flow down to the cap (the rent goes to the exporter, as an export tax's
revenue does). A purchase commitment makes a country buy at least a value from
another; it is met by the import subsidy (a cut in the importer's tariff below its
level, negative tariffs allowed) that raises the flow to the target, whose cost to
the importer's treasury is reported. Both are one-dimensional searches (Brent's
method, ``scipy.optimize.brentq``) over full general-equilibrium solves.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
import xarray as xr

from tradewar.errors import MissingExtraError, ShockError, TradewarError
from tradewar.extras import require_extra
from tradewar.model.counterfactual import simulate
from tradewar.model.result import CounterfactualResult
from tradewar.model.solver import SolverOptions
from tradewar.results import ArrayResult, Summary
from tradewar.world.world import World

__all__ = ["TargetResult", "solve_quota", "solve_purchase_commitment"]


@dataclass(repr=False)
class TargetResult(ArrayResult):
    """The instrument that meets a target, and the equilibrium it gives.

    ``rate`` is the export-tax equivalent of a quota (infinite for a cap of zero: a ban)
    or the import subsidy of a purchase commitment, as a fraction; ``value`` and
    ``target`` are the flow reached and aimed at (USD millions at producer prices);
    ``cost_usd_mn`` the subsidy paid by the importer (0 for a quota: its rent is the
    exporter's revenue); ``result`` the equilibrium with the instrument; ``solves`` the
    equilibrium solves the search took.

    Parameters
    ----------
    instrument : {"export_tax", "import_subsidy"}
        The instrument searched for.
    rate : float
        The tax equivalent or the subsidy (>= 0, a fraction).
    value : float
        The flow reached (USD millions at producer prices).
    target : float
        The flow aimed at (USD millions).
    binding : bool
        False when the target is met with no instrument at all.
    cost_usd_mn : float
        The subsidy paid by the importer (0 for a quota).
    result : CounterfactualResult
        The equilibrium with the instrument.
    solves : int
        Equilibrium solves the search took.
    importer, exporter : str
        The countries of the flow.
    sectors : tuple of str
        The sectors covered.
    """

    instrument: str  # "export_tax" or "import_subsidy"
    rate: float  # the tax equivalent (>= 0) or the subsidy (>= 0, a tariff cut)
    value: float  # the flow reached, USD millions at producer prices
    target: float
    binding: bool  # False when the target is met with no instrument at all
    cost_usd_mn: float  # subsidy paid by the importer (0 for a quota: its rent is revenue)
    result: CounterfactualResult
    solves: int
    importer: str = ""
    exporter: str = ""
    sectors: tuple[str, ...] = ()

    @property
    def _what(self) -> str:
        sectors = ", ".join(self.sectors) if len(self.sectors) <= 3 else f"{len(self.sectors)} sectors"
        if self.instrument == "export_tax":
            return f"Quota on {self.exporter}'s sales to {self.importer} ({sectors})"
        return f"Purchase commitment: {self.importer} buys from {self.exporter} ({sectors})"

    def summary(self, countries: list[str] | None = None) -> Summary:
        """The instrument found and the equilibrium's country results (``countries``, default all).

        Parameters
        ----------
        countries : list of str, optional
            The countries shown (default: all).

        Returns
        -------
        Summary
            Titled with the quota or commitment; the header gives target, reach, rate and cost.
        """
        summary = self.result.summary(countries)
        name = "export-tax equivalent" if self.instrument == "export_tax" else "import subsidy"
        summary.header = [
            f"{summary.title}.",
            f"Target {self.target:,.1f}, reached {self.value:,.1f} USD mn; {name} {100 * self.rate:.3f}%"
            f"{'' if self.binding else ' (not binding: met without the instrument)'}; cost to the importer "
            f"{self.cost_usd_mn:,.1f} USD mn; {self.solves} equilibrium solves.",
        ]
        summary.title = self._what
        return summary

    def to_frame(self, level: str = "country") -> pd.DataFrame:
        """The equilibrium's frame (:meth:`CounterfactualResult.to_frame`).

        Parameters
        ----------
        level : {"country", "sector", "bilateral"}, default "country"
            Which numbers.

        Returns
        -------
        pandas.DataFrame
            The equilibrium's numbers at that level.
        """
        return self.result.to_frame(level)

    def to_dict(self) -> dict:
        """The instrument, the target and the equilibrium (``rate`` is null when infinite: a ban).

        Returns
        -------
        dict
            JSON-safe; ``result`` is the equilibrium's document with the exporter-importer pair.
        """
        return {
            "instrument": self.instrument, "importer": self.importer, "exporter": self.exporter,
            "sectors": list(self.sectors), "rate": float(self.rate) if np.isfinite(self.rate) else None,
            "value_usd_mn": float(self.value), "target_usd_mn": float(self.target), "binding": bool(self.binding),
            "cost_usd_mn": float(self.cost_usd_mn), "solves": int(self.solves),
            "result": self.result.to_dict(pairs=[(self.exporter, self.importer)]),
        }

    def to_dataset(self) -> xr.Dataset:
        """The equilibrium's dataset with the instrument and the target in its attributes.

        Returns
        -------
        xarray.Dataset
            The equilibrium's arrays, with units.
        """
        data = self.result.to_dataset()
        data.attrs.update({"instrument": self.instrument, "importer": self.importer, "exporter": self.exporter,
                           "sectors": list(self.sectors), "rate": float(self.rate), "value_usd_mn": float(self.value),
                           "target_usd_mn": float(self.target), "binding": bool(self.binding),
                           "cost_usd_mn": float(self.cost_usd_mn), "solves": int(self.solves)})
        return data


def _cells(world: World, importer: str, exporter: str, sectors: Sequence[str] | str) -> dict:
    for label in (importer, exporter):
        if label not in world.countries:
            raise ShockError(f"Unknown country {label!r}; the world has {world.countries}.")
    covered = world.goods if sectors == "goods" else [sectors] if isinstance(sectors, str) else list(sectors)
    unknown = [s for s in covered if s not in world.sectors]
    if unknown:
        raise ShockError(f"Unknown sectors {unknown}; the world has {world.sectors}.")
    return {"importer": importer, "exporter": exporter, "sector": covered}


def _labels(cells: dict) -> tuple[str, str, tuple[str, ...]]:
    return cells["importer"], cells["exporter"], tuple(cells["sector"])


def _labelled(like: xr.DataArray, values) -> xr.DataArray:
    """A labelled copy of ``values`` (a DataArray or an array of the world's shape); ``like`` when None."""
    if values is None:
        return like.copy()
    if isinstance(values, xr.DataArray):
        return values.transpose(*like.dims).sel({dim: like[dim].values for dim in like.dims}).copy()
    array = np.asarray(values, dtype=float)
    if array.shape != like.shape:
        raise ShockError(f"Expected an array of shape {like.shape} (importer, exporter, sector), got {array.shape}.")
    return like.copy(data=array)


def _flow(result: CounterfactualResult, cells: dict) -> float:
    return float(result.data["trade_new"].sel(cells).sum())


def _search(evaluate: Callable[[float], float], low: float, high: float, what: str) -> float:
    """The root of a monotone gap in [low, high], extending ``high`` while it has not changed sign."""
    require_extra("solvers", "scipy")  # before any solve: the core install has no scipy
    gap_low = evaluate(low)
    gap_high = evaluate(high)
    expansions = 0
    while np.sign(gap_low) == np.sign(gap_high) and expansions < 8:
        high = high * 4
        gap_high = evaluate(high)
        expansions += 1
    if np.sign(gap_low) == np.sign(gap_high):
        raise ShockError(f"No {what} up to {high:g} meets the target.")
    from scipy.optimize import brentq  # only a target search needs it: simulations import this module

    return brentq(evaluate, low, high, xtol=1e-10, rtol=1e-10)


def solve_quota(
    world: World,
    *,
    exporter: str,
    importer: str,
    sectors: Sequence[str] | str,
    cap_usd_mn: float,
    tariff=None,
    export_tax=None,
    deficits: Literal["fixed", "zero"] = "fixed",
    options: SolverOptions | None = None,
) -> TargetResult:
    """The export-tax equivalent of a cap on the value ``exporter`` sells to ``importer``
    in ``sectors`` (uniform across them), on top of the given policies.

    Parameters
    ----------
    world : World
        The world.
    exporter, importer : str
        The countries of the capped flow.
    sectors : sequence of str or str
        The sectors covered (one name, a list, or "goods").
    cap_usd_mn : float
        The cap (USD millions at producer prices, >= 0; 0 is a ban).
    tariff, export_tax : xarray.DataArray or numpy.ndarray, optional
        The policies the quota adds to (default: the world's).
    deficits : {"fixed", "zero"}, default "fixed"
        The deficit closure.
    options : SolverOptions, optional
        Solver settings.

    Returns
    -------
    TargetResult
        The export-tax equivalent (0 and not binding when the flow is already under the cap;
        infinite for a cap of zero) and the equilibrium with it.

    Raises
    ------
    tradewar.errors.ShockError
        If the cap is negative or not finite, a country or sector is unknown, a policy array has
        the wrong shape, or no export tax meets the cap.
    """
    if not (np.isfinite(cap_usd_mn) and cap_usd_mn >= 0):
        raise ShockError(f"A quota's cap must be a value >= 0 (USD millions), got {cap_usd_mn!r}.")
    cells = _cells(world, importer, exporter, sectors)
    base_tax = _labelled(world.export_tax, export_tax)
    solves = 0

    def run(rate: float) -> CounterfactualResult:
        nonlocal solves
        solves += 1
        tax = base_tax.copy()
        tax.loc[cells] = (1 + tax.loc[cells]) * (1 + rate) - 1
        return simulate(world, tariff=tariff, export_tax=tax, deficits=deficits, options=options)

    free = run(0.0)
    if _flow(free, cells) <= cap_usd_mn:
        return TargetResult("export_tax", 0.0, _flow(free, cells), cap_usd_mn, False, 0.0, free, solves,
                            *_labels(cells))
    if cap_usd_mn == 0:
        banned = run(np.inf)
        return TargetResult("export_tax", np.inf, 0.0, 0.0, True, 0.0, banned, solves,
                            *_labels(cells))
    # Search in log(1 + rate): flows fall like (1 + rate) ** -theta, so the gap is smooth there.
    log_rate = _search(lambda z: np.log(_flow(run(np.expm1(z)), cells) / cap_usd_mn), 0.0, 1.0, "export tax")
    rate = float(np.expm1(log_rate))
    result = run(rate)
    return TargetResult("export_tax", rate, _flow(result, cells), cap_usd_mn, True, 0.0, result, solves,
                        *_labels(cells))


def solve_purchase_commitment(
    world: World,
    *,
    importer: str,
    exporter: str,
    sectors: Sequence[str] | str,
    target_usd_mn: float,
    tariff=None,
    export_tax=None,
    deficits: Literal["fixed", "zero"] = "fixed",
    revenue: str = "rebate",
    options: SolverOptions | None = None,
    max_subsidy: float = 0.9,
) -> TargetResult:
    """The import subsidy (a uniform cut in ``importer``'s tariffs on ``exporter``'s goods in
    ``sectors``, below zero if needed) that makes the flow reach ``target_usd_mn``.

    The cost is the subsidy paid: the fall in tariff revenue on the covered flows
    relative to the tariffs before the commitment.

    Parameters
    ----------
    world : World
        The world.
    importer, exporter : str
        The countries of the flow.
    sectors : sequence of str or str
        The sectors covered (one name, a list, or "goods").
    target_usd_mn : float
        The flow to reach (USD millions at producer prices, > 0).
    tariff, export_tax : xarray.DataArray or numpy.ndarray, optional
        The policies the commitment adds to (default: the world's).
    deficits : {"fixed", "zero"}, default "fixed"
        The deficit closure.
    revenue : str, default "rebate"
        The closure for tariff revenue.
    options : SolverOptions, optional
        Solver settings.
    max_subsidy : float, default 0.9
        The largest subsidy tried (a fraction in (0, 1)).

    Returns
    -------
    TargetResult
        The subsidy (0 and not binding when the flow already reaches the target), its cost
        and the equilibrium with it.

    Raises
    ------
    tradewar.errors.ShockError
        If the target or ``max_subsidy`` is out of range, a country or sector is unknown, or no
        subsidy up to ``max_subsidy`` with an equilibrium reaches the target.
    """
    if not (np.isfinite(target_usd_mn) and target_usd_mn > 0):
        raise ShockError(f"A purchase target must be a positive value (USD millions), got {target_usd_mn!r}.")
    if not 0 < max_subsidy < 1:
        raise ShockError(f"max_subsidy must be in (0, 1), got {max_subsidy!r}.")
    cells = _cells(world, importer, exporter, sectors)
    base_tariff = _labelled(world.tariff, tariff)
    solves = 0

    def run(subsidy: float) -> CounterfactualResult:
        nonlocal solves
        solves += 1
        new = base_tariff.copy()
        # A subsidy s lowers the buyer's price by the factor (1 - s).
        new.loc[cells] = (1 + new.loc[cells]) * (1 - subsidy) - 1
        return simulate(world, tariff=new, export_tax=export_tax, deficits=deficits, revenue=revenue, options=options)

    free = run(0.0)
    if _flow(free, cells) >= target_usd_mn:
        return TargetResult("import_subsidy", 0.0, _flow(free, cells), target_usd_mn, False, 0.0, free, solves,
                            *_labels(cells))
    require_extra("solvers", "scipy")  # the search needs brentq; the core install has no scipy

    def gap(subsidy: float) -> float:
        return float(np.log(_flow(run(subsidy), cells) / target_usd_mn))

    # Grow the bracket from small subsidies: huge ones can leave the model without an
    # equilibrium, and the target is usually met long before.
    low, high = 0.0, min(0.05, max_subsidy)
    while True:
        try:
            reached = gap(high) >= 0
        except MissingExtraError:  # a missing package is not a missing equilibrium
            raise
        except TradewarError as error:
            raise ShockError(
                f"Meeting the purchase target needs an import subsidy above {100 * low:.0f}%, where the model has "
                f"no equilibrium ({error})."
            ) from None
        if reached:
            break
        if high >= max_subsidy:
            raise ShockError(
                f"Even a {100 * max_subsidy:.0f}% import subsidy does not raise {importer}'s purchases from "
                f"{exporter} to {target_usd_mn:,.0f} USD mn; the commitment is out of reach in this model."
            )
        low, high = high, min(2 * high, max_subsidy)
    from scipy.optimize import brentq  # see above: kept out of the module's import

    subsidy = float(brentq(gap, low, high, xtol=1e-10, rtol=1e-10))
    result = run(subsidy)
    fob = 1 + result.data["export_tax_new"].sel(cells)
    tariff_before = base_tariff.sel(cells)
    tariff_after = result.data["tariff_new"].sel(cells)
    flows = result.data["trade_new"].sel(cells)
    cost = float((flows * fob * (tariff_before - tariff_after)).sum())
    return TargetResult("import_subsidy", subsidy, _flow(result, cells), target_usd_mn, True, cost, result, solves,
                        *_labels(cells))
