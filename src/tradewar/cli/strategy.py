"""``tradewar war`` and ``tradewar negotiate``: the tariff war's end point and the deals."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from tradewar.cli.common import console, fail, output_path
from tradewar.errors import TradewarError

# A country's card: an export ban, as (exporter, importer, product carved out by the split).
CARDS = {
    "rare-earths": ("CHN", "USA", "Rare earths", "rare-earths"),
    "chips": ("USA", "CHN", "Advanced chips", "advanced-chips"),
}


def _world(name: str, regions: str | None, splits: list[str]):
    from tradewar.world.library import load_world
    from tradewar.world.splits import apply_split

    world = load_world(name)
    if regions:
        world = world.aggregate(regions=regions)
    for split in splits:
        world = apply_split(world, split)
    return world


def _status_quo(world_name, regions, scenario: str | None, world):
    """Tariffs of a scenario's date on ``world`` (measures defined on the detailed world)."""
    if scenario is None:
        return world.tariff.values.copy()
    from tradewar.simulation import ScenarioOverrides, prepare_scenario

    # The one scenario pipeline, with the game's world and regions as overrides. Only the policy
    # is needed, not its equilibrium; the game's world may carry split-out sectors the
    # scenario's world lacks (they keep their baseline tariffs).
    in_force = prepare_scenario(scenario, overrides=ScenarioOverrides(world=world_name, regions=regions)).tariff
    tariff = world.tariff.copy()
    tariff.loc[dict(importer=in_force.importer, exporter=in_force.exporter, sector=in_force.sector)] = in_force
    return tariff.values


def _progress(enabled: bool):
    return Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console,
                    transient=True, disable=not enabled)


