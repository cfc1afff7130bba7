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
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["LINES_FILE", "LineCell", "compile_lines", "layer_lines", "theta_aggregate"]

LINES_FILE = "layer_lines.csv"
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


COLUMNS = ("importer", "exporter", "sector", "group", "weight", "layer", "rate")


@cache
def _read() -> pd.DataFrame:
    import pandas as pd  # only when lines are compiled: reading scenarios needs no pandas

    path = resources.files("tradewar").joinpath("data", "tariffs", LINES_FILE)
    if not path.is_file():  # while the builder writes it for the first time: trade-weighted rates only
        return pd.DataFrame(columns=list(COLUMNS))
    with path.open("rb") as handle:
        return pd.read_csv(handle, keep_default_na=False, dtype={"layer": str})


def layer_lines() -> pd.DataFrame:
    """Columns importer, exporter, sector, group, weight (share of the sector's trade), layer, rate.

    One row per (group, layer) with a rate; a group no layer covers has one row with an empty layer.
    """
    return _read().copy()


@dataclass(frozen=True)
class LineCell:
    """One (importer, exporter, sector) cell's line groups: trade shares and layer shapes."""

    importer: int
    exporter: int
    sector: int
    weights: np.ndarray  # (group,), summing to one
    shapes: dict[str, np.ndarray]  # layer id -> rate by group (its level is set at run time)

    def added(self, levels: dict[str, float], base: float, theta: float) -> float:
        """The model-consistent added tariff of layers at ``levels`` (their sector rates as they apply)
        over a uniform ``base`` (the world's baseline tariff in the cell)."""
        line = np.full(self.weights.shape, base)
        for layer, level in levels.items():
            shape = self.shapes.get(layer)
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
def _cells() -> tuple[tuple[str, str, str, np.ndarray, dict[str, np.ndarray]], ...]:
    """The file grouped once per process: (importer, exporter, sector, group weights, layer id ->
    rate by group), cells in the file's order, groups by number, layers by id. Compiling a policy
    for a world then only selects. Read with the csv module, not pandas: a simulation's start-up
    then needs no group-by (3,400 rows; the pandas group-bys were its largest cost)."""
    path = resources.files("tradewar").joinpath("data", "tariffs", LINES_FILE)
    if not path.is_file():
        return ()
    # (importer, exporter, sector) -> group -> weight, and -> layer -> group -> rate
    weights: dict[tuple[str, str, str], dict[int, float]] = {}
    rates: dict[tuple[str, str, str], dict[str, dict[int, float]]] = {}
    with path.open("rb") as handle:
        reader = csv.reader(io.TextIOWrapper(handle, encoding="utf-8", newline=""))
        if tuple(next(reader, ())) != COLUMNS:
            raise ValueError(f"{LINES_FILE} must have the columns {', '.join(COLUMNS)}")
        for importer, exporter, label, group_text, weight_text, layer, rate_text in reader:
            key = (importer, exporter, label)
            group = int(group_text)
            weights.setdefault(key, {}).setdefault(group, float(weight_text))  # the first row's weight
            rates.setdefault(key, {}).setdefault(layer, {})[group] = float(rate_text)
    cells = []
    for key, by_group in weights.items():
        position = {g: k for k, g in enumerate(sorted(by_group))}
        shapes: dict[str, np.ndarray] = {}
        for layer in sorted(rates[key]):
            shape = np.zeros(len(position))
            for at, rate in rates[key][layer].items():
                shape[position[at]] = rate
            shapes[layer] = shape
        cells.append((*key, np.array([by_group[g] for g in sorted(by_group)]), shapes))
    return tuple(cells)


def compile_lines(countries: list[str], sectors: list[str], layers: Mapping[str, object]) -> list[LineCell]:
    """The file's cells whose importer, exporter and sector are labels of the world (others are
    skipped: an aggregated world keeps the trade-weighted sector rates), for ``layers`` (id ->
    measure) that are the built-in library's own measures: a user's layer that reuses an id, or
    changes a built-in layer, keeps its trade-weighted sector rates."""
    if not _cells():
        return []
    built_in = _built_in()
    layer_ids = {mid for mid, measure in layers.items() if built_in.get(mid) == measure}
    country = {label: k for k, label in enumerate(countries)}
    sector = {label: k for k, label in enumerate(sectors)}
    cells = []
    for importer, exporter, label, weights, all_shapes in _cells():
        if importer not in country or exporter not in country or label not in sector:
            continue
        shapes = {layer: shape.copy() for layer, shape in all_shapes.items() if layer in layer_ids}
        if shapes:
            cells.append(LineCell(country[importer], country[exporter], sector[label], weights / weights.sum(), shapes))
    return cells
