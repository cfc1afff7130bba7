"""The U.S. chip cards and export controls with reach (issue 15, items 4-chips, 5, 7).

- Chip splits (``data/splits/chip-making-equipment.toml``, ``chip-design-software.toml``,
  ``advanced-chips.toml``): producer shares as sourced in the files, critical-input (nested
  CES) and scarce-supply tables by horizon, clear errors for bad values.
- Export controls with reach: third countries' sales of the controlled product to the target,
  as a trade cost with no revenue (``ExportControl.reach``, ``Timeline.trade_cost_on``).
- Cards (``tradewar.strategy.negotiation``): several sectors, reach, and clear errors for a
  card with nothing to withhold or one that leaves the target no supplier at all.

Cost: about 8 s on two shared cores (the wiod2011 world is loaded once; small worlds otherwise).
"""

from __future__ import annotations

import re
import tomllib
from datetime import date

import numpy as np
import pytest

from tests.conftest import random_world
from tradewar.errors import ShockError, WorldValidationError
from tradewar.model.counterfactual import simulate
from tradewar.policy import Timeline
from tradewar.policy.errors import LabelError, MeasureError
from tradewar.policy.measures import ExportControl
from tradewar.strategy.game import TariffGame
from tradewar.strategy.negotiation import CARDS, Card, Footing, negotiate_on_footing
from tradewar.strategy.talks import PolicySpace
from tradewar.world.aggregate import aggregate_policy
from tradewar.world.splits import _folder, apply_split, load_split

DAY = date(2025, 6, 10)


def _control(**fields) -> ExportControl:
    base = {"id": "X1", "imposer": "C1", "targets": ["C0"], "sectors": ["S1"], "ban": True, "start": "2025-01-01"}
    return ExportControl(**{**base, **fields})


# ---------------------------------------------------------------------- controls with reach
def test_reach_puts_a_trade_cost_on_third_countries_sales_only():
    """Identity (definition): a ban with reach C2 is an infinite export tax on C1's sales of S1 to
    C0 and an infinite trade cost on C2's; every other cell is untouched (tax 0, cost 1)."""
    world = random_world(5, 4, 3)
    timeline = Timeline([_control(reach=["C2"])])
    tax = timeline.export_tax_on(DAY, world).values
    cost = timeline.trade_cost_on(DAY, world).values
    expected_tax, expected_cost = np.zeros_like(tax), np.ones_like(cost)
    expected_tax[0, 1, 1] = np.inf
    expected_cost[0, 2, 1] = np.inf
    np.testing.assert_array_equal(tax, expected_tax)
    np.testing.assert_array_equal(cost, expected_cost)
    finite = Timeline([_control(ban=False, tax_equivalent=0.4, reach=["C2", "C3"])]).trade_cost_on(DAY, world).values
    assert finite[0, 2, 1] == finite[0, 3, 1] == pytest.approx(1.4) and np.sum(finite != 1.0) == 2


def test_a_banned_flow_is_the_same_shut_by_a_tax_or_by_a_trade_cost():
    """Identity: a flow shut by an infinite trade cost and one shut by an infinite export tax
    give the same equilibrium (no flow, so no revenue either way): the reach of a ban is exact."""
    world = random_world(7, 4, 3)
    timeline = Timeline([_control(reach=["C2"])])
    tax = timeline.export_tax_on(DAY, world)
    cost = timeline.trade_cost_on(DAY, world)
    with_reach = simulate(world, export_tax=tax, trade_cost_change=cost)
    both_taxed = tax.values.copy()
    both_taxed[0, 2, 1] = np.inf
    as_taxes = simulate(world, export_tax=both_taxed)
    np.testing.assert_allclose(with_reach.data["welfare"].values, as_taxes.data["welfare"].values, rtol=1e-9)
    assert float(with_reach.data["trade_new"].values[0, 2, 1]) == 0.0


