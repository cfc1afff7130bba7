"""What a card does: an export control on a critical product (rare earths, chips) in a solved
scenario -- the price of the product inside and outside the holder's country, the gap between
them (the number a 2025 market report can check), and the output of the target's users.

The price gap of a buyer n is ``P_hat[n, k] / P_hat[holder, k]``: how much more the buyer's
price of product k rose than the holder's own (a ratio of changes, so a gap that existed
before the control cancels out). The 2025 reports this is checked against (Argus, SMM) quote
prices in Europe against prices inside China, whose domestic prices stayed flat.

Users' output is real gross output, ``output_hat / unit_cost_hat`` (the sector's sales deflated
by its own producer price), which is what "plants stopped for lack of magnets" measures; the
nominal change is reported beside it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from tradewar.simulation import ScenarioRun

__all__ = ["card_effects"]


def _controls(run: ScenarioRun, product: str) -> list[tuple[str, str, list[str]]]:
    """(measure id, holder, targets) of the scenario's export controls on ``product``."""
    from tradewar.policy.measures import ExportControl

    world = run.result.baseline
    countries = world.countries
    found = []
    for measure in run.scenario.measures:
        if not isinstance(measure, ExportControl):
            continue
        named = {"goods": world.goods, "all": world.sectors}  # a sector list's keywords
        sectors = named[measure.sectors] if isinstance(measure.sectors, str) else list(measure.sectors)
        if product not in sectors or measure.imposer not in countries:
            continue
        listed = list(measure.targets)
        targets = [c for c in countries if c != measure.imposer] if "*" in listed else listed
        targets = [c for c in targets if c in countries and c not in set(measure.exempt)]
        found.append((measure.id, measure.imposer, targets))
    return found


def _calibration(run: ScenarioRun, product: str) -> dict | None:
    """The price-gap target of the split that made ``product`` (its ``[calibration]`` table)."""
    from tradewar.world.splits import load_split

    for name in run.scenario.splits:
        spec = load_split(name)
        if spec.get("child") == product and "calibration" in spec:
            return dict(spec["calibration"])
    return None


def card_effects(run: ScenarioRun) -> list[dict]:
    """One entry per critical product under an export control in ``run``'s scenario.

    Each entry: ``product``, ``measure``, ``holder``, ``targets``; ``price_pct`` (the product's
    buyer price index, % change, for the holder, each target and the mean outside the holder);
    ``price_gap`` (each target's price change relative to the holder's, a ratio);
    ``price_gap_outside_mean`` (the same for all buyers outside the holder, weighted by their
    baseline spending on the product); ``calibration`` (the split's published target, its range,
    source, the ``buyer`` whose gap is compared -- the first of the split's ``buyers`` that the
    control targets, else its first target -- and whether that gap lies in the range); ``users`` ({target:
    [{sector, real_output_pct, output_pct, output_baseline_usd_mn, real_output_loss_usd_mn}]},
    the target's sectors that use the product as a critical input, largest loss first);
    ``measured_against``: the scenario's starting point. Every number is the whole scenario's
    effect against that point: where other measures are in force too, run it ``--against`` a
    scenario with those measures to isolate the control.
    """
    world = run.result.baseline
    if "critical_input" not in world.data:
        return []
    flags = world.data["critical_input"].values
    products = [s for s, flag in zip(world.sectors, flags, strict=True) if flag > 0]
    data = run.result.data
    sigma = world.data["input_substitution"] if "input_substitution" in world.data else None
    entries = []
    for product in products:
        k = world.sectors.index(product)
        price = data["price"].sel(sector=product)
        spending = world.trade.values[:, :, k].sum(axis=1)  # each buyer's baseline purchases of the product
        for measure_id, holder, targets in _controls(run, product):
            inside = float(price.sel(country=holder))
            outside = [c for c in world.countries if c != holder and spending[world.countries.index(c)] > 0]
            weights = np.array([spending[world.countries.index(c)] for c in outside])
            gaps = np.array([float(price.sel(country=c)) / inside for c in outside])
            mean_gap = float(np.average(gaps, weights=weights)) if weights.sum() > 0 else float("nan")
            entry: dict = {
                "product": product,
                "measure": measure_id,
                "holder": holder,
                "targets": targets,
                "price_pct": {
                    holder: 100 * (inside - 1),
                    **{c: 100 * (float(price.sel(country=c)) - 1) for c in targets},
                },
                "price_gap": {c: float(price.sel(country=c)) / inside for c in targets},
                "price_gap_outside_mean": mean_gap,
                "users": {c: _users(run, c, product, sigma) for c in targets},
                # Every number is the whole scenario against its starting point: with other measures
                # in force (london-2025-rare-earth-ban), measure from them to isolate the control.
                "measured_against": run.against,
            }
            calibration = _calibration(run, product)
            if calibration is not None and targets:
                # The market the published price is quoted in, where the control reaches it.
                buyer = next((c for c in calibration.pop("buyers", []) if c in targets), targets[0])
                gap = entry["price_gap"][buyer]
                low, high = calibration.get("price_gap_low"), calibration.get("price_gap_high")
                calibration["buyer"] = buyer
                calibration["model_price_gap"] = gap
                calibration["within_range"] = bool(low is not None and high is not None and low <= gap <= high)
                entry["calibration"] = calibration
            entries.append(entry)
    return entries


def _users(run: ScenarioRun, country: str, product: str, sigma) -> list[dict]:
    """``country``'s critical users of ``product``: real and nominal output change, largest loss first."""
    world = run.result.baseline
    data = run.result.data
    users = [s for s in world.sectors if s != product]
    if sigma is not None:
        row = sigma.sel(country=country)
        users = [s for s in users if float(row.sel(sector=s)) != 1.0]
    rows = []
    for sector in users:
        cell = {"country": country, "sector": sector}
        base = float(data["output_baseline"].sel(cell))
        if base <= 0:
            continue
        nominal = float(data["output"].sel(cell))
        real = nominal / float(data["unit_cost"].sel(cell))
        rows.append({"sector": sector, "real_output_pct": 100 * (real - 1), "output_pct": 100 * (nominal - 1),
                     "output_baseline_usd_mn": base, "real_output_loss_usd_mn": base * (1 - real)})
    return sorted(rows, key=lambda r: r["real_output_pct"])
