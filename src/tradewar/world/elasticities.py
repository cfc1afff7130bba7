"""Named trade-elasticity sets and horizons.

A *set* is a published estimate of how trade responds to tariffs, mapped to the
sectors of a world and to the engine's ``theta`` by what it measures:

- ``cp2015``: Caliendo & Parro (2015, Table 1), the dispersion parameter theta of
  their model itself; flows gross of tariffs move as ``(1+t)^-theta``.
- ``fontagne2022``: Fontagne, Guimbard & Orefice (2022, JIE), tariff elasticities of
  trade flows measured net of tariffs (BACI), ``epsilon = -(1 + theta)``.

A *horizon* scales a set after Boehm, Levchenko & Pandalai-Nayar (2023, AER),
whose elasticity of tariff-exclusive (net) flows is about 0.76 one year after a
tariff change and about 2 (1.75 to 2.25) once converged after 7-10 years:

- ``long``: the set as estimated (tariff-based estimates on 15-year panels are
  long-run in their sense);
- ``medium`` (five years): the net elasticity ``1 + theta`` times
  ``(0.76 + (5 - 1) / (10 - 1) * (2.0 - 0.76)) / 2.0`` = 0.656, BLP's one- and
  ten-year points joined linearly (the interpolation is ours);
- ``short`` (one year): ``1 + theta`` times ``0.76 / 2.0`` = 0.38.

The ratios apply to the net-flow elasticity because that is what BLP measure;
theta never falls below ``THETA_FLOOR`` (0.5, our choice: BLP's one-year level
itself, 0.76 on net flows, means theta < 0, which the model cannot take); the
sectors held at the floor are recorded.

Labour at each horizon. ``long`` and ``medium`` keep the one-factor closure of
Caliendo & Parro (2015): labour moves freely across sectors within a country.
``short`` also ties labour to its sector, the specific-factors (Ricardo-Viner)
closure that CGE models use for the short run (GTAP's short-run closure holds
sector capital stocks fixed, Hertel 1997, *Global Trade Analysis*, ch. 2; with
sluggish labour, GTAP-style models let factors move only imperfectly, via a CET).
A share ``s`` of each sector's labour (value added: in this one-factor model labour
stands for all primary factors) cannot leave the sector and earns a sector wage;
the rest stays mobile at the national wage. ``s = SHORT_RUN_SPECIFIC_LABOUR`` = 0.9
by default (our assumption, bounded by a source: the share of U.S. workers who
switch occupation within a year was 16% in the early 1970s and 19% by the early
1990s, Kambourov & Manovskii 2009, REStud 76(2), "Occupational Mobility and Wage
Inequality" (PIER WP 04-026, abstract); these are gross flows, many within an
industry, so net reallocation across sectors within a year is well below them;
capital, part of value added here, does not move at all). ``s`` is the
labour-mobility parameter: ``s -> 0`` is the mobile long-run closure again (tested),
``s = 1`` is not allowed (mobile labour's world wage bill is the numeraire). The
engine's equations are in :func:`tradewar.model.equations.sector_specific_share`.

>>> world = with_elasticities(load_world(), "fontagne2022", horizon="short")  # doctest: +SKIP
>>> world.data.attrs["elasticities"], world.data.attrs["horizon"]             # doctest: +SKIP
('fontagne2022', 'short')
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from tradewar.errors import DataNotFoundError, ElasticityError
from tradewar.world.horizons import HORIZON_YEARS, HORIZONS
from tradewar.world.world import World

__all__ = [
    "DEFAULT_ELASTICITIES",
    "ELASTICITY_SETS",
    "HORIZONS",
    "LABOUR_CLOSURES",
    "SHORT_RUN_SPECIFIC_LABOUR",
    "THETA_FLOOR",
    "ElasticitySet",
    "horizon_theta",
    "load_elasticity_set",
    "read_elasticity_file",
    "with_default_elasticities",
    "with_elasticities",
]

#: What each set's published number measures, and where it comes from.
ELASTICITY_SETS = {
    "cp2015": {
        "concept": "gross",
        "measures": "theta: flows gross of tariffs move as (1+t)^-theta",
        "citation": "Caliendo, L. and Parro, F. (2015), 'Estimates of the Trade and Welfare Effects of NAFTA', "
                    "Review of Economic Studies 82(1): 1-44, Table 1",
    },
    "fontagne2022": {
        "concept": "net",
        "measures": "epsilon: flows net of tariffs move as (1+t)^epsilon, epsilon = -(1 + theta)",
        "citation": "Fontagne, L., Guimbard, H. and Orefice, G. (2022), 'Tariff-based product-level trade "
                    "elasticities', Journal of International Economics 137: 103593",
    },
}

# Boehm, Levchenko & Pandalai-Nayar (2023): elasticity of tariff-exclusive flows.
BLP_ONE_YEAR, BLP_LONG_RUN, BLP_CONVERGED_YEARS = 0.76, 2.0, 10
THETA_FLOOR = 0.5
#: The elasticity set and horizon of every run that names none (scenario runs: simulate, compare,
#: --draws, sweeps, the web page, the talks' footing; and war), chosen with the trade-war-2019
#: backtest and checked on its held-out parts (README, "Elasticities, horizons and the backtest";
#: data/backtest/default_choice.md). The one place to change it.
DEFAULT_ELASTICITIES = {"elasticities": "fontagne2022", "horizon": "medium"}
#: Share of each sector's labour tied to the sector at the short horizon (see the module).
SHORT_RUN_SPECIFIC_LABOUR = 0.9
LABOUR_CLOSURES = ("mobile", "sector-specific")


def horizon_ratio(horizon: str) -> float:
    """The factor on the net-flow elasticity ``1 + theta`` at a horizon (1 for ``long``).

    Parameters
    ----------
    horizon : str
        ``long``, ``medium`` or ``short``.

    Returns
    -------
    float
        The horizon's elasticity over the long-run one (linear in years between the one-year
        and converged values).

    Raises
    ------
    tradewar.errors.ElasticityError
        If the horizon is unknown.
    """
    _check_name(horizon, HORIZONS, "horizon")
    years = HORIZON_YEARS[horizon]
    if years is None:
        return 1.0
    level = BLP_ONE_YEAR + (years - 1) / (BLP_CONVERGED_YEARS - 1) * (BLP_LONG_RUN - BLP_ONE_YEAR)
    return level / BLP_LONG_RUN


def horizon_theta(theta_long, horizon: str) -> np.ndarray:
    """theta at a horizon from the long-run theta: ``1 + theta`` scaled, floored at ``THETA_FLOOR``.

    Parameters
    ----------
    theta_long : array_like
        Long-run theta by sector.
    horizon : str
        ``long``, ``medium`` or ``short``.

    Returns
    -------
    numpy.ndarray
        theta at the horizon (a copy of ``theta_long`` for ``long``).

    Raises
    ------
    tradewar.errors.ElasticityError
        If the horizon is unknown.
    """
    theta_long = np.asarray(theta_long, dtype=float)
    return np.maximum(horizon_ratio(horizon) * (1.0 + theta_long) - 1.0, THETA_FLOOR) if horizon != "long" \
        else theta_long.copy()


@dataclass(frozen=True)
class ElasticitySet:
    """One set on one world's sectors: the published values, theta, standard errors.

    Parameters
    ----------
    name : str
        The set (``cp2015``, ``fontagne2022``).
    world : str
        The world whose sectors it is mapped to.
    sectors : tuple of str
        The world's sector labels.
    published : numpy.ndarray
        The values in the set's own concept (theta, or the net-flow epsilon).
    theta : numpy.ndarray
        The long-run theta, the engine's parameter.
    se : numpy.ndarray
        Standard errors of theta (NaN where the source gives none).
    derivation : tuple of str
        How each sector's value was derived.
    """

    name: str
    world: str
    sectors: tuple[str, ...]
    published: np.ndarray  # in the set's own concept (theta, or the net-flow epsilon)
    theta: np.ndarray  # long run, the engine's parameter
    se: np.ndarray  # of theta; NaN where the source gives none
    derivation: tuple[str, ...]

    @property
    def concept(self) -> str:
        """What the published numbers measure (theta itself, or the tariff elasticity of net flows)."""
        return ELASTICITY_SETS[self.name]["concept"]

    def frame(self) -> pd.DataFrame:
        """One row per sector: the published value, the model's theta, its standard error and how it was derived.

        Returns
        -------
        pandas.DataFrame
            Columns ``sector``, ``published``, ``theta``, ``se``, ``derivation``.
        """
        return pd.DataFrame({"sector": self.sectors, "published": self.published, "theta": self.theta,
                             "se": self.se, "derivation": self.derivation})

    def standard_errors(self) -> np.ndarray:
        """Standard errors of theta by sector, for Monte Carlo draws.

        Raises a clear error where the shipped file has none: the shared data hold
        point estimates only (Fontagne et al. publish their standard errors in a
        separate file, Caliendo & Parro in their Table 1; neither is in ``../shared``).

        Returns
        -------
        numpy.ndarray
            One per sector.

        Raises
        ------
        tradewar.errors.ElasticityError
            If any sector has none.
        """
        if np.isnan(self.se).any():
            missing = [s for s, v in zip(self.sectors, self.se, strict=True) if np.isnan(v)]
            raise ElasticityError(
                f"Elasticity set {self.name!r} ships no standard errors for {len(missing)} sectors "
                f"({', '.join(missing[:3])}...); use --draws with an explicit spread instead."
            )
        return self.se


def _check_name(value: str, allowed, what: str) -> None:
    if value not in allowed:
        close = difflib.get_close_matches(str(value), list(allowed), n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise ElasticityError(f"Unknown {what} {value!r}; choose from {', '.join(allowed)}.{hint}")


def _data_file(world_name: str) -> Path:
    return Path(str(resources.files("tradewar") / "data" / "elasticities" / f"{world_name}.csv"))


def read_elasticity_file(path: Path | str, name: str, sectors: list[str],
                         codes: list[str] | None = None) -> ElasticitySet:
    """Read one set from an elasticity CSV (columns ``set, sector, published, theta, se``) and check it.

    Sectors are matched by name (``sector``) or, where the world uses codes, by ``sector_code``.
    Every sector of the world must be there once with a finite theta above zero; an error names
    the file, the set and the sector otherwise.

    Parameters
    ----------
    path : pathlib.Path or str
        The CSV file.
    name : str
        The set to read.
    sectors : list of str
        The world's sector labels.
    codes : list of str, optional
        The world's sector codes, where it keeps them beside short names.

    Returns
    -------
    ElasticitySet
        The set, in the order of ``sectors``.

    Raises
    ------
    tradewar.errors.DataNotFoundError
        If the file does not exist.
    tradewar.errors.ElasticityError
        If the set is unknown, or the file lacks a column, a sector or a positive theta.
    """
    _check_name(name, ELASTICITY_SETS, "elasticity set")
    path = Path(path)
    if not path.is_file():
        raise DataNotFoundError(f"Elasticity file {path} not found.")
    table = pd.read_csv(path)
    needed = {"set", "sector", "published", "theta", "se"}
    if not needed <= set(table.columns):
        raise ElasticityError(f"{path.name} lacks the columns {sorted(needed - set(table.columns))}.")
    rows = table[table["set"] == name]
    # Worlds label sectors by name (wiod2011) or by code (ICIO's "C26"), or by short names with
    # their codes beside them (icio2022's ``sector_codes``): match on whichever the world has.
    key = "sector_code" if "sector_code" in rows and not set(sectors) & set(rows["sector"]) else "sector"
    lookup = list(sectors)
    if ("sector_code" in rows and codes is not None and len(codes) == len(sectors)
            and set(codes) <= set(rows["sector_code"])):
        key, lookup = "sector_code", list(codes)
    rows = rows.set_index(key)
    missing = [s for s, k in zip(sectors, lookup, strict=True) if k not in rows.index]
    if missing:
        raise ElasticityError(f"{path.name}: set {name!r} has no value for sector(s) {', '.join(missing)}.")
    rows = rows.loc[lookup]
    rows.index = pd.Index(sectors)  # messages name the world's own sector labels
    bad = [f"{s} ({v})" for s, v in rows["theta"].items() if not (np.isfinite(v) and v > 0)]
    if bad:
        raise ElasticityError(
            f"{path.name}: set {name!r} needs a positive trade elasticity (theta) in every sector; "
            f"got {', '.join(bad)}."
        )
    return ElasticitySet(name, path.stem, tuple(sectors), rows["published"].to_numpy(float),
                         rows["theta"].to_numpy(float), rows["se"].to_numpy(float),
                         tuple(rows["derivation"].astype(str)) if "derivation" in rows else ("",) * len(sectors))


def load_elasticity_set(name: str, world: World) -> ElasticitySet:
    """A named set on a world's sectors (worlds named in ``data/elasticities/``: ``wiod2011``, ``icio2022``).

    Parameters
    ----------
    name : str
        The set.
    world : World
        The world (or one derived from a shipped world, ``elasticity_base_world``).

    Returns
    -------
    ElasticitySet
        The set on the world's sectors.

    Raises
    ------
    tradewar.errors.ElasticityError
        If the set is unknown, no sets are mapped to the world, or its file is incomplete.
    """
    _check_name(name, ELASTICITY_SETS, "elasticity set")
    base = str(world.data.attrs.get("elasticity_base_world", world.name))
    path = _data_file(base)
    if not path.is_file():
        raise ElasticityError(
            f"No elasticity sets are mapped to world {base!r} yet (only "
            f"{', '.join(p.stem for p in path.parent.glob('*.csv') if not p.stem.endswith('_gtap'))}); "
            "build them with tools/elasticities/build_elasticities.py."
        )
    return read_elasticity_file(path, name, world.sectors, _sector_codes(world))


def _sector_codes(world: World) -> list[str] | None:
    """The world's sector codes where it keeps them beside short names (icio2022)."""
    codes = str(world.data.attrs.get("sector_codes", ""))
    return codes.split(",") if codes else None


