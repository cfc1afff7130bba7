"""What one Monte Carlo draw or sweep run solves: a world, a policy, and the parameters
that vary, resolved once (in each worker) and solved many times.

A :class:`Plan` is built from a world and a shock (:meth:`Plan.from_world`) or from a
scenario (:meth:`Plan.from_scenario`, through the one pipeline of
:mod:`tradewar.simulation`: :func:`~tradewar.simulation.prepare_scenario` reads the
scenario and its overrides, :func:`~tradewar.simulation.solve_policy` solves each draw
with the zero-deficit baseline, the ``against`` starting point and purchase
commitments). Only the steps that depend on the varied parameters are repeated for
each draw; with fixed deficits, no starting point and no commitments a draw is one
call of the equilibrium solver on the cached baseline arrays.
"""

from __future__ import annotations

import dataclasses
import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd
import xarray as xr

from tradewar.errors import ShockError
from tradewar.model.caliendo_parro import solve_equilibrium
from tradewar.model.result import CounterfactualResult
from tradewar.model.solver import SolverOptions
from tradewar.simulation import PreparedScenario, ScenarioOverrides, prepare_scenario, solve_policy
from tradewar.world.world import World

__all__ = ["Plan", "summarise", "COUNTRY_COLUMNS"]

# The country table's columns (CounterfactualResult.country_table()).
COUNTRY_COLUMNS = (
    "welfare_pct", "terms_of_trade_pct", "volume_of_trade_pct", "real_wage_pct", "price_index_pct",
    "exports_pct", "imports_pct", "tariff_revenue_usd_mn", "tariff_revenue_change_usd_mn",
)


