"""The JSON shapes of the web API: requests are validated here, before any work starts.

Units (see :mod:`tradewar.policy.validation`): ``rate`` and ``tax_equivalent`` are
fractions, as in scenario files (``0.25`` is 25 percentage points); a tariff change may
instead be given in ``points`` (percentage points, as the page's tariff box and the
command line's ``--tariff`` take them), and its errors then speak in points.
Country and sector labels are checked against the scenario's world when a run
is submitted (see :mod:`tradewar.web.service`); here only their form is checked.
"""

from __future__ import annotations

from datetime import date as Day
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from tradewar.policy.validation import MAX_POINTS, MIN_POINTS, InputError, check_day, number, tariff_change

__all__ = [
    "MAX_TOML_BYTES",
    "ErrorBody",
    "ExtraExportControl",
    "ExtraTariff",
    "RunCreated",
    "RunRequest",
    "RunStatus",
    "ScenarioCheck",
    "ScenarioDetail",
    "ScenarioInfo",
    "ScenarioText",
    "TimelineDocument",
    "WorldInfo",
    "WorldSummary",
]

MAX_TOML_BYTES = 64 * 1024
"""The largest scenario text accepted (64 KB, UTF-8)."""
MIN_TARIFF, MAX_TARIFF = (
    MIN_POINTS / 100,
    MAX_POINTS / 100,
)  # a change of the tariff, as a fraction (exclusive, inclusive)
MAX_EXPORT_TAX = 10.0

Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]
SectorsSpec = Annotated[
    Literal["goods", "all"] | Annotated[list[Label], Field(min_length=1, max_length=100)],
    Field(description='"goods" (default), "all", or a list of the world\'s sector labels.'),
]


class ExtraTariff(BaseModel):
    """A tariff change on top of the scenario's: ``importer`` taxes imports from ``exporter``."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "examples": [{"importer": "USA", "exporter": "CHN", "points": 25, "sectors": "goods"},
                     {"importer": "USA", "exporter": "CHN", "rate": 0.25, "sectors": "goods"}]})

    importer: Label = Field(description="Country (or group such as EU27) that imposes the tariff.")
    exporter: Label = Field(description="Country (or group) whose goods are taxed.")
    rate: float | None = Field(default=None, description=(
        f"Change in the tariff, a fraction (above {MIN_TARIFF:g}, at most {MAX_TARIFF:g}; 0.25 = 25 points more, "
        "negative = a cut), as in scenario files. Give rate or points."))
    points: float | None = Field(default=None, description=(
        f"Change in the tariff in percentage points (above {MIN_POINTS:g}, at most {MAX_POINTS:,.0f}; 25 = 25 "
        "points more), as the page's tariff box. Give rate or points."))
    sectors: SectorsSpec = "goods"

    @field_validator("rate", "points", mode="before")
    @classmethod
    def _amount(cls, value: object, info) -> float | None:
        if value is None:
            return None
        unit = "rate" if info.field_name == "rate" else "points"
        try:
            tariff_change(value, info.field_name, unit)
        except InputError as error:  # the error's location already names the field
            raise ValueError(str(error).removeprefix(f"{info.field_name}: ")) from None
        return float(value)

    @model_validator(mode="after")
    def _two_sides(self) -> ExtraTariff:
        if (self.rate is None) == (self.points is None):
            raise ValueError("give the change as rate (a fraction, 0.25 = 25%) or as points (25 = 25 percentage "
                             "points), one of the two")
        if self.importer == self.exporter:
            raise ValueError(f"importer and exporter are both {self.importer!r}: a country does not put tariffs "
                             "on its own goods")
        return self

    @property
    def unit(self) -> str:
        """How the user gave the change: "points" or "rate"."""
        return "rate" if self.rate is not None else "points"

    @property
    def amount(self) -> float:
        """The change as the user gave it (in :attr:`unit`)."""
        return self.rate if self.rate is not None else self.points


class ExtraExportControl(BaseModel):
    """An export control on top of the scenario's: an export tax equivalent or a ban."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "examples": [{"imposer": "CHN", "targets": ["USA"], "sectors": ["Non-ferrous metals"], "ban": True}]})

    imposer: Label = Field(description="Country (or group) that restricts its exports.")
    targets: Annotated[list[Label], Field(min_length=1, max_length=60)] = Field(
        description='Destinations: country labels, groups, or ["*"] for every other country.')
    sectors: SectorsSpec = "goods"
    tax_equivalent: float | None = Field(default=None, description=f"Export tax equivalent, a fraction "
                                                                   f"(0 to {MAX_EXPORT_TAX:g}), as in scenario "
                                                                   "files. Give tax_equivalent, tax_points or ban.")
    tax_points: float | None = Field(default=None, description=(
        f"Export tax equivalent in percent (0 to {100 * MAX_EXPORT_TAX:,.0f}; 25 = 25%), as the page's box. "
        "Give tax_equivalent, tax_points or ban."))
    ban: bool = Field(default=False, description="A ban (an infinite export tax) instead of a tax equivalent.")

    @field_validator("tax_equivalent", mode="before")
    @classmethod
    def _tax_range(cls, value: object) -> float | None:
        if value is None:
            return None
        try:
            value = number(value, "tax_equivalent", "rate")
        except InputError as error:
            raise ValueError(str(error)) from None
        if value < 0:
            raise ValueError(f"tax_equivalent {value:g} is negative; an export control taxes exports (>= 0)")
        if value > MAX_EXPORT_TAX:
            raise ValueError(f"tax_equivalent {value:g} is above {MAX_EXPORT_TAX:g} (1,000%); for a ban "
                             "set ban = true; rates are fractions (0.25 = 25%)")
        return value

    @field_validator("tax_points", mode="before")
    @classmethod
    def _tax_points_range(cls, value: object) -> float | None:
        if value is None:
            return None
        try:
            value = number(value, "tax_points", "points")
        except InputError as error:
            raise ValueError(str(error)) from None
        if value < 0:
            raise ValueError(f"an export tax of {value:g}% is negative; an export control taxes exports (0% or more)")
        if value > 100 * MAX_EXPORT_TAX:
            raise ValueError(f"an export tax of {value:,.6g}% is above {100 * MAX_EXPORT_TAX:,.0f}%; for a ban "
                             "choose ban")
        return value

    @model_validator(mode="after")
    def _tax_or_ban(self) -> ExtraExportControl:
        given = [name for name in ("tax_equivalent", "tax_points") if getattr(self, name) is not None]
        if self.ban and given:
            raise ValueError(f"give either ban = true or {given[0]}, not both")
        if len(given) > 1:
            raise ValueError("give the export tax once: tax_points (percent, 25 = 25%) or tax_equivalent "
                             "(a fraction, 0.25 = 25%)")
        if not self.ban and not given:
            raise ValueError("give an export tax (tax_points in percent, or tax_equivalent as a fraction) or "
                             "ban = true")
        if self.tax_points is not None:
            # One unit inside: the engine takes fractions (converted once, here).
            self.tax_equivalent = self.tax_points / 100
        if self.imposer in self.targets:
            raise ValueError(f"the imposer {self.imposer!r} is among its own targets")
        return self


