"""Strategy: exact welfare gradients, best responses, the Nash war, and the bargain."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from tests.conftest import random_world
from tradewar.model.solver import SolverOptions
from tradewar.strategy import TariffGame, best_response, nash_war, tariff_instruments
from tradewar.strategy.talks import PolicySpace, nash_bargain, pareto_frontier
from tradewar.world import World


def symmetric_world() -> World:
    """Two identical countries with two sectors and balanced, identical flows."""
    trade = np.array([[[100.0, 80.0], [20.0, 25.0]], [[20.0, 25.0], [100.0, 80.0]]])
    gamma = np.array([[[0.2, 0.25], [0.3, 0.15]]] * 2)
    return World.from_arrays(
        countries=["A", "B"], sectors=["S0", "S1"], trade=trade, tariff=np.zeros((2, 2, 2)),
        value_added_share=np.array([[0.5, 0.6]] * 2), input_share=gamma,
        final_demand_share=np.array([[0.45, 0.55]] * 2), trade_elasticity=np.array([4.0, 6.0]),
        require_equilibrium=False, name="symmetric",
    ).balanced()


def test_welfare_gradient_is_exact():
    """Identity: the adjoint gradient equals a central finite difference of welfare computed
    with a tight solver tolerance (agreement to 1e-8)."""
    world = random_world(3, 3, 2)
    game = TariffGame(world, options=SolverOptions(tol=1e-13))
    tariff = world.tariff.values + 0.1
    tariff[np.arange(3), np.arange(3), :] = 0
    _, gradient = game.welfare_and_gradient(tariff, game.weights_for("C1"))
    for cell in [(0, 1, 0), (1, 2, 1), (2, 0, 0)]:
        step = np.zeros_like(tariff)
        step[cell] = 1e-5
        central = (game.welfare(tariff + step)[1] - game.welfare(tariff - step)[1]) / 2e-5
        assert gradient[cell] == pytest.approx(central, abs=1e-8)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_optimal_tariff_matches_the_closed_form(seed):
    """Closed form (one sector, two countries, no input-output links, no deficits; Gros 1987,
    Costinot & Rodriguez-Clare 2014): the optimal uniform tariff is the inverse of the
    partner's export-supply elasticity, t* = 1 / (theta * lambda_FF'), with lambda_FF' the
    partner's own expenditure share at the optimum."""
    world = random_world(seed, 2, 1, tariffs=False, io=False).without_deficits()
    game = TariffGame(world)
    response = best_response(game, world.tariff.values, tariff_instruments(world, "C0"))
    own_share = game.result(response.tariff).data["trade_shares_new"].values[1, 1, 0]
    theta = world.trade_elasticity.values[0]
    assert response.values[0] == pytest.approx(1 / (theta * own_share), rel=1e-5)


def test_symmetric_world_has_symmetric_nash_tariffs():
    """Symmetry: identical countries end the war with identical tariffs, sector by sector,
    and the war lowers their joint welfare against free trade."""
    world = symmetric_world()
    game = TariffGame(world)
    war = nash_war(game, ["A", "B"], by_sector=True, tol=1e-7)
    assert war.converged
    tariffs = war.tariffs()
    for sector in ("S0", "S1"):
        assert tariffs["A"]["B"][sector] == pytest.approx(tariffs["B"]["A"][sector], abs=1e-3)
        assert tariffs["A"]["B"][sector] > 1.0  # percent: a real war, not free trade
    free = game.welfare(world.tariff.values)
    at_war = game.welfare(war.tariff)
    assert at_war.sum() < free.sum()


def test_war_lowers_joint_welfare_on_real_data():
    world = random_world(7, 4, 3)
    game = TariffGame(world)
    war = nash_war(game, ["C0", "C1"])
    assert war.converged
    players = [0, 1]
    zero = world.tariff.values.copy()
    zero[0, 1, :] = 0
    zero[1, 0, :] = 0
    assert game.welfare(war.tariff)[players].sum() < game.welfare(zero)[players].sum()


