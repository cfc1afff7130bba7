"""User input, checked once for the command line, scenario files and the web API.

Units (said once here, and repeated in every message):

- a **rate** is a fraction: ``0.25`` is a tariff 25 percentage points higher. Scenario
  files (``rate = 0.25``) and the web API's ``rate`` field take rates;
- **points** are percentage points: ``25`` is 25 points more. The command line's
  ``--tariff USA:CHN:25``, the web page's tariff box and the web API's ``points``
  field take points.

Conversion from points to a rate happens in one place, :func:`tariff_change`.

Bounds: a tariff change lies above -100 points (-1) and at most 1,000 points (10);
a tariff above 1,000% is far more likely a percentage typed as a fraction (or a
fraction typed as points) than a policy, and prohibitive anyway. The tariff that
results from stacking changes on a scenario's must stay above -100% (buyers would
pay nothing or less). Booleans and text are not numbers. A country does not tax its
own goods (``USA:USA``). Dates lie within the span the measure library covers,
:data:`FIRST_DAY` to :data:`LAST_DAY` (the library starts with the 2018 Section 201
and 301 tariffs; later days repeat the last known measures, so a window is capped a
few years on). Unknown countries and sectors are named with the closest labels.
"""

from __future__ import annotations

import calendar
import difflib
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import numpy as np

from tradewar.policy.conventions import MAX_RATE
from tradewar.policy.errors import PolicyError
from tradewar.policy.labels import LabelLookup

if TYPE_CHECKING:  # annotations only: reading scenario files loads no xarray
    import xarray as xr

    from tradewar.world.world import World

__all__ = [
    "FIRST_DAY",
    "LAST_DAY",
    "MAX_POINTS",
    "MAX_RATE",
    "MIN_POINTS",
    "InputError",
    "TariffChange",
    "apply_tariff_changes",
    "check_day",
    "number",
    "parse_against",
    "parse_day",
    "parse_tariff_spec",
    "tariff_change",
]

FIRST_DAY = date(2018, 1, 1)
"""The first day the measure library covers (its first measures start in 2018)."""
LAST_DAY = date(2030, 12, 31)
"""The last day accepted: the library's last measures are of 2026; days after repeat them."""
# One bound for scenario files' measures and every box: measures.MAX_RATE (10, i.e. 1,000%).
MIN_POINTS, MAX_POINTS = -100.0, 100 * MAX_RATE
"""A tariff change in points lies in (MIN_POINTS, MAX_POINTS]."""
UNITS = {"points": "in percentage points: 25 = 25 points", "rate": "a fraction: 0.25 = 25%"}
_ISO_DAY = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})\s*$")


class InputError(PolicyError):
    """A user's input is out of bounds or malformed; ``field`` says which input.

    Parameters
    ----------
    message : str
        What is wrong, in the user's units.
    field : str, optional
        The input (an option, a form field, a TOML field).
    """

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


# ---------------------------------------------------------------------- numbers
def number(value: object, what: str, unit: str = "rate") -> float:
    """A finite number; booleans, text and missing values are refused (in ``unit``'s words).

    Parameters
    ----------
    value : object
        The input.
    what : str
        The input's name, in messages.
    unit : {"rate", "points"}, default "rate"
        How the user gives it (named in messages).

    Returns
    -------
    float
        The value.

    Raises
    ------
    InputError
        If it is not a finite number.
    """
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise InputError(f"{what} must be a number ({what} is {UNITS[unit]}), not {value!r}", what)
    value = float(value)
    if not math.isfinite(value):
        raise InputError(f"{what} must be a finite number ({what} is {UNITS[unit]}), not {value}", what)
    return value


def _fmt_points(points: float) -> str:
    return f"{points:,.6g} points"


def tariff_change(value: object, what: str = "tariff", unit: str = "points") -> float:
    """A tariff change given in ``unit`` ("points" or "rate"), checked and returned as a rate.

    Raises :class:`InputError` in the user's unit: "1e+09 points is above 1,000 points".

    Parameters
    ----------
    value : object
        The input.
    what : str, default "tariff"
        The input's name, in messages.
    unit : {"points", "rate"}, default "points"
        Percentage points (25 = 25 points) or a fraction (0.25).

    Returns
    -------
    float
        The change as a rate (a fraction), in (-1, 10].

    Raises
    ------
    InputError
        If it is not a number or out of bounds.
    ValueError
        If ``unit`` is neither (a programming error).
    """
    if unit not in UNITS:
        raise ValueError(f"unit must be 'points' or 'rate', not {unit!r}")
    given = number(value, what, unit)
    points = given if unit == "points" else 100 * given
    if points <= MIN_POINTS or points > MAX_POINTS:
        if unit == "points":
            shown, low, high = f"{what}: {_fmt_points(given)}", "-100 points (-100%)", "the 1,000 points allowed"
            hint = ""
        else:
            shown, low, high = f"{what} {given:g}", "-1 (-100%)", f"{MAX_RATE:g} (1,000%)"
            hint = f"; did you mean {given / 100:g}?" if MAX_RATE < given <= MAX_POINTS else ""
        side = f"at or below {low}: buyers would pay nothing or less" if points <= MIN_POINTS else f"above {high}"
        raise InputError(f"{shown} is {side} (a tariff change is {UNITS[unit]}){hint}", what)
    return points / 100


