"""Scenario files: TOML that names a world, a date, extra measures and what to report.

.. code-block:: toml

    name = "london-2025"
    description = "Measures in force during the London talks, plus a 10-point U.S. surcharge"
    world = "wiod2011"            # a world name or a .npz world file
                                  # (default: icio2022 if dated 2023 or later, else wiod2011)
    date = 2025-06-10             # the measures in force on this day (library + extra)
    against = 2025-01-01          # compare with this day, or with another scenario by name
    deficits = "fixed"            # or "zero"
    revenue = "rebate"            # or "deficit-reduction": tariff revenue lowers the trade deficit
    elasticities = "cp2015"       # optional: a named elasticity set (cp2015, fontagne2022)
    horizon = "long"              # optional: long, medium or short (see tradewar.world.elasticities)

    [aggregate]                   # optional
    regions = "compact"
    sectors = "broad"

    splits = ["rare-earths"]      # optional: critical products carved out (data/splits/*.toml)

    [[measure]]                   # extra measures on top of the library, as in measures.py
    id = "X1"
    kind = "tariff"
    imposer = "USA"
    targets = ["CHN"]
    sectors = "goods"
    rate = 0.10                   # start defaults to the scenario's date

    [report]
    countries = ["USA", "CHN", "EU27", "GBR"]

Every error names the file, the line and the field, e.g.
``london.toml, line 12, field measure[0].rate: rate -2 is at or below -1 ...``;
field paths count ``[[measure]]`` tables from 0.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from tradewar.policy.dates import as_date
from tradewar.policy.errors import (
    LabelError,
    ScenarioError,
    ScenarioNotFoundError,
    TimelineError,
    format_field,
)
from tradewar.policy.labels import LabelLookup
from tradewar.policy.measures import KINDS, MEASURE_CLASSES, Day, Measure, describe_error
from tradewar.policy.timeline import Timeline
from tradewar.policy.toml_lines import KeyLines, syntax_error_line
from tradewar.policy.validation import InputError, check_day, looks_like_a_day, parse_day

if TYPE_CHECKING:  # only in annotations: loading a scenario file needs no world (nor xarray)
    from tradewar.world.world import World

__all__ = ["AggregateSpec", "ReportSpec", "Scenario"]

Grouping = str | dict[str, str] | dict[str, list[str]]


def _date_or_name(value: object) -> object:
    """``against`` may be a day (TOML date or ISO text) or another scenario's name."""
    if isinstance(value, str):
        if looks_like_a_day(value):  # an impossible day (2025-02-30) is named as such, not as a scenario
            try:
                return parse_day(value, "against")
            except InputError as error:
                raise ValueError(str(error)) from None
        return value.strip()
    return value


Against = Annotated[date | str, BeforeValidator(_date_or_name)]


def _covered(day: date, what: str) -> date:
    """A scenario's day within the measure library's span (see :mod:`tradewar.policy.validation`)."""
    try:
        return check_day(day, what)
    except InputError as error:
        raise ValueError(str(error)) from None


class AggregateSpec(BaseModel):
    """How to aggregate the world first (see :func:`tradewar.world.aggregate.aggregate`)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    regions: Grouping | None = None
    sectors: Grouping | None = None


class ReportSpec(BaseModel):
    """What to report: the countries (or regions) to show."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    countries: tuple[str, ...] = ()


