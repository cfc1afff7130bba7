"""A timeline: a checked set of measures, folded into the policy state on any day.

>>> timeline = Timeline([reciprocal, geneva_pause])          # doctest: +SKIP
>>> timeline.in_force(date(2025, 5, 20)).to_frame()         # doctest: +SKIP
>>> timeline.tariff_on(date(2025, 5, 20), world)            # doctest: +SKIP
>>> timeline.average_tariff(world, "2018-01-01", "2026-12-31")  # doctest: +SKIP
"""

from __future__ import annotations

import difflib
import hashlib
import sys
import weakref
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from tradewar import disk_cache
from tradewar.policy.dates import as_date
from tradewar.policy.errors import LabelError, Problem, TimelineError
from tradewar.policy.labels import LabelLookup
from tradewar.policy.measures import (
    Exclusion,
    ExportControl,
    Measure,
    PurchaseCommitment,
    Suspension,
    TariffLayer,
    parse_measures,
)
from tradewar.policy.state import PolicyState, resolve
from tradewar.policy.tariffs import CompiledPolicy, compile_policy, lines_system, sector_system

if TYPE_CHECKING:  # annotations only: reading the library loads neither xarray nor pandas
    import pandas as pd
    import xarray as xr

    from tradewar.world.world import World

__all__ = ["Change", "Step", "Timeline", "policy_date", "register_source", "sector_system"]


def policy_date(world: World) -> date | None:
    """The day whose measures a world's baseline tariffs already hold (attribute ``policy_date``),
    or None for a world without trade-war measures in its baseline.

    Parameters
    ----------
    world : World
        The world.

    Returns
    -------
    datetime.date or None
        The day.

    Raises
    ------
    ValueError
        If the attribute is not a full date.
    """
    value = world.data.attrs.get("policy_date")
    return as_date(str(value), "policy_date") if value else None



DEFAULT_PAIRS = (("USA", "CHN"), ("CHN", "USA"))
# tariff_on: "model" = line-consistent sector rates (simulations); "trade-weighted" = the trackers' means.
AGGREGATES = ("model", "trade-weighted")
# The fixed point of Timeline._before_policy: tariffs (fractions) agree to 1e-12 within a few steps.
FIXED_POINT_ITERATIONS = 50
FIXED_POINT_TOLERANCE = 1e-13

# Results kept between processes (tradewar.disk_cache) live in this folder of the cache.
CACHE_NAMESPACE = "policy"
# Compiled policies shared by the timelines of one process that hold the same measures (a
# simulation checks the scenario's timeline and then folds an equal one); the newest few.
_COMPILED: OrderedDict[tuple, CompiledPolicy] = OrderedDict()
_COMPILED_KEPT = 4
# id(measure) -> (measure, its fingerprint) for measures read from files whose contents are
# hashed (the built-in library): cheaper than the repr of 700 measures.
_SOURCES: dict[int, tuple[Measure, str]] = {}


def register_source(measures: Sequence[Measure], fingerprint: str) -> None:
    """Record that ``measures`` are, in this order, what files with content hash ``fingerprint`` parse to.

    A timeline's :attr:`Timeline.fingerprint` then names these measures by that hash and
    their position instead of their full ``repr`` (the parse is covered by the code
    fingerprint of every cached result).

    Parameters
    ----------
    measures : sequence of Measure
        The parsed measures (kept alive here, so that their ids stay theirs).
    fingerprint : str
        SHA-256 of the files they were parsed from.
    """
    for position, measure in enumerate(measures):
        _SOURCES[id(measure)] = (measure, f"{fingerprint}:{position}")


def _measure_print(measure: Measure) -> str:
    known = _SOURCES.get(id(measure))
    return known[1] if known is not None and known[0] is measure else repr(measure)


def _changes(array: np.ndarray, base: np.ndarray) -> dict[str, np.ndarray]:
    """The cells of ``array`` that differ from ``base`` bit for bit, as flat positions and values
    (what the cache keeps: a day's tariff differs from the world's in a few percent of its cells)."""
    flat = np.ascontiguousarray(array, dtype=float).reshape(-1)
    cells = np.flatnonzero(flat.view(np.uint64) != np.ascontiguousarray(base, dtype=float).reshape(-1).view(np.uint64))
    return {"cells": cells, "values": flat[cells]}


