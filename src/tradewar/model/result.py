"""The outcome of a counterfactual: changes in every country's economy, labelled."""

from __future__ import annotations

import weakref

import numpy as np
import pandas as pd
import xarray as xr

from tradewar.model.caliendo_parro import Equilibrium
from tradewar.model.solver import SolverReport  # here before; imported from this module by callers
from tradewar.results import UNITS, ArrayResult, Summary, SummaryTable
from tradewar.world.world import World

__all__ = ["CounterfactualResult", "SIDES", "SolverReport", "VARIABLE_UNITS"]

#: The two sides of the headline conflict, shown first wherever they exist.
SIDES = ("USA", "CHN")

#: The units of every variable of :attr:`CounterfactualResult.data` (its ``units`` attribute).
VARIABLE_UNITS = {
    **dict.fromkeys(["welfare", "real_wage", "wage", "real_gdp", "nominal_gdp", "price_index", "price", "unit_cost",
                     "output", "expenditure", "sector_wage", "real_sector_wage",
                     "trade_cost_change", "capacity_rent", "variable_cost"], UNITS["ratio"]),
    **dict.fromkeys(["terms_of_trade", "volume_of_trade", "welfare_first_order", "terms_of_trade_by_partner",
                     "volume_of_trade_by_partner"], UNITS["income_share"]),
    **dict.fromkeys([f"{name}_{when}" for name in ("income", "tariff_revenue", "export_tax_revenue", "exports",
                                                   "deficit",
                                                   "imports", "output", "expenditure", "trade")
                     for when in ("baseline", "new")], UNITS["usd"]),
    **dict.fromkeys(["trade_shares_baseline", "trade_shares_new"], UNITS["share"]),
    **dict.fromkeys(["tariff_baseline", "tariff_new", "export_tax_baseline", "export_tax_new"], UNITS["rate"]),
}


_ACCOUNTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def baseline_accounts(world: World) -> dict:
    """The baseline accounts every result on ``world`` uses, as plain arrays, computed once per
    world object (a world is not changed in place: :meth:`World.replace` makes a new one), so
    that many results on one world (Monte Carlo draws, sweeps) do not rebuild them.

    Parameters
    ----------
    world : World
        The baseline world.

    Returns
    -------
    dict
        Trade, tariffs, income, shares, deficits, output, expenditure, revenues and the
        solver's baseline, as numpy arrays.
    """
    accounts = _ACCOUNTS.get(world)
    if accounts is None:
        accounts = {
            "trade": world.trade.values,
            "tariff": world.tariff.values,
            "income": world.income.values,
            "final_demand_share": world.final_demand_share.values,
            "deficit": world.deficit.values,
            "gross_output": world.gross_output.values,
            "expenditure": world.expenditure.values,
            "tariff_revenue": world.tariff_revenue.values,
            "export_tax_revenue": world.export_tax_revenue.values,
            "trade_shares": world.trade_shares.values,
            "export_tax": world.export_tax.values,
            "baseline": world.baseline(),
        }
        _ACCOUNTS[world] = accounts
    return accounts


def _pct(values):
    return 100.0 * (values - 1.0)


#: The per-country fields of :meth:`CounterfactualResult.to_dict`.
COUNTRY_FIELDS = (
    "welfare_pct",
    "welfare_first_order_pct",
    "real_gdp_pct",
    "nominal_gdp_pct",
    "real_wage_pct",
    "price_index_pct",
    "exports_pct",
    "imports_pct",
    "tariff_revenue_usd_mn",
)


