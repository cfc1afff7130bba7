"""A self-contained HTML report of a counterfactual, with interactive charts.

Everything the page needs is inside the file (plotly.js included), so it opens
offline and can be mailed. The world map is drawn from Natural Earth outlines shipped
with the package (``data/maps``), as filled shapes: no map service is needed.
"""

from __future__ import annotations

import html
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from tradewar.model.result import CounterfactualResult
from tradewar.report.figures import figures_html

__all__ = [
    "DIRECTION_COLOURS",
    "aligned_ranges",
    "bilateral_bars",
    "report_figures",
    "sector_bars",
    "third_countries",
    "world_map",
    "timeline_chart",
    "welfare_bars",
    "write_report",
]


DIRECTION_COLOURS = ("#1f77b4", "#ff7f0e")
"""The two directions of a pair, in the order given: the same colours in every timeline (the web
page's timeline uses them too)."""


def _axes(figure: go.Figure, x: str, y: str) -> None:
    figure.update_xaxes(title_text=x)
    figure.update_yaxes(title_text=y)


def aligned_ranges(*values) -> list[list[float]]:
    """Axis ranges that put zero at the same height on every axis (for bars and dots that share a
    chart on two y axes), each covering its values with a margin."""
    spans = []
    for v in values:
        v = np.asarray(v, dtype=float)
        v = v[np.isfinite(v)]
        low, high = (min(float(v.min()), 0.0), max(float(v.max()), 0.0)) if v.size else (0.0, 0.0)
        extent = max(high - low, 1e-9)
        spans.append((extent, -low / extent, high / extent))  # size; shares below and above zero
    below = max(span[1] for span in spans)
    above = max(span[2] for span in spans)
    return [[-below * extent * 1.08, above * extent * 1.08] for extent, _, _ in spans]


OUTSIDE = "(not in this world)"
"""Map group of the countries a world without a rest-of-the-world region leaves out (``icio2022``
is a closed world of 80 economies): drawn grey, with no value."""

# Countries too small for the 1:110m outlines, drawn as dots at their capital (longitude, latitude).
DOTS = {"MLT": (14.4, 35.9), "HKG": (114.2, 22.3), "SGP": (103.8, 1.35), "STP": (6.7, 0.3)}


def _map_label(code: str, countries: list[str]) -> str | None:
    """The world's label that a map country belongs to (itself, EU27, or the rest of the world)."""
    from tradewar.world.aggregate import EU27_2020

    if code in countries:
        return code
    if code in EU27_2020 and "EU27" in countries:
        return "EU27"
    return "ROW" if "ROW" in countries else OUTSIDE


