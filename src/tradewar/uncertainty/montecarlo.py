"""Monte Carlo over trade elasticities: confidence bands on every country result.

>>> from tradewar import load_world
>>> from tradewar.uncertainty import monte_carlo
>>> world = load_world().aggregate(regions="compact")
>>> mc = monte_carlo(world, tariff=..., draws=500, spread=0.25, seed=1)   # doctest: +SKIP
>>> mc.percentiles()            # country x (variable, p5 / p50 / p95)
>>> mc.failed                   # draws that did not solve, with the reason

Each draw replaces the trade elasticities (by sector) and solves the counterfactual;
draws are generated here from ``seed`` (or read from a file) before any is solved, so
the outcome does not depend on the executor. A draw that fails (the solver does not
converge, there is no equilibrium with positive incomes, or the drawn elasticity is
not positive) is kept, with its reason, in :attr:`MonteCarloResult.failed`;
percentiles are over the draws that solved, and the count of the others is reported
with them.
"""

from __future__ import annotations

import pickle
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from tradewar.errors import TradewarError
from tradewar.model.result import SIDES
from tradewar.model.solver import SolverOptions
from tradewar.results import UNITS, ArrayResult, Summary, SummaryTable
from tradewar.uncertainty.draws import check_draws, draw_elasticities, read_draws
from tradewar.uncertainty.executors import describe_executor, run_tasks
from tradewar.uncertainty.plan import COUNTRY_COLUMNS, Plan, summarise
from tradewar.world.world import World

__all__ = ["monte_carlo", "MonteCarloResult", "MonteCarloJob"]

DEFAULT_PERCENTILES = (5, 50, 95)


class MonteCarloJob:
    """One plan, many elasticity vectors (a job for :func:`~tradewar.uncertainty.executors.run_tasks`)."""

    def __init__(self, plan: Plan, options: SolverOptions | None = None):
        self.plan, self.options = plan, options
        self.key = f"mc-{plan.key}"

    def prepare(self):
        """Load and check the plan's world and policy once per process."""
        return self.plan.prepare(self.options)

    def run(self, prepared, theta):
        """Solve one draw of elasticities; a failure is an outcome (its error type and message), not an exception."""
        clock = time.perf_counter()
        try:
            result = self.plan.solve(theta, self.options, prepared)
        except (TradewarError, FloatingPointError, np.linalg.LinAlgError) as error:
            return ("failed", type(error).__name__, str(error), time.perf_counter() - clock)
        country, bilateral = summarise(result)
        return ("ok", country, bilateral, result.solver.iterations, result.solver.residual,
                time.perf_counter() - clock)


