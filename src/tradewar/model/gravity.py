"""One-sector structural gravity (Armington-CES, endowment economy), the model of USITC's
``gegravity`` and Stata's ``ge_gravity``, on tradewar's fixed-point solver.

Notation (arrays ``[importer n, exporter i]``, as everywhere in tradewar):

- ``Y_i`` output, ``E_n`` expenditure, shares ``s_i = Y_i / sum Y`` and ``e_n = E_n / sum E``;
- ``sigma`` the elasticity of substitution (trade elasticity ``sigma - 1``);
- ``T[n, i] = t_in^(1 - sigma)``, trade costs as gravity estimates give them,
  ``exp(sum_k beta_k x_k)``: higher means more trade;
- multilateral resistances as gegravity stores them: ``a_n = P_n^(sigma - 1)`` (inward,
  IMR) and ``b_i = Pi_i^(sigma - 1)`` (outward, OMR), solving
  ``1 / a_n = sum_i T[n, i] s_i b_i`` and ``1 / b_i = sum_n T[n, i] e_n a_n``
  with ``a`` of the reference importer set to one;
- modelled flows ``X[n, i] = E_n s_i a_n b_i T[n, i]``.

Two closures:

``closure="gegravity"`` reproduces ``gegravity.OneSectorGE`` (version 0.3) exactly: its
"full GE" system solves the resistances with the *baseline* output and expenditure
shares and the new costs ``T'``, and sets factory-gate prices from the outward
resistances, ``p_i^(1 - sigma) = s_i b'_i / (s_i b_i)``, i.e. ``p_i = Pi_i / Pi'_i``;
output is ``Y'_i = p_i Y_i``, expenditure keeps its ratio to output (``E'_n = phi_n Y'_n``,
``phi_n = E_n / Y_n``: deficits are multiplicative); new flows are
``X'[n, i] = E'_n (Y'_i / sum Y') a'_n b'_i T'[n, i]``. The reference importer's inward
resistance stays one (the numeraire). Read from gegravity's source
(``OneSectorGE._full_ge``, ``Country._construct_country_measures``,
``OneSectorGE._construct_experiment_trade``): the price equations do not feed back into
the resistances, so this is the conditional (partial) equilibrium plus one price update,
not the fixed point of the full model.

``closure="exact"`` solves the full model in changes (exact hat algebra, as Stata's
``ge_gravity``): ``pi'[n, i] = pi[n, i] T_hat[n, i] p_i^(1 - sigma) / P_n^(1 - sigma)``,
``p_i Y_i = sum_n pi'[n, i] E'_n`` with ``E'_n = phi_n p_n Y_n`` (``deficits="multiplicative"``)
or ``E'_n = p_n Y_n + D_n`` (``deficits="fixed"``, in units of world output, the
numeraire). With fixed deficits it is the Caliendo-Parro model with one sector,
no intermediate inputs and ``theta = sigma - 1``.

Both are solved by :func:`tradewar.model.solver.solve_fixed_point` (Anderson-accelerated):
the resistances by alternating (Sinkhorn) sweeps in logs, the exact prices by a
tatonnement in logs with step ``1 / sigma``.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from tradewar.errors import ShockError, WorldValidationError
from tradewar.model.solver import SolverOptions, SolverReport, solve_fixed_point
from tradewar.results import UNITS, ArrayResult, Summary, SummaryTable
from tradewar.world.gravity_data import GravityPanel

if TYPE_CHECKING:  # xarray is imported when a result's labelled ``data`` is first asked for
    import xarray as xr

__all__ = ["GravityModel", "GravityResult", "Resistances"]

DEFAULT_OPTIONS = SolverOptions(tol=1e-13, max_iter=20000, memory=10, damping=1.0)


@dataclass(frozen=True)
class Resistances:
    """Multilateral resistances in gegravity's form: ``imr = a = P^(sigma-1)``, ``omr = b = Pi^(sigma-1)``.

    Parameters
    ----------
    imr : numpy.ndarray
        Inward resistances ``a`` (one per importer; the reference importer's is 1).
    omr : numpy.ndarray
        Outward resistances ``b`` (one per exporter).
    iterations : int
        Sweeps of the fixed-point solve.
    residual : float
        Its final residual (max-norm, in logs).
    seconds : float
        Wall-clock time.
    """

    imr: np.ndarray
    omr: np.ndarray
    iterations: int
    residual: float
    seconds: float


def _pct(values):
    return 100.0 * (np.asarray(values) - 1.0)


class GravityModel:
    """A one-sector gravity economy (see the module docstring).

    Build one from a gravity panel and cost coefficients (:meth:`from_panel`, like
    gegravity) or from observed flows alone (:meth:`from_flows`, like ``ge_gravity``;
    exact closure only).

    Parameters
    ----------
    countries : sequence of str
        Country labels.
    output, expenditure : numpy.ndarray
        Each country's output and expenditure (positive, finite).
    sigma : float
        The elasticity of substitution (> 1; the trade elasticity is ``sigma - 1``).
    trade_cost : numpy.ndarray, optional
        Baseline costs ``T = t^(1 - sigma)``, [importer, exporter] (gegravity style).
    trade : numpy.ndarray, optional
        Observed flows, [importer, exporter] (ge_gravity style); one of ``trade_cost`` and
        ``trade`` is needed.
    reference_importer : str, optional
        The importer whose inward resistance is normalised to 1 (default: the last country).
    name : str, default "gravity"
        The data's name, shown in results.

    Raises
    ------
    tradewar.errors.WorldValidationError
        If ``sigma`` is not above 1, an array has the wrong shape or bad values, neither costs
        nor flows are given, or the reference importer is unknown.
    """

    def __init__(
        self,
        countries: Sequence[str],
        output: np.ndarray,
        expenditure: np.ndarray,
        sigma: float,
        *,
        trade_cost: np.ndarray | None = None,
        trade: np.ndarray | None = None,
        reference_importer: str | None = None,
        name: str = "gravity",
    ):
        self.countries = [str(c) for c in countries]
        n = len(self.countries)
        self.output = np.asarray(output, dtype=float)
        self.expenditure = np.asarray(expenditure, dtype=float)
        self.sigma = float(sigma)
        self.name = name
        if not self.sigma > 1:
            raise WorldValidationError(f"sigma must exceed 1 (trade elasticity sigma - 1 > 0), got {sigma!r}.")
        for label, values in (("output", self.output), ("expenditure", self.expenditure)):
            if values.shape != (n,) or not np.all(np.isfinite(values) & (values > 0)):
                raise WorldValidationError(f"{label} must be {n} positive finite numbers.")
        self.trade_cost = None if trade_cost is None else np.asarray(trade_cost, dtype=float)
        self.trade = None if trade is None else np.asarray(trade, dtype=float)
        for label, array in (("trade_cost", self.trade_cost), ("trade", self.trade)):
            if array is not None and (array.shape != (n, n) or not np.all(np.isfinite(array) & (array >= 0))):
                raise WorldValidationError(
                    f"{label} must be a {n} x {n} [importer, exporter] array of finite values >= 0."
                )
        if self.trade_cost is None and self.trade is None:
            raise WorldValidationError("Give trade costs (gegravity style) or observed trade flows (ge_gravity style).")
        if reference_importer is not None and reference_importer not in self.countries:
            raise WorldValidationError(
                f"Unknown reference importer {reference_importer!r}; countries are {self.countries}."
            )
        self.reference_importer = reference_importer
        self._reference = self.countries.index(reference_importer) if reference_importer else n - 1
        self._baseline: Resistances | None = None
        self.panel: GravityPanel | None = None
        self.year = None
        self.coefficients: dict[str, float] = {}

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_panel(
        cls,
        panel: GravityPanel,
        coefficients: Mapping[str, float] | pd.Series,
        *,
        sigma: float,
        reference_importer: str,
        cost_variables: Sequence[str] | None = None,
        year=None,
    ) -> GravityModel:
        """gegravity's set-up: costs ``T = exp(sum_k beta_k x_k)`` from the panel's variables
        and the given coefficients (``cost_variables`` default: every coefficient given);
        output and expenditure from the panel's ``output`` and ``expenditure`` columns.

        Parameters
        ----------
        panel : GravityPanel
            The gravity data.
        coefficients : mapping of str to float or pandas.Series
            The cost coefficients ``beta_k`` by variable.
        sigma : float
            The elasticity of substitution (> 1).
        reference_importer : str
            The importer whose inward resistance is normalised to 1.
        cost_variables : sequence of str, optional
            The panel's variables that make costs (default: every coefficient given).
        year : optional
            The panel's year (default: the panel's only year).

        Returns
        -------
        GravityModel
            The model, with the panel, year and coefficients kept for :meth:`trade_cost_from`.

        Raises
        ------
        tradewar.errors.WorldValidationError
            If a cost variable has no coefficient, or the data fail the model's checks.
        """
        coefficients = {str(k): float(v) for k, v in dict(coefficients).items()}
        variables = list(cost_variables) if cost_variables is not None else list(coefficients)
        unknown = [v for v in variables if v not in coefficients]
        if unknown:
            raise WorldValidationError(f"No coefficient for cost variables {unknown}.")
        countries = panel.countries(year)
        matrices = panel.matrices(["trade", *variables], year, countries)
        model = cls(
            countries,
            panel.country_values("output", year, countries),
            panel.country_values("expenditure", year, countries),
            sigma,
            trade_cost=cls._cost_of(matrices, variables, coefficients),
            trade=matrices["trade"],
            reference_importer=reference_importer,
            name=f"{panel.source} ({year if year is not None else panel.years[0]})",
        )
        model.panel, model.year = panel, year
        model.coefficients = {v: coefficients[v] for v in variables}
        return model

    @classmethod
    def from_flows(cls, trade: np.ndarray, countries: Sequence[str], sigma: float, *,
                   reference_importer: str | None = None) -> GravityModel:
        """ge_gravity's set-up: observed flows ``trade[importer, exporter]`` (domestic on the
        diagonal); output and expenditure are their sums. Exact closure only.

        Parameters
        ----------
        trade : numpy.ndarray
            Flows [importer, exporter], domestic sales on the diagonal.
        countries : sequence of str
            Country labels.
        sigma : float
            The elasticity of substitution (> 1).
        reference_importer : str, optional
            The importer whose inward resistance is normalised to 1.

        Returns
        -------
        GravityModel
            The model, without trade costs.

        Raises
        ------
        tradewar.errors.WorldValidationError
            If the flows or ``sigma`` fail the model's checks.
        """
        trade = np.asarray(trade, dtype=float)
        return cls(countries, trade.sum(axis=0), trade.sum(axis=1), sigma, trade=trade,
                   reference_importer=reference_importer)

    @staticmethod
    def _costs(panel: GravityPanel, variables, coefficients, year, countries) -> np.ndarray:
        return GravityModel._cost_of(panel.matrices(variables, year, countries), variables, coefficients)

    @staticmethod
    def _cost_of(matrices: Mapping[str, np.ndarray], variables, coefficients) -> np.ndarray:
        log_cost = sum(coefficients[v] * matrices[v] for v in variables)
        return np.exp(log_cost)

    def trade_cost_from(self, experiment: GravityPanel | pd.DataFrame) -> np.ndarray:
        """New costs ``T'`` from experiment data (the baseline panel with some cost
        variables changed, as gegravity's ``define_experiment``).

        Parameters
        ----------
        experiment : GravityPanel or pandas.DataFrame
            The experiment's panel (a frame is read as a panel).

        Returns
        -------
        numpy.ndarray
            New costs ``T'`` [importer, exporter], from the model's coefficients.

        Raises
        ------
        tradewar.errors.ShockError
            If the model was not built from a panel.
        """
        if self.panel is None:
            raise ShockError("This model was not built from a panel; give new trade costs directly.")
        if isinstance(experiment, pd.DataFrame):
            experiment = GravityPanel(experiment, "<experiment>")
        return self._costs(experiment, list(self.coefficients), self.coefficients, self.year, self.countries)

    # ------------------------------------------------------------------ shares
    @property
    def output_share(self) -> np.ndarray:
        """Each country's share of world output."""
        return self.output / self.output.sum()

    @property
    def expenditure_share(self) -> np.ndarray:
        """Each country's share of world expenditure."""
        return self.expenditure / self.expenditure.sum()

    # ------------------------------------------------------------------ resistances
    def resistances(self, trade_cost: np.ndarray | None = None, options: SolverOptions | None = None) -> Resistances:
        """Solve the resistance system for costs ``trade_cost`` (default: baseline) with the
        baseline output and expenditure shares.

        Parameters
        ----------
        trade_cost : numpy.ndarray, optional
            Costs ``T`` [importer, exporter] (default: the baseline's, solved once and kept).
        options : SolverOptions, optional
            Solver settings (default: tolerance 1e-13).

        Returns
        -------
        Resistances
            Inward and outward resistances and the solver's report.

        Raises
        ------
        tradewar.errors.ShockError
            If no costs are given and the model has none (built from flows).
        tradewar.errors.ConvergenceError
            If the fixed-point solve does not converge.
        """
        if trade_cost is None:
            if self.trade_cost is None:
                raise ShockError("This model has no trade costs (built from flows): use closure='exact'.")
            if self._baseline is None:
                self._baseline = self._solve_resistances(self.trade_cost, options)
            return self._baseline
        return self._solve_resistances(np.asarray(trade_cost, dtype=float), options)

    def _solve_resistances(self, cost: np.ndarray, options: SolverOptions | None) -> Resistances:
        clock = time.perf_counter()
        options = options or DEFAULT_OPTIONS
        log_cost_out = np.log(cost * self.output_share[None, :])  # [n, i]: T s_i
        log_cost_exp = np.log(cost * self.expenditure_share[:, None])  # [n, i]: T e_n
        ref = self._reference

        def inward(log_b):
            log_a = -_logsumexp(log_cost_out + log_b[None, :], axis=1)
            return log_a - log_a[ref]

        def sweep(log_b):
            log_a = inward(log_b)
            return -_logsumexp(log_cost_exp + log_a[:, None], axis=0)

        fit = solve_fixed_point(sweep, np.zeros(len(self.countries)), options, what="multilateral-resistance")
        log_b = fit.x
        log_a = inward(log_b)
        return Resistances(np.exp(log_a), np.exp(log_b), fit.iterations, fit.residual, time.perf_counter() - clock)

    def modelled_trade(
        self, resistances: Resistances | None = None, trade_cost: np.ndarray | None = None
    ) -> np.ndarray:
        """``X[n, i] = E_n s_i a_n b_i T[n, i]`` (gegravity's "baseline modeled trade").

        Parameters
        ----------
        resistances : Resistances, optional
            Default: the baseline's (:meth:`resistances`).
        trade_cost : numpy.ndarray, optional
            Default: the baseline costs.

        Returns
        -------
        numpy.ndarray
            Modelled flows [importer, exporter].
        """
        r = resistances or self.resistances()
        cost = self.trade_cost if trade_cost is None else trade_cost
        return self.expenditure[:, None] * self.output_share[None, :] * r.imr[:, None] * r.omr[None, :] * cost

    # ------------------------------------------------------------------ counterfactuals
    def simulate(
        self,
        *,
        trade_cost: np.ndarray | None = None,
        trade_cost_change: np.ndarray | None = None,
        experiment: GravityPanel | pd.DataFrame | None = None,
        closure: Literal["gegravity", "exact"] = "gegravity",
        deficits: Literal["multiplicative", "fixed"] = "multiplicative",
        options: SolverOptions | None = None,
    ) -> GravityResult:
        """A counterfactual: new costs ``T'`` given as ``trade_cost``, as ``trade_cost_change``
        (``T' / T``, i.e. the change in ``t^(1 - sigma)``) or as ``experiment`` data.

        ``closure="gegravity"`` (default) is gegravity's model, bit for bit in its
        definitions; ``"exact"`` the full model in changes (``deficits`` multiplicative as
        gegravity and ge_gravity, or fixed in levels as Caliendo-Parro).

        Parameters
        ----------
        trade_cost : numpy.ndarray, optional
            New costs ``T'`` [importer, exporter].
        trade_cost_change : numpy.ndarray, optional
            ``T' / T`` (positive, finite).
        experiment : GravityPanel or pandas.DataFrame, optional
            Experiment data (:meth:`trade_cost_from`).
        closure : {"gegravity", "exact"}, default "gegravity"
            The model solved.
        deficits : {"multiplicative", "fixed"}, default "multiplicative"
            How deficits behave (the gegravity closure allows only "multiplicative").
        options : SolverOptions, optional
            Solver settings.

        Returns
        -------
        GravityResult
            The changes, by country and pair (no shock given: no change).

        Raises
        ------
        tradewar.errors.ShockError
            If more than one shock is given, the change is malformed, costs are given to a
            model without them, or the closure or deficits are unknown or incompatible.
        """
        given = [x is not None for x in (trade_cost, trade_cost_change, experiment)]
        if sum(given) > 1:
            raise ShockError("Give only one of trade_cost, trade_cost_change and experiment.")
        n = len(self.countries)
        if experiment is not None:
            trade_cost = self.trade_cost_from(experiment)
        if trade_cost is not None:
            if self.trade_cost is None:
                raise ShockError("This model has no baseline trade costs: give trade_cost_change.")
            change = np.asarray(trade_cost, dtype=float) / self.trade_cost
        elif trade_cost_change is not None:
            change = np.asarray(trade_cost_change, dtype=float)
        else:
            change = np.ones((n, n))
        if change.shape != (n, n) or not np.all(np.isfinite(change) & (change > 0)):
            raise ShockError(
                f"The trade-cost change must be a {n} x {n} [importer, exporter] array of positive finite ratios."
            )
        if closure == "gegravity":
            if deficits != "multiplicative":
                raise ShockError(
                    "gegravity's closure keeps expenditure proportional to output (deficits='multiplicative')."
                )
            return self._simulate_gegravity(change, options)
        if closure == "exact":
            if deficits not in ("multiplicative", "fixed"):
                raise ShockError(f"deficits must be 'multiplicative' or 'fixed', not {deficits!r}.")
            return self._simulate_exact(change, deficits, options)
        raise ShockError(f"closure must be 'gegravity' or 'exact', not {closure!r}.")

    def _simulate_gegravity(self, change: np.ndarray, options) -> GravityResult:
        clock = time.perf_counter()
        base = self.resistances(options=options)
        new_cost = self.trade_cost * change
        new = self.resistances(new_cost, options)
        sigma = self.sigma
        # p^(1-sigma) = s b' / (s b): p = (b / b')^(1 / (sigma - 1)).
        price = (base.omr / new.omr) ** (1.0 / (sigma - 1.0))
        output_new = price * self.output
        expenditure_new = price * self.expenditure  # phi Y' with phi = E / Y
        trade_old = self.modelled_trade(base)
        trade_new = (expenditure_new[:, None] * (output_new / output_new.sum())[None, :]
                     * new.imr[:, None] * new.omr[None, :] * new_cost)
        inward_hat = (new.imr / base.imr) ** (1.0 / (sigma - 1.0))  # P' / P
        outward_hat = (new.omr / base.omr) ** (1.0 / (sigma - 1.0))
        # The baseline resistances are solved once per model and cached; the report is the counterfactual's.
        report = SolverReport(new.iterations, new.residual, time.perf_counter() - clock)
        return GravityResult(self, "gegravity", "multiplicative", price, inward_hat, outward_hat, output_new,
                             expenditure_new, trade_old, trade_new, change, report,
                             resistances=(base, new))

    def _simulate_exact(self, change: np.ndarray, deficits: str, options) -> GravityResult:
        clock = time.perf_counter()
        options = options or DEFAULT_OPTIONS
        # Trade costs, where given, define the flows; otherwise the observed flows do (the constructor requires one).
        flows = self.modelled_trade() if self.trade_cost is not None or self.trade is None else self.trade
        expenditure = flows.sum(axis=1)
        output = flows.sum(axis=0)
        shares = flows / expenditure[:, None]
        sigma = self.sigma
        phi = expenditure / output
        deficit = expenditure - output
        world = output.sum()
        log_weights = np.log(np.where(shares > 0, shares * change, 1.0))
        empty = shares <= 0

        def demand(log_price):
            exponent = np.where(empty, -np.inf, log_weights + (1.0 - sigma) * log_price[None, :])
            log_index = _logsumexp(exponent, axis=1)  # (1 - sigma) log P_n
            new_shares = np.exp(exponent - log_index[:, None])
            income = np.exp(log_price) * output
            spending = phi * income if deficits == "multiplicative" else income + deficit
            return new_shares, spending, log_index

        def sweep(log_price):
            new_shares, spending, _ = demand(log_price)
            sales = (new_shares * spending[:, None]).sum(axis=0)
            step = log_price + np.log(np.maximum(sales, 1e-300) / (np.exp(log_price) * output)) / sigma
            return step - np.log((np.exp(step) * output).sum() / world)

        fit = solve_fixed_point(sweep, np.zeros(len(self.countries)), options, what="gravity equilibrium")
        log_price = fit.x
        new_shares, spending, log_index = demand(log_price)
        index_hat = np.exp(log_index / (1.0 - sigma))
        if deficits == "multiplicative" and self.reference_importer is not None:
            # Nominal scale is free: express prices relative to the reference importer's index, as gegravity does.
            scale = index_hat[self._reference]
            log_price, spending, index_hat = log_price - np.log(scale), spending / scale, index_hat / scale
        price = np.exp(log_price)
        if np.any(spending <= 0):
            raise ShockError("The fixed deficits cannot be financed after this shock (negative expenditure).")
        trade_new = new_shares * spending[:, None]
        report = SolverReport(fit.iterations, fit.residual, time.perf_counter() - clock)
        return GravityResult(self, "exact", deficits, price, index_hat, None, price * output, spending,
                             flows, trade_new, change, report)


