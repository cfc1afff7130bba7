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
from dataclasses import dataclass, replace

import numpy as np

from tradewar.errors import ConvergenceError, NoEquilibriumError
from tradewar.extras import require_extra
from tradewar.model import equations
from tradewar.model.solver import SolverOptions, solve_fixed_point

__all__ = ["REVENUE_CLOSURES", "Baseline", "Equilibrium", "baseline_tariff_revenue", "solve_equilibrium"]


@dataclass(frozen=True)
class Baseline:
    """The baseline economy as plain arrays (see the module notation).

    N countries, J sectors; arrays indexed ``[importer n, exporter i, sector j]`` or
    ``[country, sector]``.

    Parameters
    ----------
    trade_shares : numpy.ndarray
        (N, N, J) import shares pi.
    tariff : numpy.ndarray
        (N, N, J) ad valorem tariffs.
    value_added_share : numpy.ndarray
        (N, J) value added's share of costs, beta.
    input_share : numpy.ndarray
        (N, J, J) ``[i, k, j]``: gamma^{kj}, the share of input k in the cost of sector j.
    final_demand_share : numpy.ndarray
        (N, J) Cobb-Douglas final demand shares, alpha.
    value_added : numpy.ndarray
        (N,) the baseline wage bill (value added).
    expenditure : numpy.ndarray
        (N, J) total spending X at buyer prices.
    trade_elasticity : numpy.ndarray
        (J,) trade elasticities theta.
    countries : tuple of str
        Country labels (named in errors).
    export_tax : numpy.ndarray, optional
        (N, N, J) export taxes (None: none).
    critical_inputs : tuple of int
        The critical input sectors of nested CES bundles (``()``: all Cobb-Douglas).
    input_substitution : numpy.ndarray, optional
        (N, J) substitution elasticity between critical and other inputs (1 = Cobb-Douglas).
    fixed_factor_share : numpy.ndarray, optional
        (N, J) sector-specific fixed factors' share of value added (None: none).
    specific_labour_share : numpy.ndarray, optional
        (N, J) share of each sector's labour that cannot move (None: mobile labour).
    capacity_share : numpy.ndarray, optional
        (N, J) a fixed capacity factor's share of each sector's costs, carved out of value
        added (None or zeros: constant cost; :func:`tradewar.model.equations.capacity_costs`).
    capacity_substitution : numpy.ndarray, optional
        (N, J) elasticity of substitution between capacity and the variable bundle.
    """

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
    # Nested CES input bundles (module :mod:`tradewar.model.equations`, :func:`input_bundles`):
    # the critical input sectors and sigma[i, j] of every user; () means all Cobb-Douglas.
    critical_inputs: tuple[int, ...] = ()
    input_substitution: np.ndarray | None = None  # (N, J); 1 = Cobb-Douglas
    # Sector-specific fixed factors: their share f of each sector's value added (None: none).
    fixed_factor_share: np.ndarray | None = None  # (N, J)
    # Sector-specific labour (the short run): the share s of each sector's labour that cannot move.
    specific_labour_share: np.ndarray | None = None  # (N, J)
    # Scarce supply: a capacity factor's share phi of each sector's costs and its elasticity of
    # substitution rho against the variable bundle (gross-output supply elasticity rho (1 - phi) / phi).
    capacity_share: np.ndarray | None = None  # (N, J)
    capacity_substitution: np.ndarray | None = None  # (N, J)

    @property
    def shape(self) -> tuple[int, int]:
        """(countries, sectors)."""
        return self.final_demand_share.shape


