"""The baseline economy: a labelled, validated ``xarray.Dataset``."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from tradewar.errors import WorldValidationError
from tradewar.world import checks
from tradewar.world.engine import engine
from tradewar.world.xarray_setup import xr  # xarray that imports no dask until dask arrays exist

if TYPE_CHECKING:  # annotations only: the world layer does not import the model at run time
    from tradewar.model.caliendo_parro import Baseline, Equilibrium
    from tradewar.model.solver import SolverOptions

__all__ = ["World"]

UNITS = "USD millions"
# Variables that market clearing does not involve (flows, tariffs, export taxes and cost and
# demand shares do): replacing only these keeps an equilibrium an equilibrium.
CLEARING_FREE = frozenset({"trade_elasticity", "specific_labour_share"})


class World:
    """A baseline world economy.

    Dimensions: ``importer``, ``exporter``, ``country`` (the same labels),
    ``sector`` and ``input`` (the same labels). Variables:

    ``trade`` (importer, exporter, sector)
        Bilateral flows at producer prices (exporter's revenue, before the
        importer's tariff), domestic sales on the diagonal, USD millions.
    ``tariff`` (importer, exporter, sector)
        Ad valorem tariff as a fraction (0.25 = 25%).
    ``export_tax`` (importer, exporter, sector), optional
        Export tax the exporter levies (revenue to its government); zero if absent.
        Flows at buyer prices are ``trade * (1 + export_tax) * (1 + tariff)``.
    ``value_added_share`` (country, sector), ``input_share`` (country, input, sector)
        Cost shares: ``value_added_share + input_share.sum("input") == 1``.
    ``final_demand_share`` (country, sector)
        Shares of final spending, summing to one by country.
    ``trade_elasticity`` (sector)
        theta, the elasticity of trade to trade costs.

    Attributes (``World.data.attrs``) record ``name``, ``units``, ``source``,
    ``year`` and ``citation``.

    The world is checked on construction; with ``require_equilibrium`` (the
    default) its markets must also clear, i.e. the data are a model equilibrium.
    Raw data that are not can be made so with :meth:`balanced`.

    Parameters
    ----------
    data : xarray.Dataset
        The variables above, with their dimensions and attributes.
    require_equilibrium : bool, default True
        Also check that markets clear (gross output equals sales).
    rtol : float, default 1e-6
        The relative tolerance of that check.

    Raises
    ------
    tradewar.errors.WorldValidationError
        If a variable is missing or mis-shaped, a value is out of range (negative flows,
        shares that do not sum to one, ...) or, with ``require_equilibrium``, markets do not
        clear; the message names the cell.
    """

    def __init__(self, data: xr.Dataset, *, require_equilibrium: bool = True, rtol: float = 1e-6):
        checks.check_structure(data)
        checks.check_values(data)
        self.data = data
        self.is_equilibrium = False
        if require_equilibrium:
            checks.check_market_clearing(
                data, self.expenditure.values, self._demand_for_goods(), rtol=rtol
            )
            self.is_equilibrium = True

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_arrays(
        cls,
        *,
        countries: Sequence[str],
        sectors: Sequence[str],
        trade: np.ndarray,
        tariff: np.ndarray,
        value_added_share: np.ndarray,
        input_share: np.ndarray,
        final_demand_share: np.ndarray,
        trade_elasticity: np.ndarray,
        export_tax: np.ndarray | None = None,
        require_equilibrium: bool = True,
        **attrs: Any,
    ) -> World:
        """Build a world from numpy arrays in the axis order of the class docstring.

        Parameters
        ----------
        countries : sequence of str
            Country labels (N).
        sectors : sequence of str
            Sector labels (J).
        trade : numpy.ndarray
            (N, N, J) flows at producer prices, USD millions.
        tariff : numpy.ndarray
            (N, N, J) ad valorem tariffs, fractions.
        value_added_share : numpy.ndarray
            (N, J) value added's share of costs.
        input_share : numpy.ndarray
            (N, J, J) input shares ``[country, input, sector]``.
        final_demand_share : numpy.ndarray
            (N, J) final demand shares.
        trade_elasticity : numpy.ndarray
            (J,) theta.
        export_tax : numpy.ndarray, optional
            (N, N, J) export taxes.
        require_equilibrium : bool, default True
            Also check that markets clear.
        **attrs
            The dataset's attributes (``name``, ``source``, ``year``, ``citation``, ...).

        Returns
        -------
        World
            The checked world.

        Raises
        ------
        tradewar.errors.WorldValidationError
            If an array has the wrong shape or the world fails its checks.
        """
        countries = [str(c) for c in countries]
        sectors = [str(s) for s in sectors]
        n, j = len(countries), len(sectors)
        expected = {
            "trade": (n, n, j),
            "tariff": (n, n, j),
            "value_added_share": (n, j),
            "input_share": (n, j, j),
            "final_demand_share": (n, j),
            "trade_elasticity": (j,),
        }
        given = {
            "trade": trade,
            "tariff": tariff,
            "value_added_share": value_added_share,
            "input_share": input_share,
            "final_demand_share": final_demand_share,
            "trade_elasticity": trade_elasticity,
        }
        if export_tax is not None:
            expected["export_tax"] = (n, n, j)
            given["export_tax"] = export_tax
        arrays = {}
        for name, shape in expected.items():
            array = np.asarray(given[name], dtype=float)
            if array.shape != shape:
                raise WorldValidationError(
                    f"{name} has shape {array.shape} but {n} countries and {j} sectors need {shape}."
                )
            arrays[name] = (checks.VARIABLES[name], array)
        data = xr.Dataset(
            arrays,
            coords={
                "importer": countries,
                "exporter": countries,
                "country": countries,
                "sector": sectors,
                "input": sectors,
            },
            attrs={"units": UNITS, **attrs},
        )
        return cls(data, require_equilibrium=require_equilibrium)

    def replace(self, *, require_equilibrium: bool | None = None, **variables: np.ndarray) -> World:
        """A copy with some variables replaced by arrays of the same shape.

        Parameters
        ----------
        require_equilibrium : bool, optional
            Check that markets clear (default: as this world was checked).
        **variables : numpy.ndarray
            New values of world variables, by name (``trade``, ``tariff``, ...).

        Returns
        -------
        World
            The checked copy.

        Raises
        ------
        tradewar.errors.WorldValidationError
            If a name is not a world variable, or the copy fails its checks.
        """
        data = self.data.copy()
        for name, values in variables.items():
            if name not in checks.VARIABLES:
                raise WorldValidationError(f"{name!r} is not a world variable; choose from {list(checks.VARIABLES)}.")
            data[name] = (checks.VARIABLES[name], np.asarray(values, dtype=float))
        if require_equilibrium is None:
            require_equilibrium = self.is_equilibrium
        if require_equilibrium and self.is_equilibrium and set(variables) <= CLEARING_FREE:
            # Markets still clear (nothing they depend on changed): check the rest only.
            world = World(data, require_equilibrium=False)
            world.is_equilibrium = True
            return world
        return World(data, require_equilibrium=require_equilibrium)

    # ------------------------------------------------------------------ labels and raw data
    @property
    def name(self) -> str:
        """The world's name (``wiod2011``, ``icio2022``, ...; ``attrs["name"]``)."""
        return str(self.data.attrs.get("name", "unnamed"))

    @property
    def countries(self) -> list[str]:
        """Country (or region) labels, in the dataset's order."""
        return [str(c) for c in self.data["country"].values]

    @property
    def sectors(self) -> list[str]:
        """Sector labels, in the dataset's order."""
        return [str(s) for s in self.data["sector"].values]

    @property
    def goods(self) -> list[str]:
        """Sectors that are goods (tariffs apply); from the ``goods`` attribute, else all sectors."""
        listed = [g for g in str(self.data.attrs.get("goods", "")).split("|") if g]
        return [s for s in self.sectors if s in listed] if listed else self.sectors

    @property
    def trade(self) -> xr.DataArray:
        """Baseline bilateral trade (importer, exporter, sector) at producer prices, USD millions."""
        return self.data["trade"]

    @property
    def tariff(self) -> xr.DataArray:
        """Baseline ad valorem tariffs (importer, exporter, sector), fractions (0.1 = 10%)."""
        return self.data["tariff"]

    @property
    def export_tax(self) -> xr.DataArray:
        """Export taxes (zero where the world has none)."""
        if "export_tax" in self.data:
            return self.data["export_tax"]
        return xr.zeros_like(self.tariff).rename("export_tax")

    def _fob_factor(self) -> np.ndarray | float:
        """1 + export tax, or 1 when the world has no export taxes (the common case, kept cheap)."""
        return 1.0 + self.data["export_tax"].values if "export_tax" in self.data else 1.0

    @property
    def value_added_share(self) -> xr.DataArray:
        """beta: value added over gross output (country, sector)."""
        return self.data["value_added_share"]

    @property
    def input_share(self) -> xr.DataArray:
        """gamma: the share of each input sector in the cost of each sector (country, input, sector)."""
        return self.data["input_share"]

    @property
    def final_demand_share(self) -> xr.DataArray:
        """alpha: each sector's share of final spending (country, sector)."""
        return self.data["final_demand_share"]

    @property
    def trade_elasticity(self) -> xr.DataArray:
        """theta: the trade elasticity of each sector."""
        return self.data["trade_elasticity"]

    # ------------------------------------------------------------------ derived accounts
    def _country_sector(self, values: np.ndarray, name: str) -> xr.DataArray:
        return xr.DataArray(
            values, dims=("country", "sector"), coords={"country": self.countries, "sector": self.sectors}, name=name
        )

    def _country(self, values: np.ndarray, name: str) -> xr.DataArray:
        return xr.DataArray(values, dims=("country",), coords={"country": self.countries}, name=name)

    @property
    def gross_output(self) -> xr.DataArray:
        """Producer revenue by country and sector (sales to every destination)."""
        return self._country_sector(self.trade.values.sum(axis=0), "gross_output")

    @property
    def expenditure(self) -> xr.DataArray:
        """Spending by country and sector at buyer prices (tariffs included)."""
        return self._country_sector(
            (self.trade.values * self._fob_factor() * (1 + self.tariff.values)).sum(axis=1), "expenditure"
        )

    @property
    def tariff_revenue(self) -> xr.DataArray:
        """Baseline tariff revenue by importing country, USD millions."""
        return self._country(
            (self.trade.values * self._fob_factor() * self.tariff.values).sum(axis=(1, 2)), "tariff_revenue"
        )

    @property
    def export_tax_revenue(self) -> xr.DataArray:
        """Export taxes collected, by exporting country."""
        taxes = self.trade.values * (self._fob_factor() - 1.0)
        return self._country(taxes.sum(axis=(0, 2)), "export_tax_revenue")

    @property
    def value_added(self) -> xr.DataArray:
        """Value added (the wage bill) by country, USD millions."""
        return self._country(
            (self.value_added_share.values * self.gross_output.values).sum(axis=1), "value_added"
        )

    @property
    def exports(self) -> xr.DataArray:
        """Sales abroad at producer prices, by country."""
        flows = self.trade.values
        return self._country(flows.sum(axis=(0, 2)) - np.einsum("nnj->n", flows), "exports")

    @property
    def imports(self) -> xr.DataArray:
        """Purchases from abroad at producer prices (before tariffs), by country."""
        flows = self.trade.values
        return self._country(flows.sum(axis=(1, 2)) - np.einsum("nnj->n", flows), "imports")

    @property
    def deficit(self) -> xr.DataArray:
        """Trade deficit, imports minus exports, valued at the border before tariffs (export
        taxes included: the exporting country receives them)."""
        fob = self.trade.values * self._fob_factor()
        foreign = fob.sum(axis=(1, 2)) - np.einsum("nnj->n", fob), fob.sum(axis=(0, 2)) - np.einsum("nnj->n", fob)
        return self._country(foreign[0] - foreign[1], "deficit")

    @property
    def income(self) -> xr.DataArray:
        """Final spending: value added plus tariff and export-tax revenue plus the deficit."""
        return (self.value_added + self.tariff_revenue + self.export_tax_revenue + self.deficit).rename("income")

    @property
    def trade_shares(self) -> xr.DataArray:
        """pi: each origin's share of spending at buyer prices; autarky where nothing is spent."""
        return self.trade.copy(data=self._trade_shares()).rename("trade_shares")

    def _trade_shares(self) -> np.ndarray:
        spending = self.trade.values * self._fob_factor() * (1 + self.tariff.values)
        totals = spending.sum(axis=1, keepdims=True)
        shares = np.divide(spending, totals, out=np.zeros_like(spending), where=totals > 0)
        # Goods nobody buys get a notional domestic source so that price indices are defined.
        empty_n, empty_j = np.nonzero(totals[:, 0, :] <= 0)
        shares[empty_n, empty_n, empty_j] = 1.0
        return shares

    def _demand_for_goods(self) -> np.ndarray:
        output = self.gross_output.values
        intermediate = np.einsum("njk,nk->nj", self.input_share.values, output)
        return intermediate + self.final_demand_share.values * self.income.values[:, None]

    @property
    def hash(self) -> str:
        """A content hash of the labels and numbers (first 16 hex digits of SHA-256)."""
        digest = hashlib.sha256()
        for label in ("country", "sector"):
            digest.update("|".join(str(v) for v in self.data[label].values).encode())
        for name in checks.VARIABLES:
            if name in self.data:
                digest.update(np.ascontiguousarray(self.data[name].values, dtype=float).tobytes())
        return digest.hexdigest()[:16]

    # ------------------------------------------------------------------ model interface
    def baseline(self) -> Baseline:
        """The arrays the equilibrium engine works on (built by the engine, see :mod:`tradewar.world.engine`).

        Returns
        -------
        Baseline
            The engine's baseline arrays (:func:`tradewar.model.calibration.baseline`).
        """
        return engine().baseline(self)

    def from_equilibrium(
        self, equilibrium: Equilibrium, tariff_new: np.ndarray, export_tax_new: np.ndarray | None = None
    ) -> World:
        """The world an equilibrium describes, in the baseline's money units.

        A banned flow (infinite export tax) is zero in the new world and is stored
        with a zero tax: in exact hat algebra a zero flow stays zero, so lifting the
        ban must be measured from the original baseline.

        Parameters
        ----------
        equilibrium : Equilibrium
            A solved equilibrium of this world.
        tariff_new : numpy.ndarray
            (N, N, J) the tariffs it was solved with.
        export_tax_new : numpy.ndarray, optional
            (N, N, J) the export taxes it was solved with (default: this world's).

        Returns
        -------
        World
            The new flows, tariffs and export taxes (checked as an equilibrium).
        """
        if export_tax_new is None and "export_tax" in self.data:
            export_tax_new = self.data["export_tax"].values  # unchanged export taxes still divide spending
        with np.errstate(invalid="ignore"):
            fob = 1.0 if export_tax_new is None else 1.0 + export_tax_new
            trade_new = equilibrium.expenditure[:, None, :] * equilibrium.trade_shares / ((1 + tariff_new) * fob)
        variables = {"trade": np.nan_to_num(trade_new, nan=0.0, posinf=0.0), "tariff": tariff_new}
        if export_tax_new is not None:
            variables["export_tax"] = np.where(np.isfinite(export_tax_new), export_tax_new, 0.0)
        return self.replace(require_equilibrium=True, **variables)

    def balanced(self, options: SolverOptions | None = None) -> World:
        """Make raw data a model equilibrium (CP2015's first step).

        Keeps trade shares, tariffs, cost and final-demand shares, value added and
        deficits, and solves the model with no shock; the resulting flows satisfy
        every accounting identity. The engine does it
        (:func:`tradewar.model.calibration.balance`).

        Parameters
        ----------
        options : SolverOptions, optional
            Solver settings.

        Returns
        -------
        World
            The balanced world.
        """
        return engine().balance(self, options)

    def without_deficits(self, options: SolverOptions | None = None) -> World:
        """The equilibrium of this world with every trade deficit set to zero.

        CP2015 (section 5) use it as the baseline of their counterfactuals so that
        fixed deficits do not drive the welfare results
        (:func:`tradewar.model.calibration.without_deficits`).

        Parameters
        ----------
        options : SolverOptions, optional
            Solver settings.

        Returns
        -------
        World
            The balanced-trade equilibrium.
        """
        return engine().without_deficits(self, options)

    def aggregate(self, regions=None, sectors=None) -> World:
        """Merge countries into regions and/or sectors into groups; see :func:`tradewar.world.aggregate.aggregate`.

        Parameters
        ----------
        regions, sectors : optional
            The groupings, as :func:`tradewar.world.aggregate.aggregate` takes them.

        Returns
        -------
        World
            The aggregated world.
        """
        from tradewar.world.aggregate import aggregate

        return aggregate(self, regions=regions, sectors=sectors)

    def split_sector(self, parent: str, child: str, output_share=None, trade_elasticity: float | None = None,
                     **options) -> World:
        """Carve a critical product out of a sector; see :func:`tradewar.world.split.split_sector`.

        Parameters
        ----------
        parent : str
            The sector the product is carved from.
        child : str
            The new sector's name.
        output_share : float or dict, optional
            The child's share of the parent's output (see the function).
        trade_elasticity : float, optional
            The child's theta (default: the parent's).
        **options
            The function's keyword arguments (``world_value``, ``producer_shares``, ...).

        Returns
        -------
        World
            The world with the new sector.
        """
        from tradewar.world.split import split_sector

        return split_sector(self, parent, child, output_share, trade_elasticity, **options)

    def with_critical_inputs(self, inputs, substitution: float, users=None, countries=None) -> World:
        """Nested CES bundles with critical inputs; see :func:`tradewar.world.critical.with_critical_inputs`.

        Parameters
        ----------
        inputs : str or sequence of str
            The critical input sector(s).
        substitution : float
            sigma > 0 between each critical input and the rest of the bundle.
        users : sequence of str, optional
            The sectors whose bundles change (default: all).
        countries : sequence of str, optional
            Where it applies (default: all).

        Returns
        -------
        World
            The world with the elasticities recorded.
        """
        from tradewar.world.critical import with_critical_inputs

        return with_critical_inputs(self, inputs, substitution, users, countries)

    def with_scarce_supply(self, sector: str, supply_elasticity: float, countries=None, exclude=(),
                           capacity_share: float | None = None) -> World:
        """A sector whose gross output expands at rising cost; see :func:`tradewar.world.critical.with_scarce_supply`.

        Parameters
        ----------
        sector : str
            The scarce sector.
        supply_elasticity : float
            eta > 0 (``numpy.inf``: constant cost).
        countries : sequence of str, optional
            Where capacity is scarce (default: every country).
        exclude : sequence of str
            Countries left out of ``countries``.
        capacity_share : float, optional
            Capacity's share of the sector's value added (default: the capital share,
            :data:`tradewar.world.critical.CAPACITY_SHARE_OF_VALUE_ADDED`).

        Returns
        -------
        World
            The world with the capacity nest recorded.
        """
        from tradewar.world.critical import CAPACITY_SHARE_OF_VALUE_ADDED, with_scarce_supply

        share = CAPACITY_SHARE_OF_VALUE_ADDED if capacity_share is None else capacity_share
        return with_scarce_supply(self, sector, supply_elasticity, countries, exclude, share)

    def with_elasticities(self, name: str, horizon: str = "long", **options) -> World:
        """The same world with a named elasticity set at a horizon; see
        :func:`tradewar.world.elasticities.with_elasticities`.

        Parameters
        ----------
        name : str
            The elasticity set (``cp2015`` or ``fontagne2022``).
        horizon : str, default "long"
            ``long``, ``medium`` or ``short``.
        **options
            The function's keyword arguments (``labour``, ``specific_share``, ``path``).

        Returns
        -------
        World
            The world with the set's elasticities.
        """
        from tradewar.world.elasticities import with_elasticities

        return with_elasticities(self, name, horizon, **options)

    # ------------------------------------------------------------------ display
    def __repr__(self) -> str:
        total = float(self.trade.values.sum())
        return (
            f"<World {self.name!r}: {len(self.countries)} countries x {len(self.sectors)} sectors, "
            f"flows {total:,.0f} {self.data.attrs.get('units', UNITS)}, hash {self.hash}>"
        )
