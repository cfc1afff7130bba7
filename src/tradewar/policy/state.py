"""What is in force on a day: measures with the effects of suspensions and exclusions.

:func:`resolve` folds a list of measures into a :class:`PolicyState` for one day.
Rules (documented here because results depend on them):

- A measure is in force on ``start <= day < end``.
- A suspension in force suspends the measures it names that are in force. When
  several suspensions name the same measure on a day, the one that started last
  decides (the most recent decision); on equal starts, the one listed last.
- A suspended tariff layer applies at ``remaining_rate`` instead of its rate (its
  sector rates scaled in proportion), or not at all without a remaining rate; a
  suspended exclusion, export control or purchase commitment does not apply.
- An exclusion in force (and not suspended) removes its share of the layers it
  names; exclusions also apply to the remaining rate of a suspended layer (a
  product carved out of a tariff stays out while the tariff is paused).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Generic, TypeVar, cast

if TYPE_CHECKING:
    import pandas as pd

from tradewar.policy.measures import (
    Exclusion,
    ExportControl,
    Measure,
    PurchaseCommitment,
    Suspension,
    TariffLayer,
)

__all__ = ["InForce", "PolicyState", "resolve", "suspension_scale"]

AnyMeasure = TariffLayer | Exclusion | Suspension | ExportControl | PurchaseCommitment
# The kind of measure an entry holds: the state's selections by kind (tariff_layers, ...) keep it.
MeasureT = TypeVar("MeasureT", bound=AnyMeasure)


def suspension_scale(layer: TariffLayer, suspension: Suspension | None) -> float:
    """The factor on a layer's rates while ``suspension`` holds it (1 when not suspended).

    ``remaining_rate / rate``: the layer applies at the remaining rate, and its
    sector rates keep their proportions (an effective rate of a partly covered
    sector falls as the headline rate does). Zero without a remaining rate.
    """
    if suspension is None:
        return 1.0
    if suspension.remaining_rate is None or layer.rate == 0:
        return 0.0
    return suspension.remaining_rate / layer.rate


@dataclass(frozen=True)
class InForce(Generic[MeasureT]):
    """A measure in force on a day, with the suspension and exclusions acting on it."""

    measure: MeasureT
    suspended_by: Suspension | None = None
    excluded_by: tuple[Exclusion, ...] = ()

    @property
    def id(self) -> str:
        """The measure's id."""
        return self.measure.id

    @property
    def kind(self) -> str:
        """The measure's kind (``tariff``, ``exclusion``, ...)."""
        return self.measure.kind

    @property
    def applies(self) -> bool:
        """Whether the measure has any effect (not suspended, or held at a remaining rate)."""
        if self.suspended_by is None:
            return True
        return isinstance(self.measure, TariffLayer) and suspension_scale(self.measure, self.suspended_by) != 0

    @property
    def rate(self) -> float | None:
        """A tariff layer's headline rate as it applies (remaining rate when suspended)."""
        if not isinstance(self.measure, TariffLayer):
            return None
        return self.measure.rate * suspension_scale(self.measure, self.suspended_by)

    @property
    def status(self) -> str:
        """In words: ``in force``, ``suspended by M054 (applies at 10%)``, ``... partly excluded by M051``."""
        if self.suspended_by is None:
            text = "in force"
        elif self.applies:
            text = f"suspended by {self.suspended_by.id} (applies at {self.rate:.4g} = {self.rate:.1%})"
        else:
            text = f"suspended by {self.suspended_by.id}"
        if self.excluded_by:
            text += f"; partly excluded by {', '.join(e.id for e in self.excluded_by)}"
        return text