def _logsumexp(values: np.ndarray, axis: int) -> np.ndarray:
    top = np.max(values, axis=axis, keepdims=True)
    top = np.where(np.isfinite(top), top, 0.0)
    return np.log(np.exp(values - top).sum(axis=axis)) + np.squeeze(top, axis=axis)


class GravityResult(ArrayResult):
    """A one-sector counterfactual, shaped like :class:`~tradewar.model.result.CounterfactualResult`:
    ``data`` (xarray), :meth:`country_table`, :meth:`to_frame`, :meth:`summary`, ``solver``.

    Country variables (hats = new / baseline): ``factory_price`` (p), ``price_index``
    (inward resistance P), ``outward_resistance`` (Pi; gegravity closure only),
    ``welfare`` (real expenditure E/P; gegravity's "welfare statistic" is its inverse),
    ``real_wage`` and ``terms_of_trade`` (p/P), ``real_gdp`` (Y/P), ``output_*``,
    ``expenditure_*``, ``exports_*``, ``imports_*`` (foreign flows), ``intranational_*``.
    Bilateral ``trade_baseline``, ``trade_new`` (modelled flows), ``trade_cost_change``.

    Made by :meth:`GravityModel.simulate`.

    Parameters
    ----------
    model : GravityModel
        The model solved.
    closure : str
        "gegravity" or "exact".
    deficits : str
        "multiplicative" or "fixed".
    price : numpy.ndarray
        Factory price changes.
    index_hat : numpy.ndarray
        Price index (inward resistance) changes.
    outward_hat : numpy.ndarray or None
        Outward resistance changes (None under the exact closure).
    output_new, expenditure_new : numpy.ndarray
        New output and expenditure levels.
    trade_old, trade_new : numpy.ndarray
        Baseline and new flows [importer, exporter].
    change : numpy.ndarray
        The trade cost change ``T' / T``.
    solver : SolverReport
        How the equilibrium was found.
    resistances : Resistances, optional
        The new resistances (gegravity closure).
    """

    def __init__(self, model, closure, deficits, price, index_hat, outward_hat, output_new, expenditure_new,
                 trade_old, trade_new, change, solver: SolverReport, resistances=None):
        self.model, self.closure, self.deficits, self.solver = model, closure, deficits, solver
        self.resistances = resistances
        countries = model.countries
        domestic = np.eye(len(countries), dtype=bool)
        foreign_old, foreign_new = np.where(domestic, 0.0, trade_old), np.where(domestic, 0.0, trade_new)
        output_old = model.output if closure == "gegravity" else trade_old.sum(axis=0)
        expenditure_old = model.expenditure if closure == "gegravity" else trade_old.sum(axis=1)
        c, bil = ("country",), ("importer", "exporter")
        # Plain arrays; the labelled Dataset is built on first use of ``data`` (the tables need none, and
        # building one makes xarray import dask where it is installed: most of a whole gravity run).
        self._variables: dict[str, tuple[tuple[str, ...], np.ndarray]] = {
            "factory_price": (c, price),
            "price_index": (c, index_hat),
            "outward_resistance": (c, outward_hat if outward_hat is not None else np.full(len(countries), np.nan)),
            "welfare": (c, (expenditure_new / expenditure_old) / index_hat),
            "real_wage": (c, price / index_hat),
            "terms_of_trade": (c, price / index_hat),
            "real_gdp": (c, (output_new / output_old) / index_hat),
            "output_baseline": (c, output_old),
            "output_new": (c, output_new),
            "expenditure_baseline": (c, expenditure_old),
            "expenditure_new": (c, expenditure_new),
            "exports_baseline": (c, foreign_old.sum(axis=0)),
            "exports_new": (c, foreign_new.sum(axis=0)),
            "imports_baseline": (c, foreign_old.sum(axis=1)),
            "imports_new": (c, foreign_new.sum(axis=1)),
            "intranational_baseline": (c, np.diag(trade_old).copy()),
            "intranational_new": (c, np.diag(trade_new).copy()),
            "trade_baseline": (bil, trade_old),
            "trade_new": (bil, trade_new),
            "trade_cost_change": (bil, change),
        }
        self._data: xr.Dataset | None = None

    @property
    def data(self) -> xr.Dataset:
        """Every variable, labelled (built once, on first use)."""
        if self._data is None:
            from tradewar.world.xarray_setup import xr  # imports no dask for plain arrays

            countries = self.model.countries
            self._data = xr.Dataset(
                dict(self._variables),
                coords={"country": countries, "importer": countries, "exporter": countries},
                attrs={"model": "one-sector gravity", "closure": self.closure, "deficits": self.deficits,
                       "sigma": self.model.sigma, "world": self.model.name},
            )
            # Levels are in the units of the data the model was built from (tradewar does not know them).
            for name, variable in self._data.data_vars.items():
                levels = str(name).endswith(("_baseline", "_new"))
                variable.attrs["units"] = (
                    "units of the model's output and expenditure data" if levels else UNITS["ratio"]
                )
        return self._data

    @property
    def countries(self) -> list[str]:
        """The model's country labels, in the order of the result's arrays."""
        return self.model.countries

    def __getitem__(self, name: str) -> xr.DataArray:
        return self.data[name]

    def country_table(self) -> pd.DataFrame:
        """One row per country, changes in percent.

        Returns
        -------
        pandas.DataFrame
            Indexed by ``country``: welfare, real wage, price index, factory price, terms of
            trade, real GDP, output, expenditure, exports, imports and intranational trade.
        """
        d = {name: values for name, (_, values) in self._variables.items()}
        ratio = {name: d[f"{name}_new"] / d[f"{name}_baseline"]
                 for name in ("output", "expenditure", "exports", "imports", "intranational")}
        return pd.DataFrame(
            {
                "welfare_pct": _pct(d["welfare"]),
                "real_wage_pct": _pct(d["real_wage"]),
                "price_index_pct": _pct(d["price_index"]),
                "factory_price_pct": _pct(d["factory_price"]),
                "terms_of_trade_pct": _pct(d["terms_of_trade"]),
                "real_gdp_pct": _pct(d["real_gdp"]),
                "output_pct": _pct(ratio["output"]),
                "expenditure_pct": _pct(ratio["expenditure"]),
                "exports_pct": _pct(ratio["exports"]),
                "imports_pct": _pct(ratio["imports"]),
                "intranational_pct": _pct(ratio["intranational"]),
            },
            index=pd.Index(self.countries, name="country"),
        )

    def to_frame(self, level: str = "country") -> pd.DataFrame:
        """``"country"`` (the country table) or ``"bilateral"`` (flows and their change).

        Parameters
        ----------
        level : {"country", "bilateral"}, default "country"
            Which numbers.

        Returns
        -------
        pandas.DataFrame
            :meth:`country_table`, or flows, cost changes and the flows' change in percent by
            pair.

        Raises
        ------
        ValueError
            If ``level`` is neither.
        """
        if level == "country":
            return self.country_table()
        if level == "bilateral":
            frame = self.data[["trade_baseline", "trade_new", "trade_cost_change"]].to_dataframe()
            frame["trade_change_pct"] = _pct(frame["trade_new"] / frame["trade_baseline"])
            return frame
        raise ValueError(f"level must be 'country' or 'bilateral', not {level!r}.")

    def summary(self) -> Summary:
        """Welfare, factory prices, price indices, exports and imports by country (text and HTML).

        Returns
        -------
        Summary
            One table in percent, titled with the data, sigma and closure, and the solver's report.
        """
        table = self.country_table()[
            ["welfare_pct", "factory_price_pct", "price_index_pct", "exports_pct", "imports_pct"]
        ]
        return Summary(
            f"One-sector gravity on {self.model.name} (sigma {self.model.sigma:g}, closure {self.closure}, "
            f"deficits {self.deficits}); changes in percent",
            tables=[SummaryTable("", table, digits=4)],
            notes=[f"solver: {self.solver.iterations} sweeps, residual {self.solver.residual:.1e}, "
                   f"{self.solver.seconds:.3f} s"],
        )

    def to_dict(self) -> dict:
        """The model, the closure, the solver's report and every country's changes in percent.

        Returns
        -------
        dict
            JSON-safe; ``countries`` holds the rows of :meth:`country_table`.
        """
        table = self.country_table()
        return {"world": self.model.name, "model": "one-sector gravity", "sigma": float(self.model.sigma),
                "closure": self.closure, "deficits": self.deficits, "solver": self.solver.to_dict(),
                "countries": {country: {k: float(v) for k, v in row.items()} for country, row in table.iterrows()}}

    def to_dataset(self) -> xr.Dataset:
        """:attr:`data` with the solver's report in its attributes.

        Returns
        -------
        xarray.Dataset
            A copy of :attr:`data`.
        """
        data = self.data.copy()
        data.attrs.update({"solver_iterations": self.solver.iterations, "solver_residual": self.solver.residual,
                           "solver_seconds": self.solver.seconds})
        return data