@dataclass(frozen=True)
class Equilibrium:
    """A counterfactual equilibrium (hats are ratios new / baseline).

    Parameters
    ----------
    wage_hat : numpy.ndarray
        (N,) wage changes.
    price_hat : numpy.ndarray
        (N, J) sector price index changes.
    cost_hat : numpy.ndarray
        (N, J) changes in the unit cost of input bundles.
    trade_shares : numpy.ndarray
        (N, N, J) new import shares.
    expenditure : numpy.ndarray
        (N, J) new spending (buyer prices).
    output : numpy.ndarray
        (N, J) new producer revenue.
    tariff_revenue : numpy.ndarray
        (N,) new tariff revenue.
    export_tax_revenue : numpy.ndarray
        (N,) new export tax revenue (collected by exporters).
    income : numpy.ndarray
        (N,) new national income.
    iterations : int
        Sweeps (and nested-solver calls) performed.
    residual : float
        Largest equilibrium-condition violation at the solution.
    seconds : float
        Wall-clock time.
    history : list of float
        The residual after each sweep of the fast path.
    state : numpy.ndarray, optional
        The solver's state vector (log wages, log prices, scaled spending): a warm start.
    deficit : numpy.ndarray, optional
        (N,) new trade deficits (differ from the shock's under deficit reduction).
    rent_hat : numpy.ndarray, optional
        (N, J) price change of the factors tied to a sector (None without them).
    capacity_rent_hat : numpy.ndarray, optional
        (N, J) rent change of capacity in scarce sectors (None without capacity nests).
    variable_cost_hat : numpy.ndarray, optional
        (N, J) cost change of the variable bundles below capacity nests (None without nests).
    """

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
    deficit: np.ndarray | None = None  # (N,) new trade deficits (differ from the shock's under deficit reduction)
    # (N, J) price change of the factors tied to a sector (scarce factor, specific labour); None without them
    rent_hat: np.ndarray | None = None
    # (N, J) rent change of capacity in scarce sectors (ones where none); None without capacity nests
    capacity_rent_hat: np.ndarray | None = None
    variable_cost_hat: np.ndarray | None = None  # (N, J) below capacity nests; None without them


