"""Best responses and the tariff war's Nash equilibrium (iterated best responses)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import xarray as xr
from scipy.optimize import minimize

from tradewar.results import UNITS, ArrayResult, Summary, SummaryTable
from tradewar.strategy.game import Instruments, TariffGame, tariff_instruments

__all__ = ["BestResponse", "WarResult", "best_response", "nash_war"]


@dataclass(repr=False)
class BestResponse(ArrayResult):
    """A player's optimal instruments given everyone else's tariffs.

    ``values`` are the instruments' levels (ad valorem, fractions), labelled ``labels``
    (a partner, or ``partner:sector``); ``welfare`` is the player's real income relative
    to the game's baseline (1 = unchanged); ``tariff`` the whole tariff tensor with them.
    """

    player: str
    labels: tuple[str, ...]
    values: np.ndarray
    welfare: float
    tariff: np.ndarray
    converged: bool
    message: str
    countries: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()

    def to_frame(self, level: str = "instruments") -> pd.DataFrame:
        """One row per instrument: its label and its optimal level in percent."""
        if level != "instruments":
            raise ValueError(f"level must be 'instruments', not {level!r}.")
        return pd.DataFrame({"tariff_pct": 100 * np.asarray(self.values, dtype=float)},
                            index=pd.Index(list(self.labels), name="instrument"))

    def to_dict(self) -> dict:
        """The player, its optimal tariffs in percent by instrument, its welfare change and the optimiser's report."""
        return {"player": self.player,
                "tariffs_pct": {label: 100 * float(v) for label, v in zip(self.labels, self.values, strict=True)},
                "welfare_pct": 100 * (float(self.welfare) - 1), "converged": bool(self.converged),
                "message": self.message}

    def summary(self) -> Summary:
        """The player's welfare change and optimal tariffs (text and HTML)."""
        return Summary(f"Best response of {self.player}", header=[
            f"Welfare {100 * (self.welfare - 1):+.3f}% against the baseline; optimiser converged: {self.converged} "
            f"({self.message})."], tables=[SummaryTable("Optimal tariffs, %", self.to_frame(), digits=2)])

    def to_dataset(self) -> xr.Dataset:
        """The instruments' levels and the tariff tensor they give (labelled when the game's labels are known)."""
        tensor = np.asarray(self.tariff, dtype=float)
        coords = {"instrument": list(self.labels)}
        if self.countries and self.sectors:
            coords.update(importer=list(self.countries), exporter=list(self.countries), sector=list(self.sectors))
        return xr.Dataset(
            {"instrument_tariff": ("instrument", np.asarray(self.values, dtype=float), {"units": UNITS["rate"]}),
             "tariff": (("importer", "exporter", "sector"), tensor, {"units": UNITS["rate"]})},
            coords=coords,
            attrs={"player": self.player, "welfare": float(self.welfare), "converged": bool(self.converged),
                   "message": self.message},
        )


def best_response(
    game: TariffGame,
    tariff: np.ndarray,
    instruments: Instruments,
    *,
    bounds: tuple[float, float] = (0.0, 5.0),
    tol: float = 1e-9,
) -> BestResponse:
    """Maximise the player's welfare over its instruments (L-BFGS-B with exact gradients).

    Parameters
    ----------
    game : TariffGame
        The world and its differentiable equilibrium.
    tariff : numpy.ndarray
        Tariffs in force (importer, exporter, sector); the player's instruments start here.
    instruments : Instruments
        The player's instruments (:func:`~tradewar.strategy.game.tariff_instruments`).
    bounds : tuple of float
        Lower and upper bound of every instrument (fractions; default 0 to 500%).
    tol : float
        The optimiser's tolerance on the change of welfare.

    Returns
    -------
    BestResponse
        The optimal instrument values, the player's welfare and the tariffs with them applied.
    """
    weights = game.weights_for(instruments.player)

    def objective(values: np.ndarray):
        value, gradient = game.welfare_and_gradient(instruments.apply(tariff, values), weights)
        return -value, -instruments.pullback(gradient)

    start = np.clip(instruments.values(tariff), *bounds)
    fit = minimize(objective, start, jac=True, method="L-BFGS-B", bounds=[bounds] * len(start),
                   options={"ftol": tol, "gtol": 1e-8, "maxiter": 200})
    best = instruments.apply(tariff, fit.x)
    return BestResponse(instruments.player, instruments.labels, fit.x, float(-fit.fun), best, bool(fit.success),
                        str(fit.message), tuple(game.countries), tuple(game.world.sectors))


