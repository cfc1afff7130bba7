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


@dataclass
class _PolicySpace:
    """Bilateral tariffs each way plus optional export-control levels (cards), as one vector.

    A negative tariff floor lets the importer subsidise purchases: in this model a
    purchase commitment is met by exactly such a subsidy, so the space covers
    commitments too.
    """

    game: TariffGame
    base: np.ndarray
    first: Instruments
    second: Instruments
    cards: tuple[tuple[str, np.ndarray], ...] = ()

    def tariff(self, x):
        return self.second.apply(self.first.apply(self.base, x[:1]), x[1:2])

    def export_tax(self, x):
        if not self.cards:
            return None
        tax = self.game.differentiable.export_tax0.copy()
        for (_, mask), level in zip(self.cards, x[2:], strict=True):
            tax[mask] = level
        return tax

    def welfare(self, x):
        return self.game.welfare(self.tariff(x), self.export_tax(x))

    def value_and_gradient(self, x, weights):
        if not self.cards:
            value, grad_t = self.game.welfare_and_gradient(self.tariff(x), weights)
            return value, np.concatenate([self.first.pullback(grad_t), self.second.pullback(grad_t)])
        value, grad_t, grad_x = self.game.welfare_and_gradient(self.tariff(x), weights, self.export_tax(x))
        cards = [grad_x[mask].sum() for _, mask in self.cards]
        return value, np.concatenate([self.first.pullback(grad_t), self.second.pullback(grad_t), cards])

    def describe(self, x, a, b) -> dict[str, float]:
        policy = {_label(a, b): 100 * float(x[0]), _label(b, a): 100 * float(x[1])}
        policy.update({f"{name} (export tax, %)": 100 * float(level) for (name, _), level in zip(self.cards, x[2:],
                                                                                               strict=True)})
        return policy


def _label(a: str, b: str) -> str:
    return f"{a} on {b}"


def pareto_frontier(
    game: TariffGame, a: str, b: str, base: np.ndarray, *, points: int = 11, bounds=(0.0, 3.0),
    cards: Sequence[tuple[str, np.ndarray]] = (), card_bounds=(0.0, 2.0),
) -> list[FrontierPoint]:
    """Efficient policies: maximise ``w W_a + (1 - w) W_b`` for weights ``w`` in [0, 1] over
    tariffs each way and (optionally) the export-control levels of ``cards``."""
    first, second = bilateral_instruments(game, a, b)
    space = _PolicySpace(game, base, first, second, tuple(cards))
    i, k = game.countries.index(a), game.countries.index(b)
    frontier, start = [], np.zeros(2 + len(cards))
    limits = [bounds, bounds] + [card_bounds] * len(cards)
    for weight in np.linspace(0.0, 1.0, points):
        weights = np.zeros(len(game.countries))
        weights[i], weights[k] = weight, 1 - weight

        def objective(x, weights=weights):
            value, gradient = space.value_and_gradient(x, weights)
            return -value, -gradient

        fit = minimize(objective, start, jac=True, method="L-BFGS-B", bounds=limits)
        start = fit.x
        welfare = space.welfare(fit.x)
        frontier.append(FrontierPoint(
            float(weight), space.describe(fit.x, a, b),
            {a: 100 * float(welfare[i] - 1), b: 100 * float(welfare[k] - 1)},
        ))
    return frontier


def nash_bargain(
    game: TariffGame, a: str, b: str, base: np.ndarray, threat: np.ndarray, *, bounds=(0.0, 3.0),
    cards: Sequence[tuple[str, np.ndarray]] = (), card_bounds=(0.0, 2.0),
) -> Bargain:
    """The Nash bargaining solution: maximise the product of both parties' gains over the
    threat point (``threat``: every country's welfare there), over tariffs each way and
    (optionally) the export-control levels of ``cards``."""
    first, second = bilateral_instruments(game, a, b)
    space = _PolicySpace(game, base, first, second, tuple(cards))
    i, k = game.countries.index(a), game.countries.index(b)
    limits = [bounds, bounds] + [card_bounds] * len(cards)

    def objective(x):
        welfare = space.welfare(x)
        gains = welfare[[i, k]] - threat[[i, k]]
        if np.any(gains <= 0):
            # Outside the bargaining set: push back towards it (smoothly, with a gradient).
            penalty, direction = 50.0, np.zeros(len(x))
            for party, gain in zip((a, b), gains, strict=True):
                if gain <= 0:
                    _, gradient = space.value_and_gradient(x, game.weights_for(party))
                    penalty += -1e3 * gain
                    direction -= 1e3 * gradient
            return penalty, direction
        weights = np.zeros(len(game.countries))
        weights[i], weights[k] = 1 / gains[0], 1 / gains[1]
        _, gradient = space.value_and_gradient(x, weights)
        return -float(np.log(gains).sum()), -gradient

    # Start inside the bargaining set when a coarse grid finds it (the product of gains is
    # only defined there); cards start lifted.
    grid = [np.array([x, y, *([0.0] * len(cards))]) for x in (0.0, 0.05, 0.1, 0.2, 0.4)
            for y in (0.0, 0.05, 0.1, 0.2, 0.4)]
    products = []
    for point in grid:
        gains = space.welfare(point)[[i, k]] - threat[[i, k]]
        products.append(np.prod(gains) if np.all(gains > 0) else -np.inf)
    start = grid[int(np.argmax(products))] if np.isfinite(max(products)) else np.zeros(2 + len(cards))
    fit = minimize(objective, start, jac=True, method="L-BFGS-B", bounds=limits)
    welfare = space.welfare(fit.x)
    feasible = bool(np.all(welfare[[i, k]] - threat[[i, k]] > 0))
    return Bargain(
        threat_pct={a: 100 * float(threat[i] - 1), b: 100 * float(threat[k] - 1)},
        tariffs_pct=space.describe(fit.x, a, b),
        welfare_pct={a: 100 * float(welfare[i] - 1), b: 100 * float(welfare[k] - 1)},
        gains_pct={a: 100 * float(welfare[i] - threat[i]), b: 100 * float(welfare[k] - threat[k])},
        tariff=space.tariff(fit.x),
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
