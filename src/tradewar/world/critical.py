"""Critical inputs with nested CES bundles (a user cannot easily do without them), and
scarce supply (capacity outside the controlling country expands only at rising cost).

In the Cobb-Douglas bundles of Caliendo & Parro (2015) an input's cost share bounds its
effect: a ban that triples the price of rare earths raises a car maker's costs by the
rare-earth share of its costs times log 3, and its use of rare earths falls by two
thirds at no further cost. With a nested CES the bundle of sector j in country i is a
CES, elasticity ``sigma[i, j]``, between each critical input and the rest of the bundle
(labour and all other inputs, Cobb-Douglas among themselves); ``sigma = 1`` is the
Cobb-Douglas bundle exactly, ``sigma -> 0`` Leontief (no substitution: the critical
input's cost share rises with its price). The equations are in
:func:`tradewar.model.equations.input_bundles`.

Calibration (horizon): after the 2011 Tohoku earthquake the U.S. affiliates of Japanese
multinationals cut output roughly one-for-one with their imports of Japanese inputs,
"consistent with a Leontief relationship between imported and domestic inputs", and
structural production-function estimates were "similarly low" (Boehm, Flaaen &
Pandalai-Nayar 2019, Review of Economics and Statistics 101(1), 60-75; FEDS Working
Paper 2015-094). That is a horizon of months; over years firms redesign products and
qualify new suppliers, and the elasticity moves towards the Cobb-Douglas 1.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from tradewar.errors import WorldValidationError
from tradewar.world.world import World

__all__ = ["with_critical_inputs", "with_scarce_supply"]


def _labels(given, known: list[str], what: str) -> list[str]:
    given = [given] if isinstance(given, str) else list(given)
    unknown = [label for label in given if label not in known]
    if unknown:
        raise WorldValidationError(f"Unknown {what} {unknown}; the world has {known}.")
    return given


def with_critical_inputs(
    world: World,
    inputs: str | Sequence[str],
    substitution: float,
    users: Sequence[str] | None = None,
    countries: Sequence[str] | None = None,
) -> World:
    """``world`` with nested CES bundles: ``inputs`` are critical for ``users``.

    Parameters
    ----------
    world
        The world to change (its other parameters are kept).
    inputs
        The critical input sector(s), e.g. ``"Rare earths"`` after
        :func:`~tradewar.world.splits.apply_split`.
    substitution
        sigma > 0, the elasticity of substitution between each critical input and the
        rest of the users' bundles (1 = Cobb-Douglas; see the module for calibration).
    users
        The sectors whose bundles get ``substitution`` (default: all); other sectors keep
        whatever the world had (Cobb-Douglas unless set before).
    countries
        The countries where it applies (default: all).

    Returns
    -------
    World
        The same world with the substitution elasticities recorded; its baseline flows and
        shares are unchanged (the nesting matters only in counterfactuals).
    """
    inputs = _labels(inputs, world.sectors, "critical input sectors")
    users = world.sectors if users is None else _labels(users, world.sectors, "user sectors")
    countries = world.countries if countries is None else _labels(countries, world.countries, "countries")
    sigma = float(substitution)
    if not (np.isfinite(sigma) and sigma > 0):
        raise WorldValidationError(
            f"The elasticity of substitution between critical inputs and the rest of the bundle must be a "
            f"positive number (1 = Cobb-Douglas, near 0 = Leontief), got {substitution!r}."
        )
    flags = np.zeros(len(world.sectors))
    if "critical_input" in world.data:
        flags = world.data["critical_input"].values.copy()
    flags[[world.sectors.index(k) for k in inputs]] = 1.0
    current = world.data["input_substitution"].values.copy() if "input_substitution" in world.data else None
    sigmas = np.ones((len(world.countries), len(world.sectors))) if current is None else current
    rows = [world.countries.index(c) for c in countries]
    cols = [world.sectors.index(s) for s in users]
    sigmas[np.ix_(rows, cols)] = sigma
    return world.replace(critical_input=flags, input_substitution=sigmas)


def with_scarce_supply(
    world: World,
    sector: str,
    supply_elasticity: float,
    countries: Sequence[str] | None = None,
    exclude: Sequence[str] = (),
) -> World:
    """``world`` where ``sector`` expands only at rising cost in ``countries``.

    A sector-specific fixed factor (processing plants, magnet lines, mines) earns a share
    ``f = 1 / (1 + eta)`` of the sector's value added and labour the rest: at given wages
    and input prices the sector's value added then responds to its price with elasticity
    ``eta`` (``(1 - f) / f``), and a demand shift raises the factor's rent and the sector's
    unit cost. ``eta = inf`` is the constant-cost model (no fixed factor).

    Parameters
    ----------
    world
        The world to change.
    sector
        The scarce sector, e.g. ``"Rare earths"``.
    supply_elasticity
        eta > 0 (``numpy.inf``: constant cost).
    countries, exclude
        Where capacity is scarce (default: every country) minus ``exclude`` (e.g. the
        controlling country, whose capacity is not the constraint).

    Returns
    -------
    World
        The same world with the fixed factor's share of value added recorded for the
        sector; baseline flows are unchanged.
    """
    (sector,) = _labels(sector, world.sectors, "scarce sectors")
    countries = world.countries if countries is None else _labels(countries, world.countries, "countries")
    exclude = _labels(exclude, world.countries, "countries to exclude")
    eta = float(supply_elasticity)
    if not (eta > 0):
        raise WorldValidationError(
            "The supply elasticity of a scarce sector must be positive (inf = constant cost), "
            f"got {supply_elasticity!r}."
        )
    shares = (world.data["fixed_factor_share"].values.copy() if "fixed_factor_share" in world.data
              else np.zeros((len(world.countries), len(world.sectors))))
    rows = [world.countries.index(c) for c in countries if c not in exclude]
    shares[rows, world.sectors.index(sector)] = 1.0 / (1.0 + eta)
    return world.replace(fixed_factor_share=shares)
