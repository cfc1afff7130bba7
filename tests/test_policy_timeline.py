"""The timeline: measures in force on a day, the tariff tensor, steps and average tariffs.

Most expected numbers are worked by hand on a five-country, three-sector world
whose trade and baseline tariffs are set below; a property test compares the
vectorised tariff fold with a cell-by-cell reference loop on random worlds.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import random_raw_world
from tradewar import load_world
from tradewar.policy import (
    Exclusion,
    ExportControl,
    LabelError,
    PurchaseCommitment,
    Suspension,
    TariffLayer,
    Timeline,
    TimelineError,
)
from tradewar.policy import timeline as timeline_module
from tradewar.world import World

COUNTRIES = ["USA", "CHN", "DEU", "FRA", "GBR"]
SECTORS = ["Agri", "Steel", "Services"]
US, CN, DE, FR, GB = range(5)
AGRI, STEEL, SERV = range(3)


def tiny_world(countries=COUNTRIES) -> World:
    """Five countries, two goods and a service; flows and tariffs chosen for hand computation.

    USA imports from CHN: Agri 100, Steel 300, Services 50; baseline tariffs 2% and 4%.
    CHN imports from USA: Agri 200, Steel 50, Services 30; baseline tariffs 10% and 5%.
    Every other foreign flow is 10 with no tariff; domestic flows 1000.
    """
    n, j = len(countries), len(SECTORS)
    trade = np.full((n, n, j), 10.0)
    trade[np.arange(n), np.arange(n), :] = 1000.0
    tariff = np.zeros((n, n, j))
    trade[US, CN] = [100.0, 300.0, 50.0]
    trade[CN, US] = [200.0, 50.0, 30.0]
    tariff[US, CN, :2] = [0.02, 0.04]
    tariff[CN, US, :2] = [0.10, 0.05]
    return World.from_arrays(
        countries=countries,
        sectors=SECTORS,
        trade=trade,
        tariff=tariff,
        value_added_share=np.full((n, j), 0.5),
        input_share=np.full((n, j, j), 0.5 / j),
        final_demand_share=np.full((n, j), 1 / j),
        trade_elasticity=np.full(j, 4.0),
        require_equilibrium=False,
        name="tiny",
        goods="Agri|Steel",
    )


@pytest.fixture(scope="module")
def world() -> World:
    return tiny_world()


def reciprocal(**overrides) -> TariffLayer:
    fields = dict(id="R", description="reciprocal 34%", imposer="USA", targets=["CHN"], rate=0.34, start="2025-04-05")
    fields.update(overrides)
    return TariffLayer(**fields)


def geneva(**overrides) -> Suspension:
    """The Geneva pause: 34% held at 10% for 90 days from 14 May 2025 (ends 12 August by itself)."""
    fields = dict(id="G", description="Geneva pause", measures=["R"], remaining_rate=0.10,
                  start="2025-05-14", end=date(2025, 5, 14) + timedelta(days=90))
    fields.update(overrides)
    return Suspension(**fields)


def us_cn(tariff, sector: int) -> float:
    return float(tariff.values[US, CN, sector])


# ---------------------------------------------------------------------- the 90-day pause
def test_pause_down_to_ten_percent_and_back_by_itself(world):
    """Hand computation: Agri USA<-CHN = 2% baseline; +34 from 5 April; 10 during the pause; 34 again from 12 August."""
    timeline = Timeline([reciprocal(), geneva()])
    expected = {
        date(2025, 4, 4): 0.02,
        date(2025, 4, 10): 0.02 + 0.34,
        date(2025, 5, 13): 0.02 + 0.34,
        date(2025, 5, 14): 0.02 + 0.10,
        date(2025, 8, 11): 0.02 + 0.10,
        date(2025, 8, 12): 0.02 + 0.34,  # the pause ends by itself, 90 days after it began
    }
    for day, value in expected.items():
        assert us_cn(timeline.tariff_on(day, world), AGRI) == pytest.approx(value), day
    # Services are not goods: untouched; the reverse direction too.
    assert us_cn(timeline.tariff_on("2025-04-10", world), SERV) == 0.0
    assert timeline.tariff_on("2025-04-10", world).values[CN, US, AGRI] == pytest.approx(0.10)


def test_pause_to_zero_without_remaining_rate(world):
    """A suspension without remaining rate removes the layer while it lasts (baseline 4% on Steel)."""
    timeline = Timeline([reciprocal(), geneva(remaining_rate=None)])
    assert us_cn(timeline.tariff_on("2025-06-01", world), STEEL) == pytest.approx(0.04)
    assert us_cn(timeline.tariff_on("2025-09-01", world), STEEL) == pytest.approx(0.38)


def test_remaining_rate_scales_sector_rates_in_proportion(world):
    """Documented rule: held at remaining/rate = 10/34 of each sector's rate (Steel override 17% -> 5%)."""
    layer = reciprocal(rate_by_sector={"Steel": 0.17})
    timeline = Timeline([layer, geneva()])
    tariff = timeline.tariff_on("2025-06-01", world)
    assert us_cn(tariff, AGRI) == pytest.approx(0.02 + 0.10)
    assert us_cn(tariff, STEEL) == pytest.approx(0.04 + 0.17 * 0.10 / 0.34)


