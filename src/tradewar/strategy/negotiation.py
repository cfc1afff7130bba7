"""Trade talks between two parties on one footing: ``negotiate`` and its result.

The footing is a scenario's measures on its date (in the chosen world, with its trade
elasticities and deficit closure). The status quo, the threat point, every deal, the
Pareto frontier and the Nash bargain are that starting policy with only the two
parties' instruments on each other changed: a uniform tariff level on each other's
goods and the level of each card (an export control one party holds against the
other). Third countries' tariffs and every other export tax stay as they start.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

import numpy as np
import pandas as pd

from tradewar.errors import ShockError
from tradewar.model.counterfactual import simulate
from tradewar.model.solver import SolverOptions
from tradewar.model.targets import solve_purchase_commitment
from tradewar.results import Result, Summary, SummaryTable
from tradewar.strategy.game import TariffGame
from tradewar.strategy.talks import Bargain, PolicySpace, nash_bargain, pareto_frontier, rank_deals
from tradewar.strategy.war import nash_war
from tradewar.world.world import World

__all__ = ["CARDS", "Card", "Footing", "NegotiationResult", "PHASE_ONE_COMPLIANCE", "negotiate",
           "negotiate_on_footing"]


@dataclass(frozen=True)
class Card:
    """An export control one party holds against the other: in play it is a ban (an
    infinite export tax) on ``holder``'s sales of ``sector`` (one sector or several) to
    ``target``; in a deal its level is an export-tax equivalent (0 = lifted).

    ``reach`` names third countries whose sales of the same products to ``target`` the
    control binds too (extraterritorial rules: the U.S. foreign-direct-product rules, the
    Dutch and Japanese tool controls of 2023, China's 2025 rare-earth rules). On their
    sales it is a trade cost with no revenue (an iceberg cost of the same level), not a
    tax they collect.

    Parameters
    ----------
    name : str
        The card's name (``rare-earths``, ``chip-tools``, ``chips``).
    holder : str
        The controlling exporter.
    target : str
        The importer it is played against.
    sector : str or tuple of str
        The controlled product's sector (or sectors).
    split : str, optional
        The critical-product split that carves ``sector`` out.
    description : str
        What it is, in words.
    reach : tuple of str
        Third countries whose sales to ``target`` the control binds (a trade cost, no revenue).
    by_default : bool, default True
        In play when the talks name no cards.
    """

    name: str
    holder: str
    target: str
    sector: str | tuple[str, ...]
    split: str | tuple[str, ...] | None = None  # the critical-product split(s) that carve the sectors out
    description: str = ""
    reach: tuple[str, ...] = ()
    by_default: bool = True  # in play when the talks name no cards

    @property
    def sectors(self) -> tuple[str, ...]:
        """The sectors the card withholds (one or several)."""
        return (self.sector,) if isinstance(self.sector, str) else tuple(self.sector)

    @property
    def splits(self) -> tuple[str, ...]:
        """The critical-product splits that carve the card's sectors out (none for a world's own sector)."""
        if self.split is None:
            return ()
        return (self.split,) if isinstance(self.split, str) else tuple(self.split)


CARDS: dict[str, Card] = {
    "rare-earths": Card("rare-earths", "CHN", "USA", "Rare earths", "rare-earths",
                        "China's ban on rare-earth exports to the United States"),
    # Not in play unless named: the split bans every sub-10 nm chip, while the 2022-25 rules bound
    # AI and supercomputing chips and named firms (phone chips made by TSMC for others still
    # reached China), so with near-Leontief users it overstates the card (see the README).
    "chips": Card("chips", "USA", "CHN", "Advanced chips", "advanced-chips",
                  "U.S. controls on advanced-chip exports to China, binding Taiwanese and Korean foundries' sales "
                  "to China too (the foreign-direct-product rule)", reach=("TWN", "KOR"), by_default=False),
    "chip-tools": Card("chip-tools", "USA", "CHN", ("Chip-making equipment", "Chip design software"),
                       ("chip-making-equipment", "chip-design-software"),
                       "U.S. controls on chip-making equipment and chip-design (EDA) software exports to China, "
                       "with the Dutch and Japanese tool controls aligned with them since 2023",
                       reach=("NLD", "JPN")),
}


@dataclass(frozen=True)
class PurchaseCategory:
    """A Phase One purchase category: its 2017 base, 2020 purchases and 2020 goal (USD).

    Parameters
    ----------
    name : str
        The category.
    sectors : tuple of str
        Sectors of the compact and WIOD worlds it covers ("*": other goods).
    base_2017 : float
        China's purchases of the category from the United States in 2017 (the base).
    actual_2020 : float
        Its purchases in 2020.
    goal_2020 : float
        The additional purchases over the 2017 base promised for 2020.
    """

    name: str
    sectors: tuple[str, ...]  # sectors of the compact and WIOD worlds it covers ("*": other goods)
    base_2017: float
    actual_2020: float
    goal_2020: float  # the additional purchases over the 2017 base promised for 2020

    @property
    def share_of_target(self) -> float:
        """2020 purchases over the 2020 target (base + goal)."""
        return self.actual_2020 / (self.base_2017 + self.goal_2020)

    @property
    def share_of_increase(self) -> float:
        """The increase over 2017 delivered in 2020, over the increase promised."""
        return (self.actual_2020 - self.base_2017) / self.goal_2020


# Phase One goods categories, from phaseone-goals.csv (mwaugh0328/tradewar-tracker, after
# Bown's PIIE "US-China phase one tracker"; USD; goal = Annex 6.1 additional purchases for
# 2020). Services had a commitment too (USD 12.8 bn for 2020) but no tariff instrument here.
PHASE_ONE_COMPLIANCE: tuple[PurchaseCategory, ...] = (
    PurchaseCategory("Manufactured goods", ("*",), 50_151_478_524.0, 52_298_007_318.0, 32_900_000_000.0),
    PurchaseCategory("Agriculture", ("Agriculture", "Food"), 20_969_792_856.0, 27_303_827_703.0, 12_500_000_000.0),
    PurchaseCategory("Energy", ("Mining", "Petroleum"), 7_649_222_398.0, 8_797_696_034.0, 18_500_000_000.0),
)
PHASE_ONE_SOURCES = (
    "2020 by category: phaseone-goals.csv (2017 base, 2020 actual, 2020 goal), mwaugh0328/tradewar-tracker, "
    "after Bown, 'US-China phase one tracker: China's purchases of US goods', PIIE (2020-2022).",
    "2020-21 final: China bought 58% of the covered U.S. exports it committed to buy (57% in the first "
    "release); agriculture reached 83% of its commitment. Bown, 'China bought none of the extra $200 billion "
    "of US exports in Trump's trade deal', PIIE Realtime Economics, February 2022 (revised).",
)


@dataclass
class Footing:
    """The starting policy every point of the talks shares, and where it comes from.

    Parameters
    ----------
    world : World
        The world the talks are solved on.
    tariff : numpy.ndarray
        (importer, exporter, sector) starting tariffs, fractions.
    export_tax : numpy.ndarray
        Starting export taxes, before any card is played.
    scenario : str, optional
        The scenario it comes from.
    on : datetime.date, optional
        The scenario's date.
    regions : str, optional
        The aggregation.
    splits : tuple of str
        The critical-product splits carved out.
    deficits : str, default "fixed"
        The deficit closure.
    elasticities, horizon : str, optional
        The elasticity set and horizon, as reported.
    revenue : str, default "rebate"
        The closure for tariff revenue.
    """

    world: World
    tariff: np.ndarray  # (importer, exporter, sector), fractions
    export_tax: np.ndarray  # fractions; before any card is played
    scenario: str | None = None
    on: date | None = None
    regions: str | None = None
    splits: tuple[str, ...] = ()
    deficits: str = "fixed"
    elasticities: str | None = None
    horizon: str | None = None
    revenue: str = "rebate"

    @classmethod
    def from_scenario(cls, scenario: str, *, world: str | None = None, regions: str | None = "compact",
                      splits: Sequence[str] = (), elasticities: str | None = None,
                      horizon: str | None = None, revenue: str | None = None,
                      deficits: str | None = None) -> Footing:
        """The measures of ``scenario`` on its date, in ``world`` (default: the scenario's),
        aggregated to ``regions`` and with the critical products of ``splits`` carved out;
        ``elasticities`` / ``horizon`` name a trade-elasticity set and horizon, ``revenue`` /
        ``deficits`` the closure (default the scenario's).

        Parameters
        ----------
        scenario : str
            A scenario's name or file.
        world : str, optional
            Another world.
        regions : str, optional, default "compact"
            The regional aggregation (None: the detailed world).
        splits : sequence of str
            Critical-product splits added to the scenario's.
        elasticities, horizon : str, optional
            A named elasticity set and horizon.
        revenue, deficits : str, optional
            The closure.

        Returns
        -------
        Footing
            The prepared starting policy.

        Raises
        ------
        tradewar.errors.TradewarError
            If a name is unknown or the scenario cannot be prepared (the subclass says which).
        """
        from tradewar.policy.library import load_scenario
        from tradewar.policy.scenario import AggregateSpec, ReportSpec
        from tradewar.policy.validation import check_closure, check_elasticities
        from tradewar.simulation import prepare_scenario

        check_closure(revenue, deficits)

        loaded = load_scenario(scenario)
        all_splits = tuple(dict.fromkeys([*loaded.splits, *splits]))
        update = {"splits": all_splits, "report": ReportSpec(),
                  "aggregate": AggregateSpec(regions=regions) if regions else None}
        if world is not None:
            update["world"] = world
        for key, value in (("elasticities", elasticities), ("horizon", horizon), ("revenue", revenue),
                           ("deficits", deficits)):
            if value is not None:
                update[key] = value
        check_elasticities(elasticities, horizon)
        chosen = loaded.model_copy(update=update)
        prepared = prepare_scenario(chosen)
        # Recorded from the world the talks are solved on: a scenario that names no set gets the
        # package's default set (fontagne2022, medium), not the world's own elasticities.
        attrs = prepared.world.data.attrs
        return cls(prepared.world, prepared.tariff.values.copy(), prepared.export_tax.values.copy(), loaded.name,
                   prepared.on, regions, all_splits, chosen.deficits, attrs.get("elasticities") or "world's own",
                   attrs.get("horizon") or "long", chosen.revenue or "rebate")

    def to_dict(self, a: str, b: str) -> dict:
        """The footing as plain data, for ``--json``: scenario, date, world, closure, elasticities
        and the starting tariffs between ``a`` and ``b``.

        Parameters
        ----------
        a, b : str
            The two parties.

        Returns
        -------
        dict
            JSON-safe.
        """
        world = self.world
        goods = [world.sectors.index(s) for s in world.goods]
        trade = world.trade.values

        def mean(importer, exporter):
            i, k = world.countries.index(importer), world.countries.index(exporter)
            weights = trade[i, k, goods]
            return 100 * float(np.average(self.tariff[i, k, goods], weights=weights if weights.sum() > 0 else None))

        return {
            "scenario": self.scenario,
            "date": self.on.isoformat() if self.on else None,
            "world": world.name,
            "regions": self.regions,
            "splits": list(self.splits),
            "deficits": self.deficits,
            "revenue": self.revenue,
            "elasticities": self.elasticities,
            "horizon": self.horizon,
            "trade_elasticity": {s: float(v) for s, v in zip(world.sectors, world.trade_elasticity.values,
                                                               strict=True)},
            "starting_tariffs_pct": {f"{a} on {b}": mean(a, b), f"{b} on {a}": mean(b, a)},
            "note": "every point starts from this policy; only the two parties' tariffs on each other's goods "
                    "(a uniform level) and the cards change; third countries' tariffs stay as they start",
        }


def _cards_for(parties: Sequence[str], cards: Sequence[str | Card] | None) -> list[Card]:
    a, b = parties
    if cards is None:
        return sorted((c for c in CARDS.values() if {c.holder, c.target} == {a, b} and c.by_default),
                      key=lambda c: c.name)
    chosen = []
    for card in cards:
        if isinstance(card, str):
            if card not in CARDS:
                raise ShockError(f"Unknown card {card!r}; known cards: {', '.join(CARDS)}.")
            card = CARDS[card]
        if {card.holder, card.target} != {a, b}:
            raise ShockError(f"The {card.name} card is {card.holder}'s control on {card.target}; it is not in play in "
                             f"talks between {a} and {b}.")
        chosen.append(card)
    # One order whatever the order of the parties (mirrored talks give mirrored results).
    return sorted(dict.fromkeys(chosen), key=lambda c: c.name)


def negotiate(
    parties: Sequence[str],
    *,
    threat: str = "war",
    cards: Sequence[str | Card] | None = None,
    scenario: str = "london-2025",
    world: str | None = None,
    regions: str | None = "compact",
    elasticities: str | None = None,
    horizon: str | None = None,
    revenue: str | None = None,
    deficits: str | None = None,
    points: int = 7,
    purchases: bool = True,
    purchase_usd_mn: float = 50_000.0,
    options: SolverOptions | None = None,
    on_progress: Callable[[str], None] | None = None,
) -> NegotiationResult:
    """Talks between two parties from a scenario's measures: the status quo, the threat point,
    the Pareto frontier, the Nash bargain, ranked deals and each card's leverage.

    Parameters
    ----------
    parties : sequence of str
        The two parties, e.g. ``["USA", "CHN"]``; the order only orders the output.
    threat : {"war", "status-quo"}
        The threat point: the Nash tariff war between the parties from the starting policy
        (cards in play), or the starting policy itself.
    cards : sequence of str or Card, optional
        Export controls in play in the status quo and the threat point (default: every known
        card one party holds against the other; ``[]`` for none).
    scenario : str
        The starting policy: a scenario's measures on its date (name or TOML file).
    world, regions : str, optional
        The world (default: the scenario's) and its aggregation (``None``: the detailed world).
    elasticities, horizon : str, optional
        A named trade-elasticity set and horizon (default: the scenario's, else the world's own).
    revenue, deficits : str, optional
        The closure: tariff revenue ``rebate`` or ``deficit-reduction``; deficits ``fixed`` or
        ``zero`` (default: the scenario's). Every solve and gradient of the talks uses it.
    points : int
        Points on the Pareto frontier.
    purchases : bool
        Let the frontier and the bargain use import subsidies (tariffs down to -30%), the
        instrument that meets a purchase commitment.
    purchase_usd_mn : float
        The purchase commitment of the Phase One-style deal (USD millions a year).
    options : SolverOptions, optional
        Equilibrium solver options (default: tolerance 1e-8 on the solver's state, which
        puts welfare within about 1e-6 percentage points; the talks compare outcomes
        to 1e-4 points, and the engine's default 1e-10 costs a third more time).
    on_progress : callable, optional
        Called with a short description of each stage.

    Returns
    -------
    NegotiationResult
        Every outcome of the talks on one footing.

    Raises
    ------
    tradewar.errors.ShockError
        If the parties, threat, points or cards are invalid for the world.
    """
    parties = _check_parties(parties, threat, points)
    in_play = _cards_for(parties, cards)
    footing = Footing.from_scenario(scenario, world=world, regions=regions,
                                    splits=[split for c in in_play for split in c.splits], elasticities=elasticities,
                                    horizon=horizon, revenue=revenue, deficits=deficits)
    return negotiate_on_footing(footing, parties, threat=threat, cards=in_play, points=points, purchases=purchases,
                                purchase_usd_mn=purchase_usd_mn, options=options, on_progress=on_progress)


def _check_parties(parties: Sequence[str], threat: str, points: int) -> list[str]:
    parties = list(parties)
    if len(parties) != 2 or parties[0] == parties[1]:
        raise ShockError(f"Talks take two different parties, e.g. USA CHN; got {parties}.")
    if threat not in ("war", "status-quo"):
        raise ShockError(f"The threat point must be 'war' or 'status-quo', not {threat!r}.")
    if points < 2:
        raise ShockError(f"The frontier needs at least 2 points, not {points}.")
    return parties


def negotiate_on_footing(
    footing: Footing,
    parties: Sequence[str],
    *,
    threat: str = "war",
    cards: Sequence[Card] = (),
    points: int = 7,
    purchases: bool = True,
    purchase_usd_mn: float = 50_000.0,
    options: SolverOptions | None = None,
    on_progress: Callable[[str], None] | None = None,
) -> NegotiationResult:
    """``negotiate`` from a given footing (any world, e.g. a small one in tests); see :func:`negotiate`.

    Parameters
    ----------
    footing : Footing
        The starting policy.
    parties : sequence of str
        The two parties.
    threat : {"war", "status-quo"}, default "war"
        The threat point.
    cards : sequence of Card
        Export controls in play.
    points : int, default 7
        Points on the Pareto frontier.
    purchases : bool, default True
        Allow import subsidies.
    purchase_usd_mn : float, default 50000.0
        The purchase commitment of the Phase One-style deal.
    options : SolverOptions, optional
        Solver settings.
    on_progress : callable, optional
        Called with a short description of each stage.

    Returns
    -------
    NegotiationResult
        Every outcome of the talks.

    Raises
    ------
    tradewar.errors.ShockError
        If the parties, threat, points or cards are invalid for the world.
    """
    shown = _check_parties(parties, threat, points)
    # Computed in one order whatever the order given, so that mirrored talks give mirrored
    # results exactly (the order given only orders the output).
    a, b = parties = sorted(shown)
    progress = on_progress or (lambda _: None)
    world = footing.world
    bad = [p for p in parties if p not in world.countries]
    if bad:
        from tradewar.world.aggregate import EU27_2020

        merged = [p for p in bad if p in EU27_2020 and "EU27" in world.countries]
        hint = (f" ({', '.join(merged)} {'is' if len(merged) == 1 else 'are'} part of EU27 in this aggregation: "
                "name EU27)") if merged else ""
        raise ShockError(f"Unknown parties {bad}; the world has {', '.join(world.countries)}{hint}.")
    cards = _cards_for(parties, list(cards))
    masks, reach = _card_masks(world, cards)

    def played(names: Sequence[str]) -> tuple[np.ndarray, np.ndarray | None]:
        """Export taxes and trade costs with the named cards played (bans, reach included)."""
        tax = footing.export_tax.copy()
        cost = np.ones_like(tax) if any(r is not None for r in reach) else None
        for (name, mask), binds in zip(masks, reach, strict=True):
            if name in names:
                tax[mask] = np.inf
                if binds is not None and cost is not None:
                    cost[binds] = np.inf
        return tax, cost

    names = [c.name for c in cards]
    options = options if options is not None else SolverOptions(tol=1e-8)
    game = TariffGame(world, deficits=footing.deficits, options=options, revenue=footing.revenue)
    # The adjoint solve to the equilibrium's own tolerance, not a hundredth of it: the
    # welfare each gradient differentiates carries that error anyway. Measured on london-2025
    # (icio2022 compact, USA CHN, war): 5,264 -> 3,585 adjoint products, CPU -16%, bargain,
    # threat and leverage the same to 1e-8 percentage points.
    game.gradient_tol = max(options.tol, 1e-12)
    space = PolicySpace(game, a, b, footing.tariff, footing.export_tax, tuple(masks),
                        bounds=(-0.3 if purchases else 0.0, 3.0), reach=tuple(reach))

    progress("Status quo and threat point")
    sq_tax, sq_cost = played(names)
    sq_welfare = game.welfare(footing.tariff, sq_tax, sq_cost)

    def threat_of(kept: Sequence[str], start: np.ndarray):
        tax, cost = played(kept)
        if threat == "status-quo":
            return footing.tariff, tax, game.welfare(footing.tariff, tax, cost), None
        war = nash_war(game.with_export_tax(tax, cost), [a, b], start=start)
        return war.tariff, tax, game.welfare(war.tariff, tax, cost), war

    threat_tariff, threat_tax, threat_welfare, war = threat_of(names, footing.tariff)

    progress("Deals")
    deals = _deals(space, game, footing, cards, sq_welfare, purchase_usd_mn if purchases else None, shown)

    progress("Pareto frontier")
    frontier = pareto_frontier(space, points=points)

    progress("Nash bargain")
    starts = [p.x for p in frontier] + [d["x"] for d in deals if d.get("x") is not None]
    bargain = nash_bargain(space, threat_welfare, starts=starts)

    progress("Leverage of each card")
    leverage = {}
    for index, card in enumerate(cards):
        without = threat_of([n for n in names if n != card.name], threat_tariff)
        moved_out = nash_bargain(space, without[2], starts=[bargain.x, *starts])
        limits = list(space.card_bounds)
        limits[index] = (0.0, 0.0)
        lifted_space = PolicySpace(game, a, b, footing.tariff, footing.export_tax, tuple(masks), space.bounds,
                                   tuple(limits), reach=tuple(reach))
        if abs(bargain.x[2 + index]) < 1e-12:
            # The bargain lifts the card already: the best point of the larger space lies in
            # the smaller one, so it is the bargain there too (no search needed).
            moved_lifted = bargain
        else:
            moved_lifted = nash_bargain(lifted_space, threat_welfare, starts=[bargain.x, *starts])
        leverage[card.name] = {
            "holder": card.holder,
            "target": card.target,
            "out_of_threat": _moved(bargain, moved_out, space, "threat point without the card"),
            "lifted": _moved(bargain, moved_lifted, space, "the deal must lift the card"),
        }
    for deal in deals:
        deal.pop("x", None)
    if shown != parties:  # weights of the frontier are on the first party shown
        frontier = [replace(p, weight=1.0 - p.weight) for p in reversed(frontier)]
    sq_pct, threat_pct = space.pair_pct(sq_welfare), space.pair_pct(threat_welfare)
    return NegotiationResult(
        parties=tuple(shown), threat=threat, cards=tuple(cards), footing=footing, space=space,
        status_quo_welfare={p: sq_pct[p] for p in shown}, threat_welfare={p: threat_pct[p] for p in shown},
        threat_policy=_policy_of(space, threat_tariff, threat_tax, cards), war=war,
        frontier=frontier, bargain=bargain, leverage=leverage,
        deals=rank_deals(deals, *shown, sq_pct, threat_pct),
        purchase_usd_mn=purchase_usd_mn if purchases else None, solves=game.solves,
    )


def _card_masks(world: World, cards: Sequence[Card]) -> tuple[list, list]:
    """Each card's cells: the holder's sales of its sectors to the target (an export tax), and
    its reach, third countries' sales of the same sectors to the target (a trade cost; None
    without reach). Clear errors for cards the world cannot hold."""
    masks, reach = [], []
    for card in cards:
        missing = [s for s in card.sectors if s not in world.sectors]
        if missing:
            raise ShockError(f"The {card.name} card needs {missing} split out of the world (it has no such sector); "
                             f"apply the split(s) {list(card.splits)}.")
        reached = _reach_on(world, card)
        holder, target = world.countries.index(card.holder), world.countries.index(card.target)
        sectors = [world.sectors.index(s) for s in card.sectors]
        third = [world.countries.index(c) for c in reached if c not in (card.holder, card.target)]
        output = world.trade.values[:, [holder, *third]][:, :, sectors].sum()
        if not output > 0:
            who = " or ".join([card.holder, *reached])
            raise ShockError(f"The {card.name} card is {card.holder}'s control on {', '.join(card.sectors)}, but "
                             f"{who} sells none of it in {world.name} (its producer share is zero): the card has "
                             "nothing to withhold.")
        mask = np.zeros(world.tariff.shape, dtype=bool)
        mask[target, holder, sectors] = True
        masks.append((card.name, mask))
        supply = world.trade.values[target][:, sectors].sum(axis=1)  # the target's purchases by supplier
        supply[[holder, *third]] = 0.0
        if not supply.sum() > 0:
            raise ShockError(f"The {card.name} card would cut {card.target} off from every supplier of "
                             f"{', '.join(card.sectors)} (it buys only from {', '.join([card.holder, *reached])}): "
                             "an input with no source has an infinite price and the model no equilibrium; "
                             "give the target some supply of its own (the split's producer shares) or a smaller reach.")
        binds = None
        if third:
            binds = np.zeros(world.tariff.shape, dtype=bool)
            binds[np.ix_([target], third, sectors)] = True
        reach.append(binds)
    return masks, reach


def _reach_on(world: World, card: Card) -> list[str]:
    """The card's reach on the world's labels: an EU member the world merges goes to EU27."""
    from tradewar.world.aggregate import EU27_2020

    labels = []
    for code in card.reach:
        label = code if code in world.countries else ("EU27" if code in EU27_2020 and "EU27" in world.countries
                                                      else None)
        if label is None:
            raise ShockError(f"The {card.name} card reaches {code!r}, which the world does not have; it has "
                             f"{', '.join(world.countries)}.")
        labels.append(label)
    return list(dict.fromkeys(labels))


def _moved(bargain: Bargain, moved: Bargain, space: PolicySpace, how: str) -> dict:
    return {
        "how": how,
        "bargain_policy": moved.tariffs_pct,
        "bargain_welfare_pct": moved.welfare_pct,
        "moves_pp": {p: moved.welfare_pct[p] - bargain.welfare_pct[p] for p in (space.a, space.b)},
        "feasible": moved.feasible,
    }


def _policy_of(space: PolicySpace, tariff: np.ndarray, tax: np.ndarray, cards: Sequence[Card]) -> dict:
    """Bilateral tariff levels (trade-weighted means over goods) and the cards' state."""
    world = space.game.world
    goods = [world.sectors.index(s) for s in world.goods]
    i, k = space.index
    policy = {}
    for (imp, exp), label in (((i, k), f"{space.a} on {space.b}"), ((k, i), f"{space.b} on {space.a}")):
        weights = world.trade.values[imp, exp, goods]
        policy[label] = 100 * float(np.average(tariff[imp, exp, goods], weights=weights if weights.sum() > 0 else None))
    for (name, mask), _card in zip(space.cards, cards, strict=True):
        level = float(tax[mask][0])
        policy[f"{name} (export tax, %)"] = "ban" if np.isinf(level) else 100 * level
    return policy


def _deals(space: PolicySpace, game: TariffGame, footing: Footing, cards: Sequence[Card], sq_welfare,
           purchase_usd_mn: float | None, shown: Sequence[str]) -> list[dict]:
    """Concrete deals in tariff levels, labelled by party (in the order ``shown``), each with the
    cards it lifts."""
    a, b = shown
    names = [c.name for c in cards]
    deals = [{"name": "status quo (the starting policy, cards in play)",
              "policy": {"tariffs_pct": None, "cards_lifted": [], "cards_kept": names},
              "welfare_pct": space.pair_pct(sq_welfare), "x": None}]

    def level_deal(levels: dict[str, float], lifted: bool, extra: str = "") -> dict:
        x = space.point(levels[space.a] / 100, levels[space.b] / 100, [0.0] * len(cards))
        tariffs = {f"{a} on {b}": levels[a], f"{b} on {a}": levels[b]}
        if lifted or not cards:
            welfare, kept, point = space.welfare(x), [], x
        else:
            tax, cost = space.tax(x), space.trade_cost(x)
            for (_, mask), binds in zip(space.cards, space.reach or (), strict=True):
                tax[mask] = np.inf
                if binds is not None and cost is not None:
                    cost[binds] = np.inf
            welfare, kept, point = game.welfare(space.tariff(x), tax, cost), names, None
        name = f"{a} {levels[a]:g}% on {b}, {b} {levels[b]:g}% on {a}"
        if cards:
            name += ", cards lifted" if lifted else ", cards kept"
        return {
            "name": name + extra,
            "policy": {"tariffs_pct": tariffs, "cards_lifted": [n for n in names if n not in kept], "cards_kept": kept},
            "welfare_pct": space.pair_pct(welfare),
            "x": point,
        }

    us_china = {a, b} == {"USA", "CHN"}
    if us_china:  # the Geneva truce's headline rates (U.S. 30% on China, China 10% on the U.S.)
        truce = {"USA": 30.0, "CHN": 10.0}
        deals.append(level_deal(truce, lifted=False))
        if cards:
            deals.append(level_deal(truce, lifted=True))
    deals.append(level_deal({a: 10.0, b: 10.0}, lifted=True))
    deals.append(level_deal({a: 0.0, b: 0.0}, lifted=True))
    if us_china and purchase_usd_mn:
        deals.extend(_purchase_deals(space, footing, truce, purchase_usd_mn, shown))
    return deals


def _purchase_deals(space: PolicySpace, footing: Footing, truce: dict[str, float], amount: float,
                    shown: Sequence[str]) -> list[dict]:
    """The truce with cards lifted plus a Phase One-style commitment: China buys ``amount`` more
    U.S. goods a year than it would under the same tariffs, split across categories as Phase
    One's 2020 goals were; as promised, and at Phase One's 2020 compliance by category."""
    a, b = shown
    world = space.game.world
    x = space.point(truce[space.a] / 100, truce[space.b] / 100)
    tariff, tax = space.tariff(x), space.tax(x)
    excluded = {world.sectors[int(k)] for _, mask in space.cards for k in np.unique(np.argwhere(mask)[:, 2])}
    named = {s for c in PHASE_ONE_COMPLIANCE for s in c.sectors if s != "*"}
    total_goal = sum(c.goal_2020 for c in PHASE_ONE_COMPLIANCE)
    before = simulate(world, tariff=tariff, export_tax=tax, options=space.game.options,
                      revenue=space.game.revenue).data["trade_new"]
    out = []
    goods = [s for s in world.goods if s not in excluded]
    promised = PurchaseCategory("Goods (as promised)", tuple(goods), 0.0, 0.0, total_goal)
    for label, realised in (("as promised", False), ("at Phase One's 2020 compliance by category", True)):
        current, parts, result = world.tariff.copy(data=tariff), [], None
        # As promised: one commitment over all goods (one solve less per category); at the
        # observed compliance: each category's share of the amount times its 2020 delivery.
        for category in (PHASE_ONE_COMPLIANCE if realised else (promised,)):
            sectors = ([s for s in world.goods if s not in named and s not in excluded] if category.sectors == ("*",)
                       else [s for s in category.sectors if s in world.goods])
            share = category.goal_2020 / total_goal if realised else 1.0
            usd = amount * share * (max(category.share_of_increase, 0.0) if realised else 1.0)
            flow = float(before.sel(importer="CHN", exporter="USA", sector=sectors).sum())
            if usd <= 0 or not sectors:
                continue
            target = solve_purchase_commitment(world, importer="CHN", exporter="USA", sectors=sectors,
                                               target_usd_mn=flow + usd, tariff=current,
                                               export_tax=world.export_tax.copy(data=tax), options=space.game.options)
            # Categories are layered: each commitment is met on top of the subsidies before it.
            result = target.result
            current = world.tariff.copy(data=result.data["tariff_new"].values)
            parts.append({"category": category.name, "sectors": sectors, "usd_mn": usd, "import_subsidy": target.rate})
        welfare = result.data["welfare"].values
        out.append({
            "name": f"{a} {truce[a]:g}% on {b}, {b} {truce[b]:g}% on {a}, cards lifted, CHN buys "
                    f"+{sum(p['usd_mn'] for p in parts) / 1000:.1f} bn of U.S. goods ({label})",
            "policy": {"tariffs_pct": {f"{a} on {b}": truce[a], f"{b} on {a}": truce[b]},
                       "cards_lifted": [name for name, _ in space.cards], "cards_kept": [],
                       "purchases_usd_mn": sum(p["usd_mn"] for p in parts), "purchases_by_category": parts},
            "welfare_pct": space.pair_pct(welfare), "x": None,
        })
    return out


@dataclass(repr=False)
class NegotiationResult(Result):
    """Talks between two parties: every point on one footing (see :func:`negotiate`).

    Welfare is real income in percent relative to the world's baseline (no trade war);
    gains and moves are in percentage points of it. Tariffs are levels in percent
    (negative: an import subsidy); card levels are export-tax equivalents (0 = lifted).

    Parameters
    ----------
    parties : tuple of str
        The two parties, in the order given.
    threat : str
        "war" or "status-quo".
    cards : tuple of Card
        The cards in play.
    footing : Footing
        The starting policy.
    space : PolicySpace
        The instruments of the talks.
    status_quo_welfare, threat_welfare : dict of str to float
        Each party's welfare there, percent.
    threat_policy : dict
        The threat point's tariffs and cards.
    war : object
        The war of the threat point (a :class:`~tradewar.strategy.war.WarResult`; None for the
        status-quo threat).
    frontier : list
        The Pareto frontier's points.
    bargain : Bargain
        The Nash bargain.
    leverage : dict
        Each card's leverage.
    deals : list of dict
        The ranked deals.
    purchase_usd_mn : float, optional
        The purchase commitment tried.
    solves : int, default 0
        Equilibrium solves.
    """

    parties: tuple[str, str]
    threat: str
    cards: tuple[Card, ...]
    footing: Footing = field(repr=False)
    space: PolicySpace = field(repr=False)
    status_quo_welfare: dict[str, float]
    threat_welfare: dict[str, float]
    threat_policy: dict
    war: object = field(repr=False)
    frontier: list = field(repr=False)
    bargain: Bargain = field(repr=False)
    leverage: dict = field(repr=False)
    deals: list[dict] = field(repr=False)
    purchase_usd_mn: float | None = None
    solves: int = 0

    def to_dict(self) -> dict:
        """Everything as plain data: exactly what ``tradewar negotiate --json`` prints.

        Returns
        -------
        dict
            JSON-safe, keyed by the parties in the order given.
        """
        a, b = self.parties
        bargain = self.bargain
        document = {
            "parties": [a, b],
            "threat": self.threat,
            "cards": [c.name for c in self.cards],
            "card_details": [
                {
                    "name": c.name,
                    "holder": c.holder,
                    "target": c.target,
                    "sectors": list(c.sectors),
                    "reach": list(c.reach),
                    "description": c.description,
                }
                for c in self.cards
            ],
            "footing": self.footing.to_dict(a, b),
            "status_quo": self.footing.scenario,
            "status_quo_welfare_pct": self.status_quo_welfare,
            "threat_policy": self.threat_policy,
            "threat_welfare_pct": self.threat_welfare,
            "frontier": [
                {
                    "weight": p.weight,
                    "policy": p.tariffs_pct,
                    "welfare_pct": p.welfare_pct,
                    "at_bound": list(p.at_bound),
                    "cards_lifted": _lifted(self.space, p.x),
                }
                for p in self.frontier
            ],
            "bargain": {
                "policy": bargain.tariffs_pct,
                "welfare_pct": bargain.welfare_pct,
                "gains_pct": bargain.gains_pct,
                "feasible": bargain.feasible,
                "at_bound": list(bargain.at_bound),
                "cards_lifted": _lifted(self.space, bargain.x),
            },
            "leverage": self.leverage,
            "deals": self.deals,
            "world": self.footing.world.name,
            "solves": self.solves,
            "units": {
                "welfare_pct": "% change in real income vs the world's baseline (no trade war)",
                "gains_pct": "percentage points of welfare over the status quo (deals) or the threat point (bargain)",
                "moves_pp": "percentage points of welfare: the bargain with the change minus the bargain",
                "tariffs": "levels in percent on the partner's goods, one uniform level (negative = an import "
                "subsidy, the instrument that meets a purchase commitment); the status quo and a war "
                "show trade-weighted means",
                "cards": "export-tax equivalents in percent (0 = lifted; 'ban' = an infinite tax)",
            },
        }
        document = _in_order(document, a, b)
        if self.war is not None:
            document["war"] = {"rounds": len(self.war.rounds), "converged": self.war.converged}
        if self.purchase_usd_mn:
            document["purchases"] = {
                "commitment_usd_mn": self.purchase_usd_mn,
                "compliance": [{"category": c.name, "base_2017_usd": c.base_2017, "actual_2020_usd": c.actual_2020,
                                "goal_2020_usd": c.goal_2020, "share_of_target_met": c.share_of_target,
                                "share_of_increase_met": c.share_of_increase} for c in PHASE_ONE_COMPLIANCE],
                "sources": list(PHASE_ONE_SOURCES),
            }
        return document

    def to_frame(self, level: str = "outcomes") -> pd.DataFrame:
        """One row per outcome (status quo, threat point, bargain, leverage moves, deals, frontier):
        both parties' welfare (%) and the bilateral tariff levels (%). ``level``: ``"outcomes"`` only.

        Parameters
        ----------
        level : {"outcomes"}, default "outcomes"
            The only level.

        Returns
        -------
        pandas.DataFrame
            The outcomes.

        Raises
        ------
        ValueError
            For another level.
        """
        if level != "outcomes":
            raise ValueError(f"Unknown level {level!r}; talks have one level: 'outcomes'.")
        a, b = self.parties
        rows = [("status quo", self.footing.scenario or "start", self.status_quo_welfare, {}),
                ("threat point", self.threat, self.threat_welfare, self.threat_policy),
                ("bargain", "Nash bargain", self.bargain.welfare_pct, self.bargain.tariffs_pct)]
        for card, info in self.leverage.items():
            for key in ("out_of_threat", "lifted"):
                rows.append((f"leverage: {key}", card, info[key]["bargain_welfare_pct"], info[key]["bargain_policy"]))
        rows += [("deal", d["name"], d["welfare_pct"], d["policy"]["tariffs_pct"] or {}) for d in self.deals]
        rows += [("frontier", f"weight {p.weight:.3f}", p.welfare_pct, p.tariffs_pct) for p in self.frontier]
        frame = pd.DataFrame([{
            "kind": kind, "name": name, f"welfare_{a}_pct": w[a], f"welfare_{b}_pct": w[b],
            f"tariff_{a}_on_{b}_pct": policy.get(f"{a} on {b}"), f"tariff_{b}_on_{a}_pct": policy.get(f"{b} on {a}"),
        } for kind, name, w, policy in rows])
        return frame

    def _tables(self) -> list[SummaryTable]:
        a, b = self.parties
        bargain = self.bargain
        policy = "policy (levels, %)"
        outcomes = pd.DataFrame(
            [[self.status_quo_welfare[a], self.status_quo_welfare[b], ""],
             [self.threat_welfare[a], self.threat_welfare[b], _policy_text(self.threat_policy)],
             [bargain.welfare_pct[a], bargain.welfare_pct[b],
              _policy_text(_in_order(bargain.tariffs_pct, a, b))
              + (f"; at bound: {', '.join(bargain.at_bound)}" if bargain.at_bound else "")]],
            index=pd.Index(["status quo", f"threat ({self.threat})",
                            "Nash bargain" + ("" if bargain.feasible else " (none: closest point)")], name="outcome"),
            columns=[a, b, policy])
        deals = pd.DataFrame(
            [[d["welfare_pct"][a], d["welfare_pct"][b], _yes(d["both_prefer"]), _yes(d.get("both_prefer_to_threat"))]
             for d in self.deals],
            index=pd.Index([d["name"] for d in self.deals], name="deal"),
            columns=[a, b, "both prefer to status quo", "both prefer to threat"])
        names, moves = [], []
        for card, info in self.leverage.items():
            for key, label in (("out_of_threat", "leaves the threat point"), ("lifted", "is lifted in the deal")):
                moved = info[key]
                names.append(f"{info['holder']}'s {card} {label}")
                moves.append([moved["moves_pp"][a], moved["moves_pp"][b], _yes(moved["feasible"])])
        leverage = pd.DataFrame(moves, index=pd.Index(names, name="card"), columns=[a, b, "bargain exists"])
        frontier = pd.DataFrame(
            [[p.welfare_pct[a], p.welfare_pct[b], _policy_text(_in_order(p.tariffs_pct, a, b)), ", ".join(p.at_bound)]
             for p in self.frontier],
            index=pd.Index([p.weight for p in self.frontier], name=f"weight on {a}"),
            columns=[a, b, policy, "at bound"])
        tables = [
            SummaryTable("Outcomes (welfare, % vs no trade war)", outcomes),
            SummaryTable("Deals ranked by joint gain over the status quo (welfare, %)", deals),
            SummaryTable("Leverage: how the bargain moves (pp of welfare) when a card", leverage),
            SummaryTable("Pareto frontier (welfare, %)", frontier),
        ]
        if self.purchase_usd_mn:
            compliance = pd.DataFrame(
                [[100 * c.share_of_target, 100 * c.share_of_increase] for c in PHASE_ONE_COMPLIANCE],
                index=pd.Index([c.name for c in PHASE_ONE_COMPLIANCE], name="category"),
                columns=["share of target met, %", "share of increase met, %"])
            tables.append(SummaryTable("Phase One compliance in 2020 (goods)", compliance, digits=0))
        return tables

    def summary(self) -> Summary:
        """The outcomes, the deals, each card's leverage and the frontier (text and HTML).

        Returns
        -------
        Summary
            The tables.
        """
        a, b = self.parties
        f = self.footing
        return Summary(
            f"Talks between {a} and {b} on {f.world.name}",
            header=[f"From {f.scenario or 'the given policy'}{' on ' + f.on.isoformat() if f.on else ''} "
                    f"(elasticities {f.elasticities}, {f.horizon} run; deficits {f.deficits}, tariff revenue "
                    f"{f.revenue}); threat: {self.threat}; cards in play: "
                    f"{', '.join(c.name for c in self.cards) or 'none'}; {self.solves} equilibrium solves."],
            tables=self._tables(),
        )


def _lifted(space: PolicySpace, x) -> list[str]:
    """The cards a policy vector lifts (export-tax level zero)."""
    if x is None:
        return []
    return [name for (name, _), level in zip(space.cards, x[2:], strict=True) if abs(level) < 1e-6]


def _yes(flag) -> str:
    return "yes" if flag else "no"


def _policy_text(policy: dict) -> str:
    def shown(key: str, value) -> str:
        if isinstance(value, str):
            return value
        if key.endswith(" (export tax, %)") and abs(value) < 1e-4:
            return "lifted"  # a card at a zero export tax is lifted, whatever the rounding shows
        return f"{value:.1f}"

    return ", ".join(f"{k.replace(' (export tax, %)', '')} {shown(k, v)}" for k, v in policy.items())


def _in_order(value, a: str, b: str):
    """Dictionaries keyed by the parties (or by "X on Y") in the order the parties were given."""
    if isinstance(value, list):
        return [_in_order(v, a, b) for v in value]
    if not isinstance(value, dict):
        return value
    first = {a, f"{a} on {b}"}
    keys = sorted(value, key=lambda k: 0 if k in first else 1) if ({a, b} <= set(value)
                                                                   or f"{a} on {b}" in value) else list(value)
    return {k: _in_order(value[k], a, b) for k in keys}