def war(
    players: Annotated[list[str], typer.Argument(help="The players, e.g. USA CHN (others keep their tariffs).")],
    sectors: Annotated[bool, typer.Option("--sectors", help="Tariffs by sector instead of one per partner.")] = False,
    world_name: Annotated[str, typer.Option("--world", help="World name or .npz file.")] = "wiod2011",
    regions: Annotated[str | None, typer.Option(help="Aggregate countries first ('compact' recommended).")] = "compact",
    start: Annotated[str | None, typer.Option(help="Start from a scenario's tariffs (e.g. london-2025) instead of the baseline.")] = None,
    max_rounds: Annotated[int, typer.Option(help="Most rounds of best responses.")] = 30,
    report: Annotated[Path | None, typer.Option(help="Write an HTML report here.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """The tariff war's Nash equilibrium by iterated best responses (exact welfare gradients)."""
    from tradewar.strategy import TariffGame, nash_war

    try:
        if len(players) < 2:
            raise typer.BadParameter("a war needs at least two players, e.g. `tradewar war USA CHN`")
        twice = sorted({p for p in players if players.count(p) > 1})
        if twice:
            raise typer.BadParameter(f"{', '.join(twice)} named more than once: a war needs two different players, "
                                     "e.g. `tradewar war USA CHN`")
        if report is not None:
            report = output_path(report, "--report")
        world = _world(world_name, regions, [])
        unknown = [p for p in players if p not in world.countries]
        if unknown:
            raise typer.BadParameter(f"unknown players {unknown}; the world has {', '.join(world.countries)}")
        game = TariffGame(world)
        begin = _status_quo(world_name, regions, start, world)
        with _progress(not as_json) as progress:
            task = progress.add_task("Best responses", total=None)
            result = nash_war(game, players, by_sector=sectors, start=begin, max_rounds=max_rounds,
                              on_round=lambda n, rec: progress.update(
                                  task, description=f"Round {n}: largest tariff change {rec['largest_change_pct']:.3f} pts"))
    except (TradewarError, typer.BadParameter, OSError) as error:
        fail(error)
    document = result.to_dict()
    if report is not None:
        from tradewar.report.strategy_html import write_war_report

        write_war_report(document, report)
    if as_json:
        typer.echo(json.dumps(document, indent=2))
        return
    table = Table(title=f"Nash tariffs ({'by sector, mean' if sectors else 'uniform'}), %")
    table.add_column("Player")
    table.add_column("On")
    table.add_column("Tariff", justify="right")
    for player, entry in document["tariffs"].items():
        for partner, value in entry.items():
            shown = value if not isinstance(value, dict) else sum(value.values()) / len(value)
            table.add_row(player, partner, f"{shown:.2f}")
    console.print(table)
    welfare = Table(title="Welfare at the end of the war vs the start, %")
    welfare.add_column("Country")
    welfare.add_column("Welfare", justify="right")
    for country, value in sorted(document["welfare_pct"].items(), key=lambda kv: kv[1]):
        welfare.add_row(country, f"{value:+.3f}")
    console.print(welfare)
    console.print(f"{len(result.rounds)} rounds, converged: {result.converged}, {result.solves} equilibrium solves.")


def _deal_policy(world, base, a, b, tariffs_pct: dict[str, float], lifted: list[str], cards: list[str]):
    """Tariff tensor and export taxes of a deal: uniform goods tariffs above the baseline each way."""
    tariff = base.copy()
    goods = [world.sectors.index(s) for s in world.goods]
    i, k = world.countries.index(a), world.countries.index(b)
    for (importer, exporter), pct in ((( i, k), tariffs_pct.get(f"{a} on {b}")), ((k, i), tariffs_pct.get(f"{b} on {a}"))):
        if pct is not None:
            tariff[importer, exporter, goods] = world.tariff.values[importer, exporter, goods] + pct / 100
    return tariff, _bans(world, [c for c in cards if c not in lifted])


def _bans(world, cards: list[str]) -> np.ndarray:
    tax = np.zeros_like(world.tariff.values)
    for card in cards:
        exporter, importer, sector, _ = CARDS[card]
        tax[world.countries.index(importer), world.countries.index(exporter), world.sectors.index(sector)] = np.inf
    return tax


def negotiate(
    parties: Annotated[list[str], typer.Argument(help="The two parties, e.g. USA CHN.")],
    threat: Annotated[str, typer.Option(help="'war' (the Nash tariff war) or 'status-quo'.")] = "war",
    cards: Annotated[str, typer.Option(help="Cards in play in the status quo and threat: rare-earths, chips (comma-separated), or none.")] = "rare-earths,chips",
    status_quo: Annotated[str, typer.Option("--from", help="The status quo: a scenario's tariffs.")] = "london-2025",
    world_name: Annotated[str, typer.Option("--world", help="World name or .npz file.")] = "wiod2011",
    regions: Annotated[str | None, typer.Option(help="Aggregate countries first.")] = "compact",
    points: Annotated[int, typer.Option(help="Points on the Pareto frontier.")] = 9,
    purchases: Annotated[bool, typer.Option(help="Let the frontier and the bargain use import subsidies (negative "
                                                  "tariffs, down to -30%): the instrument that meets a purchase "
                                                  "commitment.")] = True,
    report: Annotated[Path | None, typer.Option(help="Write an HTML report here.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Trade talks: the frontier, the Nash bargain against a threat point, and deals ranked."""
    from tradewar.model.counterfactual import simulate
    from tradewar.model.targets import solve_purchase_commitment
    from tradewar.strategy import TariffGame, nash_war
    from tradewar.strategy.talks import nash_bargain, pareto_frontier, rank_deals

    try:
        if len(parties) != 2:
            raise typer.BadParameter("negotiate takes two parties, e.g. `tradewar negotiate USA CHN`")
        if threat not in ("war", "status-quo"):
            raise typer.BadParameter(f"--threat must be 'war' or 'status-quo', not {threat!r}")
        in_play = [c.strip() for c in cards.split(",") if c.strip() and c.strip() != "none"]
        unknown = [c for c in in_play if c not in CARDS]
        if unknown:
            raise typer.BadParameter(f"unknown cards {unknown}; known: {', '.join(CARDS)}")
        a, b = parties
        world = _world(world_name, regions, [CARDS[c][3] for c in in_play])
        bad = [p for p in parties if p not in world.countries]
        if bad:
            raise typer.BadParameter(f"unknown parties {bad}; the world has {', '.join(world.countries)}")
        base = _status_quo(world_name, regions, status_quo, world)
        game = TariffGame(world)
        with _progress(not as_json) as progress:
            task = progress.add_task("Status quo and threat point", total=None)
            idx = [world.countries.index(a), world.countries.index(b)]

            def welfare_with(tariff, bans):
                result = simulate(world, tariff=tariff, export_tax=bans)
                return result.data["welfare"].values

            sq_welfare = welfare_with(base, _bans(world, in_play))
            threat_tariff = nash_war(game, [a, b], start=base).tariff if threat == "war" else base
            threat_welfare = welfare_with(threat_tariff, _bans(world, in_play))
            # Cards are negotiable too: each is an export-tax level on its flow (0 = lifted).
            card_masks = []
            for card in in_play:
                exporter, importer, sector, _ = CARDS[card]
                mask = np.zeros(world.tariff.shape, dtype=bool)
                mask[world.countries.index(importer), world.countries.index(exporter), world.sectors.index(sector)] = True
                card_masks.append((card, mask))
            progress.update(task, description="Pareto frontier")
            tariff_bounds = (-0.3 if purchases else 0.0, 3.0)
            frontier = pareto_frontier(game, a, b, world.tariff.values, points=points, cards=card_masks,
                                       bounds=tariff_bounds)
            progress.update(task, description="Nash bargain")
            bargain = nash_bargain(game, a, b, world.tariff.values, threat_welfare, cards=card_masks,
                                   bounds=tariff_bounds)
            progress.update(task, description="Leverage of each card")
            leverage = {}
            for card in in_play:
                without = welfare_with(threat_tariff, _bans(world, [c for c in in_play if c != card]))
                moved = nash_bargain(game, a, b, world.tariff.values, without, cards=card_masks, bounds=tariff_bounds)
                leverage[card] = {"holder": CARDS[card][0], "bargain_without_card": moved.tariffs_pct,
                                  "welfare_pct_without_card": moved.welfare_pct, "feasible": moved.feasible}
            progress.update(task, description="Deals")
            packages = [
                ("status quo", {}, []),
                ("US 30 / China 10", {f"{a} on {b}": 30.0, f"{b} on {a}": 10.0}, []),
                ("US 30 / China 10, cards lifted", {f"{a} on {b}": 30.0, f"{b} on {a}": 10.0}, in_play),
                ("US 10 / China 10, cards lifted", {f"{a} on {b}": 10.0, f"{b} on {a}": 10.0}, in_play),
                ("free trade, cards lifted", {f"{a} on {b}": 0.0, f"{b} on {a}": 0.0}, in_play),
            ]
            evaluated = []
            for name, tariffs_pct, lifted in packages:
                tariff, bans = _deal_policy(world, base, a, b, tariffs_pct, lifted, in_play)
                welfare = welfare_with(tariff, bans)
                evaluated.append({"name": name, "policy": {"tariffs_pct": tariffs_pct, "cards_lifted": lifted},
                                  "welfare_pct": {a: 100 * float(welfare[idx[0]] - 1), b: 100 * float(welfare[idx[1]] - 1)}})
            # The same deal with the cards lifted, plus a purchase commitment met by an import subsidy.
            tariff, _ = _deal_policy(world, base, a, b, {f"{a} on {b}": 30.0, f"{b} on {a}": 10.0}, in_play, in_play)
            # "+50 bn" over what it would buy under the same tariffs, as for the library's commitments.
            cells = dict(importer=b, exporter=a, sector=world.goods)
            flow = float(simulate(world, tariff=tariff).data["trade_new"].sel(cells).sum())
            purchase = solve_purchase_commitment(world, importer=b, exporter=a, sectors="goods",
                                                 target_usd_mn=flow + 50_000, tariff=world.tariff.copy(data=tariff))
            welfare = purchase.result.data["welfare"].values
            evaluated.append({"name": f"US 30 / China 10, cards lifted, {b} buys +50 bn",
                              "policy": {"tariffs_pct": {f"{a} on {b}": 30.0, f"{b} on {a}": 10.0},
                                         "cards_lifted": in_play, "purchases_usd_mn": 50_000,
                                         "import_subsidy": purchase.rate},
                              "welfare_pct": {a: 100 * float(welfare[idx[0]] - 1), b: 100 * float(welfare[idx[1]] - 1)}})
    except (TradewarError, typer.BadParameter) as error:
        fail(error)
    status = {a: 100 * float(sq_welfare[idx[0]] - 1), b: 100 * float(sq_welfare[idx[1]] - 1)}
    document = {
        "parties": [a, b],
        "threat": threat,
        "cards": in_play,
        "status_quo": status_quo,
        "status_quo_welfare_pct": status,
        "threat_welfare_pct": {a: 100 * float(threat_welfare[idx[0]] - 1), b: 100 * float(threat_welfare[idx[1]] - 1)},
        "frontier": [{"weight": p.weight, "policy": p.tariffs_pct, "welfare_pct": p.welfare_pct} for p in frontier],
        "bargain": {"policy": bargain.tariffs_pct, "welfare_pct": bargain.welfare_pct, "gains_pct": bargain.gains_pct,
                    "feasible": bargain.feasible},
        "leverage": leverage,
        "deals": rank_deals(evaluated, a, b, status),
        "world": world.name,
        "policy_note": "tariffs are uniform levels on goods each way (negative = an import subsidy, the "
                       "instrument that meets a purchase commitment); card levels are export-tax equivalents "
                       "(0 = lifted)",
    }
    if report is not None:
        from tradewar.report.strategy_html import write_talks_report

        write_talks_report(document, report)
    if as_json:
        typer.echo(json.dumps(document, indent=2))
        return
    console.print(f"[bold]Talks between {a} and {b}[/] on {world.name}; status quo {status_quo}; cards {in_play or 'none'}.")
    console.print(f"Threat point ({threat}): {a} {document['threat_welfare_pct'][a]:+.3f}%, {b} {document['threat_welfare_pct'][b]:+.3f}%"
                  f"; status quo: {a} {status[a]:+.3f}%, {b} {status[b]:+.3f}% (welfare vs no trade war).")
    if bargain.feasible:
        console.print("Nash bargain: " + ", ".join(f"{k} {v:.2f}%" for k, v in bargain.tariffs_pct.items())
                      + " -> " + ", ".join(f"{k} {v:+.3f}%" for k, v in bargain.welfare_pct.items()))
    else:
        console.print("[yellow]No bilateral tariffs give both parties more than the threat point: there is no "
                      "bargain (the closest point found is in the JSON output).[/]")
    table = Table(title="Deals ranked by joint gain over the status quo (welfare, % vs no trade war)")
    for column in ("Deal", a, b, "Both prefer"):
        table.add_column(column, justify="left" if column == "Deal" else "right")
    for deal in document["deals"]:
        table.add_row(deal["name"], f"{deal['welfare_pct'][a]:+.3f}", f"{deal['welfare_pct'][b]:+.3f}",
                      "yes" if deal["both_prefer"] else "no")
    console.print(table)
    for card, info in leverage.items():
        verdict = "the bargain is" if info["feasible"] else "no bargain; the closest point is"
        console.print(f"Without {info['holder']}'s {card} card in the threat, {verdict} "
                      + ", ".join(f"{k} {v:.2f}%" for k, v in info["bargain_without_card"].items()))
