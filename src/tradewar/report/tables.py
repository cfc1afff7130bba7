"""Country tables and JSON documents built from a counterfactual result."""

from __future__ import annotations

import numpy as np
from rich.table import Table

from tradewar.model.result import CounterfactualResult

__all__ = ["SIDES", "headline_countries", "country_table", "result_document", "run_document", "focus_countries"]

#: The two sides of the headline conflict, shown first wherever they exist.
SIDES = ("USA", "CHN")

COUNTRY_FIELDS = ("welfare_pct", "real_wage_pct", "price_index_pct", "exports_pct", "imports_pct", "tariff_revenue_usd_mn")


SHOW_ALL_UP_TO = 15


def headline_countries(result: CounterfactualResult, focus: list[str] | None = None, others: int = 6) -> list[str]:
    """The countries to show: ``focus`` first, then those whose welfare moved most; every
    country of a small (aggregated) world, up to ``SHOW_ALL_UP_TO``."""
    countries = result.countries
    chosen = [c for c in (focus or []) if c in countries]
    if len(countries) <= SHOW_ALL_UP_TO:
        others = len(countries)
    change = np.abs(result.data["welfare"].values - 1)
    for index in np.argsort(change)[::-1]:
        if len(chosen) >= len(focus or []) + others:
            break
        if countries[index] not in chosen:
            chosen.append(countries[index])
    return chosen


def country_table(result: CounterfactualResult, countries: list[str], title: str) -> Table:
    """A rich table of the main effects for the given countries."""
    frame = result.country_table().loc[countries]
    table = Table(title=title)
    table.add_column("Country", no_wrap=True)
    headers = {
        "welfare_pct": "Welfare",
        "real_wage_pct": "Real wage",
        "price_index_pct": "Prices",
        "exports_pct": "Exports",
        "imports_pct": "Imports",
        "tariff_revenue_change_usd_mn": "Tariffs $mn",
    }
    for header in headers.values():
        table.add_column(header, justify="right", no_wrap=True)
    for country, row in frame.iterrows():
        cells = []
        for column in headers:
            value = row[column]
            if column.endswith("_pct"):
                style = "green" if value > 0.0005 else "red" if value < -0.0005 else ""
                text = f"{value:+.3f}"
                cells.append(f"[{style}]{text}[/]" if style else text)
            else:
                cells.append(f"{value:+,.0f}")
        table.add_row(str(country), *cells)
    return table


def result_document(
    result: CounterfactualResult,
    *,
    scenario: str | None = None,
    date: str | None = None,
    pairs: list[tuple[str, str]] | None = None,
) -> dict:
    """The JSON document of a simulation: solver, per-country effects, bilateral changes."""
    frame = result.country_table()
    countries = {
        country: {field: float(frame.loc[country, field]) for field in COUNTRY_FIELDS} for country in result.countries
    }
    data = result.data
    bilateral = []
    for exporter, importer in pairs or []:
        for sector in ["all", *result.baseline.sectors]:
            select = {"importer": importer, "exporter": exporter}
            if sector != "all":
                select["sector"] = sector
            baseline = float(data["trade_baseline"].sel(select).sum())
            new = float(data["trade_new"].sel(select).sum())
            if baseline <= 0:
                continue
            bilateral.append(
                {"exporter": exporter, "importer": importer, "sector": sector, "baseline_usd_mn": baseline,
                 "change_pct": 100 * (new / baseline - 1)}
            )
    return {
        "scenario": scenario,
        "world": result.baseline.name,
        "date": date,
        "deficits": result.deficits,
        "solver": result.solver.to_dict(),
        "countries": countries,
        "bilateral": bilateral,
    }


def focus_countries(run, countries: list[str] | None = None) -> list[str]:
    """The two sides, then the scenario's report countries (or ``countries``), present in the result."""
    chosen = list(countries) if countries else list(run.scenario.report.countries)
    present = run.result.countries
    return [c for c in dict.fromkeys([*SIDES, *chosen]) if c in present]


def run_document(run) -> dict:
    """The JSON document of a solved scenario (``tradewar simulate --json``, the web API)."""
    sides = [c for c in SIDES if c in run.result.countries]
    pairs = [(a, b) for a in sides for b in sides if a != b]
    document = result_document(run.result, scenario=run.scenario.name,
                               date=run.on.isoformat() if run.on else None, pairs=pairs)
    document["against"] = run.against
    document["purchase_commitments"] = run.commitments
    output = 100 * (run.result.data["output"] - 1)
    document["sector_output_pct"] = {
        country: {k: float(v) for k, v in output.sel(country=country).to_series().dropna().items()}
        for country in focus_countries(run)
    }
    extra = getattr(run, "extra_tariffs", ())
    if extra:  # tariffs the user added on top (--tariff, the web form): recorded with the result they produced
        document["extra_tariffs"] = [change.to_dict() for change in extra]
    return document
