"""Final demand by destination for a table that records only each supplier's total.

The OECD ICIO file we build ``icio2022`` from gives intermediate flows by supplier and
buyer, but final demand only as each supplier's total over all destinations (``z``),
with the rest of the world's purchases folded into it. This module splits such totals
over destinations and scores the split by a backtest on WIOD (2013 release), where the
split is observed: the WIOD table is first made to look like the ICIO file (its rest of
the world folded into the suppliers' totals and dropped, intermediate purchases from it
spread over the other suppliers), final demand by destination is hidden, imputed from an
earlier year's ratios, and compared with the truth.

Methods (all end by scaling each supplier-sector's row so that it sells exactly its
observed total ``z``):

``proportional``
    Final buyers are served like intermediate buyers: the final sales of supplier i in
    sector s to n are proportional to its intermediate sales to n.
``carry-forward``
    The ratio of final to intermediate purchases, by importer x exporter x sector, is
    carried forward from an earlier table and damped (in logs) towards a coarser ratio
    (the importer's foreign purchases in the sector, or the sector's domestic ratio
    across countries); pairs without an earlier ratio (new economies) take the coarse one.

The module is used by ``tools/worlds/icio2022.py`` and by the backtest test.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

WIOD_YEARS = (1995, 2000, 2005, 2008, 2011)
# WIOD economies treated as new in the backtest (no earlier ratios), as Vietnam is for ICIO
# 2022: emerging economies of the kind ICIO adds to WIOD's list.
NEW_IN_BACKTEST = ("BRA", "IDN", "IND", "MEX", "RUS", "TUR")
# Ratios are bounded so that one odd cell of the earlier table cannot dominate a row.
LOG_RATIO_BOUND = 6.0


class SourceError(Exception):
    """A raw source file is missing or not what it should be (the message names the file)."""


@dataclass
class Folded:
    """A table as the ICIO file records it: rest of the world folded in and dropped.

    ``intermediate`` (importer, exporter, sector): purchases of the buying economy's
    industries, with purchases from the dropped region spread over the suppliers in
    proportion (as the ICIO file's column-normalised coefficients do); ``supplier_total``
    (exporter, sector): gross output minus those intermediate sales (final demand in
    every destination plus sales to the dropped region); ``final`` (importer, exporter,
    sector): the observed final demand by destination (None where not observed).
    """

    countries: list[str]
    intermediate: np.ndarray
    supplier_total: np.ndarray
    final: np.ndarray | None = None


def read_wiod(source: Path | str, year: int) -> dict[str, np.ndarray]:
    """The arrays of one WIOD year (``wiot_YYYY.npz``); a clear error naming the file."""
    path = Path(source) / f"wiot_{year}.npz"
    if year not in WIOD_YEARS:
        raise SourceError(f"WIOD (2013 release) covers {WIOD_YEARS}; {year} is not among them.")
    if not path.is_file():
        raise SourceError(f"WIOD table {path} not found (expected the 2013 release, ../shared/data/wiod2013).")
    try:
        with np.load(path, allow_pickle=False) as raw:
            data = {key: raw[key] for key in ("inter", "final", "countries", "industries")}
    except Exception as error:  # zip, pickle and key errors all mean the same thing to a user
        raise SourceError(f"WIOD table {path} could not be read ({type(error).__name__}: {error}).") from error
    n, j = len(data["countries"]), len(data["industries"])
    if data["inter"].shape != (n * j, n * j) or data["final"].shape[0] != n * j:
        raise SourceError(f"WIOD table {path} has arrays of unexpected shape {data['inter'].shape}.")
    return data


def fold_wiod(raw: dict[str, np.ndarray], rest_of_world: str = "RoW") -> Folded:
    """Make a WIOD table look like the ICIO file: drop its rest of the world as supplier and
    buyer, spread intermediate purchases from it over the other suppliers (each buying
    industry's inputs scaled up in proportion), fold sales to it into suppliers' totals."""
    countries = [str(c) for c in raw["countries"]]
    n, j = len(countries), len(raw["industries"])
    keep = [k for k, c in enumerate(countries) if c != rest_of_world]
    inter = raw["inter"].reshape(n, j, n, j)  # exporter, sector, importer, using sector
    final = np.maximum(raw["final"].reshape(n, j, n, -1).sum(axis=3), 0.0)  # exporter, sector, importer
    output = inter.sum(axis=(2, 3)) + final.sum(axis=2)  # row sums (WIOD's own output differs)
    kept = inter[np.ix_(keep, range(j), keep, range(j))]
    purchases_all = inter[:, :, keep, :].sum(axis=(0, 1))  # (importer, using sector), every origin
    purchases_kept = kept.sum(axis=(0, 1))
    spread = np.divide(purchases_all, purchases_kept, out=np.ones_like(purchases_all), where=purchases_kept > 0)
    kept = kept * spread[None, None, :, :]
    intermediate = kept.sum(axis=3).transpose(2, 0, 1)  # importer, exporter, sector
    supplier_total = np.maximum(output[keep] - intermediate.sum(axis=0), 0.0)
    return Folded(
        countries=[countries[k] for k in keep],
        intermediate=intermediate,
        supplier_total=supplier_total,
        final=final[np.ix_(keep, range(j), keep)].transpose(2, 0, 1),
    )


def ratios(folded: Folded) -> np.ndarray:
    """Final over intermediate purchases by (importer, exporter, sector); NaN where undefined."""
    with np.errstate(divide="ignore", invalid="ignore"):
        r = folded.final / folded.intermediate
    return np.where((folded.intermediate > 0) & (folded.final > 0), r, np.nan)


def _coarse_log_ratios(intermediate: np.ndarray, final_prior: np.ndarray, known: np.ndarray) -> np.ndarray:
    """The coarse ratio each pair is damped towards, in logs, shape (importer, exporter, sector).

    Foreign pairs: the importer's final over intermediate purchases from all known foreign
    suppliers in the sector (the sector's ratio over all known foreign pairs where the
    importer is new). Domestic pairs: the sector's domestic ratio over known economies.
    Sums are taken over the earlier table's flows (``final_prior`` = ratio x intermediate).
    """
    n = intermediate.shape[0]
    eye = np.eye(n, dtype=bool)[:, :, None]
    foreign = known & ~eye
    domestic = known & eye
    f = np.where(foreign, final_prior, 0.0)
    m = np.where(foreign, intermediate, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        sector_foreign = f.sum(axis=(0, 1)) / m.sum(axis=(0, 1))
        importer_foreign = f.sum(axis=1) / m.sum(axis=1)  # (importer, sector)
        fd = np.where(domestic, final_prior, 0.0).sum(axis=(0, 1))
        md = np.where(domestic, intermediate, 0.0).sum(axis=(0, 1))
        sector_domestic = fd / md
    sector_foreign = np.where(np.isfinite(sector_foreign) & (sector_foreign > 0), sector_foreign, 1.0)
    sector_domestic = np.where(np.isfinite(sector_domestic) & (sector_domestic > 0), sector_domestic, 1.0)
    importer_foreign = np.where(
        np.isfinite(importer_foreign) & (importer_foreign > 0), importer_foreign, sector_foreign[None, :]
    )
    coarse = np.broadcast_to(importer_foreign[:, None, :], intermediate.shape).copy()
    coarse[np.arange(n), np.arange(n), :] = sector_domestic[None, :]
    return np.clip(np.log(coarse), -LOG_RATIO_BOUND, LOG_RATIO_BOUND)


def impute_final(
    intermediate: np.ndarray,
    supplier_total: np.ndarray,
    prior_ratio: np.ndarray | None = None,
    damping: float = 1.0,
    log_shift: np.ndarray | None = None,
) -> np.ndarray:
    """Split each supplier's final total over destinations.

    Parameters
    ----------
    intermediate : ndarray (importer, exporter, sector)
        Observed intermediate purchases.
    supplier_total : ndarray (exporter, sector)
        What each supplier sells to final users in all destinations together.
    prior_ratio : ndarray (importer, exporter, sector), optional
        Final over intermediate purchases in an earlier table, NaN where unknown (new
        economies, pairs with no flow). None gives the ``proportional`` method.
    damping : float in [0, 1]
        Weight of the pair's own (log) ratio against the coarse one; 0 keeps only the
        coarse ratio.
    log_shift : ndarray (importer, exporter, sector), optional
        Added to the log ratio after damping (customs end-use margins, ``us_enduse.py``).

    Returns
    -------
    ndarray (importer, exporter, sector)
        Final purchases; each (exporter, sector) sums to ``supplier_total``. A supplier
        with final sales but no intermediate buyers sells them at home.
    """
    if not 0.0 <= damping <= 1.0:
        raise ValueError(f"damping must be in [0, 1], got {damping}")
    if prior_ratio is None:
        weights = intermediate.copy()
    else:
        known = np.isfinite(prior_ratio) & (prior_ratio > 0)
        log_pair = np.clip(np.log(np.where(known, prior_ratio, 1.0)), -LOG_RATIO_BOUND, LOG_RATIO_BOUND)
        coarse = _coarse_log_ratios(intermediate, np.where(known, prior_ratio, 0.0) * intermediate, known)
        log_ratio = np.where(known, damping * log_pair + (1 - damping) * coarse, coarse)
        if log_shift is not None:
            log_ratio = log_ratio + log_shift
        weights = np.exp(log_ratio) * intermediate
    column = weights.sum(axis=0)  # (exporter, sector)
    scale = np.divide(supplier_total, column, out=np.zeros_like(column), where=column > 0)
    final = weights * scale[None, :, :]
    orphan = (column <= 0) & (supplier_total > 0)
    exporters, sectors = np.nonzero(orphan)
    final[exporters, exporters, sectors] += supplier_total[exporters, sectors]
    return final


def calibrate_absorption(
    final: np.ndarray, supplier_total: np.ndarray, targets: dict[int, float], iterations: int = 500, tol: float = 1e-10
) -> np.ndarray:
    """Rescale an imputed split so that some buyers' final purchases hit given totals.

    Biproportional (RAS) fitting: each supplier-sector row keeps its total, each buyer
    named in ``targets`` (position -> total final purchases) is scaled to its target and
    the other buyers share the rest of world final demand in proportion to their imputed
    totals. In a closed world a buyer's trade balance is its value added minus its final
    purchases, so these targets are national-accounts trade balances in disguise.
    """
    fitted = final.copy()
    fixed = np.array(sorted(targets), dtype=int)
    goal = np.array([targets[k] for k in fixed])
    free = np.setdiff1d(np.arange(final.shape[0]), fixed)
    world = supplier_total.sum()
    if goal.sum() >= world:
        raise ValueError("The absorption targets exceed world final demand.")
    for _ in range(iterations):
        totals = fitted.sum(axis=(1, 2))
        factor = np.ones_like(totals)
        factor[fixed] = goal / np.where(totals[fixed] > 0, totals[fixed], 1.0)
        factor[free] = (world - goal.sum()) / totals[free].sum()
        fitted *= factor[:, None, None]
        column = fitted.sum(axis=0)
        fitted *= np.divide(supplier_total, column, out=np.zeros_like(column), where=column > 0)[None, :, :]
        if np.abs(fitted.sum(axis=(1, 2))[fixed] - goal).max() < tol * world:
            break
    return fitted


def trade_balance(intermediate: np.ndarray, final: np.ndarray) -> np.ndarray:
    """Imports minus exports of each economy, intermediate plus final, domestic sales excluded."""
    trade = intermediate + final
    home = np.einsum("nnj->n", trade)
    return (trade.sum(axis=(1, 2)) - home) - (trade.sum(axis=(0, 2)) - home)


@dataclass
class Score:
    """Trade-weighted errors of an imputation against the observed split."""

    final_wape: float  # foreign final flows by pair x sector: sum |error| / sum of flows
    trade_wape: float  # foreign trade (intermediate + final) by pair x sector
    import_share_error: float  # half the L1 distance of supplier shares, weighted by imports
    new_trade_wape: float  # trade_wape over pairs that involve a new economy
    balance_error: float  # mean |imputed - true trade balance| / mean |true balance|

    def as_dict(self) -> dict[str, float]:
        return {key: round(float(value), 4) for key, value in self.__dict__.items()}


def score(folded: Folded, final: np.ndarray, new: tuple[str, ...] = ()) -> Score:
    """Score an imputed split against ``folded.final`` (the truth) on foreign flows."""
    truth_final = folded.final
    n = len(folded.countries)
    foreign = ~np.eye(n, dtype=bool)[:, :, None] & np.ones_like(final, dtype=bool)
    true_trade = folded.intermediate + truth_final
    pred_trade = folded.intermediate + final

    def wape(pred, true, mask):
        return float(np.abs(pred - true)[mask].sum() / true[mask].sum())

    is_new = np.array([c in new for c in folded.countries])
    new_pairs = foreign & (is_new[:, None, None] | is_new[None, :, None])
    shares_true = true_trade / np.maximum(true_trade.sum(axis=1, keepdims=True), 1e-300)
    shares_pred = pred_trade / np.maximum(pred_trade.sum(axis=1, keepdims=True), 1e-300)
    weights = np.where(foreign, true_trade, 0.0).sum(axis=1)  # imports of (importer, sector)
    distance = 0.5 * np.abs(shares_pred - shares_true).sum(axis=1)
    balance_true = trade_balance(folded.intermediate, truth_final)
    balance_pred = trade_balance(folded.intermediate, final)
    return Score(
        final_wape=wape(final, truth_final, foreign),
        trade_wape=wape(pred_trade, true_trade, foreign),
        import_share_error=float((distance * weights).sum() / weights.sum()),
        new_trade_wape=wape(pred_trade, true_trade, new_pairs) if new_pairs.any() else float("nan"),
        balance_error=float(np.abs(balance_pred - balance_true).mean() / np.abs(balance_true).mean()),
    )


def hide_new(prior: np.ndarray, countries: list[str], new: tuple[str, ...]) -> np.ndarray:
    """Forget the earlier ratios of every pair that involves a new economy."""
    prior = prior.copy()
    index = [k for k, c in enumerate(countries) if c in new]
    prior[index, :, :] = np.nan
    prior[:, index, :] = np.nan
    return prior


def backtest(
    source: Path | str,
    target_year: int = 2011,
    prior_years: tuple[int, ...] = (2008, 2000),
    dampings: tuple[float, ...] = (0.0, 0.25, 0.5, 0.75, 1.0),
    new: tuple[str, ...] = NEW_IN_BACKTEST,
) -> dict[str, dict[str, float]]:
    """Scores of each method on WIOD: hide ``target_year``'s final demand by destination,
    impute it from each earlier year, compare. Keys ``"proportional"`` and
    ``"carry-forward <damping> from <year>"``."""
    target = fold_wiod(read_wiod(source, target_year))
    results = {"proportional": score(target, impute_final(target.intermediate, target.supplier_total), new).as_dict()}
    for year in prior_years:
        earlier = fold_wiod(read_wiod(source, year))
        if earlier.countries != target.countries:
            raise SourceError(f"WIOD {year} and {target_year} list different economies.")
        prior = hide_new(ratios(earlier), earlier.countries, new)
        for damping in dampings:
            final = impute_final(target.intermediate, target.supplier_total, prior, damping)
            results[f"carry-forward {damping:g} from {year}"] = score(target, final, new).as_dict()
    return results


if __name__ == "__main__":  # python tools/worlds/icio_final_demand.py ../shared/data/wiod2013
    import json
    import sys

    print(json.dumps(backtest(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/wiod2013"), indent=2))
