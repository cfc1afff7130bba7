"""Critical inputs with nested CES bundles (a user cannot easily do without them), and
scarce supply (gross output outside the controlling country expands only at rising cost).

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

__all__ = ["CAPACITY_SHARE_OF_VALUE_ADDED", "with_critical_inputs", "with_scarce_supply"]


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


#: Capacity's share of a scarce sector's value added: the capital share, 1 minus the labour share
#: of corporate value added, about 0.6 worldwide in the 2000s (Karabarbounis & Neiman 2014, "The
#: Global Decline of the Labor Share", QJE 129(1); NBER WP 18154, global corporate labour share
#: near 0.6 after a 5 percentage-point fall from the mid-1970s). Plants, separation lines and
#: magnet presses are the capital; the labour part of value added stays mobile.
CAPACITY_SHARE_OF_VALUE_ADDED = 0.4


def with_scarce_supply(
    world: World,
    sector: str,
    supply_elasticity: float,
    countries: Sequence[str] | None = None,
    exclude: Sequence[str] = (),
    capacity_share: float = CAPACITY_SHARE_OF_VALUE_ADDED,
) -> World:
    """``world`` where the gross output of ``sector`` expands only at rising cost in ``countries``.

    Output needs a fixed capacity factor (processing plants, separation lines, magnet presses,
    mines), nested CES above the variable bundle of labour and inputs
    (:func:`tradewar.model.equations.capacity_costs`). Capacity's baseline share of the
    sector's costs is ``phi = k beta`` (``k = capacity_share`` of value added ``beta``; the
    rest of value added is mobile labour, and the observed input shares are kept, so the
    baseline is unchanged), and its elasticity of substitution against the variable bundle is
    ``rho = eta phi / (1 - phi)``, so that at the baseline the sector's GROSS OUTPUT responds
    to its price, relative to the cost of its variable inputs, with elasticity ``eta``. With
    ``rho < 1`` (every ``eta < (1 - phi) / phi``) output has a ceiling,
    ``phi^(-rho / (1 - rho))`` times its baseline (e.g. +5% at eta = 0.2, phi = 0.1). ``eta =
    inf`` is the constant-cost model (no capacity nest).

    Parameters
    ----------
    world
        The world to change.
    sector
        The scarce sector, e.g. ``"Rare earths"``.
    supply_elasticity
        eta > 0, the gross-output supply elasticity (``numpy.inf``: constant cost).
    countries, exclude
        Where capacity is scarce (default: every country) minus ``exclude`` (e.g. the
        controlling country, whose capacity is not the constraint).
    capacity_share
        k in (0, 1): capacity's share of the sector's value added (default
        :data:`CAPACITY_SHARE_OF_VALUE_ADDED`, the capital share).

    Returns
    -------
    World
        The same world with ``capacity_share`` (phi) and ``capacity_substitution`` (rho)
        recorded for the sector; baseline flows are unchanged.

    Raises
    ------
    tradewar.errors.WorldValidationError
        If eta is not positive, ``capacity_share`` is outside (0, 1), or a label is unknown.
    """
    (sector,) = _labels(sector, world.sectors, "scarce sectors")
    countries = world.countries if countries is None else _labels(countries, world.countries, "countries")
    exclude = _labels(exclude, world.countries, "countries to exclude")
    eta = float(supply_elasticity)
    if not (eta > 0):
        raise WorldValidationError(
            f"The supply elasticity of a scarce sector ({sector!r}) must be positive (the percentage rise of its "
            f"output for a 1% rise of its price; inf = constant cost), got {supply_elasticity!r}."
        )
    k = float(capacity_share)
    if not (0 < k < 1):
        raise WorldValidationError(
            f"Capacity's share of the value added of {sector!r} must be between 0 and 1 (exclusive; labour earns "
            f"the rest), got {capacity_share!r}."
        )
    shape = (len(world.countries), len(world.sectors))
    shares = world.data["capacity_share"].values.copy() if "capacity_share" in world.data else np.zeros(shape)
    rho = (world.data["capacity_substitution"].values.copy() if "capacity_substitution" in world.data
           else np.ones(shape))
    rows = [world.countries.index(c) for c in countries if c not in exclude]
    j = world.sectors.index(sector)
    phi = k * world.value_added_share.values[rows, j]
    if np.isinf(eta):  # constant cost: no capacity nest
        shares[rows, j], rho[rows, j] = 0.0, 1.0
    else:
        shares[rows, j] = phi
        rho[rows, j] = np.where(phi > 0, eta * phi / (1.0 - phi), 1.0)
    return world.replace(capacity_share=shares, capacity_substitution=rho)
