"""What the web API does, apart from HTTP: scenarios checked and built, documents and tables.

Nothing here opens a file named by a request: built-in scenarios, worlds and
splits are looked up by name among those the package ships, and a user's scenario
arrives as TOML text. A scenario text that names a world, split or comparison
scenario by path is refused.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

from tradewar.errors import TradewarError
from tradewar.model.result import SIDES
from tradewar.policy.errors import ScenarioError
from tradewar.policy.labels import GROUPS, LabelLookup
from tradewar.policy.library import load_library, load_scenario, scenario_names, scenario_path
from tradewar.policy.measures import ExportControl
from tradewar.policy.scenario import Scenario
from tradewar.policy.timeline import Timeline
from tradewar.policy.validation import (
    InputError,
    TariffChange,
    apply_tariff_changes,
    check_day,
    make_tariff_change,
    parse_against,
)
from tradewar.simulation import ScenarioOverrides
from tradewar.web.models import MAX_TOML_BYTES, RunRequest
from tradewar.world.library import DEFAULT_WORLD, default_world_for, embedded_path, world_names
from tradewar.world.splits import split_names
from tradewar.world.world import World

__all__ = [
    "PreparedRun",
    "WebError",
    "check_scenario_text",
    "csv_text",
    "figures_json",
    "prepare_run",
    "run_document",
    "scenario_detail",
    "scenario_summaries",
    "timeline_document",
    "world_info",
    "world_summaries",
]

TIMELINE_START = date(2018, 1, 1)
CSV_LEVELS = ("country", "sector", "bilateral")


class WebError(Exception):
    """A request that cannot be served: an HTTP status, a message, and optionally each problem."""

    def __init__(self, status: int, detail: str, errors: list[dict] | None = None):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = errors or []


# ---------------------------------------------------------------------- cached library data
@lru_cache(maxsize=1)
def library() -> Timeline:
    """The built-in measures (read once; shared read-only by every request and run)."""
    return load_library()


@lru_cache(maxsize=16)
def _detailed_world(name: str, splits: tuple[str, ...]) -> World:
    return Scenario(name="labels", world=name, splits=splits).load_detailed_world()


@lru_cache(maxsize=16)
def _solving_world(name: str, splits: tuple[str, ...], aggregate: str) -> World:
    spec = json.loads(aggregate)
    scenario = Scenario(name="labels", world=name, splits=splits, aggregate=spec)
    return scenario.aggregate_world(_detailed_world(name, splits))


def _worlds_of(scenario: Scenario) -> tuple[World, World]:
    """The scenario's detailed world (where measures are defined) and the world it is solved on."""
    try:
        detailed = _detailed_world(scenario.world, tuple(scenario.splits))
        aggregate = json.dumps(scenario.aggregate.model_dump() if scenario.aggregate else None, sort_keys=True)
        return detailed, _solving_world(scenario.world, tuple(scenario.splits), aggregate)
    except TradewarError as error:
        raise WebError(422, f"scenario {scenario.name!r}: {error}") from None


def _check_world_name(name: str) -> None:
    if name not in world_names():
        raise WebError(422, f"unknown world {name!r}; the server has {', '.join(world_names())} "
                            "(world files cannot be named from the web)")


@lru_cache(maxsize=1)
def scenario_summaries() -> list[dict]:
    """The built-in scenarios: name, date, description, world."""
    return [_summary(load_scenario(name)) for name in scenario_names()]


def _summary(scenario: Scenario) -> dict:
    against = scenario.against.isoformat() if isinstance(scenario.against, date) else scenario.against
    return {"name": scenario.name, "date": scenario.date.isoformat() if scenario.date else None,
            "description": scenario.description, "world": scenario.world, "against": against,
            "splits": list(scenario.splits), "measures": len(scenario.measures)}


def _labels(world: World) -> dict:
    return {"countries": list(world.countries), "sectors": list(world.sectors), "goods": list(world.goods)}


def builtin_scenario(name: str, status: int = 422) -> Scenario:
    """A built-in scenario by name; anything else (a path, a typo) is refused."""
    if name not in scenario_names():
        raise WebError(status, f"unknown scenario {name!r}; built in: {', '.join(scenario_names())}")
    return load_scenario(name)


def scenario_detail(name: str) -> dict:
    """A built-in scenario: its summary, its file's text and its world's labels."""
    scenario = builtin_scenario(name, status=404)
    _, solving = _worlds_of(scenario)
    return {**_summary(scenario), **_labels(solving), "toml": scenario_path(name).read_text(encoding="utf-8")}