class CounterfactualResult(ArrayResult):
    """Changes caused by a shock, relative to ``baseline`` (a :class:`World`).

    ``data`` is an ``xarray.Dataset``; ratios are "hats" (new / baseline), levels are
    in the world's units (USD millions) at baseline-numeraire prices, and the
    welfare decomposition terms are fractions of baseline income.

    Country variables: ``welfare`` (real income, exact), ``real_wage``, ``wage``,
    ``price_index`` (consumer price index, Cobb-Douglas over sectors),
    ``income``, ``tariff_revenue``, ``export_tax_revenue``, ``exports``, ``imports``
    (hats and levels), ``terms_of_trade`` and ``volume_of_trade`` (CP2015 eq. 28,
    first order, for tariff and trade-cost shocks: export taxes enter welfare through
    ``welfare`` but have no term of their own in the decomposition) and their sum
    ``welfare_first_order``; ``real_gdp`` (value added double-deflated at baseline prices,
    as GTAP's qgdp: real gross output at baseline unit costs minus real intermediate inputs
    at baseline input prices) and ``nominal_gdp`` (value added at current prices, in units
    of world value added, the numeraire); ``deficit`` (trade deficits, baseline and new;
    they differ under the deficit-reduction closure). Sector variables: ``price``, ``unit_cost``,
    ``output``, ``expenditure``. Bilateral: ``trade`` (baseline and new flows at
    producer prices), ``trade_shares``, and the decomposition by partner and
    sector ``terms_of_trade_by_partner``, ``volume_of_trade_by_partner``. Every
    variable's ``units`` attribute says its unit (:data:`VARIABLE_UNITS`).

    The results protocol (:mod:`tradewar.results`): :meth:`summary` (text and HTML),
    :meth:`to_frame`, :meth:`to_dict`, :meth:`to_dataset` and ``to_netcdf``.

    Parameters
    ----------
    baseline : World
        The world the changes are measured from.
    equilibrium : Equilibrium
        The solved equilibrium (:func:`~tradewar.model.caliendo_parro.solve_equilibrium`).
    tariff_new : numpy.ndarray
        The tariffs of the counterfactual (importer x exporter x sector).
    trade_cost_change : numpy.ndarray
        The iceberg trade cost changes (hats, same shape).
    deficits : str, default "fixed"
        The deficit closure the numbers were solved under ("fixed" or "zero").
    revenue : str, default "rebate"
        The closure for tariff revenue ("rebate" or "deficit-reduction").
    export_tax_new : numpy.ndarray, optional
        The export taxes of the counterfactual (default: the baseline's).
    """

    def __init__(
        self,
        baseline: World,
        equilibrium: Equilibrium,
        tariff_new: np.ndarray,
        trade_cost_change: np.ndarray,
        *,
        deficits: str = "fixed",
        revenue: str = "rebate",
        export_tax_new: np.ndarray | None = None,
    ):
        self.baseline = baseline
        self.deficits = deficits
        self.revenue = revenue
        self.solver = SolverReport(equilibrium.iterations, equilibrium.residual, equilibrium.seconds)
        # The solver's final state: a warm start for nearby equilibria (Monte Carlo draws, sweeps).
        self.solver_state = equilibrium.state
        if export_tax_new is None:
            export_tax_new = baseline.export_tax.values
        # Plain arrays; the labelled Dataset is built on first use of ``data`` (a Monte Carlo draw
        # needs only the country table and total trade: wrapping was two thirds of its time).
        self._arrays = self._compute(baseline, equilibrium, tariff_new, trade_cost_change, export_tax_new)
        self._data: xr.Dataset | None = None

    @property
    def data(self) -> xr.Dataset:
        """Every variable, labelled, with its units (built once, on first use)."""
        if self._data is None:
            self._data = self._assemble(self.baseline, self._arrays)
        return self._data

    def values(self, name: str) -> np.ndarray:
        """One variable's plain array (the axis order of :attr:`data`), without building the labelled Dataset.

        Parameters
        ----------
        name : str
            A variable of :attr:`data` (e.g. ``"welfare"``, ``"trade_new"``).

        Returns
        -------
        numpy.ndarray
            Its values.
        """
        return self._arrays[name][1]

    # ------------------------------------------------------------------ computation
    @staticmethod
    def _compute(world: World, eq: Equilibrium, tariff_new, trade_cost_change, export_tax_new) -> dict:
        """Every variable as (dimensions, array)."""
        accounts = baseline_accounts(world)
        countries = world.countries
        trade_old = accounts["trade"]
        tariff_old = accounts["tariff"]
        with np.errstate(invalid="ignore"):
            # Banned flows (infinite export tax) are zero.
            trade_new = eq.expenditure[:, None, :] * eq.trade_shares / ((1.0 + tariff_new) * (1.0 + export_tax_new))
        trade_new = np.nan_to_num(trade_new, nan=0.0)
        income_old = accounts["income"]
        alpha = accounts["final_demand_share"]

        price_index = np.exp((alpha * np.log(eq.price_hat)).sum(axis=1))
        welfare = eq.income / income_old / price_index
        wage, sector_wage, nominal_gdp = CounterfactualResult._factor_incomes(world, eq)
        real_wage = wage / price_index
        real_gdp = CounterfactualResult._real_gdp(world, eq)
        deficit_new = eq.deficit if eq.deficit is not None else accounts["deficit"]

        # CP2015 eq. (28), discrete: terms of trade weigh baseline flows by cost changes,
        # volume of trade weighs tariff wedges by the change in quantities.
        foreign = ~np.eye(len(countries), dtype=bool)[:, :, None]
        cost_change = eq.cost_hat - 1.0
        exports_to = trade_old.transpose(1, 0, 2)  # [n, i, j] = n's sales to i
        terms_by = foreign * (exports_to * cost_change[:, None, :] - trade_old * cost_change[None, :, :])
        with np.errstate(divide="ignore", invalid="ignore"):
            flow_change = np.where(trade_old > 0, trade_new / trade_old - 1.0, 0.0)
        volume_by = foreign * tariff_old * trade_old * (flow_change - cost_change[None, :, :])
        terms_by /= income_old[:, None, None]
        volume_by /= income_old[:, None, None]
        terms_of_trade = terms_by.sum(axis=(1, 2))
        volume_of_trade = volume_by.sum(axis=(1, 2))

        domestic_old = np.einsum("nnj->n", trade_old)
        domestic_new = np.einsum("nnj->n", trade_new)
        exports_old = trade_old.sum(axis=(0, 2)) - domestic_old
        exports_new = trade_new.sum(axis=(0, 2)) - domestic_new
        imports_old = trade_old.sum(axis=(1, 2)) - domestic_old
        imports_new = trade_new.sum(axis=(1, 2)) - domestic_new
        output_old = accounts["gross_output"]
        expenditure_old = accounts["expenditure"]
        with np.errstate(divide="ignore", invalid="ignore"):
            output_hat = np.where(output_old > 0, eq.output / output_old, np.nan)
            expenditure_hat = np.where(expenditure_old > 0, eq.expenditure / expenditure_old, np.nan)

        c, cs, bil = ("country",), ("country", "sector"), ("importer", "exporter", "sector")
        by = ("country", "partner", "sector")
        capacity = {} if eq.capacity_rent_hat is None else {
            # Scarce supply: the rent of capacity (ones where there is none) and the cost of the
            # variable bundle below it (the unit cost where there is none).
            "capacity_rent": (cs, eq.capacity_rent_hat), "variable_cost": (cs, eq.variable_cost_hat)}
        return {
                **capacity,
                "welfare": (c, welfare),
                "real_wage": (c, real_wage),
                "wage": (c, wage),
                "price_index": (c, price_index),
                "terms_of_trade": (c, terms_of_trade),
                "volume_of_trade": (c, volume_of_trade),
                "welfare_first_order": (c, terms_of_trade + volume_of_trade),
                "real_gdp": (c, real_gdp),
                "nominal_gdp": (c, nominal_gdp),
                "deficit_baseline": (c, accounts["deficit"]),
                "deficit_new": (c, deficit_new),
                "income_baseline": (c, income_old),
                "income_new": (c, eq.income),
                "tariff_revenue_baseline": (c, accounts["tariff_revenue"]),
                "tariff_revenue_new": (c, eq.tariff_revenue),
                "export_tax_revenue_baseline": (c, accounts["export_tax_revenue"]),
                "export_tax_revenue_new": (c, eq.export_tax_revenue),
                "exports_baseline": (c, exports_old),
                "exports_new": (c, exports_new),
                "imports_baseline": (c, imports_old),
                "imports_new": (c, imports_new),
                "price": (cs, eq.price_hat),
                "sector_wage": (cs, sector_wage),
                "real_sector_wage": (cs, sector_wage / price_index[:, None]),
                "unit_cost": (cs, eq.cost_hat),
                "output_baseline": (cs, output_old),
                "output_new": (cs, eq.output),
                "output": (cs, output_hat),
                "expenditure_baseline": (cs, expenditure_old),
                "expenditure_new": (cs, eq.expenditure),
                "expenditure": (cs, expenditure_hat),
                "trade_baseline": (bil, trade_old),
                "trade_new": (bil, trade_new),
                "trade_shares_baseline": (bil, accounts["trade_shares"]),
                "trade_shares_new": (bil, eq.trade_shares),
                "tariff_baseline": (bil, tariff_old),
                "tariff_new": (bil, tariff_new),
                "export_tax_baseline": (bil, accounts["export_tax"]),
                "export_tax_new": (bil, export_tax_new),
                "trade_cost_change": (bil, trade_cost_change),
                "terms_of_trade_by_partner": (by, terms_by),
                "volume_of_trade_by_partner": (by, volume_by),
        }

    @staticmethod
    def _assemble(world: World, arrays: dict) -> xr.Dataset:
        countries, sectors = world.countries, world.sectors
        data = xr.Dataset(
            dict(arrays),
            coords={
                "country": countries,
                "partner": countries,
                "importer": countries,
                "exporter": countries,
                "sector": sectors,
            },
            attrs={"world": world.name, "world_hash": world.hash, "units": world.data.attrs.get("units", "")},
        )
        money = world.data.attrs.get("units") or UNITS["usd"]
        for name, units in VARIABLE_UNITS.items():
            if name not in data:  # capacity_rent, variable_cost: only with capacity nests
                continue
            # Levels are in the world's money units (USD millions for every shipped world).
            data[name].attrs["units"] = money if units == UNITS["usd"] else units
        return data

    @staticmethod
    def _factor_incomes(world: World, eq: Equilibrium) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The average wage (N,), the wage of each sector's workers (N, J) and nominal GDP (N,), new / baseline.

        Value added ``beta Y`` of sector j splits into capacity's ``phi Y`` (scarce supply,
        rent ``capacity_rent_hat``), a fixed factor's share ``f`` of the rest, and labour; of
        labour a share ``s`` is tied to the sector (the short run) and earns the sector's rent
        change ``r_hat`` (see :func:`tradewar.model.equations.sector_specific_share`), the rest
        earns the national wage ``w_hat``. ``sector_wage`` is the wage of the workers who cannot
        leave sector j (``w_hat`` where labour is mobile); the average wage is labour income over
        its baseline (employment is fixed in total); nominal GDP is all factor income over
        baseline value added.
        """
        n_sectors = len(world.sectors)
        wage_hat = eq.wage_hat
        if eq.rent_hat is None and eq.capacity_rent_hat is None:
            return wage_hat, np.repeat(wage_hat[:, None], n_sectors, axis=1), wage_hat
        output = world.gross_output.values
        value_added = world.value_added_share.values * output  # (N, J) beta Y
        # Capacity (scarce supply) earns phi Y of value added; the rest is the variable bundle's.
        capacity = (world.data["capacity_share"].values * output if eq.capacity_rent_hat is not None
                    else np.zeros_like(value_added))
        fixed = world.data["fixed_factor_share"].values if "fixed_factor_share" in world.data else 0.0
        specific = (world.data["specific_labour_share"].values if "specific_labour_share" in world.data
                    else np.zeros_like(value_added))
        rent_hat = np.ones_like(value_added) if eq.rent_hat is None else eq.rent_hat
        if eq.rent_hat is None:
            fixed, specific = 0.0, np.zeros_like(value_added)
        labour = (1.0 - fixed) * (value_added - capacity)
        tied = specific * labour  # specific labour's baseline income
        labour_new = (wage_hat[:, None] * (labour - tied) + rent_hat * tied).sum(axis=1)
        rents_new = (rent_hat * fixed * (value_added - capacity)).sum(axis=1)
        if eq.capacity_rent_hat is not None:
            rents_new = rents_new + (eq.capacity_rent_hat * capacity).sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            wage = np.where(labour.sum(axis=1) > 0, labour_new / labour.sum(axis=1), wage_hat)
        sector_wage = np.where(specific > 0, rent_hat, wage_hat[:, None])
        return wage, sector_wage, (labour_new + rents_new) / value_added.sum(axis=1)

    @staticmethod
    def _real_gdp(world: World, eq: Equilibrium) -> np.ndarray:
        """Real GDP new / baseline: value added double-deflated at baseline prices (GTAP's qgdp).

        Sector j of country n produces gross output ``Y'`` whose producer price moves with
        its unit cost ``c_hat`` and buys inputs ``gamma[n, k, j] Y'`` of sector k whose price
        moves with ``P_hat[n, k]``; at baseline prices its real value added is
        ``Y'/c_hat - sum_k gamma[n, k, j] Y'/P_hat[n, k]``, summed over sectors and divided
        by baseline value added ``sum_j beta Y``. To first order the change is
        ``sum_j beta Y (dlog Y - dlog w) / VA``, zero by labour-market clearing: with one
        fixed factor only allocative (second-order) effects move real GDP.
        """
        accounts = baseline_accounts(world)
        base = accounts["baseline"]
        output = eq.output
        with np.errstate(divide="ignore", invalid="ignore"):
            real_output = np.where(output > 0, output / eq.cost_hat, 0.0)
            real_inputs = np.einsum("nkj,nj,nk->n", base.input_share, output, 1.0 / eq.price_hat)
        value_added_old = (base.value_added_share * accounts["gross_output"]).sum(axis=1)
        return (real_output.sum(axis=1) - real_inputs) / value_added_old

    def new_world(self) -> World:
        """The counterfactual equilibrium as a :class:`World` (a baseline for the next shock).

        Banned flows are zero there, with a zero export tax: a zero flow stays zero in
        exact hat algebra, so measure the lifting of a ban from the original baseline.

        Returns
        -------
        World
            The baseline with the new trade flows, tariffs, export taxes and (nested CES
            bundles) cost shares, named "<baseline> (counterfactual)".
        """
        variables = {"trade": self.data["trade_new"].values, "tariff": self.data["tariff_new"].values}
        export_tax = self.data["export_tax_new"].values
        if "export_tax" in self.baseline.data or np.any(export_tax != 0):
            variables["export_tax"] = np.where(np.isfinite(export_tax), export_tax, 0.0)
        shares = self._new_cost_shares()
        if shares is not None:  # nested CES bundles or capacity nests: cost shares moved with prices
            variables["value_added_share"], variables["input_share"], capacity = shares
            if capacity is not None:
                variables["capacity_share"] = capacity
        world = self.baseline.replace(require_equilibrium=True, **variables)
        world.data.attrs["name"] = f"{self.baseline.name} (counterfactual)"
        return world

    def _new_cost_shares(self) -> tuple[np.ndarray, np.ndarray, np.ndarray | None] | None:
        """Value-added, input and capacity shares at the new prices where bundles are nested CES
        or capacity is scarce (None if every bundle is Cobb-Douglas, whose shares do not move).

        A critical input m's share of sector j's variable bundle becomes ``s_m (P_hat_m / v_hat_j)^(1 - sigma)``
        (CES shares; ``v = c`` without a capacity nest); the rest of the bundle (labour, any fixed
        factor, the other inputs) is Cobb-Douglas within itself, so each of its shares scales by the
        same factor, the one that makes the shares add to one. Capacity's share of costs becomes
        ``phi (r_hat / c_hat)^(1 - rho)`` and the variable bundle's ``(1 - phi) (v_hat / c_hat)^(1 - rho)``;
        value added is one less the inputs' shares (capacity is part of it). The new world is then
        the model's equilibrium again, and the same sigma and rho apply to changes from it.
        """
        base = self.baseline.data
        ces = "critical_input" in base and "input_substitution" in base
        if ces:
            sigma = base["input_substitution"].values  # (country, sector)
            critical = base["critical_input"].values > 0  # (input,)
            ces = bool(critical.any()) and not np.all(sigma == 1.0)
        nests = "capacity_rent" in self.data
        if not ces and not nests:
            return None
        gamma = base["input_share"].values  # (country, input, sector)
        beta = base["value_added_share"].values
        cost = self.data["unit_cost"].values
        # The engine has no nest where a sector produces nothing (its state there stays at the baseline).
        produced = self.baseline.gross_output.values > 0
        phi = np.where(produced, base["capacity_share"].values, 0.0) if nests else np.zeros_like(beta)
        variable_old = 1.0 - phi
        gamma_v, beta_v = gamma / variable_old[:, None, :], (beta - phi) / variable_old  # the variable bundle's
        variable_cost = self.data["variable_cost"].values if nests else cost
        if ces:
            price = self.data["price"].values  # (country, sector): buyer price indices
            with np.errstate(divide="ignore", invalid="ignore"):
                relative = price[:, critical][:, :, None] / variable_cost[:, None, :]  # (country, m, sector)
                moved = gamma_v[:, critical, :] * relative ** (1.0 - sigma[:, None, :])
            moved = np.where(gamma_v[:, critical, :] > 0, moved, 0.0)
            old_rest = 1.0 - gamma_v[:, critical, :].sum(axis=1)
            scale = np.divide(1.0 - moved.sum(axis=1), old_rest, out=np.ones_like(old_rest), where=old_rest > 0)
            new_gamma_v = gamma_v * scale[:, None, :]
            new_gamma_v[:, critical, :] = moved
            new_beta_v = beta_v * scale
        else:
            new_gamma_v, new_beta_v = gamma_v, beta_v
        if not nests:
            return new_beta_v, new_gamma_v, None
        exponent = 1.0 - base["capacity_substitution"].values
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            capacity = np.where(phi > 0, phi * (self.data["capacity_rent"].values / cost) ** exponent, 0.0)
            variable = np.where(phi > 0, variable_old * (variable_cost / cost) ** exponent, 1.0)
        return new_beta_v * variable + capacity, new_gamma_v * variable[:, None, :], capacity

    # ------------------------------------------------------------------ views
    def __getitem__(self, name: str) -> xr.DataArray:
        return self.data[name]

    @property
    def countries(self) -> list[str]:
        """The world's country labels, in the order of every array of the result."""
        return self.baseline.countries

    def country_table(self) -> pd.DataFrame:
        """One row per country: percent changes and tariff revenue in levels.

        Returns
        -------
        pandas.DataFrame
            Indexed by ``country``: welfare (exact and first order), real and nominal GDP,
            terms and volume of trade, real wage, price index, exports and imports (percent),
            tariff revenue and its change, and the change in the deficit (USD millions).
        """
        return pd.DataFrame(self.country_columns(), index=pd.Index(self.countries, name="country"))

    def country_columns(self) -> dict[str, np.ndarray]:
        """The columns of :meth:`country_table` as plain arrays (one value per country).

        Returns
        -------
        dict
            Column name -> numpy array over countries.
        """
        v = self.values
        return {
            "welfare_pct": _pct(v("welfare")),
            "welfare_first_order_pct": 100 * v("welfare_first_order"),
            "real_gdp_pct": _pct(v("real_gdp")),
            "nominal_gdp_pct": _pct(v("nominal_gdp")),
            "terms_of_trade_pct": 100 * v("terms_of_trade"),
            "volume_of_trade_pct": 100 * v("volume_of_trade"),
            "real_wage_pct": _pct(v("real_wage")),
            "price_index_pct": _pct(v("price_index")),
            "exports_pct": _pct(v("exports_new") / v("exports_baseline")),
            "imports_pct": _pct(v("imports_new") / v("imports_baseline")),
            "tariff_revenue_usd_mn": v("tariff_revenue_new"),
            "tariff_revenue_change_usd_mn": v("tariff_revenue_new") - v("tariff_revenue_baseline"),
            "deficit_change_usd_mn": v("deficit_new") - v("deficit_baseline"),
        }

    def to_frame(self, level: str = "country") -> pd.DataFrame:
        """Export to pandas: ``level`` is ``"country"``, ``"sector"`` or ``"bilateral"``.

        Parameters
        ----------
        level : {"country", "sector", "bilateral"}, default "country"
            Country rows (:meth:`country_table`); country x sector hats and output levels; or
            importer x exporter x sector flows and tariffs with the flows' change in percent.

        Returns
        -------
        pandas.DataFrame
            The numbers at that level.

        Raises
        ------
        ValueError
            If ``level`` is none of the three.
        """
        if level == "country":
            return self.country_table()
        if level == "sector":
            names = ["price", "unit_cost", "output", "output_baseline", "output_new", "expenditure"]
            return self.data[names].to_dataframe()[names]
        if level == "bilateral":
            names = ["trade_baseline", "trade_new", "tariff_baseline", "tariff_new"]
            frame = self.data[names].to_dataframe()[names]
            with np.errstate(divide="ignore", invalid="ignore"):
                frame["trade_change_pct"] = 100 * (frame["trade_new"] / frame["trade_baseline"] - 1)
            return frame
        raise ValueError(f"level must be 'country', 'sector' or 'bilateral', not {level!r}.")

    def summary(self, countries: list[str] | None = None) -> Summary:
        """The main country results (``countries``, default all), in percent, and the solver's report.

        Parameters
        ----------
        countries : list of str, optional
            The countries shown, in that order (default: all).

        Returns
        -------
        Summary
            One table in percent, titled with the world and closure, and the solver's report.
        """
        table = self.country_table()
        if countries is not None:
            table = table.loc[list(countries)]
        shown = table[["welfare_pct", "real_gdp_pct", "terms_of_trade_pct", "volume_of_trade_pct", "real_wage_pct",
                       "price_index_pct", "exports_pct", "imports_pct"]]
        return Summary(
            f"Counterfactual on {self.baseline.name} ({self.closure_text()}); changes in percent",
            tables=[SummaryTable("", shown)],
            notes=[f"solver: {self.solver.iterations} sweeps, residual {self.solver.residual:.1e}, "
                   f"{self.solver.seconds:.3f} s"],
        )

    @property
    def closure(self) -> dict:
        """The closure that produced the numbers: ``{"revenue": ..., "deficits": ...}``."""
        return {"revenue": self.revenue, "deficits": self.deficits}

    def closure_text(self) -> str:
        """The closure in words, for tables and reports.

        Returns
        -------
        str
            How tariff revenue is used, and the deficit closure.
        """
        revenue = ("tariff revenue lowers trade deficits" if self.revenue == "deficit-reduction"
                   else "tariff revenue rebated to households")
        return f"{revenue}; deficits {self.deficits}"

    def sector_output_pct(self, countries: list[str]) -> dict:
        """Each country's sector output, percent change: {country: {sector: pct}} (sectors with output).

        Parameters
        ----------
        countries : list of str
            The countries.

        Returns
        -------
        dict
            ``{country: {sector: percent change}}``, sectors without baseline output left out.
        """
        output = 100 * (self.values("output") - 1)  # plain arrays: no labelled Dataset needed
        rows = {country: k for k, country in enumerate(self.baseline.countries)}
        sectors = self.baseline.sectors
        return {country: {sector: float(v) for sector, v in zip(sectors, output[rows[country]], strict=True)
                          if not np.isnan(v)}
                for country in countries}

    def to_dict(
        self,
        *,
        scenario: str | None = None,
        date: str | None = None,
        pairs: list[tuple[str, str]] | None = None,
    ) -> dict:
        """The JSON document of the result: solver, per-country effects, bilateral trade changes.

        ``pairs`` are the (exporter, importer) pairs whose trade is shown, in total and by
        sector (default: the two sides of the headline conflict, :data:`SIDES`, where
        present). ``scenario`` and ``date`` label it; :meth:`ScenarioRun.to_dict
        <tradewar.simulation.ScenarioRun.to_dict>` (what ``tradewar simulate --json``
        prints) builds on this.

        Parameters
        ----------
        scenario : str, optional
            The scenario's name, as a label.
        date : str, optional
            The policy date (ISO), as a label.
        pairs : list of tuple of str, optional
            The (exporter, importer) pairs whose trade is shown.

        Returns
        -------
        dict
            ``scenario``, ``world``, ``date``, ``deficits``, ``closure``, ``solver``,
            ``countries`` (the fields of :data:`COUNTRY_FIELDS`) and ``bilateral`` (each pair's
            baseline flow and change in percent, in total and by sector with trade).
        """
        if pairs is None:
            sides = [c for c in SIDES if c in self.countries]
            pairs = [(a, b) for a in sides for b in sides if a != b]
        table = self.country_table()[list(COUNTRY_FIELDS)].to_numpy(dtype=float)
        countries = {
            country: {field: float(table[i, k]) for k, field in enumerate(COUNTRY_FIELDS)}
            for i, country in enumerate(self.countries)
        }
        # Plain arrays, not one xarray selection per cell (144 of them were a tenth of `simulate`).
        trade_baseline = self.values("trade_baseline")  # (importer, exporter, sector)
        trade_new = self.values("trade_new")
        position = {country: k for k, country in enumerate(self.countries)}
        bilateral = []
        for exporter, importer in pairs:
            row_baseline = trade_baseline[position[importer], position[exporter]]
            row_new = trade_new[position[importer], position[exporter]]
            for k, sector in enumerate(["all", *self.baseline.sectors]):
                if sector == "all":
                    baseline, new = float(row_baseline.sum()), float(row_new.sum())
                else:
                    baseline, new = float(row_baseline[k - 1]), float(row_new[k - 1])
                if baseline <= 0:
                    continue
                bilateral.append(
                    {"exporter": exporter, "importer": importer, "sector": sector, "baseline_usd_mn": baseline,
                     "change_pct": 100 * (new / baseline - 1)}
                )
        return {
            "scenario": scenario,
            "world": self.baseline.name,
            "date": date,
            "deficits": self.deficits,
            "closure": self.closure,
            "solver": self.solver.to_dict(),
            "countries": countries,
            "bilateral": bilateral,
        }

    def to_dataset(self) -> xr.Dataset:
        """:attr:`data` with the deficit closure and the solver's report in its attributes.

        Returns
        -------
        xarray.Dataset
            A copy of :attr:`data`.
        """
        data = self.data.copy()
        data.attrs.update({"deficits": self.deficits, "revenue": self.revenue,
                           "solver_iterations": self.solver.iterations,
                           "solver_residual": self.solver.residual, "solver_seconds": self.solver.seconds})
        return data
