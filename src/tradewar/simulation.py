"""Scenarios end to end: the world, the policy state on a date, the equilibrium, the result.

This is the one pipeline every path uses (the command line, the web API, Monte Carlo,
sweeps, the starting points of ``war`` and ``negotiate``): :func:`prepare_scenario`
applies a scenario's :class:`ScenarioOverrides` (world, aggregation, deficits, starting
point, extra tariffs) in one place and reads its policy; :func:`solve_policy` solves
it; :func:`run_scenario` does both.

Effects are measured against the world's baseline (no trade war) unless the
scenario (or the caller) names another starting point: a date, whose measures
are solved for first, or another scenario. Purchase commitments in force with an
amount are met by the import subsidy that raises the importer's purchases by that
amount a year over what it would buy without them (USD millions of the world's
year; the subsidy and its cost are reported).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field
from datetime import date

import pandas as pd
import xarray as xr

from tradewar.model.counterfactual import simulate
from tradewar.model.result import SIDES, CounterfactualResult
from tradewar.model.solver import SolverOptions
from tradewar.model.targets import solve_purchase_commitment
from tradewar.policy.library import load_library, load_scenario
from tradewar.policy.scenario import AggregateSpec, ReportSpec, Scenario
from tradewar.policy.timeline import AGGREGATES, Timeline, policy_date
from tradewar.policy.validation import (
    TariffChange,
    apply_tariff_changes,
    check_choice,
    check_closure,
    check_elasticities,
)
from tradewar.policy.validation import parse_against as _parse_against
from tradewar.results import ArrayResult, Summary
from tradewar.world.aggregate import REGION_GROUPINGS, SECTOR_GROUPINGS, aggregate_policy
from tradewar.world.world import World

__all__ = ["PreparedScenario", "ScenarioOverrides", "ScenarioRun", "parse_against", "policy_state",
           "prepare_scenario", "run_scenario", "solve_policy"]

BASELINE_LABEL = "baseline (no trade war)"


def parse_against(value: str | date | None) -> date | str | None:
    """A starting point given as text: a day (YYYY-MM-DD, checked) or a scenario's name or file."""
    return _parse_against(value)


@dataclass(frozen=True)
class ScenarioOverrides:
    """Changes to a scenario asked for by its user (``tradewar simulate`` options, a sweep's
    parameters, a web request), applied in one place by :func:`prepare_scenario`.

    ``world``: another world (name or file); ``regions`` / ``sectors``: a built-in grouping
    (aggregate the world first); ``deficits``: "fixed" or "zero"; ``against``: the starting
    point (a day or another scenario) instead of the scenario's own; ``tariffs``: tariff
    changes added on top of the scenario's policy (:class:`~tradewar.policy.validation.TariffChange`);
    ``revenue``: "rebate" or "deficit-reduction" (the closure for tariff revenue);
    ``elasticities`` / ``horizon``: a named elasticity set and horizon
    (:func:`~tradewar.world.elasticities.with_elasticities`), applied to the detailed world;
    ``tariff_aggregate``: how partial tariff layers become sector rates, "model" (line by line,
    theta-consistent: the default) or "trade-weighted" (the trackers' statistic; see
    :meth:`~tradewar.policy.timeline.Timeline.tariff_on`); ``splits``: the critical products carved
    out of the world (built-in names of ``data/splits``, with their nested-CES and scarce-supply
    tables) instead of the scenario's own (``()`` removes them).
    """

    world: str | None = None
    regions: str | None = None
    sectors: str | None = None
    deficits: str | None = None
    against: date | str | None = None
    tariffs: tuple[TariffChange, ...] = ()
    revenue: str | None = None
    elasticities: str | None = None
    horizon: str | None = None
    tariff_aggregate: str | None = None
    splits: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if self.regions is not None:
            check_choice(self.regions, list(REGION_GROUPINGS), "regions")
        if self.sectors is not None:
            check_choice(self.sectors, list(SECTOR_GROUPINGS), "sectors")
        check_closure(self.revenue, self.deficits)
        check_elasticities(self.elasticities, self.horizon)
        if self.tariff_aggregate is not None:
            check_choice(self.tariff_aggregate, list(AGGREGATES), "tariff_aggregate")
        if self.splits is not None:
            object.__setattr__(self, "splits", tuple(self.splits))
        object.__setattr__(self, "against", parse_against(self.against))
        object.__setattr__(self, "tariffs", tuple(self.tariffs))

    def __bool__(self) -> bool:
        return any((self.world, self.regions, self.sectors, self.deficits, self.against, self.tariffs, self.revenue,
                    self.elasticities, self.horizon, self.tariff_aggregate)) or self.splits is not None

    def apply(self, scenario: Scenario) -> Scenario:
        """The scenario with its world, aggregation and deficits overridden (the starting point
        and tariffs are applied to its policy by :func:`prepare_scenario`)."""
        update: dict = {}
        if self.world:
            update["world"] = self.world
        if self.regions or self.sectors:
            update["aggregate"] = AggregateSpec(regions=self.regions, sectors=self.sectors)
        if self.world or self.regions:
            # The scenario's report list names countries of its own world; they may not exist here.
            update["report"] = ReportSpec()
        for key in ("deficits", "revenue", "elasticities", "horizon"):
            if getattr(self, key):
                update[key] = getattr(self, key)
        if self.splits is not None:
            update["splits"] = self.splits
        return scenario.model_copy(update=update) if update else scenario

    def to_dict(self) -> dict:
        """The overrides given (for ``--json``, reports and run indexes)."""
        document = {
            key: getattr(self, key)
            for key in ("world", "regions", "sectors", "deficits", "revenue", "elasticities", "horizon",
                        "tariff_aggregate")
            if getattr(self, key)
        }
        if self.splits is not None:
            document["splits"] = list(self.splits)
        if self.against is not None:
            document["against"] = self.against.isoformat() if isinstance(self.against, date) else self.against
        if self.tariffs:
            document["tariffs"] = [change.to_dict() for change in self.tariffs]
        return document

    def tag(self) -> str:
        """A short content hash (empty without overrides): keeps an overridden run's default
        report file apart from the scenario's own."""
        if not self:
            return ""
        return hashlib.sha256(json.dumps(self.to_dict(), sort_keys=True).encode()).hexdigest()[:8]


