"""Counterfactuals on a world: validate the shock, solve, package the result."""

from __future__ import annotations

from typing import Literal

import numpy as np
import xarray as xr

from tradewar.errors import ShockError
from tradewar.model.caliendo_parro import REVENUE_CLOSURES, solve_equilibrium
from tradewar.model.result import CounterfactualResult
from tradewar.model.solver import SolverOptions
from tradewar.world.world import World

__all__ = ["simulate"]

BILATERAL = ("importer", "exporter", "sector")


def _cell(world: World, n: int, i: int, j: int) -> str:
    return f"importer={world.countries[n]!r}, exporter={world.countries[i]!r}, sector={world.sectors[j]!r}"


def _bilateral_array(
    world: World, values, name: str, lowest: float, rule: str, allow_infinity: bool = False
) -> np.ndarray:
    """A full (importer, exporter, sector) array from a DataArray or numpy array, checked:
    labels known and complete, every value finite (or +inf if allowed) and above ``lowest``."""
    if isinstance(values, xr.DataArray):
        if set(values.dims) != set(BILATERAL):
            raise ShockError(f"{name} must have dims {BILATERAL}, got {values.dims}.")
        for dim, labels in (("importer", world.countries), ("exporter", world.countries), ("sector", world.sectors)):
            given = [str(v) for v in values[dim].values]
            unknown = sorted(set(given) - set(labels))
            if unknown:
                raise ShockError(f"{name} names unknown {dim} labels {unknown}; the world has {labels}.")
            if sorted(given) != sorted(labels):
                missing = sorted(set(labels) - set(given))
                raise ShockError(f"{name} lacks {dim} labels {missing}: give a value for every cell.")
        values = values.transpose(*BILATERAL).sel(
            importer=world.countries, exporter=world.countries, sector=world.sectors
        ).values
    array = np.asarray(values, dtype=float)
    expected = world.tariff.shape
    if array.shape != expected:
        raise ShockError(f"{name} has shape {array.shape}; this world needs {expected} (importer, exporter, sector).")
    if np.isnan(array).any():
        raise ShockError(f"{name}[{_cell(world, *np.argwhere(np.isnan(array))[0])}] is NaN.")
    finite = np.isfinite(array) | (allow_infinity & (array == np.inf))
    bad = ~finite | (array <= lowest)
    if bad.any():
        n, i, j = np.argwhere(bad)[0]
        raise ShockError(f"{name}[{_cell(world, n, i, j)}] = {array[n, i, j]:.6g}: {rule}.")
    return array


def simulate(
    world: World,
    *,
    tariff=None,
    trade_cost_change=None,
    export_tax=None,
    deficits: Literal["fixed", "zero"] = "fixed",
    revenue: str = "rebate",  # "rebate" or "deficit-reduction", checked below
    options: SolverOptions | None = None,
    on_iteration=None,
) -> CounterfactualResult:
    """Solve the counterfactual equilibrium of ``world`` under new policies.

    Parameters
    ----------
    world : World
        The baseline; it must be a model equilibrium (``World.is_equilibrium``).
    tariff : xarray.DataArray or numpy.ndarray, optional
        New ad valorem tariffs (fractions) for every importer, exporter and sector,
        as a DataArray labelled like ``world.tariff`` or an array of its shape.
        Default: unchanged.
    trade_cost_change : xarray.DataArray or numpy.ndarray, optional
        Iceberg trade-cost ratios new / old (1 = unchanged), same layout. Default: none.
    export_tax : xarray.DataArray or numpy.ndarray, optional
        New export taxes (fractions) levied by exporters, same layout; ``numpy.inf``
        bans a flow. Default: the world's (none).
    deficits : {"fixed", "zero"}
        ``"fixed"`` keeps each country's trade deficit at its baseline value (in
        units of world value added, the numeraire); ``"zero"`` first solves the world
        without deficits and measures the shock against it (CP2015, Table 2).
    revenue : {"rebate", "deficit-reduction"}
        The closure for tariff revenue: ``"rebate"`` (spent by households, CP2015) or
        ``"deficit-reduction"`` (the change of a country's tariff revenue lowers its trade
        deficit instead of financing consumption; the world's net change is shared out by
        value added so deficits still sum to zero: see
        :func:`tradewar.model.equations.deficits_after`).
    options : SolverOptions, optional
        Solver settings; see :class:`~tradewar.model.solver.SolverOptions`.
    on_iteration : callable, optional
        Called as ``on_iteration(sweep, residual)`` as the solver goes (progress bars).

    Returns
    -------
    CounterfactualResult
        Every country's changes (welfare, wages, prices, output, trade, revenue), the new
        flows and the solver's report; ``summary()``, ``to_frame()``, ``to_dict()``.

    Raises
    ------
    ShockError
        The world is raw data, or ``deficits`` / ``revenue`` / a policy array is invalid.
    ConvergenceError
        The solver did not converge within ``options.max_iter`` sweeps.
    NoEquilibriumError
        The shock has no equilibrium (e.g. a deficit that can no longer be financed).
    """
    if not world.is_equilibrium:
        raise ShockError(
            f"World {world.name!r} is raw data, not a model equilibrium: call world.balanced() first."
        )
    if deficits not in ("fixed", "zero"):
        raise ShockError(f"deficits must be 'fixed' or 'zero', not {deficits!r}.")
    if revenue not in REVENUE_CLOSURES:
        raise ShockError(f"revenue must be {' or '.join(map(repr, REVENUE_CLOSURES))}, not {revenue!r}.")
    tariff_new = (
        world.tariff.values.copy()
        if tariff is None
        else _bilateral_array(
            world, tariff, "tariff", -1.0, "tariffs are fractions and must be finite and above -1 (-100%)"
        )
    )
    cost_change = (
        np.ones_like(tariff_new)
        if trade_cost_change is None
        else _bilateral_array(
            world, trade_cost_change, "trade_cost_change", 0.0,
            "iceberg cost changes are ratios new / old and must be positive and finite",
        )
    )
    export_tax_new = (
        None
        if export_tax is None
        else _bilateral_array(
            world, export_tax, "export_tax", -1.0,
            "export taxes are fractions above -1 (-100%); use inf for a ban", allow_infinity=True,
        )
    )
    baseline_world = world.without_deficits(options) if deficits == "zero" else world
    equilibrium = solve_equilibrium(
        baseline_world.baseline(),
        tariff_new,
        cost_change,
        baseline_world.deficit.values,
        options,
        on_iteration=on_iteration,
        export_tax_new=export_tax_new,
        revenue=revenue,
    )
    return CounterfactualResult(
        baseline_world, equilibrium, tariff_new, cost_change, deficits=deficits, revenue=revenue,
        export_tax_new=export_tax_new,
    )
