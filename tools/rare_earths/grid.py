"""How a Chinese rare-earth ban on the U.S., and China's rare-earth card in talks, move with the
two elasticities nobody has measured well: sigma (substitution between rare earths and the rest
of a user's inputs) and eta (how fast capacity outside China expands).

For each (sigma, eta) the shipped ``rare-earths`` split (its theta, shares and U.S. purchases
kept) is given that sigma for its users and that eta (the gross-output supply elasticity of the
capacity nest) outside China, every other sector at a named elasticity set and horizon (default:
fontagne2022 at the short horizon, what the ``rare-earth-ban`` scenario names), and the ban is
solved (the ``rare-earth-ban`` scenario: against the no-war baseline): U.S. and Chinese welfare, the
real output of U.S. users (the largest loss, and the sum in USD mn), and the U.S./China price
gap of the product. With ``--leverage`` each cell also runs the talks (``negotiate USA CHN``
from london-2025 on the compact world, threat = status quo, 3 frontier points, no purchases:
about 20-80 s a cell; the talks run at the shipped default elasticities, the cell's sigma and
eta at every horizon) and reports the card's leverage: how much the bargain moves, in
percentage points of each side's welfare, when China's card leaves the threat point.

Run from the repository root (the shipped short-run point is sigma 0.1, eta 0.2; medium 0.41, 2.33)::

    python -m tools.rare_earths.grid                      # ban effects, 4 x 4, a few seconds
    python -m tools.rare_earths.grid --horizon medium --sigma 0.1,0.41,1 --eta 0.2,2.33,inf
    python -m tools.rare_earths.grid --leverage --sigma 0.1,1 --eta 0.2,inf   # + talks
"""

from __future__ import annotations

import argparse
import math
import re
import tempfile
from importlib import resources
from pathlib import Path

import numpy as np

from tradewar.model.counterfactual import simulate
from tradewar.world.elasticities import with_default_elasticities
from tradewar.world.library import load_world
from tradewar.world.splits import SPLIT_HORIZONS, apply_split, load_split

PRODUCT = "Rare earths"


def _floats(text: str) -> list[float]:
    return [math.inf if item.strip() == "inf" else float(item) for item in text.split(",")]


def ban_effects(world_name: str, sigmas: list[float], etas: list[float], thetas: list[float | None] = (None,),
                elasticities: str = "fontagne2022", horizon: str = "short") -> list[dict]:
    """The ban's effects for each (theta, sigma, eta), on ``world_name`` with the shipped split
    (``theta=None``: the split's own), every other sector at ``elasticities`` and ``horizon``."""
    spec = load_split("rare-earths")
    base = apply_split(with_default_elasticities(load_world(world_name), elasticities, horizon), "rare-earths")
    users = [u for u in spec["critical_input"]["users"] if u in base.sectors]
    countries, k = base.countries, base.sectors.index(PRODUCT)
    usa, chn = countries.index("USA"), countries.index("CHN")
    ban = base.export_tax.values.copy()
    ban[usa, chn, k] = np.inf
    rows = []
    for theta, sigma, eta in [(t, s, e) for t in thetas for s in sigmas for e in etas]:
        world = base
        if theta is not None:
            trade_elasticity = base.trade_elasticity.values.copy()
            trade_elasticity[k] = theta
            world = base.replace(trade_elasticity=trade_elasticity)
        world = world.with_critical_inputs(PRODUCT, sigma, users=users).with_scarce_supply(
            PRODUCT, eta, exclude=["CHN"])
        data = simulate(world, export_tax=ban).data
        price = data["price"].sel(sector=PRODUCT)
        real = (data["output"] / data["unit_cost"]).sel(country="USA", sector=users)
        loss = (data["output_baseline"].sel(country="USA", sector=users) * (1 - real)).sum()
        worst = int(np.argmin(real.values))
        rows.append({
            "theta": float(world.trade_elasticity.values[k]), "sigma": sigma, "eta": eta,
            "usa_welfare_pct": 100 * (float(data["welfare"].sel(country="USA")) - 1),
            "chn_welfare_pct": 100 * (float(data["welfare"].sel(country="CHN")) - 1),
            "worst_user": users[worst], "worst_user_real_output_pct": 100 * (float(real.values[worst]) - 1),
            "users_real_loss_usd_mn": float(loss),
            "price_gap": float(price.sel(country="USA") / price.sel(country="CHN")),
        })
    return rows