def _latest_start(timeline: Timeline) -> date | None:
    starts = [m.start for m in timeline.measures]
    return max(starts) if starts else None


def policy_state(
    scenario: Scenario, world: World, library: Timeline | None, aggregate: str = "model"
) -> tuple[xr.DataArray, xr.DataArray, date | None, Timeline]:
    """The tariffs and export taxes a scenario puts in force on its world.

    With a ``date``: the library's and the scenario's measures in force that day.
    Without: the scenario's own measures only, on the day the last of them starts.
    ``aggregate`` is how partial layers become sector rates (:meth:`Timeline.tariff_on`).
    """
    timeline = scenario.timeline(library if scenario.date is not None else None)
    scenario.check_world(world, library if scenario.date is not None else None)
    on = scenario.date or _latest_start(timeline)
    if on is None:
        return world.tariff.copy(), world.export_tax.copy(), None, timeline
    return timeline.tariff_on(on, world, aggregate), timeline.export_tax_on(on, world), on, timeline


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
    overrides: ScenarioOverrides = field(default_factory=ScenarioOverrides)

    @property
    def name(self) -> str:
        """The scenario's name."""
        return self.scenario.name

    def solve(self, options: SolverOptions | None = None, on_iteration=None) -> ScenarioRun:
        """The scenario's equilibrium (see :func:`solve_policy`)."""
        result, world, tariff, commitments = solve_policy(
            self.world, self.tariff, self.export_tax, deficits=self.scenario.deficits, revenue=self.scenario.revenue,
            start=self.start,
            commitments=self.commitments, options=options, on_iteration=on_iteration)
        return ScenarioRun(scenario=self.scenario, world=world, on=self.on, tariff=tariff, export_tax=self.export_tax,
                           against=self.against, result=result, timeline=self.timeline, commitments=commitments,
                           detailed_world=self.detailed_world, overrides=self.overrides)