def test_overlapping_suspensions_the_latest_decides(world):
    """Rule: of two pauses in force, the one that started last sets the remaining rate
    (hand: 2% + 20%, then 2% + 10%)."""
    first = geneva(id="G1", remaining_rate=0.20, start="2025-05-01", end="2025-12-01")
    second = geneva(id="G2", remaining_rate=0.10, start="2025-06-01", end="2025-07-01")
    timeline = Timeline([reciprocal(), second, first])  # listing order does not matter here
    assert us_cn(timeline.tariff_on("2025-05-15", world), AGRI) == pytest.approx(0.22)
    assert us_cn(timeline.tariff_on("2025-06-15", world), AGRI) == pytest.approx(0.12)
    assert us_cn(timeline.tariff_on("2025-07-15", world), AGRI) == pytest.approx(0.22)
    assert timeline.in_force("2025-06-15")["R"].suspended_by.id == "G2"


# ---------------------------------------------------------------------- stacking and exclusions
def stack() -> list:
    """Section 232 steel (25%, everyone), Section 301 (25%, China, Steel only), reciprocal 34% (China, goods)."""
    return [
        TariffLayer(id="S232", imposer="USA", targets="*", sectors=["Steel"], rate=0.25, start="2018-03-23"),
        TariffLayer(id="S301", imposer="USA", targets="CHN", sectors=["Steel"], rate=0.25, start="2018-07-06"),
        reciprocal(),
    ]


def test_layers_add_up(world):
    """Hand sums: Steel from China 4% + 25 + 25 + 34 = 88%; from Germany 0 + 25; Agri from China 2 + 34."""
    tariff = Timeline(stack()).tariff_on("2025-04-10", world)
    assert us_cn(tariff, STEEL) == pytest.approx(0.88)
    assert us_cn(tariff, AGRI) == pytest.approx(0.36)
    assert tariff.values[US, DE, STEEL] == pytest.approx(0.25)
    assert tariff.values[US, DE, AGRI] == 0.0
    assert tariff.values[US, US].sum() == 0.0  # no tariff on one's own goods
    assert Timeline(stack()).tariff_on("2018-05-01", world).values[US, CN, STEEL] == pytest.approx(0.29)


def test_exclusion_removes_a_share_of_one_layer(world):
    """Half of Section 301 excluded on Steel: 88% - 12.5 = 75.5% (hand), other layers untouched; gone after its end."""
    exclusion = Exclusion(id="X", layers="S301", share=0.5, sectors=["Steel"], start="2019-01-01", end="2026-01-01")
    timeline = Timeline([*stack(), exclusion])
    assert us_cn(timeline.tariff_on("2025-04-10", world), STEEL) == pytest.approx(0.755)
    assert us_cn(timeline.tariff_on("2026-01-01", world), STEEL) == pytest.approx(0.88)


def test_exclusions_add_up_capped_at_the_whole_rate(world):
    """Rule: shares of exclusions on the same cells add, at most 1: 0.5 + 0.7 removes all of S301 (88 - 25 = 63%)."""
    exclusions = [
        Exclusion(id="X1", layers="S301", share=0.5, start="2019-01-01"),
        Exclusion(id="X2", layers="S301", share=0.7, start="2019-01-01"),
    ]
    timeline = Timeline([*stack(), *exclusions])
    assert us_cn(timeline.tariff_on("2025-04-10", world), STEEL) == pytest.approx(0.63)
    assert timeline.in_force("2025-04-10")["S301"].excluded_by == tuple(exclusions)


