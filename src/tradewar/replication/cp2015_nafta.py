"""Caliendo & Parro (2015), Table 2: the welfare effects of NAFTA's tariff reductions.

The experiment: Canada, Mexico and the U.S. move the tariffs they charge each
other from their 1993 to their 2005 levels, every other tariff stays at 1993, on
the 1993 world re-solved without trade deficits. Table 2 reports, in percent,
welfare as the sum of the terms-of-trade and volume-of-trade effects of the paper's
equation (28), and real wages.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from tradewar.model.counterfactual import simulate
from tradewar.model.result import CounterfactualResult
from tradewar.model.solver import SolverOptions
from tradewar.results import ArrayResult, Summary, SummaryTable
from tradewar.world.cp2015 import load_cp2015, read_cp2015_tariffs

__all__ = ["PUBLISHED_TABLE2", "NAFTA", "NaftaReplication", "nafta_tariffs", "replicate_table2"]

NAFTA = ("MEX", "CAN", "USA")

#: Caliendo & Parro (2015, REStud 82(1)), Table 2, percent.
PUBLISHED_TABLE2 = {
    "MEX": {"welfare_first_order_pct": 1.31, "terms_of_trade_pct": -0.41, "volume_of_trade_pct": 1.72,
             "real_wage_pct": 1.72},
    "CAN": {"welfare_first_order_pct": -0.06, "terms_of_trade_pct": -0.11, "volume_of_trade_pct": 0.04,
             "real_wage_pct": 0.32},
    "USA": {"welfare_first_order_pct": 0.08, "terms_of_trade_pct": 0.04, "volume_of_trade_pct": 0.04,
             "real_wage_pct": 0.11},
}
COLUMNS = ("welfare_first_order_pct", "terms_of_trade_pct", "volume_of_trade_pct", "real_wage_pct")


def nafta_tariffs(world, tariffs_2005: np.ndarray) -> np.ndarray:
    """The world's tariffs with those among NAFTA members set to their 2005 values."""
    tariff = world.tariff.values.copy()
    members = [world.countries.index(code) for code in NAFTA]
    for importer in members:
        for exporter in members:
            if importer != exporter:
                tariff[importer, exporter, :] = tariffs_2005[importer, exporter, :]
    return tariff


@dataclass(repr=False)
class NaftaReplication(ArrayResult):
    """The model's Table 2 beside the published one (:meth:`to_dict` is what
    ``tradewar replicate cp2015 --json`` prints)."""

    result: CounterfactualResult
    seconds: float

    def table(self) -> pd.DataFrame:
        """Model and published values, one row per NAFTA member."""
        d = self.result.data
        rows = []
        for code in NAFTA:
            at = {"country": code}
            model = {
                "welfare_first_order_pct": 100 * float(d["welfare_first_order"].sel(country=code)),
                "terms_of_trade_pct": 100 * float(d["terms_of_trade"].sel(country=code)),
                "volume_of_trade_pct": 100 * float(d["volume_of_trade"].sel(country=code)),
                "real_wage_pct": 100 * (float(d["real_wage"].sel(country=code)) - 1),
            }
            rows.append(at | model | {
                "welfare_pct": 100 * (float(d["welfare"].sel(country=code)) - 1),
                "published": PUBLISHED_TABLE2[code],
            })
        return pd.DataFrame(rows).set_index("country")

    def matches(self) -> bool:
        """Every model number rounds to the published one at two decimals."""
        table = self.table()
        return all(
            round(table.loc[code, column], 2) == PUBLISHED_TABLE2[code][column] for code in NAFTA for column in COLUMNS
        )

    def to_frame(self, level: str = "table2") -> pd.DataFrame:
        """Table 2: the model's numbers and the paper's (``published_*`` columns), one row per member."""
        if level != "table2":
            raise ValueError(f"level must be 'table2', not {level!r}.")
        table = self.table()
        published = pd.DataFrame.from_dict(PUBLISHED_TABLE2, orient="index").add_prefix("published_")
        return table.drop(columns="published").join(published)

    def summary(self) -> Summary:
        """Model beside paper for Table 2, with whether every number matches (text and HTML)."""
        verdict = "every number matches the paper to two decimals" if self.matches() else "some numbers differ"
        return Summary(
            "Caliendo & Parro (2015), Table 2: NAFTA's tariff cuts, % change (model and paper)",
            tables=[SummaryTable("", self.to_frame(), digits=2)],
            notes=[f"{verdict}; welfare_first_order = terms of trade + volume of trade (eq. 28); welfare_pct is the "
                   f"exact change in real income. Solved in {self.seconds:.2f} s."],
        )

    def to_dataset(self) -> xr.Dataset:
        """The NAFTA counterfactual's dataset (:meth:`CounterfactualResult.to_dataset`)."""
        data = self.result.to_dataset()
        data.attrs.update({"experiment": "Caliendo & Parro (2015) Table 2, NAFTA", "matches_published": self.matches()})
        return data

    def to_dict(self) -> dict:
        """What ``tradewar replicate cp2015 --json`` prints."""
        table = self.table()
        rows = []
        for code in NAFTA:
            row = {"country": code}
            row.update({column: float(table.loc[code, column]) for column in COLUMNS})
            row["welfare_pct"] = float(table.loc[code, "welfare_pct"])
            row["published"] = dict(PUBLISHED_TABLE2[code])
            rows.append(row)
        solver = self.result.solver.to_dict()
        solver["seconds"] = self.seconds
        return {"rows": rows, "solver": solver, "matches_published": self.matches()}


def replicate_table2(data_dir: Path | str | None = None, options: SolverOptions | None = None) -> NaftaReplication:
    """Run the NAFTA counterfactual on the CP2015 data and return it with the published table."""
    world = load_cp2015(data_dir, options=options)
    tariff = nafta_tariffs(world, read_cp2015_tariffs(data_dir, year=2005))
    start = time.perf_counter()
    result = simulate(world, tariff=tariff, deficits="zero", options=options)
    return NaftaReplication(result=result, seconds=time.perf_counter() - start)
