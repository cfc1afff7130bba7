"""The rare-earth card: shares from processing and magnet output, U.S. purchases from customs
data, the calibration to the 2025 price gap, the 2025 licensing on every destination calibrated
to China's export volume, the output of U.S. users, and bad split files.

Cost: about 21 s in all on a loaded machine (the calibration solves the ban on wiod2011 and on
icio2022, ~3 s each with loading; the 2025 licensing on both worlds, ~2.5 s each; the chain
scenario ~2 s; the customs rebuild ~2 s; the rest splits the default world or reads TOML, under
1 s each, except the idle-card test, which imports tradewar.strategy: JAX, several seconds the
first time in a process, shared with the strategy tests).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from tradewar import load_world, run_scenario
from tradewar.cards import card_effects
from tradewar.errors import ShockError, WorldValidationError
from tradewar.simulation import ScenarioOverrides
from tradewar.world.splits import apply_split, load_split

SHARED = Path(os.environ.get("TRADEWAR_SHARED_DATA") or Path(__file__).resolve().parents[1].parent / "shared" / "data")
CENSUS = SHARED / "tariffs" / "weights" / "us_imports_2024_hs10"


@pytest.mark.parametrize("world", ["wiod2011", "icio2022"])
def test_the_ban_reproduces_the_2025_price_gap(world):
    """Argus, assessment of 6 May 2025 (reported by SMM, 6 May, and GMTEight, 9 May 2025): 99.5%
    dysprosium oxide in Europe went from $250-310/kg to $700-1000/kg after China's controls of
    4 April 2025, while prices inside China stayed flat (SMM): a gap of x3.04 at the mid-points,
    x2.26 to x4.0 at the ends of the ranges (terbium oxide: $930-1000 -> $2000-4000, x3.11 at
    mid-points). With the shipped calibration (theta 3.25, sigma 0.1, eta 0.2 on gross output,
    the short horizon the scenario names) the ban on U.S. purchases must give a U.S./China price
    gap inside the dysprosium range, and on the world the scenario names (wiod2011) within 5% of
    the mid-point; the JSON carries it."""
    overrides = ScenarioOverrides(world=world) if world != "wiod2011" else None
    run = run_scenario("rare-earth-ban", overrides=overrides)
    (card,) = run.to_dict()["critical_products"]
    assert (card["product"], card["holder"], card["targets"]) == ("Rare earths", "CHN", ["USA"])
    gap = card["price_gap"]["USA"]
    target = card["calibration"]
    assert target["price_gap_low"] <= gap <= target["price_gap_high"]
    assert target["within_range"] is True and target["model_price_gap"] == gap
    if world == "wiod2011":
        assert gap == pytest.approx(target["price_gap"], rel=0.05)
    # China's own price barely moves (its sales are diverted at home): the gap is the U.S. price.
    assert abs(card["price_pct"]["CHN"]) < 2.0
    # The users lose output (real, deflated by their own producer price), the largest loss first.
    users = card["users"]["USA"]
    assert users and all(row["real_output_pct"] < 0 for row in users)
    assert [row["real_output_pct"] for row in users] == sorted(row["real_output_pct"] for row in users)


@pytest.mark.parametrize("world", ["wiod2011", "icio2022"])
def test_the_2025_licensing_reproduces_the_export_fall_and_misses_the_held_out_gap(world):
    """China's customs (General Administration of Customs, 20 June 2025, reported by Reuters and
    the Wall Street Journal): rare-earth magnet exports 1,238 t in May 2025, -74% on May 2024.
    ``rare-earth-controls-2025`` (licensing on every destination as an export-tax equivalent) ships
    the tax (5.58) that reproduces that fall of the volume of China's exports of the product on
    wiod2011 at the short horizon (tools/rare_earths/controls.py, brentq to 1e-4, rounded to two
    decimals): an identity of the calibration, tolerance 0.1 pp on wiod2011 (the rounding moves it
    0.005 pp), 1.5 pp on icio2022 (same tax, other world: -74.8%). Held out: the Argus gap (99.5%
    Dy oxide, Europe over China, 6 May 2025: x3.04, range x2.26-x4.0). With the shipped theta,
    sigma and eta the model's gap for Germany and the mean outside China is ABOVE the range
    (about x6): the two facts disagree at the shipped short-run sigma (README: sigma ~ 1 or eta ~ 3
    would reconcile them). Every buyer outside China pays more (uniform licensing: gaps within 5%
    of each other), and every destination is a target."""
    from tools.rare_earths.controls import PRICE_GAP_HIGH, VOLUME_TARGET, export_volume_change

    overrides = ScenarioOverrides(world=world) if world != "wiod2011" else None
    run = run_scenario("rare-earth-controls-2025", overrides=overrides)
    data, countries = run.result.data, run.result.baseline.countries
    volume = export_volume_change(data, countries)
    assert volume == pytest.approx(VOLUME_TARGET, abs=0.001 if world == "wiod2011" else 0.015)
    (card,) = run.to_dict()["critical_products"]
    assert card["holder"] == "CHN" and set(card["targets"]) == set(countries) - {"CHN"}
    price = data["price"].sel(sector="Rare earths")
    gap_germany = float(price.sel(country="DEU") / price.sel(country="CHN"))
    assert gap_germany > PRICE_GAP_HIGH and card["price_gap_outside_mean"] > PRICE_GAP_HIGH
    assert card["price_gap"]["USA"] == pytest.approx(gap_germany, rel=0.05)
    # Argus quotes Europe: the card compares the published gap with Germany's, the first of the
    # split's buyers the control reaches (not the first target in world order).
    assert card["calibration"]["buyer"] == "DEU" and card["calibration"]["model_price_gap"] == gap_germany
    assert not card["calibration"]["within_range"]
    # The U.S. loses more than under a ban on its own purchases (-0.0055%, the README's table):
    # Europe and Japan can no longer re-sell to it.
    assert 100 * (float(data["welfare"].sel(country="USA")) - 1) < -0.0055


def test_without_scarce_supply_the_gap_falls_and_a_higher_theta_closes_it():
    """Direction checks (comparative statics of the CES price index): with constant-cost supply
    outside China (eta -> inf) the U.S. price rises less than with scarce capacity, and a higher
    trade elasticity lowers the gap (U.S. buyers switch more easily to Japan and Europe)."""
    world = apply_split(load_world(), "rare-earths")
    usa, chn, k = world.countries.index("USA"), world.countries.index("CHN"), world.sectors.index("Rare earths")
    ban = world.export_tax.values.copy()
    ban[usa, chn, k] = np.inf
    from tradewar.model.counterfactual import simulate

    def gap(w):
        price = simulate(w, export_tax=ban).data["price"].values[:, k]
        return price[usa] / price[chn]

    shipped = gap(world)
    assert gap(world.with_scarce_supply("Rare earths", np.inf)) < shipped
    theta = world.trade_elasticity.values.copy()
    theta[k] = 4.0
    assert gap(world.replace(trade_elasticity=theta)) < shipped


def test_producer_shares_are_processing_and_magnet_output():
    """IEA (Global Critical Minerals Outlook 2025; commentary of 23 October 2025): China made 91%
    of separated rare earths and 94% of permanent magnets in 2024, against 69% of mine output
    (USGS MCS 2025). The controlled product's shares are 0.8 x magnets + 0.2 x processing (the
    file's value weights): China 93.4%; the built world's Chinese share of the product equals it."""
    spec = load_split("rare-earths")
    shares = spec["producer_shares"]
    assert spec["producer_shares_unit"] == "percent" and sum(shares.values()) == pytest.approx(100)
    assert shares["CHN"] == pytest.approx(0.8 * 94 + 0.2 * 91)
    assert shares["CHN"] == pytest.approx(load_split("rare-earth-magnets")["producer_shares"]["CHN"] * 0.8
                                          + load_split("rare-earth-processing")["producer_shares"]["CHN"] * 0.2)
    world = apply_split(load_world(), "rare-earths")
    sales = world.trade.sel(sector="Rare earths").sum("importer")
    assert float(sales.sel(exporter="CHN") / sales.sum()) == pytest.approx(0.934, abs=1e-9)
    assert float(sales.sel(exporter="USA")) == 0.0  # no U.S. separation or magnet output in the split


@pytest.mark.parametrize("world", ["wiod2011", "icio2022"])
def test_us_purchases_are_the_customs_figures(world):
    """2024 U.S. imports (Census HS10, all ~50 partners in the shared files): magnets 8505.11
    453.2, compounds 2846 159.2, metals 2805.30 4.5 USD mn = 616.9 (tools/rare_earths/us_imports.py);
    each stage's U.S. purchases in the split equal the pinned customs figure on both worlds."""
    for name, product, value in [("rare-earths", "Rare earths", 616.9),
                                 ("rare-earth-magnets", "Rare-earth magnets", 453.2),
                                 ("rare-earth-processing", "Rare-earth oxides and metals", 163.8)]:
        split = apply_split(load_world(world), name)
        bought = float(split.trade.sel(sector=product, importer="USA").sum())
        assert bought == pytest.approx(value, rel=1e-6), name