def _applied(kept: dict[str, np.ndarray] | None, base: np.ndarray) -> np.ndarray | None:
    """``base`` with the kept changes (:func:`_changes`) put in, or None if they do not fit it."""
    if kept is None:
        return None
    cells, values = kept.get("cells"), kept.get("values")
    if (cells is None or values is None or cells.ndim != 1 or cells.shape != values.shape
            or cells.dtype.kind not in "iu" or values.dtype != np.float64
            or (cells.size and (cells.min() < 0 or cells.max() >= base.size))):
        return None
    result = np.array(base, dtype=float).reshape(-1)
    result[cells] = values
    return result.reshape(base.shape)


@cache
def _code_fingerprint() -> str:
    """What a cached policy result depends on besides its inputs: the code of the policy and
    world layers, the built-in measures (line cells apply only to built-in layers), every tariff
    table the policy layer may read (``data/tariffs``: the line cells and any added later), and
    numpy's and Python's versions."""
    from importlib import resources

    package = Path(str(resources.files("tradewar")))
    files = [
        *sorted((package / "policy").glob("*.py")),
        *sorted((package / "world").glob("*.py")),
        package / "disk_cache.py",
        *sorted((package / "data" / "measures").glob("*.toml")),
        *sorted((package / "data" / "tariffs").glob("*")),
    ]
    versions = f"|numpy {np.__version__}|python {sys.version_info[:3]}"
    return disk_cache.files_fingerprint(tuple(str(f) for f in files)) + versions


# World -> its content hash, once per world object: a world's arrays are not changed in place
# (World.replace makes a new one; model.result.baseline_accounts relies on the same).
_HASHES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _world_key(world: World) -> tuple:
    """The world as a cached result sees it: content hash (labels and numbers) and attributes
    (read every time: they are set after construction, e.g. by ``with_elasticities``)."""
    content = _HASHES.get(world)
    if content is None:
        content = _HASHES[world] = world.hash
    attrs = tuple(sorted((str(k), repr(v)) for k, v in world.data.attrs.items()))
    return (content, attrs)


@dataclass(frozen=True)
class Change:
    """One measure starting or ending on a step date.

    Parameters
    ----------
    measure_id : str
        The measure.
    kind : str
        Its kind (``tariff``, ``suspension``, ...).
    event : {"starts", "ends"}
        What happens.
    description : str
        The measure's description.
    """

    measure_id: str
    kind: str
    event: str  # "starts" or "ends"
    description: str


@dataclass(frozen=True)
class Step:
    """A day on which the policy changes, and what changes.

    Parameters
    ----------
    on : datetime.date
        The day.
    changes : tuple of Change
        The measures that start or end that day.
    """

    on: date
    changes: tuple[Change, ...]

    @property
    def ids(self) -> list[str]:
        """Ids of the measures that change on this step's day."""
        return [change.measure_id for change in self.changes]