def world_summaries() -> list[dict]:
    """Every world the server can solve on: name, whether it is embedded, whether it is the default."""
    return [{"name": name, "embedded": embedded_path(name).is_file(), "default": name == DEFAULT_WORLD}
            for name in world_names()]


def world_info(name: str) -> dict:
    """A world's description and labels (``GET /api/worlds/{name}``); 404 for an unknown name."""
    if name not in world_names():
        raise WebError(404, f"unknown world {name!r}; the server has {', '.join(world_names())}")
    try:
        world = _detailed_world(name, ())
    except TradewarError as error:
        raise WebError(404, str(error)) from None
    lookup = LabelLookup(world)
    groups = {group: lookup.members(group) for group in GROUPS if _known(lookup, group)}
    return {"name": name, "title": world.name, **_labels(world), "groups": groups}


def _known(lookup: LabelLookup, label: str) -> bool:
    try:
        lookup.members(label)
    except ValueError:
        return False
    return True


# ---------------------------------------------------------------------- scenarios from text
def parse_scenario_text(text: str) -> Scenario:
    """A user's scenario from TOML text: size-checked, parsed, and kept inside the package's data."""
    size = len(text.encode("utf-8"))
    if size > MAX_TOML_BYTES:
        raise WebError(413, f"the scenario text is {size / 1024:.1f} KB; the limit is {MAX_TOML_BYTES // 1024} KB")
    try:
        scenario = Scenario.from_text(text, name="uploaded", source="scenario.toml")
    except ScenarioError as error:
        problems = [{"line": line, "field": field, "message": message} for line, field, message in error.problems]
        raise WebError(422, str(error), problems) from None
    except RecursionError:  # tomllib recurses once per nested array or table
        raise WebError(422, "the scenario text nests arrays or tables too deeply to read") from None
    except ValueError as error:  # tomllib: e.g. an integer of over 4,300 digits
        raise WebError(422, f"the scenario text cannot be read: {str(error).split(';')[0]}") from None
    _check_safe(scenario)
    return scenario


def _check_safe(scenario: Scenario) -> None:
    """Refuse a scenario that would make the server read a file: worlds, splits and
    comparison scenarios must be built-in names."""
    _check_world_name(scenario.world)
    unknown = [split for split in scenario.splits if split not in split_names()]
    if unknown:
        raise WebError(422, f"unknown split {unknown[0]!r}; built in: {', '.join(split_names())} "
                            "(split files cannot be named from the web)")
    if isinstance(scenario.against, str) and scenario.against not in scenario_names():
        raise WebError(422, f"against {scenario.against!r} is neither a date (YYYY-MM-DD) nor a built-in scenario; "
                            f"built in: {', '.join(scenario_names())}")


def _check_labels(scenario: Scenario, detailed: World) -> None:
    """Every label of the scenario's measures and report, against its world (line and field named)."""
    try:
        scenario.check_world(detailed, library() if scenario.date is not None else None)
    except ScenarioError as error:
        problems = [{"line": line, "field": field, "message": message} for line, field, message in error.problems]
        raise WebError(422, str(error), problems) from None
    except TradewarError as error:
        raise WebError(422, str(error)) from None


def check_scenario_text(text: str) -> dict:
    """What ``POST /api/scenarios/check`` answers: the scenario's summary and its world's labels."""
    scenario = parse_scenario_text(text)
    detailed, solving = _worlds_of(scenario)
    _check_labels(scenario, detailed)
    return {**_summary(scenario), **_labels(solving)}


# ---------------------------------------------------------------------- runs
@dataclass
class PreparedRun:
    """A checked run request: the scenario (extra export controls included) and its overrides
    (starting point, extra tariffs), as :func:`tradewar.simulation.run_scenario` takes them."""

    scenario: Scenario
    label: str
    overrides: ScenarioOverrides = field(default_factory=ScenarioOverrides)
    request: dict = field(default_factory=dict)

    @property
    def against(self) -> date | str | None:
        """The run's starting point (a day or a scenario), if it overrides the scenario's."""
        return self.overrides.against


def _against(value: str | None) -> date | str | None:
    try:
        value = parse_against(value)
    except InputError as error:
        raise WebError(422, str(error), [{"field": "against", "message": str(error)}]) from None
    if value is None or isinstance(value, date):
        return value
    if value not in scenario_names():
        raise WebError(422, f"against {value!r} is neither a date (YYYY-MM-DD) nor a built-in scenario; "
                            f"built in: {', '.join(scenario_names())}")
    return value


