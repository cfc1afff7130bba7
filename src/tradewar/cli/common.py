"""What every command shares: the consoles, the way errors are reported, progress
displays, and the scenario options (``--world``, ``--regions``, ``--tariff`` ...) turned
into the library's :class:`~tradewar.simulation.ScenarioOverrides`."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

console = Console()
errors = Console(stderr=True)


def fail(error: Exception | str) -> None:
    """Print a clear one-line error and exit with status 2 (no traceback)."""
    # Escape: messages name cells as tariff[importer='USA', ...], which rich would read as markup.
    errors.print(f"[bold red]error:[/] {escape(str(error))}")
    raise typer.Exit(code=2)


# Set by a Ctrl-C inside stop_on_ctrl_c's block. Python drops the KeyboardInterrupt of a Ctrl-C
# that lands in a destructor ("Exception ignored in ... __del__", e.g. pyarrow's ParquetWriter
# while a sweep writes a run), and the command then ran on to the end; the flag keeps it, and
# the next progress update (ProgressCount) raises it again.
_CTRL_C = threading.Event()


def _interrupt(signum, frame) -> None:
    _CTRL_C.set()
    raise KeyboardInterrupt


@contextmanager
def stop_on_ctrl_c(what: str, done: Callable[[], str] = lambda: ""):
    """Turn Ctrl-C into a one-line message and exit status 130 (the shell's convention for
    SIGINT), saying what was finished (``done()``), instead of a traceback."""
    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, _interrupt) if main else None
    _CTRL_C.clear()
    try:
        yield
        if _CTRL_C.is_set():  # a Ctrl-C that Python swallowed after the last progress update
            raise KeyboardInterrupt
    except KeyboardInterrupt:
        finished = done()
        errors.print(f"[yellow]interrupted:[/] {escape(what)} stopped{'; ' + escape(finished) if finished else ''}.")
        raise typer.Exit(code=130) from None
    finally:
        _CTRL_C.clear()
        if main:
            signal.signal(signal.SIGINT, previous)


SelfContainedOption = Annotated[bool, typer.Option(
    "--self-contained",
    help="Put plotly.js (about 5 MB) inside the HTML file, so that it opens anywhere on its own; by default "
         "reports load one shared plotly.min.js written beside them and weigh a few hundred KB.")]
ElasticitiesOption = Annotated[str | None, typer.Option(
    help="A named trade-elasticity set: 'cp2015' (Caliendo & Parro 2015) or 'fontagne2022' (Fontagne, Guimbard & "
         "Orefice 2022); default the scenario's, else fontagne2022 (chosen with the backtest).")]
HorizonOption = Annotated[str | None, typer.Option(
    help="Horizon of the elasticities: 'long' (as estimated), 'medium' (five years; the default, chosen with the "
         "backtest) or 'short' (one year, labour tied to its sector), after Boehm, Levchenko & Pandalai-Nayar "
         "(2023).")]
RevenueOption = Annotated[str | None, typer.Option(
    help="Tariff revenue closure: 'rebate' (spent by households) or 'deficit-reduction' (lowers the trade deficit).")]


def scenario_overrides(*, world: str | None = None, regions: str | None = None, sectors: str | None = None,
                       deficits: str | None = None, against: str | None = None, tariff: list[str] | None = None,
                       revenue: str | None = None, elasticities: str | None = None, horizon: str | None = None):
    """The scenario options of ``simulate`` (and ``simulate --draws``) as overrides; each
    ``--tariff`` is IMPORTER:EXPORTER:POINTS[:SECTOR], in percentage points."""
    from tradewar.policy.validation import (
        check_choice,
        check_closure,
        check_elasticities,
        parse_against,
        parse_tariff_spec,
    )
    from tradewar.simulation import ScenarioOverrides
    from tradewar.world.aggregate import REGION_GROUPINGS, SECTOR_GROUPINGS

    # Checked here first so that messages name the options as typed (--against, --regions ...).
    for option, value, choices in (("--regions", regions, list(REGION_GROUPINGS)),
                                   ("--sectors", sectors, list(SECTOR_GROUPINGS)),
                                   ("--deficits", deficits, ["fixed", "zero"])):
        if value is not None:
            check_choice(value, choices, option)
    check_closure(revenue, names=("--revenue", "--deficits"))
    check_elasticities(elasticities, horizon, names=("--elasticities", "--horizon"))
    return ScenarioOverrides(world=world, regions=regions, sectors=sectors, deficits=deficits, revenue=revenue,
                             elasticities=elasticities, horizon=horizon,
                             against=parse_against(against, "--against"),
                             tariffs=tuple(parse_tariff_spec(spec) for spec in tariff or []))


def split_labels(text: str | None) -> list[str] | None:
    """``"USA, CHN"`` -> ``["USA", "CHN"]`` (None when not given)."""
    return [part.strip() for part in text.split(",") if part.strip()] if text else None


def output_path(path: Path, option: str) -> Path:
    """A file to write: its folder must exist (say so instead of a traceback)."""
    folder = path.expanduser().resolve().parent
    if not folder.is_dir():
        raise typer.BadParameter(f"{option} {path}: the folder {folder} does not exist")
    if path.is_dir():
        raise typer.BadParameter(f"{option} {path} is a folder; give a file name")
    return path


def report_name(scenario: str, overrides, suffix: str = "") -> Path:
    """The default report file: a run with overrides (extra tariffs...) gets its own, so that it
    never overwrites the scenario's own report."""
    tag = overrides.tag() if overrides is not None else ""
    return Path(f"tradewar-report-{scenario}{'-' + tag if tag else ''}{suffix}.html")


@contextmanager
def spinner(enabled: bool, what: str):
    """A spinner showing the solver's sweeps and residual, fed ``update(iteration, residual)``, or nothing."""
    if not enabled:
        yield None
        return
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console,
                  transient=True) as progress:
        task = progress.add_task(what, total=None)

        def update(iteration: int, residual: float) -> None:
            progress.update(task, description=f"{what}: sweep {iteration}, residual {residual:.1e}")

        yield update


@contextmanager
def bar(enabled: bool, what: str):
    """A progress bar fed with ``update(done, total)``, or nothing."""
    if not enabled:
        yield None
        return
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  TimeRemainingColumn(), console=console, transient=True) as progress:
        task = progress.add_task(what, total=None)

        def update(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        yield update


class ProgressCount:
    """``update(done, total)`` for a long loop: remembers the last count (for the message after a
    Ctrl-C) and passes it on to ``then`` (a progress bar's update, or None)."""

    def __init__(self) -> None:
        self.done = 0
        self.then: Callable[[int, int], None] | None = None

    def __call__(self, done: int, total: int) -> None:
        if _CTRL_C.is_set():  # a Ctrl-C that Python swallowed (see stop_on_ctrl_c)
            raise KeyboardInterrupt
        self.done = done
        if self.then is not None:
            self.then(done, total)


def executor(scheduler: str | None, workers: int | None):
    """Where to solve many runs: a Dask scheduler, this process (``workers=1``) or local processes."""
    if scheduler:
        return scheduler
    if workers == 1:
        return "serial"
    return workers or None
