"""Uncertainty and scale: Monte Carlo over parameters, sweeps over scenarios, executors."""

from tradewar.uncertainty.draws import draw_elasticities, read_draws
from tradewar.uncertainty.executors import run_tasks
from tradewar.uncertainty.montecarlo import MonteCarloResult, monte_carlo
from tradewar.uncertainty.plan import Plan

__all__ = ["MonteCarloResult", "Plan", "draw_elasticities", "monte_carlo", "read_draws", "run_tasks"]
