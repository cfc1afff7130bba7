"""BENCHMARK PEER, NOT PART OF TRADEWAR: a plain numpy port of the Caliendo-Parro (2015)
solution algorithm, written straightforwardly from the paper's equations.

Frozen here as the yardstick that ``benchmarks/bench_engine.py`` times tradewar against;
the package never imports it. It follows the algorithm the paper describes (Caliendo &
Parro 2015, "Estimates of the Trade and Welfare Effects of NAFTA", Review of Economic
Studies 82(1), section 4 and its appendix), in changes ("exact hat algebra"):

1. guess wage changes ``w_hat`` (start: ones);
2. given wages, iterate unit costs and price indices to their fixed point,
       c_hat[i, j] = w_hat[i]^beta[i, j] prod_k P_hat[i, k]^gamma[i, k, j]
       P_hat[n, j] = (sum_i pi[n, i, j] (kappa[n, i, j] c_hat[i, j])^-theta_j)^(-1/theta_j);
3. new trade shares ``pi' = pi (kappa c_hat / P_hat)^-theta``;
4. given wages and shares, iterate total expenditure to its fixed point (the "iterative
   expenditure step", instead of inverting the NJ x NJ goods-market system)
       X'[n, j] = sum_k gamma[n, j, k] Y'[n, k] + alpha[n, j] I'[n],
       Y'[i, k] = sum_n X'[n, k] pi'[n, i, k] / (1 + t'[n, i, k]),
       I'[n] = w_hat[n] VA[n] + tariff revenue'[n] + D[n];
5. excess labour demand ``Z[n] = (sum_j beta[n, j] Y'[n, j] - w_hat[n] VA[n]) / VA[n]``
   (zero when every trade balance equals its deficit); stop when ``max |Z|`` is below the
   tolerance, else update ``w_hat <- w_hat (1 + step Z)``, rescale so that world value
   added is the numeraire, and go back to 2.

Choices (the paper leaves them open): the price and expenditure loops start from their
previous solution (ones and the baseline at the first pass); wage step 0.5 by default
(the benchmark passes the fastest step that converges on each experiment); inner loops
stop at the outer tolerance (tighter ones only cost time: checked on NAFTA). Iceberg trade
costs and export taxes are left out (the NAFTA experiment changes tariffs only).
"""

from __future__ import annotations

import numpy as np


def solve(trade_shares, tariff, tariff_new, value_added_share, input_share, final_demand_share, trade_elasticity,
          value_added, expenditure, deficit, tol=1e-10, step=0.5, inner_tol=None, max_outer=10_000,
          max_inner=100_000):
    """Wage, price and expenditure changes of a tariff counterfactual (all arrays numpy).

    Shapes: ``trade_shares``, ``tariff``, ``tariff_new`` (N, N, J) [importer, exporter, sector];
    ``value_added_share``, ``final_demand_share``, ``expenditure`` (N, J); ``input_share``
    (N, J, J) [country, input, sector]; ``trade_elasticity`` (J,); ``value_added``,
    ``deficit`` (N,). Returns a dict with ``wage_hat``, ``price_hat``, ``trade_shares``,
    ``expenditure``, ``income`` and the iteration counts.
    """
    pi, beta, gamma, alpha, theta = trade_shares, value_added_share, input_share, final_demand_share, trade_elasticity
    n_countries, n_sectors = alpha.shape
    kappa = (1.0 + tariff_new) / (1.0 + tariff)
    tau_new = 1.0 + tariff_new
    inner_tol = tol if inner_tol is None else inner_tol

    wage = np.ones(n_countries)
    price = np.ones((n_countries, n_sectors))
    spending = expenditure.copy()
    outer = price_sweeps = spending_sweeps = 0
    while True:
        outer += 1
        # Step 2: unit costs and price indices for these wages.
        for _ in range(max_inner):
            price_sweeps += 1
            cost = wage[:, None] ** beta * np.exp(np.einsum("ikj,ik->ij", gamma, np.log(price)))
            terms = pi * (kappa * cost[None, :, :]) ** (-theta[None, None, :])
            price_new = terms.sum(axis=1) ** (-1.0 / theta[None, :])
            change = np.max(np.abs(price_new - price))
            price = price_new
            if change < inner_tol:
                break
        # Step 3: new trade shares.
        shares = terms / terms.sum(axis=1, keepdims=True)
        # Step 4: expenditure, iterated.
        for _ in range(max_inner):
            spending_sweeps += 1
            output = np.einsum("nj,nij->ij", spending, shares / tau_new)
            tariff_revenue = np.einsum("nj,nij->n", spending, shares * (1.0 - 1.0 / tau_new))
            income = wage * value_added + tariff_revenue + deficit
            spending_new = np.einsum("njk,nk->nj", gamma, output) + alpha * income[:, None]
            change = np.max(np.abs(spending_new - spending) / np.maximum(expenditure, 1e-12))
            spending = spending_new
            if change < inner_tol:
                break
        # Step 5: labour markets (equivalently, trade balances).
        output = np.einsum("nj,nij->ij", spending, shares / tau_new)
        excess = ((beta * output).sum(axis=1) - wage * value_added) / value_added
        if np.max(np.abs(excess)) < tol or outer >= max_outer:
            break
        wage = wage * (1.0 + step * excess)
        wage = wage * value_added.sum() / (wage * value_added).sum()

    return {"wage_hat": wage, "price_hat": price, "trade_shares": shares, "expenditure": spending,
            "income": income, "outer_iterations": outer, "price_sweeps": price_sweeps,
            "expenditure_sweeps": spending_sweeps, "excess_demand": float(np.max(np.abs(excess)))}