# ---------------------------------------------------------------------- dates
def parse_day(text: str, what: str = "date") -> date:
    """An ISO day ``YYYY-MM-DD``: an impossible day (2025-02-30) is named as such.

    Parameters
    ----------
    text : str
        The input.
    what : str, default "date"
        The input's name, in messages.

    Returns
    -------
    datetime.date
        The day.

    Raises
    ------
    InputError
        If the text is not a day, or the day is outside FIRST_DAY..LAST_DAY.
    """
    match = _ISO_DAY.match(text) if isinstance(text, str) else None
    if match is None:
        raise InputError(f"{what} must be a day YYYY-MM-DD (e.g. 2025-06-10), not {text!r}", what)
    year, month, day = (int(part) for part in match.groups())
    if not 1 <= month <= 12:
        raise InputError(f"{what} {text.strip()} is not a date: there is no month {month}", what)
    last = calendar.monthrange(year, month)[1] if year >= 1 else 31
    if not 1 <= day <= last:
        raise InputError(f"{what} {text.strip()} is not a date: {calendar.month_name[month]} {year} has {last} days",
                         what)
    return check_day(date(year, month, day), what)


def check_day(day: date, what: str = "date") -> date:
    """A day within the library's coverage, FIRST_DAY to LAST_DAY.

    Parameters
    ----------
    day : datetime.date
        The day.
    what : str, default "date"
        The input's name, in messages.

    Returns
    -------
    datetime.date
        The day.

    Raises
    ------
    InputError
        If it is outside the span.
    """
    if not FIRST_DAY <= day <= LAST_DAY:
        raise InputError(f"{what} {day.isoformat()} is outside the span the measure library covers, "
                         f"{FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()}", what)
    return day


def looks_like_a_day(text: str) -> bool:
    """True for text shaped like YYYY-MM-DD (a valid day or not).

    Parameters
    ----------
    text : str
        The input.

    Returns
    -------
    bool
        Whether it has that shape.
    """
    return bool(_ISO_DAY.match(text))


def parse_against(value: str | date | None, what: str = "against") -> date | str | None:
    """A starting point: a day (YYYY-MM-DD, checked) or a scenario's name or file (returned as is).

    Parameters
    ----------
    value : str, datetime.date or None
        The input.
    what : str, default "against"
        The input's name, in messages.

    Returns
    -------
    datetime.date, str or None
        The day, the name or file (stripped), or None for None or "".

    Raises
    ------
    InputError
        If a day is invalid or outside the span.
    """
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return check_day(value, what)
    if looks_like_a_day(value):
        return parse_day(value, what)
    return value.strip()


# ---------------------------------------------------------------------- labels
def close_matches(label: str, choices: Sequence[str]) -> str:
    """`` (did you mean 'X'?)`` or nothing.

    Parameters
    ----------
    label : str
        The unknown label.
    choices : sequence of str
        The known ones.

    Returns
    -------
    str
        The hint naming up to two close matches, or "".
    """
    close = difflib.get_close_matches(label, list(choices), n=2)
    return f" (did you mean {' or '.join(map(repr, close))}?)" if close else ""


def check_choice(value: str, choices: Sequence[str], what: str) -> str:
    """One of a few fixed words (``--regions compact``), with the close ones named.

    Parameters
    ----------
    value : str
        The input.
    choices : sequence of str
        The words allowed.
    what : str
        The input's name, in messages.

    Returns
    -------
    str
        The value.

    Raises
    ------
    InputError
        If it is not one of them.
    """
    if value not in choices:
        raise InputError(f"{what}: unknown {value!r}{close_matches(value, choices)}; choose one of "
                         f"{', '.join(choices)}", what)
    return value


#: The closures a counterfactual can be solved under (``--revenue``, ``--deficits``).
REVENUE_CHOICES = ("rebate", "deficit-reduction")
DEFICIT_CHOICES = ("fixed", "zero")


