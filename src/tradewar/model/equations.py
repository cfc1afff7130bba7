"""The Caliendo-Parro (2015) equilibrium conditions, written once for numpy and JAX.

Every function takes the array namespace ``xp`` (``numpy`` or ``jax.numpy``) as its
first argument and uses only operations both provide, so the forward solver (numpy,
:mod:`tradewar.model.caliendo_parro`) and the exact gradients (JAX,
:mod:`tradewar.strategy.differentiable`) evaluate the same equations. This module
imports neither JAX nor scipy.

Notation and equations are those of :mod:`tradewar.model.caliendo_parro`. What makes a
sweep cheap is that, for one counterfactual, the shock ``kappa`` is fixed: the
price index

    P_hat[n, j]^-theta_j = sum_i (pi[n, i, j] kappa[n, i, j]^-theta_j) c_hat[i, j]^-theta_j

is a product of a constant weight matrix per sector (computed once, :func:`prepare_shock`)
and N x J powers of unit costs, the only exponentials a sweep needs. Spending, tariff and
export-tax revenue and producer revenue are the same weights, divided by the tariff and
export tax, multiplied by the same powers: four batched matrix-vector products per
sector, and no N x N x J array is formed in a sweep.

Arrays over (importer, exporter, sector) are stored sector-major, ``[j, n, i]``, so that
each sector's weights are one contiguous N x N matrix for ``matmul``; vectors over
(country, sector) stay ``[n, j]`` as in the solver's state.

Overflow and underflow: the powers are scaled by their per-sector maximum (the scale
cancels in every share), and where the products still over- or underflow (prohibitive
tariffs at high elasticities, near-zero costs) the numpy solver switches to the shifted
log-sum-exp form, :func:`price_block_logsumexp`, which JAX always uses because it cannot
branch on values inside a compiled function.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

__all__ = [
    "Bundles",
    "Capacity",
    "Economy",
    "Flows",
    "Goods",
    "Shock",
    "deficits_after",
    "economy_arrays",
    "goods_block",
    "capacity_costs",
    "capacity_rent_update",
    "input_bundles",
    "pack",
    "prepare_shock",
    "price_block_logsumexp",
    "price_block_products",
    "products_are_finite",
    "sector_specific_share",
    "sweep",
    "trade_shares",
    "unit_costs",
    "unpack",
    "unpack_capacity_rent",
    "unpack_rent",
    "wages_from",
    "welfare",
]

# Scaled price-index sums outside (SMALLEST_SUM, 1 / SMALLEST_SUM) count as under- or
# overflow: the sum is at least the weight of the lowest-cost exporter, so it is this
# small only in near-autarky corners.
SMALLEST_SUM = 1e-250


class Economy(NamedTuple):
    """The baseline arrays a sweep reads, in the layouts it multiplies (a JAX pytree).

    Parameters
    ----------
    trade_shares : array
        (J, N, N) pi[j, n, i].
    log_tariff : array
        (J, N, N) log(1 + t) of the baseline.
    log_export_tax : array or None
        (J, N, N) log(1 + x) of the baseline; None without export taxes.
    value_added_share : array
        (N, J) beta.
    input_share : array
        (N, J, J) gamma[i, k, j]: input k in sector j.
    final_demand_share : array
        (N, J) alpha.
    value_added : array
        (N,) baseline wage bill.
    trade_elasticity : array
        (J,) theta.
    scale : array
        (N, J) what expenditure is divided by in the state vector.
    critical_selector : array, optional
        (J, K) one-hot: column m picks the m-th critical input sector (None: every bundle
        Cobb-Douglas).
    substitution : array, optional
        (N, J) sigma, critical inputs against the rest of sector j's bundle.
    fixed_share : array, optional
        (N, J) beta f: the fixed factor's share of the sector's costs (None: none).
    output_baseline : array, optional
        (N, J) baseline spending on the variable bundle where a fixed factor earns (producer
        revenue Y without a capacity nest).
    capacity_share : array, optional
        (N, J) phi: a capacity factor's share of the sector's costs (None: no capacity nest;
        ``value_added_share``, ``input_share`` and ``fixed_share`` are then shares of the
        variable bundle, the baseline's over ``1 - phi``).
    capacity_substitution : array, optional
        (N, J) rho, capacity against the variable bundle.
    capacity_output : array, optional
        (N, J) baseline producer revenue Y where capacity earns (ones elsewhere).
    """

    trade_shares: Any  # (J, N, N) pi[j, n, i]
    log_tariff: Any  # (J, N, N) log(1 + t) of the baseline
    log_export_tax: Any  # (J, N, N) log(1 + x) of the baseline; None without export taxes
    value_added_share: Any  # (N, J) beta
    input_share: Any  # (N, J, J) gamma[i, k, j]: input k in sector j
    final_demand_share: Any  # (N, J) alpha
    value_added: Any  # (N,) baseline wage bill
    trade_elasticity: Any  # (J,) theta
    scale: Any  # (N, J) what expenditure is divided by in the state vector
    # Nested CES bundles (None: every bundle Cobb-Douglas, the CP2015 model exactly).
    critical_selector: Any = None  # (J, K) one-hot: column m picks the m-th critical input sector
    substitution: Any = None  # (N, J) sigma, critical inputs against the rest of sector j's bundle
    # Sector-specific fixed factors (None: none; value_added is then all labour income).
    fixed_share: Any = None  # (N, J) beta f: the fixed factor's share of the sector's costs
    output_baseline: Any = None  # (N, J) baseline variable-bundle spending (what the fixed factor earned, over beta f)
    # Capacity nests (None: none; constant cost): a fixed capacity factor, CES against the variable bundle.
    capacity_share: Any = None  # (N, J) phi, capacity's share of the sector's costs (0: no nest in that cell)
    capacity_substitution: Any = None  # (N, J) rho, capacity against the variable bundle
    capacity_output: Any = None  # (N, J) baseline producer revenue Y where capacity earns (1 elsewhere)


class Shock(NamedTuple):
    """What one counterfactual fixes for all its sweeps (a JAX pytree; build it inside a
    compiled function, since ``has_export_tax`` must stay a Python bool).

    Parameters
    ----------
    log_kappa : array
        (J, N, N) log of the trade-cost shock kappa[j, n, i].
    weights : array
        (J, 2N, N): W = pi kappa^-theta stacked over W t' / (1 + t').
    producer_weight : array
        (J, N, N) W / ((1 + t')(1 + x')): what the producer keeps.
    export_tax_weight : array or None
        (J, N, N) W x' / ((1 + t')(1 + x')); None without export taxes.
    pre_tariff_share : array
        (J, N, N) 1 / (1 + t').
    producer_share : array
        (J, N, N) 1 / ((1 + t')(1 + x')).
    deficit : array
        (N,) the new trade deficits (before any change of tariff revenue).
    has_export_tax : bool
        Whether any export tax is in force.
    deficit_reduction : bool, default False
        The revenue closure: False rebates tariff revenue to households, True lets its change
        lower the trade deficit (:func:`deficits_after`).
    tariff_revenue_baseline : array, optional
        (N,) baseline tariff revenue (deficit reduction only).
    value_added_weight : array, optional
        (N,) baseline value added over world value added (deficit reduction only).
    """

    log_kappa: Any  # (J, N, N) log of the trade-cost shock kappa[j, n, i]
    weights: Any  # (J, 2N, N): W = pi kappa^-theta over W t' / (1 + t'), one matmul for both
    producer_weight: Any  # (J, N, N) W / ((1 + t')(1 + x')): what the producer keeps
    export_tax_weight: Any  # (J, N, N) W x' / ((1 + t')(1 + x')); None without export taxes
    pre_tariff_share: Any  # (J, N, N) 1 / (1 + t'): of spending at buyer prices, what is not tariff
    producer_share: Any  # (J, N, N) 1 / ((1 + t')(1 + x')) (the same array without export taxes)
    deficit: Any  # (N,) the new trade deficits (before any change of tariff revenue, see below)
    has_export_tax: bool  # whether any export tax is in force
    # The revenue closure. Rebate (``deficit_reduction`` False): tariff revenue is spent by
    # the household. Deficit reduction: the change of tariff revenue from its baseline
    # lowers the trade deficit instead, and the world's net revenue change is shared out by
    # baseline value added so that deficits still sum to zero (see :func:`goods_block`).
    deficit_reduction: bool = False
    tariff_revenue_baseline: Any = None  # (N,) baseline tariff revenue (deficit reduction only)
    value_added_weight: Any = None  # (N,) baseline value added over world value added (deficit reduction only)

    @property
    def weight(self):
        """The trade-share weights of the shock, without the revenue columns the array also holds.

        Returns
        -------
        array
            (J, N, N) W.
        """
        return self.weights[:, : self.weights.shape[2], :]


class Flows(NamedTuple):
    """Trade shares after a price update, as ``pi'[j, n, i] = W[j, n, i] x[j, i] / T[j, n]``.

    The products form keeps the constant weights ``W`` and the powers ``x``; the
    log-sum-exp form has the shares themselves in ``W`` and ones in ``x`` and ``T``.

    Parameters
    ----------
    weight : array
        (J, N, N) W.
    producer_weight : array
        (J, N, N) W / ((1 + t')(1 + x')).
    export_tax_weight : array or None
        (J, N, N) W x' / ((1 + t')(1 + x')); None without export taxes.
    power : array
        (J, N) x.
    inverse_total : array
        (J, N) 1 / T.
    tariff_share : array
        (J, N) of a unit n spends on j, the tariff: sum_i pi' t' / (1 + t').
    """

    weight: Any  # (J, N, N) W
    producer_weight: Any  # (J, N, N) W / ((1 + t')(1 + x'))
    export_tax_weight: Any  # (J, N, N) W x' / ((1 + t')(1 + x')); None without export taxes
    power: Any  # (J, N) x
    inverse_total: Any  # (J, N) 1 / T
    tariff_share: Any  # (J, N) of a unit n spends on j, the tariff: sum_i pi' t' / (1 + t')


class Bundles(NamedTuple):
    """How nested CES bundles move cost shares away from their baseline (Cobb-Douglas) values.

    With ``r = (rest_hat / c_hat)^(1 - sigma)`` the shares of labour and of every
    non-critical input are the baseline's times ``r`` (their Cobb-Douglas proportions
    inside the rest hold), and the share of critical input m is
    ``gamma[m] (P_hat[m] / c_hat)^(1 - sigma)``, i.e. ``gamma[m] r + critical_change[m]``.

    Parameters
    ----------
    rest_ratio : array
        (N, J) r.
    critical_change : array
        (N, K, J) new critical shares minus gamma[m] r.
    """

    rest_ratio: Any  # (N, J) r
    critical_change: Any  # (N, K, J) new critical shares minus gamma[m] r


class Capacity(NamedTuple):
    """How a capacity nest moves cost shares: the sector's unit cost is a CES, elasticity
    ``rho``, between a fixed capacity factor (baseline cost share ``phi``, rent ``r_hat``)
    and the variable bundle (cost ``v_hat``) of :func:`input_bundles`.

    Parameters
    ----------
    variable_share : array
        (N, J) the variable bundle's share of costs, ``(1 - phi) (v_hat / c_hat)^(1 - rho)``
        (one where there is no nest).
    log_rent_ratio : array
        (N, J) ``(1 - rho) log(r_hat / c_hat)``: the log of capacity's cost share over its baseline ``phi``.
    """

    variable_share: Any  # (N, J) (1 - phi) (v_hat / c_hat)^(1 - rho); 1 where there is no nest
    log_rent_ratio: Any  # (N, J) (1 - rho) log(r_hat / c_hat)


class Goods(NamedTuple):
    """The goods-market block at given wages, spending and trade shares.

    Parameters
    ----------
    output : array
        (N, J) producer revenue Y'.
    tariff_revenue : array
        (N,) tariff revenue.
    export_tax_revenue : array
        (N,) export-tax revenue.
    income : array
        (N,) national income.
    expenditure : array
        (N, J) spending implied by these incomes and outputs.
    labour_demand : array
        (N,) wage bill demanded, sum_j beta Y'.
    rent_demand : array, optional
        (N, J) fixed-factor income demanded over its baseline; None without fixed factors.
    log_capacity_rent_demand : array, optional
        (N, J) log of capacity income demanded over its baseline (zero where there is no
        nest); None without capacity nests.
    """

    output: Any  # (N, J) producer revenue Y'
    tariff_revenue: Any  # (N,)
    export_tax_revenue: Any  # (N,)
    income: Any  # (N,)
    expenditure: Any  # (N, J) spending implied by these incomes and outputs
    labour_demand: Any  # (N,) wage bill demanded, sum_j beta Y'
    rent_demand: Any = None  # (N, J) fixed-factor income demanded over its baseline; None without fixed factors
    log_capacity_rent_demand: Any = None  # (N, J) log capacity income demanded over its baseline; None without nests


def _sector_major(xp, array):
    """(N, N, J) [n, i, j] -> (J, N, N) [j, n, i], contiguous for numpy's matmul."""
    moved = xp.transpose(array, (2, 0, 1))
    return np.ascontiguousarray(moved) if xp is np else moved


def economy_arrays(xp, baseline, scale) -> Economy:
    """The baseline (a :class:`~tradewar.model.caliendo_parro.Baseline`) in sweep layouts.

    Parameters
    ----------
    xp : module
        The array namespace, ``numpy`` or ``jax.numpy``.
    baseline : Baseline
        The baseline economy.
    scale : numpy.ndarray
        (N, J) what expenditure is divided by in the state vector
        (:func:`~tradewar.model.caliendo_parro.expenditure_scale`).

    Returns
    -------
    Economy
        The arrays in ``xp``, with the fixed factors' shares and the wage bill where sectors
        have tied factors.
    """
    export_tax = baseline.export_tax
    taxed = export_tax is not None and bool(np.any(export_tax != 0))
    capacity = _capacity_arrays(baseline)
    value_added_share, input_share = baseline.value_added_share, baseline.input_share
    if capacity is not None:  # the bundles below are the variable bundle's: shares over 1 - phi
        variable = 1.0 - capacity["capacity_share"]
        value_added_share = (value_added_share - capacity["capacity_share"]) / variable
        input_share = input_share / variable[:, None, :]
    economy = Economy(
        trade_shares=xp.asarray(_sector_major(np, baseline.trade_shares)),
        log_tariff=xp.asarray(_sector_major(np, np.log1p(baseline.tariff))),
        log_export_tax=xp.asarray(_sector_major(np, np.log1p(export_tax))) if taxed else None,
        value_added_share=xp.asarray(value_added_share),
        input_share=xp.asarray(input_share),
        final_demand_share=xp.asarray(baseline.final_demand_share),
        value_added=xp.asarray(baseline.value_added),
        trade_elasticity=xp.asarray(baseline.trade_elasticity),
        scale=xp.asarray(scale),
        **_critical_arrays(xp, baseline),
    )
    wage_bill = baseline.value_added
    variable_output = None
    if capacity is not None:  # capacity earns phi Y: it is not labour's
        output = _baseline_output(baseline)
        wage_bill = wage_bill - (capacity["capacity_share"] * output).sum(axis=1)
        variable_output = (1.0 - capacity["capacity_share"]) * output
        economy = economy._replace(
            value_added=xp.asarray(wage_bill),
            capacity_share=xp.asarray(capacity["capacity_share"]),
            capacity_substitution=xp.asarray(capacity["capacity_substitution"]),
            capacity_output=xp.asarray(np.where(capacity["capacity_share"] > 0, output, 1.0)),
        )
    fixed = sector_specific_share(getattr(baseline, "fixed_factor_share", None),
                                  getattr(baseline, "specific_labour_share", None))
    if fixed is None or not np.any(fixed > 0):
        return economy
    # The fixed factor earns beta f of the variable bundle's spending; what remains of value added is the wage bill.
    if variable_output is None:
        variable_output = _baseline_output(baseline)
    # A fixed factor in a sector that produces nothing earns nothing (and would stay so: zero flows stay zero).
    fixed_share = np.where(variable_output > 0, value_added_share * fixed, 0.0)
    wage_bill = wage_bill - (fixed_share * variable_output).sum(axis=1)
    return economy._replace(value_added=xp.asarray(wage_bill), fixed_share=xp.asarray(fixed_share),
                            output_baseline=xp.asarray(np.where(fixed_share > 0, variable_output, 1.0)))


def _baseline_output(baseline):
    """(N, J) baseline producer revenue: spending at buyer prices less tariffs and export taxes."""
    fob = 1.0 if baseline.export_tax is None else 1.0 + baseline.export_tax
    return (baseline.expenditure[:, None, :] * baseline.trade_shares / ((1.0 + baseline.tariff) * fob)).sum(axis=0)


def _capacity_arrays(baseline) -> dict | None:
    """The capacity nests of the baseline (phi, rho; none in sectors that produce nothing), or None."""
    share = getattr(baseline, "capacity_share", None)
    if share is None or not np.any(share > 0):
        return None
    # Capacity in a sector that produces nothing earns nothing, and would stay so (zero flows stay zero).
    share = np.where(_baseline_output(baseline) > 0, share, 0.0)
    if not np.any(share > 0):
        return None
    rho = np.where(share > 0, baseline.capacity_substitution, 1.0)
    return {"capacity_share": share, "capacity_substitution": rho}


def sector_specific_share(fixed_factor_share, specific_labour_share):
    """The share of each sector's value added earned by factors tied to the sector (N, J), or None.

    Two things are tied to a sector: a scarce fixed factor (share ``f`` of value added,
    :func:`tradewar.world.critical.with_scarce_supply`) and, in the short run, a share ``s``
    of the sector's labour (sector-specific labour, :func:`tradewar.world.elasticities.with_elasticities`).
    Both are Cobb-Douglas factors in fixed supply, so each earns a constant share of the
    sector's (rest-of-bundle) revenue and the price of each moves as that revenue:
    one rent ``r_hat[n, j]`` per (country, sector) is their common price change, the
    sector wage of its specific workers, and one block of the engine serves both, with
    share ``f + s (1 - f)``. Labour still mobile across sectors (``1 - s``) earns the
    national wage ``w_hat[n]``; ``s -> 0`` is the one-factor model of Caliendo & Parro (2015).

    Parameters
    ----------
    fixed_factor_share : numpy.ndarray or None
        (N, J) f.
    specific_labour_share : numpy.ndarray or None
        (N, J) s.

    Returns
    -------
    numpy.ndarray or None
        (N, J) ``f + s (1 - f)`` (``f`` alone without specific labour; None without either).
    """
    if specific_labour_share is None or not np.any(specific_labour_share > 0):
        return fixed_factor_share
    fixed = 0.0 if fixed_factor_share is None else fixed_factor_share
    return fixed + specific_labour_share * (1.0 - fixed)


def _critical_arrays(xp, baseline) -> dict:
    """The nested-CES parameters of the baseline, or nothing when every bundle is Cobb-Douglas."""
    critical = getattr(baseline, "critical_inputs", None)
    if critical is None or len(critical) == 0:
        return {}
    n_sectors = baseline.value_added_share.shape[1]
    selector = np.zeros((n_sectors, len(critical)))
    selector[list(critical), np.arange(len(critical))] = 1.0
    return {"critical_selector": xp.asarray(selector), "substitution": xp.asarray(baseline.input_substitution)}


def prepare_shock(xp, economy: Economy, tariff_new, log_trade_cost_hat, deficit_new, export_tax_new=None,
                  has_export_tax: bool | None = None, tariff_revenue_baseline=None) -> Shock:
    """The constant part of every sweep for new tariffs, iceberg costs and export taxes.

    ``tariff_new``, ``log_trade_cost_hat`` (the log of d-hat; None for no change) and
    ``export_tax_new`` are (N, N, J) [importer, exporter, sector]; ``export_tax_new`` None
    means none in force (whatever the baseline had). An infinite export tax (a ban)
    makes kappa infinite and the flow's weight zero. ``tariff_revenue_baseline`` (N,)
    chooses the deficit-reduction revenue closure (None: revenue rebated to households).

    Parameters
    ----------
    xp : module
        The array namespace, ``numpy`` or ``jax.numpy``.
    economy : Economy
        The baseline in sweep layouts.
    tariff_new : array
        (N, N, J) new tariffs.
    log_trade_cost_hat : array or None
        (N, N, J) log of the iceberg cost change (None: no change).
    deficit_new : array
        (N,) new trade deficits.
    export_tax_new : array, optional
        (N, N, J) new export taxes (None: none in force).
    has_export_tax : bool, optional
        Whether any export tax is in force (default: read from ``export_tax_new``; give it
        inside a compiled JAX function).
    tariff_revenue_baseline : array, optional
        (N,) baseline tariff revenue: chooses the deficit-reduction closure.

    Returns
    -------
    Shock
        The weights and shares every sweep of this counterfactual reuses.
    """
    # Large temporaries are few and updated in place where the namespace allows (augmented
    # assignment is in place for numpy, a new value for JAX): fresh (J, N, N) arrays cost
    # page faults that can exceed the arithmetic.
    tau = _sector_major(xp, 1.0 + tariff_new)
    log_kappa = xp.log(tau)
    log_kappa -= economy.log_tariff
    if log_trade_cost_hat is not None:
        log_kappa += _sector_major(xp, log_trade_cost_hat)
    if economy.log_export_tax is not None:
        log_kappa -= economy.log_export_tax
    pre_tariff_share = 1.0 / tau
    if has_export_tax is None:
        has_export_tax = export_tax_new is not None and bool(np.any(np.asarray(export_tax_new) != 0))
    producer_share = pre_tariff_share
    if has_export_tax:
        one_plus_tax = _sector_major(xp, 1.0 + export_tax_new)
        log_kappa += xp.log(one_plus_tax)
        producer_share = pre_tariff_share / one_plus_tax
    weight = log_kappa * -economy.trade_elasticity[:, None, None]
    weight = xp.exp(weight)
    weight *= economy.trade_shares  # pi kappa^-theta
    pre_tariff_weight = weight * pre_tariff_share
    # Stacked with the price-index weights, the tariff part W t' / (1 + t') comes from the same matmul.
    weights = xp.concatenate([weight, weight - pre_tariff_weight], axis=1)
    if has_export_tax:
        producer_weight = weight * producer_share
        export_tax_weight = pre_tariff_weight - producer_weight
    else:
        producer_weight, export_tax_weight = pre_tariff_weight, None
    closure = {}
    if tariff_revenue_baseline is not None:
        closure = {"deficit_reduction": True, "tariff_revenue_baseline": xp.asarray(tariff_revenue_baseline),
                   "value_added_weight": economy.value_added / economy.value_added.sum()}
    return Shock(log_kappa, weights, producer_weight, export_tax_weight, pre_tariff_share, producer_share,
                 xp.asarray(deficit_new), has_export_tax, **closure)


def deficits_after(xp, shock: Shock, tariff_revenue):
    """The new trade deficits (imports minus exports at producer prices) at this tariff revenue.

    Rebate: the shock's deficits. Deficit reduction: ``D'[n] = D[n] - dT[n] + s[n] sum_m dT[m]``
    with ``dT = T' - T`` the change of tariff revenue and ``s`` the shares of world value
    added: each country's revenue change lowers its own deficit, and since world deficits
    sum to zero (world imports are world exports) the world's net change is spread over all
    countries by their size, the "global bank" of GTAP-style closures.

    Parameters
    ----------
    xp : module
        The array namespace, ``numpy`` or ``jax.numpy``.
    shock : Shock
        The counterfactual's constant part.
    tariff_revenue : array
        (N,) tariff revenue at the current iterate.

    Returns
    -------
    array
        (N,) new trade deficits.
    """
    if not shock.deficit_reduction:
        return shock.deficit
    change = tariff_revenue - shock.tariff_revenue_baseline
    return shock.deficit - change + shock.value_added_weight * change.sum()


# -- the blocks --------------------------------------------------------------------------
def unit_costs(xp, economy: Economy, log_wage, log_price, log_rent=None):
    """``log c_hat[i, j] = beta[i, j] log w_hat[i] + sum_k gamma[i, k, j] log P_hat[i, k]`` (N, J);
    with fixed factors, ``beta (1 - f) log w_hat + beta f log r_hat + ...`` (r: the factor's rent).

    Parameters
    ----------
    xp : module
        The array namespace, ``numpy`` or ``jax.numpy``.
    economy : Economy
        The baseline in sweep layouts.
    log_wage : array
        (N,) log wage changes.
    log_price : array
        (N, J) log price index changes.
    log_rent : array, optional
        (N, J) log rent changes of the fixed factors (needed when the economy has them).

    Returns
    -------
    array
        (N, J) log unit cost changes.
    """
    inputs = xp.matmul(log_price[:, None, :], economy.input_share)[:, 0, :]
    cost = economy.value_added_share * log_wage[:, None] + inputs
    if economy.fixed_share is not None:
        cost = cost + economy.fixed_share * (log_rent - log_wage[:, None])
    return cost


def input_bundles(xp, economy: Economy, log_wage, log_price, log_rent=None):
    """Log unit costs (N, J) and how the cost shares move (:class:`Bundles`; None for Cobb-Douglas).

    Nested CES: the bundle of sector j in country i is a CES, elasticity ``sigma[i, j]``,
    between each critical input m and the rest (labour and the other inputs, Cobb-Douglas
    among themselves). In changes, with ``s_m = gamma[i, m, j]`` the baseline cost shares
    of the critical inputs and ``S = sum_m s_m``::

        log rest_hat = (beta log w_hat + sum_{k not critical} gamma_k log P_hat_k) / (1 - S)
        c_hat^(1 - sigma) = sum_m s_m P_hat_m^(1 - sigma) + (1 - S) rest_hat^(1 - sigma)

    ``sigma = 1`` is the Cobb-Douglas formula itself (:func:`unit_costs`), not a limit.
    A sector-specific fixed factor (``log_rent``) is part of the rest, beside labour.

    Parameters
    ----------
    xp : module
        The array namespace, ``numpy`` or ``jax.numpy``.
    economy : Economy
        The baseline in sweep layouts.
    log_wage : array
        (N,) log wage changes.
    log_price : array
        (N, J) log price index changes.
    log_rent : array, optional
        (N, J) log rent changes of the fixed factors.

    Returns
    -------
    log_cost : array
        (N, J) log unit cost changes.
    bundles : Bundles or None
        How cost shares move (None when every bundle is Cobb-Douglas).
    """
    log_cost_cd = unit_costs(xp, economy, log_wage, log_price, log_rent)
    if economy.critical_selector is None:
        return log_cost_cd, None
    selector = economy.critical_selector  # (J, K)
    sigma = economy.substitution
    critical_share = xp.matmul(selector.T[None, :, :], economy.input_share)  # (N, K, J) s_m
    rest_share = 1.0 - critical_share.sum(axis=1)  # (N, J) 1 - S
    log_price_critical = xp.matmul(log_price, selector)  # (N, K)
    critical_part = (critical_share * log_price_critical[:, :, None]).sum(axis=1)
    log_rest = (log_cost_cd - critical_part) / rest_share
    exponent = 1.0 - sigma  # zero where Cobb-Douglas: every share below is then its baseline, exactly
    cobb_douglas = exponent == 0.0
    safe = xp.where(cobb_douglas, 1.0, exponent)
    relative = xp.exp(safe[:, None, :] * (log_price_critical[:, :, None] - log_rest[:, None, :]))
    log_ces = log_rest + xp.log((critical_share * relative).sum(axis=1) + rest_share) / safe
    log_cost = xp.where(cobb_douglas, log_cost_cd, log_ces)
    rest_ratio = xp.exp(exponent * (log_rest - log_cost))
    critical_gap = log_price_critical[:, :, None] - log_cost[:, None, :]
    critical_new = critical_share * xp.exp(exponent[:, None, :] * critical_gap)
    return log_cost, Bundles(rest_ratio, critical_new - critical_share * rest_ratio[:, None, :])


def capacity_costs(xp, economy: Economy, log_variable, log_capacity_rent=None):
    """Log unit costs (N, J) with capacity nests, and how they move cost shares (:class:`Capacity`;
    None without nests, when the unit cost is the variable bundle's, ``log_variable``).

    Scarce supply: outside the controlling country a critical sector's gross output needs a
    fixed capacity factor (plants, separation lines, magnet presses), CES, elasticity ``rho``,
    against the variable bundle ``v`` (labour and inputs, :func:`input_bundles`). In changes::

        c_hat^(1 - rho) = phi r_hat^(1 - rho) + (1 - phi) v_hat^(1 - rho)

    with ``phi`` capacity's baseline cost share and ``r_hat`` its rent. At fixed capacity,
    output moves as ``(r_hat / c_hat)^rho`` while price equals unit cost, so to first order
    ``d log Y = rho (1 - phi) / phi * d log(c / v)``: the gross-output supply elasticity is
    ``eta = rho (1 - phi) / phi`` (:func:`tradewar.world.critical.with_scarce_supply` sets
    ``rho`` from ``eta``). With ``rho < 1`` output cannot exceed ``phi^(-rho / (1 - rho))``
    times its baseline whatever the price: a capacity ceiling. ``rho = 1`` is Cobb-Douglas.

    Parameters
    ----------
    xp : module
        The array namespace, ``numpy`` or ``jax.numpy``.
    economy : Economy
        The baseline in sweep layouts.
    log_variable : array
        (N, J) log cost changes of the variable bundles.
    log_capacity_rent : array, optional
        (N, J) log rent changes of capacity (needed when the economy has nests).

    Returns
    -------
    log_cost : array
        (N, J) log unit cost changes.
    capacity : Capacity or None
        The variable bundle's cost share and capacity's payment ratio.
    """
    if economy.capacity_share is None:
        return log_variable, None
    share = economy.capacity_share
    nested = share > 0
    exponent = 1.0 - economy.capacity_substitution  # zero where Cobb-Douglas
    cobb_douglas = exponent == 0.0
    safe = xp.where(cobb_douglas, 1.0, exponent)
    # Two-term log-sum-exp: the powers may be far apart when rho is small and a rent soars.
    rent_term, variable_term = safe * log_capacity_rent, safe * log_variable
    top = xp.maximum(rent_term, variable_term)
    log_ces = (top + xp.log(share * xp.exp(rent_term - top) + (1.0 - share) * xp.exp(variable_term - top))) / safe
    log_cd = share * log_capacity_rent + (1.0 - share) * log_variable
    log_cost = xp.where(nested, xp.where(cobb_douglas, log_cd, log_ces), log_variable)
    # Both shares are at most one (the CES is a mean of the two prices), so neither overflows.
    variable_share = (1.0 - share) * xp.exp(exponent * (log_variable - log_cost))
    return log_cost, Capacity(variable_share, exponent * (log_capacity_rent - log_cost))


def capacity_rent_update(xp, economy: Economy, log_capacity_rent, log_rent_demand):
    """The next iterate of capacity's log rents (N, J): a step towards the rent its demand implies.

    Capacity is fixed, so its rent clears its market when ``rho log r_hat + (1 - rho) log c_hat
    = log(Y' / Y)``; ``log_rent_demand`` (the rent that pays capacity its cost share of revenue
    at the current prices, :attr:`Goods.log_capacity_rent_demand`) minus ``log r_hat`` is that
    condition's residual. The step divides it by ``max(rho, 1)``: for ``rho <= 1`` the rent is
    set to what capacity is paid (a contraction when supply is inelastic), for ``rho > 1`` the
    rent follows the unit cost (a contraction as capacity becomes a near-perfect substitute;
    ``rho -> inf`` is constant cost). Both have the equilibrium as their fixed point.

    Parameters
    ----------
    xp : module
        The array namespace, ``numpy`` or ``jax.numpy``.
    economy : Economy
        The baseline in sweep layouts (with capacity nests).
    log_capacity_rent : array
        (N, J) the current log rents.
    log_rent_demand : array
        (N, J) the log rents capacity's demand implies.

    Returns
    -------
    array
        (N, J) the next log rents (zero where there is no nest).
    """
    step = (log_rent_demand - log_capacity_rent) / xp.maximum(economy.capacity_substitution, 1.0)
    return xp.where(economy.capacity_share > 0, log_capacity_rent + step, 0.0)


def price_block_products(xp, economy: Economy, shock: Shock, log_cost):
    """New log price indices (N, J) and the flows, by the precomputed weights.

    The caller checks the flows for over- and underflow (:func:`products_are_finite`).

    Parameters
    ----------
    xp : module
        The array namespace, ``numpy`` or ``jax.numpy``.
    economy : Economy
        The baseline in sweep layouts.
    shock : Shock
        The counterfactual's constant part.
    log_cost : array
        (N, J) log unit cost changes.

    Returns
    -------
    log_price : array
        (N, J) new log price indices.
    flows : Flows
        The trade shares in products form.
    """
    theta = economy.trade_elasticity
    exponent = log_cost * -theta  # (N, J), log of c_hat^-theta
    shift = exponent.max(axis=0)  # per sector; cancels in every share
    power = xp.exp(exponent - shift).T  # (J, N)
    sums = xp.matmul(shock.weights, power[:, :, None])[:, :, 0]  # (J, 2N): price-index sums, tariff parts
    n = power.shape[1]
    total = sums[:, :n]
    inverse_total = 1.0 / total
    log_price = ((xp.log(total) + shift[:, None]) / -theta[:, None]).T
    flows = Flows(shock.weight, shock.producer_weight, shock.export_tax_weight, power, inverse_total,
                  sums[:, n:] * inverse_total)
    return log_price, flows


def products_are_finite(flows: Flows) -> bool:
    """Whether the products form neither over- nor underflowed (numpy only: a value check).

    Parameters
    ----------
    flows : Flows
        The result of :func:`price_block_products`.

    Returns
    -------
    bool
        True when every ``1 / T`` is positive and below ``1 / SMALLEST_SUM``.
    """
    inverse = flows.inverse_total
    return bool(inverse.min() > 0 and inverse.max() < 1 / SMALLEST_SUM)


def price_block_logsumexp(xp, economy: Economy, shock: Shock, log_cost):
    """The same as :func:`price_block_products` by a shifted log-sum-exp over exporters,
    safe where the products over- or underflow.

    Parameters
    ----------
    xp : module
        The array namespace, ``numpy`` or ``jax.numpy``.
    economy : Economy
        The baseline in sweep layouts.
    shock : Shock
        The counterfactual's constant part.
    log_cost : array
        (N, J) log unit cost changes.

    Returns
    -------
    log_price : array
        (N, J) new log price indices.
    flows : Flows
        The trade shares themselves (ones in ``power`` and ``inverse_total``).
    """
    theta = economy.trade_elasticity[:, None, None]
    exponent = -theta * (shock.log_kappa + log_cost.T[:, None, :])  # (J, N, N)
    positive = economy.trade_shares > 0
    shift = xp.max(xp.where(positive, exponent, -xp.inf), axis=2, keepdims=True)
    shift = xp.where(xp.isfinite(shift), shift, 0.0)
    terms = xp.where(positive, economy.trade_shares * xp.exp(exponent - shift), 0.0)
    log_total = xp.log(xp.sum(terms, axis=2, keepdims=True)) + shift
    shares = xp.where(positive, economy.trade_shares * xp.exp(exponent - log_total), 0.0)
    shares = xp.where(xp.isfinite(shares), shares, 0.0)
    log_price = -(log_total[:, :, 0] / economy.trade_elasticity[:, None]).T
    ones = xp.ones_like(log_total[:, :, 0])
    pre_tariff = shares * shock.pre_tariff_share
    producer = shares * shock.producer_share if shock.has_export_tax else pre_tariff
    export_tax = pre_tariff - producer if shock.has_export_tax else None
    return log_price, Flows(shares, producer, export_tax, ones, ones, (shares - pre_tariff).sum(axis=2))


def trade_shares(xp, flows: Flows):
    """The new trade shares pi' as (N, N, J) [importer, exporter, sector].

    Parameters
    ----------
    xp : module
        The array namespace, ``numpy`` or ``jax.numpy``.
    flows : Flows
        A price block's flows.

    Returns
    -------
    array
        (N, N, J) pi'.
    """
    shares = flows.weight * flows.power[:, None, :] * flows.inverse_total[:, :, None]
    return xp.transpose(shares, (1, 2, 0))


def goods_block(xp, economy: Economy, shock: Shock, log_wage, expenditure, flows: Flows,
                bundles: Bundles | None = None, log_rent=None, capacity: Capacity | None = None,
                log_capacity_rent=None) -> Goods:
    """Producer revenue, tariff and export-tax revenue, income, implied spending and labour demand,
    at the cost shares of ``bundles`` (None: the baseline's, Cobb-Douglas); with fixed factors,
    their rents ``log_rent`` are income and the rent their demand implies is returned; with
    capacity nests (``capacity``, :func:`capacity_costs`), likewise for capacity.

    Parameters
    ----------
    xp : module
        The array namespace, ``numpy`` or ``jax.numpy``.
    economy : Economy
        The baseline in sweep layouts.
    shock : Shock
        The counterfactual's constant part.
    log_wage : array
        (N,) log wage changes.
    expenditure : array
        (N, J) spending at the current iterate.
    flows : Flows
        The price block's flows.
    bundles : Bundles, optional
        Moved cost shares (None: the baseline's).
    log_rent : array, optional
        (N, J) log rent changes of the fixed factors.
    capacity : Capacity, optional
        The capacity nests' cost shares (None: no nests).
    log_capacity_rent : array, optional
        (N, J) log rent changes of capacity.

    Returns
    -------
    Goods
        Output, revenues, income, implied spending, labour demand and rent demands.
    """
    spending = expenditure.T * flows.inverse_total  # (J, N) spending of n on j over T[j, n]
    output = (xp.matmul(spending[:, None, :], flows.producer_weight)[:, 0, :] * flows.power).T  # (N, J)
    tariff_revenue = (expenditure * flows.tariff_share.T).sum(axis=1)
    income = xp.exp(log_wage) * economy.value_added + tariff_revenue + deficits_after(xp, shock, tariff_revenue)
    if economy.fixed_share is not None:
        income = income + (xp.exp(log_rent) * economy.fixed_share * economy.output_baseline).sum(axis=1)
    log_capacity_rent_demand = None
    if capacity is not None:  # capacity earns phi Y r_hat; what it is paid at these prices sets its rent
        income = income + (xp.exp(log_capacity_rent) * economy.capacity_share * economy.capacity_output).sum(axis=1)
        nested = economy.capacity_share > 0
        revenue = xp.where(nested, output / economy.capacity_output, 1.0)
        log_capacity_rent_demand = xp.where(nested, capacity.log_rent_ratio + xp.log(revenue), 0.0)
    if shock.has_export_tax:
        weighted = xp.matmul(spending[:, None, :], flows.export_tax_weight)[:, 0, :]
        export_tax_revenue = (weighted * flows.power).sum(axis=0)
        income = income + export_tax_revenue
    else:
        export_tax_revenue = xp.zeros_like(log_wage)
    # What the variable bundles buy (the economy's shares are theirs): all of output without nests.
    variable = output if capacity is None else capacity.variable_share * output
    if bundles is None:
        intermediate = xp.matmul(economy.input_share, variable[:, :, None])[:, :, 0]  # sum_k gamma[n, j, k] Y[n, k]
        labour_demand = (economy.value_added_share * variable).sum(axis=1)
    else:  # shares gamma' = gamma r + (critical change on the critical rows), beta' = beta r
        scaled = bundles.rest_ratio * variable
        intermediate = xp.matmul(economy.input_share, scaled[:, :, None])[:, :, 0]
        extra = xp.matmul(bundles.critical_change, variable[:, :, None])[:, :, 0]  # (N, K)
        intermediate = intermediate + xp.matmul(extra, economy.critical_selector.T)
        labour_demand = (economy.value_added_share * scaled).sum(axis=1)
    rent_demand = None
    if economy.fixed_share is not None:  # the fixed factor's part of value added is not labour's
        scaled = variable if bundles is None else bundles.rest_ratio * variable
        labour_demand = labour_demand - (economy.fixed_share * scaled).sum(axis=1)
        rent_demand = xp.where(economy.fixed_share > 0, scaled / economy.output_baseline, 1.0)
    expenditure_new = intermediate + economy.final_demand_share * income[:, None]
    return Goods(output, tariff_revenue, export_tax_revenue, income, expenditure_new, labour_demand, rent_demand,
                 log_capacity_rent_demand)


def wages_from(xp, economy: Economy, labour_demand):
    """Wages that clear labour markets at this demand, world value added fixed (numeraire):
    ``w_hat VA`` proportional to labour demand, summing to world value added (with fixed
    factors, to the world wage bill: ``value_added`` is then labour's part).

    Parameters
    ----------
    xp : module
        The array namespace, ``numpy`` or ``jax.numpy``.
    economy : Economy
        The baseline in sweep layouts.
    labour_demand : array
        (N,) wage bill demanded.

    Returns
    -------
    array
        (N,) wage changes ``w_hat``.
    """
    return labour_demand * (economy.value_added.sum() / labour_demand.sum()) / economy.value_added


# -- state vectors ---------------------------------------------------------------------------
def pack(xp, economy: Economy, log_wage, log_price, expenditure, log_rent=None, log_capacity_rent=None):
    """The solver's state: log wages, log prices, expenditure over its scale, with fixed
    factors their log rents, and with capacity nests capacity's log rents (zero, the
    baseline, when not given).

    Parameters
    ----------
    xp : module
        The array namespace, ``numpy`` or ``jax.numpy``.
    economy : Economy
        The baseline in sweep layouts.
    log_wage : array
        (N,) log wage changes.
    log_price : array
        (N, J) log price index changes.
    expenditure : array
        (N, J) spending in levels.
    log_rent : array, optional
        (N, J) log rents (used only when the economy has fixed factors).
    log_capacity_rent : array, optional
        (N, J) capacity's log rents (used only when the economy has capacity nests).

    Returns
    -------
    array
        The flat state vector.
    """
    parts = [log_wage, xp.ravel(log_price), xp.ravel(expenditure / economy.scale)]
    if economy.fixed_share is not None:
        parts.append(xp.ravel(xp.zeros_like(log_price) if log_rent is None else log_rent))
    if economy.capacity_share is not None:
        parts.append(xp.ravel(xp.zeros_like(log_price) if log_capacity_rent is None else log_capacity_rent))
    return xp.concatenate(parts)


def unpack(xp, economy: Economy, state):
    """The solver's state vector as ``(log_wage (N,), log_price (N, J), expenditure (N, J))``
    (expenditure in levels: the state holds it relative to ``economy.scale``); :func:`pack` reversed.

    Parameters
    ----------
    xp : module
        The array namespace, ``numpy`` or ``jax.numpy``.
    economy : Economy
        The baseline in sweep layouts.
    state : array
        The flat state vector.

    Returns
    -------
    log_wage : array
        (N,) log wage changes.
    log_price : array
        (N, J) log price index changes.
    expenditure : array
        (N, J) spending in levels.
    """
    n, j = economy.scale.shape
    return (state[:n], xp.reshape(state[n : n + n * j], (n, j)),
            xp.reshape(state[n + n * j : n + 2 * n * j], (n, j)) * economy.scale)


def unpack_rent(xp, economy: Economy, state):
    """The fixed factors' log rents (N, J) in the state, or None without fixed factors.

    Parameters
    ----------
    xp : module
        The array namespace, ``numpy`` or ``jax.numpy``.
    economy : Economy
        The baseline in sweep layouts.
    state : array
        The flat state vector.

    Returns
    -------
    array or None
        (N, J) log rents.
    """
    if economy.fixed_share is None:
        return None
    n, j = economy.scale.shape
    return xp.reshape(state[n + 2 * n * j : n + 3 * n * j], (n, j))


def unpack_capacity_rent(xp, economy: Economy, state):
    """Capacity's log rents (N, J) in the state, or None without capacity nests.

    Parameters
    ----------
    xp : module
        The array namespace, ``numpy`` or ``jax.numpy``.
    economy : Economy
        The baseline in sweep layouts.
    state : array
        The flat state vector.

    Returns
    -------
    array or None
        (N, J) log rents of capacity.
    """
    if economy.capacity_share is None:
        return None
    n, j = economy.scale.shape
    start = n + (3 if economy.fixed_share is not None else 2) * n * j
    return xp.reshape(state[start : start + n * j], (n, j))


def sweep(xp, economy: Economy, shock: Shock, state, price_block=price_block_logsumexp):
    """One update of wages, prices and expenditure (the joint fixed-point map).

    Parameters
    ----------
    xp : module
        The array namespace, ``numpy`` or ``jax.numpy``.
    economy : Economy
        The baseline in sweep layouts.
    shock : Shock
        The counterfactual's constant part.
    state : array
        The flat state vector.
    price_block : callable, default price_block_logsumexp
        The price block (:func:`price_block_logsumexp` or :func:`price_block_products`).

    Returns
    -------
    array
        The next state vector.
    """
    log_wage, log_price, expenditure = unpack(xp, economy, state)
    log_rent = unpack_rent(xp, economy, state)
    log_capacity_rent = unpack_capacity_rent(xp, economy, state)
    log_variable, bundles = input_bundles(xp, economy, log_wage, log_price, log_rent)
    log_cost, capacity = capacity_costs(xp, economy, log_variable, log_capacity_rent)
    log_price_new, flows = price_block(xp, economy, shock, log_cost)
    goods = goods_block(xp, economy, shock, log_wage, expenditure, flows, bundles, log_rent, capacity,
                        log_capacity_rent)
    log_rent_new = None if log_rent is None else xp.log(goods.rent_demand)
    log_capacity_rent_new = None if capacity is None else capacity_rent_update(
        xp, economy, log_capacity_rent, goods.log_capacity_rent_demand)
    return pack(xp, economy, xp.log(wages_from(xp, economy, goods.labour_demand)), log_price_new, goods.expenditure,
                log_rent_new, log_capacity_rent_new)


def welfare(xp, economy: Economy, shock: Shock, state, income_baseline, price_block=price_block_logsumexp):
    """Real income of every country relative to the baseline, ``I' / I / prod_j P_hat^alpha``.

    Parameters
    ----------
    xp : module
        The array namespace, ``numpy`` or ``jax.numpy``.
    economy : Economy
        The baseline in sweep layouts.
    shock : Shock
        The counterfactual's constant part.
    state : array
        The flat state vector (an equilibrium, for welfare to mean anything).
    income_baseline : array
        (N,) baseline income.
    price_block : callable, default price_block_logsumexp
        The price block.

    Returns
    -------
    array
        (N,) welfare changes (hats).
    """
    log_wage, log_price, expenditure = unpack(xp, economy, state)
    log_rent = unpack_rent(xp, economy, state)
    log_capacity_rent = unpack_capacity_rent(xp, economy, state)
    log_variable, bundles = input_bundles(xp, economy, log_wage, log_price, log_rent)
    log_cost, capacity = capacity_costs(xp, economy, log_variable, log_capacity_rent)
    _, flows = price_block(xp, economy, shock, log_cost)
    income = goods_block(xp, economy, shock, log_wage, expenditure, flows, bundles, log_rent, capacity,
                         log_capacity_rent).income
    return income / income_baseline / xp.exp((economy.final_demand_share * log_price).sum(axis=1))
