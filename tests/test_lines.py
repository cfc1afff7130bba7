"""Model-consistent sector tariffs from tariff lines (issue 12 item 2): (1+t*)^(-theta) = sum w (1+t)^(-theta).

Provenance of the numbers: closed forms of the power mean (its value for two lines, its limits as
theta -> 0 and theta -> infinity, the power-mean inequality), the Eaton-Kortum/CP2015 trade share
pi ~ (c tau)^(-theta) for the one-sector model check, and identities of the shipped line file.
Cost: about 4 s (closed forms: milliseconds; the model check solves one 4-country, 1-sector
world; the library checks fold the built-in timeline on the default world at four dates; the
csv-vs-pandas identity of the line file about 0.5 s).
"""

from __future__ import annotations

import numpy as np
import pytest

from tests.conftest import random_world
from tradewar.model.counterfactual import simulate
from tradewar.policy.library import load_library
from tradewar.policy.lines import LineCell, layer_lines, theta_aggregate
from tradewar.world.library import load_world


# ---------------------------------------------------------------------- closed forms
@pytest.mark.parametrize("theta", [4.0, 8.0])
def test_half_the_lines_at_25_percent_give_well_below_the_mean(theta):
    """Closed form for two equal lines at 25% and 0: t* = (1/2 + 1/2 x 1.25^-theta)^(-1/theta) - 1
    (9.14% at theta = 4, 6.98% at theta = 8), well below the 12.5% trade-weighted mean."""
    t = theta_aggregate(np.array([1.0, 1.0]), np.array([0.25, 0.0]), theta)
    assert t == pytest.approx((0.5 + 0.5 * 1.25**-theta) ** (-1 / theta) - 1, rel=1e-12)
    assert t < 0.125 - 0.03
    assert theta_aggregate(np.array([1.0, 1.0]), np.array([0.25, 0.0]), 4.0) == pytest.approx(0.0914, abs=5e-5)


def test_one_rate_on_every_line_is_that_rate():
    """Identity: lines that share one rate aggregate to it, whatever the weights and theta."""
    for theta in (0.0, 1.5, 4.0, 64.85):
        assert theta_aggregate(np.array([3.0, 1.0, 0.5]), np.full(3, 0.175), theta) == pytest.approx(0.175, rel=1e-12)


def test_limits_in_theta():
    """Closed forms: theta -> 0 gives the weighted geometric mean of 1 + t (within (t spread)^2 of the
    trade-weighted mean); theta -> infinity gives the lowest line tariff; t* falls as theta rises
    (power means fall with their exponent)."""
    w, t = np.array([0.2, 0.5, 0.3]), np.array([0.25, 0.0, 0.10])
    geometric = np.exp(w @ np.log1p(t)) - 1
    assert theta_aggregate(w, t, 1e-6) == pytest.approx(geometric, rel=1e-6)
    assert theta_aggregate(w, t, 0.0) == pytest.approx(geometric, rel=1e-12)
    assert abs(geometric - w @ t) < 0.25**2
    assert theta_aggregate(w, t, 1e4) == pytest.approx(0.0, abs=1e-3)
    values = [theta_aggregate(w, t, theta) for theta in (0.5, 2, 4, 8, 16)]
    assert all(a > b for a, b in zip(values, values[1:], strict=False))


def test_layers_add_up_line_by_line_before_aggregating():
    """Two 25% layers on the same half of the lines (stacked: lines at 50% and 0) weigh less than on
    different halves (every line at 25%, so t* = 25% exactly): the closed form for each."""
    theta = 5.0
    weights = np.array([0.5, 0.5])
    same = LineCell(0, 1, 0, weights, {"A": np.array([0.25, 0.0]), "B": np.array([0.25, 0.0])})
    apart = LineCell(0, 1, 0, weights, {"A": np.array([0.25, 0.0]), "B": np.array([0.0, 0.25])})
    levels = {"A": 0.125, "B": 0.125}
    assert apart.added(levels, 0.0, theta) == pytest.approx(0.25, rel=1e-12)
    assert same.added(levels, 0.0, theta) == pytest.approx((0.5 + 0.5 * 1.5**-theta) ** (-1 / theta) - 1, rel=1e-12)


def test_a_layer_level_scales_its_lines_and_the_base_is_kept():
    """Suspensions and exclusions set a layer's sector rate (its trade-weighted mean): at half the level
    the covered lines pay half (closed form); a layer without lines in the cell applies to every line;
    the base tariff is on every line and is subtracted from the result."""
    cell = LineCell(0, 1, 0, np.array([0.5, 0.5]), {"A": np.array([0.25, 0.0])})
    theta, base = 4.0, 0.03
    expected = (0.5 * 1.155**-theta + 0.5 * 1.03**-theta) ** (-1 / theta) - 1 - base
    assert cell.added({"A": 0.0625}, base, theta) == pytest.approx(expected, rel=1e-12)
    both = (0.5 * 1.255**-theta + 0.5 * 1.13**-theta) ** (-1 / theta) - 1 - base
    assert cell.added({"A": 0.0625, "flat": 0.10}, base, theta) == pytest.approx(both, rel=1e-12)


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="theta"):
        theta_aggregate(np.ones(2), np.zeros(2), -1.0)
    with pytest.raises(ValueError, match="above -1"):
        theta_aggregate(np.ones(2), np.array([0.1, -1.0]), 4.0)
    with pytest.raises(ValueError, match="aggregate"):
        load_library().tariff_on("2019-01-01", load_world(), aggregate="mean")


