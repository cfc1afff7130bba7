"""Governments' objectives: welfare as a function of their tariffs, with exact gradients."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from tradewar.errors import ShockError
from tradewar.model.caliendo_parro import baseline_tariff_revenue, expenditure_scale, solve_equilibrium
from tradewar.model.counterfactual import simulate
from tradewar.model.result import CounterfactualResult
from tradewar.model.solver import SolverOptions
from tradewar.policy.validation import check_closure
from tradewar.strategy.differentiable import DifferentiableEquilibrium
from tradewar.world.world import World

__all__ = ["Instruments", "TariffGame", "tariff_instruments"]


@dataclass(frozen=True)
class Instruments:
    """A player's instruments: each sets the tariff on a group of cells to one value.

    Parameters
    ----------
    player : str
        The imposer.
    labels : tuple of str
        One label per instrument (a partner, or ``partner:sector``).
    masks : numpy.ndarray
        (instruments, importer, exporter, sector) boolean, disjoint.
    """

    player: str
    labels: tuple[str, ...]
    masks: np.ndarray  # (instruments, importer, exporter, sector), boolean, disjoint

    def values(self, tariff: np.ndarray) -> np.ndarray:
        """The instruments' current values: the mean tariff over each group's cells.

        Parameters
        ----------
        tariff : numpy.ndarray
            Tariffs (importer, exporter, sector).

        Returns
        -------
        numpy.ndarray
            One value per instrument.
        """
        return np.array([tariff[mask].mean() for mask in self.masks])

    def apply(self, tariff: np.ndarray, values: np.ndarray) -> np.ndarray:
        """``tariff`` with each instrument's cells set to its value in ``values``.

        Parameters
        ----------
        tariff : numpy.ndarray
            Tariffs (importer, exporter, sector).
        values : numpy.ndarray
            One value per instrument.

        Returns
        -------
        numpy.ndarray
            A copy of ``tariff``.
        """
        new = tariff.copy()
        for mask, value in zip(self.masks, values, strict=True):
            new[mask] = value
        return new

    def pullback(self, gradient: np.ndarray) -> np.ndarray:
        """The gradient with respect to the instruments from the one w.r.t. every cell.

        Parameters
        ----------
        gradient : numpy.ndarray
            (importer, exporter, sector) gradient.

        Returns
        -------
        numpy.ndarray
            The sum over each instrument's cells.
        """
        return np.array([gradient[mask].sum() for mask in self.masks])


def tariff_instruments(
    world: World, imposer: str, partners: Sequence[str] | None = None, *, by_sector: bool = False,
    sectors: Sequence[str] | None = None,
) -> Instruments:
    """``imposer``'s tariffs on ``partners`` (default: everyone else) in ``sectors`` (default: goods):
    one uniform instrument per partner, or one per partner and sector.

    Parameters
    ----------
    world : World
        The world.
    imposer : str
        The player.
    partners : sequence of str, optional
        The targeted exporters (default: every other country).
    by_sector : bool, default False
        One instrument per partner and sector instead of one per partner.
    sectors : sequence of str, optional
        The sectors covered (default: the world's goods).

    Returns
    -------
    Instruments
        The player's instruments.

    Raises
    ------
    tradewar.errors.ShockError
        If the imposer, a partner or a sector is unknown, or a partner is the imposer.
    """
    countries = world.countries
    if imposer not in countries:
        raise ShockError(f"Unknown country {imposer!r}; the world has {countries}.")
    partners = [c for c in countries if c != imposer] if partners is None else list(partners)
    unknown = [c for c in partners if c not in countries or c == imposer]
    if unknown:
        raise ShockError(f"Partners {unknown} are unknown or the imposer itself; the world has {countries}.")
    sectors = list(world.goods) if sectors is None else list(sectors)
    bad = [s for s in sectors if s not in world.sectors]
    if bad:
        raise ShockError(f"Unknown sectors {bad}; the world has {world.sectors}.")
    n, j = len(countries), len(world.sectors)
    i = countries.index(imposer)
    labels, masks = [], []
    for partner in partners:
        groups = [[s] for s in sectors] if by_sector else [sectors]
        for group in groups:
            mask = np.zeros((n, n, j), dtype=bool)
            mask[i, countries.index(partner), [world.sectors.index(s) for s in group]] = True
            masks.append(mask)
            labels.append(f"{partner}:{group[0]}" if by_sector else partner)
    return Instruments(imposer, tuple(labels), np.array(masks))


class TariffGame:
    """Welfare of every country as a function of the tariff tensor, on one world.

    Each evaluation solves the equilibrium (warm-started from the last one) and, when
    asked, differentiates welfare exactly through it.

    Parameters
    ----------
    world : World
        The world.
    deficits : {"fixed", "zero"}, default "fixed"
        The deficit closure ("zero" re-solves the world without deficits first).
    options : SolverOptions, optional
        Solver settings.
    export_tax : numpy.ndarray, optional
        Export taxes held fixed while tariffs move (None: the world's own).
    revenue : {"rebate", "deficit-reduction"}, default "rebate"
        The closure for tariff revenue.

    Raises
    ------
    tradewar.policy.validation.InputError
        If a closure is unknown.
    """

    def __init__(self, world: World, *, deficits: str = "fixed", options: SolverOptions | None = None,
                 export_tax: np.ndarray | None = None, revenue: str = "rebate"):
        check_closure(revenue, deficits)
        self.world = world.without_deficits(options) if deficits == "zero" else world
        self.deficits = deficits
        self.revenue = revenue  # the tariff-revenue closure, in the solver and the gradients alike
        self.options = options
        self.baseline = self.world.baseline()
        self.deficit = self.world.deficit.values
        self.ones = np.ones_like(self.world.tariff.values)
        self.differentiable = DifferentiableEquilibrium(
            self.baseline, self.deficit, expenditure_scale(self.baseline), self.world.income.values,
            baseline_tariff_revenue(self.baseline) if revenue == "deficit-reduction" else None,
        )
        # Export taxes held fixed while tariffs move (None: the world's own); a ban is ``inf``.
        self.export_tax = None if export_tax is None else np.asarray(export_tax, dtype=float)
        # Iceberg trade-cost ratios held fixed while tariffs move (None: unchanged); a control with
        # reach is an infinite cost on third countries' sales, with no revenue.
        self.trade_cost: np.ndarray | None = None
        # The adjoint solve for gradients need not be more accurate than the equilibrium it
        # differentiates: a hundredth of the solver's tolerance (1e-12 at the engine's default).
        solver_tol = options.tol if options is not None else 1e-10
        self.gradient_tol = min(max(solver_tol * 1e-2, 1e-12), 1e-10)
        self._cache: dict[bytes, object] = {}
        self._last_state = None
        self._counter = [0]  # shared with the games made by ``with_export_tax``

    @property
    def solves(self) -> int:
        """Equilibria solved so far (by this game and those sharing its cache)."""
        return self._counter[0]

    def with_export_tax(self, export_tax: np.ndarray | None, trade_cost: np.ndarray | None = None) -> TariffGame:
        """The same game with other export taxes (and trade costs) held fixed (the cache and
        solver are shared).

        Parameters
        ----------
        export_tax : numpy.ndarray or None
            Export taxes (fractions; ``inf`` = a ban) by importer, exporter and sector, or
            None for the world's own.
        trade_cost : numpy.ndarray or None
            Iceberg trade-cost ratios new / baseline, same layout (``inf``: the flow is shut, with
            no revenue), or None for unchanged.

        Returns
        -------
        TariffGame
            A shallow copy.
        """
        game = copy.copy(self)
        game.export_tax = None if export_tax is None else np.asarray(export_tax, dtype=float)
        game.trade_cost = None if trade_cost is None else np.asarray(trade_cost, dtype=float)
        return game

    @property
    def countries(self) -> list[str]:
        """The world's country labels (the order of welfare vectors)."""
        return self.world.countries

    def equilibrium(self, tariff: np.ndarray, export_tax: np.ndarray | None = None,
                    trade_cost: np.ndarray | None = None):
        """The solved equilibrium at these tariffs, export taxes and trade costs (cached by value).

        Parameters
        ----------
        tariff : numpy.ndarray
            Tariffs (importer, exporter, sector).
        export_tax : numpy.ndarray, optional
            Export taxes (default: the game's).
        trade_cost : numpy.ndarray, optional
            Trade-cost ratios new / baseline (default: the game's).

        Returns
        -------
        Equilibrium
            The equilibrium (the 256 latest are cached).
        """
        export_tax = self.export_tax if export_tax is None else export_tax
        trade_cost = self.trade_cost if trade_cost is None else trade_cost
        key = np.ascontiguousarray(tariff).tobytes() + (
            b"" if export_tax is None else np.ascontiguousarray(export_tax).tobytes()
        ) + (b"" if trade_cost is None else b"d" + np.ascontiguousarray(trade_cost).tobytes())
        if key not in self._cache:
            self._counter[0] += 1
            costs = self.ones if trade_cost is None else trade_cost
            try:
                solved = solve_equilibrium(self.baseline, tariff, costs, self.deficit, self.options,
                                           export_tax_new=export_tax, initial_state=self._last_state,
                                           revenue=self.revenue)
            except Exception:
                if self._last_state is None:
                    raise
                solved = solve_equilibrium(self.baseline, tariff, costs, self.deficit, self.options,
                                           export_tax_new=export_tax, revenue=self.revenue)
            self._last_state = solved.state
            if len(self._cache) >= 256:  # forget the oldest (talks revisit recent points often)
                self._cache.pop(next(iter(self._cache)))
            self._cache[key] = solved
        return self._cache[key]

    def welfare(self, tariff: np.ndarray, export_tax: np.ndarray | None = None,
                trade_cost: np.ndarray | None = None) -> np.ndarray:
        """Real income of every country relative to the world's baseline (1 = unchanged).

        Parameters
        ----------
        tariff : numpy.ndarray
            Tariffs (importer, exporter, sector).
        export_tax : numpy.ndarray, optional
            Export taxes (default: the game's).
        trade_cost : numpy.ndarray, optional
            Trade-cost ratios new / baseline (default: the game's).

        Returns
        -------
        numpy.ndarray
            Welfare by country.
        """
        export_tax = self.export_tax if export_tax is None else export_tax
        trade_cost = self.trade_cost if trade_cost is None else trade_cost
        return self.differentiable.welfare(self.equilibrium(tariff, export_tax, trade_cost).state, tariff, export_tax,
                                           trade_cost)

    def welfare_and_gradient(self, tariff: np.ndarray, weights: np.ndarray, export_tax: np.ndarray | None = None,
                             trade_cost: np.ndarray | None = None):
        """``weights . welfare`` and its gradient with respect to every tariff cell (and, when
        ``export_tax`` is given, a third item: the gradient with respect to every export tax;
        when ``trade_cost`` is given too, a fourth: with respect to every trade-cost ratio).

        Parameters
        ----------
        tariff : numpy.ndarray
            Tariffs (importer, exporter, sector).
        weights : numpy.ndarray
            Welfare weights by country.
        export_tax : numpy.ndarray, optional
            Export taxes; given, their gradient is returned too (default: the game's, no
            gradient).
        trade_cost : numpy.ndarray, optional
            Trade-cost ratios; given (with ``export_tax``), their gradient is returned too.

        Returns
        -------
        tuple
            ``(value, gradient_tariff)``, ``(value, gradient_tariff, gradient_export_tax)`` or, with
            ``trade_cost``, ``(value, gradient_tariff, gradient_export_tax, gradient_trade_cost)``.
        """
        costs = self.trade_cost if trade_cost is None else trade_cost
        taxes = self.export_tax if export_tax is None else export_tax
        state = self.equilibrium(tariff, taxes, costs).state
        welfare, *grads = self.differentiable.welfare_and_gradient(state, tariff, weights, tol=self.gradient_tol,
                                                                  export_tax=taxes, trade_cost_hat=costs)
        value = float(np.dot(weights, welfare))
        if export_tax is None:
            return value, grads[0]
        return (value, grads[0], grads[1]) if trade_cost is None else (value, *grads)

    def weights_for(self, country: str) -> np.ndarray:
        """Welfare weights that select one country (1 for it, 0 for the others).

        Parameters
        ----------
        country : str
            The country.

        Returns
        -------
        numpy.ndarray
            The weights.
        """
        weights = np.zeros(len(self.countries))
        weights[self.countries.index(country)] = 1.0
        return weights

    def result(self, tariff: np.ndarray) -> CounterfactualResult:
        """The full result object for a tariff tensor (for tables and reports).

        Parameters
        ----------
        tariff : numpy.ndarray
            Tariffs (importer, exporter, sector).

        Returns
        -------
        CounterfactualResult
            The equilibrium with the game's export taxes and revenue closure.
        """
        return simulate(self.world, tariff=tariff, export_tax=self.export_tax, options=self.options,
                        revenue=self.revenue)