@pytest.mark.shared_data
@pytest.mark.skipif(not CENSUS.is_dir(), reason=f"Census 2024 HS10 import files not found under {CENSUS}")
def test_customs_figures_rebuild_from_the_census_files():
    """The figures the split files pin, rebuilt from the Census HS10 files: U.S. imports from
    China 344.7 (magnets), 112.7 (compounds), 3.6 (metals) USD mn; China's share of the three
    lines 75% (USGS MCS: China 70% of U.S. compound and metal imports in 2020-23; the file's
    compounds give 71%)."""
    from tools.rare_earths.us_imports import summary, us_imports

    table = summary(us_imports(SHARED))
    assert table.loc["all three", "all_partners_usd_mn"] == pytest.approx(616.9, abs=0.05)
    assert table.loc["8505.11 permanent magnets", "all_partners_usd_mn"] == pytest.approx(453.2, abs=0.05)
    assert (table.loc["2846 rare-earth compounds", "all_partners_usd_mn"]
            + table.loc["2805.30 rare-earth metals", "all_partners_usd_mn"]) == pytest.approx(163.8, abs=0.05)
    assert table.loc["all three", "from_china_usd_mn"] == pytest.approx(461.0, abs=0.05)
    assert table.loc["2846 rare-earth compounds", "china_share"] == pytest.approx(0.70, abs=0.02)


