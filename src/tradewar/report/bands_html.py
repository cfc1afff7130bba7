"""A self-contained HTML report of a Monte Carlo: every result with its band."""

from __future__ import annotations

import html
from pathlib import Path

import plotly.graph_objects as go

from tradewar.report.figures import figures_html

__all__ = ["write_band_report"]

VARIABLES = (("welfare_pct", "Welfare"), ("real_wage_pct", "Real wage"), ("price_index_pct", "Price index"))


def write_band_report(mc, path: Path | str, *, title: str, notes: list[str] | None = None,
                      self_contained: bool = False) -> Path:
    """Bars at the point estimate with p5-p95 error bars, by country, for each main variable."""
    path = Path(path)
    table = mc.percentiles(point=True)
    order = table[("welfare_pct", "point")].sort_values().index
    figures = []
    for variable, label in VARIABLES:
        if variable not in table.columns.get_level_values(0):
            continue
        point = table.loc[order, (variable, "point")]
        low = table.loc[order, (variable, "p5")]
        high = table.loc[order, (variable, "p95")]
        figure = go.Figure(go.Bar(
            x=list(order), y=point.values,
            error_y={"type": "data", "symmetric": False, "array": (high - point).values,
                     "arrayminus": (point - low).values},
        ))
        figure.update_layout(title=f"{label}, % change: point estimate and 5th-95th percentile band", height=430)
        figures.append(figure)
    charts = figures_html(figures, path, self_contained=self_contained)
    items = "".join(f"<li>{html.escape(note)}</li>" for note in notes or [])
    path.write_text(
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        "<style>body{font-family:system-ui,sans-serif;max-width:1200px;margin:auto;padding:1em}</style></head>"
        f"<body><h1>{html.escape(title)}</h1><ul>{items}</ul>{charts}"
        f"{table.round(3).to_html(border=0)}</body></html>",
        encoding="utf-8",
    )
    return path
