"""Time the strategic computations (run by hand, not in the test suite).

    python benchmarks/bench_strategy.py

The U.S.-China Nash tariff war on the default world aggregated to 13 regions, with
one tariff per partner and with tariffs by sector (16 goods), and a 4-player war
(USA, CHN, EU27, JPN) with uniform tariffs on each other.
"""

from __future__ import annotations

import platform
import time

import numpy as np

from tradewar import load_world
from tradewar.strategy import TariffGame, nash_war


def main() -> None:
    world = load_world().aggregate(regions="compact")
    print(f"machine: {platform.machine()}, Python {platform.python_version()}, numpy {np.__version__}")
    for label, players, by_sector in (
        ("USA-CHN, uniform", ["USA", "CHN"], False),
        ("USA-CHN, by sector (16 goods)", ["USA", "CHN"], True),
        ("USA-CHN-EU27-JPN, uniform", ["USA", "CHN", "EU27", "JPN"], False),
    ):
        game = TariffGame(world)
        game.welfare_and_gradient(world.tariff.values, game.weights_for("USA"))  # compile JAX once
        start = time.perf_counter()
        war = nash_war(game, players, by_sector=by_sector)
        seconds = time.perf_counter() - start
        print(f"{label:32s} {seconds:7.2f} s   rounds {len(war.rounds):2d}   equilibrium solves {game.solves:4d}"
              f"   converged {war.converged}")


if __name__ == "__main__":
    main()
