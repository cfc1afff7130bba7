"""The solver: large shocks converge, failures are clear, options are checked."""

from __future__ import annotations

import numpy as np
import pytest

from tests.conftest import needs_cp2015, random_world
from tradewar.errors import ConvergenceError
from tradewar.model.counterfactual import simulate
from tradewar.model.solver import SolverOptions


@pytest.fixture(scope="module")
def cp2015_world():
    from tradewar.world.cp2015 import load_cp2015

    return load_cp2015()


def bilateral_tariff(world, a: str, b: str, rate: float, sectors=slice(None)) -> np.ndarray:
    tariff = world.tariff.values.copy()
    i, j = world.countries.index(a), world.countries.index(b)
    tariff[i, j, sectors] = rate
    tariff[j, i, sectors] = rate
    return tariff


@needs_cp2015
@pytest.mark.parametrize("rate", [1.45, 10.0, 1000.0])
def test_us_china_war_converges(cp2015_world, rate):
    """145% (April 2025), 1000% (near-prohibitive) and 100,000% tariffs between the U.S. and
    China on all goods converge; the residual is reported and below tolerance; both lose
    (the U.S. terms-of-trade gain does not cover the lost trade at such rates)."""
    result = simulate(cp2015_world, tariff=bilateral_tariff(cp2015_world, "USA", "CHN", rate, slice(0, 20)))
    assert result.solver.residual < 1e-9
    welfare = result.data["welfare"]
    assert welfare.sel(country="CHN") < 1
    flows = result.data["trade_new"].sel(importer="USA", exporter="CHN").sum()
    baseline = result.data["trade_baseline"].sel(importer="USA", exporter="CHN").sum()
    assert flows < baseline * (1 + rate) ** -1


@needs_cp2015
@pytest.mark.slow  # a stress test: the hardest solve in the suite (minutes on a busy machine)
def test_prohibitive_tariffs_everywhere_converge_without_deficits(cp2015_world):
    """Every goods tariff at 1000% drives the world near autarky; the nested fallback
    solves it. Trade collapses for every country."""
    tariff = cp2015_world.tariff.values.copy()
    tariff[:, :, :20] = 10.0
    n = len(cp2015_world.countries)
    tariff[np.arange(n), np.arange(n), :] = 0.0
    result = simulate(cp2015_world, tariff=tariff, deficits="zero")
    assert result.solver.residual < 1e-9
    imports = result.data["imports_new"] / result.data["imports_baseline"]
    assert float(imports.max()) < 0.2


def test_large_random_shocks_converge():
    """Random tariffs up to 1000% on a random world converge."""
    world = random_world(11, 5, 4)
    rng = np.random.default_rng(1)
    tariff = rng.uniform(0, 10, size=world.tariff.shape)
    tariff[np.arange(5), np.arange(5), :] = 0
    result = simulate(world, tariff=tariff, deficits="zero")
    assert result.solver.residual < 1e-9


def test_non_convergence_is_a_clear_error():
    world = random_world(5, 3, 2)
    tariff = world.tariff.values + 0.5
    with pytest.raises(ConvergenceError, match="did not converge") as info:
        simulate(world, tariff=tariff, options=SolverOptions(max_iter=2, fast_sweeps=2))
    assert info.value.iterations >= 2
    assert np.isfinite(info.value.residual)
    assert info.value.history


@pytest.mark.parametrize(
    "kwargs, message",
    [({"tol": 0}, "tol must be positive"), ({"max_iter": 0}, "max_iter"), ({"damping": 1.5}, "damping"),
     ({"memory": -1}, "memory")],
)
def test_solver_options_are_checked(kwargs, message):
    with pytest.raises(ValueError, match=message):
        SolverOptions(**kwargs)