@dataclass(repr=False)
class WarResult(ArrayResult):
    """The path of a tariff war and where it ends.

    ``rounds``: one record per round of best responses (each player's instruments in
    percent, every country's welfare change from the start in percent, the largest
    tariff change in points); ``start_tariff`` and ``tariff``: the tariff tensors
    (fractions) at the start and the end; ``welfare_start`` / ``welfare_end``: every
    country's real income relative to the game's baseline; ``solves``: equilibrium
    solves the war took; ``world``: the game's world. :meth:`to_dict` is what
    ``tradewar war --json`` prints.
    """

    players: tuple[str, ...]
    rounds: list[dict] = field(default_factory=list)
    tariff: np.ndarray | None = None
    start_tariff: np.ndarray | None = None
    converged: bool = False
    instruments: dict[str, Instruments] = field(default_factory=dict)
    welfare_start: np.ndarray | None = None
    welfare_end: np.ndarray | None = None
    countries: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()
    world: str = ""
    elasticities: dict = field(default_factory=dict)  # {"elasticities": set, "horizon": horizon} of the world
    closure: dict = field(default_factory=dict)  # {"revenue": ..., "deficits": ...} of the game
    solves: int = 0

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

    # ------------------------------------------------------------------ results protocol
    def to_dict(self) -> dict:
        """What ``tradewar war --json`` prints."""
        return {
            "players": list(self.players),
            "rounds": self.rounds,
            "tariffs": self.tariffs(),
            "welfare_pct": self.welfare_pct(),
            "converged": self.converged,
            "solves": self.solves,
            "world": self.world,
            **self.elasticities,
            "closure": self.closure,
        }

    def to_frame(self, level: str = "tariffs") -> pd.DataFrame:
        """``"tariffs"``: each player's end tariffs in percent, index (player, partner, sector; "all"
        for a uniform tariff), with the start's; ``"welfare"``: every country's welfare change from
        the start, percent; ``"rounds"``: the largest tariff change (points) and every country's
        welfare change from the start (percent) after each round."""
        if level == "tariffs":
            rows = []
            for player, instruments in self.instruments.items():
                start, end = instruments.values(self.start_tariff), instruments.values(self.tariff)
                for label, before, after in zip(instruments.labels, start, end, strict=True):
                    partner, _, sector = label.partition(":")
                    rows.append((player, partner, sector or "all", 100 * float(before), 100 * float(after)))
            frame = pd.DataFrame(rows, columns=["player", "partner", "sector", "start_pct", "end_pct"])
            return frame.set_index(["player", "partner", "sector"])
        if level == "welfare":
            return pd.DataFrame({"welfare_pct": self.welfare_pct()}).rename_axis("country")
        if level == "rounds":
            frame = pd.DataFrame([{"round": r["round"], "largest_change_pct": r["largest_change_pct"],
                                   **{f"welfare_pct_{c}": v for c, v in r["welfare_pct"].items()}}
                                  for r in self.rounds], columns=["round", "largest_change_pct",
                                                                  *(f"welfare_pct_{c}" for c in self.countries)])
            return frame.set_index("round")
        raise ValueError(f"level must be 'tariffs', 'welfare' or 'rounds', not {level!r}.")

    def summary(self) -> Summary:
        """The end tariffs (mean over sectors when set by sector) and every country's welfare change."""
        tariffs = self.to_frame("tariffs").groupby(level=["player", "partner"], sort=False).mean()
        welfare = self.to_frame("welfare").sort_values("welfare_pct")
        return Summary(
            f"Tariff war between {', '.join(self.players)} on {self.world}",
            header=[f"{len(self.rounds)} rounds of best responses, converged: {self.converged}, "
                    f"{self.solves} equilibrium solves."],
            tables=[SummaryTable("Tariffs at the start and the end of the war, % (mean over sectors)", tariffs, 2),
                    SummaryTable("Welfare at the end of the war vs the start, %", welfare)],
        )

    def to_dataset(self) -> xr.Dataset:
        """The tariff tensors at the start and the end, welfare, and the path's largest changes."""
        bil, c = ("importer", "exporter", "sector"), ("country",)
        welfare_change = 100 * (np.asarray(self.welfare_end) / np.asarray(self.welfare_start) - 1)
        return xr.Dataset(
            {
                "tariff_start": (bil, np.asarray(self.start_tariff, dtype=float), {"units": UNITS["rate"]}),
                "tariff_end": (bil, np.asarray(self.tariff, dtype=float), {"units": UNITS["rate"]}),
                "welfare_start": (c, np.asarray(self.welfare_start, dtype=float), {"units": UNITS["ratio"]}),
                "welfare_end": (c, np.asarray(self.welfare_end, dtype=float), {"units": UNITS["ratio"]}),
                "welfare_change": (c, welfare_change, {"units": UNITS["percent"]}),
                "largest_change": ("round", np.array([r["largest_change_pct"] for r in self.rounds], dtype=float),
                                   {"units": UNITS["points"]}),
            },
            coords={"importer": list(self.countries), "exporter": list(self.countries), "sector": list(self.sectors),
                    "country": list(self.countries), "round": [r["round"] for r in self.rounds]},
            attrs={"players": list(self.players), "world": self.world, "converged": self.converged,
                   "solves": self.solves},
        )


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

    Parameters
    ----------
    game : TariffGame
        The world and its differentiable equilibrium.
    players : sequence of str
        The players' country labels.
    targets : dict, optional
        Player -> the partners it taxes (default: every other player).
    by_sector : bool
        One tariff per partner and sector instead of one per partner.
    start : numpy.ndarray, optional
        Tariffs to start from (default: the world's baseline), e.g. a scenario's.
    bounds : tuple of float
        Lower and upper bound of every tariff (fractions).
    max_rounds : int
        Most rounds of best responses.
    tol : float
        Convergence: the largest tariff change in a round (fraction).
    on_round : callable, optional
        Called as ``on_round(round, record)`` after each round.

    Returns
    -------
    WarResult
        The rounds, the tariffs at the start and the end, welfare at the end against the start,
        and whether the war converged.
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
                    countries=tuple(game.countries), sectors=tuple(game.world.sectors), world=game.world.name,
                    elasticities={"elasticities": game.world.data.attrs.get("elasticities") or "world's own",
                                  "horizon": game.world.data.attrs.get("horizon") or "long",
                                  "labour": game.world.data.attrs.get("labour") or "mobile"},
                    closure={"revenue": game.revenue, "deficits": game.deficits})
    solves_before = game.solves
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
    war.solves = game.solves - solves_before
    return war
