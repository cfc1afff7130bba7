"""Shared fixtures: random worlds for identity tests and the CP2015 data when present."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import is_hypothesis_test, settings

from tradewar.world import World
from tradewar.world.cp2015 import FILES, default_cp2015_dir

# The offline builders (tools/) are not part of the package; tests of them import them
# from the checkout, so its root goes on the path (pytest's rootdir insertion does this
# too, but only when tests/ is a package).
REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

# Property tests: a few examples in the default run, many more in the slow profile
# (`python -m pytest -m slow` runs every property test again under "slow"; HYPOTHESIS_PROFILE
# picks a profile by name for either run, e.g. "stress" for 400 examples).
settings.register_profile("default", max_examples=10, deadline=None)
settings.register_profile("slow", max_examples=100, deadline=None)
settings.register_profile("stress", max_examples=400, deadline=None)


def _slow_run(config) -> bool:
    """True for the slow profile's run: a -m expression that selects ``slow`` (not ``not slow``)."""
    expression = (config.option.markexpr or "").replace("not slow", "")
    return "slow" in expression


def pytest_configure(config):
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("slow" if _slow_run(config) else "default"))


@pytest.fixture(scope="session", autouse=True)
def _results_cache(tmp_path_factory):
    """Tests (and the CLI processes they start) keep cached policy results in a folder of their
    own, not in the user's cache directory (tradewar.disk_cache); a run that names one keeps it."""
    if "TRADEWAR_CACHE" in os.environ:
        yield
        return
    os.environ["TRADEWAR_CACHE"] = str(tmp_path_factory.mktemp("tradewar-cache"))
    try:
        yield
    finally:
        os.environ.pop("TRADEWAR_CACHE", None)


@pytest.hookimpl(tryfirst=True)  # before -m deselects: the slow run takes every property test too
def pytest_collection_modifyitems(config, items):
    if _slow_run(config):
        for item in items:
            if isinstance(item, pytest.Function) and is_hypothesis_test(item.obj):
                item.add_marker(pytest.mark.slow)

CP2015_DIR = default_cp2015_dir()
HAVE_CP2015 = all((CP2015_DIR / name).is_file() for name in FILES)
needs_cp2015 = pytest.mark.skipif(
    not HAVE_CP2015,
    reason=f"CP2015 replication data not found at {CP2015_DIR} (set TRADEWAR_CP2015_DIR or provide ../shared/data)",
)


def random_raw_world(
    seed: int,
    n_countries: int = 4,
    n_sectors: int = 3,
    *,
    tariffs: bool = True,
    io: bool = True,
    sparse: bool = False,
    lopsided: bool = False,
) -> World:
    """Random raw data (not an equilibrium): positive flows with home bias, tariffs, shares.

    Flows each way between two countries are similar (trade deficits of a few percent of
    output, as in real data) unless ``lopsided``.
    """
    rng = np.random.default_rng(seed)
    n, j = n_countries, n_sectors
    trade = rng.lognormal(mean=0.0, sigma=1.0, size=(n, n, j))
    if not lopsided:
        trade = (trade + trade.transpose(1, 0, 2)) / 2 * rng.lognormal(0.0, 0.2, size=(n, n, j))
    trade = trade * (1 + 8 * np.eye(n)[:, :, None]) * 100
    if sparse:
        # Some foreign cells with no trade at all.
        holes = (rng.random((n, n, j)) < 0.2) & ~np.eye(n, dtype=bool)[:, :, None]
        if not lopsided:
            holes |= holes.transpose(1, 0, 2)
        trade[holes] = 0.0
    tariff = rng.uniform(0.0, 0.3, size=(n, n, j)) if tariffs else np.zeros((n, n, j))
    tariff[np.arange(n), np.arange(n), :] = 0.0
    beta = rng.uniform(0.3, 0.9, size=(n, j)) if io else np.ones((n, j))
    mix = rng.dirichlet(np.ones(j), size=(n, j)).transpose(0, 2, 1)  # (country, input, sector)
    gamma = mix * (1 - beta)[:, None, :]
    alpha = rng.dirichlet(np.ones(j), size=n)
    theta = rng.uniform(2.0, 10.0, size=j)
    return World.from_arrays(
        countries=[f"C{k}" for k in range(n)],
        sectors=[f"S{k}" for k in range(j)],
        trade=trade,
        tariff=tariff,
        value_added_share=beta,
        input_share=gamma,
        final_demand_share=alpha,
        trade_elasticity=theta,
        require_equilibrium=False,
        name=f"random-{seed}",
    )


def random_world(seed: int, *args, **kwargs) -> World:
    """A random world that is a model equilibrium."""
    return random_raw_world(seed, *args, **kwargs).balanced()


@pytest.fixture(scope="session")
def cp2015_dir() -> Path:
    return CP2015_DIR