def world_map(result: CounterfactualResult) -> go.Figure:
    """Welfare change by country on a world map (Natural Earth outlines shipped with tradewar,
    drawn as filled shapes: no map service or network needed). Countries the world groups
    into a region (EU27, the rest of the world) take the region's colour, the rest of the world
    paler and hatched, and a note under the map says so; in a world without a rest-of-the-world
    region (``icio2022``) the countries it leaves out are grey, with a note; countries too small
    for the 1:110m outlines (Malta, Hong Kong, Singapore, Sao Tome) are dots."""
    from plotly.colors import sample_colorscale

    from tradewar.report.map_data import load_outlines

    welfare = 100 * (result.data["welfare"].to_series() - 1)
    limit = max(float(np.abs(welfare).max()), 1e-6)
    outlines = load_outlines()
    groups: dict[str, list] = {}
    for code, country in outlines.items():
        label = _map_label(code, result.countries)
        if label is not None:
            groups.setdefault(label, []).append(country)
    figure = go.Figure()
    for label, countries in groups.items():
        xs, ys = [], []
        for country in countries:
            for ring in country["rings"]:
                xs += [p[0] for p in ring] + [None]
                ys += [p[1] for p in ring] + [None]
        if label == OUTSIDE:
            figure.add_scatter(x=xs, y=ys, fill="toself", fillcolor="#e4e4e4", mode="lines", name=label,
                               line={"color": "#aaa", "width": 0.5}, showlegend=False, hoveron="fills",
                               text=f"not in this world ({len(countries)} countries outside its "
                                    f"{len(result.countries)} economies): no value", hoverinfo="text")
            continue
        value = float(welfare[label])
        colour = sample_colorscale("RdBu", [(value + limit) / (2 * limit)])[0]
        names = (
            ", ".join(sorted(c["name"] for c in countries)) if len(countries) <= 4 else f"{len(countries)} countries"
        )
        rest = label == "ROW"
        figure.add_scatter(x=xs, y=ys, fill="toself", fillcolor=colour, mode="lines", opacity=0.55 if rest else 1.0,
                           fillpattern={"shape": "/", "fgcolor": "#999", "size": 6, "solidity": 0.15} if rest else None,
                           line={"color": "#777", "width": 0.5}, name=label, showlegend=False, hoveron="fills",
                           text=(f"not in this world: shown with the rest of the world (ROW, {len(countries)} "
                                 f"countries): {value:+.3f}%" if rest else f"{label} ({names}): {value:+.3f}%"),
                           hoverinfo="text")
    # Labels at the middle of each big enough country's largest outline (EU27 in central Europe).
    label_x, label_y, label_text = [], [], []
    for label, countries in groups.items():
        if label in ("ROW", OUTSIDE):
            continue
        if label == "EU27":
            x, y = 10.0, 50.0
        else:
            ring = max((r for c in countries for r in c["rings"]), key=len)
            lons, lats = [p[0] for p in ring], [p[1] for p in ring]
            if max(lons) - min(lons) < 8:
                continue
            x, y = (max(lons) + min(lons)) / 2, (max(lats) + min(lats)) / 2
        label_x.append(x)
        label_y.append(y)
        label_text.append(f"{label} {float(welfare[label]):+.2f}")
    figure.add_scatter(x=label_x, y=label_y, mode="text", text=label_text, textfont={"size": 9},
                       hoverinfo="skip", showlegend=False)
    # Countries too small for the 1:110m outlines, at their capital.
    coordinates = DOTS
    dots = [c for c in welfare.index if c not in groups and c in coordinates]
    if dots:
        figure.add_scatter(
            x=[coordinates[c][0] for c in dots], y=[coordinates[c][1] for c in dots], mode="markers",
            marker={"size": 8, "color": [float(welfare[c]) for c in dots], "colorscale": "RdBu", "cmin": -limit,
                    "cmax": limit, "line": {"width": 1, "color": "#333"}},
            text=[f"{c}: {float(welfare[c]):+.3f}%" for c in dots], hoverinfo="text", showlegend=False,
        )
    figure.add_scatter(x=[None], y=[None], mode="markers", showlegend=False,
                       marker={"colorscale": "RdBu", "cmin": -limit, "cmax": limit, "color": [0],
                               "colorbar": {"title": "welfare %"}})
    if "ROW" in groups:
        figure.add_annotation(
            text=f"Paler, hatched: the {len(groups['ROW'])} economies this world does not list separately, "
                 f"shown with its rest-of-the-world value ({float(welfare['ROW']):+.2f}%), not their own.",
            xref="paper", yref="paper", x=0.0, y=-0.02, xanchor="left", yanchor="top", showarrow=False,
            font={"size": 11, "color": "#555"})
    if OUTSIDE in groups:
        figure.add_annotation(
            text=f"Grey: countries outside this world's {len(result.countries)} economies (its purchases from "
                 f"them are spread over the economies it lists); they have no value.",
            xref="paper", yref="paper", x=0.0, y=-0.02, xanchor="left", yanchor="top", showarrow=False,
            font={"size": 11, "color": "#555"})
    figure.update_layout(title="Welfare change by region (%)", height=520, plot_bgcolor="#f0f4f8",
                         xaxis={"visible": False, "range": [-170, 190]},
                         yaxis={"visible": False, "range": [-58, 85], "scaleanchor": "x"},
                         margin={"l": 10, "r": 10, "t": 50, "b": 40})
    return figure


def welfare_bars(result: CounterfactualResult) -> go.Figure:
    """Welfare and real wage changes by country (%), sorted by welfare."""
    frame = result.country_table().sort_values("welfare_pct")
    figure = go.Figure()
    figure.add_bar(x=frame.index, y=frame["welfare_pct"], name="welfare (exact)")
    figure.add_bar(x=frame.index, y=frame["real_gdp_pct"], name="real GDP")
    figure.add_bar(x=frame.index, y=frame["real_wage_pct"], name="real wage")
    figure.update_layout(title="Welfare and real wages (%)", barmode="group", height=420)
    _axes(figure, "country", "change (%)")
    return figure


def sector_bars(result: CounterfactualResult, focus: list[str]) -> go.Figure:
    """Sector output changes (%) in each ``focus`` country."""
    output = 100 * (result.data["output"] - 1)
    figure = go.Figure()
    for country in focus:
        figure.add_bar(x=result.baseline.sectors, y=output.sel(country=country).values, name=country)
    figure.update_layout(title="Sector output (%)", barmode="group", height=460)
    _axes(figure, "sector", "output change (%)")
    return figure


def bilateral_bars(result: CounterfactualResult, pairs: list[tuple[str, str]]) -> go.Figure:
    """Change in goods trade by sector (%) for each (exporter, importer) pair."""
    data = result.data
    goods = result.baseline.goods
    figure = go.Figure()
    for exporter, importer in pairs:
        base = data["trade_baseline"].sel(importer=importer, exporter=exporter, sector=goods)
        new = data["trade_new"].sel(importer=importer, exporter=exporter, sector=goods)
        with np.errstate(divide="ignore", invalid="ignore"):
            change = np.where(base.values > 0, 100 * (new.values / base.values - 1), np.nan)
        figure.add_bar(x=goods, y=change, name=f"{exporter} to {importer}")
    figure.update_layout(title="Bilateral trade in goods by sector (% change)", barmode="group", height=460)
    _axes(figure, "sector", "trade change (%)")
    return figure


