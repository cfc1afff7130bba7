"""Checks that a world's data make sense, with errors that name the offending cell."""

from __future__ import annotations

import numpy as np

from tradewar.errors import WorldValidationError
from tradewar.world.xarray_setup import xr  # xarray that imports no dask until dask arrays exist

REQUIRED = {
    "trade": ("importer", "exporter", "sector"),
    "tariff": ("importer", "exporter", "sector"),
    "value_added_share": ("country", "sector"),
    "input_share": ("country", "input", "sector"),
    "final_demand_share": ("country", "sector"),
    "trade_elasticity": ("sector",),
}

OPTIONAL = {
    "export_tax": ("importer", "exporter", "sector"),
    # Nested CES input bundles (see tradewar.world.critical): which input sectors are
    # critical (1) and each user's elasticity of substitution between them and the rest.
    "critical_input": ("input",),
    "input_substitution": ("country", "sector"),
    # Scarce supply (see tradewar.world.critical): the share of a sector's value added earned
    # by a sector-specific fixed factor, 1 / (1 + supply elasticity); 0 = constant cost.
    "fixed_factor_share": ("country", "sector"),
    # Scarce supply (see tradewar.world.critical.with_scarce_supply): a capacity factor's share
    # phi of a sector's costs (carved out of value added; 0 = constant cost) and its elasticity of
    # substitution rho against the variable bundle (gross-output supply elasticity rho (1 - phi) / phi).
    "capacity_share": ("country", "sector"),
    "capacity_substitution": ("country", "sector"),
    # Sector-specific labour (the short run, see tradewar.world.elasticities): the share of a
    # sector's labour that cannot move to other sectors; 0 = labour mobile (the long run).
    "specific_labour_share": ("country", "sector"),
}
VARIABLES = {**REQUIRED, **OPTIONAL}

SHARE_ATOL = 1e-6


def _cell(array: xr.DataArray, flat_index: int) -> str:
    """Describe one cell of ``array`` by its labels, e.g. ``trade[importer='USA', ...]``."""
    position = np.unravel_index(flat_index, array.shape)
    labels = ", ".join(
        f"{dim}={str(array[dim].values[pos])!r}" for dim, pos in zip(array.dims, position, strict=True)
    )
    return f"{array.name}[{labels}]"


def _first_bad(array: xr.DataArray, bad: np.ndarray, problem: str) -> None:
    if bad.any():
        flat = int(np.flatnonzero(bad)[0])
        value = np.asarray(array.values).ravel()[flat]
        count = int(bad.sum())
        more = f" ({count - 1} more cells have the same problem)" if count > 1 else ""
        raise WorldValidationError(f"{_cell(array, flat)} = {float(value):.6g} {problem}{more}.")


def check_structure(data: xr.Dataset) -> None:
    """Variables present with the right dimensions and matching, unique labels.

    Parameters
    ----------
    data : xarray.Dataset
        A world's dataset.

    Raises
    ------
    tradewar.errors.WorldValidationError
        Naming the first variable or label that is wrong.
    """
    for name, dims in REQUIRED.items():
        if name not in data:
            raise WorldValidationError(f"The world has no variable {name!r}; expected dims {dims}.")
        if tuple(data[name].dims) != dims:
            raise WorldValidationError(
                f"World variable {name!r} has dims {tuple(data[name].dims)}; expected {dims}."
            )
    for name, dims in OPTIONAL.items():
        if name in data and tuple(data[name].dims) != dims:
            raise WorldValidationError(f"World variable {name!r} has dims {tuple(data[name].dims)}; expected {dims}.")
    for dim in ("country", "sector"):
        labels = [str(v) for v in data[dim].values]
        if len(labels) == 0:
            raise WorldValidationError(f"The world has no {dim} labels.")
        duplicates = sorted({v for v in labels if labels.count(v) > 1})
        if duplicates:
            raise WorldValidationError(f"Duplicate {dim} labels: {duplicates}.")
    countries = list(data["country"].values)
    for dim in ("importer", "exporter"):
        if list(data[dim].values) != countries:
            raise WorldValidationError(
                f"The {dim} labels {list(data[dim].values)} do not match the country labels {countries}."
            )
    if list(data["input"].values) != list(data["sector"].values):
        raise WorldValidationError(
            f"The input labels {list(data['input'].values)} do not match the sector labels "
            f"{list(data['sector'].values)}."
        )