def test_exclusion_for_listed_targets_only(world):
    """An exclusion of S232 for GBR: Steel from GBR 0%, from DEU still 25% (hand)."""
    exclusion = Exclusion(id="UK", layers=["S232"], targets=["GBR"], start="2018-06-01")
    tariff = Timeline([*stack(), exclusion]).tariff_on("2025-04-10", world)
    assert tariff.values[US, GB, STEEL] == 0.0
    assert tariff.values[US, DE, STEEL] == pytest.approx(0.25)


def test_exclusion_applies_to_the_remaining_rate(world):
    """Electronics-style carve-out from the reciprocal layer holds during the pause: Steel 4% + 0, Agri 2% + 10."""
    carve_out = Exclusion(id="X", layers="R", sectors=["Steel"], start="2025-04-05")
    timeline = Timeline([reciprocal(), geneva(), carve_out])
    tariff = timeline.tariff_on("2025-06-01", world)
    assert us_cn(tariff, STEEL) == pytest.approx(0.04)
    assert us_cn(tariff, AGRI) == pytest.approx(0.12)


def test_suspended_exclusion_does_not_apply(world):
    """Suspending an exclusion restores the layer's full rate on the excluded cells (4% + 34)."""
    carve_out = Exclusion(id="X", layers="R", sectors=["Steel"], start="2025-04-05")
    pause = Suspension(id="S", measures="X", start="2025-06-01", end="2025-07-01")
    timeline = Timeline([reciprocal(), carve_out, pause])
    assert us_cn(timeline.tariff_on("2025-05-01", world), STEEL) == pytest.approx(0.04)
    assert us_cn(timeline.tariff_on("2025-06-15", world), STEEL) == pytest.approx(0.38)


def test_negative_layers_cut_tariffs(world):
    """A layer of -3 points (a cut) lowers Steel USA<-CHN from 4% to 1% (hand)."""
    cut = TariffLayer(id="CUT", imposer="USA", targets="CHN", sectors=["Steel"], rate=-0.03, start="2020-02-14")
    assert us_cn(Timeline([cut]).tariff_on("2021-01-01", world), STEEL) == pytest.approx(0.01)


def test_tariff_at_or_below_minus_100_percent_is_refused(world):
    """Two cuts of -60 points each take a 0% cell to -120%: refused, naming the cell and the day."""
    cuts = [
        TariffLayer(id=f"C{k}", imposer="USA", targets="DEU", sectors=["Agri"], rate=-0.6, start="2020-01-01")
        for k in range(2)
    ]
    with pytest.raises(
        TimelineError, match=r"on 2020-01-01 .*C0, C1.*importer='USA', exporter='DEU', sector='Agri'.*-1.2"
    ):
        Timeline(cuts).tariff_on("2020-01-01", world)


# ---------------------------------------------------------------------- baseline and structure
def test_tariff_before_any_measure_is_the_baseline(world):
    """Identity: with nothing in force the tariff is the world's baseline, same dims and labels."""
    tariff = Timeline(stack()).tariff_on("2017-01-01", world)
    assert tariff.dims == world.tariff.dims
    assert list(tariff["importer"].values) == world.countries
    assert list(tariff["sector"].values) == world.sectors
    np.testing.assert_array_equal(tariff.values, world.tariff.values)
    assert tariff.attrs["date"] == "2017-01-01"
    np.testing.assert_array_equal(Timeline().tariff_on("2025-01-01", world).values, world.tariff.values)


def us_china_sketch() -> Timeline:
    """A few real U.S.-China layers (rates simplified) on WIOD sector labels."""
    return Timeline(
        [
            TariffLayer(id="S232", imposer="USA", targets="*", sectors=["Metals"], rate=0.25, start="2018-03-23"),
            TariffLayer(id="L1", imposer="USA", targets="CHN", sectors=["Machinery", "Electrical and optical"],
                        rate=0.25, start="2018-07-06"),
            TariffLayer(id="CN1", imposer="CHN", targets="USA", sectors=["Agriculture", "Transport equipment"],
                        rate=0.25, start="2018-07-06"),
            TariffLayer(id="F", imposer="USA", targets="CHN", rate=0.10, start="2025-02-04", end="2026-02-24"),
            TariffLayer(id="R", imposer="USA", targets="CHN", rate=0.34, start="2025-04-05", end="2026-02-24"),
            Suspension(id="G", measures="R", remaining_rate=0.10, start="2025-05-14", end="2025-08-12"),
        ]
    )


def test_default_world_baseline_before_2018():
    """Identity on the embedded WIOD 2011 world: no measure in force means the baseline exactly."""
    default = load_world()
    np.testing.assert_array_equal(us_china_sketch().tariff_on("2018-01-01", default).values, default.tariff.values)


