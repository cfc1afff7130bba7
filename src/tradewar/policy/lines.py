"""Tariff lines inside a sector: the model-consistent sector tariff of layers that cover some lines.

A tariff layer's ``rate_by_sector`` is the trade-weighted mean of its line rates, the statistic
the trackers publish. The model sees a sector as one CES (Eaton-Kortum) aggregate with trade
elasticity ``theta``, so the sector tariff that gives the same price index and the same trade
response as the lines is the power mean

    (1 + t*)^(-theta) = sum_lines w (1 + t_line)^(-theta),

with ``w`` each line's share of the sector's trade at the baseline tariff. It lies below the
trade-weighted mean whenever lines differ (half the lines at 25% and the rest at zero: t*
well below 12.5%, since the untaxed lines take the trade), equals it when all lines share
one rate, and tends to the weighted geometric mean of (1 + t) as theta -> 0.

``data/tariffs/layer_lines.csv`` (built by ``tools/tariffs/library.py``, provenance beside it)
holds, for each (importer, exporter, goods sector), groups of lines with their trade share and
each layer's rate on them. Layers add up line by line *before* the aggregate (a line with
Section 301, Section 232 and IEEPA layers pays their sum). The file gives each layer's
*shape* across lines; its level is the layer's sector rate as it applies on the day
(suspensions and exclusions scale it), so the trade-weighted mean of the lines is always the
layer's sector rate. Layers without lines in the file apply to every line of the sector.
Exclusions may have rows too, as masks (1 on the lines they take out): an excluded layer is then
zero on those lines and keeps its level on the others; an exclusion without rows in a cell lowers
the layer evenly across its lines.

The U.S. layers on every other partner (``data/measures/us_partners_2025.toml``: one layer per
partner and period, every measure of the period added on each line) differ from line to line in
ways no common grouping keeps small (an all-in floor leaves each line its own add-on, max(0, 15% -
MFN); USMCA-claim shares scale the fentanyl tariff line by line). ``data/tariffs/partner_lines.bin.gz``
gives each such layer its own distribution instead (:class:`LayerSpread`): by sector, bins of lines
with their trade share and mean rate. Only one of a
partner's layers is in force on a day, so nothing needs adding line by line across them; other
layers in force in the cell (a user's extra tariff) apply to every line.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "LINES_FILE",
    "SPREADS_FILE",
    "LayerSpread",
    "LineCell",
    "Spreads",
    "compile_lines",
    "compile_spreads",
    "layer_lines",
    "layer_spreads",
    "theta_aggregate",
]

LINES_FILE = "layer_lines.csv"
SPREADS_FILE = "partner_lines.bin.gz"
# Below this theta the power mean is numerically its limit, the geometric mean of (1 + t).
THETA_LIMIT = 1e-9


def theta_aggregate(weights: np.ndarray, tariffs: np.ndarray, theta: float) -> float:
    """The single tariff t* with (1 + t*)^(-theta) = sum w (1 + t)^(-theta) over lines.

    Parameters
    ----------
    weights : array (line,)
        Each line's trade at the baseline tariff (normalised here; non-negative, some positive).
    tariffs : array (line,)
        Each line's tariff (fractions, above -1).
    theta : float
        The sector's trade elasticity (non-negative); 0 gives the weighted geometric mean of 1 + t.

    Returns
    -------
    float
        t*, between the smallest and the largest line tariff.
    """
    weights = np.asarray(weights, dtype=float)
    tariffs = np.asarray(tariffs, dtype=float)
    if weights.shape != tariffs.shape or weights.ndim != 1 or weights.size == 0:
        raise ValueError(f"weights {weights.shape} and tariffs {tariffs.shape} must be one line each, same length")
    if (weights < 0).any() or weights.sum() <= 0:
        raise ValueError("line weights must be non-negative with a positive sum")
    if (tariffs <= -1).any():
        raise ValueError("line tariffs must be above -1 (-100%)")
    if not np.isfinite(theta) or theta < 0:
        raise ValueError(f"theta must be a finite non-negative number, got {theta!r}")
    share = weights / weights.sum()
    log_price = np.log1p(tariffs)
    if theta < THETA_LIMIT:
        return float(np.expm1(share @ log_price))
    # log-sum-exp: theta x log(1 + t) reaches hundreds for theta ~ 50 and prohibitive tariffs.
    exponent = -theta * log_price
    top = exponent.max()
    return float(np.expm1(-(top + np.log(share @ np.exp(exponent - top))) / theta))


COLUMNS = ("world", "importer", "exporter", "sector", "group", "weight", "layer", "rate")
# Rows of a file written before it named worlds are on WIOD's sectors.
DEFAULT_SYSTEM = "wiod2011"


@cache
def _read() -> pd.DataFrame:
    import pandas as pd  # only for layer_lines(): compiling reads the file with csv (_cells)

    path = resources.files("tradewar").joinpath("data", "tariffs", LINES_FILE)
    if not path.is_file():  # while the builder writes it for the first time: trade-weighted rates only
        return pd.DataFrame(columns=list(COLUMNS))
    with path.open("rb") as handle:
        table = pd.read_csv(handle, keep_default_na=False, dtype={"layer": str, "world": str})
    if "world" not in table.columns:
        table.insert(0, "world", DEFAULT_SYSTEM)
    return table


def layer_lines() -> pd.DataFrame:
    """Columns world (sector system), importer, exporter, sector, group, weight (share of the sector's
    trade), layer, rate.

    One row per (group, layer) with a rate; a group no layer covers has one row with an empty layer.

    Returns
    -------
    pandas.DataFrame
        A copy of the shipped table.
    """
    return _read().copy()


@dataclass(frozen=True)
class LineCell:
    """One (importer, exporter, sector) cell's line groups: trade shares and layer shapes.

    Parameters
    ----------
    importer, exporter, sector : int
        The cell's positions in the world.
    weights : numpy.ndarray
        (group,) trade shares, summing to one.
    shapes : dict of str to numpy.ndarray
        Layer id -> rate by group (its level is set at run time).
    masks : dict of str to numpy.ndarray
        Exclusion id -> 1 on the groups it takes out.
    """

    importer: int
    exporter: int
    sector: int
    weights: np.ndarray  # (group,), summing to one
    shapes: dict[str, np.ndarray]  # layer id -> rate by group (its level is set at run time)
    masks: dict[str, np.ndarray] = field(default_factory=dict)  # exclusion id -> 1 on the groups it takes out

    def added(
        self, levels: dict[str, float], base: float, theta: float, excluded: Mapping[str, Sequence[str]] | None = None
    ) -> float:
        """The model-consistent added tariff of layers at ``levels`` (their sector rates as they apply,
        exclusions included) over a uniform ``base`` (the world's baseline tariff in the cell).

        ``excluded`` (layer id -> ids of the exclusions acting on it): where an exclusion has a mask
        here, the layer's lines under it are zero and its level is spread over the other lines.

        Parameters
        ----------
        levels : dict of str to float
            Layer id -> its sector rate in this cell as it applies.
        base : float
            The world's baseline tariff in the cell.
        theta : float
            The sector's trade elasticity.
        excluded : mapping of str to sequence of str, optional
            Layer id -> ids of the exclusions acting on it.

        Returns
        -------
        float
            The model-consistent aggregate of the lines, minus ``base``.
        """
        line = np.full(self.weights.shape, base)
        for layer, level in levels.items():
            shape = self.shapes.get(layer)
            if shape is not None and excluded:
                masks = [self.masks[e] for e in excluded.get(layer, ()) if e in self.masks]
                if masks:
                    kept = shape * (1.0 - np.minimum(np.sum(masks, axis=0), 1.0))
                    if abs(float(self.weights @ kept)) >= 1e-12:
                        shape = kept
            mean = 0.0 if shape is None else float(self.weights @ shape)
            if shape is None or abs(mean) < 1e-12:
                line += level  # no lines for this layer here: it applies to every line
            else:
                line += shape * (level / mean)
        return theta_aggregate(self.weights, line, theta) - base


@cache
def _built_in() -> dict[str, object]:
    from tradewar.policy.library import load_library  # the library loads timelines, which compile lines

    return {measure.id: measure for measure in load_library()}


@cache
def _cells() -> tuple[tuple[str, str, str, str, np.ndarray, dict[str, np.ndarray]], ...]:
    """The file grouped once per process: (world, importer, exporter, sector, group weights, layer id
    -> rate by group), cells in the file's order, groups by number, layers by id.

    Read with the standard ``csv`` module, not pandas: 10,000 rows grouped into dicts take about
    0.02 s, where pandas' group-bys took about 0.25 s of a simulation's start-up (measured in
    benchmarks/RESULTS.md). :func:`layer_lines` still gives the table as a DataFrame."""
    path = resources.files("tradewar").joinpath("data", "tariffs", LINES_FILE)
    if not path.is_file():  # while the builder writes it for the first time: trade-weighted rates only
        return ()
    # cell -> (group -> weight at its first row, layer -> {group -> rate}); dicts keep first-seen order
    grouped: dict[tuple[str, str, str, str], tuple[dict[int, float], dict[str, dict[int, float]]]] = {}
    with io.StringIO(path.read_text(encoding="utf-8"), newline="") as handle:
        for row in csv.DictReader(handle):
            key = (row.get("world") or DEFAULT_SYSTEM, row["importer"], row["exporter"], row["sector"])
            weights, layers = grouped.setdefault(key, ({}, {}))
            group = int(row["group"])
            weights.setdefault(group, float(row["weight"]))
            layers.setdefault(row["layer"], {})[group] = float(row["rate"])
    cells = []
    for (system, importer, exporter, label), (weights, layers) in grouped.items():
        order = sorted(weights)
        position = {g: k for k, g in enumerate(order)}
        shapes: dict[str, np.ndarray] = {}
        for layer in sorted(layers):
            shape = np.zeros(len(order))
            for group, rate in layers[layer].items():
                shape[position[group]] = rate
            shapes[layer] = shape
        cells.append((system, importer, exporter, label, np.array([weights[g] for g in order]), shapes))
    return tuple(cells)


def compile_lines(
    countries: list[str], sectors: list[str], layers: Mapping[str, object], system: str | None = DEFAULT_SYSTEM
) -> list[LineCell]:
    """The file's cells of the sector ``system`` (a world's name or ``sector_system``) whose importer,
    exporter and sector are labels of the world (others are
    skipped: an aggregated world keeps the trade-weighted sector rates), for ``layers`` (id ->
    measure) that are the built-in library's own measures: a user's layer that reuses an id, or
    changes a built-in layer, keeps its trade-weighted sector rates. Built-in exclusions among
    ``layers`` become masks of the cells they have rows in.

    Parameters
    ----------
    countries, sectors : list of str
        The world's labels.
    layers : mapping of str to Measure
        The measures by id.
    system : str or None
        The sector system (None: no line cells).

    Returns
    -------
    list of LineCell
        The cells with at least one built-in layer.
    """
    if system is None or not _cells():
        return []
    layer_ids = {mid for mid, measure in layers.items() if _same(mid, measure, system)}
    exclusion_ids = {mid for mid in layer_ids if getattr(layers[mid], "kind", "") == "exclusion"}
    country = {label: k for k, label in enumerate(countries)}
    sector = {label: k for k, label in enumerate(sectors)}
    cells = []
    for world, importer, exporter, label, weights, all_shapes in _cells():
        if world != system or importer not in country or exporter not in country or label not in sector:
            continue
        shapes = {
            layer: shape.copy() for layer, shape in all_shapes.items() if layer in layer_ids - exclusion_ids
        }
        masks = {layer: shape.copy() for layer, shape in all_shapes.items() if layer in exclusion_ids}
        if shapes:
            cells.append(
                LineCell(country[importer], country[exporter], sector[label], weights / weights.sum(), shapes, masks)
            )
    return cells


def _same(layer: str, measure: object, system: str) -> bool:
    """Whether ``measure`` is the built-in measure ``layer`` as it reads on ``system`` (its table for that world)."""
    built_in = _built_in().get(layer)
    if built_in is None:
        return False
    if built_in is measure or built_in == measure:
        return True
    twin = _on_world(layer, system)
    return twin is not None and (twin is measure or twin == measure)


@cache
def _on_world(layer: str, system: str) -> object:
    """The built-in measure ``layer`` on ``system`` (made once: a world table makes a new measure)."""
    on_world = getattr(_built_in()[layer], "on_world", None)
    return None if on_world is None else on_world(system)


# ---------------------------------------------------------------------- layers with their own lines
@dataclass(frozen=True)
class LayerSpread:
    """A layer's own line distribution on a world's sectors: by sector, bins of lines with their
    share of the sector's trade and their trade-weighted mean rate.

    Parameters
    ----------
    sectors : numpy.ndarray
        (k,) positions of the world sectors with lines.
    starts : numpy.ndarray
        (k,) position of each sector's first bin in ``shares`` and ``rates`` (sectors in order, each
        with at least one bin).
    shares : numpy.ndarray
        (bin,) the bin's trade (normalised here to shares of its sector's).
    rates : numpy.ndarray
        (bin,) the layer's mean rate on the bin's lines.
    """

    sectors: np.ndarray
    starts: np.ndarray
    shares: np.ndarray
    rates: np.ndarray
    sector_of: np.ndarray = field(init=False, repr=False)  # (bin,) -> position in ``sectors``
    means: np.ndarray = field(init=False, repr=False)  # (k,) the lines' trade-weighted mean rate

    def __post_init__(self) -> None:
        counts = np.diff(np.append(self.starts, len(self.shares)))
        if len(self.starts) and (counts <= 0).any() or (self.shares < 0).any():
            raise ValueError("a layer's line bins need non-negative shares and at least one bin per sector")
        sector_of = np.repeat(np.arange(len(self.sectors)), counts)
        object.__setattr__(self, "sector_of", sector_of)
        totals = np.add.reduceat(self.shares, self.starts) if len(self.starts) else np.zeros(0)
        object.__setattr__(self, "shares", self.shares / np.where(totals > 0, totals, 1.0)[sector_of])
        object.__setattr__(self, "means", np.add.reduceat(self.shares * self.rates, self.starts))

    def added(self, levels: np.ndarray, base: np.ndarray, flat: np.ndarray, theta: np.ndarray) -> np.ndarray:
        """The model-consistent tariff over ``base`` with the layer at ``levels`` and ``flat`` on every line.

        The layer's lines are scaled so that their trade-weighted mean is its level (suspensions scale
        it); each line pays ``base + flat`` plus its rate, and the sector gets the power mean
        (1 + t*)^(-theta) = sum w (1 + t_line)^(-theta), computed for every exporter and sector at once.

        Parameters
        ----------
        levels : numpy.ndarray
            (exporter, k) the layer's sector rates as they apply.
        base : numpy.ndarray
            (exporter, k) the world's baseline tariff.
        flat : numpy.ndarray
            (exporter, k) what other layers in force add, on every line alike.
        theta : numpy.ndarray
            (k,) the sectors' trade elasticities.

        Returns
        -------
        numpy.ndarray
            (exporter, k) the aggregate minus ``base`` (``flat + levels`` where the layer has no mean to
            scale, or a line would fall to -100%).
        """
        means = self.means
        scale = np.divide(levels, means, out=np.zeros_like(levels), where=np.abs(means) >= 1e-12)
        lines = (base + flat)[:, self.sector_of] + scale[:, self.sector_of] * self.rates  # (exporter, bin)
        valid = np.minimum.reduceat(lines, self.starts, axis=1) > -1
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            log_lines = np.log1p(lines)
            geometric = np.add.reduceat(self.shares * log_lines, self.starts, axis=1)
            # log-sum-exp by sector: theta x log(1 + t) reaches hundreds for large theta and tariffs
            slope = np.maximum(theta, THETA_LIMIT)
            exponent = -slope[self.sector_of] * log_lines
            top = np.maximum.reduceat(exponent, self.starts, axis=1)
            total = np.add.reduceat(self.shares * np.exp(exponent - top[:, self.sector_of]), self.starts, axis=1)
            power = -(top + np.log(total)) / slope
        aggregate = np.expm1(np.where(theta < THETA_LIMIT, geometric, power)) - base
        return np.where(valid & (np.abs(means) >= 1e-12), aggregate, flat + levels)


@cache
def _spreads() -> dict[str, tuple[np.ndarray, np.ndarray, dict[str, list[list]]]]:
    """The spreads file per sector system: the bins' shares and rates (flat arrays), and layer id ->
    [[sector, start, stop], ...] (slices of them). Read once per process: one line of JSON, then
    little-endian arrays (float32 shares, int32 rates in the header's ``unit``; layout in
    partner_lines.md), a few milliseconds."""
    path = resources.files("tradewar").joinpath("data", "tariffs", SPREADS_FILE)
    if not path.is_file():  # while the builder writes it for the first time: trade-weighted rates only
        return {}
    data = gzip.decompress(path.read_bytes())
    end = data.index(b"\n")
    header = json.loads(data[:end])
    unit = float(header["unit"])
    out = {}
    offset = end + 1
    for system, part in header["worlds"].items():
        n = int(part["bins"])
        shares = np.frombuffer(data, dtype="<f4", count=n, offset=offset).astype(float)
        rates = np.frombuffer(data, dtype="<i4", count=n, offset=offset + 4 * n) / unit
        out[system] = (shares, rates, part["layers"])
        offset += 8 * n
    return out


def layer_spreads(system: str) -> dict[str, dict[str, tuple[np.ndarray, np.ndarray]]]:
    """The shipped line distributions of partner layers on a sector system.

    Parameters
    ----------
    system : str
        The sector system (``wiod2011``, ``icio2022``).

    Returns
    -------
    dict
        Layer id -> sector label -> (shares, rates) of its bins (shares of the sector's trade, to six
        significant digits); empty for a system without spreads.
    """
    if system not in _spreads():
        return {}
    shares, rates, layers = _spreads()[system]
    return {
        layer: {sector: (shares[start:stop].copy(), rates[start:stop].copy()) for sector, start, stop in parts}
        for layer, parts in layers.items()
    }


class Spreads(Mapping[str, LayerSpread]):
    """Layer id -> :class:`LayerSpread` of a world's built-in partner layers, each built when first asked
    for: a simulation folds a day or two, on which a partner has one layer in force, of the 567 in the
    file, so start-up reads the file and builds only those (see :func:`compile_spreads`).

    Parameters
    ----------
    sectors : sequence of str
        The world's sector labels.
    layers : mapping of str to Measure
        The measures by id, on this world.
    system : str or None
        The sector system (None: no spreads).
    """

    def __init__(self, sectors: Sequence[str], layers: Mapping[str, object], system: str | None) -> None:
        self._position = {label: k for k, label in enumerate(sectors)}
        self._layers = layers
        self._system = system
        self._built: dict[str, LayerSpread | None] = {}

    def _table(self) -> tuple[np.ndarray, np.ndarray, dict[str, list[list]]] | None:
        return None if self._system is None else _spreads().get(self._system)

    def _get(self, layer: str) -> LayerSpread | None:
        if layer not in self._built:
            self._built[layer] = self._build(layer)
        return self._built[layer]

    def _build(self, layer: str) -> LayerSpread | None:
        table = self._table()
        measure = self._layers.get(layer)
        if table is None or measure is None or self._system is None:
            return None
        shares, rates, parts = table[0], table[1], table[2].get(layer)
        if not parts or not _same(layer, measure, self._system):
            return None
        parts = [part for part in parts if part[0] in self._position]
        if not parts:
            return None
        sizes = np.array([stop - start for _, start, stop in parts])
        return LayerSpread(
            sectors=np.array([self._position[sector] for sector, _, _ in parts]),
            starts=np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(int),
            shares=np.concatenate([shares[start:stop] for _, start, stop in parts]),
            rates=np.concatenate([rates[start:stop] for _, start, stop in parts]),
        )

    def __getitem__(self, layer: str) -> LayerSpread:
        spread = self._get(layer) if isinstance(layer, str) else None
        if spread is None:
            raise KeyError(layer)
        return spread

    def __contains__(self, layer: object) -> bool:
        return isinstance(layer, str) and self._get(layer) is not None

    def __iter__(self) -> Iterator[str]:
        table = self._table()
        candidates = [] if table is None else [layer for layer in self._layers if layer in table[2]]
        return iter([layer for layer in candidates if self._get(layer) is not None])

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __bool__(self) -> bool:
        table = self._table()
        return table is not None and any(self._get(layer) is not None for layer in self._layers if layer in table[2])


def compile_spreads(
    sectors: list[str], layers: Mapping[str, object], system: str | None = DEFAULT_SYSTEM
) -> Spreads:
    """The spreads of ``layers`` (id -> measure, on this world) that are the built-in library's own
    measures as they read on ``system`` (a user's layer that reuses an id or changes a built-in one
    keeps its trade-weighted sector rates), on the world's ``sectors``; each is built when first used.

    Parameters
    ----------
    sectors : list of str
        The world's sector labels.
    layers : mapping of str to Measure
        The measures by id.
    system : str or None
        The sector system (None: no spreads).

    Returns
    -------
    Spreads
        Layer id -> its spread, for the layers the file has on ``system``.
    """
    return Spreads(sectors, dict(layers), system)
