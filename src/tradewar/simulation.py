"""Scenarios end to end: the world, the policy state on a date, the equilibrium, the result.

Effects are measured against the world's baseline (no trade war) unless the
scenario (or the caller) names another starting point: a date, whose measures
are solved for first, or another scenario. Purchase commitments in force with an
amount are met by the import subsidy that raises the importer's purchases by that
amount a year over what it would buy without them (USD millions of the world's
year; the subsidy and its cost are reported).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import xarray as xr

from tradewar.model.counterfactual import simulate
from tradewar.model.result import CounterfactualResult
from tradewar.model.solver import SolverOptions
from tradewar.model.targets import solve_purchase_commitment
from tradewar.policy.library import load_library, load_scenario
from tradewar.policy.scenario import Scenario
from tradewar.policy.timeline import Timeline, policy_date
from tradewar.world.aggregate import aggregate_policy
from tradewar.world.world import World

__all__ = ["PreparedScenario", "ScenarioRun", "parse_against", "policy_state", "prepare_scenario", "run_scenario"]


@dataclass
class ScenarioRun:
    """A solved scenario: what was assumed and what came out."""

    scenario: Scenario
    world: World
    on: date | None
    tariff: xr.DataArray
    export_tax: xr.DataArray
    against: str
    result: CounterfactualResult
    timeline: Timeline = field(repr=False)
    commitments: list[dict] = field(default_factory=list)
    detailed_world: World | None = field(default=None, repr=False)  # where the measures are defined


def parse_against(value: str | date | None) -> date | str | None:
    """A starting point given as text: a day (YYYY-MM-DD) or a scenario's name or file."""
    if value is None or isinstance(value, date) or value == "":
        return value or None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return value


def _latest_start(timeline: Timeline) -> date | None:
    starts = [m.start for m in timeline.measures]
    return max(starts) if starts else None


def policy_state(
    scenario: Scenario, world: World, library: Timeline | None
) -> tuple[xr.DataArray, xr.DataArray, date | None, Timeline]:
    """The tariffs and export taxes a scenario puts in force on its world.

    With a ``date``: the library's and the scenario's measures in force that day.
    Without: the scenario's own measures only, on the day the last of them starts.
    """
    timeline = scenario.timeline(library if scenario.date is not None else None)
    scenario.check_world(world, library if scenario.date is not None else None)
    on = scenario.date or _latest_start(timeline)
    if on is None:
        return world.tariff.copy(), world.export_tax.copy(), None, timeline
    return timeline.tariff_on(on, world), timeline.export_tax_on(on, world), on, timeline


@dataclass
class PreparedScenario:
    """What a scenario puts in force, on the world it is solved on (before solving)."""

    scenario: Scenario
    detailed_world: World  # where the measures are defined
    world: World  # aggregated as the scenario says
    on: date | None
    timeline: Timeline
    tariff: xr.DataArray
    export_tax: xr.DataArray
    start: tuple[xr.DataArray, xr.DataArray] | None  # tariffs and export taxes to measure from
    against: str
    commitments: tuple[tuple[str, str, list[str], float, str], ...]  # importer, exporter, sectors, amount, id