def check_elasticities(elasticities: str | None = None, horizon: str | None = None, *,
                       names: tuple[str, str] = ("elasticities", "horizon")) -> None:
    """A named elasticity set and horizon (``--elasticities``, ``--horizon``), checked by name;
    ``names`` are how the user gave them (an option, a TOML field).

    Parameters
    ----------
    elasticities : str, optional
        The set's name (None: not checked).
    horizon : str, optional
        The horizon (None: not checked).
    names : tuple of str, default ("elasticities", "horizon")
        How the user gave them.

    Raises
    ------
    InputError
        If a name is unknown.
    """
    from tradewar.world.horizons import HORIZONS  # light: a scenario naming a horizon loads no pandas

    if elasticities is not None:
        from tradewar.world.elasticities import ELASTICITY_SETS

        check_choice(elasticities, list(ELASTICITY_SETS), names[0])
    if horizon is not None:
        check_choice(horizon, list(HORIZONS), names[1])


def check_closure(revenue: str | None = None, deficits: str | None = None, *,
                  names: tuple[str, str] = ("revenue", "deficits")) -> None:
    """A closure (``--revenue``, ``--deficits``), checked by name.

    Parameters
    ----------
    revenue : str, optional
        "rebate" or "deficit-reduction" (None: not checked).
    deficits : str, optional
        "fixed" or "zero" (None: not checked).
    names : tuple of str, default ("revenue", "deficits")
        How the user gave them.

    Raises
    ------
    InputError
        If a name is unknown.
    """
    if revenue is not None:
        check_choice(revenue, list(REVENUE_CHOICES), names[0])
    if deficits is not None:
        check_choice(deficits, list(DEFICIT_CHOICES), names[1])


def check_countries(labels: Sequence[str], world: World, what: str = "countries") -> list[str]:
    """Country labels of ``world`` (unknown ones named with close matches).

    Parameters
    ----------
    labels : sequence of str
        The input.
    world : World
        The world.
    what : str, default "countries"
        The input's name, in messages.

    Returns
    -------
    list of str
        The labels.

    Raises
    ------
    InputError
        Naming every unknown label.
    """
    unknown = [label for label in labels if label not in world.countries]
    if unknown:
        raise InputError(f"{what}: " + "; ".join(
            f"unknown country {label!r}{close_matches(label, world.countries)}" for label in unknown)
            + f"; world {world.name!r} has {', '.join(world.countries)}", what)
    return list(labels)


# ---------------------------------------------------------------------- tariff changes
@dataclass(frozen=True)
class TariffChange:
    """A tariff change on top of a scenario's: ``importer`` taxes ``exporter``'s goods more.

    ``rate`` is a fraction (0.25 = 25 points more); ``unit`` says how the user gave it
    ("points" on the command line and the web page, "rate" in the API's ``rate``), so that
    messages use the user's unit. ``sectors``: "goods", "all" or sector labels.

    Build checked ones with :func:`make_tariff_change` or :func:`parse_tariff_spec`.

    Parameters
    ----------
    importer, exporter : str
        Country or group labels.
    rate : float
        The change, a fraction.
    sectors : str or tuple of str, default "goods"
        "goods", "all" or sector labels.
    unit : {"points", "rate"}, default "points"
        How the user gave it.
    where : str, default "tariff"
        The input it came from, in messages.
    """

    importer: str
    exporter: str
    rate: float
    sectors: str | tuple[str, ...] = "goods"
    unit: str = "points"
    where: str = "tariff"

    def amount(self) -> str:
        """The change in the user's unit: '25 points' or 'rate 0.25'.

        Returns
        -------
        str
            The amount.
        """
        return _fmt_points(100 * self.rate) if self.unit == "points" else f"rate {self.rate:g}"

    def describe(self) -> str:
        """The change in words, in the unit it was given in (e.g. ``USA on CHN (goods): +25 points``).

        Returns
        -------
        str
            The description.
        """
        sectors = self.sectors if isinstance(self.sectors, str) else ", ".join(self.sectors)
        return f"{self.importer} on {self.exporter} ({sectors}): {'+' if self.rate >= 0 else ''}{self.amount()}"

    def to_dict(self) -> dict:
        """What ``--json`` and the report record: labels, sectors, the change as a rate and in points.

        Returns
        -------
        dict
            ``importer``, ``exporter``, ``sectors``, ``rate``, ``points``.
        """
        return {"importer": self.importer, "exporter": self.exporter,
                "sectors": self.sectors if isinstance(self.sectors, str) else list(self.sectors),
                "rate": self.rate, "points": 100 * self.rate}