def test_the_chain_scenario_reports_each_stage():
    """rare-earth-ban-chain: mining (USGS), magnets and processing (IEA) split out on one world;
    the ban covers the two processed stages, each reported with its U.S./China price gap (no
    published target for these alone), and mining is not a controlled product (its U.S. price
    gap is not reported). Magnet makers get the low elasticity for oxides (they exist when the
    processing split is applied: the scenario orders its splits so)."""
    run = run_scenario("rare-earth-ban-chain")
    cards = {card["product"]: card for card in card_effects(run)}
    assert set(cards) == {"Rare-earth magnets", "Rare-earth oxides and metals"}
    for card in cards.values():
        assert card["price_gap"]["USA"] > 1.5
    world = run.result.baseline
    sigma = world.data["input_substitution"].sel(country="JPN")
    assert float(sigma.sel(sector="Rare-earth magnets")) == pytest.approx(0.1)
    # The earlier split's settings survive the later ones (split_sector carries them over).
    assert float(world.data["critical_input"].sel(input="Rare-earth magnets")) == 1
    phi = 0.4 * float(world.value_added_share.sel(country="JPN", sector="Rare-earth magnets"))
    assert float(world.data["capacity_share"].sel(country="JPN", sector="Rare-earth magnets")) == pytest.approx(phi)


def _write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    return str(path)


BASE = 'parent = "Metals"\nchild = "Unobtainium"\nworld_value = 100\n'


@pytest.mark.parametrize("text, message", [
    (BASE + 'producer_shares_unit = "percent"\n[producer_shares]\nCHN = 60\nJPN = 30\n',
     r"producer shares are in percent but add up to 90, not 100 \(CHN 60, JPN 30\)"),
    (BASE + 'producer_shares_unit = "fraction"\n[producer_shares]\nCHN = 0.6\nJPN = 0.6\n',
     "add up to 1.2, not 1"),
    (BASE + "trade_elasticity = 0\n[producer_shares]\nCHN = 1\n", "trade_elasticity must be a positive number"),
    (BASE + "[producer_shares]\nCHN = -1\n", "must be non-negative numbers"),
    (BASE + "[producer_shares]\nCHN = 1\n[critical_input.substitution]\nshort = 0\n",
     r"elasticity of substitution for the 'short' horizon .* must be a positive number, got 0"),
    (BASE + "[producer_shares]\nCHN = 1\n[scarce_supply.supply_elasticity]\nshort = -0.5\n",
     r"supply elasticity for the 'short' horizon .* got -0.5"),
    (BASE + "[producer_shares]\nCHN = 1\n[critical_input.substitution]\nshort = 0.1\nlong = 0.5\n",
     r"gives no elasticity of substitution for the 'medium' horizon"),
    (BASE + "[producer_shares]\nCHN = 1\n[scarce_supply.supply_elasticity]\nshort = 0.2\n",
     r"gives no supply elasticity for the 'medium', 'long' horizons"),
    ('child = "X"\nworld_value = 1\n', "must name its parent sector"),
    (BASE + "[producer_shares\n", "is not valid TOML"),
])
def test_bad_split_files_get_clear_errors(tmp_path, text, message):
    """Bad input in a split file: shares that do not add up in their stated unit, elasticities
    <= 0, a missing parent, broken TOML -- each a WorldValidationError naming the problem in the
    file's own terms (no traceback from deep inside the split)."""
    with pytest.raises(WorldValidationError, match=message):
        load_split(_write(tmp_path, text))


