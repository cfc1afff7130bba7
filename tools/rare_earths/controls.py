"""China's 2025 rare-earth licensing on every destination: its export-tax equivalent calibrated
to one observed fact (the volume of China's magnet exports), and the price gap as a held-out check.

The ``rare-earth-controls-2025`` scenario puts an export tax ``x`` on China's sales of the
``rare-earths`` split product (separated rare earths and magnets) to every destination. Its size
is chosen so that the VOLUME of those sales -- their value at China's producer prices, deflated
by China's producer price -- falls by the observed 74% (China's customs: rare-earth magnet
exports 1,238 t in May 2025, -74% on May 2024; reported 20 June 2025). The shipped theta, sigma and
eta of the split are kept. The PRICE fact the split was calibrated to before (Argus: Europe's
dysprosium oxide price rose x3.04 as much as China's, range x2.26-x4.0) is then a held-out check:
the model's gap of Germany (the European market Argus quotes), of the U.S., and the spending-
weighted mean outside China.

The licence queue raises no revenue, an export tax does (China keeps it in the model). The same
size as a no-revenue trade cost (``--no-revenue``; the model's iceberg cost, solved directly) shows
what that changes.

Run from the repository root (a few seconds a solve; the calibration takes about ten)::

    python -m tools.rare_earths.controls                       # calibrate on wiod2011, short
    python -m tools.rare_earths.controls --check --world icio2022 --horizon medium
    python -m tools.rare_earths.controls --reconcile          # which parameter reconciles the facts
"""

from __future__ import annotations

import argparse
import dataclasses

import numpy as np

from tradewar.model.counterfactual import simulate
from tradewar.simulation import PreparedScenario, ScenarioOverrides, prepare_scenario

SCENARIO = "rare-earth-controls-2025"
PRODUCT = "Rare earths"
HOLDER = "CHN"
#: China's customs, May 2025 on May 2024: rare-earth magnet exports -74% (1,238 t).
VOLUME_TARGET = -0.74
#: Argus, 6 May 2025: Europe's 99.5% Dy oxide price change over China's, mid-points and range.
PRICE_GAP, PRICE_GAP_LOW, PRICE_GAP_HIGH = 3.04, 2.26, 4.0


#: The EU's 27 members (those a world has are summed as "Europe").
EU27 = ["AUT", "BEL", "BGR", "HRV", "CYP", "CZE", "DNK", "EST", "FIN", "FRA", "DEU", "GRC", "HUN", "IRL", "ITA", "LVA",
        "LTU", "LUX", "MLT", "NLD", "POL", "PRT", "ROU", "SVK", "SVN", "ESP", "SWE"]

#: (theta, sigma, eta) cases of ``--reconcile`` (None: the shipped value).
RECONCILE = [(None, None, None), (2.0, None, None), (5.0, None, None), (None, 0.5, None), (None, 1.0, None),
             (None, 2.0, None), (None, None, 1.0), (None, None, 2.33), (None, None, 5.0),
             (None, None, float("inf"))]


def prepare(world: str | None = None, horizon: str | None = None) -> PreparedScenario:
    """The scenario prepared on ``world`` at ``horizon`` (None: the scenario's own)."""
    overrides = ScenarioOverrides(world=world, horizon=horizon) if (world or horizon) else None
    return prepare_scenario(SCENARIO, overrides=overrides)


def with_tax(prepared: PreparedScenario, tax: float) -> PreparedScenario:
    """``prepared`` with China's export tax on the product to every destination set to ``tax``."""
    export_tax = prepared.export_tax.copy()
    cells = {"exporter": HOLDER, "sector": PRODUCT}
    others = [c for c in prepared.world.countries if c != HOLDER]
    export_tax.loc[{**cells, "importer": others}] = tax
    return dataclasses.replace(prepared, export_tax=export_tax)


def export_volume_change(data, countries: list[str]) -> float:
    """The change (a fraction) of the volume of China's exports of the product to the rest of
    the world: their value net of tariffs and export taxes (at China's producer prices), summed
    over destinations, over China's producer-price change."""
    others = [c for c in countries if c != HOLDER]
    cell = {"exporter": HOLDER, "sector": PRODUCT, "importer": others}

    # trade_new / trade_baseline are already at producer prices (net of tariffs and export taxes:
    # tradewar.model.result). A no-revenue trade cost d is iceberg: of the units China ships, 1/d
    # arrive. Customs counts what was licensed and left, so the units that "melt" (the queue) are
    # taken out: / d.
    melt = data["trade_cost_change"].sel(cell) if "trade_cost_change" in data else 1.0
    value = float((data["trade_new"].sel(cell) / melt).sum()) / float(data["trade_baseline"].sel(cell).sum())
    return value / float(data["unit_cost"].sel(country=HOLDER, sector=PRODUCT)) - 1


def effects(run) -> dict:
    """What a solved run says against the two 2025 facts, and what it costs the buyers."""
    data = run.result.data
    world = run.result.baseline
    price = data["price"].sel(sector=PRODUCT)
    inside = float(price.sel(country=HOLDER))
    (card,) = [c for c in run.to_dict()["critical_products"] if c["product"] == PRODUCT]
    row = {
        "world": world.name, "horizon": run.elasticity_choice()["horizon"],
        "export_volume_pct": 100 * export_volume_change(data, world.countries),
        "gap_DEU": float(price.sel(country="DEU")) / inside,
        "gap_USA": float(price.sel(country="USA")) / inside,
        "gap_outside_mean": card["price_gap_outside_mean"],
    }
    for country in ("USA", "DEU", "JPN", "CHN"):
        row[f"welfare_{country}_pct"] = 100 * (float(data["welfare"].sel(country=country)) - 1)
    eu = [c for c in EU27 if c in world.countries]
    income = data["income_baseline"].sel(country=eu)
    row["welfare_EU_pct"] = 100 * float(((data["welfare"].sel(country=eu) - 1) * income).sum() / income.sum())
    row["users_loss_EU_usd_mn"] = sum(u["real_output_loss_usd_mn"] for c in eu for u in card["users"][c])
    for country in ("USA", "DEU", "JPN"):
        users = card["users"][country]
        row[f"users_{country}"] = [(u["sector"], u["real_output_pct"], u["real_output_loss_usd_mn"]) for u in users]
        row[f"users_loss_{country}_usd_mn"] = sum(u["real_output_loss_usd_mn"] for u in users)
    return row