def make_tariff_change(importer: str, exporter: str, amount: object, sectors="goods", *, unit: str = "points",
                       where: str = "tariff") -> TariffChange:
    """A checked :class:`TariffChange` (bounds, units, own-country) from the user's values.

    Parameters
    ----------
    importer, exporter : str
        Country or group labels (different).
    amount : object
        The change, in ``unit``.
    sectors : str or sequence of str, default "goods"
        "goods", "all" or sector labels.
    unit : {"points", "rate"}, default "points"
        How the user gave it.
    where : str, default "tariff"
        The input it came from, in messages.

    Returns
    -------
    TariffChange
        The change, as a rate.

    Raises
    ------
    InputError
        If the importer is the exporter, or the amount is not a number or out of bounds.
    """
    importer, exporter = str(importer).strip(), str(exporter).strip()
    if importer == exporter:
        raise InputError(f"{where}: {importer} cannot put a tariff on its own goods (importer and exporter are both "
                         f"{importer!r})", where)
    rate = tariff_change(amount, f"{where}" if unit == "points" else f"{where}.rate", unit)
    if not isinstance(sectors, str):
        sectors = tuple(sectors)
    return TariffChange(importer, exporter, rate, sectors, unit, where)


def parse_tariff_spec(spec: str) -> TariffChange:
    """``IMPORTER:EXPORTER:POINTS[:SECTOR]`` (the command line's ``--tariff``; points).

    Parameters
    ----------
    spec : str
        The option's value.

    Returns
    -------
    TariffChange
        The checked change.

    Raises
    ------
    InputError
        If the text is malformed, the points are not a number or out of bounds, or the
        importer is the exporter.
    """
    where = f"--tariff {spec}"
    parts = [part.strip() for part in spec.split(":")]
    if len(parts) not in (3, 4) or not all(parts):
        raise InputError(f"{where}: expected IMPORTER:EXPORTER:POINTS or IMPORTER:EXPORTER:POINTS:SECTOR "
                         "(POINTS in percentage points, e.g. USA:CHN:25)", where)
    importer, exporter, text = parts[:3]
    try:
        points = float(text)
    except ValueError:
        raise InputError(f"{where}: {text!r} is not a number of percentage points (e.g. 25)", where) from None
    return make_tariff_change(importer, exporter, points, [parts[3]] if len(parts) == 4 else "goods", where=where)


def apply_tariff_changes(world: World, tariff: xr.DataArray, changes: Sequence[TariffChange]) -> xr.DataArray:
    """``tariff`` (on ``world``) plus the changes; labels checked against ``world``.

    Countries may be groups (EU27); an importer and exporter that overlap, or a resulting
    tariff at or below -100%, are refused in the change's own unit.

    Parameters
    ----------
    world : World
        The world the labels are checked against.
    tariff : xarray.DataArray
        The tariffs (importer, exporter, sector) on ``world``.
    changes : sequence of TariffChange
        The changes, added in order.

    Returns
    -------
    xarray.DataArray
        A copy with the changes (``tariff`` itself without changes).

    Raises
    ------
    InputError
        If a label is unknown, a country is on both sides, or a tariff falls to -100% or below.
    """
    if not changes:
        return tariff
    lookup = LabelLookup(world)
    tariff = tariff.copy()
    for change in changes:
        cells = {}
        for role in ("importer", "exporter"):
            try:
                cells[role] = lookup.members(getattr(change, role))
            except ValueError as error:
                raise InputError(f"{change.where}.{role}: {error}", f"{change.where}.{role}") from None
        try:
            cells["sector"] = lookup.sector_list(change.sectors)
        except ValueError as error:
            raise InputError(f"{change.where}.sectors: {error}", f"{change.where}.sectors") from None
        both = sorted(set(cells["importer"]) & set(cells["exporter"]))
        if both:
            raise InputError(f"{change.where}: {both} are on both sides (importer {change.importer!r}, exporter "
                             f"{change.exporter!r}); a country does not put tariffs on its own goods", change.where)
        tariff.loc[cells] += change.rate
        low = tariff.loc[cells]
        if bool((low <= -1).any()):
            cell = low.where(low <= -1, drop=True).isel(importer=0, exporter=0, sector=0)
            after = float(cell)
            raise InputError(
                f"{change.where}: {change.amount()} brings {cell.importer.item()}'s tariff on {cell.sector.item()} "
                f"from {cell.exporter.item()} from {100 * (after - change.rate):.4g}% to {100 * after:.4g}%, at or "
                f"below -100% (buyers would pay nothing or less)", change.where)
    return tariff
