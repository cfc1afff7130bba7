"""Trade talks: the Pareto frontier between two parties, the Nash bargaining solution
relative to a threat point, and the ranking of concrete deals.

Every policy here is a point of one space: the starting policy (``base`` tariffs and
``export_tax``) with only the two parties' instruments on each other changed, namely a
uniform tariff level on each other's goods and, optionally, the export-tax level of
each card (an export control one party holds against the other).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import minimize

from tradewar.strategy.game import Instruments, TariffGame, tariff_instruments

__all__ = ["Bargain", "FrontierPoint", "PolicySpace", "bilateral_instruments", "nash_bargain", "pareto_frontier",
           "rank_deals"]

_AT_BOUND = 1e-6  # an instrument within this (fraction) of a bound is reported at it


@dataclass
class FrontierPoint:
    """A point of the Pareto frontier: the policy that maximises ``weight`` times the first
    party's welfare plus ``1 - weight`` times the second's, and what each gets."""

    weight: float  # weight on the first party in the planner's objective
    tariffs_pct: dict[str, float]  # instrument label ("A on B", card) -> level, percent
    welfare_pct: dict[str, float]  # party -> % vs the world's baseline
    at_bound: tuple[str, ...] = ()  # instruments at a bound of their range
    x: np.ndarray | None = field(default=None, repr=False)


@dataclass
class Bargain:
    """The Nash bargain: the policy that maximises the product of the parties' gains over the
    threat point (``feasible`` is False where no policy gives both more than the threat)."""

    threat_pct: dict[str, float]
    tariffs_pct: dict[str, float]
    welfare_pct: dict[str, float]
    gains_pct: dict[str, float]  # over the threat point, percentage points
    tariff: np.ndarray
    feasible: bool = True  # False: no policy in the space gives both parties more than the threat point
    at_bound: tuple[str, ...] = ()
    x: np.ndarray | None = field(default=None, repr=False)
    export_tax: np.ndarray | None = field(default=None, repr=False)


def bilateral_instruments(game: TariffGame, a: str, b: str) -> tuple[Instruments, Instruments]:
    """Uniform tariffs on goods each way: ``a`` on ``b`` and ``b`` on ``a``."""
    return tariff_instruments(game.world, a, [b]), tariff_instruments(game.world, b, [a])


def _label(a: str, b: str) -> str:
    return f"{a} on {b}"


@dataclass
class PolicySpace:
    """Bilateral tariff levels each way plus optional export-tax levels (cards), as one vector
    ``x = [a on b, b on a, card levels...]`` (fractions).

    Everything else stays at the starting policy (``base`` tariffs, ``export_tax``). A
    negative tariff floor lets the importer subsidise purchases: in this model a purchase
    commitment is met by exactly such a subsidy, so the space covers commitments too.
    """

    game: TariffGame
    a: str
    b: str
    base: np.ndarray
    export_tax: np.ndarray | None = None
    cards: tuple[tuple[str, np.ndarray], ...] = ()
    bounds: tuple[float, float] = (0.0, 3.0)
    card_bounds: tuple[tuple[float, float], ...] | None = None  # one range per card; default (0, 2) each

    def __post_init__(self):
        self.first, self.second = bilateral_instruments(self.game, self.a, self.b)
        if self.card_bounds is None:
            self.card_bounds = ((0.0, 2.0),) * len(self.cards)
        self.tax0 = (np.zeros_like(self.base) if self.export_tax is None
                     else np.asarray(self.export_tax, dtype=float))
        self.index = (self.game.countries.index(self.a), self.game.countries.index(self.b))

    @property
    def limits(self) -> list[tuple[float, float]]:
        """Bounds of each instrument: the two tariffs, then each card's export tax."""
        return [self.bounds, self.bounds, *self.card_bounds]

    @property
    def labels(self) -> list[str]:
        """Names of the instruments, in the order of ``x``."""
        return [_label(self.a, self.b), _label(self.b, self.a)] + [f"{name} (export tax, %)" for name, _ in self.cards]

    def point(self, a_on_b: float, b_on_a: float, card_levels: Sequence[float] | None = None) -> np.ndarray:
        """A policy vector, clipped into the space's ranges."""
        levels = [0.0] * len(self.cards) if card_levels is None else list(card_levels)
        x = np.array([a_on_b, b_on_a, *levels], dtype=float)
        low, high = np.array(self.limits).T
        return np.clip(x, low, high)

    def tariff(self, x):
        """The tariff array of the policy ``x`` (the two uniform tariffs applied to the base)."""
        return self.second.apply(self.first.apply(self.base, x[:1]), x[1:2])

    def tax(self, x):
        """The export-tax array of the policy ``x`` (each card's level on its cells)."""
        tax = self.tax0.copy()
        for (_, mask), level in zip(self.cards, x[2:], strict=True):
            tax[mask] = level
        return tax

    def welfare(self, x):
        """Every country's welfare (ratio new/baseline) at the policy ``x``."""
        return self.game.welfare(self.tariff(x), self.tax(x))

    def value_and_gradient(self, x, weights):
        """Weighted welfare at ``x`` and its exact gradient with respect to each instrument."""
        value, grad_t, grad_x = self.game.welfare_and_gradient(self.tariff(x), weights, self.tax(x))
        cards = [grad_x[mask].sum() for _, mask in self.cards]
        return value, np.concatenate([self.first.pullback(grad_t), self.second.pullback(grad_t), cards])

    def describe(self, x) -> dict[str, float]:
        """The policy ``x`` by instrument label, in percent."""
        return {label: 100 * float(value) for label, value in zip(self.labels, x, strict=True)}

    def at_bound(self, x) -> tuple[str, ...]:
        """Instruments at a bound of their range (a card at 0 is lifted, not at a bound)."""
        flagged = []
        for n, (label, value, (low, high)) in enumerate(zip(self.labels, x, self.limits, strict=True)):
            near_low = value - low < _AT_BOUND and n < 2
            if high > low and (near_low or high - value < _AT_BOUND):
                flagged.append(label)
        return tuple(flagged)

    def pair_pct(self, welfare) -> dict[str, float]:
        """The two parties' welfare changes in percent, from a welfare vector (ratios)."""
        i, k = self.index
        return {self.a: 100 * float(welfare[i] - 1), self.b: 100 * float(welfare[k] - 1)}