def test_default_world_average_moves_by_the_rate_of_an_all_goods_layer():
    """Identity: weights sum to one, so a layer on every goods cell raises the average by exactly its rate.

    USA<-CHN daily 2018-2026: 5 April 2025 adds 34 points (R); 14 May takes 24 off (held at 10);
    12 August puts them back; 24 February 2026 removes R and F (44 points).
    """
    default = load_world()
    frame = us_china_sketch().average_tariff(default, "2018-01-01", "2026-12-31")
    assert len(frame) == 2 * len(np.arange(np.datetime64("2018-01-01"), np.datetime64("2027-01-01")))
    us = frame[frame.importer == "USA"].set_index("date")["average_tariff_pct"]
    assert us["2025-04-05"] - us["2025-04-04"] == pytest.approx(34.0)
    assert us["2025-05-14"] - us["2025-05-13"] == pytest.approx(-24.0)
    assert us["2025-08-12"] - us["2025-08-11"] == pytest.approx(24.0)
    assert us["2026-02-24"] - us["2026-02-23"] == pytest.approx(-44.0)
    assert us["2026-12-31"] == pytest.approx(us["2025-01-01"])  # 232 and List 1 remain, as before F
    assert us["2018-07-06"] > us["2018-07-05"] > us["2018-01-01"]  # List 1 and Section 232 raised it


# ---------------------------------------------------------------------- groups and "*"
def test_star_means_everyone_but_the_imposer(world):
    """'*' from USA: every other country's goods get +10; USA's own cells none (identity)."""
    layer = TariffLayer(id="B", imposer="USA", targets="*", rate=0.10, start="2025-04-05")
    added = Timeline([layer]).tariff_on("2025-05-01", world).values - world.tariff.values
    expected = np.zeros_like(added)
    expected[US, [CN, DE, FR, GB], :2] = 0.10
    np.testing.assert_allclose(added, expected)


def test_eu27_expands_to_the_members_present(world):
    """EU27 on '*': DEU and FRA (the members in the tiny world) tax USA, CHN, GBR; no tariff inside the EU."""
    layer = TariffLayer(id="EU", imposer="EU27", targets="*", rate=0.10, start="2020-01-01")
    added = Timeline([layer]).tariff_on("2020-01-01", world).values - world.tariff.values
    expected = np.zeros_like(added)
    expected[np.ix_([DE, FR], [US, CN, GB], [AGRI, STEEL])] = 0.10
    np.testing.assert_allclose(added, expected)
    # And as a target: USA on the EU taxes DEU and FRA.
    on_eu = TariffLayer(id="US-EU", imposer="USA", targets="EU27", rate=0.2, start="2020-01-01")
    added = Timeline([on_eu]).tariff_on("2020-01-01", world).values - world.tariff.values
    assert added[US, [DE, FR], AGRI].tolist() == [0.2, 0.2]
    assert added[US, [CN, GB]].sum() == 0.0


def test_eu27_on_the_default_world_has_26_members():
    """WIOD 2013 has 26 of the 27 EU members (no Croatia): EU27 on '*' touches 26 importers x 15 exporters."""
    default = load_world()
    layer = TariffLayer(id="EU", imposer="EU27", targets="*", rate=0.10, start="2020-01-01")
    added = Timeline([layer]).tariff_on("2020-01-01", default).values - default.tariff.values
    importers, exporters = np.nonzero(added.sum(axis=2))
    assert len(set(importers)) == 26
    assert len(set(exporters)) == 41 - 26
    assert "HRV" not in default.countries


def test_eu27_label_of_an_aggregated_world():
    """In a world with an EU27 region the label is itself; its former members are unknown (with a hint)."""
    aggregated = tiny_world(["USA", "CHN", "EU27", "JPN", "ROW"])
    layer = TariffLayer(id="EU", imposer="USA", targets="EU27", rate=0.1, start="2020-01-01")
    added = Timeline([layer]).tariff_on("2020-01-01", aggregated).values - aggregated.tariff.values
    assert added[0, 2, 0] == pytest.approx(0.1) and added.sum() == pytest.approx(0.2)
    bad = TariffLayer(id="DE", imposer="USA", targets="DEU", rate=0.1, start="2020-01-01")
    with pytest.raises(
        LabelError,
        match=r"measure 'DE', field targets: unknown country or group 'DEU' \(in this world it is part of the region "
              r"'EU27'\)",
    ):
        Timeline([bad]).check_world(aggregated)