def third_countries(result: CounterfactualResult, focus: list[str]) -> go.Figure:
    """Other countries' exports to the ``focus`` markets (%, bars) and their welfare (%, dots)."""
    data = result.data
    others = [c for c in result.countries if c not in focus]
    figure = go.Figure()
    bars = []
    for market in focus:
        base = data["trade_baseline"].sel(importer=market, exporter=others).sum("sector")
        new = data["trade_new"].sel(importer=market, exporter=others).sum("sector")
        bars.append(100 * (new / base - 1).values)
        figure.add_bar(x=others, y=bars[-1], name=f"exports to {market}")
    welfare = 100 * (data["welfare"].sel(country=others) - 1)
    figure.add_scatter(x=others, y=welfare.values, mode="markers", name="welfare %", yaxis="y2",
                       marker={"size": 9, "color": "black"})
    # Bars and dots share one zero line: each axis's range puts zero at the same height.
    bar_range, dot_range = aligned_ranges(np.concatenate(bars) if bars else [], welfare.values)
    figure.update_layout(
        title="Third countries: exports to the two sides (%, bars) and welfare (%, dots)",
        barmode="group", height=460,
        xaxis={"title": {"text": "third country"}},
        yaxis={"title": {"text": "exports to the side (% change)"}, "range": bar_range, "zeroline": True},
        yaxis2={"title": {"text": "welfare (% change)"}, "overlaying": "y", "side": "right", "showgrid": False,
                "range": dot_range, "zeroline": False},
    )
    return figure


def timeline_chart(series: pd.DataFrame) -> go.Figure:
    """Step lines of :meth:`Timeline.average_tariff` output (date, importer, exporter, average_tariff_pct),
    one per direction in the order the series gives them, coloured as on the web page."""
    figure = go.Figure()
    for k, ((importer, exporter), rows) in enumerate(series.groupby(["importer", "exporter"], sort=False)):
        figure.add_scatter(x=rows["date"], y=rows["average_tariff_pct"], mode="lines", line_shape="hv",
                           line={"color": DIRECTION_COLOURS[k % len(DIRECTION_COLOURS)]},
                           name=f"{importer} on {exporter}")
    figure.update_layout(title="Average tariff on goods, trade-weighted (%)", height=420)
    _axes(figure, "day", "average tariff (%)")
    return figure


def report_figures(
    result: CounterfactualResult,
    *,
    focus: list[str] | None = None,
    tariff_series: pd.DataFrame | None = None,
) -> dict[str, go.Figure]:
    """The report's charts by name, in page order: ``map``, ``welfare``, ``sectors``, then
    ``bilateral`` and ``third_countries`` (when there are two sides) and ``timeline``
    (when a tariff series is given). ``focus`` names the two sides (default USA and CHN)."""
    focus = [c for c in (focus or ["USA", "CHN"]) if c in result.countries] or result.countries[:2]
    pairs = [(a, b) for a in focus for b in focus if a != b]
    figures = {"map": world_map(result), "welfare": welfare_bars(result), "sectors": sector_bars(result, focus)}
    if pairs:
        figures["bilateral"] = bilateral_bars(result, pairs)
        figures["third_countries"] = third_countries(result, focus)
    if tariff_series is not None and not tariff_series.empty:
        figures["timeline"] = timeline_chart(tariff_series)
    return figures


def write_report(
    result: CounterfactualResult,
    path: Path | str,
    *,
    title: str,
    focus: list[str] | None = None,
    notes: list[str] | None = None,
    tariff_series: pd.DataFrame | None = None,
    self_contained: bool = False,
) -> Path:
    """Write the report to ``path``; ``focus`` names the two sides (default USA and CHN).

    plotly.js is loaded from ``plotly.min.js`` beside the report (written once per folder; the
    report then weighs a few hundred KB); with ``self_contained`` it is inside the file (about
    5 MB), which opens anywhere on its own. See :mod:`tradewar.report.figures`."""
    path = Path(path)
    figures = list(report_figures(result, focus=focus, tariff_series=tariff_series).values())
    table = result.country_table().round(3).to_html(classes="results", border=0)
    charts = figures_html(figures, path, self_contained=self_contained)
    solver = result.solver
    note_items = "".join(f"<li>{html.escape(n)}</li>" for n in notes or [])
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:1200px;margin:auto;padding:1em}}
table.results{{border-collapse:collapse;font-size:0.85em}}
table.results td,table.results th{{padding:2px 8px;text-align:right}}
table.results tr:nth-child(even){{background:#f4f4f4}}</style></head>
<body><h1>{html.escape(title)}</h1>
<p>World: {html.escape(result.baseline.name)} (hash {result.baseline.hash});
closure: {html.escape(result.closure_text())};
solver: {solver.iterations} sweeps, residual {solver.residual:.1e}, {solver.seconds:.2f} s.</p>
<ul>{note_items}</ul>
{charts}
<h2>Every country (changes in %, tariff revenue in USD millions)</h2>
{table}
<p>Made with tradewar: the Caliendo-Parro (2015) model with input-output linkages, solved in changes.</p>
</body></html>"""
    path.write_text(page, encoding="utf-8")
    return path


# The former private names, kept for callers that used them.
_bilateral_bars, _third_countries, _timeline_chart = bilateral_bars, third_countries, timeline_chart
