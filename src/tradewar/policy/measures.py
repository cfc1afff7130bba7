"""Trade measures as data: validated, frozen pydantic models, one per instrument.

Every measure has an ``id``, a ``description``, the day it ``start``\\ s and the
day it ``end``\\ s (exclusive: in force on ``start <= day < end``; ``None`` = still
in force), and optionally its legal ``basis`` and a ``source`` citation. The
``kind`` field says which instrument it is:

``tariff`` (:class:`TariffLayer`)
    An ad valorem tariff layer that ``imposer`` puts on ``targets`` in ``sectors``,
    *added* to whatever is already there: layers stack (MFN baseline + Section 301
    + Section 232 + IEEPA ...). ``rate_by_sector`` overrides ``rate`` sector by
    sector (e.g. effective rates of an HS list mapped to sectors).
``exclusion`` (:class:`Exclusion`)
    Removes ``share`` of named tariff layers' rate in listed sectors and/or for
    listed targets (product exclusions, carve-outs).
``suspension`` (:class:`Suspension`)
    Suspends named measures from ``start`` to ``end``; ``end`` is when the pause
    lapses by itself (a 90-day pause needs no second measure). With
    ``remaining_rate`` a suspended tariff layer applies at that rate instead of
    not at all (the 2025 reciprocal tariff on China: 34% held at 10%).
``export_control`` (:class:`ExportControl`)
    An export tax equivalent (or a ban, an infinite tax) on the imposer's sales to
    the targets; :meth:`~tradewar.policy.Timeline.export_tax_on` folds those in force.
    Without a tax equivalent or ban it is recorded and reported only. ``reach`` names
    third countries whose sales to the targets it binds too, as a trade cost with no revenue.
``purchase_commitment`` (:class:`PurchaseCommitment`)
    A commitment to buy more from a partner. A scenario run
    (:func:`tradewar.simulation.solve_policy`) meets each one in force that has an
    amount with the import subsidy that makes the importer buy the flow it would buy
    anyway plus the amount (:func:`tradewar.model.targets.solve_purchase_commitment`),
    and reports its cost; without an amount it is recorded and reported only.

Labels are country labels of the world (ISO3: ``USA``, ``CHN``...), groups
(``EU27``) or ``"*"`` (every country but the imposer); they are checked against a
world by :meth:`tradewar.policy.Timeline.check_world`, not here, because the same
measure applies to differently aggregated worlds.

Invalid input raises :class:`~tradewar.policy.errors.MeasureError`, which names
the measure id and the field: construct measures with the classes
(``TariffLayer(id=..., ...)``) or from a mapping with :func:`parse_measure`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any, Literal, Self, cast

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from tradewar.policy.conventions import ALL_OTHERS, MAX_RATE
from tradewar.policy.dates import as_date
from tradewar.policy.errors import MeasureError, Problem

__all__ = [
    "ALL_OTHERS",
    "KINDS",
    "MAX_RATE",
    "Exclusion",
    "ExportControl",
    "Measure",
    "PurchaseCommitment",
    "Suspension",
    "TariffLayer",
    "measure_problems",
    "parse_measure",
    "parse_measures",
]

KINDS = ("tariff", "exclusion", "suspension", "export_control", "purchase_commitment")
SECTOR_KEYWORDS = ("goods", "all")


# ---------------------------------------------------------------------- field types
def _day(value: object) -> date:
    # A one-argument wrapper: pydantic would pass its ValidationInfo as as_date's ``what``.
    return as_date(value)


Day = Annotated[date, BeforeValidator(_day)]


def _as_list(value: object) -> object:
    """Let a single label stand for a one-element list (``targets = "CHN"``)."""
    return [value] if isinstance(value, str) else value


def _clean_labels(labels: tuple[str, ...], what: str) -> tuple[str, ...]:
    if not labels:
        raise ValueError(f"{what} is empty; name at least one")
    blank = [k for k, label in enumerate(labels) if not label.strip()]
    if blank:
        raise ValueError(f"{what} has a blank label at position {blank[0]}")
    labels = tuple(label.strip() for label in labels)
    repeated = sorted({label for label in labels if labels.count(label) > 1})
    if repeated:
        raise ValueError(f"{what} lists {', '.join(map(repr, repeated))} more than once")
    return labels


def _check_rate(value: float, what: str = "rate") -> float:
    if value <= -1:
        raise ValueError(
            f"{what} {value:g} is at or below -1 (-100%): buyers would pay nothing or less; "
            "rates are fractions (0.25 = 25%) above -1"
        )
    if value > MAX_RATE:
        raise ValueError(
            f"{what} {value:g} is above {MAX_RATE:g} ({MAX_RATE * 100:,.0f}%); rates are fractions "
            f"(0.25 = 25%): did you mean {value / 100:g}?"
        )
    return value


# ---------------------------------------------------------------------- base model
if TYPE_CHECKING:  # pydantic exports its model metaclass only privately; the checker needs its name
    from pydantic._internal._model_construction import ModelMetaclass as _ModelMetaclass
else:
    _ModelMetaclass = type(BaseModel)


class _MeasureMeta(_ModelMetaclass):
    """Turns pydantic's error on ``TariffLayer(...)`` into a :class:`MeasureError`.

    Done at the call rather than in ``__init__``: pydantic calls an overridden
    ``__init__`` when it validates nested measures (in a scenario), and would wrap
    our error there, losing where it came from.
    """

    def __call__(cls, *args: Any, **data: Any):
        try:
            return super().__call__(*args, **data)
        except ValidationError as error:
            # ``cls`` is a measure class (this metaclass makes only those); the checker sees the metaclass.
            raise MeasureError(measure_problems(error, data, cls=cast("type[BaseModel]", cls))) from None


class _MeasureBase(BaseModel, metaclass=_MeasureMeta):
    """Fields every measure has; construction errors become :class:`MeasureError`."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    id: str
    description: str = ""
    start: Day
    end: Day | None = None
    basis: str | None = None
    source: str | None = None
    # Why the measure's existence, dates or rate are uncertain (one source only, sources in
    # conflict); None when it is confirmed. Charts and tables mark such measures.
    uncertain: str | None = None
    # The measure on other worlds' labels: world (sector system) name -> replacements of its
    # fields there (``sectors``, ``rate_by_sector``, ``targets``, ``rate``, ``share``, from the same
    # HS lines for that world's sectors), or ``{applies = false}`` where it has no counterpart.
    # Worlds not listed use the measure's own fields (the library's are WIOD's).
    worlds: dict[str, dict[str, Any]] = Field(default_factory=dict)
    # Defined on this world (sector system) only: skipped on every other world.
    world: str | None = None

    # Frozen models hash their fields, and rate_by_sector is a dict: hash by identity
    # of the measure instead (equal measures have equal kind and id).
    def __hash__(self) -> int:
        return hash((type(self).__name__, self.id))

    @field_validator("id")
    @classmethod
    def _id_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the id is blank; give every measure a unique id such as 'M044'")
        return value.strip()

    @field_validator("end")
    @classmethod
    def _end_after_start(cls, value: date | None, info: ValidationInfo) -> date | None:
        start = info.data.get("start")
        if value is not None and start is not None and value <= start:
            raise ValueError(
                f"end {value} is not after start {start} (end is exclusive: the first day "
                "the measure no longer applies)"
            )
        return value

    @field_validator("worlds")
    @classmethod
    def _world_tables(cls, value: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        for name, table in value.items():
            unknown = set(table) - WORLD_FIELDS
            if unknown:
                raise ValueError(
                    f"world {name!r}: fields {sorted(unknown)} cannot differ by world; "
                    f"allowed: {', '.join(sorted(WORLD_FIELDS))}"
                )
        return value

    def on_world(self, system: str) -> Self | None:
        """This measure on a world whose labels are ``system`` (a world's name or its
        ``sector_system`` attribute): its own fields, those of its table for that world, or
        None where it does not apply there."""
        if self.world is not None and self.world != system:
            return None
        table = self.worlds.get(system)
        if table is None:
            return self
        if table.get("applies", True) is False:
            return None
        data = self.model_dump(exclude={"worlds", "world"})
        data.update({key: value for key, value in table.items() if key != "applies"})
        return type(self).model_validate(data)

    def in_force(self, on: date) -> bool:
        """Whether the measure applies on a day: ``start <= on < end``."""
        return self.start <= on and (self.end is None or on < self.end)

    def window(self) -> str:
        """``2025-04-05 to 2025-05-14`` or ``from 2025-04-05``."""
        return f"{self.start} to {self.end}" if self.end else f"from {self.start}"


# Fields that differ by world: labels, and the numbers computed with them (a layer's headline
# rate, an exclusion's share of its sectors).
WORLD_FIELDS = {"sectors", "rate_by_sector", "targets", "rate", "share", "applies"}


def _sector_spec(value: object) -> object:
    """``"goods"``/``"all"`` stay keywords; another single label becomes a list."""
    if isinstance(value, str) and value.strip() in SECTOR_KEYWORDS:
        return value.strip()
    return _as_list(value)


SectorSpec = Annotated[Literal["goods", "all"] | tuple[str, ...], BeforeValidator(_sector_spec)]


def _check_sectors(value: str | tuple[str, ...]) -> str | tuple[str, ...]:
    if isinstance(value, str):
        return value
    return _clean_labels(value, "the sector list")


def _check_targets(value: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
    value = _clean_labels(value, "targets")
    if ALL_OTHERS in value and len(value) > 1:
        raise ValueError('"*" (every other country) must be the only target')
    imposer = info.data.get("imposer")
    if imposer is not None and imposer in value:
        raise ValueError(f"the imposer {imposer!r} is among its own targets")
    return value


class _Bilateral(_MeasureBase):
    """A measure one country (or group) applies to others in some sectors."""

    imposer: str
    targets: Annotated[tuple[str, ...], BeforeValidator(_as_list)]
    sectors: SectorSpec = "goods"

    @field_validator("imposer")
    @classmethod
    def _imposer_not_blank(cls, value: str) -> str:
        if not value.strip() or value.strip() == ALL_OTHERS:
            raise ValueError('the imposer must be a country or group label (not blank, not "*")')
        return value.strip()

    _targets = field_validator("targets")(_check_targets)
    _sectors = field_validator("sectors")(_check_sectors)


# ---------------------------------------------------------------------- instruments
class TariffLayer(_Bilateral):
    """An ad valorem tariff layer added on top of whatever is already in force.

    ``rate`` is a fraction (0.25 = 25 points more); negative rates are cuts (above
    -1). ``rate_by_sector`` gives some sectors another rate (they must be among
    ``sectors`` when those are listed; against a world, among the covered sectors).

    Parameters
    ----------
    id : str
        A unique, non-blank id.
    description : str
        What the measure is, in words.
    start : datetime.date or str
        The first day it applies (``YYYY-MM-DD``).
    end : datetime.date or str, optional
        The first day it no longer applies (after ``start``; None: open-ended).
    basis : str, optional
        The legal basis (e.g. "Section 301").
    source : str, optional
        Where the measure is documented.
    uncertain : str, optional
        Why its existence, dates or rate are uncertain (None: confirmed).
    worlds : dict
        Replacements of its fields on other worlds' labels, by world (sector system) name, or
        ``{applies = false}`` where it has no counterpart.
    world : str, optional
        Defined on this world (sector system) only.
    imposer : str
        The country (or group) that applies it.
    targets : tuple of str
        The countries (or groups; ``"*"``: all others) it applies to; one label is a list of one.
    sectors : {"goods", "all"} or tuple of str, default "goods"
        The sectors covered.
    kind : {"tariff"}
        The measure's kind.
    rate : float
        The added rate, a fraction in (-1, 10].
    rate_by_sector : dict of str to float
        Other rates for some covered sectors.

    Raises
    ------
    tradewar.policy.errors.MeasureError
        If a field is missing, unknown or out of range (every problem named).
    """

    kind: Literal["tariff"] = "tariff"
    rate: float
    rate_by_sector: dict[str, float] = Field(default_factory=dict)

    @field_validator("rate")
    @classmethod
    def _rate_range(cls, value: float) -> float:
        return _check_rate(value)

    @field_validator("rate_by_sector")
    @classmethod
    def _sector_rates(cls, value: dict[str, float], info: ValidationInfo) -> dict[str, float]:
        for sector, rate in value.items():
            _check_rate(rate, f"rate for sector {sector!r}")
        covered = info.data.get("sectors")
        if isinstance(covered, tuple):
            outside = [sector for sector in value if sector not in covered]
            if outside:
                raise ValueError(
                    f"sectors {outside} have a rate but are not among the layer's sectors {list(covered)}"
                )
        return value

    def rate_in(self, sector: str) -> float:
        """The layer's rate in a sector it covers.

        Parameters
        ----------
        sector : str
            A covered sector.

        Returns
        -------
        float
            Its ``rate_by_sector`` entry, else ``rate``.
        """
        return self.rate_by_sector.get(sector, self.rate)


def _check_optional_labels(value: tuple[str, ...] | None, info: ValidationInfo) -> tuple[str, ...] | None:
    return None if value is None else _clean_labels(value, info.field_name or "labels")


class Exclusion(_MeasureBase):
    """Removes ``share`` (in (0, 1], default all) of named tariff layers' rate.

    Restricted to ``sectors`` and/or ``targets`` (exporters) when given; ``None``
    means all those the layer covers. Several exclusions on the same cells add up
    (they name different products), capped at the whole rate.

    Parameters
    ----------
    id : str
        A unique, non-blank id.
    description : str
        What the measure is, in words.
    start : datetime.date or str
        The first day it applies (``YYYY-MM-DD``).
    end : datetime.date or str, optional
        The first day it no longer applies (after ``start``; None: open-ended).
    basis : str, optional
        The legal basis (e.g. "Section 301").
    source : str, optional
        Where the measure is documented.
    uncertain : str, optional
        Why its existence, dates or rate are uncertain (None: confirmed).
    worlds : dict
        Replacements of its fields on other worlds' labels, by world (sector system) name, or
        ``{applies = false}`` where it has no counterpart.
    world : str, optional
        Defined on this world (sector system) only.
    kind : {"exclusion"}
        The measure's kind.
    layers : tuple of str
        The ids of the tariff layers excluded from.
    share : float, default 1.0
        The part of their rate removed, in (0, 1].
    sectors : tuple of str, optional
        The sectors excluded (None: all the layer covers).
    targets : tuple of str, optional
        The exporters excluded (None: all the layer covers).

    Raises
    ------
    tradewar.policy.errors.MeasureError
        If a field is missing, unknown or out of range (every problem named).
    """

    kind: Literal["exclusion"] = "exclusion"
    layers: Annotated[tuple[str, ...], BeforeValidator(_as_list)]
    share: float = 1.0
    sectors: Annotated[tuple[str, ...] | None, BeforeValidator(lambda v: None if v is None else _as_list(v))] = None
    targets: Annotated[tuple[str, ...] | None, BeforeValidator(lambda v: None if v is None else _as_list(v))] = None

    @field_validator("layers")
    @classmethod
    def _layers(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return _clean_labels(value, "the list of excluded layers")

    @field_validator("share")
    @classmethod
    def _share_range(cls, value: float) -> float:
        if not 0 < value <= 1:
            raise ValueError(f"share {value:g} must be in (0, 1]: the part of the layer's rate removed")
        return value

    _labels = field_validator("sectors", "targets")(_check_optional_labels)


class Suspension(_MeasureBase):
    """Suspends named measures from ``start`` until ``end`` (when the pause lapses).

    A suspended tariff layer applies at ``remaining_rate`` instead of its ``rate``
    (sector rates scale in proportion), or not at all when ``remaining_rate`` is
    None. Other suspended measures simply stop applying. Suspensions cannot be
    suspended: give the pause an earlier ``end`` instead.

    Parameters
    ----------
    id : str
        A unique, non-blank id.
    description : str
        What the measure is, in words.
    start : datetime.date or str
        The first day it applies (``YYYY-MM-DD``).
    end : datetime.date or str, optional
        The first day it no longer applies (after ``start``; None: open-ended).
    basis : str, optional
        The legal basis (e.g. "Section 301").
    source : str, optional
        Where the measure is documented.
    uncertain : str, optional
        Why its existence, dates or rate are uncertain (None: confirmed).
    worlds : dict
        Replacements of its fields on other worlds' labels, by world (sector system) name, or
        ``{applies = false}`` where it has no counterpart.
    world : str, optional
        Defined on this world (sector system) only.
    kind : {"suspension"}
        The measure's kind.
    measures : tuple of str
        The ids of the measures suspended.
    remaining_rate : float, optional
        The rate a suspended tariff layer keeps (None: none).

    Raises
    ------
    tradewar.policy.errors.MeasureError
        If a field is missing, unknown or out of range (every problem named).
    """

    kind: Literal["suspension"] = "suspension"
    measures: Annotated[tuple[str, ...], BeforeValidator(_as_list)]
    remaining_rate: float | None = None

    @field_validator("measures")
    @classmethod
    def _measures(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return _clean_labels(value, "the list of suspended measures")

    @field_validator("remaining_rate")
    @classmethod
    def _remaining_range(cls, value: float | None) -> float | None:
        return None if value is None else _check_rate(value, "remaining_rate")


class ExportControl(_Bilateral):
    """An export control by ``imposer`` on sales to ``targets`` in ``sectors``.

    ``tax_equivalent`` (a fraction, >= 0) or ``ban`` quantify it; neither means
    recorded but not quantified. ``exempt`` lists destinations spared (a "green
    channel", e.g. ``targets = ["*"]``, ``exempt = ["EU27"]``). :meth:`Timeline.export_tax_on` turns quantified
    controls into export taxes (``inf`` for a ban) on the flows from the imposer to
    the targets.

    Parameters
    ----------
    id : str
        A unique, non-blank id.
    description : str
        What the measure is, in words.
    start : datetime.date or str
        The first day it applies (``YYYY-MM-DD``).
    end : datetime.date or str, optional
        The first day it no longer applies (after ``start``; None: open-ended).
    basis : str, optional
        The legal basis (e.g. "Section 301").
    source : str, optional
        Where the measure is documented.
    uncertain : str, optional
        Why its existence, dates or rate are uncertain (None: confirmed).
    worlds : dict
        Replacements of its fields on other worlds' labels, by world (sector system) name, or
        ``{applies = false}`` where it has no counterpart.
    world : str, optional
        Defined on this world (sector system) only.
    imposer : str
        The country (or group) that applies it.
    targets : tuple of str
        The countries (or groups; ``"*"``: all others) it applies to; one label is a list of one.
    sectors : {"goods", "all"} or tuple of str, default "goods"
        The sectors covered.
    kind : {"export_control"}
        The measure's kind.
    tax_equivalent : float, optional
        The export-tax equivalent, a fraction >= 0.
    ban : bool, default False
        A ban (an infinite tax); not with ``tax_equivalent``.
    exempt : tuple of str
        Destinations spared.
    reach : tuple of str
        Third countries whose sales of the same products to the targets the control binds too
        (extraterritorial rules): a trade cost of the same level with no revenue on their sales.

    Raises
    ------
    tradewar.policy.errors.MeasureError
        If a field is missing, unknown or out of range (every problem named).
    """

    kind: Literal["export_control"] = "export_control"
    tax_equivalent: float | None = None
    ban: bool = False
    exempt: Annotated[tuple[str, ...], BeforeValidator(_as_list)] = ()
    # Third countries whose sales of the same products to the targets the control binds too
    # (extraterritorial reach: the U.S. foreign-direct-product rule on Taiwanese and Korean chips,
    # China's 2025 rare-earth rules). On their sales it is a trade cost of the same level with no
    # revenue (nobody collects it): :meth:`Timeline.trade_cost_on`.
    reach: Annotated[tuple[str, ...], BeforeValidator(_as_list)] = ()

    @field_validator("reach")
    @classmethod
    def _reach_labels(cls, value: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        if not value:
            return value
        value = _clean_labels(value, "reach")
        if ALL_OTHERS in value:
            raise ValueError('reach names the third countries bound ("*" is not allowed: name them)')
        imposer = info.data.get("imposer")
        if imposer is not None and imposer in value:
            raise ValueError(f"the imposer {imposer!r} is in its own reach; reach names third countries")
        targets = info.data.get("targets") or ()
        inside = [label for label in value if label in targets]
        if inside:
            raise ValueError(f"{inside} are both targets and in the reach; reach names third countries selling "
                             "to the targets")
        return value

    @field_validator("tax_equivalent")
    @classmethod
    def _tax_range(cls, value: float | None) -> float | None:
        if value is not None and value < 0:
            raise ValueError(f"tax_equivalent {value:g} is negative; an export control taxes exports (>= 0)")
        return value

    @field_validator("ban")
    @classmethod
    def _ban_or_tax(cls, value: bool, info: ValidationInfo) -> bool:
        if value and info.data.get("tax_equivalent") is not None:
            raise ValueError("give either ban = true (an infinite tax) or a tax_equivalent, not both")
        return value


class PurchaseCommitment(_MeasureBase):
    """``importer`` commits to buy ``amount_usd_mn`` (USD millions) more from ``exporter``.

    A scenario run meets it with an import subsidy on ``sectors`` (the instrument that
    delivers the purchase; see :func:`tradewar.simulation.solve_policy`) and reports what
    the subsidy costs; without ``amount_usd_mn`` it is recorded and reported only.

    Parameters
    ----------
    id : str
        A unique, non-blank id.
    description : str
        What the measure is, in words.
    start : datetime.date or str
        The first day it applies (``YYYY-MM-DD``).
    end : datetime.date or str, optional
        The first day it no longer applies (after ``start``; None: open-ended).
    basis : str, optional
        The legal basis (e.g. "Section 301").
    source : str, optional
        Where the measure is documented.
    uncertain : str, optional
        Why its existence, dates or rate are uncertain (None: confirmed).
    worlds : dict
        Replacements of its fields on other worlds' labels, by world (sector system) name, or
        ``{applies = false}`` where it has no counterpart.
    world : str, optional
        Defined on this world (sector system) only.
    kind : {"purchase_commitment"}
        The measure's kind.
    importer : str
        The buyer (a country or group, not "*").
    exporter : str
        The seller (not the importer).
    sectors : {"goods", "all"} or tuple of str, default "goods"
        The sectors the purchases are in.
    amount_usd_mn : float, optional
        The extra purchases a year, USD millions (> 0; None: recorded only).

    Raises
    ------
    tradewar.policy.errors.MeasureError
        If a field is missing, unknown or out of range (every problem named).
    """

    kind: Literal["purchase_commitment"] = "purchase_commitment"
    importer: str
    exporter: str
    sectors: SectorSpec = "goods"
    amount_usd_mn: float | None = None

    @field_validator("importer", "exporter")
    @classmethod
    def _label(cls, value: str, info: ValidationInfo) -> str:
        if not value.strip() or value.strip() == ALL_OTHERS:
            raise ValueError(f'the {info.field_name} must be a country or group label (not blank, not "*")')
        if info.field_name == "exporter" and value.strip() == info.data.get("importer"):
            raise ValueError(f"the exporter {value.strip()!r} is also the importer")
        return value.strip()

    _sectors = field_validator("sectors")(_check_sectors)

    @field_validator("amount_usd_mn")
    @classmethod
    def _amount_positive(cls, value: float | None) -> float | None:
        if value is not None and value <= 0:
            raise ValueError(f"amount_usd_mn {value:g} must be positive (USD millions)")
        return value


Measure = Annotated[
    TariffLayer | Exclusion | Suspension | ExportControl | PurchaseCommitment,
    Field(discriminator="kind"),
]
"""Any measure; pydantic picks the class from the ``kind`` field."""

MEASURE_CLASSES: dict[str, type[BaseModel]] = {
    "tariff": TariffLayer,
    "exclusion": Exclusion,
    "suspension": Suspension,
    "export_control": ExportControl,
    "purchase_commitment": PurchaseCommitment,
}
_ADAPTER: TypeAdapter = TypeAdapter(Measure)


# ---------------------------------------------------------------------- parsing and errors
def parse_measure(data: Mapping[str, Any] | BaseModel) -> Measure:
    """A measure from a mapping with a ``kind`` field (an existing measure passes through).

    Parameters
    ----------
    data : mapping or Measure
        The measure's fields.

    Returns
    -------
    Measure
        The validated measure.

    Raises
    ------
    tradewar.policy.errors.MeasureError
        If it is not a mapping, its kind is unknown or a field is invalid.
    """
    if isinstance(data, _MeasureBase):
        return data  # type: ignore[return-value]
    if not isinstance(data, Mapping):
        raise MeasureError([Problem(None, (), f"a measure must be a table of fields, not {type(data).__name__}")])
    try:
        return _ADAPTER.validate_python(dict(data))
    except ValidationError as error:
        raise MeasureError(measure_problems(error, data, tagged=True)) from None


def parse_measures(items: Iterable[Mapping[str, Any] | BaseModel]) -> list[Measure]:
    """Measures from mappings; every invalid one is reported, not just the first.

    Parameters
    ----------
    items : iterable of mapping or Measure
        The measures' fields.

    Returns
    -------
    list of Measure
        The validated measures, in order.

    Raises
    ------
    tradewar.policy.errors.MeasureError
        Listing the problems of every invalid measure.
    """
    measures, problems = [], []
    for item in items:
        try:
            measures.append(parse_measure(item))
        except MeasureError as error:
            problems.extend(error.problems)
    if problems:
        raise MeasureError(problems)
    return measures


def measure_problems(
    error: ValidationError, data: Any, *, tagged: bool = False, cls: type[BaseModel] | None = None
) -> list[Problem]:
    """Readable problems from a pydantic error about one measure.

    ``tagged``: the error comes from the discriminated union, whose locations start
    with the kind (``("tariff", "rate")``); that element is dropped. ``cls``: the
    measure class, when known from the call rather than from ``data["kind"]``.

    Parameters
    ----------
    error : pydantic.ValidationError
        The error.
    data : Any
        The input that failed (its ``id`` and ``kind`` are read when it is a mapping).
    tagged : bool, default False
        The error comes from the discriminated union.
    cls : type, optional
        The measure class.

    Returns
    -------
    list of Problem
        One per error item, with the measure's id and the field's path.
    """
    mapping = data if isinstance(data, Mapping) else {}
    measure_id = mapping.get("id") if isinstance(mapping.get("id"), str) else None
    if cls is None and isinstance(mapping.get("kind"), str):
        cls = MEASURE_CLASSES.get(mapping["kind"])
    problems = []
    for item in error.errors():
        loc = tuple(item["loc"])
        if tagged and loc and loc[0] in KINDS:
            loc = loc[1:]
        if item["type"] in ("union_tag_invalid", "union_tag_not_found"):
            loc = ("kind",)
        problems.append(Problem(measure_id, loc, describe_error(item, cls)))
    return problems


def describe_error(item: Mapping[str, Any], cls: type[BaseModel] | None = None) -> str:
    """One pydantic error item in plain words (our validators' text kept as is).

    Parameters
    ----------
    item : mapping
        One item of ``ValidationError.errors()``.
    cls : type, optional
        The measure class (to list its fields for an unknown one).

    Returns
    -------
    str
        The message.
    """
    error_type = item["type"]
    if error_type == "missing":
        return "required field missing"
    if error_type == "extra_forbidden":
        if cls is None:
            return "unknown field"
        kind = cls.model_fields["kind"].default
        return f"unknown field; a {kind} measure has the fields {', '.join(field_names(cls))}"
    if error_type == "union_tag_invalid":
        return f"unknown kind {item['input'].get('kind')!r}; choose from {', '.join(KINDS)}"
    if error_type == "union_tag_not_found":
        return f"the measure has no kind; choose from {', '.join(KINDS)}"
    message = str(item["msg"])
    for prefix in ("Value error, ", "Assertion failed, "):
        message = message.removeprefix(prefix)
    if error_type not in ("value_error", "assertion_error") and "input" in item:
        message += f" (got {item['input']!r})"
    return message


def field_names(cls: type[BaseModel]) -> list[str]:
    """The fields of a measure class ``cls``, ``kind`` first.

    Returns
    -------
    list of str
        Field names.
    """
    return ["kind", *(name for name in cls.model_fields if name != "kind")]