def has_elasticity_sets(world: World) -> bool:
    """Whether named sets are mapped to the world's sectors (a shipped world, or one derived from it).

    Parameters
    ----------
    world : World
        The world.

    Returns
    -------
    bool
        True when a shipped elasticity file exists for it.
    """
    return _data_file(str(world.data.attrs.get("elasticity_base_world", world.name))).is_file()


def with_default_elasticities(world: World, elasticities: str | None = None, horizon: str | None = None) -> World:
    """``world`` with a named set at a horizon, each :data:`DEFAULT_ELASTICITIES` where not given.

    Where nothing is named and no set is mapped to the world (a user's own world file), the
    world keeps its own elasticities (recorded as "world's own").

    Parameters
    ----------
    world : World
        The world.
    elasticities : str, optional
        The set (default: :data:`DEFAULT_ELASTICITIES`).
    horizon : str, optional
        The horizon (default: :data:`DEFAULT_ELASTICITIES`).

    Returns
    -------
    World
        The world with the set (or the world itself, as above).

    Raises
    ------
    tradewar.errors.ElasticityError
        If a name is unknown or no set is mapped to the world.
    """
    if elasticities is None and horizon is None and not has_elasticity_sets(world):
        return world
    return with_elasticities(world, elasticities or DEFAULT_ELASTICITIES["elasticities"],
                             horizon or DEFAULT_ELASTICITIES["horizon"])


