"""HTML reports for the strategic commands: the war's best-response path, the frontier."""

from __future__ import annotations

import html
from pathlib import Path

import plotly.graph_objects as go

from tradewar.report.figures import figures_html

__all__ = ["write_war_report", "write_talks_report"]


def _page(title: str, figures: list[go.Figure], notes: list[str], path: Path, self_contained: bool) -> str:
    charts = figures_html(figures, path, self_contained=self_contained)
    items = "".join(f"<li>{html.escape(note)}</li>" for note in notes)
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            "<style>body{font-family:system-ui,sans-serif;max-width:1100px;margin:auto;padding:1em}</style></head>"
            f"<body><h1>{html.escape(title)}</h1><ul>{items}</ul>{charts}</body></html>")


def write_war_report(document: dict, path: Path | str, *, self_contained: bool = False) -> Path:
    """Rounds of best responses (each player's mean tariff) and welfare at the end."""
    path = Path(path)
    figure = go.Figure()
    for player in document["players"]:
        means = [sum(r[player].values()) / len(r[player]) for r in document["rounds"]]
        figure.add_scatter(x=[r["round"] for r in document["rounds"]], y=means, mode="lines+markers",
                           name=f"{player} (mean tariff, %)")
    figure.update_layout(title="Best-response path", xaxis_title="round", yaxis_title="tariff, %")
    welfare = go.Figure(go.Bar(x=list(document["welfare_pct"]), y=list(document["welfare_pct"].values())))
    welfare.update_layout(title="Welfare at the Nash equilibrium vs the start (%)")
    closure = document.get("closure", {})
    notes = [f"Players: {', '.join(document['players'])}; converged: {document['converged']}.",
             f"World {document.get('world')}; elasticities {document.get('elasticities')} "
             f"({document.get('horizon')} run); tariff revenue {closure.get('revenue')}, "
             f"deficits {closure.get('deficits')}."]
    path.write_text(_page("tradewar: the tariff war", [figure, welfare], notes, path, self_contained), encoding="utf-8")
    return path


def write_talks_report(document: dict, path: Path | str, *, self_contained: bool = False) -> Path:
    """The Pareto frontier with the threat point, the status quo and the bargain."""
    path = Path(path)
    a, b = document["parties"]
    figure = go.Figure()
    frontier = document["frontier"]
    figure.add_scatter(x=[p["welfare_pct"][a] for p in frontier], y=[p["welfare_pct"][b] for p in frontier],
                       mode="lines+markers", name="Pareto frontier")
    for label, point, symbol in (("threat", document["threat_welfare_pct"], "x"),
                                 ("status quo", document["status_quo_welfare_pct"], "circle-open"),
                                 ("Nash bargain", document["bargain"]["welfare_pct"], "star")):
        figure.add_scatter(
            x=[point[a]], y=[point[b]], mode="markers", name=label, marker={"size": 14, "symbol": symbol}
        )
    for deal in document["deals"]:
        figure.add_scatter(x=[deal["welfare_pct"][a]], y=[deal["welfare_pct"][b]], mode="markers+text",
                           text=[deal["name"]], textposition="top center", name=deal["name"], showlegend=False)
    figure.update_layout(title=f"Welfare of {a} and {b} (% vs no trade war)", xaxis_title=f"{a} welfare, %",
                         yaxis_title=f"{b} welfare, %", height=600)
    footing = document.get("footing", {})
    notes = [
        f"Threat point: {document['threat']}.",
        f"Cards in the status quo: {', '.join(document['cards']) or 'none'}.",
        f"Every point starts from {footing.get('scenario')} on {footing.get('date')} ({footing.get('world')}, "
        f"deficits {footing.get('deficits')}, tariff revenue {footing.get('revenue')}; elasticities "
        f"{footing.get('elasticities')}, {footing.get('horizon')} run); only the two parties' tariffs on each "
        "other and the cards change.",
    ]
    bargain = document["bargain"]
    if bargain.get("at_bound"):
        notes.append(f"The bargain has instruments at a bound of their range: {', '.join(bargain['at_bound'])}.")
    tables = [_table("Leverage: how the bargain moves (percentage points of welfare) when a card",
                     ["card", "change", a, b, "bargain exists"],
                     [[f"{info['holder']}'s {card}", label, f"{info[key]['moves_pp'][a]:+.3f}",
                       f"{info[key]['moves_pp'][b]:+.3f}", "yes" if info[key]["feasible"] else "no"]
                      for card, info in document["leverage"].items()
                      for key, label in (("out_of_threat", "leaves the threat point"), ("lifted", "is lifted"))]),
              _table("Pareto frontier (welfare, % vs no trade war; policy levels, %)",
                     [f"weight on {a}", a, b, "policy", "at bound"],
                     [[f"{p['weight']:.3f}", f"{p['welfare_pct'][a]:+.3f}", f"{p['welfare_pct'][b]:+.3f}",
                       ", ".join(f"{k} {v:.1f}" for k, v in p["policy"].items()), ", ".join(p.get("at_bound", []))]
                      for p in frontier])]
    if "purchases" in document:
        tables.append(
            _table(
                "Phase One compliance in 2020 by category (goods)",
                ["category", "share of target met", "share of promised increase met"],
                [
                    [
                        c["category"],
                        f"{100 * c['share_of_target_met']:.0f}%",
                        f"{100 * c['share_of_increase_met']:.0f}%",
                    ]
                    for c in document["purchases"]["compliance"]
                ],
            )
        )
        notes.extend(document["purchases"]["sources"])
    page = _page(f"tradewar: talks between {a} and {b}", [figure], notes, path, self_contained)
    path.write_text(page.replace("</body>", "".join(tables) + "</body>"), encoding="utf-8")
    return path


def _table(title: str, header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows)
    return f"<h2>{html.escape(title)}</h2><table border='1' cellpadding='4'><tr>{head}</tr>{body}</table>"