class Timeline:
    """A checked, immutable set of measures.

    ``measures``: measure objects or mappings with a ``kind`` field. Checked on
    construction: unique ids; suspensions and exclusions name measures that exist
    and can be suspended or excluded, and overlap them in time; a remaining rate
    lies between zero and the rate of each layer it holds. Labels are checked
    against a world by :meth:`check_world` (done by every method that takes one).

    Parameters
    ----------
    measures : iterable of Measure or mapping
        The measures (mappings are parsed by their ``kind``).

    Raises
    ------
    tradewar.policy.errors.MeasureError
        If a measure's fields are invalid.
    tradewar.policy.errors.TimelineError
        If the measures do not fit together (every problem listed).
    """

    def __init__(self, measures: Iterable[Measure | Mapping[str, Any]] = ()):
        self._measures: tuple[Measure, ...] = tuple(parse_measures(measures))
        self._by_id: dict[str, Measure] = {}
        problems = []
        for measure in self._measures:
            if measure.id in self._by_id:
                problems.append(Problem(measure.id, ("id",), f"duplicate id: two measures are called {measure.id!r}"))
            self._by_id.setdefault(measure.id, measure)
        problems += [p for m in self._measures for p in self._reference_problems(m)]
        if problems:
            raise TimelineError(problems)
        self._compiled: dict[tuple, CompiledPolicy] = {}
        self._before: dict[tuple, np.ndarray] = {}  # world hash, policy date -> tariff before its layers
        self._fingerprint: str | None = None

    # ------------------------------------------------------------------ the set
    @property
    def measures(self) -> tuple[Measure, ...]:
        """Every measure of the timeline, checked, in the order given."""
        return self._measures

    @property
    def fingerprint(self) -> str:
        """SHA-256 naming the measures, in order: different measures, a different name (built-in
        measures are named by their files' hash and position, others by their ``repr``)."""
        if self._fingerprint is None:
            digest = hashlib.sha256()
            for measure in self._measures:
                digest.update(_measure_print(measure).encode() + b"\0")
            self._fingerprint = digest.hexdigest()
        return self._fingerprint

    def __iter__(self) -> Iterator[Measure]:
        return iter(self._measures)

    def __len__(self) -> int:
        return len(self._measures)

    def __contains__(self, measure_id: object) -> bool:
        return measure_id in self._by_id

    def __getitem__(self, measure_id: str) -> Measure:
        try:
            return self._by_id[measure_id]
        except KeyError:
            raise KeyError(f"no measure {measure_id!r}{self._did_you_mean(measure_id)}") from None

    def __repr__(self) -> str:
        if not self._measures:
            return "<Timeline: no measures>"
        first = min(m.start for m in self._measures)
        last = max(m.start for m in self._measures)
        return f"<Timeline: {len(self)} measures starting {first} to {last}>"

    def extended(self, measures: Iterable[Measure | Mapping[str, Any]]) -> Timeline:
        """A new timeline with more measures (which may refer to these ones).

        Parameters
        ----------
        measures : iterable of Measure or mapping
            The measures added.

        Returns
        -------
        Timeline
            The checked union.

        Raises
        ------
        tradewar.policy.errors.MeasureError
            If a new measure's fields are invalid.
        tradewar.policy.errors.TimelineError
            If the union does not fit together.
        """
        return Timeline([*self._measures, *measures])

    def _did_you_mean(self, measure_id: str) -> str:
        close = difflib.get_close_matches(measure_id, list(self._by_id), n=3)
        return f" (did you mean {', '.join(map(repr, close))}?)" if close else ""

    def _reference_problems(self, measure: Measure) -> list[Problem]:
        """What is wrong with the measures a suspension or an exclusion names."""
        if isinstance(measure, Suspension):
            field, names = "measures", measure.measures
        elif isinstance(measure, Exclusion):
            field, names = "layers", measure.layers
        else:
            return []
        problems = []
        for position, name in enumerate(names):
            where = (field, position)
            target = self._by_id.get(name)
            if target is None:
                message = f"names {name!r}, which is not in the timeline{self._did_you_mean(name)}"
                problems.append(Problem(measure.id, where, message))
                continue
            if isinstance(measure, Exclusion) and not isinstance(target, TariffLayer):
                message = f"excludes {name!r}, a {target.kind} measure; only tariff layers can be excluded"
                problems.append(Problem(measure.id, where, message))
                continue
            if isinstance(measure, Suspension) and isinstance(target, Suspension):
                problems.append(
                    Problem(
                        measure.id, where, f"suspends {name!r}, itself a suspension; end that pause earlier instead"
                    )
                )
                continue
            if not _overlap(measure, target):
                problems.append(
                    Problem(
                        measure.id,
                        where,
                        f"dates out of order: {measure.kind} {measure.id!r} ({measure.window()}) never overlaps "
                        f"{name!r} ({target.window()})",
                    )
                )
            if isinstance(measure, Suspension) and measure.remaining_rate is not None:
                problems += _remaining_rate_problems(measure, target)
        return problems

    # ------------------------------------------------------------------ a world
    def check_world(self, world: World) -> None:
        """Raise :class:`LabelError` naming every measure and label the world does not have.

        Parameters
        ----------
        world : World
            The world.

        Raises
        ------
        tradewar.policy.errors.LabelError
            Naming every unknown label.

        Notes
        -----
        A world that passed with the same measures is remembered in the user's cache
        (:mod:`tradewar.disk_cache`), so that a later process need not compile them to know.
        """
        name = self._cache_key("checked", world)
        if name is None or disk_cache.load(CACHE_NAMESPACE, name) is None:
            self._compile(world)  # raises on an unknown label
            if name is not None:
                disk_cache.store(CACHE_NAMESPACE, name, {})

    def _cache_key(self, what: str, world: World, *parts: object) -> str | None:
        """The name of a result kept between processes (None: the cache is off)."""
        if disk_cache.cache_dir() is None:
            return None
        return disk_cache.key(what, self.fingerprint, _code_fingerprint(), _world_key(world), *parts)

    def _compile(self, world: World) -> CompiledPolicy:
        # The content hash covers labels and numbers; the goods list is an attribute.
        key = (world.hash, tuple(world.goods), sector_system(world))
        if key not in self._compiled:
            shared = (self.fingerprint, _world_key(world), *key[1:])  # attributes too (policy date, aggregate)
            compiled = _COMPILED.get(shared)
            if compiled is None:
                system = sector_system(world)
                adapted = [(m, m.on_world(system)) for m in self._measures]
                compiled = compile_policy([on for _, on in adapted if on is not None], world)
                absent = frozenset(m.id for m, on in adapted if on is None)
                compiled = replace(compiled, absent=absent) if absent else compiled
                _COMPILED[shared] = compiled
                while len(_COMPILED) > _COMPILED_KEPT:  # another thread may prune too
                    try:
                        _COMPILED.popitem(last=False)
                    except KeyError:
                        break
            self._compiled[key] = compiled
        return self._compiled[key]

    # ------------------------------------------------------------------ a day
    def in_force(self, on: date | str) -> PolicyState:
        """The measures in force on a day (``start <= on < end``), suspensions and exclusions resolved.

        Parameters
        ----------
        on : datetime.date or str
            The day (ISO text accepted).

        Returns
        -------
        PolicyState
            Each measure in force, with what suspends or excludes it.

        Raises
        ------
        ValueError
            If ``on`` is not a full date.
        """
        return resolve(self._measures, as_date(on, "on"))

    def tariff_on(self, on: date | str, world: World, aggregate: str = "model") -> xr.DataArray:
        """The world's baseline tariff plus every layer in force on a day (importer, exporter, sector).

        ``aggregate="model"`` (what simulations get): where a layer covers only some tariff lines
        of a sector (:mod:`tradewar.policy.lines`), the lines' tariffs add up line by line and the
        sector gets the rate with the same price index and trade response in the model,
        (1+t*)^(-theta) = sum w (1+t_line)^(-theta), with the world's trade elasticity.
        ``aggregate="trade-weighted"``: the layers' trade-weighted sector rates, summed (the
        trackers' statistic, used by :meth:`average_tariff`).

        Parameters
        ----------
        on : datetime.date or str
            The day (``YYYY-MM-DD``).
        world : World
            The world whose labels and sector table the measures are folded onto.
        aggregate : {"model", "trade-weighted"}
            How a layer's line rates become a sector rate.

        Returns
        -------
        xarray.DataArray
            Tariffs (fractions), labelled like ``world.tariff``; ``attrs`` name the measures.
        """
        if aggregate not in AGGREGATES:
            raise ValueError(f"aggregate must be one of {', '.join(map(repr, AGGREGATES))}, got {aggregate!r}")
        day = as_date(on, "on")
        # A pure function of the measures, the world and the day: kept between processes.
        name = self._cache_key("tariff", world, day, aggregate)
        baseline = world.tariff.values
        kept = _applied(disk_cache.load(CACHE_NAMESPACE, name), baseline) if name is not None else None
        if kept is not None:
            tariff, state = kept, self.in_force(day)
        else:
            tariff, state = self._tariff(day, world, self._compile(world), model=aggregate == "model")
            if name is not None:
                disk_cache.store(CACHE_NAMESPACE, name, _changes(tariff, baseline), compress=False)
        result = world.tariff.copy(data=tariff).rename("tariff")
        result.attrs = {
            "units": "fraction (0.25 = 25%)",
            "date": day.isoformat(),
            "measures": ", ".join(e.id for e in state.tariff_layers if e.applies),
            "aggregate": aggregate,
        }
        return result

    def export_tax_on(self, on: date | str, world: World) -> xr.DataArray:
        """Export taxes of the quantified export controls in force on a day, on top of the world's own.

        Parameters
        ----------
        on : datetime.date or str
            The day (``YYYY-MM-DD``).
        world : World
            The world whose labels the controls are folded onto.

        Returns
        -------
        xarray.DataArray
            Export taxes (importer, exporter, sector; fractions, ``inf`` marks a ban).
        """
        day = as_date(on, "on")
        state = self.in_force(day)
        name = self._cache_key("export_tax", world, day)
        none = np.zeros(world.export_tax.shape)
        kept = _applied(disk_cache.load(CACHE_NAMESPACE, name), none) if name is not None else None
        if kept is not None:
            added = kept
        else:
            added = self._compile(world).export_tax(state)
            if name is not None:
                disk_cache.store(CACHE_NAMESPACE, name, _changes(added, none), compress=False)
        total = (1.0 + world.export_tax.values) * (1.0 + added) - 1.0
        result = world.export_tax.copy(data=total).rename("export_tax")
        result.attrs = {
            "units": "fraction; inf = ban",
            "date": day.isoformat(),
            "measures": ", ".join(e.id for e in state.export_controls if e.applies),
        }
        return result

    def trade_cost_on(self, on: date | str, world: World) -> xr.DataArray:
        """Iceberg trade-cost ratios (importer, exporter, sector) of the export controls in force
        on a day that reach third countries' sales to their targets (``inf``: banned); ones
        elsewhere. Nobody collects them: unlike an export tax, they raise no revenue.

        Parameters
        ----------
        on : datetime.date or str
            The day.
        world : World
            The world whose labels the result takes.

        Returns
        -------
        xarray.DataArray
            The ratios new / baseline (``trade_cost``), with the measures behind them in its attrs.

        Raises
        ------
        tradewar.errors.TradewarError
            If the day is not a date or outside the library's span.
        """
        day = as_date(on, "on")
        state = self.in_force(day)
        result = world.tariff.copy(data=self._compile(world).trade_cost(state)).rename("trade_cost")
        result.attrs = {
            "units": "ratio new / baseline; inf = banned",
            "date": day.isoformat(),
            "measures": ", ".join(e.id for e in state.export_controls if e.applies and e.measure.reach),
        }
        return result

    def _tariff(
        self, day: date, world: World, compiled: CompiledPolicy, model: bool = False, level: bool = False
    ) -> tuple[np.ndarray, PolicyState]:
        """The tariff on ``day``. On a world whose baseline holds its policy date's layers (icio2022)
        the layers in force are applied to the tariff before them, as the world folded them, so
        each aggregate (line-consistent or trade-weighted) applies once, whole. Where the requested
        aggregate is not the one the baseline was folded with, ``level`` says which tariff is
        wanted: the level in that aggregate (the trackers' headline, :meth:`average_tariff`), or,
        for a simulation, the world's baseline plus the change since the policy date in that
        aggregate, so that its policy date gives the baseline back with either aggregate."""
        state = self.in_force(day)
        since = policy_date(world)
        base = world.tariff.values if since is None else self._before_policy(world, compiled, since)

        def added(in_force: PolicyState) -> np.ndarray:
            if model:
                return compiled.added_tariff(in_force, theta=world.trade_elasticity.values, base=base)
            return compiled.added_tariff(in_force)

        folded_with_lines = since is not None and compiled.has_lines  # the baseline's aggregate is "model"
        if since is not None and not level and model != folded_with_lines:
            tariff = world.tariff.values + added(state) - added(self.in_force(since))
        else:
            tariff = base + added(state)
        _check_tariff(tariff, world, day, state)
        return tariff, state

    def _before_policy(self, world: World, compiled: CompiledPolicy, since: date) -> np.ndarray:
        """The world's baseline tariff without the layers in force on its policy date ``since``.

        A baseline folded trade-weighted holds the layers' sector rates: subtract them. One folded
        line-consistently (``policy_aggregate = "model"``) holds, in cells with tariff lines, the
        power mean of the lines, agg(m + lines) with m the tariff before the layers; m solves
        m = baseline - (agg(m + lines) - m) by fixed-point iteration (the map contracts: a uniform
        shift of every line moves the power mean by nearly as much, so each step cuts the error
        about tenfold), at the world's own trade elasticities, so a world with other elasticities
        gets its own m and the fold on its policy date gives its baseline back exactly. Aitken's
        delta-squared extrapolation, cell by cell, takes it to 1e-13 in a few steps."""
        key = (world.hash, since)
        if key not in self._before:
            baseline = world.tariff.values
            in_force = self.in_force(since)
            before = baseline - compiled.added_tariff(in_force)
            if lines_system(world) is not None and compiled.has_lines:
                theta = world.trade_elasticity.values

                def step(b: np.ndarray) -> np.ndarray:
                    return baseline - compiled.added_tariff(in_force, theta=theta, base=b)

                for _ in range(FIXED_POINT_ITERATIONS):
                    first = step(before)
                    if float(np.abs(first - before).max()) < FIXED_POINT_TOLERANCE:
                        before = first
                        break
                    second = step(first)
                    curvature = second - 2 * first + before
                    safe = np.abs(curvature) > 1e-15
                    jump = np.divide((second - first) ** 2, curvature, out=np.zeros_like(curvature), where=safe)
                    before = np.where(safe, second - jump, second)
            self._before[key] = before
        return self._before[key]

    # ------------------------------------------------------------------ a window
    def steps(self, start: date | str, end: date | str) -> list[Step]:
        """Days in ``[start, end]`` (both included) on which a measure starts or ends, in order.

        A measure "ends" on its (exclusive) end date: the first day it no longer
        applies; a suspension's end is the day the paused measures come back.

        Parameters
        ----------
        start, end : datetime.date or str
            The window (ISO text accepted).

        Returns
        -------
        list of Step
            The days, in order, with what changes.

        Raises
        ------
        tradewar.policy.errors.TimelineError
            If the window ends before it starts.
        ValueError
            If a bound is not a full date.
        """
        first, last = as_date(start, "start"), as_date(end, "end")
        if last < first:
            raise TimelineError([Problem(None, (), f"the window ends ({last}) before it starts ({first})")])
        changes: dict[date, list[Change]] = {}
        for measure in self._measures:
            for day, event in ((measure.start, "starts"), (measure.end, "ends")):
                if day is not None and first <= day <= last:
                    changes.setdefault(day, []).append(Change(measure.id, measure.kind, event, measure.description))
        return [Step(day, tuple(changes[day])) for day in sorted(changes)]

    def steps_frame(self, start: date | str, end: date | str) -> pd.DataFrame:
        """:meth:`steps` as a table: date, measure, kind, event, description.

        Parameters
        ----------
        start, end : datetime.date or str
            The window.

        Returns
        -------
        pandas.DataFrame
            One row per change.
        """
        import pandas as pd

        rows = [
            {"date": step.on, "measure": c.measure_id, "kind": c.kind, "event": c.event, "description": c.description}
            for step in self.steps(start, end)
            for c in step.changes
        ]
        return pd.DataFrame(rows, columns=["date", "measure", "kind", "event", "description"])

    def average_tariff(
        self,
        world: World,
        start: date | str,
        end: date | str,
        pairs: Sequence[tuple[str, str]] = DEFAULT_PAIRS,
        freq: str = "D",
        basis: str = "world",
    ) -> pd.DataFrame:
        """Trade-weighted average tariff on goods by pair, over a window.

        With ``basis="world"``, weights are the world's baseline bilateral trade by
        goods sector (fixed, so that the series moves only with policy) and the level
        starts from the world's baseline tariff; a pair with no such trade gets the
        simple average over goods. With ``basis="tracker"``, pairs that have headline
        weights (:func:`tradewar.policy.headline.headline_weights`: the U.S. and China,
        each way) are weighted by the trade of the trackers' weight year (2017) and start
        from the statutory 2018-01-01 rates, so that the series is the line-level
        trade-weighted statutory average of the standard chart (Bown, PIIE); other pairs,
        or worlds without those sectors, keep the world basis (the ``basis`` column says
        which was used). Pair labels may be groups (``EU27``): their members' cells are
        pooled. The tariff is computed on the step dates only and carried forward to
        every date of ``pandas.date_range(start, end, freq)``.

        Parameters
        ----------
        world : World
            The world whose trade weights (``basis="world"``) and labels are used.
        start, end : datetime.date or str
            The window (``YYYY-MM-DD``), both included.
        pairs : sequence of (str, str)
            (importer, exporter) pairs; default the U.S. and China each way.
        freq : str
            A pandas frequency for the dates of the series (``"D"``: every day).
        basis : {"world", "tracker"}
            The weights, as above.

        Returns
        -------
        pandas.DataFrame
            Columns date, importer, exporter, average_tariff_pct (and, with
            ``basis="tracker"``, basis).
        """
        import pandas as pd

        if basis not in ("world", "tracker"):
            raise ValueError(f"basis must be 'world' or 'tracker', got {basis!r}")
        first, last = as_date(start, "start"), as_date(end, "end")
        steps = self.steps(first, last)
        compiled = self._compile(world)
        weights = _pair_weights(world, pairs)  # (pair, importer, exporter, sector), summing to one
        offsets = np.zeros(len(pairs))  # added to the weighted sum (tracker basis: base minus baseline)
        used = ["world"] * len(pairs)
        if basis == "tracker":
            weights, offsets, used = _tracker_weights(world, pairs, weights)

        evaluated = sorted({first, *(step.on for step in steps)})
        values = np.array(
            [np.einsum("pnij,nij->p", weights, self._tariff(day, world, compiled, level=True)[0]) + offsets
             for day in evaluated]
        ).reshape(len(evaluated), len(pairs))  # (evaluated day, pair)

        dates = pd.date_range(first, last, freq=freq)
        latest = np.searchsorted(pd.DatetimeIndex(pd.to_datetime(evaluated)), dates, side="right") - 1
        series = values[latest] * 100.0  # (date, pair), percent
        importers, exporters = zip(*pairs, strict=True) if pairs else ((), ())
        frame = pd.DataFrame(
            {
                "date": np.repeat(dates.values, len(pairs)),
                "importer": np.tile(importers, len(dates)),
                "exporter": np.tile(exporters, len(dates)),
                "average_tariff_pct": series.reshape(-1),
            }
        )
        return frame.assign(basis=np.tile(used, len(dates))) if basis == "tracker" else frame


