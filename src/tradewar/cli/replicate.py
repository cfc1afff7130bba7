"""``tradewar replicate``: published experiments beside their published numbers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from tradewar.cli.common import console, fail
from tradewar.errors import TradewarError

replicate_app = typer.Typer(help="Re-run published experiments and compare with the published numbers.")


@replicate_app.command("cp2015")
def replicate_cp2015(
    data: Annotated[
        Path | None,
        typer.Option(
            help="Folder with the CP2015 replication files (default: $TRADEWAR_CP2015_DIR or ../shared/data/cp2015)."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Caliendo & Parro (2015) Table 2: welfare effects of NAFTA's tariff cuts, model vs paper."""
    from tradewar.replication.cp2015_nafta import replicate_table2

    try:
        if as_json:
            replication = replicate_table2(data)
        else:
            with console.status("Solving the 1993 world without deficits, then NAFTA's tariff cuts..."):
                replication = replicate_table2(data)
    except TradewarError as error:
        fail(error)
    report = replication.to_dict()
    if as_json:
        typer.echo(json.dumps(report, indent=2))
        return
    table = Table(title="Caliendo & Parro (2015), Table 2: NAFTA's tariff cuts, % change")
    table.add_column("", no_wrap=True)
    for header in ("Welfare", "ToT", "VoT", "Real wage"):
        table.add_column(f"{header}\nmodel (paper)", justify="right", no_wrap=True)
    table.add_column("Exact\nmodel", justify="right", no_wrap=True)
    columns = ("welfare_pct", "terms_of_trade_pct", "volume_of_trade_pct", "real_wage_pct")
    for row in report["rows"]:
        cells = []
        for column in columns:
            model, paper = row[column], row["published"][column]
            style = "green" if round(model, 2) == paper else "red"
            cells.append(f"[{style}]{model:.2f}[/] [dim]({paper:.2f})[/]")
        table.add_row(row["country"], *cells, f"{row['exact_welfare_pct']:.2f}")
    console.print(table)
    solver = report["solver"]
    verdict = (
        "[green]all numbers match the paper to two decimals[/]"
        if report["matches_published"]
        else "[red]some numbers differ from the paper[/]"
    )
    console.print(
        f"{verdict}.\nWelfare = ToT (terms of trade) + VoT (volume of trade), the paper's first-order "
        "measure (eq. 28); Exact = the model's exact change in real income (income over the price index).\n"
        f"Solver: {solver['iterations']} sweeps, residual {solver['residual']:.1e}, {solver['seconds']:.3f} s."
    )
