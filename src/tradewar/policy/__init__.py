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

from __future__ import annotations

from typing import TYPE_CHECKING

from tradewar.lazy import lazy_names

# Public name -> the module that defines it, loaded on first use (PEP 562), so that a module
# that needs one part -- the input checks of ``policy.validation`` for ``war`` -- does not
# load the measures' pydantic models and the timeline with it.
_LAZY = {
    "LabelError": "tradewar.policy.errors",
    "MeasureError": "tradewar.policy.errors",
    "PolicyError": "tradewar.policy.errors",
    "Problem": "tradewar.policy.errors",
    "ScenarioError": "tradewar.policy.errors",
    "ScenarioNotFoundError": "tradewar.policy.errors",
    "TimelineError": "tradewar.policy.errors",
    "GROUPS": "tradewar.policy.labels",
    "KINDS": "tradewar.policy.measures",
    "Exclusion": "tradewar.policy.measures",
    "ExportControl": "tradewar.policy.measures",
    "Measure": "tradewar.policy.measures",
    "PurchaseCommitment": "tradewar.policy.measures",
    "Suspension": "tradewar.policy.measures",
    "TariffLayer": "tradewar.policy.measures",
    "parse_measure": "tradewar.policy.measures",
    "parse_measures": "tradewar.policy.measures",
    "AggregateSpec": "tradewar.policy.scenario",
    "ReportSpec": "tradewar.policy.scenario",
    "Scenario": "tradewar.policy.scenario",
    "InForce": "tradewar.policy.state",
    "PolicyState": "tradewar.policy.state",
    "Change": "tradewar.policy.timeline",
    "Step": "tradewar.policy.timeline",
    "Timeline": "tradewar.policy.timeline",
}

if TYPE_CHECKING:  # static checkers and IDEs see the eager imports
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


__getattr__, __dir__ = lazy_names(__name__, _LAZY, globals())


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
