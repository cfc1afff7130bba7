"""The Caliendo-Parro (2015) multi-sector model with input-output linkages, in changes.

Notation (arrays are numpy, axes in this order):

- ``n`` importer, ``i`` exporter, ``j``/``k`` sectors; ``N`` countries, ``J`` sectors.
- ``trade_shares[n, i, j]``: pi, the share of n's spending on j (at buyer prices)
  bought from i.
- ``tariff[n, i, j]``: ad valorem tariff t imposed by n on j from i; ``tau = 1 + t``.
- ``value_added_share[i, j]``: beta; ``input_share[i, k, j]``: gamma^{kj}, the share of
  input k in the cost of sector j (``beta + sum_k gamma = 1``).
- ``final_demand_share[n, j]``: alpha; ``trade_elasticity[j]``: theta.
- ``value_added[n]``: the baseline wage bill; ``deficit[n]``: imports minus exports.

Exact hat algebra (CP2015, section 3): given a shock
``kappa = (tau' / tau) * d_hat``, the equilibrium wages ``w_hat``, sector prices
``P_hat`` and expenditures ``X'`` solve

1. ``log c_hat[i, j] = beta[i, j] log w_hat[i] + sum_k gamma[i, k, j] log P_hat[i, k]``
2. ``P_hat[n, j] = (sum_i pi[n, i, j] (kappa c_hat[i, j])^-theta_j)^(-1/theta_j)``
3. ``pi'[n, i, j] = pi[n, i, j] (kappa c_hat[i, j] / P_hat[n, j])^-theta_j``
4. ``X'[n, j] = sum_k gamma[n, j, k] Y'[n, k] + alpha[n, j] I'[n]`` with producer
   revenue ``Y'[i, k] = sum_n X'[n, k] pi'[n, i, k] / tau'[n, i, k]`` and income
   ``I' = w_hat VA + tariff revenue' + deficit'``
5. labour markets clear, ``w_hat[n] VA[n] = sum_j beta[n, j] Y'[n, j]`` (equivalently
   every trade balance equals its deficit), with world value added as numeraire:
   ``sum_n w_hat[n] VA[n] = sum_n VA[n]``.

One sweep updates all three blocks at O(N^2 J + N J^2) cost; no (NJ)^2 matrix is
ever formed. The expenditure block is linear in X and is solved by the same
accelerated iteration rather than by inverting the NJ x NJ system.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import logsumexp

from tradewar.model.solver import FixedPointResult, SolverOptions, solve_fixed_point

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
    income: np.ndarray  # (N,)
    iterations: int
    residual: float
    seconds: float
    history: list[float]


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


def solve_equilibrium(
    baseline: Baseline,
    tariff_new: np.ndarray,
    trade_cost_hat: np.ndarray,
    deficit_new: np.ndarray,
    options: SolverOptions | None = None,
    on_iteration=None,
) -> Equilibrium:
    """Solve the counterfactual equilibrium for new tariffs, trade costs and deficits."""
    pi = baseline.trade_shares
    n_countries, n_sectors = baseline.shape
    theta = baseline.trade_elasticity[None, None, :]
    beta = baseline.value_added_share
    gamma = baseline.input_share
    alpha = baseline.final_demand_share
    value_added = baseline.value_added
    world_value_added = value_added.sum()

    tau_new = 1.0 + tariff_new
    log_kappa = np.log(tau_new / (1.0 + baseline.tariff)) + _positive_log(trade_cost_hat)
    # Revenue share of a unit spent: the part that is not tariff.
    producer_share_new = 1.0 / tau_new
    # Expenditure is iterated relative to its baseline, floored at 1e-4 of the country's
    # spending: relative precision where it matters, no round-off blow-up in empty cells.
    country_spending = baseline.expenditure.sum(axis=1, keepdims=True)
    scale = np.maximum(baseline.expenditure, 1e-4 * country_spending)
    n_w, n_p = n_countries, n_countries * n_sectors

    def unpack(state):
        log_wage = state[:n_w]
        log_price = state[n_w : n_w + n_p].reshape(n_countries, n_sectors)
        expenditure = state[n_w + n_p :].reshape(n_countries, n_sectors) * scale
        return log_wage, log_price, expenditure

    def blocks(state):
        log_wage, log_price, expenditure = unpack(state)
        log_cost = beta * log_wage[:, None] + np.einsum("ikj,ik->ij", gamma, log_price)
        exponent = -theta * (log_kappa + log_cost[None, :, :])
        shares, log_total = _normalised_exp(exponent, pi)
        log_price_new = -log_total / baseline.trade_elasticity
        revenue_shares = shares * producer_share_new
        output = np.einsum("nj,nij->ij", expenditure, revenue_shares)
        tariff_revenue = (expenditure * (1.0 - revenue_shares.sum(axis=1))).sum(axis=1)
        income = np.exp(log_wage) * value_added + tariff_revenue + deficit_new
        expenditure_new = np.einsum("njk,nk->nj", gamma, output) + alpha * income[:, None]
        labour_demand = (beta * output).sum(axis=1)
        wage_new = labour_demand / value_added
        wage_new *= world_value_added / (wage_new * value_added).sum()
        return log_cost, log_price_new, shares, output, tariff_revenue, income, expenditure_new, wage_new

    def sweep(state):
        _, log_price_new, _, _, _, _, expenditure_new, wage_new = blocks(state)
        return np.concatenate([np.log(wage_new), log_price_new.ravel(), (expenditure_new / scale).ravel()])

    start = np.concatenate([np.zeros(n_w), np.zeros(n_p), (baseline.expenditure / scale).ravel()])
    solution: FixedPointResult = solve_fixed_point(sweep, start, options, on_iteration=on_iteration)
    log_wage, log_price, expenditure = unpack(solution.x)
    log_cost, _, shares, output, tariff_revenue, income, _, _ = blocks(solution.x)
    return Equilibrium(
        wage_hat=np.exp(log_wage),
        price_hat=np.exp(log_price),
        cost_hat=np.exp(log_cost),
        trade_shares=shares,
        expenditure=expenditure,
        output=output,
        tariff_revenue=tariff_revenue,
        income=income,
        iterations=solution.iterations,
        residual=solution.residual,
        seconds=solution.seconds,
        history=solution.history,
    )