def _overlap(first: Measure, second: Measure) -> bool:
    never = date.max
    return first.start < (second.end or never) and second.start < (first.end or never)


def _remaining_rate_problems(suspension: Suspension, target: Measure) -> list[Problem]:
    field = ("remaining_rate",)
    rate = suspension.remaining_rate
    if rate is None:  # no remaining rate: the suspension pauses the measure outright
        return []
    if not isinstance(target, TariffLayer):
        message = f"a remaining rate applies to tariff layers only; {target.id!r} is of kind {target.kind}"
        return [Problem(suspension.id, field, message)]
    low, high = sorted((0.0, target.rate))
    if not low <= rate <= high:
        return [
            Problem(
                suspension.id,
                field,
                f"remaining_rate {rate:g} must lie between 0 and the rate {target.rate:g} of the layer "
                f"{target.id!r} it suspends (a suspension does not raise a tariff)",
            )
        ]
    return []


def _check_tariff(tariff: np.ndarray, world: World, day: date, state: PolicyState) -> None:
    bad = np.argwhere(tariff <= -1)
    if len(bad):
        n, i, j = bad[0]
        raise TimelineError(
            [
                Problem(
                    None,
                    (),
                    f"on {day} the layers in force ({', '.join(e.id for e in state.tariff_layers if e.applies)}) bring "
                    f"tariff[importer={world.countries[n]!r}, exporter={world.countries[i]!r}, "
                    f"sector={world.sectors[j]!r}] to {tariff[n, i, j]:g}, at or below -1 (-100%)",
                )
            ]
        )