@dataclass
class Plan:
    """A resolved counterfactual whose trade elasticities can vary (see the module docstring).

    Parameters
    ----------
    name : str
        The plan's name (the scenario's or the world's).
    world : World
        The world solved on.
    tariff, export_tax, trade_cost_change : xarray.DataArray or numpy.ndarray, optional
        The shock (None: the world's own / no change).
    deficits : {"fixed", "zero"}, default "fixed"
        The deficit closure.
    start : tuple, optional
        (tariff, export tax) measured from (None: the world's baseline).
    commitments : tuple
        Purchase commitments ``(importer, exporter, sectors, amount_usd_mn, id)``.
    against : str
        The starting point, in words.
    on : datetime.date, optional
        The policy date.
    extra_tariffs : tuple
        The overrides' extra tariff changes, as recorded in outputs.
    key : str
        A unique key (default: a fresh UUID) that identifies the plan in worker processes.
    revenue : str, default "rebate"
        The closure for tariff revenue.
    """

    name: str
    world: World
    tariff: xr.DataArray | np.ndarray | None = None
    export_tax: xr.DataArray | np.ndarray | None = None
    trade_cost_change: xr.DataArray | np.ndarray | None = None
    deficits: str = "fixed"
    start: tuple | None = None  # (tariff, export tax) measured from, or None for the baseline
    commitments: tuple = ()  # (importer, exporter, sectors, amount_usd_mn, id)
    against: str = "baseline (no trade war)"
    on: date | None = None
    extra_tariffs: tuple = ()  # the overrides' extra tariff changes, as recorded in outputs
    key: str = field(default_factory=lambda: uuid.uuid4().hex)
    revenue: str = "rebate"  # the tariff-revenue closure

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_world(cls, world: World, *, tariff=None, trade_cost_change=None, export_tax=None,
                   deficits: str = "fixed", name: str | None = None) -> Plan:
        """A plan for a world and a shock given as arrays (as for :func:`tradewar.simulate`).

        Parameters
        ----------
        world : World
            The world.
        tariff, trade_cost_change, export_tax : xarray.DataArray or numpy.ndarray, optional
            The shock.
        deficits : {"fixed", "zero"}, default "fixed"
            The deficit closure.
        name : str, optional
            The plan's name (default: the world's).

        Returns
        -------
        Plan
            The plan.

        Raises
        ------
        tradewar.errors.ShockError
            If ``deficits`` is neither.
        """
        if deficits not in ("fixed", "zero"):
            raise ShockError(f"deficits must be 'fixed' or 'zero', not {deficits!r}.")
        return cls(name or world.name, world, tariff, export_tax, trade_cost_change, deficits)

    @classmethod
    def from_scenario(cls, scenario, *, overrides: ScenarioOverrides | None = None, against=None,
                      library=None) -> Plan:
        """The scenario's world and policy, as :func:`~tradewar.simulation.prepare_scenario` builds them
        (``overrides`` and ``against`` as there).

        Parameters
        ----------
        scenario : Scenario or str
            A scenario, a built-in name or a file.
        overrides : ScenarioOverrides, optional
            Changes asked for by the user.
        against : str or datetime.date, optional
            The starting point.
        library : Timeline, optional
            The measures (default: the built-in library).

        Returns
        -------
        Plan
            The plan.

        Raises
        ------
        tradewar.errors.TradewarError
            As :func:`~tradewar.simulation.prepare_scenario`.
        """
        return cls.from_prepared(prepare_scenario(scenario, overrides=overrides, against=against, library=library))

    @classmethod
    def from_prepared(cls, p: PreparedScenario) -> Plan:
        """A prepared scenario, to solve under many elasticities.

        Parameters
        ----------
        p : PreparedScenario
            The prepared scenario.

        Returns
        -------
        Plan
            The plan.
        """
        return cls(p.scenario.name, p.world, p.tariff, p.export_tax, p.trade_cost, p.scenario.deficits, p.start,
                   p.commitments, p.against, p.on, tuple(change.to_dict() for change in p.overrides.tariffs),
                   revenue=p.scenario.revenue)

    # ------------------------------------------------------------------ solving
    @property
    def fast(self) -> bool:
        """True when a draw needs only the equilibrium solver (the baseline does not depend on theta)."""
        return self.deficits == "fixed" and self.start is None and not self.commitments

    @property
    def sectors(self) -> list[str]:
        """The world's sector labels (the columns of a table of draws)."""
        return self.world.sectors

    @property
    def elasticities(self) -> pd.Series:
        """The world's trade elasticities by sector (the centre of the draws)."""
        return self.world.trade_elasticity.to_series()

    def prepare(self, options: SolverOptions | None = None) -> dict:
        """What every draw shares: for the fast path the validated shock and baseline arrays.

        Parameters
        ----------
        options : SolverOptions, optional
            Solver settings.

        Returns
        -------
        dict
            ``options``, and on the fast path (:attr:`fast`) ``baseline``, ``tariff``, ``cost``
            and ``export_tax`` from a central solve.
        """
        if not self.fast:
            return {"options": options}
        central = self.solve(options=options)
        export_tax = None if self.export_tax is None else central.values("export_tax_new")
        return {
            "options": options,
            "baseline": self.world.baseline(),
            "tariff": central.values("tariff_new"),
            "cost": central.values("trade_cost_change"),
            "export_tax": export_tax,
            "deficit": self.world.deficit.values,
            # Every draw starts from the equilibrium at the world's own elasticities, its neighbour
            # (the same start for all, whatever executor or chunk solves it: results stay reproducible).
            "start": central.solver_state,
        }

    def solve(
        self, theta=None, options: SolverOptions | None = None, prepared: dict | None = None
    ) -> CounterfactualResult:
        """The counterfactual with trade elasticities ``theta`` (default: the world's).

        Parameters
        ----------
        theta : array_like, optional
            One positive, finite trade elasticity per sector.
        options : SolverOptions, optional
            Solver settings.
        prepared : dict, optional
            :meth:`prepare`'s output (the fast path uses it).

        Returns
        -------
        CounterfactualResult
            The equilibrium.

        Raises
        ------
        tradewar.errors.ShockError
            If ``theta`` has the wrong length or a value that is not positive and finite.
        tradewar.errors.ConvergenceError
            If the solver does not converge.
        """
        if theta is not None:
            theta = np.asarray(theta, dtype=float)
            if theta.shape != (len(self.sectors),):
                raise ShockError(f"theta needs {len(self.sectors)} values (one per sector), got shape {theta.shape}.")
            bad = ~np.isfinite(theta) | (theta <= 0)
            if bad.any():
                j = int(np.flatnonzero(bad)[0])
                raise ShockError(f"trade elasticity of sector {self.sectors[j]!r} drawn as {theta[j]:.6g}: "
                                 "elasticities must be positive and finite.")
        if prepared is not None and self.fast and "baseline" in prepared:
            baseline = (
                prepared["baseline"]
                if theta is None
                else dataclasses.replace(prepared["baseline"], trade_elasticity=theta)
            )
            equilibrium = solve_equilibrium(baseline, prepared["tariff"], prepared["cost"], prepared["deficit"],
                                            options, export_tax_new=prepared["export_tax"], revenue=self.revenue,
                                            initial_state=self._start(prepared, theta))
            return CounterfactualResult(self.world, equilibrium, prepared["tariff"], prepared["cost"],
                                        deficits="fixed", revenue=self.revenue, export_tax_new=prepared["export_tax"])
        world = self.world if theta is None else self.world.replace(trade_elasticity=theta)
        result, *_ = solve_policy(world, self.tariff, self.export_tax, deficits=self.deficits, revenue=self.revenue,
                                  start=self.start,
                                  commitments=self.commitments, trade_cost_change=self.trade_cost_change,
                                  options=options)
        return result

    @staticmethod
    def _start(prepared: dict, theta) -> np.ndarray | None:
        """Where a draw's iteration starts: the central equilibrium, unless the draw has the world's
        own elasticities (then from the baseline, as the central solve: the same bits)."""
        own = prepared["baseline"].trade_elasticity
        if theta is None or np.array_equal(theta, own):
            return None
        return prepared.get("start")

    def fingerprint(self) -> str:
        """A content hash of the world and the shock (for run indexes).

        Returns
        -------
        str
            16 hex digits of SHA-256 over the world's hash, the arrays and the closure.
        """
        digest = hashlib.sha256(self.world.hash.encode())
        for part in (self.tariff, self.export_tax, self.trade_cost_change, *(self.start or ())):
            if part is not None:
                digest.update(np.ascontiguousarray(np.asarray(getattr(part, "values", part), dtype=float)).tobytes())
        digest.update(f"{self.deficits}|{self.revenue}|{self.commitments}".encode())
        return digest.hexdigest()[:16]


def summarise(result) -> tuple[np.ndarray, np.ndarray]:
    """A result's country table (countries x COUNTRY_COLUMNS) and the percent change of total
    bilateral trade (importer x exporter, summed over sectors).

    Parameters
    ----------
    result : CounterfactualResult or GravityResult
        A result with ``country_columns()`` and ``values()``.

    Returns
    -------
    country : numpy.ndarray
        Countries x ``COUNTRY_COLUMNS`` (NaN where the result lacks a column).
    bilateral : numpy.ndarray
        Importer x exporter, percent (NaN where there was no trade).
    """
    columns = result.country_columns()
    country = np.column_stack([np.asarray(columns[name], dtype=float) for name in COUNTRY_COLUMNS])
    old = result.values("trade_baseline")  # plain arrays: a draw never builds the labelled Dataset
    new = result.values("trade_new")
    if old.ndim == 3:
        old, new = old.sum(axis=2), new.sum(axis=2)
    with np.errstate(divide="ignore", invalid="ignore"):
        bilateral = np.where(old > 0, 100.0 * (new / old - 1.0), np.nan)
    return country, bilateral