def test_reach_with_a_tax_equivalent_raises_no_revenue():
    """Closed form of the wedge: with a finite level the reached country's sales bear the cost
    but it collects nothing, so its income is below that under the same export tax (which it
    would collect), by about the revenue that tax raises."""
    world = random_world(9, 4, 3)
    level = 0.3
    cost = np.ones(world.tariff.shape)
    cost[0, 2, 1] = 1 + level
    tax = np.zeros(world.tariff.shape)
    tax[0, 2, 1] = level
    iceberg = simulate(world, trade_cost_change=cost)
    taxed = simulate(world, export_tax=tax)
    assert float(iceberg.data["welfare"].sel(country="C2")) < float(taxed.data["welfare"].sel(country="C2"))


def test_bad_reach_is_named():
    """Bad input: reach naming the imposer, a target, "*" or an unknown country gives an error
    naming the measure and the field."""
    with pytest.raises(MeasureError, match="reach.*imposer 'C1' is in its own reach"):
        _control(reach=["C1"])
    with pytest.raises(MeasureError, match="both targets and in the reach"):
        _control(reach=["C0"])
    with pytest.raises(MeasureError, match="name them"):
        _control(reach=["*"])
    with pytest.raises(LabelError, match=r"X1.*reach.*ATLANTIS"):
        Timeline([_control(reach=["ATLANTIS"])]).trade_cost_on(DAY, random_world(5, 4, 3))


def test_a_ban_on_one_member_covers_its_region_when_the_others_sell_none():
    """Aggregation: a ban on the only member of a region that sells a product covers the whole
    aggregate cell (the others have no flow to leave open); with another member selling, it is
    a partial ban and a clear error."""
    world = random_world(3, 4, 2, sparse=False)
    trade = world.trade.values.copy()
    cost = np.ones_like(trade)
    cost[0, 2, 1] = np.inf
    regions = {"C2": "R", "C3": "R"}
    with pytest.raises(WorldValidationError, match="only part of an aggregated region"):
        aggregate_policy(world, cost, "trade_cost", regions=regions)
    trade[0, 3, 1] = 0.0  # C3 sells no S1 to C0
    only_c2 = world.replace(trade=trade, require_equilibrium=False)
    aggregated = aggregate_policy(only_c2, cost, "trade_cost", regions=regions)
    assert np.isinf(float(aggregated.sel(importer="C0", exporter="R", sector="S1")))
    assert float(aggregated.sel(importer="C1", exporter="R", sector="S1")) == 1.0


# ---------------------------------------------------------------------- cards
def test_card_reach_enters_the_talks_with_an_exact_gradient():
    """Gradient check: in the policy space a card with reach moves both the holder's export tax
    and the reached trade cost; the implicit-function gradient of the parties' welfare with
    respect to the card's level agrees with central differences (1e-4 step) to 1e-5 relative."""
    world = random_world(11, 4, 3)
    card = Card("test", holder="C1", target="C0", sector="S1", reach=("C2",))
    from tradewar.strategy.negotiation import _card_masks

    masks, reach = _card_masks(world, [card])
    game = TariffGame(world)
    space = PolicySpace(game, "C0", "C1", world.tariff.values, np.zeros(world.tariff.shape), tuple(masks),
                        reach=tuple(reach))
    x = space.point(0.1, 0.05, [0.3])
    weights = np.zeros(4)
    weights[:2] = [0.7, 0.3]
    _, gradient = space.value_and_gradient(x, weights)
    step = 1e-4
    up, down = x.copy(), x.copy()
    up[2] += step
    down[2] -= step
    numeric = (weights @ space.welfare(up) - weights @ space.welfare(down)) / (2 * step)
    assert gradient[2] == pytest.approx(numeric, rel=1e-5, abs=1e-9)
    cost = space.trade_cost(x)
    assert cost[0, 2, 1] == pytest.approx(1.3) and np.sum(cost != 1.0) == 1


