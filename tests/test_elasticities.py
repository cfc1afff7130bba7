"""Named elasticity sets and horizons (issue 14, items 1-3).

Cost: about 20 s in all on a shared 2-core machine (about 14 solves of the 41 x 35 default world).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tradewar.errors import ElasticityError
from tradewar.model.counterfactual import simulate
from tradewar.world.elasticities import (
    ELASTICITY_SETS,
    HORIZONS,
    THETA_FLOOR,
    horizon_ratio,
    load_elasticity_set,
    with_elasticities,
)
from tradewar.world.library import load_world


@pytest.fixture(scope="module")
def world():
    return load_world()


def _taxed_partner_elasticity(world, taxed="PRT", control="ESP", importer="USA", other_market="GBR", rate=0.01):
    """The model's elasticity of flows NET of tariffs to 1 + t, by goods sector.

    The U.S. raises its tariff on one small partner by 1% in every goods sector. The
    log change of flows is regressed on log(1 + t) with importer-sector and
    exporter-sector fixed effects; with one taxed cell per sector the OLS estimate is
    the triple difference (taxed vs control exporter, U.S. vs another market), which
    nets out the price indices and the exporters' cost changes (as in CP2015, sec. 4).
    Sectors where one of the four flows is zero are left out.
    """
    c = world.countries
    n, i, k, m = (c.index(x) for x in (importer, taxed, control, other_market))
    goods = [world.sectors.index(s) for s in world.goods]
    tariff = world.tariff.values.copy()
    tariff[n, i, goods] = (1 + tariff[n, i, goods]) * (1 + rate) - 1
    result = simulate(world, tariff=tariff)
    new, old = result["trade_new"].values, result["trade_baseline"].values
    cells = old[np.ix_([n, m], [i, k], goods)]
    keep = [j for col, j in enumerate(goods) if (cells[..., col] > 0).all()]
    change = np.log(new[np.ix_([n, m], [i, k], keep)] / old[np.ix_([n, m], [i, k], keep)])
    triple = (change[0, 0] - change[1, 0]) - (change[0, 1] - change[1, 1])
    return keep, triple / np.log(1 + rate)


@pytest.mark.parametrize("name", list(ELASTICITY_SETS))
def test_recovers_each_sets_published_elasticity(world, name):
    """Provenance: the published values shipped in data/elasticities/wiod2011.csv (CP2015
    Table 1 theta; Fontagne et al. 2022 epsilon) and the engine's closed form: flows net
    of tariffs move as (1+t)^-(1+theta), gross of tariffs as (1+t)^-theta. A set that
    measures gross flows must be recovered from gross flows, a net one from net flows."""
    chosen = load_elasticity_set(name, world)
    keep, net = _taxed_partner_elasticity(with_elasticities(world, name, "long"))
    assert len(keep) >= 14
    recovered = net + 1.0 if chosen.concept == "gross" else net  # gross = net flows times (1 + t)
    expected = -chosen.published[keep] if chosen.concept == "gross" else chosen.published[keep]
    np.testing.assert_allclose(recovered, expected, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("horizon", ["short", "medium"])
def test_horizon_scales_the_net_flow_elasticity_as_boehm_levchenko_pandalai_nayar(world, horizon):
    """Provenance: BLP (2023, AER, abstract): tariff-exclusive flows' elasticity about 0.76
    after one year, about 2 in the long run (10 years); the five-year point is the
    documented linear interpolation. The model's recovered net-flow elasticity is the
    long-run one times that ratio, or theta at its floor."""
    ratio = {"short": 0.76 / 2.0, "medium": (0.76 + 4 / 9 * 1.24) / 2.0}[horizon]
    assert horizon_ratio(horizon) == pytest.approx(ratio)
    long_net = -(1 + load_elasticity_set("fontagne2022", world).theta)
    keep, net = _taxed_partner_elasticity(with_elasticities(world, "fontagne2022", horizon))
    expected = np.minimum(ratio * long_net[keep], -(1 + THETA_FLOOR))
    np.testing.assert_allclose(net, expected, rtol=1e-6, atol=1e-6)


def test_lower_elasticities_smaller_trade_response_larger_gains_from_trade(world):
    """Provenance: Arkolakis, Costinot & Rodriguez-Clare (2012): the gains from trade are
    lambda^(-1/theta), larger when theta is lower, and flows respond with elasticity theta.
    The short horizon lowers every sector's theta; a 25% U.S. tariff on China must cut U.S.
    imports from China by less, and closing the U.S. to trade (a 10,000% tariff on all its
    goods imports, near autarky in goods; deficits set to zero first) must cost the U.S. more."""
    long_w = with_elasticities(world, "fontagne2022", "long")
    short_w = with_elasticities(world, "fontagne2022", "short")
    assert (short_w.trade_elasticity.values < long_w.trade_elasticity.values).all()
    n, i = world.countries.index("USA"), world.countries.index("CHN")
    goods = [world.sectors.index(s) for s in world.goods]

    def china_imports_change(w):
        tariff = w.tariff.values.copy()
        tariff[n, i, goods] += 0.25
        result = simulate(w, tariff=tariff)
        return result["trade_new"].values[n, i].sum() / result["trade_baseline"].values[n, i].sum() - 1

    def autarky_welfare(w):
        balanced = w.without_deficits()  # fixed deficits cannot be financed near autarky
        tariff = balanced.tariff.values.copy()
        foreign = [k for k in range(len(w.countries)) if k != n]
        tariff[np.ix_([n], foreign, goods)] = 100.0
        result = simulate(balanced, tariff=tariff)
        return float(result["welfare"].values[n])

    assert china_imports_change(long_w) < china_imports_change(short_w) < 0
    assert autarky_welfare(short_w) < autarky_welfare(long_w) < 1


def test_records_set_and_horizon(world):
    """Provenance: identity (the attributes are what was asked for)."""
    chosen = world.with_elasticities("cp2015", "medium")
    assert (chosen.data.attrs["elasticities"], chosen.data.attrs["horizon"]) == ("cp2015", "medium")
    np.testing.assert_allclose(with_elasticities(world, "cp2015").trade_elasticity.values,
                               world.trade_elasticity.values, atol=1e-6)  # cp2015 long is today's default


@pytest.mark.parametrize("bad, message", [
    ({"name": "fontagne2020"}, "Unknown elasticity set 'fontagne2020'.*fontagne2022"),
    ({"horizon": "very-long"}, "Unknown horizon 'very-long'"),
])
def test_unknown_set_or_horizon(world, bad, message):
    """Provenance: bad input named in the error."""
    with pytest.raises(ElasticityError, match=message):
        with_elasticities(world, **{"name": "cp2015", **bad})


def test_bad_elasticity_file(world, tmp_path):
    """Provenance: bad input (a sector removed, a negative and a zero theta) named in the error."""
    from importlib import resources

    table = pd.read_csv(resources.files("tradewar") / "data" / "elasticities" / "wiod2011.csv")
    missing = table[~((table["set"] == "fontagne2022") & (table["sector"] == "Leather"))]
    missing.to_csv(tmp_path / "missing.csv", index=False)
    with pytest.raises(ElasticityError, match="missing.csv: set 'fontagne2022' has no value for sector.*Leather"):
        with_elasticities(world, "fontagne2022", path=tmp_path / "missing.csv")
    bad = table.copy()
    bad.loc[(bad["set"] == "fontagne2022") & (bad["sector"] == "Paper"), "theta"] = -1.5
    bad.loc[(bad["set"] == "fontagne2022") & (bad["sector"] == "Wood"), "theta"] = 0.0
    bad.to_csv(tmp_path / "bad.csv", index=False)
    with pytest.raises(ElasticityError, match=r"positive trade elasticity.*Wood \(0\.0\), Paper \(-1\.5\)"):
        with_elasticities(world, "fontagne2022", path=tmp_path / "bad.csv")


def test_standard_errors_missing_is_a_clear_error(world):
    """Provenance: the shared data carry no standard errors (elasticities.md, choice 5)."""
    with pytest.raises(ElasticityError, match="ships no standard errors"):
        load_elasticity_set("fontagne2022", world).standard_errors()


def test_every_horizon_gives_positive_theta(world):
    """Provenance: identity (the floor)."""
    for name in ELASTICITY_SETS:
        for horizon in HORIZONS:
            assert (with_elasticities(world, name, horizon).trade_elasticity.values >= THETA_FLOOR - 1e-12).all()


def test_icio2022_sets_cover_its_50_sectors_by_code():
    """Provenance: the OECD ICIO 2022 sector list (50 ISIC Rev.4 codes, ../shared/data/icio2022/sectors.csv,
    typed here: A01 ... T); each set must give every one a positive theta, and Fontagne's published
    epsilon must be -(1 + theta) there too."""
    from importlib import resources

    from tradewar.world.elasticities import read_elasticity_file

    codes = ("A01 A02 A03 B05 B06 B07 B08 B09 C10T12 C13T15 C16 C17_18 C19 C20 C21 C22 C23 C24A C24B C25 C26 "
             "C27 C28 C29 C301 C302T309 C31T33 D E F G H49 H50 H51 H52 H53 I J58T60 J61 J62_63 K L M N O P Q R "
             "S T").split()
    path = resources.files("tradewar") / "data" / "elasticities" / "icio2022.csv"
    for name in ELASTICITY_SETS:
        chosen = read_elasticity_file(path, name, codes)
        assert len(chosen.theta) == 50 and (chosen.theta > 0).all()
        if chosen.concept == "net":
            np.testing.assert_allclose(chosen.published, -(1 + chosen.theta))


SHARED = Path(os.environ.get("TRADEWAR_SHARED_DATA") or Path(__file__).resolve().parents[1].parent / "shared" / "data")
FGO_FILE = SHARED / "elasticities" / "final_tariff_GTAP_2020_10_08.dta"


@pytest.mark.shared_data
@pytest.mark.skipif(not FGO_FILE.is_file(), reason=f"reference data not found at {FGO_FILE}")
def test_shipped_gtap_values_are_the_published_ones_and_donors_are_named():
    """Provenance: published table (Fontagne, Guimbard & Orefice 2022, GTAP-sector file): every
    estimate in the file is shipped unchanged; every empty sector names a donor and takes its value."""
    from importlib import resources

    published = pd.read_stata(FGO_FILE).assign(gtap=lambda d: d["gtap_sector"].str.upper()).set_index("gtap")
    shipped = pd.read_csv(resources.files("tradewar") / "data" / "elasticities" / "fontagne2022_gtap.csv",
                          keep_default_na=False, na_values=[""]).set_index("gtap")
    estimated = published["epsilon_GTAP"].dropna()
    np.testing.assert_allclose(shipped.loc[estimated.index, "epsilon"], estimated, atol=1e-6)
    empty = shipped[shipped["epsilon_published"].isna()]
    assert set(empty.index) >= {"COA", "GAS", "GRO"} and (empty["donor"] != "").all()
    np.testing.assert_allclose(empty["epsilon"], shipped.loc[empty["donor"], "epsilon"].to_numpy(), atol=1e-12)