def with_elasticities(world: World, name: str, horizon: str = "long", *, labour: str | None = None,
                      specific_share: float | None = None, path: Path | str | None = None) -> World:
    """A copy of ``world`` whose trade elasticities are a named set at a horizon.

    Parameters
    ----------
    world : World
        A world whose sectors the set is mapped to (``wiod2011``).
    name : str
        ``cp2015`` or ``fontagne2022``.
    horizon : str
        ``long`` (as estimated), ``medium`` (five years) or ``short`` (one year); see the module.
    labour : str, optional
        ``mobile`` (the one-factor closure) or ``sector-specific`` (a share of each
        sector's labour tied to it); default ``sector-specific`` at the short horizon,
        ``mobile`` otherwise.
    specific_share : float, optional
        With sector-specific labour, the share ``s`` in [0, 1) of each sector's labour
        that cannot move (default :data:`SHORT_RUN_SPECIFIC_LABOUR`); 0 is mobile labour.
    path : path, optional
        An elasticity CSV to read instead of the shipped one.

    Returns
    -------
    World
        The same data with ``trade_elasticity`` replaced (and ``specific_labour_share``
        with sector-specific labour); ``attrs`` record ``elasticities``, ``horizon``,
        ``labour`` and the sectors held at the floor.
    """
    _check_name(horizon, HORIZONS, "horizon")
    if labour is None:
        labour = "sector-specific" if horizon == "short" else "mobile"
    _check_name(labour, LABOUR_CLOSURES, "labour closure")
    share = 0.0
    if labour == "sector-specific":
        share = SHORT_RUN_SPECIFIC_LABOUR if specific_share is None else specific_share
        try:
            share = float(share)
        except (TypeError, ValueError):
            raise ElasticityError(f"The specific-labour share must be a number in [0, 1), got {share!r}.") from None
        if not 0.0 <= share < 1.0:
            raise ElasticityError(
                f"The specific-labour share must be in [0, 1) (the share of a sector's labour that cannot "
                f"move; some must stay mobile), got {share!r}."
            )
    elif specific_share is not None:
        raise ElasticityError("A specific-labour share needs labour='sector-specific'.")
    chosen = (load_elasticity_set(name, world) if path is None
              else read_elasticity_file(path, name, world.sectors, _sector_codes(world)))
    theta = horizon_theta(chosen.theta, horizon)
    new = world.replace(trade_elasticity=theta)
    if share > 0 or "specific_labour_share" in world.data:
        new = new.replace(specific_labour_share=np.full((len(world.countries), len(world.sectors)), share))
    floored = [s for s, value in zip(world.sectors, theta, strict=True) if horizon != "long" and value <= THETA_FLOOR]
    new.data.attrs.update({
        "elasticities": name,
        "horizon": horizon,
        "labour": labour if share > 0 else "mobile",
        "specific_labour_share": share,
        "elasticity_base_world": str(world.data.attrs.get("elasticity_base_world", world.name)),
        "elasticity_citation": ELASTICITY_SETS[name]["citation"],
        "elasticity_floor_sectors": "|".join(floored),
    })
    return new
