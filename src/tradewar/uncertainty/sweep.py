"""Sweeps: many runs over scenarios and parameters, stored and resumable.

A sweep is a list of runs, each a scenario (built-in name or ``.toml`` file) with
parameters:

``elasticity_scale`` (float)
    Every trade elasticity multiplied by this factor (1 = the world's own).
``deficits``, ``regions``, ``sectors``, ``world``, ``against``
    Overrides of the scenario's own settings, as on ``tradewar simulate``: ``deficits``
    ("fixed" / "zero"), ``regions`` ("compact" / "eu27"), ``sectors`` ("broad"), ``world``
    (a world name or ``.npz``), ``against`` (a date YYYY-MM-DD or a scenario).

It is written as TOML (or built from the command line)::

    name = "elasticities"
    scenarios = ["london-2025", "geneva-2025"]

    [grid]                       # every combination, for every scenario above
    elasticity_scale = [0.5, 1.0, 2.0]
    regions = ["compact"]

    [[run]]                      # and/or single runs
    scenario = "busan-2025"
    deficits = "zero"

Results go to a store directory: one Parquet file per run with the country table
(``results/ID.country.parquet``) and one with total bilateral trade
(``results/ID.bilateral.parquet``), and a DuckDB index ``runs.duckdb`` (table ``runs``:
id, sweep, scenario, parameters as JSON, world hash, code version, times, status,
error, solver figures, file paths). A run's id is a hash of the scenario (its file's
content for a file), its parameters and the code version, so running a sweep again
skips the runs already done and solves the rest (failed runs are tried again).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import signal
import threading
import time
import tomllib
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tradewar.errors import ShockError, TradewarError
from tradewar.model.solver import SolverOptions
from tradewar.results import Result, Summary, SummaryTable
from tradewar.simulation import ScenarioOverrides
from tradewar.uncertainty.executors import run_tasks
from tradewar.uncertainty.plan import Plan

__all__ = ["RunSpec", "RunStore", "SweepOutcome", "expand_runs", "read_sweep_spec", "run_sweep", "parse_grid_option"]

PARAMETERS: dict[str, type] = {
    "elasticity_scale": float, "deficits": str, "regions": str, "sectors": str, "world": str, "against": str,
    "revenue": str, "elasticities": str, "horizon": str,
}
DEFAULT_STORE = Path("tradewar-runs")


def _code_version() -> str:
    import tradewar

    return tradewar.__version__


def _scenario_identity(scenario: str) -> str:
    path = Path(scenario)
    if path.suffix == ".toml" and path.is_file():
        return f"{path.name}:{hashlib.sha256(path.read_bytes()).hexdigest()[:16]}"
    return scenario


def _check_parameters(parameters: Mapping[str, Any], where: str) -> dict:
    unknown = sorted(set(parameters) - set(PARAMETERS))
    if unknown:
        raise ShockError(f"{where}: unknown parameters {unknown}; sweepable parameters are {sorted(PARAMETERS)}.")
    checked = {}
    for key, value in parameters.items():
        if isinstance(value, date):
            value = value.isoformat()
        try:
            checked[key] = PARAMETERS[key](value)
        except (TypeError, ValueError):
            raise ShockError(f"{where}: {key} = {value!r} is not a {PARAMETERS[key].__name__}.") from None
        if key == "elasticity_scale" and not (np.isfinite(checked[key]) and checked[key] > 0):
            raise ShockError(f"{where}: elasticity_scale must be positive, got {value!r}.")
        if key == "deficits" and checked[key] not in ("fixed", "zero"):
            raise ShockError(f"{where}: deficits must be 'fixed' or 'zero', not {value!r}.")
        if key in ("revenue", "elasticities", "horizon"):
            from tradewar.policy.validation import InputError, check_closure, check_elasticities

            try:
                check_closure(**{key: checked[key]}) if key == "revenue" else check_elasticities(**{key: checked[key]})
            except InputError as error:
                raise ShockError(f"{where}: {error}") from None
    return dict(sorted(checked.items()))


@dataclass(frozen=True)
class RunSpec:
    """One run of a sweep: a scenario and its parameters.

    Build checked ones with :meth:`make`.

    Parameters
    ----------
    scenario : str
        A scenario's name or file.
    parameters : tuple of tuple
        ``(name, value)`` pairs, sorted by name.
    """

    scenario: str
    parameters: tuple[tuple[str, Any], ...] = ()

    @classmethod
    def make(cls, scenario: str, parameters: Mapping[str, Any] | None = None) -> RunSpec:
        """A checked run: its parameters and the overrides they imply are validated before any run starts.

        Parameters
        ----------
        scenario : str
            A scenario's name or file.
        parameters : mapping, optional
            Sweepable parameters and their values.

        Returns
        -------
        RunSpec
            The run.

        Raises
        ------
        tradewar.errors.ShockError
            If a parameter is unknown or its value invalid.
        tradewar.policy.validation.InputError
            If the overrides the parameters imply are invalid (a grouping name, a day).
        """
        checked = _check_parameters(parameters or {}, f"run {scenario!r}")
        overrides_of(checked)  # the overrides' own checks (grouping names, dates), before any run starts
        return cls(str(scenario), tuple(checked.items()))

    @property
    def params(self) -> dict:
        """The run's parameters as a dict."""
        return dict(self.parameters)

    @property
    def id(self) -> str:
        """A short hash of the scenario, the parameters and the code version: the run's key in the store."""
        payload = json.dumps({"scenario": _scenario_identity(self.scenario), "parameters": self.params,
                              "version": _code_version()}, sort_keys=True)
        return hashlib.sha256(payload.encode()).hexdigest()[:12]

    def plan_key(self) -> tuple:
        """What the run's prepared plan depends on (every parameter but the elasticity scale).

        Returns
        -------
        tuple
            ``(scenario, sorted parameters)``.
        """
        params = {k: v for k, v in self.params.items() if k != "elasticity_scale"}
        return (self.scenario, tuple(sorted(params.items())))


