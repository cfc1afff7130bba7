"""Line cells on icio2022's sectors (issue 12 item 3): layer_lines.csv holds the same HS lines, weights and
layers on the ICIO 2022 sectors (hs6_to_icio2022.csv). They apply on a world of that sector system unless
its baseline already holds its policy date's layers at the trade-weighted rates (the shipped icio2022, until
tools/worlds rebuilds it with the lines and says so). Identities only. Cost ~8 s (two folds on 80 x 50)."""

from __future__ import annotations

import pytest

from tradewar import load_world
from tradewar.policy.library import load_library
from tradewar.policy.tariffs import POLICY_AGGREGATE, lines_system
from tradewar.world.world import World


@pytest.fixture(scope="module")
def icio():
    return load_world("icio2022")


def test_shipped_icio_keeps_trade_weighted_rates_until_its_baseline_holds_lines(icio):
    """The shipped world's baseline was folded with trade-weighted rates: no line cells apply, so a fold
    on its policy date gives its baseline back exactly (identity)."""
    assert lines_system(icio) is None
    library = load_library()
    assert float(abs(library.tariff_on("2022-07-01", icio) - icio.tariff).max()) < 1e-12


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