def _base_scenario(request: RunRequest) -> tuple[Scenario, str]:
    if request.scenario:
        scenario = builtin_scenario(request.scenario)
        return scenario, scenario.name
    if request.toml is not None:
        scenario = parse_scenario_text(request.toml)
        return scenario, f"your scenario {scenario.name!r}"
    # No world named: the date rule that `tradewar simulate` uses (icio2022 from 2023 on).
    world = request.world or default_world_for(request.date)
    _check_world_name(world)
    day = request.date.isoformat()
    scenario = Scenario(name=f"measures-on-{day}", world=world, date=request.date,
                        description=f"The library's measures in force on {day}.")
    return scenario, f"the measures in force on {day}"


def _lookup_error(where: str, error: ValueError) -> WebError:
    return WebError(422, f"{where}: {error}", [{"field": where, "message": str(error)}])


def _export_controls(request: RunRequest, scenario: Scenario, detailed: World) -> tuple:
    """The form's export controls as measures of the scenario, starting when its policy is read."""
    if not request.export_controls:
        return ()
    starts = [measure.start for measure in scenario.measures]
    start = scenario.date or (max(starts) if starts else date.today())
    lookup = LabelLookup(detailed)
    taken = {measure.id for measure in (*library().measures, *scenario.measures)}
    measures = []
    for k, control in enumerate(request.export_controls):
        where = f"export_controls[{k}]"
        try:
            lookup.targets(control.targets, control.imposer)
        except ValueError as error:
            raise _lookup_error(where, error) from None
        try:
            lookup.sector_list(control.sectors)
        except ValueError as error:
            raise _lookup_error(f"{where}.sectors", error) from None
        ident = f"WEB-X{k + 1}"
        while ident in taken:
            ident += "'"
        what = "bans" if control.ban else f"taxes ({100 * control.tax_equivalent:g}%)"
        try:
            measures.append(ExportControl(
                id=ident, start=start, imposer=control.imposer, targets=control.targets, sectors=control.sectors,
                tax_equivalent=control.tax_equivalent, ban=control.ban,
                description=f"{control.imposer} {what} exports to {', '.join(control.targets)} (added on the web page)",
            ))
        except TradewarError as error:
            raise WebError(422, f"{where}: {error}") from None
    return tuple(measures)


def _tariff_changes(request: RunRequest, solving: World) -> tuple[TariffChange, ...]:
    """The form's tariff changes, in the unit each was given in; labels checked now on the world
    the run is solved on (the resulting tariffs are checked when the policy is read)."""
    changes = []
    for k, change in enumerate(request.tariffs):
        where = f"tariffs[{k}]"
        try:
            changes.append(make_tariff_change(change.importer, change.exporter, change.amount, change.sectors,
                                              unit=change.unit, where=where))
        except InputError as error:
            raise WebError(422, str(error), [{"field": error.field, "message": str(error)}]) from None
    try:
        apply_tariff_changes(solving, solving.tariff, changes)
    except InputError as error:
        raise WebError(422, str(error), [{"field": error.field, "message": str(error)}]) from None
    return tuple(changes)


def prepare_run(request: RunRequest) -> PreparedRun:
    """Check a run request completely (names, labels, rates) before it is queued."""
    scenario, label = _base_scenario(request)
    against = _against(request.against)
    detailed, solving = _worlds_of(scenario)
    extra_controls = _export_controls(request, scenario, detailed)
    if extra_controls:
        scenario = scenario.model_copy(update={"measures": (*scenario.measures, *extra_controls)})
    _check_labels(scenario, detailed)
    overrides = ScenarioOverrides(against=against, tariffs=_tariff_changes(request, solving), revenue=request.revenue,
                                  deficits=request.deficits, elasticities=request.elasticities,
                                  horizon=request.horizon)
    changes = []
    if request.tariffs:
        changes.append(f"{len(request.tariffs)} tariff change{'s' * (len(request.tariffs) > 1)}")
    if request.export_controls:
        changes.append(f"{len(request.export_controls)} export control{'s' * (len(request.export_controls) > 1)}")
    if changes:
        label += " + " + " and ".join(changes)
    if against is not None:
        label += f", against {against.isoformat() if isinstance(against, date) else against}"
    echo = request.model_dump(mode="json", exclude={"toml"}, exclude_none=True)
    return PreparedRun(scenario=scenario, label=label, overrides=overrides, request=echo)


