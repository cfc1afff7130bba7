"""Theta-consistent U.S. sector tariffs on every partner other than China (issue 12 item 2).

The U.S. layers on the other partners (``data/measures/us_partners_2025.toml``, one per partner and
period) carry their own line distributions (``data/tariffs/partner_lines.bin.gz``, built with the
library by ``tools/tariffs/partners.py``): the model's sector tariff solves
(1 + t*)^(-theta) = sum w (1 + t_line)^(-theta), while the layers' trade-weighted rates (the trackers'
statistic, the timeline's headline) stay as they were.

Provenance of the numbers: closed forms of the power mean for two groups of lines (the value, the
geometric-mean limit at theta = 0, equality when the rates are equal); identities of the shipped file
(its bins reproduce each layer's trade-weighted sector rates and, weighted by the partner's 2024 U.S.
imports by sector, the layer's headline rate on the tracker basis); the model's rate in a partner cell
recomputed from the file's bins with :func:`theta_aggregate` (an independent code path); the
policy-date round trip of icio2022. No reference data needed. Cost: about 4 s (the library's folds on
the two shipped worlds at two dates).
"""

from __future__ import annotations

import gzip
import json
from importlib import resources

import numpy as np
import pytest

from tradewar import load_world
from tradewar.policy import lines as lines_module
from tradewar.policy.library import load_library
from tradewar.policy.lines import LayerSpread, layer_spreads, theta_aggregate
from tradewar.policy.timeline import Timeline
from tradewar.world.world import World

DAY = "2025-12-01"  # after the farm-goods exemptions; the reciprocal country rates and floors in force


def _spread(shares, rates) -> LayerSpread:
    return LayerSpread(np.array([0]), np.array([0]), np.asarray(shares, float), np.asarray(rates, float))


# ---------------------------------------------------------------------- closed forms
@pytest.mark.parametrize("theta", [4.0, 8.0])
def test_two_groups_of_lines_give_their_power_mean(theta):
    """Closed form: a partner cell with 40% of its trade at 25% and 60% at 5% (trade-weighted mean 13%)
    has t* = (0.4 x 1.25^-theta + 0.6 x 1.05^-theta)^(-1/theta) - 1, below 13%; on a base tariff of 3%
    and a flat 10% from another layer, every line pays both too."""
    spread = _spread([0.4, 0.6], [0.25, 0.05])
    level = np.array([[0.13]])
    t = spread.added(level, np.zeros((1, 1)), np.zeros((1, 1)), np.array([theta]))[0, 0]
    assert t == pytest.approx((0.4 * 1.25**-theta + 0.6 * 1.05**-theta) ** (-1 / theta) - 1, rel=1e-12)
    assert t < 0.13 - 0.005
    base, flat = np.full((1, 1), 0.03), np.full((1, 1), 0.10)
    stacked = spread.added(level, base, flat, np.array([theta]))[0, 0]
    expected = (0.4 * 1.38**-theta + 0.6 * 1.18**-theta) ** (-1 / theta) - 1 - 0.03
    assert stacked == pytest.approx(expected, rel=1e-12)


def test_equal_rates_give_the_trade_weighted_mean_and_theta_zero_the_geometric_one():
    """Identities: lines that share one rate aggregate to it (any theta); a suspension that halves the
    layer halves every line (closed form); theta -> 0 gives the weighted geometric mean of 1 + t."""
    equal = _spread([0.3, 0.7], [0.15, 0.15])
    for theta in (0.0, 2.0, 14.7, 64.85):
        t = equal.added(np.array([[0.15]]), np.zeros((1, 1)), np.zeros((1, 1)), np.array([theta]))[0, 0]
        assert t == pytest.approx(0.15, rel=1e-12)
    spread = _spread([0.5, 0.5], [0.30, 0.10])
    half = spread.added(np.array([[0.10]]), np.zeros((1, 1)), np.zeros((1, 1)), np.array([5.0]))[0, 0]
    assert half == pytest.approx((0.5 * 1.15**-5 + 0.5 * 1.05**-5) ** (-1 / 5) - 1, rel=1e-12)
    geometric = spread.added(np.array([[0.20]]), np.zeros((1, 1)), np.zeros((1, 1)), np.array([0.0]))[0, 0]
    assert geometric == pytest.approx(np.sqrt(1.30 * 1.10) - 1, rel=1e-12)