def expand_runs(scenarios: Iterable[str] = (), grid: Mapping[str, Iterable] | None = None,
                runs: Iterable[Mapping[str, Any]] = ()) -> list[RunSpec]:
    """Every scenario crossed with every combination of the grid, then the single runs.

    Parameters
    ----------
    scenarios : iterable of str
        Scenarios to cross with the grid.
    grid : mapping, optional
        Parameter -> values (a single value counts as one).
    runs : iterable of mapping
        Single runs, each with ``scenario`` and parameters.

    Returns
    -------
    list of RunSpec
        The distinct runs, in order.

    Raises
    ------
    tradewar.errors.ShockError
        If a run names no scenario, a parameter is invalid, or there are no runs.
    """
    grid = {
        key: list(values) if isinstance(values, (list, tuple)) else [values] for key, values in (grid or {}).items()
    }
    specs = []
    keys = list(grid)
    for scenario in scenarios:
        for combination in itertools.product(*(grid[k] for k in keys)) if keys else [()]:
            specs.append(RunSpec.make(scenario, dict(zip(keys, combination, strict=True))))
    for position, entry in enumerate(runs):
        entry = dict(entry)
        if "scenario" not in entry:
            raise ShockError(f"run[{position}] names no scenario.")
        scenario = entry.pop("scenario")
        specs.append(RunSpec.make(scenario, entry))
    unique = list(dict.fromkeys(specs))
    if not unique:
        raise ShockError("The sweep has no runs: give scenarios (and a grid) or [[run]] tables.")
    return unique