def test_bad_cards_are_named():
    """Bad input: a card whose holder (and reach) produce nothing of its product, a reach outside
    the world, and a reach that leaves the target no supplier give errors that say so."""
    world = random_world(13, 4, 3)
    trade = world.trade.values.copy()
    trade[:, 1, 1] = 0.0  # C1 sells no S1 to anyone
    idle = world.replace(trade=trade, require_equilibrium=False)
    footing = Footing(idle, idle.tariff.values.copy(), np.zeros(idle.tariff.shape))
    card = Card("idle", holder="C1", target="C0", sector="S1")
    with pytest.raises(ShockError, match="C1's control on S1, but C1 sells none of it .*nothing to withhold"):
        negotiate_on_footing(footing, ["C0", "C1"], cards=[card], threat="status-quo", points=2, purchases=False)
    footing = Footing(world, world.tariff.values.copy(), np.zeros(world.tariff.shape))
    far = Card("far", holder="C1", target="C0", sector="S1", reach=("ATLANTIS",))
    with pytest.raises(ShockError, match="reaches 'ATLANTIS', which the world does not have"):
        negotiate_on_footing(footing, ["C0", "C1"], cards=[far], threat="status-quo", points=2, purchases=False)
    everyone = Card("all", holder="C1", target="C0", sector="S1", reach=("C2", "C3"))
    trade = world.trade.values.copy()
    trade[0, 0, 1] = 0.0  # C0 makes no S1 for itself
    alone = world.replace(trade=trade, require_equilibrium=False)
    with pytest.raises(ShockError, match="cut C0 off from every supplier of S1"):
        negotiate_on_footing(Footing(alone, alone.tariff.values.copy(), np.zeros(alone.tariff.shape)), ["C0", "C1"],
                             cards=[everyone], threat="status-quo", points=2, purchases=False)


def test_shipped_cards_name_their_splits():
    """Consistency: every shipped card's sectors are the children of the splits it names, so
    ``negotiate`` carves out what the card withholds."""
    for card in CARDS.values():
        children = {load_split(name)["child"] for name in card.splits}
        assert set(card.sectors) == children, card.name
    assert CARDS["chip-tools"].holder == "USA" and set(CARDS["chip-tools"].reach) == {"NLD", "JPN"}


# ---------------------------------------------------------------------- chip splits
@pytest.fixture(scope="module")
def wiod():
    from tradewar.world.library import load_world

    return load_world("wiod2011")


def test_chip_tool_split_has_the_sourced_shares_and_bundles(wiod):
    """Published figures: the tools' producer shares are the makers' 2023 revenue in the file
    (AMAT + LRCX + KLA = 54.42, ASML 29.81, TEL 13.03, Naura + AMEC 4.00, USD bn, each from the
    company's 2023 release or filing at the Fed's 2023 average exchange rates) and the market
    the 2011 SEMI/SEAJ total (43,530 USD mn); at the short horizon the users get the file's
    short-run sigma and the producers outside the U.S. a capacity nest (capacity 0.4 of value
    added, elasticity of substitution eta phi / (1 - phi) with eta = 0.2: identities of
    with_scarce_supply); the long horizon its long-run sigma."""
    spec = load_split("chip-making-equipment")
    world = apply_split(wiod, "chip-making-equipment", horizon="short")
    child = spec["child"]
    sales = world.trade.sel(sector=child).sum("importer")
    total = float(sales.sum()) + world.data.attrs["split_unplaced_usd_mn"]
    assert total == pytest.approx(43530, rel=1e-9)
    shares = spec["producer_shares"]
    for code in ("USA", "NLD", "JPN", "CHN"):
        assert float(sales.sel(exporter=code)) / 43530 == pytest.approx(shares[code] / sum(shares.values()), abs=0.01)
    sigma = world.data["input_substitution"].sel(country="CHN", sector="Electrical and optical").item()
    assert sigma == spec["critical_input"]["substitution"]["short"] == 0.1
    capacity = world.data["capacity_share"].sel(sector=child)
    phi = 0.4 * world.value_added_share.sel(country="NLD", sector=child).item()
    assert capacity.sel(country="USA").item() == 0.0
    assert capacity.sel(country="NLD").item() == pytest.approx(phi)
    rho = world.data["capacity_substitution"].sel(country="NLD", sector=child).item()
    assert rho == pytest.approx(spec["scarce_supply"]["supply_elasticity"]["short"] * phi / (1 - phi))
    long_run = apply_split(wiod, "chip-making-equipment", horizon="long")
    assert long_run.data["input_substitution"].sel(country="CHN", sector="Electrical and optical").item() == 0.5