# ---------------------------------------------------------------------- labels against a world
@pytest.mark.parametrize(
    ("measure", "message"),
    [
        (
            TariffLayer(id="A", imposer="USB", targets="CHN", rate=0.1, start="2020-01-01"),
            r"measure 'A', field imposer: unknown country or group 'USB' \(did you mean 'USA'\?\); world 'tiny' has "
            r"USA, CHN, DEU, FRA, GBR",
        ),
        (
            TariffLayer(id="B", imposer="USA", targets=["CHN", "VNM"], rate=0.1, start="2020-01-01"),
            r"measure 'B', field targets: unknown country or group 'VNM'",
        ),
        (
            TariffLayer(id="C", imposer="USA", targets="CHN", sectors=["Stel"], rate=0.1, start="2020-01-01"),
            r"measure 'C', field sectors: unknown sector 'Stel' \(did you mean 'Steel'\?\); world 'tiny' has Agri, "
            r"Steel, Services",
        ),
        (
            TariffLayer(
                id="D", imposer="USA", targets="CHN", rate=0.1, rate_by_sector={"Services": 0.2}, start="2020-01-01"
            ),
            r"measure 'D', field rate_by_sector.Services: sector 'Services' has a rate but is not among the layer's "
            r"sectors",
        ),
        (
            TariffLayer(id="E", imposer="DEU", targets="EU27", rate=0.1, start="2020-01-01"),
            r"measure 'E', field targets: targets \['DEU'\] are part of the imposer 'DEU'",
        ),
        (
            ExportControl(id="F", imposer="USA", targets="CHN", sectors=["Chips"], start="2020-01-01"),
            r"measure 'F', field sectors: unknown sector 'Chips'",
        ),
        (
            PurchaseCommitment(id="P", importer="CHN", exporter="US", start="2020-01-01"),
            r"measure 'P', field exporter: unknown country or group 'US'",
        ),
    ],
)
def test_unknown_labels_name_measure_label_and_valid_labels(world, measure, message):
    """check_world: each unknown label names the measure id, the field and the valid labels."""
    timeline = Timeline([measure])
    with pytest.raises(LabelError, match=message):
        timeline.check_world(world)
    with pytest.raises(LabelError):
        timeline.tariff_on("2021-01-01", world)  # every use of a world checks it


def test_eu27_without_members_is_unknown():
    """A world with no EU member and no EU27 region does not know EU27."""
    other = tiny_world(["USA", "CHN", "JPN", "KOR", "ROW"])
    with pytest.raises(LabelError, match="unknown country or group 'EU27'"):
        Timeline([TariffLayer(id="A", imposer="USA", targets="EU27", rate=0.1, start="2020-01-01")]).check_world(other)


def test_every_unknown_label_is_reported_at_once(world):
    """All problems in one error, one line each."""
    timeline = Timeline(
        [
            TariffLayer(id="A", imposer="XXX", targets="CHN", rate=0.1, start="2020-01-01"),
            TariffLayer(id="B", imposer="USA", targets="CHN", sectors=["Nope"], rate=0.1, start="2020-01-01"),
        ]
    )
    with pytest.raises(LabelError) as caught:
        timeline.check_world(world)
    assert [(p.measure_id, p.field_name) for p in caught.value.problems] == [("A", "imposer"), ("B", "sectors")]


# ---------------------------------------------------------------------- the set of measures
@pytest.mark.parametrize(
    ("measures", "message"),
    [
        ([reciprocal(), reciprocal()], r"measure 'R', field id: duplicate id"),
        (
            [reciprocal(), geneva(measures=["RR"])],
            r"measure 'G', field measures\[0\]: names 'RR', which is not in the timeline \(did you mean 'R'\?\)",
        ),
        (
            [reciprocal(), Exclusion(id="X", layers="Q", start="2025-04-05")],
            r"measure 'X', field layers\[0\]: names 'Q'",
        ),
        (
            [reciprocal(), geneva(), Exclusion(id="X", layers="G", start="2025-05-14")],
            r"measure 'X', field layers\[0\]: excludes 'G', a suspension measure",
        ),
        (
            [reciprocal(), geneva(), geneva(id="G2", measures="G")],
            r"measure 'G2', field measures\[0\]: suspends 'G', itself a suspension",
        ),
        (
            [reciprocal(end="2025-05-01"), geneva()],
            r"measure 'G', field measures\[0\]: dates out of order: suspension 'G' \(2025-05-14 to 2025-08-12\) never "
            r"overlaps 'R' \(2025-04-05 to 2025-05-01\)",
        ),
        (
            [reciprocal(), Exclusion(id="X", layers="R", start="2019-01-01", end="2020-01-01")],
            r"measure 'X', field layers\[0\]: dates out of order",
        ),
        (
            [reciprocal(), geneva(remaining_rate=0.5)],
            r"measure 'G', field remaining_rate: remaining_rate 0.5 must lie between 0 and the rate 0.34 of the layer "
            r"'R'",
        ),
        (
            [ExportControl(id="C", imposer="USA", targets="CHN", start="2025-01-01"), geneva(measures="C")],
            r"measure 'G', field remaining_rate: a remaining rate applies to tariff layers only; 'C' is of kind "
            r"export_control",
        ),
    ],
)
def test_timeline_checks_the_set(measures, message):
    """Duplicate ids, unknown or wrong references, dates that never overlap: TimelineError naming id and field."""
    with pytest.raises(TimelineError, match=message):
        Timeline(measures)


