"""Line cells on icio2022's sectors (issue 12 item 3): layer_lines.csv holds the same HS lines, weights and
layers on the ICIO 2022 sectors (hs6_to_icio2022.csv). They apply on a world of that sector system unless
its baseline holds its policy date's layers at the trade-weighted rates; the shipped icio2022 holds them
line-consistently (policy_aggregate = "model"). Identities only. Cost ~12 s (folds on 80 x 50)."""

from __future__ import annotations

import pytest

from tradewar import load_world
from tradewar.policy.library import load_library
from tradewar.policy.tariffs import POLICY_AGGREGATE, lines_system
from tradewar.world.world import World


@pytest.fixture(scope="module")
def icio():
    return load_world("icio2022")


def test_shipped_icio_holds_line_consistent_rates_and_gives_them_back(icio):
    """The shipped world's baseline folds its policy date's layers line-consistently (policy_aggregate =
    "model"), so line cells apply on it. Identities: a fold on its policy date gives its baseline back
    exactly, at its own elasticities and at others (the tariff before the layers is recovered at the
    elasticities of the world given). Before the war (2017-12-31, no layer in force) the model's tariff is
    the pre-war one, non-negative, and on U.S. imports never above the baseline (the U.S. layers of 2018-19
    only add; China's MFN cuts of 2018-19 lower its tariffs, so its pre-war ones may be higher). A
    simulation that asks for trade-weighted rates gets the baseline plus the trade-weighted change since
    the policy date: the same where a cell has no lines, and never above the model's (the power mean
    of the 2022 lines is at most their trade-weighted mean, so removing the latter removes more)."""
    assert icio.data.attrs[POLICY_AGGREGATE] == "model" and lines_system(icio) == "icio2022"
    library = load_library()
    assert float(abs(library.tariff_on("2022-07-01", icio) - icio.tariff).max()) < 1e-12
    data = icio.data.copy()
    data["trade_elasticity"] = data["trade_elasticity"] * 2.0
    steeper = World(data, require_equilibrium=False)
    assert float(abs(library.tariff_on("2022-07-01", steeper) - steeper.tariff).max()) < 1e-12
    model = library.tariff_on("2017-12-31", icio).values
    weighted = library.tariff_on("2017-12-31", icio, aggregate="trade-weighted").values
    assert (weighted <= model + 1e-12).all()
    usa, chn = icio.countries.index("USA"), icio.countries.index("CHN")
    lined = {(c.importer, c.exporter, c.sector) for c in library._compile(icio).lines}
    pairs = [(usa, chn), (chn, usa)]
    plain = [(i, e, j) for i, e in pairs for j in range(len(icio.sectors)) if (i, e, j) not in lined]
    assert max(abs(model[cell] - weighted[cell]) for cell in plain) < 1e-12
    assert (weighted[usa, chn] < model[usa, chn] - 1e-6).any()
    assert model.min() >= -1e-12 and (model[usa] <= icio.tariff.values[usa] + 1e-12).all()


def test_trade_weighted_fold_still_round_trips(icio):
    """A world whose baseline holds its policy date's layers at trade-weighted rates (no policy_aggregate,
    as icio2022 was shipped before): no line cells apply and the fold on its policy date gives the
    baseline back (identity), with either aggregate."""
    data = icio.data.copy()
    data.attrs = {k: v for k, v in data.attrs.items() if k != POLICY_AGGREGATE}
    world = World(data, require_equilibrium=False)
    assert lines_system(world) is None
    library = load_library()
    for aggregate in ("model", "trade-weighted"):
        assert float(abs(library.tariff_on("2022-07-01", world, aggregate=aggregate) - world.tariff).max()) < 1e-12


def test_icio_line_cells_apply_and_obey_the_power_mean(icio):
    """On the icio2022 sectors without a policy date (as the world builder's probe): line cells apply, and
    the model tariff never exceeds the trade-weighted one (power-mean inequality), strictly below it for
    U.S. tariffs on Chinese computers and electronics in 2019 (phones and laptops untaxed then)."""
    data = icio.data.copy()
    data.attrs = {k: v for k, v in data.attrs.items() if k not in ("policy_date", POLICY_AGGREGATE)}
    probe = World(data, require_equilibrium=False)
    library = load_library()
    assert len(library._compile(probe).lines) > 0
    model = library.tariff_on("2019-09-01", probe).values
    weighted = library.tariff_on("2019-09-01", probe, aggregate="trade-weighted").values
    assert (model <= weighted + 1e-12).all()
    usa, chn = probe.countries.index("USA"), probe.countries.index("CHN")
    j = probe.sectors.index("Computers and electronics")
    assert model[usa, chn, j] < weighted[usa, chn, j] - 0.01
