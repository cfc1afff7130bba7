"""Best responses and the tariff war's Nash equilibrium (iterated best responses)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import minimize

from tradewar.strategy.game import Instruments, TariffGame, tariff_instruments

__all__ = ["BestResponse", "WarResult", "best_response", "nash_war"]


@dataclass
class BestResponse:
    """A player's optimal instruments given everyone else's tariffs."""

    player: str
    labels: tuple[str, ...]
    values: np.ndarray
    welfare: float
    tariff: np.ndarray
    converged: bool
    message: str


def best_response(
    game: TariffGame,
    tariff: np.ndarray,
    instruments: Instruments,
    *,
    bounds: tuple[float, float] = (0.0, 5.0),
    tol: float = 1e-9,
) -> BestResponse:
    """Maximise the player's welfare over its instruments (L-BFGS-B with exact gradients)."""
    weights = game.weights_for(instruments.player)

    def objective(values: np.ndarray):
        value, gradient = game.welfare_and_gradient(instruments.apply(tariff, values), weights)
        return -value, -instruments.pullback(gradient)

    start = np.clip(instruments.values(tariff), *bounds)
    fit = minimize(objective, start, jac=True, method="L-BFGS-B", bounds=[bounds] * len(start),
                   options={"ftol": tol, "gtol": 1e-8, "maxiter": 200})
    best = instruments.apply(tariff, fit.x)
    return BestResponse(instruments.player, instruments.labels, fit.x, float(-fit.fun), best, bool(fit.success),
                        str(fit.message))


@dataclass
class WarResult:
    """The path of a tariff war and where it ends."""

    players: tuple[str, ...]
    rounds: list[dict] = field(default_factory=list)
    tariff: np.ndarray | None = None
    start_tariff: np.ndarray | None = None
    converged: bool = False
    instruments: dict[str, Instruments] = field(default_factory=dict)
    welfare_start: np.ndarray | None = None
    welfare_end: np.ndarray | None = None
    countries: tuple[str, ...] = ()

    def tariffs(self) -> dict:
        """Each player's equilibrium tariffs, in percent: {player: {partner: pct} or {partner: {sector: pct}}}."""
        table: dict = {}
        for player, instruments in self.instruments.items():
            values = instruments.values(self.tariff)
            entry: dict = {}
            for label, value in zip(instruments.labels, values, strict=True):
                if ":" in label:
                    partner, sector = label.split(":", 1)
                    entry.setdefault(partner, {})[sector] = 100 * float(value)
                else:
                    entry[label] = 100 * float(value)
            table[player] = entry
        return table

    def welfare_pct(self) -> dict[str, float]:
        """Every country's welfare at the end of the war relative to the start, percent."""
        return {c: 100 * float(e / s - 1) for c, s, e in zip(self.countries, self.welfare_start, self.welfare_end,
                                                            strict=True)}


def nash_war(
    game: TariffGame,
    players: Sequence[str],
    *,
    targets: dict[str, Sequence[str]] | None = None,
    by_sector: bool = False,
    start: np.ndarray | None = None,
    bounds: tuple[float, float] = (0.0, 5.0),
    max_rounds: int = 30,
    tol: float = 1e-4,
    on_round: Callable[[int, dict], None] | None = None,
) -> WarResult:
    """Iterated best responses until no player changes a tariff by more than ``tol``.

    Each player sets its tariffs on the other players (``targets`` can say otherwise),
    uniform or by sector; countries that are not players keep their tariffs.
    """
    tariff = (game.world.tariff.values if start is None else np.asarray(start, dtype=float)).copy()
    instruments = {
        player: tariff_instruments(
            game.world, player,
            (targets or {}).get(player, [p for p in players if p != player]),
            by_sector=by_sector,
        )
        for player in players
    }
    war = WarResult(players=tuple(players), start_tariff=tariff.copy(), instruments=instruments,
                    countries=tuple(game.countries))
    war.welfare_start = game.welfare(tariff)
    for round_number in range(1, max_rounds + 1):
        largest_change = 0.0
        record = {"round": round_number}
        for player in players:
            before = instruments[player].values(tariff)
            response = best_response(game, tariff, instruments[player], bounds=bounds)
            tariff = response.tariff
            largest_change = max(largest_change, float(np.max(np.abs(response.values - before))))
            record[player] = {label: 100 * float(v) for label, v in zip(response.labels, response.values, strict=True)}
        welfare = game.welfare(tariff)
        record["welfare_pct"] = {c: 100 * float(w / s - 1) for c, w, s in zip(game.countries, welfare,
                                                                              war.welfare_start, strict=True)}
        record["largest_change_pct"] = 100 * largest_change
        war.rounds.append(record)
        if on_round is not None:
            on_round(round_number, record)
        if largest_change < tol:
            war.converged = True
            break
    war.tariff = tariff
    war.welfare_end = game.welfare(tariff)
    return war