def execute(prepared: PreparedRun, on_iteration=None):
    """Solve a prepared run (in a worker thread), through the library's one scenario pipeline."""
    from tradewar.simulation import prepare_scenario

    # An InputError here (a change that leaves some tariff at or below -100% on the scenario's
    # own tariffs) is a TradewarError: the run fails with that message.
    return prepare_scenario(prepared.scenario, overrides=prepared.overrides, library=library()).solve(
        on_iteration=on_iteration)


def _finite_json(value: Any) -> Any:
    """JSON has no NaN or infinity: they become null."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: _finite_json(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite_json(item) for item in value]
    return value


def run_document(run, prepared: PreparedRun) -> dict:
    """The ``tradewar simulate --json`` document, plus what the web page adds."""
    from tradewar.report.tables import run_document as _document

    document = _document(run)
    document["description"] = run.scenario.description
    document["label"] = prepared.label
    document["request"] = prepared.request
    document["country_order"] = list(run.result.countries)
    return _finite_json(document)


def _sides(run) -> list[str]:
    return [c for c in SIDES if c in run.result.countries]


def run_tariff_series(run):
    """The average tariff each way between the two sides, from 2018 to the run's date (or None)."""
    sides = _sides(run)
    if run.on is None or len(sides) != 2:
        return None
    end = max(run.on, date(TIMELINE_START.year, 1, 2))
    return run.timeline.average_tariff(run.detailed_world, TIMELINE_START, end,
                                       pairs=[(sides[0], sides[1]), (sides[1], sides[0])])


def figures_json(run) -> str:
    """The report's charts (plotly figures as JSON), by name: map, welfare, sectors, bilateral,
    third_countries, timeline."""
    from tradewar.report.html import report_figures

    series = run_tariff_series(run)
    if series is not None:
        series = _changes_only(series)
    figures = report_figures(run.result, focus=_sides(run) or None, tariff_series=series)
    return "{" + ",".join(f"{json.dumps(name)}:{figure.to_json()}" for name, figure in figures.items()) + "}"


def csv_text(run, level: str) -> str:
    """A result table as CSV: ``country`` (one row per country), ``sector`` or ``bilateral``."""
    frame = run.result.to_frame(level)
    return frame.to_csv(float_format="%.10g")


# ---------------------------------------------------------------------- the timeline
def _changes_only(series):
    """Each pair's first row, the rows where its value changes, and its last row."""
    keep = []
    for _, rows in series.groupby(["importer", "exporter"], sort=False):
        values = rows["average_tariff_pct"].to_numpy()
        changed = [0] + [k for k in range(1, len(values)) if values[k] != values[k - 1]] + [len(values) - 1]
        keep.extend(rows.index[sorted(set(changed))])
    return series.loc[sorted(keep)]


def timeline_document(a: str, b: str, start: date, end: date, world: str, daily: bool) -> dict:
    """The trade-weighted average tariff each way between two countries, and the measures behind each step."""
    from tradewar.policy.timeline import involves as _involves

    _check_world_name(world)
    for name, day in (("start", start), ("end", end)):
        try:
            check_day(day, name)
        except InputError as error:
            raise WebError(422, str(error), [{"field": name, "message": str(error)}]) from None
    if end < start:
        raise WebError(422, f"end {end} is before start {start}")
    if (end - start).days > 366 * 30:
        raise WebError(422, f"the window {start} to {end} is over 30 years")
    if a == b:
        raise WebError(422, f"the two countries are both {a!r}")
    try:
        detailed = _detailed_world(world, ())
    except TradewarError as error:
        raise WebError(422, str(error)) from None
    lookup = LabelLookup(detailed)
    for name, label in (("a", a), ("b", b)):
        try:
            lookup.members(label)
        except ValueError as error:
            raise _lookup_error(name, error) from None
    timeline = library()
    try:
        series = timeline.average_tariff(detailed, start, end, pairs=[(a, b), (b, a)])
    except TradewarError as error:
        raise WebError(422, str(error)) from None
    if not daily:
        series = _changes_only(series)
    series = series.assign(date=series["date"].dt.strftime("%Y-%m-%d"))
    pair = {a, b}
    steps = [
        {"date": step.on.isoformat(), "measure_id": change.measure_id, "kind": change.kind, "event": change.event,
         "description": change.description}
        for step in timeline.steps(start, end)
        for change in step.changes
        if _involves(timeline[change.measure_id], pair, timeline)
    ]
    return {"world": world, "between": [a, b], "start": start.isoformat(), "end": end.isoformat(), "daily": daily,
            "series": _finite_json(series.to_dict(orient="records")), "steps": steps}