class RunRequest(BaseModel):
    """What to solve: exactly one of ``scenario``, ``toml`` or ``date``, plus optional changes."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"scenario": "london-2025"},
        {"scenario": "london-2025", "against": "2025-01-01",
         "tariffs": [{"importer": "USA", "exporter": "CHN", "rate": 0.1}],
         "export_controls": [{"imposer": "CHN", "targets": ["USA"], "sectors": ["Non-ferrous metals"],
                              "tax_equivalent": 0.2}]},
        {"date": "2019-12-01"},
        {"toml": 'name = "mine"\ndate = 2025-06-10\n'},
    ]})

    scenario: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] | None = Field(
        default=None, description="A built-in scenario's name (see GET /api/scenarios).")
    toml: str | None = Field(default=None, description="A scenario file's text (TOML, at most 64 KB), "
                                                       "as `tradewar simulate FILE.toml` reads it.")
    date: Day | None = Field(default=None, description="The library's measures in force on this day (YYYY-MM-DD).")
    world: Annotated[str, StringConstraints(strip_whitespace=True, max_length=60)] | None = Field(
        default=None, description="With `date`: the world to solve on (see GET /api/worlds; default by the date: "
                                  "icio2022 from 2023-01-01 on, wiod2011 before).")
    against: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] | None = Field(
        default=None, description="Measure effects from this day (YYYY-MM-DD) or built-in scenario instead of "
                                  "the scenario's own starting point (default: the no-war baseline).")
    tariffs: Annotated[list[ExtraTariff], Field(max_length=50)] = Field(
        default_factory=list, description="Tariff changes added on top.")
    export_controls: Annotated[list[ExtraExportControl], Field(max_length=50)] = Field(
        default_factory=list, description="Export controls added on top.")
    elasticities: Literal["cp2015", "fontagne2022"] | None = Field(
        default=None, description="A named trade-elasticity set (default: the scenario's, else fontagne2022).")
    horizon: Literal["short", "medium", "long"] | None = Field(
        default=None, description="Horizon of the elasticities (default medium: five years).")
    revenue: Literal["rebate", "deficit-reduction"] | None = Field(
        default=None, description="Tariff revenue closure: rebated to households, or lowering the trade deficit.")
    deficits: Literal["fixed", "zero"] | None = Field(
        default=None, description="Trade deficits fixed at their baseline, or zero (solved without them first).")

    @model_validator(mode="after")
    def _one_source(self) -> RunRequest:
        given = [name for name in ("scenario", "toml", "date") if getattr(self, name) not in (None, "")]
        if len(given) != 1:
            raise ValueError("give exactly one of scenario (a built-in name), toml (a scenario file's text) "
                             f"or date (YYYY-MM-DD); got {', '.join(given) or 'none'}")
        if self.world is not None and self.date is None:
            raise ValueError("world goes with date; a scenario names its own world")
        return self

    @field_validator("date")
    @classmethod
    def _date_covered(cls, value: Day | None) -> Day | None:
        if value is None:
            return None
        try:
            return check_day(value, "date")
        except InputError as error:
            raise ValueError(str(error)) from None


class ScenarioText(BaseModel):
    """A scenario file's text, to check without running it."""

    model_config = ConfigDict(extra="forbid")
    toml: str = Field(description="TOML text, at most 64 KB.")


