"""The engine against Caliendo & Parro (2015), Table 2 (NAFTA's tariff reductions)."""

from __future__ import annotations

import pytest

from tests.conftest import needs_cp2015
from tradewar.replication.cp2015_nafta import COLUMNS, NAFTA, PUBLISHED_TABLE2, replicate_table2


@pytest.fixture(scope="module")
def replication():
    return replicate_table2()


@needs_cp2015
@pytest.mark.parametrize("country", NAFTA)
@pytest.mark.parametrize("column", COLUMNS)
def test_table2_to_two_decimals(replication, country, column):
    """Caliendo & Parro (2015, REStud 82(1): 1-44), Table 2, "Welfare effects from
    NAFTA's tariff reductions": welfare (= terms of trade + volume of trade, eq. 28),
    terms of trade, volume of trade and real wages in percent, zero-deficit 1993
    baseline. Published: Mexico 1.31 / -0.41 / 1.72 / 1.72; Canada -0.06 / -0.11 /
    0.04 / 0.32; U.S. 0.08 / 0.04 / 0.04 / 0.11."""
    model = replication.table().loc[country, column]
    assert round(model, 2) == PUBLISHED_TABLE2[country][column]


@needs_cp2015
def test_decomposition_adds_up(replication):
    """Identity: the paper's welfare is the sum of its two channels, and the by-partner,
    by-sector terms sum to the country totals."""
    data = replication.result.data
    assert abs(data["welfare_first_order"] - data["terms_of_trade"] - data["volume_of_trade"]).max() < 1e-14
    by_partner = data["terms_of_trade_by_partner"].sum(("partner", "sector"))
    assert abs(by_partner - data["terms_of_trade"]).max() < 1e-12
    assert replication.result.solver.residual < 1e-9


@needs_cp2015
def test_exact_welfare_is_the_limit_of_small_steps(replication):
    """Identity: eq. (28) is a differential; summed over many small steps from the 1993 to
    the 2005 tariffs it converges to the exact change in real income (log). With 50 steps
    the sum is within 0.05 percentage points of the exact value for every NAFTA member."""
    import numpy as np

    from tradewar.model.counterfactual import simulate

    result = replication.result
    start = result.baseline
    target = result.data["tariff_new"].values
    steps = 50
    world, total = start, np.zeros(len(start.countries))
    for step in range(1, steps + 1):
        tariff = start.tariff.values + (target - start.tariff.values) * step / steps
        stepped = simulate(world, tariff=tariff)
        total += stepped.data["welfare_first_order"].values
        world = stepped.new_world()
    exact = np.log(result.data["welfare"].values)
    for code in NAFTA:
        k = start.countries.index(code)
        assert abs(total[k] - exact[k]) < 5e-4
