"""Trade talks: the Pareto frontier between two parties, the Nash bargaining solution
relative to a threat point, and the ranking of concrete deals."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize

from tradewar.strategy.game import Instruments, TariffGame, tariff_instruments

__all__ = ["Bargain", "FrontierPoint", "bilateral_instruments", "pareto_frontier", "nash_bargain", "rank_deals"]


@dataclass
class FrontierPoint:
    weight: float  # weight on the first party in the planner's objective
    tariffs_pct: dict[str, float]  # "A on B" -> pct
    welfare_pct: dict[str, float]  # party -> % vs the world's baseline


@dataclass
class Bargain:
    threat_pct: dict[str, float]
    tariffs_pct: dict[str, float]
    welfare_pct: dict[str, float]
    gains_pct: dict[str, float]  # over the threat point, percentage points
    tariff: np.ndarray
    feasible: bool = True  # False: no bilateral tariffs give both parties more than the threat point


def bilateral_instruments(game: TariffGame, a: str, b: str) -> tuple[Instruments, Instruments]:
    """Uniform tariffs on goods each way: ``a`` on ``b`` and ``b`` on ``a``."""
    return tariff_instruments(game.world, a, [b]), tariff_instruments(game.world, b, [a])


def _joint(game, base, first, second):
    """Apply a two-vector (a's tariff on b, b's tariff on a) to the base tariffs."""

    def tariff_of(x):
        return second.apply(first.apply(base, x[:1]), x[1:])

    def pull(gradient):
        return np.concatenate([first.pullback(gradient), second.pullback(gradient)])

    return tariff_of, pull


def _label(a: str, b: str) -> str:
    return f"{a} on {b}"


def pareto_frontier(
    game: TariffGame, a: str, b: str, base: np.ndarray, *, points: int = 11, bounds=(0.0, 3.0)
) -> list[FrontierPoint]:
    """Efficient bilateral tariff pairs: maximise ``w W_a + (1 - w) W_b`` for weights ``w`` in [0, 1]."""
    first, second = bilateral_instruments(game, a, b)
    tariff_of, pull = _joint(game, base, first, second)
    i, k = game.countries.index(a), game.countries.index(b)
    frontier, start = [], np.zeros(2)
    for weight in np.linspace(0.0, 1.0, points):
        weights = np.zeros(len(game.countries))
        weights[i], weights[k] = weight, 1 - weight

        def objective(x, weights=weights):
            value, gradient = game.welfare_and_gradient(tariff_of(x), weights)
            return -value, -pull(gradient)

        fit = minimize(objective, start, jac=True, method="L-BFGS-B", bounds=[bounds, bounds])
        start = fit.x
        welfare = game.welfare(tariff_of(fit.x))
        frontier.append(FrontierPoint(
            float(weight),
            {_label(a, b): 100 * float(fit.x[0]), _label(b, a): 100 * float(fit.x[1])},
            {a: 100 * float(welfare[i] - 1), b: 100 * float(welfare[k] - 1)},
        ))
    return frontier


def nash_bargain(
    game: TariffGame, a: str, b: str, base: np.ndarray, threat: np.ndarray, *, bounds=(0.0, 3.0)
) -> Bargain:
    """The Nash bargaining solution over bilateral tariffs: maximise the product of both
    parties' gains over the threat point (``threat``: every country's welfare there)."""
    first, second = bilateral_instruments(game, a, b)
    tariff_of, pull = _joint(game, base, first, second)
    i, k = game.countries.index(a), game.countries.index(b)

    def objective(x):
        tariff = tariff_of(x)
        welfare = game.welfare(tariff)
        gains = welfare[[i, k]] - threat[[i, k]]
        if np.any(gains <= 0):
            # Outside the bargaining set: push back towards it (smoothly, with a gradient).
            _, grad_a = game.welfare_and_gradient(tariff, game.weights_for(a))
            _, grad_b = game.welfare_and_gradient(tariff, game.weights_for(b))
            penalty = sum(max(0.0, -g) for g in gains)
            direction = -(pull(grad_a) if gains[0] <= 0 else 0) - (pull(grad_b) if gains[1] <= 0 else 0)
            return 1e3 * penalty + 50.0, 1e3 * direction
        weights = np.zeros(len(game.countries))
        weights[i], weights[k] = 1 / gains[0], 1 / gains[1]
        _, gradient = game.welfare_and_gradient(tariff, weights)
        return -float(np.log(gains).sum()), -pull(gradient)

    # Start inside the bargaining set when a coarse grid finds it (the product of gains is
    # only defined there).
    grid = [np.array([x, y]) for x in (0.0, 0.05, 0.1, 0.2, 0.4) for y in (0.0, 0.05, 0.1, 0.2, 0.4)]
    products = []
    for point in grid:
        welfare = game.welfare(tariff_of(point))
        gains = welfare[[i, k]] - threat[[i, k]]
        products.append(np.prod(gains) if np.all(gains > 0) else -np.inf)
    start = grid[int(np.argmax(products))] if np.isfinite(max(products)) else np.zeros(2)
    fit = minimize(objective, start, jac=True, method="L-BFGS-B", bounds=[bounds, bounds])
    tariff = tariff_of(fit.x)
    welfare = game.welfare(tariff)
    feasible = bool(np.all(welfare[[i, k]] - threat[[i, k]] > 0))
    return Bargain(
        threat_pct={a: 100 * float(threat[i] - 1), b: 100 * float(threat[k] - 1)},
        tariffs_pct={_label(a, b): 100 * float(fit.x[0]), _label(b, a): 100 * float(fit.x[1])},
        welfare_pct={a: 100 * float(welfare[i] - 1), b: 100 * float(welfare[k] - 1)},
        gains_pct={a: 100 * float(welfare[i] - threat[i]), b: 100 * float(welfare[k] - threat[k])},
        tariff=tariff,
        feasible=feasible,
    )


def rank_deals(evaluated: Sequence[dict], a: str, b: str, status_quo: dict[str, float]) -> list[dict]:
    """Deals (each with ``welfare_pct`` for both parties) ranked by their joint gain over the
    status quo, flagged where both prefer the deal."""
    ranked = []
    for deal in evaluated:
        gains = {party: deal["welfare_pct"][party] - status_quo[party] for party in (a, b)}
        ranked.append({**deal, "gains_pct": gains, "both_prefer": all(g > 0 for g in gains.values())})
    return sorted(ranked, key=lambda d: -(d["gains_pct"][a] + d["gains_pct"][b]))