def test_timeline_accepts_mappings_and_extends(world):
    """Mappings with a kind are parsed; extended() adds measures that may refer to earlier ones."""
    base = Timeline([dict(kind="tariff", id="R", imposer="USA", targets="CHN", rate=0.34, start="2025-04-05")])
    assert isinstance(base["R"], TariffLayer) and "R" in base and len(base) == 1
    paused = base.extended([geneva()])
    assert len(paused) == 2 and len(base) == 1
    assert us_cn(paused.tariff_on("2025-06-01", world), AGRI) == pytest.approx(0.12)
    with pytest.raises(KeyError, match="did you mean 'R'"):
        base["R1"]


# ---------------------------------------------------------------------- in force
def test_in_force_reports_every_kind_with_status():
    """On 1 June 2025: the layer held at 10% by G, the pause, an export control and a commitment (hand-listed)."""
    control = ExportControl(id="EC", imposer="USA", targets="CHN", sectors=["Steel"], ban=True, start="2022-10-07")
    purchase = PurchaseCommitment(id="P1", importer="CHN", exporter="USA", sectors=["Agri"], amount_usd_mn=32000,
                                  start="2020-02-14", end="2022-01-01")
    timeline = Timeline([reciprocal(), geneva(), control, purchase])
    state = timeline.in_force(date(2025, 6, 1))
    assert state.ids == ["EC", "R", "G"]  # in order of start; the commitment ended in 2022
    assert state.suspended == {"R": "G"}
    assert state["R"].rate == pytest.approx(0.10) and state["R"].applies
    assert state["R"].status == "suspended by G (applies at 0.1 = 10.0%)"
    assert [e.id for e in state.export_controls] == ["EC"] and state["EC"].status == "in force"
    assert timeline.in_force("2021-01-01").purchase_commitments[0].measure.amount_usd_mn == 32000
    frame = state.to_frame()
    assert list(frame["id"]) == ["EC", "R", "G"]
    assert list(frame.columns) == ["id", "kind", "description", "start", "end", "rate", "status"]


def test_suspended_export_control_does_not_apply():
    """A suspension of a non-tariff measure: still listed, marked suspended, not applying (M071-style)."""
    control = ExportControl(id="EC", imposer="CHN", targets="USA", start="2024-12-03")
    pause = Suspension(id="S", measures="EC", start="2025-11-09", end="2026-11-27")
    state = Timeline([control, pause]).in_force("2026-01-01")
    assert not state["EC"].applies and state["EC"].status == "suspended by S"
    assert Timeline([control, pause]).in_force("2026-11-27")["EC"].applies  # the pause lapsed


def test_in_force_bounds():
    """start is included, end excluded (definition); unknown ids are a KeyError listing what is in force."""
    timeline = Timeline([reciprocal(end="2025-05-14")])
    assert "R" not in timeline.in_force("2025-04-04")
    assert "R" in timeline.in_force("2025-04-05")
    assert "R" in timeline.in_force("2025-05-13")
    assert len(timeline.in_force("2025-05-14")) == 0
    with pytest.raises(KeyError, match="not in force on 2025-05-14"):
        timeline.in_force("2025-05-14")["R"]