class Scenario(BaseModel):
    """A scenario: a world, the measures in force on a date, extra measures, a comparison.

    Read with :meth:`from_toml` or :meth:`from_text`; in Python, extra measures go
    in ``measures`` (``measure`` in TOML, one ``[[measure]]`` table each).
    """

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    name: str
    description: str = ""
    world: str = ""  # blank: the default for the date (tradewar.world.library.default_world_for)
    aggregate: AggregateSpec | None = None
    splits: tuple[str, ...] = ()
    date: Day | None = None
    against: Against | None = None
    deficits: Literal["fixed", "zero"] = "fixed"
    revenue: Literal["rebate", "deficit-reduction"] = "rebate"
    elasticities: str | None = None  # a named set (world/elasticities.py); None: DEFAULT_ELASTICITIES
    horizon: str | None = None  # long, medium or short; None: long
    measures: tuple[Measure, ...] = Field(default=(), alias="measure")
    report: ReportSpec = ReportSpec()

    _source: str = PrivateAttr(default="<scenario>")
    _lines: KeyLines | None = PrivateAttr(default=None)

    @field_validator("name", "world")
    @classmethod
    def _not_blank(cls, value: str, info) -> str:
        if not value.strip():
            raise ValueError(f"the {info.field_name} is blank")
        return value.strip()

    @field_validator("elasticities", "horizon")
    @classmethod
    def _known_elasticities(cls, value: str | None, info) -> str | None:
        from tradewar.policy.validation import check_elasticities

        if value is not None:
            if info.field_name == "elasticities":
                check_elasticities(elasticities=value)
            else:
                check_elasticities(horizon=value)
        return value

    @model_validator(mode="before")
    @classmethod
    def _default_world(cls, data: Any) -> Any:
        """No world named: icio2022 for scenarios dated 2023 or later, wiod2011 before (and undated)."""
        if isinstance(data, dict) and not data.get("world"):
            try:
                day = as_date(data["date"], "date") if data.get("date") is not None else None
            except ValueError:  # a bad date is reported by its own field's check
                day = None
            from tradewar.world.library import default_world_for  # loads xarray: only when a world is needed

            data = {**data, "world": default_world_for(day)}
        return data

    @field_validator("against")
    @classmethod
    def _against_not_blank(cls, value: Day | str | None) -> Day | str | None:  # Day: ``date`` is a field here
        if isinstance(value, str) and not value:
            raise ValueError("against is blank; give a date (YYYY-MM-DD) or another scenario's name")
        if isinstance(value, date):
            return _covered(value, "against")
        return value

    @field_validator("date")
    @classmethod
    def _date_covered(cls, value: Day | None) -> Day | None:
        return None if value is None else _covered(value, "date")

    # ------------------------------------------------------------------ reading
    @classmethod
    def from_toml(cls, path: Path | str) -> Scenario:
        """Read a scenario file; its name defaults to the file's stem."""
        path = Path(path)
        if not path.is_file():
            raise ScenarioNotFoundError(f"Scenario file {path} not found.")
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as error:
            raise ScenarioError(
                str(path),
                [
                    (
                        None,
                        None,
                        f"not UTF-8 text (byte 0x{error.object[error.start]:02x} "
                        f"at position {error.start}); save the file as UTF-8",
                    )
                ],
            ) from None
        return cls.from_text(text, name=path.stem, source=str(path))

    @classmethod
    def from_text(cls, text: str, *, name: str = "scenario", source: str | None = None) -> Scenario:
        """A scenario from TOML text.

        ``name``: the scenario's name unless the text sets one; ``source``: how
        errors name the text (default ``<name>.toml``).
        """
        source = source or f"{name}.toml"
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            line, message = syntax_error_line(error, text)
            field = format_field(KeyLines(text).path_at(line)) if line else None
            raise ScenarioError(source, [(line, field or None, f"invalid TOML: {message}")]) from None
        lines = KeyLines(text)
        data.setdefault("name", name)
        _default_starts(data)
        try:
            scenario = cls.model_validate(data)
        except ValidationError as error:
            raise ScenarioError(source, _problems(error, data, lines)) from None
        scenario._source, scenario._lines = source, lines
        return scenario

    # ------------------------------------------------------------------ using
    def timeline(self, library: Timeline | None = None) -> Timeline:
        """The library's measures plus this scenario's extra measures, checked together."""
        try:
            return Timeline([*(library.measures if library is not None else ()), *self.measures])
        except TimelineError as error:
            raise self._located(error) from None

    def check_world(self, world: World, library: Timeline | None = None) -> None:
        """Check every label (the measures' and the report's) against a world."""
        try:
            self.timeline(library).check_world(world)
        except LabelError as error:
            raise self._located(error) from None
        lookup = LabelLookup(world)
        problems = []
        for position, label in enumerate(self.report.countries):
            try:
                lookup.members(label)
            except ValueError as error:
                path = ("report", "countries", position)
                problems.append((self._line(path), format_field(path), str(error)))
        if problems:
            raise ScenarioError(self._source, problems)

    def load_detailed_world(self) -> World:
        """The scenario's world before aggregation, with its critical products split out:
        where its measures are defined (they name countries and sectors of this world)."""
        from tradewar.world.elasticities import with_default_elasticities
        from tradewar.world.library import load_world
        from tradewar.world.splits import apply_split

        world = load_world(self.world)
        # On the world as loaded (its sectors are those the sets are mapped to); splits then
        # give their products their parent sector's elasticity. Unnamed: the default set and horizon.
        world = with_default_elasticities(world, self.elasticities, self.horizon)
        for split in self.splits:
            world = apply_split(world, split)
        return world

    def aggregate_world(self, world: World) -> World:
        """``world`` aggregated as the scenario says (unchanged without ``[aggregate]``)."""
        if self.aggregate is not None and (self.aggregate.regions or self.aggregate.sectors):
            return world.aggregate(regions=self.aggregate.regions, sectors=self.aggregate.sectors)
        return world

    def load_world(self) -> World:
        """The scenario's world: split, then aggregated."""
        return self.aggregate_world(self.load_detailed_world())

    def _line(self, path: tuple) -> int | None:
        return self._lines.line_of(path) if self._lines is not None else None

    def _located(self, error: TimelineError | LabelError) -> Exception:
        """The error with file, line and field for problems in this scenario's own measures."""
        positions = {measure.id: k for k, measure in enumerate(self.measures)}
        if not any(problem.measure_id in positions for problem in error.problems):
            return error  # a problem of the library alone: it has no place in this file
        located: list[tuple[int | None, str | None, str]] = []
        for problem in error.problems:
            if problem.measure_id in positions:
                path = ("measure", positions[problem.measure_id], *problem.field)
                message = f"{problem.message} (measure {problem.measure_id!r})"
                located.append((self._line(path), format_field(path), message))
            else:
                located.append((None, None, str(problem)))
        return ScenarioError(self._source, located)


