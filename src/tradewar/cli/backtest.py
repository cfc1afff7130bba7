"""``tradewar backtest``: the model's predictions against what happened."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from tradewar.cli.common import console, fail
from tradewar.errors import TradewarError


def _ci(fit: dict, key: str) -> str:
    low, high = fit[f"{key}_ci95"]
    return f"{fit[key]:.2f} [{low:.2f}, {high:.2f}]"


def backtest(
    name: Annotated[str, typer.Argument(help="The backtest: trade-war-2019.")] = "trade-war-2019",
    elasticities: Annotated[str | None, typer.Option(
        help="Elasticity set: cp2015 or fontagne2022 (default: the shipped default, fontagne2022).")] = None,
    horizon: Annotated[str | None, typer.Option(
        help="Horizon: short (1 year), medium (5 years; the default) or long.")] = None,
    revenue: Annotated[str | None, typer.Option(help="Tariff revenue: rebate (default) or deficit-reduction.")] = None,
    deficits: Annotated[str | None, typer.Option(help="Deficits: fixed (default) or zero.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Compare the model with the observed change in China's share of U.S. imports, 2017 -> 2019."""
    from tradewar.backtest import run_backtest
    from tradewar.policy.validation import check_closure, check_elasticities
    from tradewar.world.elasticities import DEFAULT_ELASTICITIES

    try:
        check_elasticities(elasticities, horizon, names=("--elasticities", "--horizon"))
        check_closure(revenue, deficits, names=("--revenue", "--deficits"))
        elasticities = elasticities or DEFAULT_ELASTICITIES["elasticities"]
        horizon = horizon or DEFAULT_ELASTICITIES["horizon"]
        result = run_backtest(name, elasticities=elasticities, horizon=horizon, revenue=revenue or "rebate",
                              deficits=deficits or "fixed")
    except (TradewarError, NotImplementedError) as error:
        fail(error)
    if as_json:
        typer.echo(json.dumps(result.to_dict(), indent=2, default=float))
        return
    table = Table(title=f"{name}: change in log China share of U.S. imports, 2017 -> 2019 "
                        f"(elasticities {elasticities}, horizon {horizon}; tariffs averaged 2018-2019)")
    for column in ("Sector", "China share 2017 %", "observed 2019 %", "observed dlog", "model dlog"):
        table.add_column(column, justify="left" if column == "Sector" else "right")
    for row in result.sectors.itertuples():
        table.add_row(row.sector, f"{row.observed_share_before_pct:.1f}", f"{row.observed_share_after_pct:.1f}",
                      f"{row.observed_dlog_share:+.3f}", f"{row.predicted_dlog_share:+.3f}")
    aggregate = result.aggregate
    table.add_row("All goods", f"{aggregate['observed_share_before_pct']:.1f}",
                  f"{aggregate['observed_share_after_pct']:.1f}", f"{aggregate['observed_dlog_share']:+.3f}",
                  f"{aggregate['predicted_dlog_share']:+.3f}", style="bold")
    console.print(table)
    head, weighted = result.headline, result.headline["weighted_by_china_trade"]
    console.print(f"Headline (fixed in advance; {head['n_sectors']} sectors, equal weights, 95% bootstrap CI): "
                  f"slope {_ci(head, 'slope')}, correlation {_ci(head, 'correlation')}")
    console.print(f"Weighted by 2017 imports from China (added after the first run): slope {_ci(weighted, 'slope')}, "
                  f"correlation {_ci(weighted, 'correlation')}")
    console.print(
        f"Other suppliers' share of U.S. goods imports: +{aggregate['observed_other_suppliers_share_change_pp']:.1f}"
        f" pp observed, +{aggregate['predicted_other_suppliers_share_change_pp']:.1f} pp in the model (largest "
        "gains: "
        + ", ".join(f"{g['country']} {g['share_change_pp']:+.1f}" for g in aggregate["model_top_gainers_in_us_imports"])
        + ")"
    )
    for held in result.held_out.values():
        total = held["aggregate"]
        console.print(f"Held out, {held['what']}: all goods dlog {total['observed_dlog_share']:+.3f} observed, "
                      f"{total['predicted_dlog_share']:+.3f} model; slope {_ci(held, 'slope')}, "
                      f"weighted slope {held['weighted_by_china_trade']['slope']:.2f}")
    decision = result.to_dict()["default_choice"]
    choice = decision["choice"]
    console.print(f"Default of simulate, chosen with this backtest ({decision['decided_by']}): "
                  f"{choice['elasticities']} {choice['horizon']}, revenue {choice['revenue']}, deficits "
                  f"{choice['deficits']}; held out, China's side: rank {decision['held_out']['china_side_rank']} of "
                  f"{decision['held_out']['china_side_best_of']}, 2017-24: rank "
                  f"{decision['held_out']['later_2017_2024_rank']}.")
    console.print("Cannot control for: " + "; ".join(result.caveats) + ".")
