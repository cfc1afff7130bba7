"""Exclusions that zero their own lines (issue 12 item 4): an exclusion with a mask in layer_lines.csv
takes the excluded layer off those lines and leaves the layer's sector rate (its trade-weighted level) on
the others, instead of lowering the layer evenly. Closed forms on a two-line cell, and identities on the
built-in library. Cost ~3 s."""

from __future__ import annotations

import numpy as np
import pytest

from tradewar import load_world
from tradewar.policy.library import load_library
from tradewar.policy.lines import LineCell, theta_aggregate


def cell() -> LineCell:
    # Two lines of equal trade; layer L at 20% on both; exclusion E takes out the first line.
    return LineCell(0, 1, 0, np.array([0.5, 0.5]), {"L": np.array([0.2, 0.2])}, {"E": np.array([1.0, 0.0])})


def test_masked_exclusion_zeroes_its_line():
    """Closed form: with E acting, L's level is 10% (half its rate removed); the lines are 0% and 20%, so
    (1+t*)^-theta = 0.5 + 0.5 x 1.2^-theta. Without E acting, the same 10% would sit evenly: t* = 10%."""
    theta = 4.0
    expected = (0.5 + 0.5 * 1.2 ** (-theta)) ** (-1.0 / theta) - 1.0
    assert cell().added({"L": 0.10}, 0.0, theta, {"L": ("E",)}) == pytest.approx(expected, rel=1e-12)
    assert cell().added({"L": 0.10}, 0.0, theta, {"L": ()}) == pytest.approx(0.10, rel=1e-12)
    assert cell().added({"L": 0.10}, 0.0, theta) == pytest.approx(0.10, rel=1e-12)


def test_exclusion_without_a_mask_here_scales_evenly():
    """An exclusion with no rows in the cell (as China's M022a) keeps the even scaling: t* = the level."""
    assert cell().added({"L": 0.10}, 0.0, 4.0, {"L": ("other",)}) == pytest.approx(0.10, rel=1e-12)


def test_mask_that_would_remove_every_line_falls_back():
    """A mask over all of a layer's lines with a level left (inconsistent data) cannot place the level on
    no line: the layer keeps its shape and the level is spread evenly (t* = the level)."""
    full = LineCell(0, 1, 0, np.array([0.5, 0.5]), {"L": np.array([0.2, 0.2])}, {"E": np.array([1.0, 1.0])})
    assert full.added({"L": 0.05}, 0.0, 4.0, {"L": ("E",)}) == pytest.approx(0.05, rel=1e-12)
    assert theta_aggregate(np.array([0.5, 0.5]), np.array([0.05, 0.05]), 4.0) == pytest.approx(0.05)


def test_library_masks_keep_the_tracker_rate_and_bound_the_model_rate():
    """On 2025-12-01 (electronics, auto parts, copper, lumber, trucks and farm goods out of the reciprocal
    tariff): the trade-weighted U.S. tariff on China is unchanged by the masks (they only reshape lines),
    and the model rate stays at or below it in every goods sector (a power mean never exceeds the mean)."""
    world = load_world()
    library = load_library()
    base = world.tariff.sel(importer="USA", exporter="CHN")
    model = library.tariff_on("2025-12-01", world).sel(importer="USA", exporter="CHN") - base
    weighted = library.tariff_on("2025-12-01", world, aggregate="trade-weighted").sel(importer="USA", exporter="CHN")
    weighted = weighted - base
    assert (model.values <= weighted.values + 1e-9).all()
    electrical = float(model.sel(sector="Electrical and optical"))
    assert 0.0 < electrical < float(weighted.sel(sector="Electrical and optical"))