# ---------------------------------------------------------------------- the model
def test_the_model_responds_to_the_aggregate_as_to_the_lines():
    """Eaton-Kortum/CP2015 share: pi_in ~ (c_n tau_in)^(-theta). Line by line with the exporter's costs,
    the relative demand for n's goods in i (against an untaxed exporter k, netted of the cost change
    seen by an untouched importer m) changes by sum w ((1+b+a_l)/(1+b))^(-theta). The model, given
    the aggregate on one cell of a 4-country, 1-sector world, must give exactly that."""
    world = random_world(7, 4, 1)
    i, n, k, m = 0, 1, 2, 3
    theta = float(world.trade_elasticity.values[0])
    weights, shape = np.array([0.3, 0.45, 0.25]), np.array([0.25, 0.0, 0.10])
    level = float(weights @ shape)
    base = float(world.tariff.values[i, n, 0])
    cell = LineCell(i, n, 0, weights, {"A": shape})
    tariff = world.tariff.values.copy()
    tariff[i, n, 0] = base + cell.added({"A": level}, base, theta)
    d = simulate(world, tariff=tariff).data
    share = d["trade_shares_new"].values[..., 0] / d["trade_shares_baseline"].values[..., 0]
    response = (share[i, n] / share[i, k]) / (share[m, n] / share[m, k])
    lines = weights @ ((1 + base + shape) / (1 + base)) ** -theta
    assert response == pytest.approx(lines, rel=1e-6)
    # The trade-weighted mean would overstate the fall of n's sales.
    assert ((1 + base + level) / (1 + base)) ** -theta < lines


# ---------------------------------------------------------------------- the built-in library
@pytest.fixture(scope="module")
def library_and_world():
    return load_library(), load_world()


def test_line_file_identities():
    """Identities of ``layer_lines.csv``: group weights sum to one in each cell of each world's sectors;
    rates above -1; both the WIOD and the ICIO 2022 sectors have cells."""
    table = layer_lines()
    groups = table.drop_duplicates(["world", "importer", "exporter", "sector", "group"])
    totals = groups.groupby(["world", "importer", "exporter", "sector"])["weight"].sum()
    assert set(table["world"]) == {"wiod2011", "icio2022"}
    np.testing.assert_allclose(totals.to_numpy(), 1.0, atol=1e-6)
    assert (table["rate"] > -1).all()
    assert {"M003", "M007", "M044", "M058"} <= set(table["layer"]) and {"M004", "M040"} <= set(table["layer"])


def test_cells_read_with_csv_equal_the_pandas_table():
    """Identity: the cells compiling reads with the ``csv`` module (for start-up speed) hold exactly
    the rows of :func:`layer_lines` (pandas): for every (world, importer, exporter, sector), the
    group weights by group number and each layer's rate on each group, bit for bit."""
    from tradewar.policy.lines import _cells

    by_cell = dict(tuple(layer_lines().groupby(["world", "importer", "exporter", "sector"])))
    cells = _cells()
    assert len(cells) == len(by_cell)
    for system, importer, exporter, sector, weights, shapes in cells:
        rows = by_cell[(system, importer, exporter, sector)]
        first = rows.drop_duplicates("group").sort_values("group")
        np.testing.assert_array_equal(weights, first["weight"].to_numpy(dtype=float))
        assert sorted(shapes) == sorted(set(rows["layer"]))
        position = {g: k for k, g in enumerate(first["group"])}
        for layer, part in rows.groupby("layer"):
            expected = np.zeros(len(first))
            expected[[position[g] for g in part["group"]]] = part["rate"].to_numpy(dtype=float)
            np.testing.assert_array_equal(shapes[str(layer)], expected)


@pytest.mark.parametrize("day", ["2018-09-24", "2019-09-01", "2025-04-12", "2026-03-01"])
def test_model_tariffs_never_exceed_the_trade_weighted_ones(library_and_world, day):
    """Power-mean inequality: with the same line weights, t* <= the trade-weighted mean in every cell,
    equal in cells without lines (every importer but the U.S. and China's side, whose only layers with
    lines are China's on U.S. goods); U.S. tariffs on Chinese electrical and optical goods (phones and
    laptops untaxed in 2018-19) fall by more than a third once the lines are aggregated."""
    timeline, world = library_and_world
    model = timeline.tariff_on(day, world).values
    weighted = timeline.tariff_on(day, world, aggregate="trade-weighted").values
    assert (model <= weighted + 1e-12).all()
    usa, chn = list(world.countries).index("USA"), list(world.countries).index("CHN")
    other = np.ones(model.shape, bool)
    other[usa, :, :] = other[chn, usa, :] = False  # U.S. layers on every partner have lines (partner_lines)
    np.testing.assert_array_equal(model[other], weighted[other])
    if day < "2020":
        j = list(world.sectors).index("Electrical and optical")
        base = world.tariff.values[usa, chn, j]
        assert model[usa, chn, j] - base < (2 / 3) * (weighted[usa, chn, j] - base)


def test_elasticity_sets_give_their_own_aggregate(library_and_world):
    """The aggregate is recomputed with the world's elasticities: another set (fontagne2022) changes the
    model tariffs in the U.S.-China cells exactly in the sectors whose theta differs, and they stay at
    or below the trade-weighted rates (power-mean inequality)."""
    timeline, world = library_and_world
    other = world.with_elasticities("fontagne2022")
    a = timeline.tariff_on("2019-09-01", world).values
    b = timeline.tariff_on("2019-09-01", other).values
    weighted = timeline.tariff_on("2019-09-01", other, aggregate="trade-weighted").values
    usa, chn = list(world.countries).index("USA"), list(world.countries).index("CHN")
    differ = ~np.isclose(world.trade_elasticity.values, other.trade_elasticity.values)
    assert differ.any()
    changed = ~np.isclose(a[usa, chn], b[usa, chn], rtol=0, atol=1e-9)
    assert changed[differ].any() and not changed[~differ].any()
    assert (b <= weighted + 1e-12).all()
