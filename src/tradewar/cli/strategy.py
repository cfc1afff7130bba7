"""``tradewar war`` and ``tradewar negotiate``: the tariff war's end point and the deals."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from tradewar.cli.common import (
    ElasticitiesOption,
    HorizonOption,
    RevenueOption,
    SelfContainedOption,
    console,
    fail,
    output_path,
)
from tradewar.errors import TradewarError


def _world(name: str, regions: str | None, splits: list[str], elasticities: str | None = None,
           horizon: str | None = None):
    from tradewar.world.elasticities import with_default_elasticities
    from tradewar.world.library import load_world
    from tradewar.world.splits import apply_split

    world = with_default_elasticities(load_world(name), elasticities, horizon)
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


def _publish(document: dict, kind: str, report: Path | None, as_json: bool, self_contained: bool = False) -> bool:
    """Write the war's or the talks' HTML report when asked, and print the document as JSON with
    ``--json`` (True: printed, the tables are not wanted)."""
    if report is not None:
        from tradewar.report.strategy_html import write_talks_report, write_war_report

        (write_war_report if kind == "war" else write_talks_report)(document, report, self_contained=self_contained)
    if as_json:
        typer.echo(json.dumps(document, indent=2))
    return as_json


def war(
    players: Annotated[list[str], typer.Argument(help="The players, e.g. USA CHN (others keep their tariffs).")],
    sectors: Annotated[bool, typer.Option("--sectors", help="Tariffs by sector instead of one per partner.")] = False,
    world_name: Annotated[str, typer.Option("--world", help="World name or .npz file.")] = "wiod2011",
    regions: Annotated[str | None, typer.Option(help="Aggregate countries first ('compact' recommended).")] = "compact",
    start: Annotated[
        str | None, typer.Option(help="Start from a scenario's tariffs (e.g. london-2025) instead of the baseline.")
    ] = None,
    max_rounds: Annotated[int, typer.Option(help="Most rounds of best responses.")] = 30,
    elasticities: ElasticitiesOption = None,
    horizon: HorizonOption = None,
    revenue: RevenueOption = None,
    deficits: Annotated[str | None, typer.Option(help="Deficits: 'fixed' (default) or 'zero'.")] = None,
    report: Annotated[Path | None, typer.Option(help="Write an HTML report here.")] = None,
    self_contained: SelfContainedOption = False,
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
        from tradewar.policy.validation import check_closure, check_elasticities

        check_elasticities(elasticities, horizon, names=("--elasticities", "--horizon"))
        check_closure(revenue, deficits, names=("--revenue", "--deficits"))
        world = _world(world_name, regions, [], elasticities, horizon)
        unknown = [p for p in players if p not in world.countries]
        if unknown:
            raise typer.BadParameter(f"unknown players {unknown}; the world has {', '.join(world.countries)}")
        game = TariffGame(world, revenue=revenue or "rebate", deficits=deficits or "fixed")
        begin = _status_quo(world_name, regions, start, world)
        with _progress(not as_json) as progress:
            task = progress.add_task("Best responses", total=None)
            result = nash_war(
                game,
                players,
                by_sector=sectors,
                start=begin,
                max_rounds=max_rounds,
                on_round=lambda n, rec: progress.update(
                    task, description=f"Round {n}: largest tariff change {rec['largest_change_pct']:.3f} pts"
                ),
            )
    except (TradewarError, typer.BadParameter, OSError) as error:
        fail(error)
    document = result.to_dict()
    if _publish(document, "war", report, as_json, self_contained):
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
    console.print(f"{len(result.rounds)} rounds, converged: {result.converged}, {result.solves} equilibrium solves; "
                  f"tariff revenue {result.closure['revenue']}, deficits {result.closure['deficits']}.")


def negotiate(
    parties: Annotated[list[str], typer.Argument(help="The two parties, e.g. USA CHN.")],
    threat: Annotated[str, typer.Option(help="'war' (the Nash tariff war) or 'status-quo'.")] = "war",
    cards: Annotated[
        str | None,
        typer.Option(
            help="Cards in play in the status quo and threat: rare-earths, chip-tools, chips "
            "(comma-separated), or none (default: rare-earths and chip-tools, the cards one party "
            "holds against the other; chips, whose split bans every sub-10 nm chip, only when named)."
        ),
    ] = None,
    status_quo: Annotated[
        str, typer.Option("--from", help="The starting policy: a scenario's measures on its date.")
    ] = "london-2025",
    world_name: Annotated[
        str | None, typer.Option("--world", help="World name or .npz file (default: the scenario's).")
    ] = None,
    regions: Annotated[str | None, typer.Option(help="Aggregate countries first.")] = "compact",
    points: Annotated[int, typer.Option(help="Points on the Pareto frontier.")] = 7,
    purchases: Annotated[
        bool,
        typer.Option(
            help="Let the frontier and the bargain use import subsidies (negative "
            "tariffs, down to -30%): the instrument that meets a purchase "
            "commitment."
        ),
    ] = True,
    report: Annotated[Path | None, typer.Option(help="Write an HTML report here.")] = None,
    self_contained: SelfContainedOption = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    elasticities: ElasticitiesOption = None,
    horizon: HorizonOption = None,
    revenue: RevenueOption = None,
    deficits: Annotated[str | None, typer.Option(help="Override deficits: 'fixed' or 'zero'.")] = None,
) -> None:
    """Trade talks: the frontier, the Nash bargain against a threat point, deals ranked, each card's leverage."""
    from tradewar.cli.collector import frozen_imports

    with frozen_imports():  # the talks' stack beyond the war's (scenarios, policy, splits)
        from tradewar.strategy.negotiation import negotiate as run_talks

    try:
        if len(parties) != 2:
            raise typer.BadParameter("negotiate takes two parties, e.g. `tradewar negotiate USA CHN`")
        if threat not in ("war", "status-quo"):
            raise typer.BadParameter(f"--threat must be 'war' or 'status-quo', not {threat!r}")
        from tradewar.policy.validation import check_closure, check_elasticities

        check_elasticities(elasticities, horizon, names=("--elasticities", "--horizon"))
        check_closure(revenue, deficits, names=("--revenue", "--deficits"))
        in_play = None if cards is None else [c.strip() for c in cards.split(",") if c.strip() and c.strip() != "none"]
        with _progress(not as_json) as progress:
            task = progress.add_task("Talks", total=None)
            result = run_talks(parties, threat=threat, cards=in_play, scenario=status_quo, world=world_name,
                               regions=regions, points=points, purchases=purchases, elasticities=elasticities,
                               horizon=horizon, revenue=revenue, deficits=deficits,
                               on_progress=lambda stage: progress.update(task, description=stage))
    except (TradewarError, typer.BadParameter) as error:
        fail(error)
    document = result.to_dict()
    if _publish(document, "talks", report, as_json, self_contained):
        return
    typer.echo(str(result.summary()))
    if not result.bargain.feasible:
        console.print("[yellow]No policy in the talks gives both parties more than the threat point: there is no "
                      "bargain (the closest point found is shown).[/]")