def variant(prepared: PreparedScenario, theta: float | None = None, sigma: float | None = None,
            eta: float | None = None) -> PreparedScenario:
    """``prepared`` with the product's trade elasticity, its users' sigma or the eta outside China
    replaced (None: the shipped value kept)."""
    from tradewar.world.splits import load_split

    world = prepared.world
    if theta is not None:
        trade_elasticity = world.trade_elasticity.values.copy()
        trade_elasticity[world.sectors.index(PRODUCT)] = theta
        world = world.replace(trade_elasticity=trade_elasticity)
    if sigma is not None:
        users = [u for u in load_split("rare-earths")["critical_input"]["users"] if u in world.sectors]
        world = world.with_critical_inputs(PRODUCT, sigma, users=users)
    if eta is not None:
        world = world.with_scarce_supply(PRODUCT, eta, exclude=[HOLDER])
    return dataclasses.replace(prepared, world=world)


def calibrate(prepared: PreparedScenario, target: float = VOLUME_TARGET,
              bracket: tuple[float, float] = (0.05, 50.0)) -> float:
    """The export-tax equivalent whose run of ``prepared`` gives China's export volume change ``target``."""
    from scipy.optimize import brentq  # the `solvers` extra; only the calibration needs it

    def gap(tax: float) -> float:
        run = with_tax(prepared, tax).solve()
        return export_volume_change(run.result.data, run.result.baseline.countries) - target

    return float(brentq(gap, *bracket, xtol=1e-4))


def without_revenue(prepared: PreparedScenario, tax: float) -> dict:
    """The same size as a no-revenue trade cost on China's sales (solved directly): welfare and gap."""
    world = prepared.world
    cost = np.ones((len(world.countries),) * 2 + (len(world.sectors),))
    i, k = world.countries.index(HOLDER), world.sectors.index(PRODUCT)
    cost[:, i, k] = 1 + tax
    cost[i, i, k] = 1.0
    base_tax = with_tax(prepared, 0.0).export_tax
    data = simulate(world, tariff=prepared.tariff, export_tax=base_tax, trade_cost_change=cost,
                    deficits=prepared.scenario.deficits).data
    price = data["price"].sel(sector=PRODUCT)
    return {"export_volume_pct": 100 * export_volume_change(data, world.countries),
            "gap_DEU": float(price.sel(country="DEU") / price.sel(country=HOLDER)),
            **{f"welfare_{c}_pct": 100 * (float(data["welfare"].sel(country=c)) - 1)
               for c in ("USA", "DEU", "JPN", "CHN")}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--world", default=None, help="world (default: the scenario's, wiod2011)")
    parser.add_argument("--horizon", default=None, help="horizon (default: the scenario's, short)")
    parser.add_argument("--check", action="store_true", help="run the shipped tax equivalent, no calibration")
    parser.add_argument("--reconcile", action="store_true",
                        help="calibrate at other theta/sigma/eta: which one brings the gap into Argus's range")
    parser.add_argument("--no-revenue", action="store_true", help="also solve the same size with no revenue")
    args = parser.parse_args()
    prepared = prepare(args.world, args.horizon)
    if args.check:
        (measure,) = [m for m in prepared.scenario.measures if m.id == "RE-LICENSING-2025"]
        tax = float(measure.tax_equivalent)
    elif args.reconcile:
        print("| theta | sigma | eta | tax equivalent | China's export volume % | gap Germany (x) | U.S. welfare % |")
        print("|---|---|---|---|---|---|---|")
        for theta, sigma, eta in RECONCILE:
            case = variant(prepared, theta, sigma, eta)
            tax = calibrate(case)
            row = effects(with_tax(case, tax).solve())
            cells = ["shipped" if v is None else f"{v:g}" for v in (theta, sigma, eta)]
            print(f"| {' | '.join(cells)} | {tax:.2f} | {row['export_volume_pct']:+.1f} | {row['gap_DEU']:.2f} | "
                  f"{row['welfare_USA_pct']:+.4f} |")
        return
    else:
        tax = calibrate(prepared)
    row = effects(with_tax(prepared, tax).solve())
    print(f"tax equivalent {tax:.4f} ({'shipped' if args.check else 'calibrated to ' + f'{VOLUME_TARGET:+.0%}'})")
    for key, value in row.items():
        print(f"  {key}: {value}")
    held_out = PRICE_GAP_LOW <= row["gap_DEU"] <= PRICE_GAP_HIGH
    print(f"  held-out Argus gap x{PRICE_GAP} (x{PRICE_GAP_LOW}-x{PRICE_GAP_HIGH}): Germany x{row['gap_DEU']:.2f}, "
          f"{'inside' if held_out else 'OUTSIDE'} the range")
    if args.no_revenue:
        print("  no revenue (trade cost):", without_revenue(prepared, tax))


if __name__ == "__main__":
    main()
