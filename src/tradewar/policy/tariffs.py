"""Tariff layers on a world's grid: label checks, index arrays, and the fold into a tensor.

:func:`compile_policy` resolves every measure's labels against a world once (and
reports every unknown label); :meth:`CompiledPolicy.added_tariff` then turns a
:class:`~tradewar.policy.state.PolicyState` into the tariff that the layers add to
the world's baseline, with numpy fancy indexing (one block update per layer, no
loop over cells).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from tradewar.policy.errors import LabelError, Problem
from tradewar.policy.labels import LabelLookup
from tradewar.policy.lines import LayerSpread, LineCell, compile_lines, compile_spreads
from tradewar.policy.measures import (
    Exclusion,
    ExportControl,
    Measure,
    PurchaseCommitment,
    TariffLayer,
)
from tradewar.policy.state import PolicyState, suspension_scale

if TYPE_CHECKING:
    from tradewar.world.world import World

__all__ = ["CompiledControl", "CompiledExclusion", "CompiledLayer", "CompiledPolicy", "compile_policy"]


@dataclass(frozen=True)
class CompiledLayer:
    """A tariff layer's cells: importer and exporter positions, and its rate by sector.

    ``rates`` has one entry per world sector, zero outside the layer's sectors.

    Parameters
    ----------
    importers, exporters : numpy.ndarray
        Positions of the importers and of the targeted exporters.
    rates : numpy.ndarray
        The rate by world sector.
    """

    importers: np.ndarray
    exporters: np.ndarray
    rates: np.ndarray


@dataclass(frozen=True)
class CompiledExclusion:
    """An exclusion's cells: exporters (mask), sectors (mask) and the share removed.

    Parameters
    ----------
    exporters : numpy.ndarray
        Boolean mask over the world's countries.
    sectors : numpy.ndarray
        Boolean mask over the world's sectors.
    share : float
        The share of the rate removed.
    """

    exporters: np.ndarray
    sectors: np.ndarray
    share: float

    def removed(self) -> np.ndarray:
        """Share of the rate removed, by (exporter, sector).

        Returns
        -------
        numpy.ndarray
            (countries, sectors), ``share`` where both masks are set, else 0.
        """
        return self.share * np.outer(self.exporters, self.sectors)


@dataclass(frozen=True)
class CompiledControl:
    """An export control's cells: the controlling exporters, the target importers, the
    sectors (mask) and its tax equivalent (``inf`` for a ban).

    Parameters
    ----------
    exporters, importers : numpy.ndarray
        Positions of the controlling exporters and the target importers.
    sectors : numpy.ndarray
        Boolean mask over the world's sectors.
    tax : float
        The tax equivalent (``inf``: a ban).
    reach : numpy.ndarray
        Positions of the third exporters whose sales to the targets the control binds.
    """

    exporters: np.ndarray
    importers: np.ndarray
    sectors: np.ndarray
    tax: float
    reach: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))  # third exporters bound


@dataclass(frozen=True)
class CompiledPolicy:
    """A timeline's tariff measures and quantified export controls on one world's labels.

    Made by :func:`compile_policy`.

    Parameters
    ----------
    shape : tuple of int
        (importers, exporters, sectors) of the world.
    layers : dict of str to CompiledLayer
        Tariff layers by id.
    exclusions : dict of str to CompiledExclusion
        Exclusions by id.
    controls : dict of str to CompiledControl
        Quantified export controls by id.
    lines : tuple of LineCell
        Cells with tariff lines (:mod:`tradewar.policy.lines`).
    absent : frozenset of str
        Measures with no counterpart on this world.
    spreads : mapping of str to LayerSpread
        Layers with their own line distributions (the partner layers), by id (built when first used).
    """

    shape: tuple[int, int, int]
    layers: dict[str, CompiledLayer]
    exclusions: dict[str, CompiledExclusion]
    controls: dict[str, CompiledControl] = field(default_factory=dict)
    lines: tuple[LineCell, ...] = ()
    absent: frozenset[str] = frozenset()  # measures with no counterpart on this world (Measure.on_world)
    spreads: Mapping[str, LayerSpread] = field(default_factory=dict)  # layer id -> its own lines (partner layers)

    @property
    def has_lines(self) -> bool:
        """Whether any layer here has tariff lines (cells or spreads) to aggregate line-consistently."""
        return bool(self.lines or self.spreads)

    def export_tax(self, state: PolicyState) -> np.ndarray:
        """Export taxes (importer, exporter, sector) of the quantified controls in force.

        Controls on the same flow combine as successive taxes, (1 + a)(1 + b) - 1; a
        ban wins over any tax. Unquantified controls (no tax equivalent, no ban) are
        listed by the timeline but change nothing here.

        Parameters
        ----------
        state : PolicyState
            The measures in force.

        Returns
        -------
        numpy.ndarray
            (importer, exporter, sector) export taxes (``inf`` for a ban).
        """
        factor = np.ones(self.shape)
        for entry in state.export_controls:
            if not entry.applies or entry.id not in self.controls:
                continue
            cells = self.controls[entry.id]
            block = np.ix_(cells.importers, cells.exporters, np.flatnonzero(cells.sectors))
            factor[block] *= 1.0 + cells.tax
        return factor - 1.0

    def trade_cost(self, state: PolicyState) -> np.ndarray:
        """Iceberg trade-cost ratios (importer, exporter, sector) of the controls in force with
        reach: third countries' sales to the targets cost ``1 + tax`` (``inf`` for a ban), with
        no revenue. Ones where no control reaches.

        Parameters
        ----------
        state : PolicyState
            The measures in force.

        Returns
        -------
        numpy.ndarray
            The ratios new / baseline, shape (importer, exporter, sector).
        """
        factor = np.ones(self.shape)
        for entry in state.export_controls:
            if not entry.applies or entry.id not in self.controls:
                continue
            cells = self.controls[entry.id]
            if cells.reach.size:
                factor[np.ix_(cells.importers, cells.reach, np.flatnonzero(cells.sectors))] *= 1.0 + cells.tax
        return factor

    def added_tariff(
        self, state: PolicyState, theta: np.ndarray | None = None, base: np.ndarray | None = None
    ) -> np.ndarray:
        """The tariff (importer, exporter, sector) that the layers in force add to the baseline.

        Without ``theta``: each layer's sector rate, summed over layers (trade-weighted statutory
        means, the trackers' statistic). With ``theta`` (trade elasticity by sector) and ``base``
        (the baseline tariff, importer x exporter x sector): in cells with tariff lines
        (:mod:`tradewar.policy.lines`) the layers add up line by line and the sector gets the
        model-consistent aggregate (1+t*)^(-theta) = sum w (1+t_line)^(-theta), minus the base.

        Parameters
        ----------
        state : PolicyState
            The measures in force.
        theta : numpy.ndarray, optional
            Trade elasticity by sector (None: trade-weighted sector rates).
        base : numpy.ndarray, optional
            The baseline tariff (needed with ``theta``).

        Returns
        -------
        numpy.ndarray
            (importer, exporter, sector) tariff added to the baseline.

        Raises
        ------
        ValueError
            If ``theta`` is given without ``base``.
        """
        if theta is not None and base is None:
            raise ValueError("added_tariff: the model-consistent aggregate (theta given) needs the baseline tariff")
        added = np.zeros(self.shape)
        levels: dict[tuple[int, int, int], dict[str, float]] = {}
        excluded: dict[str, tuple[str, ...]] = {}  # layer id -> the exclusions acting on it today
        watched = self.lines if theta is not None and base is not None else ()
        spread: list[tuple[LayerSpread, CompiledLayer, np.ndarray]] = []  # in-force layers with their own lines
        for entry in state.tariff_layers:
            scale = suspension_scale(entry.measure, entry.suspended_by)
            if scale == 0 or entry.id in self.absent:
                continue
            cells = self.layers[entry.id]
            rates = scale * cells.rates[None, :]  # (1, sector), broadcast over exporters
            if entry.excluded_by:
                # Exclusions name different products: their shares add up, at most the whole rate.
                removed = sum(self.exclusions[e.id].removed() for e in entry.excluded_by if e.id not in self.absent)
                rates = rates * (1.0 - np.minimum(removed, 1.0)[cells.exporters])
                excluded[entry.id] = tuple(e.id for e in entry.excluded_by if e.id not in self.absent)
            added[np.ix_(cells.importers, cells.exporters)] += rates  # block (importer, exporter, sector)
            if theta is not None and base is not None and entry.id in self.spreads:
                spread.append((self.spreads[entry.id], cells, rates))
            for cell in watched:  # the layer's level in each cell with lines
                if cell.importer in cells.importers and cell.exporter in cells.exporters:
                    k = 0 if rates.shape[0] == 1 else int(np.flatnonzero(cells.exporters == cell.exporter)[0])
                    level = float(rates[k, cell.sector])
                    if level != 0:
                        levels.setdefault((cell.importer, cell.exporter, cell.sector), {})[entry.id] = level
        if spread and theta is not None and base is not None:
            added = self._spread_tariff(added, spread, theta, base)
        for cell in watched:
            key = (cell.importer, cell.exporter, cell.sector)
            if key in levels and theta is not None and base is not None:
                added[key] = cell.added(levels[key], float(base[key]), float(theta[cell.sector]), excluded)
        return added


    @staticmethod
    def _spread_tariff(
        added: np.ndarray,
        spread: list[tuple[LayerSpread, CompiledLayer, np.ndarray]],
        theta: np.ndarray,
        base: np.ndarray,
    ) -> np.ndarray:
        """``added`` (every layer's sector rate, summed) with the cells of layers with their own lines
        replaced by the model-consistent aggregate. Other layers in force in a cell apply to every line
        alike; where two such layers meet in a cell (not in the built-in library, where a partner has one
        layer a day) the first in force keeps its lines and the second applies to every line."""
        out = added.copy()
        claimed = np.zeros(added.shape, dtype=bool)
        for lines, cells, rates in spread:
            levels = np.broadcast_to(rates, (len(cells.exporters), rates.shape[1]))[:, lines.sectors]
            for importer in cells.importers:
                block = (importer, cells.exporters[:, None], lines.sectors[None, :])
                model = lines.added(levels, base[block], added[block] - levels, theta[lines.sectors])
                take = ~claimed[block] & (levels != 0)
                out[block] = np.where(take, model, out[block])
                claimed[block] |= take
        return out


def sector_system(world: World) -> str:
    """The name of the labels a world's measures are written in: its ``sector_system`` attribute
    (set by worlds derived from another, e.g. with other elasticities), else its name.

    Parameters
    ----------
    world : World
        The world.

    Returns
    -------
    str
        The sector system's name.
    """
    return str(world.data.attrs.get("sector_system") or world.name)


# A world whose baseline already holds the layers of its policy date (icio2022) folded them with one
# aggregate; the timeline subtracts them again with the same one. Its line cells are used only when the
# world says its baseline holds the line-consistent ("model") aggregate; otherwise its sectors keep the
# trade-weighted rates it was built with (tools/worlds sets the attribute when it folds with lines).
POLICY_AGGREGATE = "policy_aggregate"


def lines_system(world: World) -> str | None:
    """The sector system whose line cells apply on ``world``, or None where they must not (see above).

    Parameters
    ----------
    world : World
        The world.

    Returns
    -------
    str or None
        None for a world whose baseline folded its policy date's layers without lines.
    """
    attrs = world.data.attrs
    if attrs.get("policy_date") and attrs.get(POLICY_AGGREGATE) != "model":
        return None
    return sector_system(world)


def compile_policy(measures: Sequence[Measure], world: World) -> CompiledPolicy:
    """Resolve every measure's labels against ``world``; raise :class:`LabelError` listing all unknown ones.

    Parameters
    ----------
    measures : sequence of Measure
        The measures (on this world's labels).
    world : World
        The world.

    Returns
    -------
    CompiledPolicy
        The cells of every tariff layer, exclusion and quantified export control, and the line
        cells of the world's sector system.

    Raises
    ------
    tradewar.policy.errors.LabelError
        Listing every unknown label, by measure and field.
    """
    lookup = LabelLookup(world)
    problems: list[Problem] = []
    layers: dict[str, CompiledLayer] = {}
    exclusions: dict[str, CompiledExclusion] = {}
    controls: dict[str, CompiledControl] = {}

    def attempt(measure: Measure, field: tuple, action):
        try:
            return action()
        except ValueError as error:
            problems.append(Problem(measure.id, field, str(error)))
            return None

    for measure in measures:
        if isinstance(measure, (TariffLayer, ExportControl)):
            importers = attempt(measure, ("imposer",), lambda m=measure: lookup.members(m.imposer))
            exporters = None
            if importers is not None:
                exporters = attempt(measure, ("targets",), lambda m=measure: lookup.targets(m.targets, m.imposer))
            sectors = attempt(measure, ("sectors",), lambda m=measure: lookup.sector_list(m.sectors))
            if isinstance(measure, TariffLayer) and sectors is not None:
                outside = [s for s in measure.rate_by_sector if s not in sectors]
                for sector in outside:
                    problems.append(
                        Problem(
                            measure.id,
                            ("rate_by_sector", sector),
                            f"sector {sector!r} has a rate but is not among the layer's sectors "
                            f"({measure.sectors!r} in world {world.name!r})",
                        )
                    )
                if importers is not None and exporters is not None and not outside:
                    layers[measure.id] = _layer_cells(measure, importers, exporters, sectors, lookup)
            if isinstance(measure, ExportControl) and measure.exempt and exporters is not None:
                spared = attempt(
                    measure, ("exempt",), lambda m=measure: [c for e in m.exempt for c in lookup.members(e)]
                )
                exporters = [c for c in exporters if c not in (spared or [])]
            # Quantified controls (a ban or a tax equivalent) become export taxes.
            tax = (np.inf if measure.ban else measure.tax_equivalent) if isinstance(measure, ExportControl) else None
            reach: list[str] = []
            if isinstance(measure, ExportControl) and measure.reach:
                bound = attempt(measure, ("reach",), lambda m=measure: [c for e in m.reach for c in lookup.members(e)])
                # Third countries only: members of the imposer's or the targets' groups are not reached.
                reach = [c for c in dict.fromkeys(bound or []) if c not in (importers or []) and c not in
                         (exporters or [])]
            if tax is not None and importers is not None and exporters is not None and sectors is not None:
                # The imposer controls its exports: it is the exporter; the targets buy.
                controls[measure.id] = CompiledControl(
                    exporters=lookup.country_positions(importers),
                    importers=lookup.country_positions(exporters),
                    sectors=lookup.sector_mask(sectors),
                    tax=float(tax),
                    reach=lookup.country_positions(reach) if reach else np.zeros(0, dtype=int),
                )
        elif isinstance(measure, Exclusion):
            targets = attempt(measure, ("targets",), lambda m=measure: _exclusion_targets(m, lookup))
            sectors = attempt(measure, ("sectors",), lambda m=measure: lookup.sector_list(m.sectors))
            if targets is not None and sectors is not None:
                exclusions[measure.id] = CompiledExclusion(
                    lookup.country_mask(targets), lookup.sector_mask(sectors), measure.share
                )
        elif isinstance(measure, PurchaseCommitment):
            attempt(measure, ("importer",), lambda m=measure: lookup.members(m.importer))
            attempt(measure, ("exporter",), lambda m=measure: lookup.members(m.exporter))
            attempt(measure, ("sectors",), lambda m=measure: lookup.sector_list(m.sectors))
    if problems:
        raise LabelError(problems)
    n, j = len(world.countries), len(world.sectors)
    built = {m.id: m for m in measures if m.id in layers or m.id in exclusions}
    lines = tuple(compile_lines(list(world.countries), list(world.sectors), built, lines_system(world)))
    spreads = compile_spreads(list(world.sectors), {k: v for k, v in built.items() if k in layers}, lines_system(world))
    return CompiledPolicy(
        shape=(n, n, j), layers=layers, exclusions=exclusions, controls=controls, lines=lines, spreads=spreads
    )


def _layer_cells(
    layer: TariffLayer, importers: list[str], exporters: list[str], sectors: list[str], lookup: LabelLookup
) -> CompiledLayer:
    rates = np.where(lookup.sector_mask(sectors), layer.rate, 0.0)
    for sector, rate in layer.rate_by_sector.items():
        rates[lookup.sector_position(sector)] = rate
    return CompiledLayer(lookup.country_positions(importers), lookup.country_positions(exporters), rates)


def _exclusion_targets(exclusion: Exclusion, lookup: LabelLookup) -> list[str]:
    if exclusion.targets is None:
        return list(lookup.countries)
    return list(dict.fromkeys(c for label in exclusion.targets for c in lookup.members(label)))