def test_bargain_is_on_the_frontier_and_beats_the_threat():
    """The Nash bargain gives both parties more than the war (threat point), and no
    bilateral tariff pair on a grid (or on the weighted-sum frontier) gives both more."""
    world = symmetric_world()
    game = TariffGame(world)
    war = nash_war(game, ["A", "B"])
    threat = game.welfare(war.tariff)
    space = PolicySpace(game, "A", "B", world.tariff.values)
    bargain = nash_bargain(space, threat)
    assert bargain.feasible
    assert bargain.gains_pct["A"] > 0 and bargain.gains_pct["B"] > 0
    achieved = game.welfare(bargain.tariff)
    first, second = tariff_instruments(world, "A", ["B"]), tariff_instruments(world, "B", ["A"])
    for x in np.linspace(0, 0.3, 7):
        for y in np.linspace(0, 0.3, 7):
            welfare = game.welfare(second.apply(first.apply(world.tariff.values, [x]), [y]))
            assert not np.all(welfare[:2] > achieved[:2] + 1e-9)
    frontier = pareto_frontier(space, points=3)
    assert len(frontier) == 3


def test_war_cli_json(tmp_path):
    report = tmp_path / "war.html"
    result = CliRunner().invoke(__import__("tradewar.cli", fromlist=["app"]).app,
                                ["war", "USA", "CHN", "--json", "--report", str(report)])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert {"players", "rounds", "tariffs", "welfare_pct", "converged"} <= set(document)
    assert document["converged"] is True
    assert document["tariffs"]["USA"]["CHN"] > 0 and document["tariffs"]["CHN"]["USA"] > 0
    assert "Best-response path" in report.read_text()


def test_war_cli_bad_players():
    app = __import__("tradewar.cli", fromlist=["app"]).app
    result = CliRunner().invoke(app, ["war", "USA", "XXX"])
    assert result.exit_code == 2 and "unknown players" in result.output


@pytest.mark.slow  # the whole negotiation (frontier, bargain, deals, a card's leverage): the suite's costliest test
def test_negotiate_cli_json(tmp_path, monkeypatch):
    """``tradewar negotiate USA CHN --threat status-quo --json``: prints exactly the result's
    ``to_dict()``; the documented keys; the bargain beats the threat point for both; every deal
    is flagged; a report is written."""
    from tradewar.strategy.negotiation import NegotiationResult

    app = __import__("tradewar.cli", fromlist=["app"]).app
    documents = []
    to_dict = NegotiationResult.to_dict
    monkeypatch.setattr(NegotiationResult, "to_dict", lambda self: documents.append(to_dict(self)) or documents[-1])
    report = tmp_path / "talks.html"
    result = CliRunner().invoke(app, ["negotiate", "USA", "CHN", "--threat", "status-quo", "--points", "3",
                                      "--cards", "rare-earths", "--json", "--report", str(report)])
    assert result.exit_code == 0, result.output
    assert len(documents) == 1 and result.output == json.dumps(documents[0], indent=2) + "\n"
    document = json.loads(result.output)
    assert {"threat", "frontier", "bargain", "deals", "leverage"} <= set(document)
    assert document["threat"] == "status-quo" and len(document["frontier"]) == 3
    bargain = document["bargain"]
    assert bargain["feasible"] and min(bargain["gains_pct"].values()) > 0
    assert {"policy", "welfare_pct"} <= set(bargain)
    assert all("both_prefer" in deal for deal in document["deals"])
    assert "rare-earths" in document["leverage"]
    moves = document["leverage"]["rare-earths"]["out_of_threat"]["moves_pp"]
    assert set(moves) == {"USA", "CHN"}
    # Labels by party: the truce deal puts 30% on China's goods and 10% on America's.
    truce = [d for d in document["deals"] if d["name"].startswith("USA 30% on CHN, CHN 10% on USA")]
    assert truce and all(d["policy"]["tariffs_pct"] == {"USA on CHN": 30.0, "CHN on USA": 10.0} for d in truce)
    assert document["footing"]["scenario"] == "london-2025" and document["footing"]["date"] == "2025-06-10"
    text = report.read_text()
    assert "Pareto frontier" in text and "Leverage" in text
    bad = CliRunner().invoke(app, ["negotiate", "USA", "CHN", "--threat", "bluff"])
    assert bad.exit_code == 2 and "--threat must be" in bad.output


