"""A bridge table: how a scenario's headline numbers move as each modelling change is switched on.

GTAP-based studies publish how each assumption moves their headline; this is that table for
tradewar's own changes of the 2025-26 round (issues 12-15). The scenario is solved once per
step, each step switching on ONE more change on top of the previous step, in a fixed order:

0. the old footing: ``wiod2011``, sector tariffs as trade-weighted averages of the tariff
   lines, the Caliendo-Parro (2015) elasticities as estimated (long run), tariff revenue
   rebated to households, trade deficits fixed, Cobb-Douglas input bundles;
1. the 2022 world (``icio2022``: OECD ICIO, 80 economies x 50 sectors);
2. line-level tariffs: partial layers aggregated line by line to the rate with the same
   price index and trade response in the model, (1+t*)^-theta = sum w (1+t_line)^-theta
   (:mod:`tradewar.policy.lines`);
3. the elasticity set and horizon (:mod:`tradewar.world.elasticities`);
4. the closure (tariff revenue and deficits);
5. critical inputs: every built-in critical-product split that has a nested-CES table
   (``[critical_input]``; with scarce supply where it has ``[scarce_supply]``), carved out of
   its parent sector (:mod:`tradewar.world.splits`).

Every step is an ordinary :class:`~tradewar.simulation.ScenarioOverrides` run through the one
pipeline (:func:`~tradewar.simulation.run_scenario`), so the last step is exactly what
``run_scenario`` gives with all switches on (a test checks it). The differences between
consecutive rows are each change's contribution *given the changes before it*: with another
order the contributions differ (interactions), the last row does not.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from tradewar.results import Result, Summary, SummaryTable
from tradewar.simulation import ScenarioOverrides, ScenarioRun, run_scenario

__all__ = ["HEADLINE", "TARGET", "BridgeResult", "BridgeStep", "bridge_steps", "critical_splits", "run_bridge"]

#: The footing the steps move to. The elasticity set and horizon: ``fontagne2022`` at the medium
#: horizon came closest to the observed 2017 -> 2019 fall in China's share of U.S. imports in
#: ``tradewar backtest trade-war-2019`` (model -0.174 vs observed -0.170 in log points; cp2015 long
#: -0.256). The closure: tariff revenue lowers the trade deficit (the closure this round added).
#: Each can be changed per call (``tradewar bridge --elasticities ...``).
TARGET = {"world": "icio2022", "elasticities": "fontagne2022", "horizon": "medium",
          "revenue": "deficit-reduction", "deficits": "fixed"}

#: The old footing (step 0).
OLD = {"world": "wiod2011", "tariff_aggregate": "trade-weighted", "elasticities": "cp2015", "horizon": "long",
       "revenue": "rebate", "deficits": "fixed"}

#: The headline columns: (key, country, measure, label). Without a country the measure is
#: (importer, exporter): the change in their total trade; or ("tariff", importer, exporter): the
#: tariff the model solves with (goods, weighted by the baseline trade of the world measured from),
#: an input shown so that a step that moves the tariffs can be told from one that does not.
HEADLINE: tuple[tuple[str, str | None, Any, str], ...] = (
    ("usa_tariff_on_chn_pct", None, ("tariff", "USA", "CHN"), "U.S. tariff on China (model) %"),
    ("chn_tariff_on_usa_pct", None, ("tariff", "CHN", "USA"), "China tariff on U.S. (model) %"),
    ("usa_welfare_pct", "USA", "welfare_pct", "U.S. welfare %"),
    ("usa_real_gdp_pct", "USA", "real_gdp_pct", "U.S. real GDP %"),
    ("usa_real_wage_pct", "USA", "real_wage_pct", "U.S. real wage %"),
    ("chn_welfare_pct", "CHN", "welfare_pct", "China welfare %"),
    ("chn_real_gdp_pct", "CHN", "real_gdp_pct", "China real GDP %"),
    ("chn_real_wage_pct", "CHN", "real_wage_pct", "China real wage %"),
    ("usa_imports_from_chn_pct", None, ("USA", "CHN"), "U.S. <- China trade %"),
    ("chn_imports_from_usa_pct", None, ("CHN", "USA"), "China <- U.S. trade %"),
    ("vnm_welfare_pct", "VNM", "welfare_pct", "Vietnam welfare %"),
    ("mex_welfare_pct", "MEX", "welfare_pct", "Mexico welfare %"),
)


def critical_splits() -> tuple[str, ...]:
    """The built-in critical-product splits with a nested-CES table (``[critical_input]``)."""
    from tradewar.world.splits import load_split, split_names

    return tuple(name for name in split_names() if "critical_input" in load_split(name))


@dataclass(frozen=True)
class BridgeStep:
    """One row of the bridge: what it switches on and the overrides that say so."""

    key: str
    label: str
    overrides: ScenarioOverrides


def bridge_steps(*, world: str = TARGET["world"], elasticities: str = TARGET["elasticities"],
                 horizon: str = TARGET["horizon"], revenue: str = TARGET["revenue"],
                 deficits: str = TARGET["deficits"], splits: tuple[str, ...] | None = None,
                 regions: str | None = None) -> list[BridgeStep]:
    """The cumulative steps from the old footing to the target (see the module docstring).

    Parameters
    ----------
    world, elasticities, horizon, revenue, deficits
        The target footing (default :data:`TARGET`).
    splits
        The critical-product splits of the last step (default :func:`critical_splits`).
    regions
        A built-in region grouping applied at every step (e.g. ``"compact"``); default none.

    Returns
    -------
    list of BridgeStep
        Six steps, each adding one change to the one before.
    """
    splits = critical_splits() if splits is None else tuple(splits)
    state: dict[str, Any] = {**OLD, "splits": (), "regions": regions}
    changes: list[tuple[str, str, dict[str, Any]]] = [
        ("old-footing", f"old footing: {OLD['world']}, trade-weighted tariffs, {OLD['elasticities']} "
                        f"{OLD['horizon']}, {OLD['revenue']}, {OLD['deficits']} deficits, Cobb-Douglas", {}),
        ("world", f"world {world}", {"world": world}),
        ("line-tariffs", "line-level theta-consistent tariffs", {"tariff_aggregate": None}),
        ("elasticities", f"elasticities {elasticities} {horizon}", {"elasticities": elasticities,
                                                                     "horizon": horizon}),
        ("closure", f"closure: {revenue}, {deficits} deficits", {"revenue": revenue, "deficits": deficits}),
        ("critical-inputs", "critical inputs: " + (", ".join(splits) if splits else "none")
         + " (nested CES, scarce supply)", {"splits": splits}),
    ]
    steps = []
    for number, (key, label, change) in enumerate(changes):
        state.update(change)
        steps.append(BridgeStep(f"{number}-{key}", label, ScenarioOverrides(**state)))
    return steps


def headline(run: ScenarioRun, document: dict | None = None) -> dict[str, float | None]:
    """The headline numbers of one solved scenario (``None`` where the world lacks a country);
    ``document`` is ``run.to_dict()`` where the caller has it already."""
    document = run.to_dict() if document is None else document
    countries = document["countries"]
    totals = {(row["importer"], row["exporter"]): row["change_pct"]
              for row in document["bilateral"] if row["sector"] == "all"}
    values: dict[str, float | None] = {}
    for key, country, measure, _ in HEADLINE:
        if country is None and measure[0] == "tariff":
            value = _average_tariff(run, *measure[1:])
        elif country is None:
            value = totals.get(measure)
            if value is None:  # the pair is not among the printed pairs: compute it from the result
                value = _total_trade_change(run, *measure)
        else:
            value = countries.get(country, {}).get(measure)
        values[key] = None if value is None else float(value)
    return values


def _average_tariff(run: ScenarioRun, importer: str, exporter: str) -> float | None:
    world = run.world
    if importer not in world.countries or exporter not in world.countries:
        return None
    cells = {"importer": importer, "exporter": exporter, "sector": world.goods}
    weights = world.trade.sel(cells).values
    return 100.0 * float((run.tariff.sel(cells).values * weights).sum() / weights.sum())


def _total_trade_change(run: ScenarioRun, importer: str, exporter: str) -> float | None:
    data = run.result.data
    countries = list(data["importer"].values)
    if importer not in countries or exporter not in countries:
        return None
    cells = {"importer": importer, "exporter": exporter}
    before = float(data["trade"].sel(cells).sum())
    return 100.0 * (float(data["trade_new"].sel(cells).sum()) / before - 1.0) if before > 0 else None


@dataclass(repr=False)
class BridgeResult(Result):
    """The bridge table of one scenario (the results protocol; :meth:`to_dict` is what
    ``tradewar bridge NAME --json`` prints)."""

    scenario: str
    steps: list[BridgeStep]
    runs: list[dict] = field(default_factory=list)  # per step: world, date, closure, elasticities, residual
    values: list[dict[str, float | None]] = field(default_factory=list)

    def to_frame(self, level: str = "levels") -> pd.DataFrame:
        """``levels`` (each step's numbers, percent) or ``changes`` (each step minus the one before)."""
        frame = pd.DataFrame(self.values, index=[step.key for step in self.steps], dtype=float)
        frame.index.name = "step"
        if level == "levels":
            return frame
        if level == "changes":
            return frame.diff().iloc[1:]
        raise ValueError(f"level must be 'levels' or 'changes', got {level!r}")

    def idle_steps(self, tolerance: float = 5e-4) -> list[str]:
        """Steps that move no headline number by more than ``tolerance`` (percentage points)."""
        changes = self.to_frame("changes").abs()
        return [str(key) for key, row in changes.iterrows() if not (row.dropna() > tolerance).any()]

    def notes(self) -> list[str]:
        """What a reader must know to read the table (computed, not typed)."""
        notes = ["Contributions depend on the order of the steps (interactions); the last row does not.",
                 "Tariffs: the rates the model solves with on goods, weighted by the baseline trade of the world "
                 "measured from. n/a: the world has no such country (wiod2011 has no Vietnam)."]
        idle = self.idle_steps()
        if idle:
            notes.append("Steps that move no number by more than 0.0005 points here: " + ", ".join(idle)
                         + " (a switch with nothing to act on in this scenario and world, e.g. line-level "
                           "tariffs where the world has no tariff-line cells).")
        return notes

    def _labelled(self, frame: pd.DataFrame) -> pd.DataFrame:
        labels = {key: label for key, _, _, label in HEADLINE}
        return frame.rename(columns=labels)

    def summary(self) -> Summary:
        """The table of levels, then each step's contribution."""
        header = [f"{self.scenario}: each change switched on in turn, on top of the ones above (percent changes "
                  f"against {self.runs[0]['against'] if self.runs else 'the baseline'})."]
        header += [f"  {step.key}: {step.label}" for step in self.steps]
        tables = [SummaryTable("Headline numbers by step (%)", self._labelled(self.to_frame("levels")), digits=3),
                  SummaryTable("Contribution of each step (percentage points)",
                               self._labelled(self.to_frame("changes")), digits=3)]
        return Summary(title=f"Bridge table: {self.scenario}", header=header, tables=tables, notes=self.notes())

    def to_dict(self) -> dict:
        """JSON-safe: the scenario, the headline's columns, and per step its switches, run facts and numbers."""
        return {
            "scenario": self.scenario,
            "columns": {key: label for key, _, _, label in HEADLINE},
            "notes": self.notes(),
            "steps": [
                {"step": step.key, "label": step.label, "overrides": step.overrides.to_dict(), **run,
                 "values": values,
                 "change_from_previous": None if number == 0 else {
                     key: _difference(values[key], self.values[number - 1][key]) for key in values}}
                for number, (step, run, values) in enumerate(zip(self.steps, self.runs, self.values, strict=True))
            ],
        }

    def as_markdown(self, command: str) -> str:
        """A documentation page (markdown) with both tables; ``command`` is the one that produced it."""
        lines = [f"# Bridge table: {self.scenario}", "",
                 f"Generated by `{command}`; do not edit by hand (rerun the command).", "",
                 "Each row switches on one more change of this round, on top of the rows above; "
                 f"effects are measured against {self.runs[0]['against'] if self.runs else 'the baseline'}. "
                 "Contributions depend on the order of the steps (interactions); the last row does not, and "
                 "equals a direct `tradewar simulate` with every switch on.", ""]
        for step, run in zip(self.steps, self.runs, strict=True):
            lines.append(f"- **{step.key}**: {step.label} (world {run['world']}, elasticities "
                         f"{run['elasticities']} {run['horizon']}, closure {run['closure']['revenue']} / "
                         f"{run['closure']['deficits']} deficits)")
        for caption, level in (("Headline numbers by step (%)", "levels"),
                               ("Contribution of each step (percentage points)", "changes")):
            frame = self._labelled(self.to_frame(level))
            lines += ["", f"## {caption}", "", "| step | " + " | ".join(frame.columns) + " |",
                      "|---|" + "---:|" * len(frame.columns)]
            for key, row in frame.iterrows():
                cells = ["n/a" if not np.isfinite(value) else f"{value:+.3f}" for value in row]
                lines.append(f"| {key} | " + " | ".join(cells) + " |")
        lines += ["", *(f"- {note}" for note in self.notes()), ""]
        return "\n".join(lines)


def _difference(value: float | None, before: float | None) -> float | None:
    return None if value is None or before is None else value - before


def run_bridge(scenario: str = "london-2025", steps: list[BridgeStep] | None = None, on_step=None) -> BridgeResult:
    """Solve ``scenario`` at every step of the bridge.

    Parameters
    ----------
    scenario
        A built-in scenario name or a scenario file.
    steps
        The steps (default :func:`bridge_steps` with the :data:`TARGET` footing).
    on_step
        Called as ``on_step(done, total)`` after each solve (progress displays).

    Returns
    -------
    BridgeResult
    """
    steps = bridge_steps() if steps is None else steps
    result = BridgeResult(scenario=scenario, steps=steps)
    for number, step in enumerate(steps):
        run = run_scenario(scenario, overrides=step.overrides)
        if number == 0:
            result.scenario = run.scenario.name
        document = run.to_dict()
        result.runs.append({"world": document["world"], "date": document["date"], "against": document["against"],
                            "elasticities": document["elasticities"], "horizon": document["horizon"],
                            "closure": document["closure"], "residual": document["solver"]["residual"]})
        result.values.append(headline(run, document))
        if on_step is not None:
            on_step(number + 1, len(steps))
    return result
