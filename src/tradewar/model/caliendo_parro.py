"""The Caliendo-Parro (2015) multi-sector model with input-output linkages, in changes.

Notation (arrays are numpy, axes in this order):

- ``n`` importer, ``i`` exporter, ``j``/``k`` sectors; ``N`` countries, ``J`` sectors.
- ``trade_shares[n, i, j]``: pi, the share of n's spending on j (at buyer prices)
  bought from i.
- ``tariff[n, i, j]``: ad valorem tariff t imposed by n on j from i; ``tau = 1 + t``.
- ``export_tax[n, i, j]``: export tax x that i levies on its sales of j to n (an
  export control as its tax equivalent; ``inf`` for a ban); the exporter's
  government keeps the revenue.
- ``value_added_share[i, j]``: beta; ``input_share[i, k, j]``: gamma^{kj}, the share of
  input k in the cost of sector j (``beta + sum_k gamma = 1``).
- ``final_demand_share[n, j]``: alpha; ``trade_elasticity[j]``: theta.
- ``value_added[n]``: the baseline wage bill; ``deficit[n]``: imports minus exports.

Exact hat algebra (CP2015, section 3): given a shock
``kappa = (tau' / tau) * ((1 + x') / (1 + x)) * d_hat``, the equilibrium wages ``w_hat``, sector prices
``P_hat`` and expenditures ``X'`` solve

1. ``log c_hat[i, j] = beta[i, j] log w_hat[i] + sum_k gamma[i, k, j] log P_hat[i, k]``
2. ``P_hat[n, j] = (sum_i pi[n, i, j] (kappa c_hat[i, j])^-theta_j)^(-1/theta_j)``
3. ``pi'[n, i, j] = pi[n, i, j] (kappa c_hat[i, j] / P_hat[n, j])^-theta_j``
4. ``X'[n, j] = sum_k gamma[n, j, k] Y'[n, k] + alpha[n, j] I'[n]`` with producer
   revenue ``Y'[i, k] = sum_n X'[n, k] pi'[n, i, k] / tau'[n, i, k]`` and income
   ``I' = w_hat VA + tariff revenue' + export-tax revenue' + deficit'``; of spending
   ``X' pi'`` at buyer prices a share ``t' / (1 + t')`` is the importer's tariff
   revenue, a share ``x' / (1 + x')`` of the rest the exporter's export-tax revenue
5. labour markets clear, ``w_hat[n] VA[n] = sum_j beta[n, j] Y'[n, j]`` (equivalently
   every trade balance equals its deficit), with world value added as numeraire:
   ``sum_n w_hat[n] VA[n] = sum_n VA[n]``.

One sweep updates all three blocks at O(N^2 J + N J^2) cost; no (NJ)^2 matrix is
ever formed. The expenditure block is linear in X and is solved by the same
accelerated iteration rather than by inverting the NJ x NJ system.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from scipy.special import logsumexp

from tradewar.errors import ConvergenceError, NoEquilibriumError
from tradewar.model.solver import SolverOptions, solve_fixed_point

__all__ = ["Baseline", "Equilibrium", "solve_equilibrium"]


@dataclass(frozen=True)
class Baseline:
    """The baseline economy as plain arrays (see the module notation)."""

    trade_shares: np.ndarray
    tariff: np.ndarray
    value_added_share: np.ndarray
    input_share: np.ndarray
    final_demand_share: np.ndarray
    value_added: np.ndarray
    expenditure: np.ndarray
    trade_elasticity: np.ndarray
    countries: tuple[str, ...] = ()
    export_tax: np.ndarray | None = None  # (N, N, J); None means no export taxes

    @property
    def shape(self) -> tuple[int, int]:
        return self.final_demand_share.shape


@dataclass(frozen=True)
class Equilibrium:
    """A counterfactual equilibrium (hats are ratios new / baseline)."""

    wage_hat: np.ndarray  # (N,)
    price_hat: np.ndarray  # (N, J) sector price indices
    cost_hat: np.ndarray  # (N, J) unit costs of input bundles
    trade_shares: np.ndarray  # (N, N, J) new pi'
    expenditure: np.ndarray  # (N, J) new X' (buyer prices)
    output: np.ndarray  # (N, J) new producer revenue Y'
    tariff_revenue: np.ndarray  # (N,)
    export_tax_revenue: np.ndarray  # (N,) collected by exporters
    income: np.ndarray  # (N,)
    iterations: int
    residual: float
    seconds: float
    history: list[float]
    state: np.ndarray | None = None  # the solver's state vector (log wages, log prices, scaled spending)


def _positive_log(values: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return np.log(values)


def _normalised_exp(exponent: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Shares ``w exp(e) / sum_i w exp(e)`` over axis 1 and the log of the sum.

    The direct formula is three times faster than a shifted log-sum-exp; the
    shifted one takes over only where the direct one over- or underflows.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        terms = weights * np.exp(exponent)
        total = terms.sum(axis=1)
    if not (np.all(np.isfinite(total)) and np.all(total > 1e-250)):
        log_total = logsumexp(exponent, b=weights, axis=1)
        with np.errstate(invalid="ignore", over="ignore"):
            shares = weights * np.exp(exponent - log_total[:, None, :])
        return np.nan_to_num(shares, nan=0.0), log_total
    return terms / total[:, None, :], np.log(total)


def expenditure_scale(baseline: Baseline) -> np.ndarray:
    """What expenditure is divided by in the state vector: its baseline, floored at 1e-4 of
    the country's spending (relative precision where it matters, no round-off blow-up in
    empty cells)."""
    country_spending = baseline.expenditure.sum(axis=1, keepdims=True)
    return np.maximum(baseline.expenditure, 1e-4 * country_spending)


class _System:
    """The equilibrium conditions of one counterfactual, with its arrays precomputed."""

    def __init__(self, baseline: Baseline, tariff_new, trade_cost_hat, deficit_new, export_tax_new=None):
        self.baseline = baseline
        self.n_countries, self.n_sectors = baseline.shape
        self.theta = baseline.trade_elasticity
        tau_new = 1.0 + tariff_new
        self.log_kappa = np.log(tau_new / (1.0 + baseline.tariff)) + _positive_log(trade_cost_hat)
        export_old = baseline.export_tax
        if export_tax_new is None:
            export_tax_new = export_old
        self.has_export_tax = export_tax_new is not None and bool(np.any(export_tax_new != 0))
        self.pre_tariff_share = 1.0 / tau_new  # of a unit spent, what is not tariff
        if self.has_export_tax:
            with np.errstate(divide="ignore"):
                # A ban is an infinite export tax: kappa becomes infinite and the flow zero.
                base = 1.0 + (export_old if export_old is not None else 0.0)
                self.log_kappa = self.log_kappa + np.log((1.0 + export_tax_new) / base)
            self.producer_share = self.pre_tariff_share / (1.0 + export_tax_new)
            self.export_tax_share = self.pre_tariff_share - self.producer_share
        else:
            self.producer_share = self.pre_tariff_share
        self.deficit = np.asarray(deficit_new, dtype=float)
        self.world_value_added = baseline.value_added.sum()
        self.scale = expenditure_scale(baseline)

    # -- blocks ---------------------------------------------------------------------
    def prices(self, log_wage, log_price):
        """Unit costs, the price indices they imply, and trade shares."""
        b = self.baseline
        log_cost = b.value_added_share * log_wage[:, None] + np.einsum("ikj,ik->ij", b.input_share, log_price)
        exponent = -self.theta[None, None, :] * (self.log_kappa + log_cost[None, :, :])
        shares, log_total = _normalised_exp(exponent, b.trade_shares)
        return log_cost, -log_total / self.theta, shares

    def goods(self, log_wage, expenditure, shares):
        """Producer revenue, tariff revenue, income, implied expenditure and labour demand."""
        b = self.baseline
        revenue_shares = shares * self.producer_share
        output = np.einsum("nj,nij->ij", expenditure, revenue_shares)
        if self.has_export_tax:
            pre_tariff = (shares * self.pre_tariff_share).sum(axis=1)
            export_tax_revenue = np.einsum("nj,nij->i", expenditure, shares * self.export_tax_share)
        else:
            pre_tariff = revenue_shares.sum(axis=1)
            export_tax_revenue = np.zeros(self.n_countries)
        tariff_revenue = (expenditure * (1.0 - pre_tariff)).sum(axis=1)
        income = np.exp(log_wage) * b.value_added + tariff_revenue + export_tax_revenue + self.deficit
        expenditure_new = np.einsum("njk,nk->nj", b.input_share, output) + b.final_demand_share * income[:, None]
        labour_demand = (b.value_added_share * output).sum(axis=1)
        return output, tariff_revenue, export_tax_revenue, income, expenditure_new, labour_demand

    def wages_from(self, labour_demand):
        """Wages that clear labour markets at this demand, world value added fixed."""
        wage = labour_demand / self.baseline.value_added
        return wage * self.world_value_added / (wage * self.baseline.value_added).sum()

    # -- state vectors ----------------------------------------------------------------
    def pack(self, log_wage, log_price, expenditure):
        return np.concatenate([log_wage, log_price.ravel(), (expenditure / self.scale).ravel()])

    def unpack(self, state):
        n, np_ = self.n_countries, self.n_countries * self.n_sectors
        shape = (self.n_countries, self.n_sectors)
        return state[:n], state[n : n + np_].reshape(shape), state[n + np_ :].reshape(shape) * self.scale

    def sweep(self, state):
        """One update of wages, prices and expenditure (the joint fixed-point map)."""
        log_wage, log_price, expenditure = self.unpack(state)
        _, log_price_new, shares = self.prices(log_wage, log_price)
        *_, expenditure_new, labour_demand = self.goods(log_wage, expenditure, shares)
        return self.pack(np.log(self.wages_from(labour_demand)), log_price_new, expenditure_new)

    # -- nested solution: inner blocks exact, Newton-type search over wages ---------------
    def solve_given_wages(self, log_wage, log_price, expenditure, options):
        """Prices, then expenditure, for given wages (both blocks contract quickly)."""
        inner = SolverOptions(tol=options.tol * 1e-2, max_iter=options.max_iter, memory=options.memory)
        price_shape = log_price.shape
        price_fit = solve_fixed_point(
            lambda x: self.prices(log_wage, x.reshape(price_shape))[1].ravel(), log_price.ravel(), inner,
            what="price-index",
        )
        log_price = price_fit.x.reshape(price_shape)
        _, _, shares = self.prices(log_wage, log_price)

        def expenditure_sweep(x):
            return (self.goods(log_wage, x.reshape(price_shape) * self.scale, shares)[4] / self.scale).ravel()

        spending_fit = solve_fixed_point(expenditure_sweep, (expenditure / self.scale).ravel(), inner, what="expenditure")
        return log_price, spending_fit.x.reshape(price_shape) * self.scale, price_fit.iterations + spending_fit.iterations

    def solve_nested(self, state, options, on_iteration=None):
        log_wage, log_price, expenditure = self.unpack(state)
        memo = {"price": log_price, "spending": expenditure, "sweeps": 0, "calls": 0}

        def wage_gap(log_wage_free):
            # The last wage follows from the numeraire; its labour market clears by Walras' law.
            log_wage = self._complete_wages(log_wage_free)
            memo["price"], memo["spending"], sweeps = self.solve_given_wages(
                log_wage, memo["price"], memo["spending"], options
            )
            memo["sweeps"] += sweeps
            memo["calls"] += 1
            _, _, shares = self.prices(log_wage, memo["price"])
            *_, labour_demand = self.goods(log_wage, memo["spending"], shares)
            # Excess labour demand relative to baseline value added: defined (no log of a
            # negative number) even at the wild wages a trust-region step may try.
            gap = labour_demand / self.baseline.value_added - np.exp(log_wage)
            if on_iteration is not None:
                on_iteration(memo["calls"], float(np.max(np.abs(gap))))
            return gap[:-1]

        # Start from the best joint iterate; if MINPACK gets stuck there, from the baseline.
        from scipy.optimize import root  # only this fallback needs it (~0.3 s to import)

        for guess in (log_wage[:-1] - log_wage[-1], np.zeros(self.n_countries - 1)):
            fit = root(wage_gap, guess, method="hybr", options={"xtol": options.tol * 1e-2})
            if np.all(np.isfinite(fit.fun)) and np.max(np.abs(fit.fun), initial=0.0) < options.tol:
                break
            memo["price"] = np.zeros_like(log_price)
            memo["spending"] = self.baseline.expenditure.copy()
        log_wage = self._complete_wages(fit.x)
        memo["price"], memo["spending"], _ = self.solve_given_wages(log_wage, memo["price"], memo["spending"], options)
        return self.pack(log_wage, memo["price"], memo["spending"]), memo["calls"]

    def _complete_wages(self, relative_log_wage):
        """Log wages from wages relative to the last country, scaled to the numeraire."""
        log_wage = np.append(relative_log_wage, 0.0)
        level = self.world_value_added / (np.exp(log_wage) * self.baseline.value_added).sum()
        return log_wage + np.log(level)


def solve_equilibrium(
    baseline: Baseline,
    tariff_new: np.ndarray,
    trade_cost_hat: np.ndarray,
    deficit_new: np.ndarray,
    options: SolverOptions | None = None,
    on_iteration=None,
    export_tax_new: np.ndarray | None = None,
    initial_state: np.ndarray | None = None,
) -> Equilibrium:
    """Solve the counterfactual equilibrium for new tariffs, trade costs, deficits and
    (optionally) export taxes; ``export_tax_new`` defaults to the baseline's.

    The fast path iterates all blocks jointly with Anderson acceleration. Near
    autarky (prohibitive tariffs everywhere) relative wages are pinned down only by
    a sliver of trade and that iteration crawls; the solver then switches to a
    nested scheme: prices and expenditure solved exactly for given wages, and the
    N - 1 relative wages found by MINPACK's hybrid Powell method.
    """
    options = options or SolverOptions()
    clock = time.perf_counter()
    system = _System(baseline, tariff_new, trade_cost_hat, deficit_new, export_tax_new)
    n_countries, n_sectors = baseline.shape
    start = (
        system.pack(np.zeros(n_countries), np.zeros((n_countries, n_sectors)), baseline.expenditure)
        if initial_state is None
        else np.asarray(initial_state, dtype=float)
    )
    fast = SolverOptions(
        tol=options.tol, max_iter=min(options.max_iter, options.fast_sweeps), memory=options.memory,
        damping=options.damping, restart_factor=options.restart_factor,
    )
    try:
        fit = solve_fixed_point(system.sweep, start, fast, on_iteration=on_iteration)
        state, iterations, history = fit.x, fit.iterations, fit.history
    except ConvergenceError as stalled:
        iterations, history = stalled.iterations, stalled.history
        try:
            with np.errstate(all="ignore"):
                state, calls = system.solve_nested(stalled.best, options, on_iteration)
            iterations += calls
        except ConvergenceError:
            state = stalled.best
    with np.errstate(all="ignore"):
        residual = float(np.max(np.abs(system.sweep(state) - state)))
    if not np.isfinite(residual) or residual > options.tol * 10:
        raise ConvergenceError(
            f"The equilibrium solver did not converge: after {iterations} sweeps and the nested "
            f"fallback the equilibrium conditions are violated by {residual:.3g} (tolerance "
            f"{options.tol:.1g}). The shock may have no equilibrium (e.g. fixed deficits that "
            "prohibitive tariffs make impossible to finance); try deficits='zero'.",
            iterations=iterations, residual=residual, history=history,
        )
    log_wage, log_price, expenditure = system.unpack(state)
    log_cost, _, shares = system.prices(log_wage, log_price)
    output, tariff_revenue, export_tax_revenue, income, _, _ = system.goods(log_wage, expenditure, shares)
    negative = np.flatnonzero(income <= 0)
    if negative.size or expenditure.min() < -1e-9 * np.abs(expenditure).sum():
        index = int(negative[0]) if negative.size else int(np.argmin(expenditure.min(axis=1)))
        name = baseline.countries[index] if baseline.countries else f"country {index}"
        raise NoEquilibriumError(
            f"The shock has no economically meaningful equilibrium: {name} would need "
            "negative income. This happens when fixed trade deficits or surpluses cannot be "
            "financed under the new tariffs; solve with deficits='zero'.",
            country_index=index,
        )
    return Equilibrium(
        wage_hat=np.exp(log_wage),
        price_hat=np.exp(log_price),
        cost_hat=np.exp(log_cost),
        trade_shares=shares,
        expenditure=expenditure,
        output=output,
        tariff_revenue=tariff_revenue,
        export_tax_revenue=export_tax_revenue,
        income=income,
        iterations=iterations,
        residual=residual,
        seconds=time.perf_counter() - clock,
        history=history,
        state=state,
    )