def check_values(data: xr.Dataset) -> None:
    """Finite values, non-negative flows, tariffs above -100%, shares that add up.

    Parameters
    ----------
    data : xarray.Dataset
        A world's dataset (structure already checked).

    Raises
    ------
    tradewar.errors.WorldValidationError
        Naming the first bad cell.
    """
    for name in VARIABLES:
        if name not in data:
            continue
        array = data[name]
        _first_bad(array, ~np.isfinite(array.values), "is not a finite number")
    if "export_tax" in data:
        _first_bad(data["export_tax"], data["export_tax"].values <= -1, "is at or below -100%")
    if "input_substitution" in data:
        _first_bad(data["input_substitution"], data["input_substitution"].values <= 0,
                   "must be positive: an elasticity of substitution between critical inputs and the rest of "
                   "the bundle (1 = Cobb-Douglas, near 0 = Leontief)")
    if "fixed_factor_share" in data:
        fixed = data["fixed_factor_share"]
        _first_bad(fixed, (fixed.values < 0) | (fixed.values >= 1),
                   "is outside [0, 1): a fixed factor's share of value added is 1 / (1 + supply elasticity)")
    if "capacity_share" in data:
        capacity = data["capacity_share"]
        _first_bad(capacity, (capacity.values < 0) | (capacity.values >= data["value_added_share"].values)
                   & (capacity.values > 0),
                   "is outside [0, value-added share): capacity's share of a sector's costs is carved out of its "
                   "value added, and labour must keep some")
    if "capacity_substitution" in data:
        _first_bad(data["capacity_substitution"], data["capacity_substitution"].values <= 0,
                   "must be positive: the elasticity of substitution between capacity and a sector's variable inputs")
    if "specific_labour_share" in data:
        specific = data["specific_labour_share"]
        _first_bad(specific, (specific.values < 0) | (specific.values >= 1),
                   "is outside [0, 1): the share of a sector's labour that cannot move (some labour must "
                   "stay mobile: the world wage bill of mobile labour is the numeraire)")
    if "critical_input" in data:
        flags = data["critical_input"]
        _first_bad(flags, (flags.values != 0) & (flags.values != 1), "must be 0 or 1 (1 marks a critical input)")
        critical_share = (data["input_share"] * flags).sum("input").rename("cost share of the critical inputs")
        _first_bad(critical_share, critical_share.values >= 1,
                   "leaves nothing for the rest of the bundle; critical inputs must cost less than the whole")
    _first_bad(data["trade"], data["trade"].values < 0, "is negative; trade flows must be >= 0")
    _first_bad(
        data["tariff"],
        data["tariff"].values <= -1,
        "is at or below -100%; an ad valorem tariff must exceed -1 (as a fraction)",
    )
    beta = data["value_added_share"]
    _first_bad(beta, (beta.values < 0) | (beta.values > 1), "is outside [0, 1]")
    gamma = data["input_share"]
    _first_bad(gamma, gamma.values < 0, "is negative; input shares must be >= 0")
    cost_total = (beta + gamma.sum("input")).rename("value_added_share + sum of input_share")
    _first_bad(
        cost_total,
        np.abs(cost_total.values - 1) > SHARE_ATOL,
        "should be 1: value added plus inputs must exhaust the cost of each sector",
    )
    alpha = data["final_demand_share"]
    _first_bad(alpha, alpha.values < 0, "is negative; final-demand shares must be >= 0")
    alpha_total = alpha.sum("sector").rename("sum of final_demand_share")
    _first_bad(alpha_total, np.abs(alpha_total.values - 1) > SHARE_ATOL, "should be 1")
    theta = data["trade_elasticity"]
    _first_bad(theta, theta.values <= 0, "must be positive")
    value_added = (beta * data["trade"].sum("importer").rename(exporter="country")).sum("sector")
    _first_bad(
        value_added.rename("value added"),
        value_added.values <= 0,
        "must be positive: every country needs some value added (labour income)",
    )


def check_market_clearing(data: xr.Dataset, expenditure, intermediate_and_final, rtol: float) -> None:
    """Spending on each good equals intermediate plus final demand for it.

    Parameters
    ----------
    data : xarray.Dataset
        The world's dataset (for the labels in the message).
    expenditure : numpy.ndarray
        (N, J) spending on each good.
    intermediate_and_final : numpy.ndarray
        (N, J) intermediate plus final demand for it.
    rtol : float
        Tolerance, relative to the country's total spending.

    Raises
    ------
    tradewar.errors.WorldValidationError
        Naming the first country and sector whose market does not clear.
    """
    gap = np.abs(expenditure - intermediate_and_final)
    scale = expenditure.sum(axis=1, keepdims=True)
    bad = gap > rtol * scale
    if bad.any():
        n, j = np.unravel_index(int(np.flatnonzero(bad)[0]), bad.shape)
        country = str(data["country"].values[n])
        sector = str(data["sector"].values[j])
        raise WorldValidationError(
            f"Markets do not clear for country={country!r}, sector={sector!r}: spending is "
            f"{expenditure[n, j]:.6g} but intermediate plus final demand is "
            f"{intermediate_and_final[n, j]:.6g} (relative gap {gap[n, j] / scale[n, 0]:.2g} of the "
            f"country's spending, tolerance {rtol:.1g}). Build the world with "
            "World.balanced() to make raw data consistent with the model."
        )