def test_many_exporters_and_sectors_at_once_equal_one_cell_at_a_time():
    """Identity: the vectorised aggregate (exporters x sectors, bins of several sectors side by side)
    equals :func:`theta_aggregate` cell by cell, also where a layer's rate is negative on some lines."""
    rng = np.random.default_rng(12)
    spread = LayerSpread(np.array([3, 7]), np.array([0, 3]), rng.random(5), np.array([0.0, 0.1, 0.5, -0.05, 0.2]))
    levels, base, flat = rng.random((4, 2)) * 0.3, rng.random((4, 2)) * 0.05, rng.random((4, 2)) * 0.1
    theta = np.array([3.0, 9.5])
    out = spread.added(levels, base, flat, theta)
    for e in range(4):
        for k, (a, b) in enumerate([(0, 3), (3, 5)]):
            lines = base[e, k] + flat[e, k] + spread.rates[a:b] * levels[e, k] / spread.means[k]
            expected = theta_aggregate(spread.shares[a:b], lines, theta[k]) - base[e, k]
            assert out[e, k] == pytest.approx(expected, rel=1e-12, abs=1e-14)


def test_bad_bins_are_refused():
    """A sector without bins, or a negative share, is a clear error."""
    with pytest.raises(ValueError, match="at least one bin"):
        LayerSpread(np.array([0, 1]), np.array([0, 2]), np.ones(2), np.zeros(2))
    with pytest.raises(ValueError, match="non-negative"):
        _spread([0.5, -0.5], [0.1, 0.0])


# ---------------------------------------------------------------------- the shipped file
def _document() -> dict:
    """The spreads file's JSON header (index, imports, units)."""
    path = resources.files("tradewar").joinpath("data", "tariffs", lines_module.SPREADS_FILE)
    data = gzip.decompress(path.read_bytes())
    return json.loads(data[: data.index(b"\n")])


def test_bins_reproduce_the_layers_trade_weighted_rates_and_headline():
    """Identities with the library: on both worlds' sectors, each partner layer's bins average (trade-
    weighted) to its ``rate_by_sector``, and those sector rates weighted by the partner's 2024 U.S.
    imports by sector (with the trade that the concordance puts outside the goods sectors, at its own
    lines' mean rate) give the layer's headline ``rate`` (the trade-weighted average over its 2024 lines,
    the tracker basis). Within rounding of the stored numbers (1e-6)."""
    document = _document()
    library = {m.id: m for m in load_library()}
    for system in ("wiod2011", "icio2022"):
        part = document["worlds"][system]
        spreads = layer_spreads(system)
        assert len(spreads) > 200
        for layer, sectors in spreads.items():
            measure = library[layer].on_world(system)
            label = layer[2 : -len("-2025-01-01")]
            for sector, (shares, rates) in sectors.items():
                mean = float(shares @ rates / shares.sum())
                assert mean == pytest.approx(measure.rate_by_sector[sector], abs=1e-6)
            imports = part["imports"][label]
            rates = {**measure.rate_by_sector, "outside goods": part["outside"].get(layer, 0.0)}
            headline = sum(imports[s] * rates.get(s, 0.0) for s in imports if s != "total")
            assert headline / imports["total"] == pytest.approx(measure.rate, abs=2e-6), (system, layer)


@pytest.fixture(scope="module")
def worlds():
    return load_library(), load_world(), load_world("icio2022")


