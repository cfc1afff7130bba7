"""Measures as data: construction, defaults, the discriminated union, and clear errors."""

from __future__ import annotations

import math
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradewar.errors import TradewarError
from tradewar.policy import (
    Exclusion,
    ExportControl,
    MeasureError,
    PurchaseCommitment,
    Suspension,
    TariffLayer,
    parse_measure,
    parse_measures,
)


def tariff_fields(**overrides) -> dict:
    fields = dict(
        id="R1", description="reciprocal", imposer="USA", targets=["CHN"], rate=0.34, start=date(2025, 4, 5)
    )
    fields.update(overrides)
    return fields


# ---------------------------------------------------------------------- valid measures
def test_tariff_layer_defaults_and_coercions():
    """Defaults as documented: goods sectors, no end, no overrides; one label stands for a list; ISO text is a date."""
    layer = TariffLayer(**tariff_fields(targets="CHN", start="2025-04-05"))
    assert layer.kind == "tariff"
    assert layer.targets == ("CHN",)
    assert layer.sectors == "goods"
    assert layer.end is None
    assert layer.start == date(2025, 4, 5)
    assert layer.rate_by_sector == {}
    assert layer.rate_in("Metals") == 0.34


def test_rate_by_sector_overrides_the_rate():
    """rate_in: the override where given, the layer's rate elsewhere (definition)."""
    layer = TariffLayer(**tariff_fields(sectors=["Metals", "Machinery"], rate=0.25, rate_by_sector={"Metals": 0.5}))
    assert layer.rate_in("Metals") == 0.5
    assert layer.rate_in("Machinery") == 0.25
    assert layer.sectors == ("Metals", "Machinery")


def test_measures_are_frozen_and_hashable():
    """Frozen models: assignment fails; equal measures hash alike (so they can go in sets)."""
    layer = TariffLayer(**tariff_fields())
    with pytest.raises(Exception, match="frozen"):
        layer.rate = 0.5  # type: ignore[misc]
    assert hash(layer) == hash(TariffLayer(**tariff_fields()))
    assert len({layer, TariffLayer(**tariff_fields())}) == 1


def test_in_force_window_is_start_inclusive_end_exclusive():
    """Definition: in force on start <= day < end (a 90-day pause from 14 May ends on 12 August)."""
    pause = Suspension(id="G", measures="R1", start="2025-05-14", end="2025-08-12", remaining_rate=0.1)
    assert not pause.in_force(date(2025, 5, 13))
    assert pause.in_force(date(2025, 5, 14))
    assert pause.in_force(date(2025, 8, 11))
    assert not pause.in_force(date(2025, 8, 12))
    assert (date(2025, 8, 12) - date(2025, 5, 14)).days == 90
    assert TariffLayer(**tariff_fields()).in_force(date(2100, 1, 1))  # no end: still in force


@pytest.mark.parametrize(
    ("data", "cls"),
    [
        (dict(kind="tariff", **tariff_fields()), TariffLayer),
        (dict(kind="exclusion", id="E", layers=["R1"], sectors=["Machinery"], start="2025-04-05"), Exclusion),
        (dict(kind="suspension", id="S", measures=["R1"], start="2025-05-14", end="2025-08-12"), Suspension),
        (
            dict(kind="export_control", id="C", imposer="USA", targets=["CHN"], start="2022-10-07", ban=True),
            ExportControl,
        ),
        (
            dict(
                kind="purchase_commitment",
                id="P",
                importer="CHN",
                exporter="USA",
                sectors=["Agriculture"],
                amount_usd_mn=32000,
                start="2020-02-14",
                end="2022-01-01",
            ),
            PurchaseCommitment,
        ),
    ],
)
def test_parse_measure_picks_the_class_from_kind(data, cls):
    """The discriminated union: the kind field selects the model (one case per kind)."""
    measure = parse_measure(data)
    assert type(measure) is cls
    assert measure.kind == data["kind"]
    assert parse_measure(measure) is measure  # a measure passes through


def test_exclusion_and_suspension_defaults():
    """Documented defaults: an exclusion removes the whole rate everywhere the layer applies; a suspension to zero."""
    exclusion = Exclusion(id="E", layers="R1", start="2025-04-05")
    assert (exclusion.share, exclusion.sectors, exclusion.targets, exclusion.layers) == (1.0, None, None, ("R1",))
    assert Suspension(id="S", measures="R1", start="2025-05-14").remaining_rate is None


# ---------------------------------------------------------------------- errors
BAD_TARIFFS = [
    (dict(end="2025-04-05"), r"measure 'R1', field end: end 2025-04-05 is not after start 2025-04-05"),
    (dict(end="2025-01-01"), r"measure 'R1', field end: end 2025-01-01 is not after start"),
    (dict(rate=-1), r"measure 'R1', field rate: rate -1 is at or below -1"),
    (dict(rate=-1.5), r"measure 'R1', field rate: rate -1.5 is at or below -1"),
    (dict(rate=25), r"measure 'R1', field rate: .*did you mean 0.25\?"),
    (dict(rate=math.nan), r"measure 'R1', field rate: .*finite"),
    (dict(rate="high"), r"measure 'R1', field rate: .*valid number"),
    (dict(targets=[]), r"measure 'R1', field targets: targets is empty"),
    (dict(targets=["*", "DEU"]), r'measure \'R1\', field targets: "\*" .* must be the only target'),
    (dict(targets=["USA"]), r"measure 'R1', field targets: the imposer 'USA' is among its own targets"),
    (dict(targets=["CHN", "CHN"]), r"measure 'R1', field targets: .*'CHN' more than once"),
    (dict(imposer="*"), r"measure 'R1', field imposer: .*country or group label"),
    (dict(sectors=[]), r"measure 'R1', field sectors: the sector list is empty"),
    (dict(sectors=["Metals"], rate_by_sector={"Food": 0.1}), r"field rate_by_sector: sectors \['Food'\] .*not among"),
    (dict(rate_by_sector={"Metals": -2}), r"field rate_by_sector: rate for sector 'Metals' -2 is at or below -1"),
    (dict(start="2025-07"), r"measure 'R1', field start: .*full date YYYY-MM-DD.*'2025-07'"),
    (dict(start=None), r"measure 'R1', field start"),
    (dict(id="  "), r"field id: the id is blank"),
    (dict(rates=0.3), r"measure 'R1', field rates: unknown field; a tariff measure has the fields .*rate_by_sector"),
]