def read_sweep_spec(path: Path | str) -> tuple[str, list[RunSpec]]:
    """A sweep file (see the module docstring): its name and runs.

    Parameters
    ----------
    path : pathlib.Path or str
        The TOML file.

    Returns
    -------
    name : str
        The sweep's name (default: the file's stem).
    runs : list of RunSpec
        Its runs.

    Raises
    ------
    tradewar.errors.ShockError
        If the file is missing, not UTF-8 or TOML, has unknown keys or invalid runs.
    """
    path = Path(path)
    if not path.is_file():
        raise ShockError(f"Sweep file {path} not found.")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as error:
        raise ShockError(f"{path}: not UTF-8 text (byte 0x{error.object[error.start]:02x} at position "
                         f"{error.start}); save the file as UTF-8") from None
    except tomllib.TOMLDecodeError as error:
        raise ShockError(f"{path}: invalid TOML: {error}") from None
    unknown = sorted(set(data) - {"name", "scenarios", "grid", "run"})
    if unknown:
        raise ShockError(f"{path}: unknown keys {unknown}; a sweep has name, scenarios, [grid] and [[run]].")
    return str(data.get("name", path.stem)), expand_runs(
        data.get("scenarios", []), data.get("grid"), data.get("run", [])
    )


def parse_grid_option(text: str) -> tuple[str, list]:
    """``KEY=V1,V2,...`` from the command line.

    Parameters
    ----------
    text : str
        The option's value.

    Returns
    -------
    key : str
        The parameter (dashes read as underscores).
    values : list of str
        Its values, as text.

    Raises
    ------
    tradewar.errors.ShockError
        If there is no ``=`` or the parameter is unknown.
    """
    if "=" not in text:
        raise ShockError(f"{text!r}: expected KEY=VALUE[,VALUE...], e.g. elasticity_scale=0.5,1,2")
    key, values = text.split("=", 1)
    key = key.strip().replace("-", "_")
    if key not in PARAMETERS:
        raise ShockError(f"{text!r}: unknown parameter {key!r}; sweepable parameters are {sorted(PARAMETERS)}.")
    return key, [v.strip() for v in values.split(",") if v.strip()]


# ---------------------------------------------------------------------- the job
def overrides_of(params: dict) -> ScenarioOverrides:
    """A run's parameters other than ``elasticity_scale``: the scenario's overrides.

    Parameters
    ----------
    params : dict
        The run's parameters.

    Returns
    -------
    ScenarioOverrides
        The overrides.

    Raises
    ------
    tradewar.policy.validation.InputError
        If an override is invalid.
    """
    return ScenarioOverrides(**{key: params.get(key) for key in ("world", "regions", "sectors", "deficits", "against",
                                                                 "revenue", "elasticities", "horizon")})


class SweepJob:
    """Runs of a sweep; each worker resolves every distinct scenario set-up once.

    Parameters
    ----------
    options : SolverOptions, optional
        Solver settings.
    """

    def __init__(self, options: SolverOptions | None = None):
        self.options = options
        self.key = f"sweep-{id(self)}-{time.time_ns()}"

    def prepare(self):
        """A per-process cache of prepared plans, filled as runs need them.

        Returns
        -------
        dict
            Empty.
        """
        return {}

    def run(self, plans: dict, spec: RunSpec):
        """Solve one run and return its outcome (a failure is an outcome, not an exception).

        Parameters
        ----------
        plans : dict
            The process's cache of plans (:meth:`prepare`).
        spec : RunSpec
            The run.

        Returns
        -------
        dict
            ``status`` ("ok" or "failed"), ``error``, ``started_at``, ``seconds`` and, when
            solved, the world's hash, the solver's report, the country table and bilateral totals.
        """
        clock = time.perf_counter()
        started = datetime.now(UTC)
        params = spec.params
        try:
            key = spec.plan_key()
            if key not in plans:
                plans[key] = Plan.from_scenario(spec.scenario, overrides=overrides_of(params))
            plan = plans[key]
            scale = params.get("elasticity_scale", 1.0)
            theta = None if scale == 1.0 else plan.world.trade_elasticity.values * scale
            result = plan.solve(theta, self.options)
        except (TradewarError, FloatingPointError, np.linalg.LinAlgError) as error:
            return {"status": "failed", "error": f"{type(error).__name__}: {error}", "started_at": started,
                    "seconds": time.perf_counter() - clock}
        table = result.country_table().reset_index()
        old = result.data["trade_baseline"].sum("sector").to_series()
        new = result.data["trade_new"].sum("sector").to_series()
        bilateral = pd.DataFrame({"trade_baseline": old, "trade_new": new}).reset_index()
        with np.errstate(divide="ignore", invalid="ignore"):
            bilateral["trade_change_pct"] = 100 * (bilateral["trade_new"] / bilateral["trade_baseline"] - 1)
        return {"status": "ok", "error": None, "started_at": started, "seconds": time.perf_counter() - clock,
                "world_hash": plan.world.hash, "iterations": int(result.solver.iterations),
                "residual": float(result.solver.residual), "country": table, "bilateral": bilateral,
                "scenario_name": plan.name, "on": plan.on.isoformat() if plan.on else None, "against": plan.against}


