"""A world made a model equilibrium: the engine's side of :mod:`tradewar.world.engine`.

The world layer does not import the model (layers flow one way); this module gives it
the Caliendo-Parro engine's baseline arrays, balancing (CP2015's first step: raw data
solved with no shock so that every accounting identity holds) and the zero-deficit
world (CP2015, section 5), and registers itself when ``tradewar.model`` is imported.
"""

from __future__ import annotations

import numpy as np

from tradewar.model.caliendo_parro import Baseline, solve_equilibrium
from tradewar.model.solver import SolverOptions
from tradewar.world.engine import register_engine
from tradewar.world.world import World

__all__ = ["CaliendoParroEngine", "balance", "baseline", "without_deficits"]


def baseline(world: World, *, mobile_labour: bool = False) -> Baseline:
    """The arrays the equilibrium engine works on.

    Parameters
    ----------
    world : World
        The world.
    mobile_labour : bool, default False
        Ignore the world's sector-specific labour (for the long-run reference worlds
        :func:`balance` and :func:`without_deficits` solve).

    Returns
    -------
    Baseline
        Trade and cost shares, tariffs, export taxes, value added, expenditure, elasticities,
        and the nested CES bundles, fixed factors, specific labour and capacity nests where the world has them.
    """
    return Baseline(
        trade_shares=world.trade_shares.values,
        tariff=world.tariff.values,
        value_added_share=world.value_added_share.values,
        input_share=world.input_share.values,
        final_demand_share=world.final_demand_share.values,
        value_added=world.value_added.values,
        expenditure=world.expenditure.values,
        trade_elasticity=world.trade_elasticity.values,
        countries=tuple(world.countries),
        export_tax=world.data["export_tax"].values if "export_tax" in world.data else None,
        **_nested_bundles(world),
        fixed_factor_share=_fixed_factors(world),
        specific_labour_share=None if mobile_labour else _specific_labour(world),
        **_capacity(world),
    )


def _capacity(world: World) -> dict:
    """The capacity nests of scarce sectors (:func:`tradewar.world.critical.with_scarce_supply`), when any."""
    if "capacity_share" not in world.data or "capacity_substitution" not in world.data:
        return {}
    share = world.data["capacity_share"].values
    if not np.any(share > 0):
        return {}  # constant cost everywhere: the CP2015 model exactly
    return {"capacity_share": share, "capacity_substitution": world.data["capacity_substitution"].values}


def _specific_labour(world: World):
    """The shares of each sector's labour that cannot move (the short run), or None when labour is mobile."""
    if "specific_labour_share" not in world.data:
        return None
    shares = world.data["specific_labour_share"].values
    return shares if np.any(shares > 0) else None


def _fixed_factors(world: World):
    """The fixed factors' shares of value added, or None when there are none (constant costs)."""
    if "fixed_factor_share" not in world.data:
        return None
    shares = world.data["fixed_factor_share"].values
    return shares if np.any(shares > 0) else None


def _nested_bundles(world: World) -> dict:
    """The critical inputs and elasticities of nested CES bundles, when the world has them."""
    if "critical_input" not in world.data or "input_substitution" not in world.data:
        return {}
    critical = tuple(int(k) for k in np.flatnonzero(world.data["critical_input"].values))
    sigma = world.data["input_substitution"].values
    if not critical or np.all(sigma == 1.0):
        return {}  # every bundle Cobb-Douglas: the CP2015 model exactly
    return {"critical_inputs": critical, "input_substitution": sigma}


def balance(world: World, options: SolverOptions | None = None) -> World:
    """Raw data made a model equilibrium (CP2015's first step).

    Keeps trade shares, tariffs, cost and final-demand shares, value added and
    deficits, and solves the model with no shock; the resulting flows satisfy
    every accounting identity.

    Parameters
    ----------
    world : World
        The raw world.
    options : SolverOptions, optional
        Solver settings.

    Returns
    -------
    World
        The world rebuilt from the equilibrium (labour mobile across sectors).

    Raises
    ------
    tradewar.errors.ConvergenceError
        If the solver does not reach its tolerance.
    """
    tariff = world.tariff.values
    equilibrium = solve_equilibrium(baseline(world, mobile_labour=True), tariff, np.ones_like(tariff),
                                    world.deficit.values, options)
    return world.from_equilibrium(equilibrium, tariff)


def without_deficits(world: World, options: SolverOptions | None = None) -> World:
    """The equilibrium of ``world`` with every trade deficit set to zero.

    CP2015 (section 5) use it as the baseline of their counterfactuals so that
    fixed deficits do not drive the welfare results.

    Parameters
    ----------
    world : World
        The world.
    options : SolverOptions, optional
        Solver settings.

    Returns
    -------
    World
        The balanced-trade equilibrium (labour mobile across sectors), its ``deficits``
        attribute saying so.

    Raises
    ------
    tradewar.errors.ConvergenceError
        If the solver does not reach its tolerance.
    """
    tariff = world.tariff.values
    # The balanced-trade reference is a long-run construct: labour moves to where removing
    # the deficits sends it (a short-run shock is then measured from it).
    equilibrium = solve_equilibrium(baseline(world, mobile_labour=True), tariff, np.ones_like(tariff),
                                    np.zeros(len(world.countries)), options)
    balanced = world.from_equilibrium(equilibrium, tariff)
    balanced.data.attrs["deficits"] = "zero (CP2015 procedure)"
    return balanced


class CaliendoParroEngine:
    """The engine worlds call (see :mod:`tradewar.world.engine`)."""

    baseline = staticmethod(baseline)
    balance = staticmethod(balance)
    without_deficits = staticmethod(without_deficits)


register_engine(CaliendoParroEngine())