def prepare_scenario(
    scenario: Scenario | str,
    *,
    overrides: ScenarioOverrides | None = None,
    against: str | date | None = None,
    library: Timeline | None = None,
) -> PreparedScenario:
    """The world, policies and starting point of a scenario, ready to solve.

    ``overrides`` change the scenario as its user asked (see :class:`ScenarioOverrides`);
    ``against`` is a shorthand for ``overrides.against``.
    """
    overrides = overrides or ScenarioOverrides()
    if against is not None:
        overrides = dataclasses.replace(overrides, against=against)
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    scenario = overrides.apply(scenario)
    library = library if library is not None else load_library()
    # Measures are defined on the detailed world; an aggregated world gets their
    # trade-weighted averages (the same weights as its own tariffs).
    detailed = scenario.load_detailed_world()
    world = scenario.aggregate_world(detailed)

    def on_world(tariff, export_tax):
        spec = scenario.aggregate
        if world is detailed or spec is None:  # not aggregated
            return tariff, export_tax
        return (
            aggregate_policy(detailed, tariff, "tariff", spec.regions, spec.sectors),
            aggregate_policy(detailed, export_tax, "export_tax", spec.regions, spec.sectors),
        )

    aggregate = overrides.tariff_aggregate or "model"
    tariff_detailed, tax_detailed, on, timeline = policy_state(scenario, detailed, library, aggregate)
    tariff, export_tax = on_world(tariff_detailed, tax_detailed)
    tariff = apply_tariff_changes(world, tariff, overrides.tariffs)
    start_point = overrides.against if overrides.against is not None else scenario.against
    # A world whose baseline holds the measures of its policy date (icio2022: 2022-07-01) starts
    # there: the timeline adds only the change since that day (Timeline.tariff_on).
    since = policy_date(detailed)
    start, label = None, BASELINE_LABEL
    if since is not None:
        label = f"{detailed.name}'s baseline: the measures in force on {since.isoformat()} (its policy date)"
    if isinstance(start_point, date):
        start = on_world(timeline.tariff_on(start_point, detailed, aggregate),
                         timeline.export_tax_on(start_point, detailed))
        label = f"the measures in force on {start_point.isoformat()} (on {detailed.name})"
    elif start_point is not None:
        other = load_scenario(start_point)
        other_tariff, other_tax, other_on, _ = policy_state(other, detailed, library, aggregate)
        start = on_world(other_tariff, other_tax)
        label = f"scenario {other.name}" + (f" ({other_on.isoformat()})" if other_on else "") + f" (on {detailed.name})"
    commitments = []
    for entry in timeline.in_force(on).purchase_commitments if on is not None else ():
        measure = entry.measure
        if entry.applies and measure.amount_usd_mn:
            named = {"goods": world.goods, "all": world.sectors}  # the keywords of a sector list
            sectors = list(named[measure.sectors] if isinstance(measure.sectors, str) else measure.sectors)
            commitments.append((measure.importer, measure.exporter, sectors, measure.amount_usd_mn, measure.id))
    return PreparedScenario(scenario, detailed, world, on, timeline, tariff, export_tax, start, label,
                            tuple(commitments), overrides)


def solve_policy(
    world: World,
    tariff,
    export_tax=None,
    *,
    deficits: str = "fixed",
    revenue: str = "rebate",
    start: tuple | None = None,
    commitments: tuple = (),
    trade_cost_change=None,
    options: SolverOptions | None = None,
    on_iteration=None,
) -> tuple[CounterfactualResult, World, xr.DataArray, list[dict]]:
    """Solve a policy on a world: the zero-deficit baseline (``deficits="zero"``), the
    starting point ``start`` (tariffs and export taxes measured from), the policy, then each
    purchase commitment ``(importer, exporter, sectors, amount_usd_mn, id)``.

    ``revenue`` is the closure for tariff revenue (``"rebate"`` or ``"deficit-reduction"``),
    the same for the starting point and the policy.

    Returns the result, the world it is measured from, the tariffs in force (with the
    commitments' import subsidies) and what each commitment took.
    """
    if deficits == "zero":
        world = world.without_deficits(options)
    if start is not None:
        # A ban at the starting point stays a zero flow (exact hat algebra cannot revive it).
        world = simulate(world, tariff=start[0], export_tax=start[1], revenue=revenue, options=options).new_world()
    # Zero deficits were imposed above: the shock keeps them fixed at zero.
    result = simulate(world, tariff=tariff, export_tax=export_tax, trade_cost_change=trade_cost_change,
                      revenue=revenue, options=options, on_iteration=on_iteration)
    met = []
    for importer, exporter, sectors, amount, measure_id in commitments:
        # "+V over what it would buy anyway": the flow without the commitment, plus V a year.
        cells = {"importer": importer, "exporter": exporter, "sector": sectors}
        before = float(result.data["trade_new"].sel(cells).sum())
        deal = solve_purchase_commitment(
            world, importer=importer, exporter=exporter, sectors=sectors, target_usd_mn=before + amount,
            tariff=tariff, export_tax=export_tax, revenue=revenue, options=options,
        )
        result = deal.result
        tariff = world.tariff.copy(data=deal.result.data["tariff_new"].values)
        met.append({"id": measure_id, "importer": importer, "exporter": exporter, "target_usd_mn": deal.target,
                    "import_subsidy": deal.rate, "cost_usd_mn": deal.cost_usd_mn})
    # The closure that produced the numbers: with "zero" the baseline was re-solved without
    # deficits above and the shock kept them at zero (the result itself saw a fixed-deficit solve).
    result.deficits = deficits
    return result, world, tariff, met