def _default_starts(data: dict[str, Any]) -> None:
    """Extra measures without a start begin on the scenario's date, when it has one."""
    try:
        day = as_date(data.get("date"))
    except ValueError:
        return  # no date, or an invalid one that validation will report
    measures = data.get("measure")
    if not isinstance(measures, list):
        return
    for measure in measures:
        if isinstance(measure, dict) and "start" not in measure:
            measure["start"] = day


def _problems(
    error: ValidationError, data: Mapping[str, Any], lines: KeyLines
) -> list[tuple[int | None, str | None, str]]:
    """(line, field, message) for each pydantic error about a scenario's data."""
    problems: list[tuple[int | None, str | None, str]] = []
    for item in error.errors():
        path = _data_path(tuple(item["loc"]), data)
        cls, note = None, ""
        if len(path) >= 2 and path[0] == "measure" and isinstance(path[1], int):
            measure = data["measure"][path[1]] if path[1] < len(data["measure"]) else {}
            if isinstance(measure, Mapping):
                kind = measure.get("kind")
                cls = MEASURE_CLASSES.get(kind) if isinstance(kind, str) else None
                if isinstance(measure.get("id"), str):
                    note = f" (measure {measure['id']!r})"
            if item["type"] in ("union_tag_invalid", "union_tag_not_found"):
                path = (*path[:2], "kind")
        message = describe_error(item, cls) + note
        if item["type"] == "extra_forbidden" and len(path) == 1:
            message = f"unknown field; a scenario has {', '.join(_scenario_fields())}"
        problems.append((lines.line_of(path), format_field(path) or None, message))
    return _merge_alternatives(problems)


def _merge_alternatives(problems: list[tuple[int | None, str | None, str]]) -> list[tuple[int | None, str | None, str]]:
    """One problem per field: pydantic reports each branch of a union separately.

    ``Input should be a valid string`` and ``Input should be a valid dictionary``
    for the same field become ``Input should be a valid string or a valid dictionary``.
    """
    merged: dict[tuple[int | None, str | None], list[str]] = {}
    for line, field, message in problems:
        messages = merged.setdefault((line, field), [])
        if message not in messages:
            messages.append(message)
    result = []
    for (line, field), messages in merged.items():
        prefix = "Input should be "
        if len(messages) > 1 and all(m.startswith(prefix) for m in messages):
            got = re.search(r" \(got .*\)$", messages[0])
            suffix = got.group(0) if got else ""
            options = [m.removeprefix(prefix).removesuffix(suffix) for m in messages]
            result.append((line, field, prefix + " or ".join(options) + suffix))
        else:
            result.extend((line, field, message) for message in messages)
    return result


def _data_path(loc: tuple, data: Any) -> tuple:
    """The path in the TOML data of a pydantic error location.

    Drops what is not a key of the data: the kind tag of a measure in the
    discriminated union, and the branch names pydantic adds for unions
    (``aggregate.regions.str``).
    """
    path: list[str | int] = []
    node = data
    for part in loc:
        if isinstance(node, Mapping) and part in node:
            path.append(part)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            path.append(part)
            node = node[part]
        elif isinstance(part, str) and (part in KINDS or not isinstance(node, Mapping)):
            continue  # a union tag or branch, not a key
        else:
            path.append(part)  # a missing or unknown key: keep it, its table gives the line
            node = None
    return tuple(path)


def _scenario_fields() -> list[str]:
    return [field.alias or name for name, field in Scenario.model_fields.items()]
