"""The policy layer: trade measures as data, folded into the tariff state on any day.

- :mod:`~tradewar.policy.measures`: each measure is a validated, frozen pydantic
  model: :class:`TariffLayer` (layers add up: MFN baseline + Section 301 + Section
  232 + IEEPA ...), :class:`Exclusion`, :class:`Suspension` (a pause that ends by
  itself, optionally holding a layer at a remaining rate), and
  :class:`ExportControl` and :class:`PurchaseCommitment` (recorded and reported, not
  yet turned into trade costs).
- :mod:`~tradewar.policy.timeline`: :class:`Timeline` checks a set of measures and
  gives the measures in force on a day (:meth:`Timeline.in_force`), the tariff
  tensor on a day (:meth:`Timeline.tariff_on`: the world's baseline plus every layer
  in force), the days on which policy changes (:meth:`Timeline.steps`) and average
  tariff series (:meth:`Timeline.average_tariff`).
- :mod:`~tradewar.policy.scenario`: :class:`Scenario`, read from TOML, names a
  world, a date, extra measures and what to report; its errors name the file, the
  line and the field.

Errors subclass :class:`~tradewar.policy.errors.PolicyError` (a
:class:`~tradewar.errors.TradewarError` and a ``ValueError``) and name the measure
id and the field.
"""

from tradewar.policy.errors import (
    LabelError,
    MeasureError,
    PolicyError,
    Problem,
    ScenarioError,
    ScenarioNotFoundError,
    TimelineError,
)
from tradewar.policy.labels import GROUPS
from tradewar.policy.measures import (
    KINDS,
    Exclusion,
    ExportControl,
    Measure,
    PurchaseCommitment,
    Suspension,
    TariffLayer,
    parse_measure,
    parse_measures,
)
from tradewar.policy.scenario import AggregateSpec, ReportSpec, Scenario
from tradewar.policy.state import InForce, PolicyState
from tradewar.policy.timeline import Change, Step, Timeline

__all__ = [
    "AggregateSpec",
    "Change",
    "Exclusion",
    "ExportControl",
    "GROUPS",
    "InForce",
    "KINDS",
    "LabelError",
    "Measure",
    "MeasureError",
    "PolicyError",
    "PolicyState",
    "Problem",
    "PurchaseCommitment",
    "ReportSpec",
    "Scenario",
    "ScenarioError",
    "ScenarioNotFoundError",
    "Step",
    "Suspension",
    "TariffLayer",
    "TimelineError",
    "Timeline",
    "parse_measure",
    "parse_measures",
]
