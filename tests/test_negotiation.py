"""Talks on one footing (``tradewar.strategy.negotiation``): every point shares the starting
policy, the bargain beats the threat when a deal does, and mirrored talks give mirrored results.

Cost: about 20 s in all on two shared cores (small worlds; the compact-world CLI run lives in
test_strategy.py).
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import random_world
from tests.test_strategy import symmetric_world
from tradewar.errors import ShockError
from tradewar.strategy.negotiation import (
    PHASE_ONE_COMPLIANCE,
    Card,
    Footing,
    negotiate,
    negotiate_on_footing,
)

CARD = Card("test-card", holder="C1", target="C0", sector="S1", description="C1's ban on S1 sales to C0")


def _footing(world, level: float = 0.2) -> Footing:
    """Start from ``level`` above the world's tariffs on every foreign cell (third countries too)."""
    tariff = world.tariff.values + level
    n = len(world.countries)
    tariff[np.arange(n), np.arange(n), :] = world.tariff.values[np.arange(n), np.arange(n), :]
    return Footing(world, tariff, np.zeros_like(tariff), scenario="test start")


@pytest.fixture(scope="module")
def talks():
    world = random_world(11, 4, 3)
    footing = _footing(world)
    return footing, negotiate_on_footing(footing, ["C0", "C1"], threat="war", cards=[CARD], points=3,
                                         purchases=False)


def test_every_point_starts_from_the_same_policy(talks):
    """Identity (footing): the threat point, the frontier, the bargain and every deal change only
    the two parties' tariffs on each other and the card; third-country cells stay at the
    starting policy, and the status quo is the starting policy itself."""
    footing, result = talks
    space = result.space
    i, k = space.index
    other = np.ones(footing.tariff.shape, dtype=bool)
    other[i, k, :] = other[k, i, :] = False
    policies = [result.war.tariff, result.bargain.tariff] + [space.tariff(p.x) for p in result.frontier]
    for tariff in policies:
        np.testing.assert_array_equal(tariff[other], footing.tariff[other])
    np.testing.assert_array_equal(result.bargain.export_tax[other], footing.export_tax[other])
    sq_tax = footing.export_tax.copy()
    sq_tax[0, 1, 1] = np.inf  # C1's ban on S1 sales to C0
    sq = space.game.welfare(footing.tariff, sq_tax)
    assert result.status_quo_welfare == pytest.approx({"C0": 100 * (sq[0] - 1), "C1": 100 * (sq[1] - 1)})
    free = next(d for d in result.deals if d["policy"]["tariffs_pct"] == {"C0 on C1": 0.0, "C1 on C0": 0.0})
    welfare = space.welfare(space.point(0.0, 0.0, [0.0]))
    assert free["welfare_pct"] == pytest.approx({"C0": 100 * (welfare[0] - 1), "C1": 100 * (welfare[1] - 1)})
    document = result.to_dict()
    assert (
        document["footing"]["scenario"] == "test start"
        and document["threat_policy"]["test-card (export tax, %)"] == "ban"
    )


def test_bargain_beats_the_threat_and_is_on_the_frontier(talks):
    """Nash bargaining: the bargain gives both more than the threat point (here a deal does
    too), and no deal and no policy on a grid of the two tariffs gives both more (Pareto)."""
    _, result = talks
    a, b = result.parties
    assert any(d["both_prefer_to_threat"] for d in result.deals)
    bargain = result.bargain
    assert bargain.feasible and min(bargain.gains_pct.values()) > 0
    for deal in result.deals:
        assert not all(deal["welfare_pct"][p] > bargain.welfare_pct[p] + 1e-7 for p in (a, b)), deal["name"]
    space = result.space
    for x in np.linspace(-0.3, 0.4, 6):
        for y in np.linspace(-0.3, 0.4, 6):
            welfare = space.pair_pct(space.welfare(space.point(x, y, [0.0])))
            assert not all(welfare[p] > bargain.welfare_pct[p] + 1e-7 for p in (a, b))


def test_a_deal_both_prefer_means_a_bargain_both_prefer():
    """Constructed case: identical countries start at 40% tariffs each way (threat: the status
    quo); mutual free trade beats it for both (symmetry), so the bargain must too, and be at
    least as good for both as every deal that both prefer to the threat."""
    world = symmetric_world()
    result = negotiate_on_footing(_footing(world, 0.4), ["A", "B"], threat="status-quo", points=2,
                                  purchases=False)
    preferred = [d for d in result.deals if d["both_prefer_to_threat"]]
    assert preferred
    assert result.bargain.feasible
    for party in ("A", "B"):
        assert result.bargain.welfare_pct[party] > result.threat_welfare[party]
    # Symmetric parties split the surplus evenly.
    assert result.bargain.welfare_pct["A"] == pytest.approx(result.bargain.welfare_pct["B"], abs=1e-6)
    assert sum(result.bargain.welfare_pct.values()) >= max(sum(d["welfare_pct"].values()) for d in preferred) - 1e-9