@dataclass(repr=False)
class MonteCarloResult(ArrayResult):
    """Draws, their outcomes and the point estimate.

    ``values``: an xarray Dataset with ``country`` (draw, country, variable) and
    ``bilateral`` (draw, importer, exporter: percent change of total trade), NaN for
    failed draws; ``ok`` (draw) marks the draws that solved. ``draws``: the elasticities
    (draw x sector). ``central``: the result at the world's own elasticities.
    :meth:`to_dict` is what ``tradewar simulate SCENARIO --draws N --json`` prints;
    :meth:`to_dataset` has one variable per outcome, with its units.
    """

    draws: pd.DataFrame
    values: xr.Dataset
    failed: pd.DataFrame
    central: object
    seed: int | None
    settings: dict = field(default_factory=dict)
    seconds: float = 0.0

    # ------------------------------------------------------------------ counts
    @property
    def n_draws(self) -> int:
        """Draws attempted."""
        return len(self.draws)

    @property
    def n_ok(self) -> int:
        """Draws that solved."""
        return int(self.values["ok"].sum())

    @property
    def n_failed(self) -> int:
        """Draws that failed (see :meth:`failure_reasons`)."""
        return len(self.failed)

    @property
    def solves_per_second(self) -> float:
        """Draws per second of wall time."""
        return self.n_draws / self.seconds if self.seconds > 0 else float("nan")

    def failure_reasons(self) -> pd.Series:
        """How many draws failed, by error type."""
        return self.failed["error"].value_counts() if len(self.failed) else pd.Series(dtype=int, name="count")

    # ------------------------------------------------------------------ statistics
    def percentiles(self, q: Sequence[float] = DEFAULT_PERCENTILES, level: str = "country",
                    point: bool = False) -> pd.DataFrame:
        """Percentiles over the draws that solved.

        ``level="country"``: index country, columns (variable, ``p5``/``p50``/...);
        ``"bilateral"``: index (importer, exporter), columns ``p5``... of the percent change
        of total trade. ``point=True`` adds the point estimate as column ``point``.
        """
        ok = self.values["ok"].values
        labels = [f"p{_label(p)}" for p in q]
        if level == "country":
            data = self.values["country"].values[ok]  # (draws, country, variable)
            stats = _nanpercentile(data, q)  # (q, country, variable)
            countries = list(self.values["country_label"].values)
            variables = list(self.values["variable"].values)
            frames = {}
            for k, variable in enumerate(variables):
                columns = {label: stats[m, :, k] for m, label in enumerate(labels)}
                if point:
                    columns = {"point": self.central.country_table()[variable].to_numpy(), **columns}
                frames[variable] = pd.DataFrame(columns, index=pd.Index(countries, name="country"))
            return pd.concat(frames, axis=1)
        if level == "bilateral":
            data = self.values["bilateral"].values[ok]
            stats = _nanpercentile(data, q)  # (q, importer, exporter)
            countries = list(self.values["importer"].values)
            index = pd.MultiIndex.from_product([countries, countries], names=["importer", "exporter"])
            frame = pd.DataFrame({label: stats[m].ravel() for m, label in enumerate(labels)}, index=index)
            if point:
                frame.insert(0, "point", summarise(self.central)[1].ravel())
            return frame
        raise ValueError(f"level must be 'country' or 'bilateral', not {level!r}.")

    def to_frame(self, level: str = "country") -> pd.DataFrame:
        """Every draw's outcome in long form: index (draw, country) or (draw, importer, exporter)."""
        if level == "country":
            array = self.values["country"]
            frame = array.to_series().unstack("variable")
            frame.index = frame.index.set_names(["draw", "country"])
            return frame[list(self.values["variable"].values)]
        if level == "bilateral":
            return self.values["bilateral"].to_series().rename("trade_change_pct").to_frame()
        raise ValueError(f"level must be 'country' or 'bilateral', not {level!r}.")

    def summary(self, variables: Sequence[str] = ("welfare_pct", "real_wage_pct", "price_index_pct",
                                                  "exports_pct", "imports_pct")) -> Summary:
        """The point estimate and the 5th, 50th and 95th percentiles of ``variables`` by country."""
        table = self.percentiles(point=True)[list(variables)]
        notes = (
            [
                f"{self.n_failed} draws failed: "
                + ", ".join(f"{n} {error}" for error, n in self.failure_reasons().items())
            ]
            if self.n_failed
            else []
        )
        return Summary(
            f"Monte Carlo, {self.n_draws} draws ({self.n_ok} solved, {self.n_failed} failed); changes in percent",
            header=[f"Elasticities {self.settings.get('distribution')}, spread {self.settings.get('spread')}, "
                    f"seed {self.seed}; {self.settings.get('plan', '')}"],
            tables=[SummaryTable("", table)], notes=notes)

    def to_dict(self) -> dict:
        """What ``tradewar simulate SCENARIO --draws N --json`` prints (the command adds only ``report``)."""
        table = self.percentiles(point=True)
        document = {
            "scenario": self.settings.get("plan"), "against": self.settings.get("against"), "draws": self.n_draws,
            "solved": self.n_ok, "failed": self.n_failed,
            "failure_reasons": {str(k): int(v) for k, v in self.failure_reasons().items()},
            "failures": self.failed[["draw", "error", "message"]].to_dict(orient="records"),
            "seed": self.seed, "spread": self.settings.get("spread"), "distribution": self.settings.get("distribution"),
            "seconds": self.seconds, "countries": {},
        }
        for country in table.index:
            document["countries"][country] = {
                variable: {stat: float(table.loc[country, (variable, stat)]) for stat in table[variable].columns}
                for variable in table.columns.levels[0] if variable in table
            }
        bilateral = self.percentiles(level="bilateral", point=True)
        document["bilateral_trade_pct"] = {
            f"{exporter}->{importer}": {k: float(v) for k, v in bilateral.loc[(importer, exporter)].items()}
            for exporter in SIDES for importer in SIDES
            if exporter != importer and (importer, exporter) in bilateral.index
        }
        document["world"] = self.settings.get("world")  # the world the draws ran on
        for key in ("elasticities", "horizon", "closure"):  # around which set, and under which closure
            document[key] = self.settings.get(key)
        if self.settings.get("extra_tariffs"):
            document["extra_tariffs"] = self.settings["extra_tariffs"]
        return document

    def to_dataset(self) -> xr.Dataset:
        """Every draw's outcomes, one variable per country outcome (``welfare_pct``...; NaN where the
        draw failed), ``trade_change_pct`` (draw, importer, exporter), the drawn ``elasticity`` (draw,
        sector), ``ok`` and the solver's ``iterations``, ``residual`` and ``seconds`` by draw."""
        values = self.values
        countries = list(values["country_label"].values)
        data = {
            str(variable): (("draw", "country"), values["country"].sel(variable=variable).values,
                            {"units": UNITS["usd"] if variable.endswith("_usd_mn") else UNITS["percent"]})
            for variable in values["variable"].values
        }
        data["trade_change_pct"] = (("draw", "importer", "exporter"), values["bilateral"].values,
                                    {"units": UNITS["percent"], "description": "change of total trade"})
        data["elasticity"] = (("draw", "sector"), self.draws.to_numpy(dtype=float), {"units": UNITS["elasticity"]})
        data["ok"] = ("draw", values["ok"].values.astype(np.int8), {"units": UNITS["flag"]})
        data["iterations"] = ("draw", values["iterations"].values.astype(np.int32), {"units": UNITS["count"]})
        data["residual"] = ("draw", values["residual"].values, {"units": "max-norm of the equilibrium conditions"})
        data["seconds"] = ("draw", values["seconds"].values, {"units": UNITS["seconds"]})
        settings = {f"setting_{k}": v for k, v in self.settings.items()}
        return xr.Dataset(
            data,
            coords={"draw": values["draw"].values.astype(np.int32), "country": countries, "importer": countries,
                    "exporter": countries, "sector": [str(s) for s in self.draws.columns]},
            attrs={**values.attrs, "seed": self.seed, "seconds_total": self.seconds, **settings},
        )