def prepare_scenario(
    scenario: Scenario | str,
    *,
    against: str | date | None = None,
    library: Timeline | None = None,
    extra_tariff=None,
) -> PreparedScenario:
    """The world, policies and starting point of a scenario, ready to solve."""
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    library = library if library is not None else load_library()
    # Measures are defined on the detailed world; an aggregated world gets their
    # trade-weighted averages (the same weights as its own tariffs).
    detailed = scenario.load_detailed_world()
    world = scenario.aggregate_world(detailed)

    def on_world(tariff, export_tax):
        if world is detailed:
            return tariff, export_tax
        spec = scenario.aggregate
        return (
            aggregate_policy(detailed, tariff, "tariff", spec.regions, spec.sectors),
            aggregate_policy(detailed, export_tax, "export_tax", spec.regions, spec.sectors),
        )

    tariff_detailed, tax_detailed, on, timeline = policy_state(scenario, detailed, library)
    tariff, export_tax = on_world(tariff_detailed, tax_detailed)
    if extra_tariff is not None:
        tariff = extra_tariff(world, tariff)
    start_point = against if against is not None else scenario.against
    # A world whose baseline holds the measures of its policy date (icio2022: 2022-07-01) starts
    # there: the timeline adds only the change since that day (Timeline.tariff_on).
    since = policy_date(detailed)
    start, label = None, "baseline (no trade war)"
    if since is not None:
        label = f"{detailed.name}'s baseline: the measures in force on {since.isoformat()} (its policy date)"
    if isinstance(start_point, date):
        start = on_world(timeline.tariff_on(start_point, detailed), timeline.export_tax_on(start_point, detailed))
        label = f"the measures in force on {start_point.isoformat()} (on {detailed.name})"
    elif start_point is not None:
        other = load_scenario(start_point)
        other_tariff, other_tax, other_on, _ = policy_state(other, detailed, library)
        start = on_world(other_tariff, other_tax)
        label = f"scenario {other.name}" + (f" ({other_on.isoformat()})" if other_on else "") + f" (on {detailed.name})"
    commitments = []
    for entry in timeline.in_force(on).purchase_commitments if on is not None else ():
        measure = entry.measure
        if entry.applies and measure.amount_usd_mn:
            sectors = list({"goods": world.goods, "all": world.sectors}.get(measure.sectors, measure.sectors))
            commitments.append((measure.importer, measure.exporter, sectors, measure.amount_usd_mn, measure.id))
    return PreparedScenario(scenario, detailed, world, on, timeline, tariff, export_tax, start, label,
                            tuple(commitments))


def run_scenario(
    scenario: Scenario | str,
    *,
    against: str | date | None = None,
    library: Timeline | None = None,
    extra_tariff=None,
    options: SolverOptions | None = None,
    on_iteration=None,
) -> ScenarioRun:
    """Solve a scenario (a :class:`Scenario` or a built-in name / file path).

    ``against`` overrides the scenario's own: a date or another scenario to measure
    from (default: the world's baseline). ``extra_tariff(world, tariff)`` may add
    changes on top (used by the command line's ``--tariff``).
    """
    prepared = prepare_scenario(scenario, against=against, library=library, extra_tariff=extra_tariff)
    world, tariff, export_tax = prepared.world, prepared.tariff, prepared.export_tax
    if prepared.scenario.deficits == "zero":
        world = world.without_deficits(options)
    if prepared.start is not None:
        # A ban at the starting point stays a zero flow (exact hat algebra cannot revive it).
        start_tariff, start_tax = prepared.start
        world = simulate(world, tariff=start_tariff, export_tax=start_tax, options=options).new_world()
    result = simulate(world, tariff=tariff, export_tax=export_tax, options=options, on_iteration=on_iteration)
    commitments = []
    for importer, exporter, sectors, amount, measure_id in prepared.commitments:
        # "+V over what it would buy anyway": the flow without the commitment, plus V a year.
        cells = {"importer": importer, "exporter": exporter, "sector": sectors}
        before = float(result.data["trade_new"].sel(cells).sum())
        deal = solve_purchase_commitment(
            world, importer=importer, exporter=exporter, sectors=sectors, target_usd_mn=before + amount,
            tariff=tariff, export_tax=export_tax, options=options,
        )
        result = deal.result
        tariff = world.tariff.copy(data=deal.result.data["tariff_new"].values)
        commitments.append({"id": measure_id, "importer": importer, "exporter": exporter,
                            "target_usd_mn": deal.target, "import_subsidy": deal.rate,
                            "cost_usd_mn": deal.cost_usd_mn})
    return ScenarioRun(scenario=prepared.scenario, world=world, on=prepared.on, tariff=tariff, export_tax=export_tax,
                       against=prepared.against, result=result, timeline=prepared.timeline, commitments=commitments,
                       detailed_world=prepared.detailed_world)