@dataclass(frozen=True)
class PolicyState:
    """The measures in force on one day, in order of start.

    ``entries`` holds every measure in force, suspended ones included (see
    :attr:`InForce.applies`); the properties select them by kind.
    """

    on: date
    entries: tuple[InForce[AnyMeasure], ...]

    @property
    def ids(self) -> list[str]:
        """Ids of every measure in force, in the timeline's order."""
        return [entry.id for entry in self.entries]

    def __contains__(self, measure_id: object) -> bool:
        return any(entry.id == measure_id for entry in self.entries)

    def __getitem__(self, measure_id: str) -> InForce[AnyMeasure]:
        for entry in self.entries:
            if entry.id == measure_id:
                return entry
        raise KeyError(f"measure {measure_id!r} is not in force on {self.on}; in force: {self.ids}")

    def __len__(self) -> int:
        return len(self.entries)

    def _of(self, cls: type[MeasureT]) -> tuple[InForce[MeasureT], ...]:
        # The entries whose measure is a ``cls``: InForce[cls] (the checker cannot narrow the container).
        return tuple(cast("InForce[MeasureT]", entry) for entry in self.entries if isinstance(entry.measure, cls))

    @property
    def tariff_layers(self) -> tuple[InForce[TariffLayer], ...]:
        """Tariff layers in force."""
        return self._of(TariffLayer)

    @property
    def exclusions(self) -> tuple[InForce[Exclusion], ...]:
        """Exclusions in force."""
        return self._of(Exclusion)

    @property
    def suspensions(self) -> tuple[InForce[Suspension], ...]:
        """Suspensions in force."""
        return self._of(Suspension)

    @property
    def export_controls(self) -> tuple[InForce[ExportControl], ...]:
        """Export controls in force; those with a tax equivalent or a ban become export taxes
        (:meth:`~tradewar.policy.Timeline.export_tax_on`)."""
        return self._of(ExportControl)

    @property
    def purchase_commitments(self) -> tuple[InForce[PurchaseCommitment], ...]:
        """Purchase commitments in force; a scenario run meets those with an amount by an import
        subsidy (:func:`tradewar.simulation.solve_policy`)."""
        return self._of(PurchaseCommitment)

    @property
    def suspended(self) -> dict[str, str]:
        """Suspended measure id -> id of the suspension holding it."""
        return {entry.id: entry.suspended_by.id for entry in self.entries if entry.suspended_by is not None}

    def to_frame(self) -> pd.DataFrame:
        """One row per measure in force: id, kind, description, start, end, rate, status."""
        import pandas as pd

        rows = [
            {
                "id": entry.id,
                "kind": entry.kind,
                "description": entry.measure.description,
                "start": entry.measure.start,
                "end": entry.measure.end,
                "rate": entry.rate,
                "status": entry.status,
            }
            for entry in self.entries
        ]
        columns = ["id", "kind", "description", "start", "end", "rate", "status"]
        return pd.DataFrame(rows, columns=columns)


def resolve(measures: Sequence[Measure], on: date) -> PolicyState:
    """The state on day ``on`` of ``measures`` (listed in timeline order); rules above."""
    in_force = [m for m in measures if m.in_force(on)]
    order = {id(m): k for k, m in enumerate(in_force)}

    holder: dict[str, Suspension] = {}
    suspensions = sorted((m for m in in_force if isinstance(m, Suspension)), key=lambda s: (s.start, order[id(s)]))
    for suspension in suspensions:  # later starts overwrite earlier ones: the last decision wins
        for measure_id in suspension.measures:
            holder[measure_id] = suspension

    exclusions: dict[str, list[Exclusion]] = {}
    for measure in in_force:
        if isinstance(measure, Exclusion) and measure.id not in holder:
            for layer_id in measure.layers:
                exclusions.setdefault(layer_id, []).append(measure)

    entries = [
        InForce(
            measure=m,
            suspended_by=holder.get(m.id),
            excluded_by=tuple(exclusions.get(m.id, ())) if isinstance(m, TariffLayer) else (),
        )
        for m in sorted(in_force, key=lambda m: (m.start, order[id(m)]))
    ]
    return PolicyState(on=on, entries=tuple(entries))
