"""Country, group and sector labels of measures, resolved against a world.

A measure names countries by the world's labels (ISO3 codes, or region labels
such as ``EU27`` in an aggregated world), by a group (``EU27``: the EU members
present in the world, unless the world has ``EU27`` itself as a region), or
``"*"`` (every country but the imposer). Sectors are the world's sector labels,
``"goods"`` (the world's goods sectors) or ``"all"``.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from tradewar.policy.conventions import ALL_OTHERS
from tradewar.world.regions import EU27_2020

if TYPE_CHECKING:
    from tradewar.world.world import World

__all__ = ["GROUPS", "LabelLookup"]

GROUPS: dict[str, tuple[str, ...]] = {"EU27": EU27_2020}
"""Country groups a measure may name, by their member labels."""


class LabelLookup:
    """A world's labels, with group expansion and index arrays.

    Methods raise ``ValueError`` with a message that names the unknown label and
    lists the valid ones; the timeline adds the measure id and the field.

    Parameters
    ----------
    world : World
        The world whose labels are looked up.
    """

    def __init__(self, world: World):
        self.world_name = world.name
        self.countries = world.countries
        self.sectors = world.sectors
        self.goods = world.goods
        self._country_index = {label: k for k, label in enumerate(self.countries)}
        self._sector_index = {label: k for k, label in enumerate(self.sectors)}

    # ------------------------------------------------------------------ countries
    def members(self, label: str) -> list[str]:
        """The world's countries a label stands for (itself, or a group's members present).

        Parameters
        ----------
        label : str
            A country or group label.

        Returns
        -------
        list of str
            The countries.

        Raises
        ------
        ValueError
            If the label is neither a country of the world nor a group with members in it.
        """
        if label in self._country_index:
            return [label]
        if label in GROUPS:
            present = [c for c in GROUPS[label] if c in self._country_index]
            if present:
                return present
        raise ValueError(self._unknown_country(label))

    def targets(self, targets: Sequence[str], imposer: str) -> list[str]:
        """Exporters a measure targets: its labels expanded, or everyone but the imposer for ``*``.

        Raises when an explicit target is (part of) the imposer: a country does not
        put tariffs on its own goods.

        Parameters
        ----------
        targets : sequence of str
            The measure's targets (``("*",)``: every other country).
        imposer : str
            The imposer's label.

        Returns
        -------
        list of str
            The exporters, without duplicates.

        Raises
        ------
        ValueError
            If a label is unknown or a target is part of the imposer.
        """
        imposers = set(self.members(imposer))
        if tuple(targets) == (ALL_OTHERS,):
            return [c for c in self.countries if c not in imposers]
        unknown = [label for label in targets if not self._known_country(label)]
        if unknown:
            raise ValueError("; ".join(self._unknown_country(label) for label in unknown))
        expanded = list(dict.fromkeys(c for label in targets for c in self.members(label)))
        inside = [c for c in expanded if c in imposers]
        if inside:
            raise ValueError(f"targets {inside} are part of the imposer {imposer!r}")
        return expanded

    def country_positions(self, labels: Sequence[str]) -> np.ndarray:
        """Positions of country labels along the world's country axis.

        Parameters
        ----------
        labels : sequence of str
            Country labels of the world (groups expanded already).

        Returns
        -------
        numpy.ndarray
            Integer positions.
        """
        return np.array([self._country_index[c] for c in labels], dtype=np.intp)

    def country_mask(self, labels: Sequence[str]) -> np.ndarray:
        """A boolean mask over the world's countries, True at ``labels``.

        Parameters
        ----------
        labels : sequence of str
            Country labels of the world (groups expanded already).

        Returns
        -------
        numpy.ndarray
            The mask.
        """
        mask = np.zeros(len(self.countries), dtype=bool)
        mask[self.country_positions(labels)] = True
        return mask

    def _known_country(self, label: str) -> bool:
        try:
            self.members(label)
        except ValueError:
            return False
        return True

    def _unknown_country(self, label: str) -> str:
        hint = ""
        for group, members in GROUPS.items():
            if label in members and group in self._country_index:
                hint = f" (in this world it is part of the region {group!r})"
        if not hint:
            close = difflib.get_close_matches(label, [*self.countries, *GROUPS], n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
        return (
            f"unknown country or group {label!r}{hint}; world {self.world_name!r} has "
            f"{', '.join(self.countries)}; groups: {', '.join(GROUPS)}; \"*\" = every other country"
        )

    # ------------------------------------------------------------------ sectors
    def sector_list(self, spec: str | Sequence[str] | None) -> list[str]:
        """Sectors named by ``"goods"``, ``"all"``, a list of labels, or None (all).

        Parameters
        ----------
        spec : str, sequence of str or None
            The sectors.

        Returns
        -------
        list of str
            Sector labels.

        Raises
        ------
        ValueError
            Naming every unknown sector.
        """
        if spec is None or spec == "all":
            return list(self.sectors)
        if spec == "goods":
            return list(self.goods)
        unknown = [label for label in spec if label not in self._sector_index]
        if unknown:
            raise ValueError("; ".join(self._unknown_sector(label) for label in unknown))
        return list(spec)

    def sector_mask(self, labels: Sequence[str]) -> np.ndarray:
        """A boolean mask over the world's sectors, True at ``labels``.

        Parameters
        ----------
        labels : sequence of str
            Sector labels of the world.

        Returns
        -------
        numpy.ndarray
            The mask.
        """
        mask = np.zeros(len(self.sectors), dtype=bool)
        mask[[self._sector_index[s] for s in labels]] = True
        return mask

    def sector_position(self, label: str) -> int:
        """The position of a sector label along the world's sector axis.

        Parameters
        ----------
        label : str
            A sector label of the world.

        Returns
        -------
        int
            Its position.
        """
        return self._sector_index[label]

    def _unknown_sector(self, label: str) -> str:
        close = difflib.get_close_matches(label, self.sectors, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        return (
            f"unknown sector {label!r}{hint}; world {self.world_name!r} has "
            f"{', '.join(self.sectors)}; or \"goods\" / \"all\""
        )