def test_a_later_split_keeps_the_earlier_ones_bundles(wiod):
    """Regression: carving chip tools out after rare earths keeps the rare earths' nested CES
    users and scarce supply (a split used to rebuild the world without them)."""
    world = apply_split(apply_split(wiod, "rare-earths", horizon="short"), "chip-making-equipment", horizon="short")
    sigma = world.data["input_substitution"].sel(country="USA")
    assert sigma.sel(sector="Transport equipment").item() == 0.1  # a rare-earth user
    flags = world.data["critical_input"]
    assert flags.sel(input="Rare earths").item() == 1.0 and flags.sel(input="Chip-making equipment").item() == 1.0
    phi = 0.4 * world.value_added_share.sel(country="USA", sector="Rare earths").item()
    assert world.data["capacity_share"].sel(country="USA", sector="Rare earths").item() == pytest.approx(phi)


@pytest.mark.parametrize("name", ["chip-making-equipment", "chip-design-software", "advanced-chips"])
def test_bad_chip_split_values_are_named(wiod, tmp_path, name):
    """Bad input: an elasticity of substitution of zero, a negative trade elasticity or producer
    shares that give nobody anything make clear errors (in the user's terms)."""
    text = (_folder() / f"{name}.toml").read_text()

    def write(pattern: str, replace, flags=re.MULTILINE) -> str:
        changed, count = re.subn(pattern, replace, text, count=1, flags=flags)
        assert count == 1, pattern
        path = tmp_path / f"{name}-bad.toml"
        path.write_text(changed)
        return str(path)

    with pytest.raises(WorldValidationError, match="elasticity of substitution .* must be a positive number"):
        apply_split(wiod, write(r"(\[critical_input\.substitution\]\nshort = )[0-9.]+", r"\g<1>0.0"))
    with pytest.raises(WorldValidationError, match="trade.elasticity must be (a )?positive"):
        apply_split(wiod, write(r"^trade_elasticity = .*$", "trade_elasticity = -1.0"))
    zeroed = write(r"\[producer_shares\]\n(?:[A-Z]{3} = [0-9.]+.*\n)+",
                   lambda m: re.sub(r"= [0-9.]+", "= 0", m.group(0)), flags=0)
    assert tomllib.loads(open(zeroed).read())["producer_shares"]
    with pytest.raises(WorldValidationError, match="positive share to some country"):
        apply_split(wiod, zeroed)


def test_the_chip_tools_scenario_shuts_the_reached_sales():
    """End to end in the scenario format (``chip-tools-controls``): the U.S. ban and its reach
    leave China buying chip tools only from its own makers (identity: a shut flow is zero), and
    the reached Dutch and Japanese makers collect no export-tax revenue on those sales (none
    was levied). Cost: about 6 s (one solve of the 41 x 37 world)."""
    from tradewar.simulation import prepare_scenario

    prepared = prepare_scenario("chip-tools-controls")
    assert prepared.trade_cost is not None
    cost = prepared.trade_cost.sel(importer="CHN", sector="Chip-making equipment")
    assert np.isinf(float(cost.sel(exporter="NLD"))) and np.isinf(float(cost.sel(exporter="JPN")))
    assert float(cost.sel(exporter="DEU")) == 1.0
    assert float(prepared.export_tax.sel(importer="CHN", exporter="NLD", sector="Chip-making equipment")) == 0.0
    run = prepared.solve()
    bought = run.result.data["trade_new"].sel(importer="CHN", sector="Chip-making equipment")
    sellers = {str(c) for c in bought.exporter.values[bought.values > 0]}
    assert sellers == {"CHN"}