def test_game_welfare_equals_the_counterfactual_result():
    """Identity: the differentiable restatement gives the same welfare as the engine's
    result object, with tariffs and export taxes."""
    from tradewar import simulate

    world = random_world(9, 4, 3)
    game = TariffGame(world)
    tariff = world.tariff.values.copy()
    tariff[0, 1, :] += 0.3
    tax = np.zeros_like(tariff)
    tax[1, 0, 2] = 0.5
    np.testing.assert_allclose(game.welfare(tariff), simulate(world, tariff=tariff).data["welfare"].values,
                               atol=1e-12)
    np.testing.assert_allclose(game.welfare(tariff, tax),
                               simulate(world, tariff=tariff, export_tax=tax).data["welfare"].values, atol=1e-9)


@pytest.mark.parametrize("revenue, deficits", [("deficit-reduction", "fixed"), ("deficit-reduction", "zero")])
def test_game_follows_the_closure_in_welfare_and_gradients(revenue, deficits):
    """Identities under each closure: the game's welfare (JAX path) equals the engine's result
    solved with the same closure (1e-12), and its adjoint gradient equals a central finite
    difference of that welfare (1e-8); and the closure matters (deficit reduction moves
    welfare away from the rebate's by more than 1e-6). Cost: about 4 s CPU each (the JAX map compiled once per game)."""
    from tradewar import simulate

    world = random_world(5, 3, 2)
    options = SolverOptions(tol=1e-13)
    game = TariffGame(world, revenue=revenue, deficits=deficits, options=options)
    tariff = world.tariff.values + 0.2
    tariff[np.arange(3), np.arange(3), :] = 0
    solved = simulate(world, tariff=tariff, revenue=revenue, deficits=deficits, options=options)
    np.testing.assert_allclose(game.welfare(tariff), solved.data["welfare"].values, atol=1e-12)
    rebate = TariffGame(world, deficits=deficits, options=options).welfare(tariff)
    if revenue == "deficit-reduction":
        assert np.abs(game.welfare(tariff) - rebate).max() > 1e-6
    _, gradient = game.welfare_and_gradient(tariff, game.weights_for("C0"))
    for cell in [(0, 1, 0), (0, 2, 1)]:
        step = np.zeros_like(tariff)
        step[cell] = 1e-5
        central = (game.welfare(tariff + step)[0] - game.welfare(tariff - step)[0]) / 2e-5
        assert gradient[cell] == pytest.approx(central, abs=1e-8)


@pytest.mark.slow  # a whole war on the compact world
def test_war_cli_takes_and_records_the_closure_and_horizon():
    """``tradewar war USA CHN --revenue deficit-reduction --deficits zero --horizon short --json``
    records the closure and the horizon; an unknown closure is a clear error naming the option.
    Cost: about 10 s (a compact-world war at the short horizon)."""
    app = __import__("tradewar.cli", fromlist=["app"]).app
    result = CliRunner().invoke(app, ["war", "USA", "CHN", "--revenue", "deficit-reduction", "--deficits", "zero",
                                      "--horizon", "short", "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["closure"] == {"revenue": "deficit-reduction", "deficits": "zero"}
    assert document["horizon"] == "short" and document["converged"] is True
    bad = CliRunner().invoke(app, ["war", "USA", "CHN", "--revenue", "rebait"])
    assert bad.exit_code == 2 and "--revenue" in bad.output and "rebate" in bad.output
    bad = CliRunner().invoke(app, ["negotiate", "USA", "CHN", "--deficits", "balanced"])
    assert bad.exit_code == 2 and "--deficits" in bad.output