def test_partner_cells_fall_below_the_trade_weighted_rates(worlds):
    """Power-mean inequality in every U.S. cell of a partner other than China on 2025-12-01, both worlds
    (China's cells: tests/test_lines*.py; on icio2022 they start from a 2022 baseline folded
    line-consistently): the model's sector tariff is at most the trade-weighted one, equal where a
    layer has one rate on every line (Australian textiles: the 10% reciprocal rate on every line),
    strictly below where the rates differ (Mexico's metal products: 50% on Section 232 steel,
    fentanyl rates scaled by USMCA-claim shares on the rest); other importers' cells are untouched."""
    library, wiod, icio = worlds
    for world in (wiod, icio):
        model = library.tariff_on(DAY, world).values
        weighted = library.tariff_on(DAY, world, aggregate="trade-weighted").values
        usa = world.countries.index("USA")
        chn = world.countries.index("CHN")
        partners = np.arange(len(world.countries)) != chn
        assert (model[usa, partners] <= weighted[usa, partners] + 1e-12).all()
        assert (model[usa, partners] < weighted[usa, partners] - 1e-6).sum() > 100
        other = np.ones(model.shape, bool)
        other[usa] = other[chn, usa] = False
        np.testing.assert_allclose(model[other], weighted[other], rtol=0, atol=1e-12)  # icio: two fold paths
        aus, mex = world.countries.index("AUS"), world.countries.index("MEX")
        textiles = world.sectors.index("Textiles and apparel" if world is icio else "Textiles")
        metals = world.sectors.index("Metal products" if world is icio else "Metals")
        assert model[usa, aus, textiles] == pytest.approx(weighted[usa, aus, textiles], abs=1e-12)
        assert weighted[usa, aus, textiles] - world.tariff.values[usa, aus, textiles] == pytest.approx(0.10, abs=1e-6)
        assert model[usa, mex, metals] < weighted[usa, mex, metals] - 0.01


def test_partner_cell_is_the_power_mean_of_the_shipped_bins(worlds):
    """Independent recomputation: the model's U.S. tariff on Mexican metal products and on German
    chemicals (icio2022, its own elasticities) on 2025-12-01 equals theta_aggregate over the file's bins
    with the layer in force on top of the world's baseline tariff (partners carry no layer in the 2022
    baseline, so the tariff before the policy date is the baseline there)."""
    library, _, icio = worlds
    model = library.tariff_on(DAY, icio).values
    state = library.in_force(DAY)
    spreads = layer_spreads("icio2022")
    usa = icio.countries.index("USA")
    for partner, label, sector in (("MEX", "MEX", "Metal products"), ("DEU", "EU27", "Chemicals")):
        (layer,) = [e.id for e in state.tariff_layers if e.id.startswith(f"P-{label}-")]
        shares, rates = spreads[layer][sector]
        e, j = icio.countries.index(partner), icio.sectors.index(sector)
        base = icio.tariff.values[usa, e, j]
        theta = float(icio.trade_elasticity.values[j])
        expected = theta_aggregate(shares, base + rates, theta)
        assert model[usa, e, j] == pytest.approx(expected, abs=1e-6)


def test_dates_round_trip_and_the_headline_is_unchanged(worlds, monkeypatch):
    """With partner cells on: icio2022's policy date gives its baseline back exactly (its own and doubled
    elasticities: the tariff before the policy date is recovered per elasticity set), and the
    trade-weighted U.S.-Mexico and U.S.-EU averages over 2025 (the timeline's headline) are identical
    with and without the partner file (identity: the headline never uses lines)."""
    library, wiod, icio = worlds
    compiled = library._compile(icio)
    assert compiled.spreads and compiled.has_lines
    assert float(abs(library.tariff_on("2022-07-01", icio) - icio.tariff).max()) < 1e-12
    data = icio.data.copy()
    data["trade_elasticity"] = data["trade_elasticity"] * 2.0
    steeper = World(data, require_equilibrium=False)
    assert float(abs(library.tariff_on("2022-07-01", steeper) - steeper.tariff).max()) < 1e-12
    pairs = [("USA", "MEX"), ("USA", "EU27")]
    with_cells = library.average_tariff(wiod, "2025-01-01", "2025-12-31", pairs=pairs, freq="MS")
    monkeypatch.setattr(lines_module, "_spreads", lambda: {})
    without = Timeline(list(library)).average_tariff(wiod, "2025-01-01", "2025-12-31", pairs=pairs, freq="MS")
    assert not Timeline(list(library))._compile(wiod).spreads
    assert with_cells.equals(without)