def test_buyer_values_that_cannot_fit_are_refused(tmp_path):
    """Pinned purchases larger than the world market, or for a country the world lacks."""
    world = load_world()
    with pytest.raises(WorldValidationError, match="add up to 200 USD mn, more than the world market of 100"):
        apply_split(world, _write(tmp_path, BASE + "[producer_shares]\nCHN = 1\n[buyer_values]\nUSA = 200\n"))
    with pytest.raises(WorldValidationError, match="non-negative number of USD millions"):
        world.split_sector("Metals", "X", world_value=100, producer_shares={"CHN": 1}, buyer_values={"USA": -5})
    with pytest.raises(WorldValidationError, match="unknown countries"):
        world.split_sector("Metals", "X", world_value=100, producer_shares={"CHN": 1}, buyer_values={"XXX": 5})


def test_a_card_whose_holder_sells_nothing_is_an_error():
    """A ban by a country with no sales of the product would show zero leverage as if it were
    a finding; negotiate refuses it and says why (here the U.S. holds a 'rare earths' card,
    but the split gives it no separation or magnet output: IEA)."""
    from tradewar.strategy.negotiation import Card, Footing, negotiate_on_footing

    world = apply_split(load_world(), "rare-earths")
    footing = Footing(world, world.tariff.values.copy(), world.export_tax.values.copy())
    card = Card("us-rare-earths", "USA", "CHN", "Rare earths", "rare-earths")
    with pytest.raises(ShockError, match="USA's control on Rare earths, but USA sells none of it"):
        negotiate_on_footing(footing, ["USA", "CHN"], cards=[card], points=3)


def test_measuring_from_a_solved_start_composes_with_ces_bundles():
    """Exact hat algebra composes: solving shock A, then B from A's equilibrium, gives the same
    prices and welfare as A and B together from the baseline (an identity). With nested CES
    bundles the start's cost shares move with prices, so the world rebuilt at A (``new_world``)
    must carry them: before this was fixed, ``simulate london-2025-rare-earth-ban --against
    london-2025`` failed with "Markets do not clear". A = a 20% U.S. tariff on Chinese goods,
    B = China's rare-earth ban; split world (sigma 0.1, eta 0.2)."""
    from tradewar.model.counterfactual import simulate

    world = apply_split(load_world(), "rare-earths")
    usa, chn, k = world.countries.index("USA"), world.countries.index("CHN"), world.sectors.index("Rare earths")
    tariff = world.tariff.values.copy()
    goods = [world.sectors.index(s) for s in world.goods]
    tariff[usa, chn, goods] += 0.20
    ban = world.export_tax.values.copy()
    ban[usa, chn, k] = np.inf
    first = simulate(world, tariff=tariff)
    start = first.new_world()
    assert start.is_equilibrium
    then = simulate(start, export_tax=ban)
    both = simulate(world, tariff=tariff, export_tax=ban)
    for name in ("price", "welfare", "wage"):
        composed = first.data[name].values * then.data[name].values
        np.testing.assert_allclose(composed, both.data[name].values, rtol=1e-6, err_msg=name)


def test_the_table_shows_the_gap_and_the_users():
    """The terminal table of `simulate rare-earth-ban` carries the same numbers as the JSON: the
    U.S. price gap against the published x3.04 (2.26-4.00; Argus, 6 May 2025) and the real output
    of U.S. transport equipment, the largest user loss."""
    from typer.testing import CliRunner

    from tradewar.cli import app

    result = CliRunner().invoke(app, ["simulate", "rare-earth-ban", "--no-report"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    run = run_scenario("rare-earth-ban")
    (card,) = card_effects(run)
    assert f"{card['price_gap']['USA']:.2f}" in result.output and "3.04 (2.26-4.00)" in result.output
    first = card["users"]["USA"][0]
    assert first["sector"] == "Transport equipment"
    assert f"{first['real_output_pct']:+.2f}" in result.output


def test_a_control_on_every_buyer_shows_the_report_countries(tmp_path):
    """A control on all 40 buyers prints the scenario's report countries and the buyer of the
    published gap (Germany for Argus's European price), not 40 price rows and 40 users tables."""
    from typer.testing import CliRunner

    from tradewar.cli import app

    result = CliRunner().invoke(app, ["simulate", "rare-earth-controls-2025", "--report",
                                      str(tmp_path / "report.html")])
    assert result.exit_code == 0, result.output
    assert "DEU's users of Rare earths" in result.output and "USA's users of Rare earths" in result.output
    assert "AUS's users" not in result.output and "│ AUS " not in result.output