def _pair_masks(world: World, pairs: Sequence[tuple[str, str]]) -> tuple[np.ndarray, np.ndarray]:
    """0/1 masks (pair, importer) and (pair, exporter) of each pair's (expanded) labels."""
    lookup = LabelLookup(world)
    problems = []
    rows, cols = [], []
    for importer, exporter in pairs:
        try:
            importers, exporters = lookup.members(importer), lookup.members(exporter)
        except ValueError as error:
            problems.append(Problem(None, ("pairs",), str(error)))
            continue
        rows.append(lookup.country_mask(importers))
        cols.append(lookup.country_mask(exporters))
    if problems:
        raise LabelError(problems)
    n = len(world.countries)
    return np.array(rows, dtype=float).reshape(-1, n), np.array(cols, dtype=float).reshape(-1, n)


def _pair_weights(world: World, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
    """Each pair's weights on cells (pair, importer, exporter, sector), summing to one.

    Baseline goods trade between the pair's (expanded) labels, own trade excluded;
    equal weights on the goods cells where the pair has no such trade.
    """
    rows, cols = _pair_masks(world, pairs)
    goods = LabelLookup(world).sector_mask(world.goods).astype(float)
    foreign = 1.0 - np.eye(len(world.countries))
    cells = np.einsum("pn,pi,ni,j->pnij", rows, cols, foreign, goods)
    weights = cells * world.trade.values[None]
    traded = weights.sum(axis=(1, 2, 3)) > 0
    weights = np.where(traded[:, None, None, None], weights, cells)
    totals = weights.sum(axis=(1, 2, 3), keepdims=True)
    empty = [pair for pair, total in zip(pairs, totals.reshape(-1), strict=True) if total == 0]
    if empty:
        raise LabelError([Problem(None, ("pairs",), f"pair {empty[0]} has no goods trade between different countries")])
    return weights / totals


def _tracker_weights(
    world: World, pairs: Sequence[tuple[str, str]], weights: np.ndarray
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Replace the world weights of pairs that have headline weights; offsets move the level to the
    statutory 2018-01-01 rates: sum_s w_s (base_s + added_s) = sum_s w_s tariff_s + sum_s w_s (base_s - baseline_s)."""
    from tradewar.policy.headline import headline_weights

    table = headline_weights()
    weights = weights.copy()
    offsets = np.zeros(len(pairs))
    used = ["world"] * len(pairs)
    countries, sectors = list(world.countries), list(world.sectors)
    for p, (importer, exporter) in enumerate(pairs):
        rows = table[(table["importer"] == importer) & (table["exporter"] == exporter)]
        if rows.empty or importer not in countries or exporter not in countries:
            continue
        if not set(rows["sector"]) <= set(sectors):
            continue
        n, i = countries.index(importer), countries.index(exporter)
        share = rows["trade_usd"].to_numpy() / rows["trade_usd"].sum()
        index = [sectors.index(sector) for sector in rows["sector"]]
        weights[p] = 0.0
        weights[p, n, i, index] = share
        baseline = world.tariff.values[n, i, index]
        offsets[p] = float(share @ (rows["base_tariff"].to_numpy() - baseline))
        used[p] = f"tracker ({int(rows['weight_year'].iloc[0])} trade, statutory 2018-01-01 base)"
    return weights, offsets, used


def involves(measure: Measure, pair: set[str], timeline: Timeline, depth: int = 0) -> bool:
    """Whether a measure acts between the two countries of ``pair`` (directly, or through the
    measures it suspends or excludes); groups such as EU27 and "*" count when they may.

    Parameters
    ----------
    measure : Measure
        The measure.
    pair : set of str
        Two country codes.
    timeline : Timeline
        Where the measures it names are looked up.
    depth : int, default 0
        The depth of the search (stops at 3).

    Returns
    -------
    bool
        Whether it involves both countries.
    """
    if isinstance(measure, (TariffLayer, ExportControl)):  # one imposer, its targets
        targets = set(measure.targets)
        return measure.imposer in pair and bool(targets & pair or "*" in targets)
    if isinstance(measure, PurchaseCommitment):
        return {measure.importer, measure.exporter} == pair
    named = list(getattr(measure, "measures", ())) + list(getattr(measure, "layers", ()))
    return depth < 3 and any(involves(timeline[m], pair, timeline, depth + 1) for m in named if m in timeline)