def _label(p: float) -> str:
    return f"{p:g}".replace(".", "_")


def _nanpercentile(data: np.ndarray, q) -> np.ndarray:
    if data.shape[0] == 0:
        return np.full((len(q), *data.shape[1:]), np.nan)
    with np.errstate(all="ignore"):
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return np.nanpercentile(data, list(q), axis=0)


def _plan_for(target, tariff, trade_cost_change, export_tax, deficits, against, overrides) -> Plan:
    if isinstance(target, Plan):
        return target
    if isinstance(target, World):
        if against is not None or overrides is not None:
            raise TypeError("against and overrides apply to scenarios; for a world give tariff=... directly.")
        return Plan.from_world(target, tariff=tariff, trade_cost_change=trade_cost_change, export_tax=export_tax,
                               deficits=deficits)
    if any(x is not None for x in (tariff, trade_cost_change, export_tax)):
        raise TypeError("tariff, trade_cost_change and export_tax apply to a world; a scenario sets its own policy.")
    return Plan.from_scenario(target, against=against, overrides=overrides)


def monte_carlo(
    target,
    draws: int | str | Path | pd.DataFrame = 500,
    spread: float = 0.25,
    distribution: str = "lognormal",
    seed: int | None = None,
    executor=None,
    *,
    workers: int | None = None,
    correlation: str = "independent",
    tariff=None,
    trade_cost_change=None,
    export_tax=None,
    deficits: str = "fixed",
    against=None,
    overrides=None,
    options: SolverOptions | None = None,
    chunk_size: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> MonteCarloResult:
    """Solve ``target`` once per draw of the trade elasticities.

    Parameters
    ----------
    target
        A :class:`~tradewar.world.World` (with ``tariff``, ``trade_cost_change``,
        ``export_tax``, ``deficits`` as for :func:`tradewar.simulate`), a
        :class:`~tradewar.policy.Scenario` or a scenario name / ``.toml`` path (with
        ``against`` and ``overrides`` as for :func:`tradewar.run_scenario`).
    draws
        How many draws to generate, or the draws themselves: a CSV/Parquet file or a
        DataFrame with one column per sector of the target's world.
    spread, distribution, correlation, seed
        How draws are generated (see :mod:`tradewar.uncertainty.draws`). Without a seed
        one is chosen and recorded in the result.
    executor, workers, chunk_size
        Where draws are solved (see :mod:`tradewar.uncertainty.executors`): default
        local processes; ``"serial"``; ``"tcp://HOST:PORT"`` for a Dask scheduler.
    tariff, trade_cost_change, export_tax, deficits
        With a world as ``target``: the shock, as for :func:`tradewar.simulate`.
    against, overrides
        With a scenario as ``target``: its starting point and overrides, as for
        :func:`tradewar.run_scenario`.
    options
        Solver settings for every draw.
    progress
        Called as ``progress(done, total)`` as draws finish.

    Returns
    -------
    MonteCarloResult
        Every draw's outcome, the point estimate, percentiles (:meth:`MonteCarloResult.percentiles`)
        and failed draws with their reasons.
    """
    clock = time.perf_counter()
    plan = _plan_for(target, tariff, trade_cost_change, export_tax, deficits, against, overrides)
    sectors = plan.sectors
    if isinstance(draws, pd.DataFrame):
        table = check_draws(draws, sectors)
    elif isinstance(draws, (str, Path)):
        table = read_draws(draws, sectors)
    else:
        if seed is None:
            seed = int(np.random.SeedSequence().entropy % (2**63))
        table = draw_elasticities(plan.elasticities, int(draws), spread, distribution, seed, correlation)
    # Solve here on a pickled copy, exactly what a worker process receives: arrays rebuilt by
    # unpickling can differ in memory layout from the originals, and numpy's reductions round
    # by layout; on the copy, here and there compute the same bits.
    job = pickle.loads(pickle.dumps(MonteCarloJob(plan, options)))
    prepared = job.prepare()
    central = job.plan.solve(None, options, prepared)
    total, done = len(table), 0
    thetas = table.to_numpy(dtype=float)
    tasks = [(k, thetas[k]) for k in range(total)]

    def on_done(count: int) -> None:
        nonlocal done
        done += count
        if progress is not None:
            progress(done, total)

    outcomes = dict(run_tasks(job, tasks, executor, workers=workers, chunk_size=chunk_size, on_done=on_done))
    countries = plan.world.countries
    country = np.full((total, len(countries), len(COUNTRY_COLUMNS)), np.nan)
    bilateral = np.full((total, len(countries), len(countries)), np.nan)
    ok = np.zeros(total, dtype=bool)
    iterations = np.zeros(total, dtype=int)
    residual = np.full(total, np.nan)
    seconds = np.full(total, np.nan)
    failures = []
    for k in range(total):
        outcome = outcomes[k]
        if outcome[0] == "ok":
            _, country[k], bilateral[k], iterations[k], residual[k], seconds[k] = outcome
            ok[k] = True
        else:
            _, error, message, seconds[k] = outcome
            failures.append({"draw": k, "error": error, "message": message})
    values = xr.Dataset(
        {
            "country": (("draw", "country_label", "variable"), country),
            "bilateral": (("draw", "importer", "exporter"), bilateral),
            "ok": (("draw",), ok),
            "iterations": (("draw",), iterations),
            "residual": (("draw",), residual),
            "seconds": (("draw",), seconds),
        },
        coords={"draw": np.arange(total), "country_label": countries, "variable": list(COUNTRY_COLUMNS),
                "importer": countries, "exporter": countries},
        attrs={"plan": plan.name, "world_hash": plan.world.hash},
    )
    failed = pd.DataFrame(failures, columns=["draw", "error", "message"])
    if len(failed):
        failed = failed.join(table.reset_index(drop=True), on="draw")
    settings = {
        "draws": total,
        "spread": spread,
        "distribution": distribution,
        "correlation": correlation,
        "seed": seed,
        "executor": describe_executor(executor),
        "plan": plan.name,
        "world": plan.world.name,
        "extra_tariffs": list(plan.extra_tariffs),
        "against": plan.against,
        "elasticities": plan.world.data.attrs.get("elasticities") or "world's own",
        "horizon": plan.world.data.attrs.get("horizon") or "long",
        "closure": {"revenue": plan.revenue, "deficits": plan.deficits},
        "source": "file" if not isinstance(draws, int) else "generated",
    }
    return MonteCarloResult(table, values, failed, central, seed, settings, time.perf_counter() - clock)