@pytest.mark.parametrize(("overrides", "message"), BAD_TARIFFS)
def test_bad_tariff_layers_name_the_measure_and_field(overrides, message):
    """Each invalid field gives a MeasureError naming the measure id and the field (messages as documented)."""
    with pytest.raises(MeasureError, match=message):
        TariffLayer(**tariff_fields(**overrides))


def test_missing_field_is_named():
    """A required field that is absent is reported by name."""
    fields = tariff_fields()
    del fields["rate"]
    with pytest.raises(MeasureError, match=r"measure 'R1', field rate: required field missing"):
        TariffLayer(**fields)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (dict(kind="quota", id="Q1"), r"measure 'Q1', field kind: unknown kind 'quota'; choose from tariff, exclusion"),
        (dict(id="Q2"), r"measure 'Q2', field kind: the measure has no kind"),
        (
            dict(kind="exclusion", id="E", layers=["R1"], share=-0.5, start="2025-01-01"),
            r"measure 'E', field share: share -0.5 must be in \(0, 1\]",
        ),
        (
            dict(kind="exclusion", id="E", layers=["R1"], share=0, start="2025-01-01"),
            r"field share: share 0 must be in",
        ),
        (
            dict(kind="exclusion", id="E", layers=["R1"], share=1.5, start="2025-01-01"),
            r"field share: share 1.5 must be in",
        ),
        (dict(kind="exclusion", id="E", layers=[], start="2025-01-01"), r"measure 'E', field layers: .*empty"),
        (
            dict(kind="exclusion", id="E", layers="R1", sectors=[], start="2025-01-01"),
            r"measure 'E', field sectors: .*empty",
        ),
        (dict(kind="suspension", id="S", measures=[], start="2025-01-01"), r"measure 'S', field measures: .*empty"),
        (
            dict(kind="suspension", id="S", measures="R1", remaining_rate=-1, start="2025-01-01"),
            r"field remaining_rate: remaining_rate -1 is at or below -1",
        ),
        (
            dict(
                kind="export_control",
                id="C",
                imposer="USA",
                targets="CHN",
                ban=True,
                tax_equivalent=0.5,
                start="2025-01-01",
            ),
            r"measure 'C', field ban: give either ban",
        ),
        (
            dict(kind="export_control", id="C", imposer="USA", targets="CHN", tax_equivalent=-0.1, start="2025-01-01"),
            r"measure 'C', field tax_equivalent: .*negative",
        ),
        (
            dict(kind="purchase_commitment", id="P", importer="CHN", exporter="CHN", start="2020-01-01"),
            r"measure 'P', field exporter: .*also the importer",
        ),
        (
            dict(
                kind="purchase_commitment", id="P", importer="CHN", exporter="USA", amount_usd_mn=-5, start="2020-01-01"
            ),
            r"measure 'P', field amount_usd_mn: .*positive",
        ),
        (
            dict(kind="tariff", id="T", imposer="USA", targets="CHN", rate=0.1, start="2025-01-01", bogus=1),
            r"measure 'T', field bogus: unknown field",
        ),
    ],
)
def test_bad_measures_of_every_kind(data, message):
    """Unknown kinds, bad shares, empty lists, contradictory fields: a MeasureError naming id and field."""
    with pytest.raises(MeasureError, match=message):
        parse_measure(data)


def test_not_a_table():
    """A measure must be a mapping of fields."""
    with pytest.raises(MeasureError, match="must be a table of fields, not int"):
        parse_measure(5)  # type: ignore[arg-type]


def test_parse_measures_reports_every_bad_measure():
    """All problems at once, one line each, so a file can be fixed in one pass."""
    with pytest.raises(MeasureError) as caught:
        parse_measures(
            [
                dict(kind="tariff", **tariff_fields(id="A", rate=-3)),
                dict(kind="tariff", **tariff_fields(id="B")),
                dict(kind="tariff", **tariff_fields(id="C", end="2020-01-01")),
            ]
        )
    assert [(p.measure_id, p.field_name) for p in caught.value.problems] == [("A", "rate"), ("C", "end")]
    assert str(caught.value).count("\n") == 1


def test_measure_error_is_a_tradewar_value_error():
    """Callers can catch TradewarError or ValueError (the project's error convention)."""
    with pytest.raises(TradewarError):
        TariffLayer(**tariff_fields(rate=-2))
    with pytest.raises(ValueError):
        TariffLayer(**tariff_fields(rate=-2))


@given(st.floats(min_value=-0.999, max_value=10.0, allow_nan=False))
def test_any_rate_above_minus_one_is_kept(rate):
    """Property: every rate in (-1, 10] is accepted and stored unchanged."""
    assert TariffLayer(**tariff_fields(rate=rate)).rate == rate


@given(st.floats(max_value=-1.0, allow_nan=False, allow_infinity=False))
def test_any_rate_at_or_below_minus_one_is_refused(rate):
    """Property: a rate at or below -1 (-100%) is always refused, naming the field."""
    with pytest.raises(MeasureError, match="field rate"):
        TariffLayer(**tariff_fields(rate=rate))