def test_a_changed_partner_layer_keeps_trade_weighted_rates(worlds):
    """A user's layer that reuses a built-in partner id with other rates is not the built-in layer: its
    cells get its trade-weighted rates (identity), while the untouched partners keep their lines."""
    library, wiod, _ = worlds
    state = library.in_force(DAY)
    (mexico,) = [e.measure for e in state.tariff_layers if e.id.startswith("P-MEX-")]
    doubled = mexico.model_copy(update={"rate_by_sector": {k: 2 * v for k, v in mexico.rate_by_sector.items()}})
    timeline = Timeline([m if m.id != mexico.id else doubled for m in library])
    model = timeline.tariff_on(DAY, wiod).values
    weighted = timeline.tariff_on(DAY, wiod, aggregate="trade-weighted").values
    usa, mex, can = (wiod.countries.index(c) for c in ("USA", "MEX", "CAN"))
    np.testing.assert_array_equal(model[usa, mex], weighted[usa, mex])
    assert (model[usa, can] < weighted[usa, can] - 1e-6).any()


# ---------------------------------------------------------------------- the builder
def test_builder_bins_two_groups_of_lines_exactly():
    """The builder (tools/tariffs/partners.label_spreads) on a made-up partner with three textile lines
    (HS 610910, 620342, 610462; all in WIOD's Textiles): 30% of the trade at 25%, 70% at 5% and 5.1%
    (one bin: they round to the same half point). Closed forms: two bins, shares 0.3 and 0.7, mean rates
    25% and the 0.7-weighted mean of the two low lines; the layer's sector rate is their trade-weighted
    mean; a period with one rate everywhere is one bin at that rate; the lines' and the bins' power means
    differ by less than (theta + 1) / 2 x the spread in a bin squared. No reference data."""
    import pandas as pd

    from tools.tariffs import partners

    index = pd.Index(["610910", "620342", "610462"])
    weights = pd.Series([30.0e6, 50.0e6, 20.0e6], index=index)
    rates = (pd.Series([0.25, 0.05, 0.051], index=index), pd.Series([0.10, 0.10, 0.10], index=index))
    item = partners.LabelLines("XXX", "Test", ("XXX",), (("2025-04-05", "2025-08-07"), ("2025-08-07", None)),
                               weights, rates, tuple(float((r * weights).sum() / weights.sum()) for r in rates))
    part = partners.label_spreads([item], 7)
    (sector, first, stop), = part["layers"]["P-XXX-2025-04-05"]
    assert sector == "Textiles" and stop - first == 2
    shares, bins = np.array(part["share"][first:stop]), np.array(part["rate"][first:stop])
    np.testing.assert_allclose(shares, [0.7, 0.3], rtol=1e-6)
    np.testing.assert_allclose(bins, [(50 * 0.05 + 20 * 0.051) / 70, 0.25], atol=1e-7)
    (measure,) = [m for m in partners.label_measures([item], 7) if m["id"] == "P-XXX-2025-04-05"]
    assert measure["rate_by_sector"]["Textiles"] == pytest.approx(shares @ bins, abs=1e-7)
    (_, first, stop), = part["layers"]["P-XXX-2025-08-07"]
    assert part["share"][first:stop] == [1.0] and part["rate"][first:stop] == [0.1]
    lines = theta_aggregate(weights.to_numpy(), rates[0].to_numpy(), 65.0)  # the note's check, recomputed
    assert part["error"]["65"] == pytest.approx(abs(lines - theta_aggregate(shares, bins, 65.0)), abs=1e-9)
    assert part["error"]["65"] < 1e-4
    assert part["imports"]["XXX"]["outside goods"] == 0.0