def pareto_frontier(space: PolicySpace, *, points: int = 11) -> list[FrontierPoint]:
    """Efficient policies: maximise ``w W_a + (1 - w) W_b`` for weights ``w`` in [0, 1] over the
    space's instruments (L-BFGS-B, exact gradients, each point warm-started from the last)."""
    i, k = space.index
    frontier, start = [], space.point(0.0, 0.0)
    for weight in np.linspace(0.0, 1.0, points):
        weights = np.zeros(len(space.game.countries))
        weights[i], weights[k] = weight, 1 - weight

        def objective(x, weights=weights):
            value, gradient = space.value_and_gradient(x, weights)
            return -value, -gradient

        fit = minimize(objective, start, jac=True, method="L-BFGS-B", bounds=space.limits)
        start = fit.x
        frontier.append(FrontierPoint(float(weight), space.describe(fit.x), space.pair_pct(space.welfare(fit.x)),
                                      space.at_bound(fit.x), fit.x.copy()))
    return frontier


def nash_bargain(space: PolicySpace, threat: np.ndarray, *, starts: Sequence[np.ndarray] = ()) -> Bargain:
    """The Nash bargaining solution: maximise the product of both parties' gains over the
    threat point (``threat``: every country's welfare there) over the space's instruments.

    The search starts from the best of ``starts`` (policies already evaluated, e.g. the
    frontier and the deals) and a coarse grid: whenever one of them gives both parties
    more than the threat point, so does the bargain (the descent never leaves the
    bargaining set once inside it).
    """
    i, k = space.index
    a, b = space.a, space.b

    def objective(x):
        welfare = space.welfare(x)
        gains = welfare[[i, k]] - threat[[i, k]]
        if np.any(gains <= 0):
            # Outside the bargaining set: push back towards it (smoothly, with a gradient).
            penalty, direction = 50.0, np.zeros(len(x))
            for party, gain in zip((a, b), gains, strict=True):
                if gain <= 0:
                    _, gradient = space.value_and_gradient(x, space.game.weights_for(party))
                    penalty += -1e3 * gain
                    direction -= 1e3 * gradient
            return penalty, direction
        weights = np.zeros(len(space.game.countries))
        weights[i], weights[k] = 1 / gains[0], 1 / gains[1]
        _, gradient = space.value_and_gradient(x, weights)
        return -float(np.log(gains).sum()), -gradient

    grid = [space.point(x, y) for x in (0.0, 0.2) for y in (0.0, 0.2)]
    candidates = [space.point(*np.asarray(s)[:2], np.asarray(s)[2:]) for s in starts] + grid
    best, best_value = None, -np.inf
    for point in candidates:
        gains = space.welfare(point)[[i, k]] - threat[[i, k]]
        if np.all(gains > 0) and np.log(gains).sum() > best_value:
            best, best_value = point, float(np.log(gains).sum())
    start = best if best is not None else space.point(0.0, 0.0)
    fit = minimize(objective, start, jac=True, method="L-BFGS-B", bounds=space.limits)
    x = fit.x
    if best is not None and objective(x)[0] > -best_value:  # never worse than the best start
        x = best
    welfare = space.welfare(x)
    feasible = bool(np.all(welfare[[i, k]] - threat[[i, k]] > 0))
    return Bargain(
        threat_pct=space.pair_pct(threat),
        tariffs_pct=space.describe(x),
        welfare_pct=space.pair_pct(welfare),
        gains_pct={a: 100 * float(welfare[i] - threat[i]), b: 100 * float(welfare[k] - threat[k])},
        tariff=space.tariff(x),
        feasible=feasible,
        at_bound=space.at_bound(x),
        x=x.copy(),
        export_tax=space.tax(x),
    )


def rank_deals(evaluated: Sequence[dict], a: str, b: str, status_quo: dict[str, float],
               threat: dict[str, float] | None = None) -> list[dict]:
    """Deals (each with ``welfare_pct`` for both parties) ranked by their joint gain over the
    status quo, flagged where both prefer the deal to the status quo (and to the threat point)."""
    ranked = []
    for deal in evaluated:
        gains = {party: deal["welfare_pct"][party] - status_quo[party] for party in (a, b)}
        entry = {**deal, "gains_pct": gains, "both_prefer": all(g > 0 for g in gains.values())}
        if threat is not None:
            entry["both_prefer_to_threat"] = all(deal["welfare_pct"][p] > threat[p] for p in (a, b))
        ranked.append(entry)
    return sorted(ranked, key=lambda d: -(d["gains_pct"][a] + d["gains_pct"][b]))