@dataclass(repr=False)
class ScenarioRun(ArrayResult):
    """A solved scenario: what was assumed (overrides included) and what came out (the results
    protocol of :mod:`tradewar.results`; :meth:`to_dict` is what ``tradewar simulate --json`` prints)."""

    scenario: Scenario
    world: World  # the world the effects are measured from (named in every output)
    on: date | None
    tariff: xr.DataArray
    export_tax: xr.DataArray
    against: str
    result: CounterfactualResult
    timeline: Timeline = field(repr=False)
    commitments: list[dict] = field(default_factory=list)
    detailed_world: World | None = field(default=None, repr=False)  # where the measures are defined
    overrides: ScenarioOverrides = field(default_factory=ScenarioOverrides)

    @property
    def extra_tariffs(self) -> tuple[TariffChange, ...]:
        """Tariff changes added on top of the scenario's policy (``--tariff``, the API's ``tariffs``)."""
        return self.overrides.tariffs

    def elasticity_choice(self) -> dict:
        """The elasticity set, horizon and labour closure the numbers were solved with (``elasticities``,
        ``horizon``, ``labour``: "mobile", or "sector-specific" with the share of labour tied to sectors)."""
        attrs = self.world.data.attrs
        labour = str(attrs.get("labour") or "mobile")
        if labour != "mobile":
            labour = f"{labour} (s = {float(attrs.get('specific_labour_share', 0.0)):g})"
        return {"elasticities": attrs.get("elasticities") or self.scenario.elasticities or "world's own",
                "horizon": attrs.get("horizon") or self.scenario.horizon or "long", "labour": labour}

    def focus_countries(self, countries: list[str] | None = None) -> list[str]:
        """The two sides, then the scenario's report countries (or ``countries``), present in the result."""
        chosen = list(countries) if countries else list(self.scenario.report.countries)
        return [c for c in dict.fromkeys([*SIDES, *chosen]) if c in self.result.countries]

    def summary(self, countries: list[str] | None = None) -> Summary:
        """The result's summary, titled with the scenario, its date and starting point."""
        summary = self.result.summary(countries)
        summary.title = f"{self.scenario.name}: {summary.title}"
        choice = self.elasticity_choice()
        summary.header = [f"World {self.world.name}; measures in force on {self.on}; effects against {self.against}.",
                          f"Elasticities {choice['elasticities']} ({choice['horizon']} run; "
                          f"labour {choice['labour']}); "
                          f"closure: {self.result.closure_text()}."]
        return summary

    def to_frame(self, level: str = "country") -> pd.DataFrame:
        """As :meth:`CounterfactualResult.to_frame <tradewar.model.result.CounterfactualResult.to_frame>`."""
        return self.result.to_frame(level)

    def to_dict(self) -> dict:
        """What ``tradewar simulate --json`` prints (the command adds only ``report``, the file it wrote)."""
        sides = [c for c in SIDES if c in self.result.countries]
        document = self.result.to_dict(scenario=self.scenario.name, date=self.on.isoformat() if self.on else None,
                                       pairs=[(a, b) for a in sides for b in sides if a != b])
        document["against"] = self.against
        document.update(self.elasticity_choice())
        document["purchase_commitments"] = self.commitments
        document["sector_output_pct"] = self.result.sector_output_pct(self.focus_countries())
        from tradewar.cards import card_effects

        cards = card_effects(self)
        if cards:  # export controls on critical products: the price gap and the target's users
            document["critical_products"] = cards
        if self.extra_tariffs:  # tariffs the user added on top (--tariff, the web form), with what they produced
            document["extra_tariffs"] = [change.to_dict() for change in self.extra_tariffs]
        return document

    def to_dataset(self) -> xr.Dataset:
        """The result's dataset, with the scenario, its date and starting point in its attributes."""
        data = self.result.to_dataset()
        data.attrs.update({"scenario": self.scenario.name, "date": self.on.isoformat() if self.on else "",
                           "against": self.against, **self.elasticity_choice()})
        return data


def run_scenario(
    scenario: Scenario | str,
    *,
    overrides: ScenarioOverrides | None = None,
    against: str | date | None = None,
    library: Timeline | None = None,
    options: SolverOptions | None = None,
    on_iteration=None,
) -> ScenarioRun:
    """Solve a scenario: the measures in force on its date, on its world, against its starting point.

    Parameters
    ----------
    scenario : Scenario or str
        A :class:`~tradewar.policy.scenario.Scenario`, a built-in scenario's name
        (``london-2025``) or the path of a ``.toml`` file.
    overrides : ScenarioOverrides, optional
        Changes to its world, aggregation, closure, elasticities or starting point, or tariff
        changes added on top (what ``tradewar simulate``'s options set).
    against : str or datetime.date, optional
        The starting point alone: a date or another scenario to measure from (default: the
        scenario's own, else the world's baseline).
    library : Timeline, optional
        The measures to fold (default: the built-in library,
        :func:`~tradewar.policy.library.load_library`).
    options : SolverOptions, optional
        Solver settings.
    on_iteration : callable, optional
        Called by the solver after each sweep of the final solve.

    Returns
    -------
    ScenarioRun
        What was assumed and what came out; ``to_dict()`` is what ``tradewar simulate --json``
        prints.
    """
    return prepare_scenario(scenario, overrides=overrides, against=against, library=library).solve(
        options, on_iteration)