def _split_file(folder: Path, theta: float, sigma: float, eta: float) -> str:
    """The shipped split with theta, and sigma and eta at every horizon, replaced (a temporary TOML file)."""
    text = Path(str(resources.files("tradewar") / "data" / "splits" / "rare-earths.toml")).read_text()
    text, count = re.subn(r"(?m)^trade_elasticity = [^\n]+", f"trade_elasticity = {theta!r}", text)
    assert count == 1, "trade_elasticity = ... not found in rare-earths.toml"
    for table, value in (("critical_input.substitution", sigma), ("scarce_supply.supply_elasticity", eta)):
        values = "\n".join(f"{h} = {'inf' if math.isinf(value) else repr(value)}" for h in SPLIT_HORIZONS)
        pattern = rf"(\[{re.escape(table)}\]\s*\n)(?:(?:{'|'.join(SPLIT_HORIZONS)}) = [^\n]+\n)+"
        text, count = re.subn(pattern, lambda m, values=values: m.group(1) + values + "\n", text)
        assert count == 1, f"[{table}] short/medium/long = ... not found in rare-earths.toml"
    path = folder / f"rare-earths-t{theta}-s{sigma}-e{eta}.toml"
    path.write_text(text)
    return str(path)


def leverage(theta: float, sigma: float, eta: float, folder: Path) -> dict:
    """China's rare-earth card in the talks at (sigma, eta): bargain moves in pp of welfare."""
    from tradewar.strategy.negotiation import Card, negotiate

    card = Card("rare-earths", "CHN", "USA", PRODUCT, _split_file(folder, theta, sigma, eta))
    result = negotiate(["USA", "CHN"], threat="status-quo", cards=[card], points=3, purchases=False)
    moves = result.leverage["rare-earths"]["out_of_threat"]["moves_pp"]
    return {"leverage_usa_pp": moves["USA"], "leverage_chn_pp": moves["CHN"]}


def markdown(rows: list[dict]) -> str:
    columns = ["theta", "sigma", "eta", "U.S. welfare %", "China welfare %", "worst U.S. user, real output %",
               "U.S. users' real loss, USD mn", "price gap (x)"]
    with_leverage = "leverage_chn_pp" in rows[0]
    if with_leverage:
        columns += ["card out of threat: U.S. pp", "China pp"]
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for row in rows:
        cells = [f"{row['theta']:g}", f"{row['sigma']:g}", "inf" if math.isinf(row["eta"]) else f"{row['eta']:g}",
                 f"{row['usa_welfare_pct']:+.4f}", f"{row['chn_welfare_pct']:+.4f}",
                 f"{row['worst_user']} {row['worst_user_real_output_pct']:+.2f}",
                 f"{row['users_real_loss_usd_mn']:,.0f}", f"{row['price_gap']:.2f}"]
        if with_leverage:
            cells += [f"{row['leverage_usa_pp']:+.4f}", f"{row['leverage_chn_pp']:+.4f}"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--world", default="wiod2011")
    parser.add_argument("--sigma", default="0.05,0.1,0.3,1", help="comma-separated sigmas (1 = Cobb-Douglas)")
    parser.add_argument("--eta", default="0.1,0.2,1,inf", help="comma-separated etas (inf = constant cost)")
    parser.add_argument("--theta", default=None, help="comma-separated trade elasticities (default: the split's)")
    parser.add_argument("--elasticities", default="fontagne2022", help="the other sectors' elasticity set")
    parser.add_argument("--horizon", default="short", help="the other sectors' horizon (the scenario's: short)")
    parser.add_argument("--leverage", action="store_true", help="also run the talks in each cell (slow)")
    args = parser.parse_args()
    thetas = _floats(args.theta) if args.theta else [None]
    rows = ban_effects(args.world, _floats(args.sigma), _floats(args.eta), thetas, args.elasticities, args.horizon)
    if args.leverage:
        with tempfile.TemporaryDirectory() as folder:
            for row in rows:
                row.update(leverage(row["theta"], row["sigma"], row["eta"], Path(folder)))
    print(markdown(rows))


if __name__ == "__main__":
    main()
