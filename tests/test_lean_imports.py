"""Fast start and optional extras (issue 16, items 2 and 3): which modules load, and what a
missing extra says.

Module names, never timings (timings are in benchmarks/RESULTS.md). Cost: about 5 s on an idle
machine, mostly the five subprocesses that each start a fresh interpreter (two import the model
stack or jax); the dask hand-over test adds about 0.5 s where dask.array is not yet imported.
"""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from typer.testing import CliRunner

from tests.conftest import REPO_ROOT
from tradewar.errors import MissingExtraError, TradewarError
from tradewar.extras import EXTRAS, require_extra

# The model stack and the optional extras: none of them may load before a command needs them.
HEAVY = ("numpy", "xarray", "pandas", "scipy", "scipy.optimize", "dask", "distributed", "jax", "pyarrow", "duckdb",
         "fastapi", "uvicorn", "plotly")


def _loaded_after(code: str) -> set[str]:
    """Run ``code`` in a fresh interpreter (with this checkout's package) and list the heavy modules it loaded."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    env = {"PYTHONPATH": str(REPO_ROOT / "src"), "PATH": "/usr/bin:/bin", "HOME": str(REPO_ROOT)}
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True)
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def test_import_tradewar_loads_no_model_stack():
    """`import tradewar` loads neither numpy, xarray, pandas, scipy (so not scipy.optimize) nor dask
    or jax (the public names come on first use, PEP 562)."""
    assert _loaded_after("import tradewar") == set()


def test_help_loads_no_numpy():
    """`tradewar --help` only builds the command tree: not even numpy."""
    code = (
        "import contextlib, io\n"
        "from tradewar.cli import app\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try:\n"
        "        app(['--help'])\n"
        "    except SystemExit:\n"
        "        pass\n"
    )
    assert _loaded_after(code) == set()


def test_help_and_scenarios_load_no_model_stack():
    """`tradewar --help` and `tradewar scenarios` import the command modules but no model stack:
    reading the scenario files needs pydantic and numpy only."""
    code = (
        "import contextlib, io\n"
        "from tradewar.cli import app\n"
        "for args in (['--help'], ['scenarios', '--json']):\n"
        "    with contextlib.redirect_stdout(io.StringIO()) as out:\n"
        "        try:\n"
        "            app(args)\n"
        "        except SystemExit as stop:\n"
        "            assert stop.code in (0, None), stop.code\n"
        "    assert 'london-2025' in out.getvalue() or 'simulate' in out.getvalue()\n"
    )
    assert _loaded_after(code) <= {"numpy"}


def test_public_names_resolve_on_first_use():
    """The lazy names are the real objects (same as importing them from their modules), listed by dir()."""
    import tradewar
    from tradewar.model.counterfactual import simulate
    from tradewar.world.world import World

    assert tradewar.simulate is simulate and tradewar.World is World
    assert set(tradewar.__all__) <= set(dir(tradewar))
    with pytest.raises(AttributeError, match="no_such_name"):
        tradewar.no_such_name  # noqa: B018


def test_a_simulation_loads_the_model_but_no_extra():
    """Solving a counterfactual (the core's job) imports none of the extras' packages, nor scipy (only
    the near-autarky fallback and target searches need it). dask is installed here (the test extra
    installs tradewar[all]), yet xarray must not import it to wrap numpy arrays
    (tradewar.world.xarray_setup: about 0.4 s of a whole `simulate`). pyarrow may load: pandas
    imports it by itself where it is installed."""
    code = (
        "import tradewar\n"
        "world = tradewar.load_world().aggregate(regions='compact', sectors='broad')\n"
        "tariff = world.tariff.copy()\n"
        "tariff.loc[dict(importer='USA', exporter='CHN')] += 0.25\n"
        "tradewar.simulate(world, tariff=tariff).data\n"
    )
    loaded = _loaded_after(code)
    assert "xarray" in loaded
    assert not loaded & {"dask", "scipy", "jax", "distributed", "duckdb", "fastapi", "uvicorn"}


def test_xarray_still_knows_dask_arrays_once_dask_is_loaded(monkeypatch):
    """The other half of tradewar.world.xarray_setup: its stand-in answers "no dask arrays" only while
    dask.array is not loaded (without adding anything to xarray's cache), then hands over to xarray's
    own record; in this process (stand-in installed, dask loaded) xarray wraps dask arrays lazily and
    chunks numpy-backed ones. Identities: 4 x 6 ones sum to 24, 0 + 1 + ... + 11 = 66."""
    da = pytest.importorskip("dask.array")
    from xarray.namedarray import pycompat

    from tradewar.world.xarray_setup import _DaskOnceImported, xr

    cache: dict = {}
    stand_in = _DaskOnceImported(cache, pycompat.DuckArrayModule)
    monkeypatch.setitem(sys.modules, "dask.array", None)  # as if dask.array were not imported yet
    assert stand_in.type == () and cache == {}
    monkeypatch.undo()
    assert stand_in.type == (da.Array,) and cache["dask"].type == (da.Array,)

    lazy = xr.DataArray(da.ones((4, 6), chunks=2), dims=("a", "b"))
    assert isinstance(lazy.data, da.Array) and lazy.chunks == ((2, 2), (2, 2, 2))
    assert float(lazy.sum().compute()) == 24.0
    chunked = xr.DataArray(np.arange(12.0).reshape(3, 4), dims=("a", "b")).chunk({"a": 1})
    assert isinstance(chunked.data, da.Array) and chunked.chunks == ((1, 1, 1), (4,))
    assert float(chunked.sum()) == 66.0


@pytest.mark.parametrize("extra", sorted(EXTRAS))
def test_require_extra_names_what_to_install(monkeypatch, extra):
    """With a module of the extra hidden (None in sys.modules: Python's own way to block an import)
    the check raises a TradewarError naming the module and the pip command."""
    _, modules = EXTRAS[extra]
    monkeypatch.setitem(sys.modules, modules[0], None)
    with pytest.raises(MissingExtraError) as caught:
        require_extra(extra)
    assert isinstance(caught.value, TradewarError) and isinstance(caught.value, ImportError)
    assert modules[0] in str(caught.value) and f'pip install "tradewar[{extra}]"' in str(caught.value)
    assert caught.value.extra == extra and modules[0] in caught.value.missing


def test_extras_match_pyproject():
    """tradewar/extras.py and pyproject.toml name the same extras, each extra's modules come from
    packages it lists (directly or through another extra), and the core dependencies leave them out
    (scipy included: the core install stays under issue 16's 400 MB, benchmarks/RESULTS.md)."""
    import re
    import tomllib

    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    optional = project["optional-dependencies"]

    def names(requirements: list[str]) -> set[str]:
        found = set()
        for requirement in requirements:
            name = re.match(r"[A-Za-z0-9_.-]+", requirement).group(0).lower()
            extras = re.search(r"\[([^]]+)\]", requirement)
            if name == "tradewar" and extras:
                for extra in extras.group(1).split(","):
                    found |= names(optional[extra.strip()])
            else:
                found.add(name)
        return found

    core = names(project["dependencies"])
    distribution = {"distributed": "dask", "jax": "jax", "scipy": "scipy", "fastapi": "fastapi",
                    "uvicorn": "uvicorn", "pyarrow": "pyarrow", "duckdb": "duckdb"}
    for extra, (_, modules) in EXTRAS.items():
        assert extra in optional
        for module in modules:
            assert distribution[module] in names(optional[extra]), (extra, module)
            assert distribution[module] not in core, module
        assert names(optional[extra]) <= names(optional["all"]), extra  # `all` installs every extra


def test_require_extra_passes_when_installed():
    """With every extra installed (the test extra installs tradewar[all]) the check is silent."""
    for extra in EXTRAS:
        require_extra(extra)


@pytest.mark.parametrize(
    ("args", "blocked", "extra"),
    [
        (["war", "USA", "CHN"], "jax", "strategy"),
        (["negotiate", "USA", "CHN"], "jax", "strategy"),
        (["serve", "--port", "1"], "fastapi", "web"),
        (["sweep", "--scenario", "london-2025"], "duckdb", "scale"),
        (["runs", "list"], "pyarrow", "scale"),
        (["simulate", "phase-one-2020"], "scipy", "solvers"),  # its purchase targets are a brentq search
    ],
)
def test_command_without_its_extra_is_a_one_line_error(monkeypatch, args, blocked, extra):
    """Each command that needs an extra stops before any work with exit status 2 and the pip command."""
    from tradewar.cli import app

    monkeypatch.setitem(sys.modules, blocked, None)
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2, result.output
    assert f"tradewar[{extra}]" in result.output and "Traceback" not in result.output


def test_the_nested_fallback_without_scipy_names_the_solvers_extra(monkeypatch):
    """The core install has no scipy: an equilibrium that needs the nested fallback (forced here by
    allowing the fast iteration 2 sweeps) stops with the solvers extra named, not with "did not
    converge"; with scipy the same fallback solves it (so the error is the package, not the shock)."""
    from tests.conftest import random_world
    from tradewar.model.counterfactual import simulate
    from tradewar.model.solver import SolverOptions

    world = random_world(5, 3, 2)
    tariff = world.tariff.values + 0.5
    options = SolverOptions(fast_sweeps=2)
    assert simulate(world, tariff=tariff, options=options).solver.residual < 1e-9
    monkeypatch.setitem(sys.modules, "scipy", None)
    with pytest.raises(MissingExtraError, match=r'tradewar\[solvers\]') as caught:
        simulate(world, tariff=tariff, options=options)
    assert caught.value.extra == "solvers" and caught.value.missing == ("scipy",)


def test_compilation_cache_goes_to_the_users_cache_directory(monkeypatch, tmp_path):
    """The JAX cache directory follows $TRADEWAR_JAX_CACHE, else $XDG_CACHE_HOME/tradewar/jax, and
    enabling it sets JAX's own config (restored afterwards)."""
    jax = pytest.importorskip("jax")
    from tradewar.strategy.compilation_cache import compilation_cache_dir, enable_compilation_cache

    monkeypatch.delenv("TRADEWAR_JAX_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert compilation_cache_dir() == tmp_path / "xdg" / "tradewar" / "jax"
    monkeypatch.setenv("TRADEWAR_JAX_CACHE", str(tmp_path / "mine"))
    assert compilation_cache_dir() == tmp_path / "mine"

    before = (jax.config.jax_compilation_cache_dir, jax.config.jax_persistent_cache_min_compile_time_secs)
    try:
        assert enable_compilation_cache() == tmp_path / "mine"
        assert (tmp_path / "mine").is_dir() and jax.config.jax_compilation_cache_dir == str(tmp_path / "mine")
    finally:
        jax.config.update("jax_compilation_cache_dir", before[0])
        jax.config.update("jax_persistent_cache_min_compile_time_secs", before[1])


def test_import_does_not_switch_the_cache_on():
    """Importing the strategy layer leaves JAX's cache setting alone (only the commands switch it on)."""
    code = "import tradewar.strategy, jax\nassert jax.config.jax_compilation_cache_dir is None\n"
    _loaded_after(code)


def test_the_input_checks_load_no_measure_models():
    """`war` and `negotiate` check their input with tradewar.policy.validation; loading it must not
    load the measures' pydantic models, the scenario reader or the timeline (the policy package's
    names come on first use, PEP 562), and those names still resolve to the real objects."""
    probe = ("import sys, json\nimport tradewar.policy.validation\n"
             "print(json.dumps(sorted(m for m in sys.modules if m.startswith('tradewar.policy.'))))")
    env = {"PYTHONPATH": str(REPO_ROOT / "src"), "PATH": "/usr/bin:/bin", "HOME": str(REPO_ROOT)}
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True)
    loaded = set(json.loads(done.stdout.strip().splitlines()[-1]))
    assert "tradewar.policy.validation" in loaded
    assert not loaded & {"tradewar.policy.measures", "tradewar.policy.scenario", "tradewar.policy.timeline"}

    import tradewar.policy
    from tradewar.policy.measures import MAX_RATE, TariffLayer
    from tradewar.policy.timeline import Timeline

    assert tradewar.policy.TariffLayer is TariffLayer and tradewar.policy.Timeline is Timeline
    assert MAX_RATE == 10.0 and set(tradewar.policy.__all__) <= set(dir(tradewar.policy))
    with pytest.raises(AttributeError, match="no_such_name"):
        tradewar.policy.no_such_name  # noqa: B018


def test_frozen_imports_freeze_a_first_import_only(tmp_path, monkeypatch):
    """tradewar.cli.collector.frozen_imports: during the block the cyclic collector is off; a block
    that imported a new module moves what is alive into the permanent generation (gc.freeze); a
    block that imported nothing new freezes nothing; the collector's setting is restored either
    way. The test unfreezes what it froze."""
    import gc

    from tradewar.cli.collector import frozen_imports

    (tmp_path / "tradewar_probe_module.py").write_text("VALUE = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert gc.isenabled()
    gc.unfreeze()
    try:
        with frozen_imports():
            assert not gc.isenabled()
            import tradewar_probe_module  # noqa: F401
        assert gc.isenabled() and gc.get_freeze_count() > 0
        gc.unfreeze()
        with frozen_imports():
            import tradewar_probe_module  # noqa: F401, F811  (already loaded: nothing new)
        assert gc.isenabled() and gc.get_freeze_count() == 0
        gc.disable()
        with frozen_imports():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
        gc.unfreeze()
        sys.modules.pop("tradewar_probe_module", None)


def test_collector_is_paused_only_in_the_command_process_and_only_for_short_commands():
    """The ``tradewar`` process runs short commands without cyclic-GC passes (about 0.3 s of a
    one-second ``simulate --json``, benchmarks/RESULTS.md); importing the CLI elsewhere (here,
    CliRunner, a notebook) leaves the collector alone, and long commands collect as usual.
    Classification only (no timing): the cases are the commands' documented lengths."""
    import gc

    from tradewar.cli import app
    from tradewar.cli.collector import is_short as _short
    from tradewar.cli.collector import started_as_command as _started_as_command

    assert gc.isenabled() and not _started_as_command()
    assert _short(["simulate", "--json"]) and _short(["compare", "a", "b"]) and _short(["timeline"])
    assert _short([]) and _short(["--help"]) and _short(["war", "--help"])
    assert not _short(["simulate", "--draws", "40"]) and not _short(["simulate", "--draws=40"])
    assert not _short(["war", "USA", "CHN"]) and not _short(["serve"]) and not _short(["sweep", "x.toml"])
    result = CliRunner().invoke(app, ["scenarios", "--json"])
    assert result.exit_code == 0 and gc.isenabled()