class ScenarioInfo(BaseModel):
    """A built-in scenario in brief (``GET /api/scenarios``)."""

    name: str
    date: str | None = None
    description: str = ""
    world: str
    against: str | None = None
    splits: list[str] = []
    measures: int = Field(0, description="How many extra measures the scenario adds to the library's.")


class ScenarioCheck(ScenarioInfo):
    """A checked scenario and the labels of the world it is solved on (``POST /api/scenarios/check``)."""

    countries: list[str] = Field(description="Country labels of the world the scenario is solved on.")
    sectors: list[str]
    goods: list[str]


class ScenarioDetail(ScenarioCheck):
    """A built-in scenario with its labels and its file's text (``GET /api/scenarios/{name}``)."""

    toml: str = Field(description="The scenario file's text, to copy and edit.")


class WorldSummary(BaseModel):
    """A world the server can solve on (``GET /api/worlds``)."""

    name: str
    embedded: bool
    default: bool


class WorldInfo(BaseModel):
    """A world's labels: countries, sectors, goods sectors and country groups (``GET /api/worlds/{name}``)."""

    name: str
    title: str
    countries: list[str]
    sectors: list[str]
    goods: list[str]
    groups: dict[str, list[str]]


class Progress(BaseModel):
    """How far a run has got."""

    stage: str = Field(description="queued, loading, solving, writing, cancelling, or the status once finished.")
    iterations: int = Field(description="Solver sweeps so far (the final solve).")
    residual: float | None = Field(description="The solver's latest residual (max-norm).")
    fraction: float = Field(description="A rough completion estimate in [0, 1], for a progress bar.")


class RunStatus(BaseModel):
    """A run's state (``GET /api/runs/{id}``), with links to its results once done."""

    id: str
    status: Literal["queued", "running", "done", "failed", "cancelled", "interrupted"]
    label: str = Field(description="What is being solved, in words.")
    elapsed_s: float = Field(description="Seconds since the run was submitted (until it finished).")
    progress: Progress
    error: str | None = None
    links: dict[str, str]


class RunCreated(RunStatus):
    """The answer to ``POST /api/runs``: the queued run's state and links."""


class TimelinePoint(BaseModel):
    """The average tariff of one pair on one day, in percent."""

    date: str
    importer: str
    exporter: str
    average_tariff_pct: float


class TimelineStep(BaseModel):
    """A measure starting, ending or being suspended on a day."""

    date: str
    measure_id: str
    kind: str
    event: str
    description: str


class TimelineDocument(BaseModel):
    """The average tariff each way between two countries and the steps behind it (``GET /api/timeline``)."""

    world: str
    between: list[str]
    start: str
    end: str
    daily: bool = Field(description="Every day (true) or only the first day, each day the average changes, "
                                    "and the last day (false; draw as steps).")
    series: list[TimelinePoint]
    steps: list[TimelineStep]


class ErrorBody(BaseModel):
    """Every error answer (4xx): what is wrong, and each problem with its field or line."""

    detail: str = Field(description="What is wrong, in words.")
    errors: list[dict] = Field(default_factory=list, description="Each problem: field (or line) and message.")