def test_mirrored_talks_give_mirrored_results(talks):
    """Symmetry of labels: C1 C0 gives, party by party and instrument by instrument, what C0 C1
    gives (the order of the parties only orders the output)."""
    footing, result = talks
    mirror = negotiate_on_footing(footing, ["C1", "C0"], threat="war", cards=[CARD], points=3, purchases=False)
    for party in ("C0", "C1"):
        assert mirror.bargain.welfare_pct[party] == pytest.approx(result.bargain.welfare_pct[party], abs=1e-6)
        assert mirror.threat_welfare[party] == pytest.approx(result.threat_welfare[party], abs=1e-9)
    for label, value in result.bargain.tariffs_pct.items():
        assert mirror.bargain.tariffs_pct[label] == pytest.approx(value, abs=1e-3)
    deals = {frozenset(d["policy"]["tariffs_pct"].items()) if d["policy"]["tariffs_pct"] else None: d
             for d in result.deals}
    for deal in mirror.deals:
        key = frozenset(deal["policy"]["tariffs_pct"].items()) if deal["policy"]["tariffs_pct"] else None
        assert deal["welfare_pct"] == pytest.approx(deals[key]["welfare_pct"])
    for key in ("out_of_threat", "lifted"):
        assert mirror.leverage["test-card"][key]["moves_pp"] == pytest.approx(
            result.leverage["test-card"][key]["moves_pp"], abs=1e-5)
    # The frontier's weights are on the first party: the mirror runs them in reverse.
    first = [p.welfare_pct for p in result.frontier]
    second = [p.welfare_pct for p in reversed(mirror.frontier)]
    for one, two in zip(first, second, strict=True):
        assert one == pytest.approx(two, abs=1e-4)


def test_result_exports(talks, tmp_path):
    """The results protocol (tests/test_results_protocol.py's checks): ``to_dict`` is JSON-ready,
    ``to_frame`` has one row per outcome, ``summary`` has text and HTML with the leverage table; the
    summary's welfare is the result's own (identity)."""
    from tests.test_results_protocol import check_protocol

    _, result = talks
    document = check_protocol(result, "Talks between C0 and C1", tmp_path, "talks")
    assert {"footing", "frontier", "bargain", "deals", "leverage", "threat_welfare_pct"} <= set(document)
    assert set(document["leverage"]["test-card"]) >= {"out_of_threat", "lifted", "holder"}
    frame = result.to_frame()
    assert {"status quo", "threat point", "bargain", "deal", "frontier"} <= set(frame["kind"])
    summary = result.summary()
    assert "Leverage" in str(summary) and "<table" in summary._repr_html_() and "<table" in result._repr_html_()
    outcomes = summary.tables[0].frame
    assert outcomes.loc["status quo", "C0"] == result.status_quo_welfare["C0"]
    assert outcomes.iloc[2]["C1"] == result.bargain.welfare_pct["C1"]
    with pytest.raises(ValueError, match="one level: 'outcomes'"):
        result.to_frame("country")


def test_bad_input_is_named():
    """Errors name the problem: a card between other countries, a third party, a bad threat."""
    footing = _footing(random_world(3, 3, 2))
    with pytest.raises(ShockError, match="not in play in talks between C0 and C2"):
        negotiate_on_footing(footing, ["C0", "C2"], cards=[CARD])
    with pytest.raises(ShockError, match="two different parties"):
        negotiate_on_footing(footing, ["C0", "C0"])
    with pytest.raises(ShockError, match="'war' or 'status-quo'"):
        negotiate_on_footing(footing, ["C0", "C1"], threat="bluff")
    with pytest.raises(ShockError, match="Unknown parties"):
        negotiate_on_footing(footing, ["C0", "XXX"])
    with pytest.raises(ShockError, match="Unknown card"):
        negotiate(["USA", "CHN"], cards=["tea"])


def _shared_data() -> Path:
    configured = os.environ.get("TRADEWAR_SHARED_DATA")
    return Path(configured) if configured else Path(__file__).resolve().parents[2] / "shared" / "data"


GOALS = _shared_data() / "phase_one" / "phaseone-goals.csv"