# ---------------------------------------------------------------------- steps
def test_steps_list_starts_and_ends_in_the_window():
    """Hand-listed: R starts 5 April; the pause starts 14 May and ends 12 August; nothing else in 2025."""
    timeline = Timeline([*stack(), geneva()])
    steps = timeline.steps("2025-01-01", "2025-12-31")
    assert [(s.on, s.ids) for s in steps] == [
        (date(2025, 4, 5), ["R"]),
        (date(2025, 5, 14), ["G"]),
        (date(2025, 8, 12), ["G"]),
    ]
    assert [c.event for s in steps for c in s.changes] == ["starts", "starts", "ends"]
    assert steps[0].changes[0].description == "reciprocal 34%"
    # The window includes both ends.
    assert [s.on for s in timeline.steps("2025-04-05", "2025-05-14")] == [date(2025, 4, 5), date(2025, 5, 14)]
    frame = timeline.steps_frame("2018-01-01", "2025-12-31")
    assert list(frame["measure"]) == ["S232", "S301", "R", "G", "G"]
    assert list(frame["event"]) == ["starts", "starts", "starts", "starts", "ends"]
    with pytest.raises(TimelineError, match="ends .* before it starts"):
        timeline.steps("2025-12-31", "2025-01-01")


# ---------------------------------------------------------------------- average tariffs
def test_average_tariff_by_hand(world):
    """Trade weights on goods only (Services excluded).

    USA<-CHN: (100 x 2% + 300 x 4%) / 400 = 3.5% baseline; +34 -> 37.5%; pause at 10 -> 13.5%.
    CHN<-USA: (200 x 10% + 50 x 5%) / 250 = 9%, no measure.
    """
    frame = Timeline([reciprocal(), geneva()]).average_tariff(world, "2025-04-01", "2025-08-31")
    assert list(frame.columns) == ["date", "importer", "exporter", "average_tariff_pct"]
    assert len(frame) == 2 * 153  # 153 days from 1 April to 31 August, two pairs
    series = frame[frame.importer == "USA"].set_index("date")["average_tariff_pct"]
    assert series["2025-04-04"] == pytest.approx(3.5)
    assert series["2025-04-05"] == pytest.approx(37.5)
    assert series["2025-05-13"] == pytest.approx(37.5)
    assert series["2025-05-14"] == pytest.approx(13.5)
    assert series["2025-08-11"] == pytest.approx(13.5)
    assert series["2025-08-12"] == pytest.approx(37.5)
    assert frame[frame.importer == "CHN"]["average_tariff_pct"].tolist() == pytest.approx([9.0] * 153)


def test_average_tariff_of_a_group_pools_members(world):
    """EU27<-CHN pools DEU and FRA: flows 10 each, 0% baseline; +10 on DEU only -> (2 x 10 x 10%) / 40 = 5%."""
    layer = TariffLayer(id="D", imposer="DEU", targets="CHN", rate=0.10, start="2025-01-01")
    frame = Timeline([layer]).average_tariff(world, "2025-01-01", "2025-01-01", pairs=[("EU27", "CHN")])
    assert frame["average_tariff_pct"].tolist() == [pytest.approx(5.0)]


def test_average_tariff_without_trade_is_the_simple_mean():
    """A pair with no goods trade falls back to the plain mean over goods: (2% + 4%) / 2 = 3% (hand)."""
    raw = tiny_world()
    trade = raw.trade.values.copy()
    trade[US, CN, :2] = 0.0
    dry = raw.replace(trade=trade, require_equilibrium=False)
    frame = Timeline().average_tariff(dry, "2025-01-01", "2025-01-01", pairs=[("USA", "CHN")])
    assert frame["average_tariff_pct"].tolist() == [pytest.approx(3.0)]


def test_average_tariff_monthly_and_errors(world):
    """freq='MS' samples the state on each first of month (hand: May 37.5, June 13.5); unknown pairs are named."""
    frame = Timeline([reciprocal(), geneva()]).average_tariff(
        world, "2025-05-01", "2025-06-30", pairs=[("USA", "CHN")], freq="MS"
    )
    assert frame["average_tariff_pct"].tolist() == [pytest.approx(37.5), pytest.approx(13.5)]
    with pytest.raises(LabelError, match="field pairs: unknown country or group 'VNM'"):
        Timeline().average_tariff(world, "2025-01-01", "2025-01-02", pairs=[("USA", "VNM")])


