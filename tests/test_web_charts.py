"""The report's and the page's charts say what they show: one zero line for bars and dots, the
same colour for a direction in both timelines, axis titles, the map's rest of the world marked,
price rises not shown as good news; and a report's weight. Cost: about 10 s (london-2025 on
icio2022, its world, and on wiod2011 for the rest-of-the-world marking).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tradewar.report.html import DIRECTION_COLOURS, aligned_ranges, write_report
from tradewar.web.service import figures_json

APP_JS = Path(__file__).parents[1] / "src" / "tradewar" / "web" / "static" / "app.js"


@pytest.fixture(scope="module")
def london():
    from tradewar import run_scenario

    return run_scenario("london-2025")


@pytest.fixture(scope="module")
def charts(london):
    return json.loads(figures_json(london))


def _zero_share(axis_range):
    low, high = axis_range
    return -low / (high - low)


def test_aligned_ranges_share_zero():
    """Closed form: bars in [-30, 10] and dots in [-0.1, 0.5]: below-zero share max(3/4, 1/6) and
    above-zero share max(1/4, 5/6) of each span, so zero sits at 0.75 / (0.75 + 0.8333) on both."""
    bars, dots = aligned_ranges([-30, 5, 10], [-0.1, 0.2, 0.5])
    assert _zero_share(bars) == pytest.approx(_zero_share(dots))
    assert _zero_share(bars) == pytest.approx(0.75 / (0.75 + 5 / 6))
    assert bars[0] <= -30 and bars[1] >= 10 and dots[0] <= -0.1 and dots[1] >= 0.5


def test_third_countries_dots_and_bars_share_the_zero_line(charts):
    layout = charts["third_countries"]["layout"]
    assert _zero_share(layout["yaxis"]["range"]) == pytest.approx(_zero_share(layout["yaxis2"]["range"]))
    assert layout["yaxis2"]["title"]["text"] and layout["yaxis"]["title"]["text"]


def test_every_chart_has_axis_titles(charts):
    for name, figure in charts.items():
        if name == "map":
            continue
        layout = figure["layout"]
        assert layout["xaxis"]["title"]["text"] and layout["yaxis"]["title"]["text"], name


def test_timelines_colour_each_direction_alike(charts):
    """The report's timeline and the page's draw 'USA on CHN' first, in the same colour."""
    lines = {trace["name"]: trace["line"]["color"] for trace in charts["timeline"]["data"]}
    assert lines == {"USA on CHN": DIRECTION_COLOURS[0], "CHN on USA": DIRECTION_COLOURS[1]}
    script = APP_JS.read_text()
    assert re.search(r'DIRECTION_COLOURS = \["#1f77b4", "#ff7f0e"\]', script)
    assert DIRECTION_COLOURS == ("#1f77b4", "#ff7f0e")


@pytest.fixture(scope="module")
def london_wiod2011():
    from tradewar import run_scenario
    from tradewar.simulation import ScenarioOverrides

    return run_scenario("london-2025", overrides=ScenarioOverrides(world="wiod2011"))


def test_map_marks_the_rest_of_the_world(london_wiod2011):
    """On wiod2011 (a world with a rest-of-the-world region) the map shows ROW paler and says so."""
    figure = json.loads(figures_json(london_wiod2011))["map"]
    rest = [trace for trace in figure["data"] if trace.get("name") == "ROW"]
    assert len(rest) == 1 and "not in this world" in rest[0]["text"] and rest[0]["opacity"] < 1
    note = figure["layout"]["annotations"][0]["text"]
    assert "rest-of-the-world value" in note and "not their own" in note


def test_map_greys_the_countries_outside_a_closed_world(charts):
    """london-2025 runs on icio2022, a closed world of 80 economies: every one of them is drawn
    (an outline, or a dot for the four too small for the outlines), the rest grey with a note."""
    figure = charts["map"]
    drawn = {trace.get("name") for trace in figure["data"]}
    dots = {text.split(":")[0] for trace in figure["data"] if trace.get("mode") == "markers"
            for text in (trace.get("text") or [])}
    from tradewar import load_world

    economies = set(load_world("icio2022").countries)
    assert economies <= drawn | dots, sorted(economies - drawn - dots)
    assert {"HKG", "SGP", "MLT", "STP"} <= dots and "ROW" not in drawn
    outside = [trace for trace in figure["data"] if trace.get("name") == "(not in this world)"]
    assert len(outside) == 1 and "no value" in outside[0]["text"]
    assert "outside this world's 80 economies" in figure["layout"]["annotations"][0]["text"]


def test_price_rises_are_not_green():
    """The page colours good news green: for the price index a rise is bad news."""
    script = APP_JS.read_text()
    assert 'RISE_IS_BAD = new Set(["price_index_pct"])' in script
    assert "RISE_IS_BAD.has(column) ? -1 : 1" in script


def test_report_weight(london, tmp_path):
    """Measured: about 5 MB inline (plotly.js is 4.8 MB of it); with one shared plotly.min.js
    beside the reports, each weighs a few hundred KB."""
    inline = write_report(london.result, tmp_path / "inline.html", title="london", self_contained=True)
    (tmp_path / "shared").mkdir()
    shared = write_report(london.result, tmp_path / "shared" / "a.html", title="london")
    bundle = tmp_path / "shared" / "plotly.min.js"
    assert bundle.is_file() and 'src="plotly.min.js"' in shared.read_text()
    assert shared.stat().st_size < 1_000_000 < bundle.stat().st_size
    assert inline.stat().st_size > bundle.stat().st_size
    print(f"\nreport inline {inline.stat().st_size / 1e6:.2f} MB; shared {shared.stat().st_size / 1e6:.2f} MB "
          f"+ plotly.min.js {bundle.stat().st_size / 1e6:.2f} MB once")