@pytest.mark.shared_data
@pytest.mark.skipif(not GOALS.is_file(), reason=f"Phase One goals not found at {GOALS} (set TRADEWAR_SHARED_DATA)")
def test_phase_one_compliance_matches_the_tracker_data():
    """Observed data: the shipped 2017 base, 2020 purchases and 2020 goals by category are the
    tracker's (phaseone-goals.csv), and the shortfall was uneven: agriculture delivered most
    of its promised increase, energy and manufactured goods little."""
    with GOALS.open(encoding="utf-8") as handle:
        rows = {row["high_catagory"]: row for row in csv.DictReader(handle)}
    names = {"Manufactured goods": "1. Manufactured Goods", "Agriculture": "2. Agriculture", "Energy": "3. Energy"}
    for category in PHASE_ONE_COMPLIANCE:
        row = rows[names[category.name]]
        assert category.base_2017 == float(row["2017 Values"])
        assert category.actual_2020 == float(row["2020 Values"])
        assert category.goal_2020 == float(row["Goals"])
    shares = {c.name: c.share_of_increase for c in PHASE_ONE_COMPLIANCE}
    assert shares["Agriculture"] > 0.4 > 0.1 > max(shares["Energy"], shares["Manufactured goods"])


def test_negotiate_cli_bad_input_is_one_line():
    """Bad input at the command line (issue 15): the same party twice, an unknown card, an
    unknown threat, one party, a party the compact world merges into EU27: exit status 2 and
    one line naming the problem, no traceback. Cost: about 4 s (the last case loads the
    compact world; the others stop before it)."""
    from typer.testing import CliRunner

    from tradewar.cli import app

    cases = [
        (["USA", "USA"], "Talks take two different parties"),
        (["USA", "CHN", "--cards", "tea"], "Unknown card 'tea'; known cards: rare-earths"),
        (["USA", "CHN", "--threat", "bluff"], "--threat must be 'war' or 'status-quo', not 'bluff'"),
        (["USA"], "negotiate takes two parties"),
        (["USA", "CHN", "--cards", "rare-earths", "--points", "1"], "at least 2 points"),
        (["USA", "DEU", "--cards", "none"], "DEU is part of EU27 in this aggregation"),
    ]
    for args, message in cases:
        result = CliRunner().invoke(app, ["negotiate", *args])
        shown = " ".join(result.output.split())  # the console wraps long lines at its width
        assert result.exit_code == 2, (args, result.output)
        assert shown.startswith("error: ") and shown.count("error:") == 1, result.output
        assert message in shown and "Traceback" not in shown, (args, result.output)


def test_footing_records_the_elasticities_it_is_solved_with():
    """Consistency (issue 15 audit): the talks' footing names the elasticity set and horizon of
    the world every point is solved on. london-2025 names none, so the package default
    (``DEFAULT_ELASTICITIES``: fontagne2022, medium) applies, as in ``tradewar simulate``; the
    footing used to record "world's own" and "long". Named ones are recorded as named. Cost:
    about 4 s (two compact worlds prepared)."""
    from tradewar.world.elasticities import DEFAULT_ELASTICITIES

    footing = Footing.from_scenario("london-2025")
    attrs = footing.world.data.attrs
    document = footing.to_dict("USA", "CHN")
    assert (document["elasticities"], document["horizon"]) == (attrs["elasticities"], attrs["horizon"])
    assert {"elasticities": document["elasticities"], "horizon": document["horizon"]} == DEFAULT_ELASTICITIES
    named = Footing.from_scenario("london-2025", elasticities="cp2015", horizon="short")
    assert (named.elasticities, named.horizon) == ("cp2015", "short") == (
        named.world.data.attrs["elasticities"], named.world.data.attrs["horizon"])


def test_lifted_cards_are_named_everywhere(talks):
    """Labels (issue 15 audit): every frontier point and the bargain list the cards they lift
    (export-tax level zero), in agreement with their policy levels, and the terminal table
    writes such a card as "lifted" (not a rounded 0.0). Cost: negligible (the module's talks)."""
    _, result = talks
    document = result.to_dict()
    for point in [*document["frontier"], document["bargain"]]:
        level = point["policy"]["test-card (export tax, %)"]
        assert point["cards_lifted"] == (["test-card"] if abs(level) < 1e-4 else [])
    from tradewar.strategy.negotiation import _policy_text

    assert _policy_text({"C0 on C1": 5.0, "test-card (export tax, %)": 0.0}) == "C0 on C1 5.0, test-card lifted"
    assert _policy_text({"test-card (export tax, %)": "ban"}) == "test-card ban"
    assert _policy_text({"test-card (export tax, %)": 12.34}) == "test-card 12.3"