def test_average_tariff_computes_only_at_step_dates(world, monkeypatch):
    """Design: the tariff is computed on the first day and each step date, then carried forward (3 steps + 1)."""
    calls = []
    original = timeline_module.Timeline._tariff

    def counting(self, day, *args, **kwargs):
        calls.append(day)
        return original(self, day, *args, **kwargs)

    monkeypatch.setattr(timeline_module.Timeline, "_tariff", counting)
    Timeline([*stack(), geneva()]).average_tariff(world, "2018-01-01", "2026-12-31")
    assert sorted(calls) == [date(2018, 1, 1), date(2018, 3, 23), date(2018, 7, 6), date(2025, 4, 5),
                             date(2025, 5, 14), date(2025, 8, 12)]


# ---------------------------------------------------------------------- property: vectorised = cell by cell
def reference_tariff(timeline: Timeline, day: date, world: World) -> np.ndarray:
    """The documented rules, applied cell by cell with plain loops (slow, obvious)."""
    tariff = world.tariff.values.copy()
    countries, sectors = world.countries, world.sectors
    state = timeline.in_force(day)
    for entry in state.tariff_layers:
        layer = entry.measure
        scale = 1.0
        if entry.suspended_by is not None:
            remaining = entry.suspended_by.remaining_rate
            scale = 0.0 if remaining is None else remaining / layer.rate
        covered = world.goods if layer.sectors == "goods" else (sectors if layer.sectors == "all" else layer.sectors)
        targets = [c for c in countries if c != layer.imposer] if layer.targets == ("*",) else layer.targets
        for n, importer in enumerate(countries):
            for i, exporter in enumerate(countries):
                for j, sector in enumerate(sectors):
                    if importer != layer.imposer or exporter not in targets or sector not in covered:
                        continue
                    removed = sum(
                        e.share for e in entry.excluded_by
                        if (e.sectors is None or sector in e.sectors) and (e.targets is None or exporter in e.targets)
                    )
                    tariff[n, i, j] += layer.rate_in(sector) * scale * (1 - min(removed, 1.0))
    return tariff


@st.composite
def random_timelines(draw):
    n_countries, n_sectors = 4, 3
    countries = [f"C{k}" for k in range(n_countries)]
    sectors = [f"S{k}" for k in range(n_sectors)]
    days = st.integers(0, 60).map(lambda d: date(2025, 1, 1) + timedelta(days=d))
    measures = []
    for k in range(draw(st.integers(1, 5))):
        imposer = draw(st.sampled_from(countries))
        others = [c for c in countries if c != imposer]
        targets = draw(
            st.one_of(st.just(["*"]), st.lists(st.sampled_from(others), min_size=1, max_size=3, unique=True))
        )
        covered = draw(
            st.one_of(st.just("all"), st.just("goods"), st.lists(st.sampled_from(sectors), min_size=1, unique=True))
        )
        by_sector = draw(st.dictionaries(st.sampled_from(covered if isinstance(covered, list) else sectors[:2]),
                                         st.floats(0.0, 1.0), max_size=2))
        start = draw(days)
        measures.append(TariffLayer(id=f"L{k}", imposer=imposer, targets=targets, sectors=covered,
                                    rate=draw(st.floats(0.01, 1.0)), rate_by_sector=by_sector, start=start))
        if draw(st.booleans()):
            measures.append(
                Exclusion(
                    id=f"X{k}",
                    layers=[f"L{k}"],
                    share=draw(st.floats(0.1, 1.0)),
                    start=start,
                    sectors=draw(st.one_of(st.none(), st.lists(st.sampled_from(sectors), min_size=1, unique=True))),
                    targets=draw(st.one_of(st.none(), st.lists(st.sampled_from(others), min_size=1, unique=True))),
                )
            )
        if draw(st.booleans()):
            layer = measures[-1] if measures[-1].kind == "tariff" else measures[-2]
            remaining = draw(st.one_of(st.none(), st.floats(0.0, 1.0).map(lambda f, r=layer.rate: f * r)))
            measures.append(Suspension(id=f"P{k}", measures=[f"L{k}"], remaining_rate=remaining,
                                       start=start + timedelta(days=draw(st.integers(0, 20))),
                                       end=start + timedelta(days=draw(st.integers(21, 60)))))
    return Timeline(measures), draw(days)


@given(random_timelines(), st.integers(0, 10_000))
def test_vectorised_fold_equals_cell_by_cell_reference(drawn, seed):
    """Property: tariff_on equals the documented rules applied cell by cell (reference loops above)."""
    timeline, day = drawn
    world = random_raw_world(seed, 4, 3)
    world.data.attrs["goods"] = "S0|S1"
    np.testing.assert_allclose(
        timeline.tariff_on(day, world).values, reference_tariff(timeline, day, world), atol=1e-12
    )
