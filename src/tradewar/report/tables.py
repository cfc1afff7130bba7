"""Country tables and JSON documents built from a counterfactual result."""

from __future__ import annotations

import numpy as np
from rich.table import Table

from tradewar.model.result import COUNTRY_FIELDS, SIDES, CounterfactualResult

__all__ = ["SIDES", "COUNTRY_FIELDS", "headline_countries", "country_table", "result_document", "run_document",
           "focus_countries"]


SHOW_ALL_UP_TO = 15


def headline_countries(result: CounterfactualResult, focus: list[str] | None = None, others: int = 6) -> list[str]:
    """The countries to show: ``focus`` first, then those whose welfare moved most; every
    country of a small (aggregated) world, up to ``SHOW_ALL_UP_TO``.

    Parameters
    ----------
    result : CounterfactualResult
        The result.
    focus : list of str, optional
        Countries shown first.
    others : int, default 6
        How many more to show.

    Returns
    -------
    list of str
        The countries, in order.
    """
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
    """A rich table of the main effects for the given countries.

    Parameters
    ----------
    result : CounterfactualResult
        The result.
    countries : list of str
        The rows.
    title : str
        The table's title.

    Returns
    -------
    rich.table.Table
        Percent changes (coloured by sign) and the change of tariff revenue.
    """
    frame = result.country_table().loc[countries]
    table = Table(title=title)
    table.add_column("Country", no_wrap=True)
    headers = {
        "welfare_pct": "Welfare",
        "real_gdp_pct": "Real GDP",
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
    """The JSON document of a simulation (:meth:`CounterfactualResult.to_dict`; no bilateral rows
    unless ``pairs`` are given).

    Parameters
    ----------
    result : CounterfactualResult
        The result.
    scenario : str, optional
        The scenario's name.
    date : str, optional
        The policy date.
    pairs : list of tuple of str, optional
        (exporter, importer) pairs whose trade is shown.

    Returns
    -------
    dict
        The document.
    """
    return result.to_dict(scenario=scenario, date=date, pairs=pairs or [])


def focus_countries(run, countries: list[str] | None = None) -> list[str]:
    """The two sides, then the scenario's report countries (or ``countries``), present in the result.

    Parameters
    ----------
    run : ScenarioRun
        A solved scenario.
    countries : list of str, optional
        Countries instead of the scenario's.

    Returns
    -------
    list of str
        As :meth:`ScenarioRun.focus_countries`.
    """
    return run.focus_countries(countries)


def run_document(run) -> dict:
    """The JSON document of a solved scenario (``tradewar simulate --json``, the web API).

    Parameters
    ----------
    run : ScenarioRun
        A solved scenario.

    Returns
    -------
    dict
        :meth:`ScenarioRun.to_dict`.
    """
    return run.to_dict()