# ---------------------------------------------------------------------- the store
COLUMNS = """
    id VARCHAR PRIMARY KEY, sweep VARCHAR, scenario VARCHAR, parameters VARCHAR, world_hash VARCHAR,
    code_version VARCHAR, started_at TIMESTAMPTZ, finished_at TIMESTAMPTZ, seconds DOUBLE, status VARCHAR,
    error VARCHAR, iterations INTEGER, residual DOUBLE, country_path VARCHAR, bilateral_path VARCHAR
"""


@contextmanager
def _ctrl_c_after() -> Iterator[None]:
    """Hold a Ctrl-C (SIGINT) until the block ends, then act on it as the handler in force would.

    A Ctrl-C inside pyarrow's Parquet writer left a half-written file and a traceback from the
    writer's destructor ("Exception ignored in ParquetWriter.__del__"); DuckDB turns one inside a
    query into its own error. Python runs signal handlers in the main thread only, so elsewhere
    nothing is held.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: held.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if held:
        if callable(previous):
            previous(signal.SIGINT, None)
        elif previous != signal.SIG_IGN:  # SIG_DFL, or a handler installed outside Python (None)
            raise KeyboardInterrupt


class RunStore:
    """Parquet results and the DuckDB index of runs in one directory (see the module docstring).

    Parameters
    ----------
    directory : pathlib.Path or str
        The store's directory (default: the user's data directory).
    """

    def __init__(self, directory: Path | str = DEFAULT_STORE):
        self.directory = Path(directory)
        self.index_path = self.directory / "runs.duckdb"

    @contextmanager
    def _connect(self, create: bool = False) -> Iterator[Any]:
        """The index, open for the block (closed after it)."""
        import duckdb

        if not create and not self.index_path.is_file():
            raise ShockError(f"No run index at {self.index_path}: run `tradewar sweep` first (or give --store).")
        self.directory.mkdir(parents=True, exist_ok=True)
        try:
            with duckdb.connect(str(self.index_path)) as connection:
                connection.execute(f"CREATE TABLE IF NOT EXISTS runs ({COLUMNS})")
                yield connection
        except (duckdb.InterruptException, RuntimeError) as error:
            # DuckDB turns a Ctrl-C that lands inside a query into its own error (an
            # InterruptException, or a RuntimeError "Query interrupted" from some calls):
            # give the caller back the Ctrl-C, so the command stops as after any other.
            if isinstance(error, duckdb.InterruptException) or str(error) == "Query interrupted":
                raise KeyboardInterrupt from error
            raise

    def done(self) -> set[str]:
        """Ids of the runs that finished successfully.

        Returns
        -------
        set of str
            Empty without an index.
        """
        if not self.index_path.is_file():
            return set()
        with self._connect() as connection:
            return {row[0] for row in connection.execute("SELECT id FROM runs WHERE status = 'ok'").fetchall()}

    def record(self, sweep: str, spec: RunSpec, outcome: dict) -> dict:
        """Write a run's files and its index row (replacing an earlier attempt).

        Parameters
        ----------
        sweep : str
            The sweep's name.
        spec : RunSpec
            The run.
        outcome : dict
            :meth:`SweepJob.run`'s outcome.

        Returns
        -------
        dict
            The index row written.
        """
        with _ctrl_c_after():  # a run's files and index row are written whole
            return self._record(sweep, spec, outcome)

    def _record(self, sweep: str, spec: RunSpec, outcome: dict) -> dict:
        results = self.directory / "results"
        results.mkdir(parents=True, exist_ok=True)
        country_path = bilateral_path = None
        if outcome["status"] == "ok":
            country_path = results / f"{spec.id}.country.parquet"
            bilateral_path = results / f"{spec.id}.bilateral.parquet"
            outcome["country"].to_parquet(country_path, index=False)
            outcome["bilateral"].to_parquet(bilateral_path, index=False)
        row = {
            "id": spec.id,
            "sweep": sweep,
            "scenario": spec.scenario,
            "parameters": json.dumps(spec.params, sort_keys=True),
            "world_hash": outcome.get("world_hash"),
            "code_version": _code_version(),
            "started_at": outcome["started_at"],
            "finished_at": datetime.now(UTC),
            "seconds": float(outcome["seconds"]),
            "status": outcome["status"],
            "error": outcome.get("error"),
            "iterations": outcome.get("iterations"),
            "residual": outcome.get("residual"),
            "country_path": str(country_path.relative_to(self.directory)) if country_path else None,
            "bilateral_path": str(bilateral_path.relative_to(self.directory)) if bilateral_path else None,
        }
        with self._connect(create=True) as connection:
            connection.execute("DELETE FROM runs WHERE id = ?", [row["id"]])
            connection.execute(f"INSERT INTO runs VALUES ({', '.join('?' * len(row))})", list(row.values()))
        return row

    def list(self, sweep: str | None = None) -> pd.DataFrame:
        """The index, newest first.

        Parameters
        ----------
        sweep : str, optional
            Only this sweep's runs.

        Returns
        -------
        pandas.DataFrame
            One row per run.

        Raises
        ------
        tradewar.errors.ShockError
            If the store has no index.
        """
        query = "SELECT * FROM runs" + (" WHERE sweep = ?" if sweep else "") + " ORDER BY finished_at DESC"
        with self._connect() as connection:
            return connection.execute(query, [sweep] if sweep else []).df()

    def show(self, run_id: str) -> tuple[dict, pd.DataFrame | None, pd.DataFrame | None]:
        """A run's index row (an id prefix is enough), country table and bilateral totals.

        Parameters
        ----------
        run_id : str
            A run's id or a prefix of it.

        Returns
        -------
        row : dict
            The index row.
        country, bilateral : pandas.DataFrame or None
            The run's results (None for a failed run).

        Raises
        ------
        tradewar.errors.ShockError
            If the store has no index, or no run or several match.
        """
        with self._connect() as connection:
            rows = connection.execute("SELECT * FROM runs WHERE id LIKE ? ORDER BY id", [f"{run_id}%"]).df()
        if rows.empty:
            raise ShockError(f"No run with id {run_id!r} in {self.index_path}.")
        if len(rows) > 1:
            raise ShockError(f"Run id {run_id!r} is ambiguous: {', '.join(rows['id'])}.")
        row = rows.iloc[0].to_dict()
        country = bilateral = None
        if row["country_path"]:
            country = pd.read_parquet(self.directory / row["country_path"]).set_index("country")
            bilateral = pd.read_parquet(self.directory / row["bilateral_path"])
        return row, country, bilateral


@dataclass(repr=False)
class SweepOutcome(Result):
    """What a sweep did: runs solved now, skipped (done before), failed.

    It holds no arrays (the runs' results are in the store: ``tradewar runs show``);
    :meth:`to_dict` is what ``tradewar sweep --json`` prints.

    Parameters
    ----------
    name : str
        The sweep's name.
    runs : list of RunSpec
        Every run asked for.
    solved, skipped : list of str
        Ids solved now, and done before.
    failed : dict of str to str
        Id -> error.
    seconds : float, default 0.0
        Wall time.
    store : str
        The store's directory.
    """

    name: str
    runs: list[RunSpec]
    solved: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    store: str = ""

    def to_dict(self) -> dict:
        """What ``tradewar sweep --json`` prints.

        Returns
        -------
        dict
            Name, store, number of runs, ids solved and skipped, failures, seconds.
        """
        return {"sweep": self.name, "store": self.store, "runs": len(self.runs), "solved": self.solved,
                "skipped": self.skipped, "failed": self.failed, "seconds": self.seconds}

    def to_frame(self, level: str = "runs") -> pd.DataFrame:
        """One row per run: its id, scenario, parameters (JSON), status (solved, skipped, failed), error.

        Parameters
        ----------
        level : {"runs"}, default "runs"
            The only level.

        Returns
        -------
        pandas.DataFrame
            Indexed by ``id``.

        Raises
        ------
        ValueError
            For another level.
        """
        if level != "runs":
            raise ValueError(f"level must be 'runs', not {level!r}.")
        solved, skipped = set(self.solved), set(self.skipped)
        rows = []
        for spec in self.runs:
            status = ("solved" if spec.id in solved else "skipped" if spec.id in skipped
                      else "failed" if spec.id in self.failed else "not run")
            rows.append({"id": spec.id, "scenario": spec.scenario, "parameters": json.dumps(spec.params),
                         "status": status, "error": self.failed.get(spec.id)})
        return pd.DataFrame(rows, columns=["id", "scenario", "parameters", "status", "error"]).set_index("id")

    def summary(self) -> Summary:
        """Runs solved, skipped and failed, with the table of runs (text and HTML).

        Returns
        -------
        Summary
            The header and the table.
        """
        return Summary(
            f"Sweep {self.name}: {len(self.runs)} runs",
            header=[f"{len(self.solved)} solved, {len(self.skipped)} already done, {len(self.failed)} failed; "
                    f"{self.seconds:.1f} s; store {self.store}."],
            tables=[SummaryTable("Runs", self.to_frame())],
        )


def run_sweep(
    runs: list[RunSpec],
    *,
    name: str = "sweep",
    store: RunStore | Path | str = DEFAULT_STORE,
    executor=None,
    workers: int | None = None,
    options: SolverOptions | None = None,
    progress: Callable[[int, int], None] | None = None,
    resume: bool = True,
) -> SweepOutcome:
    """Solve every run not already in ``store`` (all of them with ``resume=False``).

    Parameters
    ----------
    runs : list of RunSpec
        The runs.
    name : str, default "sweep"
        The sweep's name, recorded with each run.
    store : RunStore, pathlib.Path or str
        The store.
    executor : optional
        Where to run (as :func:`~tradewar.uncertainty.executors.run_tasks`).
    workers : int, optional
        Local processes.
    options : SolverOptions, optional
        Solver settings.
    progress : callable, optional
        Called with ``(finished, total)``.
    resume : bool, default True
        Skip runs the store has solved.

    Returns
    -------
    SweepOutcome
        What was solved, skipped and failed.
    """
    clock = time.perf_counter()
    store = store if isinstance(store, RunStore) else RunStore(store)
    outcome = SweepOutcome(name, runs, store=str(store.directory))
    done = store.done() if resume else set()
    todo = []
    for spec in runs:
        (outcome.skipped if spec.id in done else todo).append(spec.id if spec.id in done else spec)
    total, finished = len(runs), len(outcome.skipped)
    if progress:
        progress(finished, total)
    by_position = dict(enumerate(todo))
    for position, result in run_tasks(SweepJob(options), list(by_position.items()), executor, workers=workers,
                                      chunk_size=1):
        spec = by_position[position]
        store.record(name, spec, result)
        if result["status"] == "ok":
            outcome.solved.append(spec.id)
        else:
            outcome.failed[spec.id] = result["error"]
        finished += 1
        if progress:
            progress(finished, total)
    outcome.seconds = time.perf_counter() - clock
    return outcome