def _positive_log(values: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return np.log(values)


def expenditure_scale(baseline: Baseline) -> np.ndarray:
    """What expenditure is divided by in the state vector: its baseline, floored at 1e-4 of
    the country's spending (relative precision where it matters, no round-off blow-up in
    empty cells).

    Parameters
    ----------
    baseline : Baseline
        The baseline economy.

    Returns
    -------
    numpy.ndarray
        (N, J) scales.
    """
    country_spending = baseline.expenditure.sum(axis=1, keepdims=True)
    return np.maximum(baseline.expenditure, 1e-4 * country_spending)


REVENUE_CLOSURES = ("rebate", "deficit-reduction")


def baseline_tariff_revenue(baseline: Baseline) -> np.ndarray:
    """Each country's baseline tariff revenue, ``sum_ij X[n, j] pi[n, i, j] t / (1 + t)``.

    Parameters
    ----------
    baseline : Baseline
        The baseline economy.

    Returns
    -------
    numpy.ndarray
        (N,) revenue, in the units of expenditure.
    """
    wedge = baseline.tariff / (1.0 + baseline.tariff)
    return np.einsum("nj,nij->n", baseline.expenditure, baseline.trade_shares * wedge)


class _System:
    """The equilibrium conditions of one counterfactual, with its constant arrays precomputed.

    The equations are those of :mod:`tradewar.model.equations` (shared with the JAX
    gradients); this class adds what only the numpy solver does: the check that the
    fast products form of the price index neither overflowed nor underflowed, with
    the log-sum-exp form as fallback, and the nested method for near-autarky shocks.
    """

    def __init__(self, baseline: Baseline, tariff_new, trade_cost_hat, deficit_new, export_tax_new=None,
                 revenue: str = "rebate"):
        self.baseline = baseline
        self.n_countries, self.n_sectors = baseline.shape
        if export_tax_new is None:
            export_tax_new = baseline.export_tax
        self.economy = equations.economy_arrays(np, baseline, expenditure_scale(baseline))
        with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
            self.shock = equations.prepare_shock(
                np, self.economy, np.asarray(tariff_new, dtype=float),
                None if np.all(trade_cost_hat == 1.0) else _positive_log(trade_cost_hat),
                np.asarray(deficit_new, dtype=float), export_tax_new,
                tariff_revenue_baseline=baseline_tariff_revenue(baseline) if revenue == "deficit-reduction" else None,
            )
        self.has_export_tax = self.shock.has_export_tax
        # Infinite weights (a trade cost cut to near zero at a high elasticity) rule out
        # the products form for the whole solve.
        self.products = bool(np.all(np.isfinite(self.shock.weights)))
        self.world_value_added = baseline.value_added.sum()
        self.scale = self.economy.scale

    # -- blocks ---------------------------------------------------------------------
    def price_block(self, xp, economy, shock, log_cost):
        """The price indices by the fast products form, or by log-sum-exp where the
        products over- or underflow (the signature of the shared price blocks)."""
        if self.products:
            with np.errstate(over="ignore", under="ignore", divide="ignore", invalid="ignore"):
                log_price_new, flows = equations.price_block_products(xp, economy, shock, log_cost)
            if equations.products_are_finite(flows):
                return log_price_new, flows
        with np.errstate(over="ignore", under="ignore", divide="ignore", invalid="ignore"):
            return equations.price_block_logsumexp(xp, economy, shock, log_cost)

    def prices(self, log_wage, log_price, log_rent=None, log_capacity_rent=None):
        """Unit costs, the price indices they imply, the trade flows and the cost shares
        (:class:`~tradewar.model.equations.Bundles`, None for Cobb-Douglas bundles;
        :class:`~tradewar.model.equations.Capacity`, None without capacity nests), with the
        fixed factors' and capacity's rents."""
        log_variable, bundles = equations.input_bundles(np, self.economy, log_wage, log_price, log_rent)
        with np.errstate(over="ignore", under="ignore"):
            log_cost, capacity = equations.capacity_costs(np, self.economy, log_variable, log_capacity_rent)
        log_price_new, flows = self.price_block(np, self.economy, self.shock, log_cost)
        return log_cost, log_price_new, (flows, bundles, log_rent, capacity, log_capacity_rent)

    def goods(self, log_wage, expenditure, flows) -> equations.Goods:
        """Producer revenue, tariff revenue, income, implied expenditure and labour demand
        (``flows``: the flows and cost shares :meth:`prices` returns)."""
        return equations.goods_block(np, self.economy, self.shock, log_wage, expenditure, *flows)

    # -- state vectors ----------------------------------------------------------------
    def pack(self, log_wage, log_price, expenditure, log_rent=None, log_capacity_rent=None):
        return equations.pack(np, self.economy, log_wage, log_price, expenditure, log_rent, log_capacity_rent)

    def unpack(self, state):
        return equations.unpack(np, self.economy, state)

    def sweep(self, state):
        """One update of wages, prices and expenditure (the joint fixed-point map)."""
        # An extrapolated iterate may imply negative labour or fixed-factor demand (a NaN log);
        # the accelerated iteration rejects such steps and the final residual check stands guard.
        with np.errstate(invalid="ignore"):
            return equations.sweep(np, self.economy, self.shock, state, self.price_block)

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
        _, _, flows = self.prices(log_wage, log_price)

        def expenditure_sweep(x):
            return (self.goods(log_wage, x.reshape(price_shape) * self.scale, flows).expenditure / self.scale).ravel()

        spending_fit = solve_fixed_point(
            expenditure_sweep, (expenditure / self.scale).ravel(), inner, what="expenditure"
        )
        iterations = price_fit.iterations + spending_fit.iterations
        return log_price, spending_fit.x.reshape(price_shape) * self.scale, iterations

    def solve_rest_given_wages(self, log_wage, rest, options):
        """Prices, expenditure and sector-specific rents for given national wages: the joint
        sweep with the wages held (with factors tied to sectors, the rents are set by each
        country's own markets, so this inner problem is well conditioned near autarky)."""
        # A tenth of the tolerance: this larger joint block stalls near 1e-11 in double precision.
        inner = SolverOptions(tol=options.tol * 1e-1, max_iter=options.max_iter, memory=options.memory)
        n = self.n_countries
        fit = solve_fixed_point(lambda x: self.sweep(np.concatenate([log_wage, x]))[n:], rest, inner,
                                what="inner (prices, spending, rents)")
        return fit.x, fit.iterations

    def solve_nested(self, state, options, on_iteration=None):
        log_wage, log_price, expenditure = self.unpack(state)
        # Sector-specific factors or capacity: their rents solved inside.
        tied = self.economy.fixed_share is not None or self.economy.capacity_share is not None
        n = self.n_countries
        memo = {"price": log_price, "spending": expenditure, "rest": state[n:], "sweeps": 0, "calls": 0}

        def wage_gap(log_wage_free):
            # The last wage follows from the numeraire; its labour market clears by Walras' law.
            log_wage = self._complete_wages(log_wage_free)
            memo["calls"] += 1
            if tied:
                memo["rest"], sweeps = self.solve_rest_given_wages(log_wage, memo["rest"], options)
                memo["sweeps"] += sweeps
                whole = np.concatenate([log_wage, memo["rest"]])
                _, log_price, spending = self.unpack(whole)
                _, _, flows = self.prices(log_wage, log_price, equations.unpack_rent(np, self.economy, whole),
                                          equations.unpack_capacity_rent(np, self.economy, whole))
                labour_demand = self.goods(log_wage, spending, flows).labour_demand
            else:
                memo["price"], memo["spending"], sweeps = self.solve_given_wages(
                    log_wage, memo["price"], memo["spending"], options
                )
                memo["sweeps"] += sweeps
                _, _, flows = self.prices(log_wage, memo["price"])
                labour_demand = self.goods(log_wage, memo["spending"], flows).labour_demand
            # Excess labour demand relative to baseline value added: defined (no log of a
            # negative number) even at the wild wages a trust-region step may try.
            gap = labour_demand / self.economy.value_added - np.exp(log_wage)
            if on_iteration is not None:
                on_iteration(memo["calls"], float(np.max(np.abs(gap))))
            return gap[:-1]

        # Start from the best joint iterate; if MINPACK gets stuck there, from the baseline.
        require_extra("solvers", "scipy")  # optional: the core install has no scipy
        from scipy.optimize import root  # only this fallback needs scipy.optimize

        for guess in (log_wage[:-1] - log_wage[-1], np.zeros(self.n_countries - 1)):
            fit = root(wage_gap, guess, method="hybr", options={"xtol": options.tol * 1e-2})
            if np.all(np.isfinite(fit.fun)) and np.max(np.abs(fit.fun), initial=0.0) < options.tol:
                break
            memo["price"] = np.zeros_like(log_price)
            memo["spending"] = self.baseline.expenditure.copy()
            memo["rest"] = self.pack(np.zeros(n), np.zeros_like(log_price), self.baseline.expenditure)[n:]
        log_wage = self._complete_wages(fit.x)
        if tied:
            memo["rest"], _ = self.solve_rest_given_wages(log_wage, memo["rest"], options)
            return np.concatenate([log_wage, memo["rest"]]), memo["calls"]
        memo["price"], memo["spending"], _ = self.solve_given_wages(log_wage, memo["price"], memo["spending"], options)
        return self.pack(log_wage, memo["price"], memo["spending"]), memo["calls"]

    def _complete_wages(self, relative_log_wage):
        """Log wages from wages relative to the last country, scaled to the numeraire."""
        log_wage = np.append(relative_log_wage, 0.0)
        # The numeraire: the world wage bill of mobile labour (all value added without tied factors).
        level = self.economy.value_added.sum() / (np.exp(log_wage) * self.economy.value_added).sum()
        return log_wage + np.log(level)


#: Factors on capacity's elasticity of substitution (its gross-output supply elasticity) by which
#: a stalled solve with scarce capacity is approached: each equilibrium starts the next, the last
#: starts the problem itself.
CONTINUATION_FACTORS = (64.0, 16.0, 4.0)


def _by_continuation(baseline: Baseline, system: _System, policy: tuple, revenue: str, options: SolverOptions,
                     start: np.ndarray):
    """The state that solves ``system``, reached through the same shock with more elastic capacity
    (:data:`CONTINUATION_FACTORS`), with the sweeps it took; None without capacity nests or when a
    step fails (the caller then tries the nested method)."""
    if system.economy.capacity_share is None:
        return None
    tariff_new, trade_cost_hat, deficit_new, export_tax_new = policy
    rho = np.asarray(baseline.capacity_substitution)
    state, sweeps = start, 0
    try:
        for factor in CONTINUATION_FACTORS:
            looser = replace(baseline, capacity_substitution=rho * factor)
            step = _System(looser, tariff_new, trade_cost_hat, deficit_new, export_tax_new, revenue)
            fit = solve_fixed_point(step.sweep, state, options)
            state, sweeps = fit.x, sweeps + fit.iterations
        fit = solve_fixed_point(system.sweep, state, options)
    except ConvergenceError:
        return None
    return fit.x, sweeps + fit.iterations


def solve_equilibrium(
    baseline: Baseline,
    tariff_new: np.ndarray,
    trade_cost_hat: np.ndarray,
    deficit_new: np.ndarray,
    options: SolverOptions | None = None,
    on_iteration=None,
    export_tax_new: np.ndarray | None = None,
    initial_state: np.ndarray | None = None,
    revenue: str = "rebate",
) -> Equilibrium:
    """Solve the counterfactual equilibrium for new tariffs, trade costs, deficits and
    (optionally) export taxes; ``export_tax_new`` defaults to the baseline's.

    The fast path iterates all blocks jointly with Anderson acceleration. Near
    autarky (prohibitive tariffs everywhere) relative wages are pinned down only by
    a sliver of trade and that iteration crawls; the solver then switches to a
    nested scheme: prices and expenditure solved exactly for given wages, and the
    N - 1 relative wages found by MINPACK's hybrid Powell method.

    ``revenue`` is the closure for tariff revenue: ``"rebate"`` (spent by households, CP2015)
    or ``"deficit-reduction"`` (its change lowers the trade deficit; see
    :func:`tradewar.model.equations.deficits_after`).

    Parameters
    ----------
    baseline : Baseline
        The baseline economy.
    tariff_new : numpy.ndarray
        (N, N, J) new tariffs.
    trade_cost_hat : numpy.ndarray
        (N, N, J) iceberg trade cost changes (ones: none).
    deficit_new : numpy.ndarray
        (N,) trade deficits of the counterfactual.
    options : SolverOptions, optional
        Solver settings.
    on_iteration : callable, optional
        Called with ``(iteration, residual)`` after each sweep.
    export_tax_new : numpy.ndarray, optional
        (N, N, J) new export taxes (default: the baseline's).
    initial_state : numpy.ndarray, optional
        A warm start (:attr:`Equilibrium.state` of a nearby solve).
    revenue : {"rebate", "deficit-reduction"}, default "rebate"
        The closure for tariff revenue.

    Returns
    -------
    Equilibrium
        The changes in wages, prices, costs, trade shares, spending, output, revenue and
        income, with the solver's report.

    Raises
    ------
    ValueError
        If ``revenue`` is not a known closure.
    tradewar.errors.ConvergenceError
        If neither the fast path nor the nested fallback meets the tolerance.
    tradewar.errors.NoEquilibriumError
        If the solution needs negative income or spending somewhere.
    """
    options = options or SolverOptions()
    if revenue not in REVENUE_CLOSURES:
        raise ValueError(f"revenue must be one of {', '.join(REVENUE_CLOSURES)}, not {revenue!r}.")
    clock = time.perf_counter()
    system = _System(baseline, tariff_new, trade_cost_hat, deficit_new, export_tax_new, revenue)
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
        iterations, history, best = stalled.iterations, stalled.history, stalled.best
        # Scarce capacity: near-vertical supply against near-Leontief demand is a stiff problem
        # from the baseline, and an easy one from the equilibrium with more elastic capacity.
        continued = _by_continuation(baseline, system, (tariff_new, trade_cost_hat, deficit_new, export_tax_new),
                                     revenue, options, start)
        if continued is not None:
            state, sweeps = continued
            iterations += sweeps
        else:
            try:
                with np.errstate(all="ignore"):
                    state, calls = system.solve_nested(best, options, on_iteration)
                iterations += calls
            except ConvergenceError:
                state = best
    with np.errstate(all="ignore"):
        residual = float(np.max(np.abs(system.sweep(state) - state)))
    if not np.isfinite(residual) or residual > options.tol * 10:
        raise ConvergenceError(
            f"The equilibrium solver did not converge: after {iterations} sweeps and the nested "
            f"fallback the equilibrium conditions are violated by {residual:.3g} (tolerance "
            f"{options.tol:.1g}). The shock may have no equilibrium (e.g. fixed deficits that "
            "prohibitive tariffs make impossible to finance; try deficits='zero'), or no unique "
            "one (bans that cut a country off from all trade leave its relative wage undetermined).",
            iterations=iterations, residual=residual, history=history,
        )
    log_wage, log_price, expenditure = system.unpack(state)
    log_rent = equations.unpack_rent(np, system.economy, state)
    log_capacity_rent = equations.unpack_capacity_rent(np, system.economy, state)
    log_cost, _, flows = system.prices(log_wage, log_price, log_rent, log_capacity_rent)
    goods = system.goods(log_wage, expenditure, flows)
    income = goods.income
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
        trade_shares=np.ascontiguousarray(equations.trade_shares(np, flows[0])),
        expenditure=expenditure,
        output=goods.output,
        tariff_revenue=goods.tariff_revenue,
        export_tax_revenue=goods.export_tax_revenue,
        income=income,
        iterations=iterations,
        residual=residual,
        seconds=time.perf_counter() - clock,
        history=history,
        state=state,
        deficit=np.asarray(equations.deficits_after(np, system.shock, goods.tariff_revenue), dtype=float),
        rent_hat=None if log_rent is None else np.exp(log_rent),
        capacity_rent_hat=None if log_capacity_rent is None else np.exp(log_capacity_rent),
        variable_cost_hat=None if log_capacity_rent is None else np.exp(
            equations.input_bundles(np, system.economy, log_wage, log_price, log_rent)[0]),
    )
