"""Value added in trade (the OECD TiVA view) of a world in the model's equilibrium.

Gross flows count a Chinese chip inside a Vietnamese phone as Vietnamese exports to the
U.S.; value added in trade follows each country's value added to the final buyer. In the
Caliendo-Parro model a buyer sources a sector's goods from the same origins for final
and intermediate use (the trade shares ``pi``), so the input-output system over all
country-sectors (``N*J`` nodes) is

    go[i,s] = sum_{n,k} A[(i,s),(n,k)] go[n,k] + sum_n F[(i,s), n],
    A[(i,s),(n,k)] = trade[n,i,s] / spending[n,s] * gamma[n,s,k],
    F[(i,s), n]    = trade[n,i,s] / spending[n,s] * alpha[n,s] * income[n],

with flows at producer prices (tariffs and export taxes are revenue of governments, not
value added). The value added of ``i`` embodied in ``n``'s final demand, shipped as a
final good by ``m``, is ``sum_s R[i,(m,s)] F[(m,s), n]`` with ``R = V (I - A)^-1`` and V
the value-added shares on each origin's nodes. Identities: summed over shippers and
destinations it is ``i``'s value added; over everything, world GDP (at basic prices).
"""

from __future__ import annotations

import numpy as np
import xarray as xr

__all__ = ["value_added_in_final_demand", "value_added_summary"]


def value_added_in_final_demand(world) -> xr.DataArray:
    """Value added by origin, embodied in final demand by destination, by final shipper.

    Parameters
    ----------
    world : tradewar.world.World
        Any world that is a model equilibrium (a baseline, or ``result.new_world()``).

    Returns
    -------
    xarray.DataArray (origin, shipper, destination)
        USD millions of the world's units. ``.sum("shipper")`` is the TiVA matrix of value
        added in final demand; the ``shipper == destination`` slice is value added reaching
        the destination inside its own final goods.
    """
    countries = list(world.countries)
    trade = world.trade.values  # (importer n, exporter i, sector s), producer prices
    n_c, n_s = len(countries), len(world.sectors)
    spending = world.expenditure.values  # (n, s), buyer prices
    share = np.divide(trade, spending[:, None, :], out=np.zeros_like(trade), where=spending[:, None, :] > 0)
    gamma = world.input_share.values  # (n, input s, using k)
    final_spending = world.final_demand_share.values * world.income.values[:, None]  # (n, s)

    # Node order: origin-major, (i, s) -> i * J + s.
    a = np.einsum("nis,nsk->isnk", share, gamma).reshape(n_c * n_s, n_c * n_s)
    f = np.einsum("nis,ns->isn", share, final_spending).reshape(n_c * n_s, n_c)
    beta = world.value_added_share.values.reshape(-1)  # (i, s) flattened
    v_block = np.zeros((n_c * n_s, n_c))
    v_block[np.arange(n_c * n_s), np.repeat(np.arange(n_c), n_s)] = beta
    # R^T solves (I - A)^T R^T = V^T: one dense solve with N right-hand sides.
    r = np.linalg.solve(np.eye(n_c * n_s) - a.T, v_block).T  # (origin, node)
    flows = np.einsum("imS,mSn->imn", r.reshape(n_c, n_c, n_s), f.reshape(n_c, n_s, n_c))
    return xr.DataArray(
        flows,
        dims=("origin", "shipper", "destination"),
        coords={"origin": countries, "shipper": countries, "destination": countries},
        name="value_added_in_final_demand",
        attrs={"units": world.data.attrs.get("units", "USD millions")},
    )


def value_added_summary(world, origin: str, destination: str, tiva: xr.DataArray | None = None) -> dict[str, float]:
    """``origin``'s value added in ``destination``'s final demand beside gross trade.

    Returns gross exports (all sectors, producer prices), the value added total, the part
    shipped directly by the origin, and the part reaching the destination inside other
    countries' exports (rerouting through third countries shows up here).

    Parameters
    ----------
    world : tradewar.world.World
        A world that is a model equilibrium.
    origin, destination : str
        Country labels.
    tiva : xarray.DataArray, optional
        :func:`value_added_in_final_demand` of ``world``, if already computed.

    Returns
    -------
    dict of str to float
        ``gross_exports``, ``value_added``, ``shipped_by_origin``, ``inside_destination_goods``
        and ``via_third_countries`` (the world's units, USD millions).

    Raises
    ------
    KeyError
        If a country is not in the world.
    """
    for label in (origin, destination):
        if label not in world.countries:
            raise KeyError(f"Unknown country {label!r}; the world has {world.countries}.")
    tiva = value_added_in_final_demand(world) if tiva is None else tiva
    cell = tiva.sel(origin=origin, destination=destination)
    total = float(cell.sum())
    direct = float(cell.sel(shipper=origin))
    home = float(cell.sel(shipper=destination))
    return {
        "gross_exports": float(world.trade.sel(importer=destination, exporter=origin).sum()),
        "value_added": total,
        "shipped_by_origin": direct,
        "inside_destination_goods": home,
        "via_third_countries": total - direct - home,
    }
