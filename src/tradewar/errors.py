"""Exceptions raised by tradewar.

Every error names what is wrong (the country, sector or cell, the file or the
option) so that a user can fix the input without reading a traceback.
"""

from __future__ import annotations


class TradewarError(Exception):
    """Base class for every error tradewar raises on purpose."""


class WorldValidationError(TradewarError, ValueError):
    """A world's data break an accounting identity or a basic requirement."""


class ShockError(TradewarError, ValueError):
    """A counterfactual shock is malformed (bad labels, tariffs at or below -100%...)."""


class DataNotFoundError(TradewarError, FileNotFoundError):
    """Raw input data needed to build a world are missing."""


class ConvergenceError(TradewarError, RuntimeError):
    """The equilibrium solver did not reach its tolerance.

    Attributes
    ----------
    iterations : int
        Sweeps performed before giving up.
    residual : float
        Largest equilibrium-condition violation at the last iterate.
    history : list of float
        Residual after each sweep (useful to see divergence or stagnation).
    best : numpy.ndarray or None
        The iterate with the smallest residual, a warm start for another method.

    Parameters
    ----------
    message : str
        What happened and what to try.
    iterations, residual, history, best
        Stored as the attributes above (``best`` optional).
    """

    def __init__(self, message: str, *, iterations: int, residual: float, history: list[float], best=None):
        super().__init__(message)
        self.best = best
        self.iterations = iterations
        self.residual = residual
        self.history = history


class NoEquilibriumError(TradewarError, RuntimeError):
    """The equations solve, but only with negative income or spending somewhere.

    Typically fixed trade deficits (or surpluses) that the shock makes impossible to
    finance: the country would need negative income. Solve with ``deficits="zero"``.
    ``country_index`` is the position of the first such country.

    Parameters
    ----------
    message : str
        What happened and what to try.
    country_index : int, optional
        The position of the first country with negative income.
    """

    def __init__(self, message: str, *, country_index: int | None = None):
        super().__init__(message)
        self.country_index = country_index


class ElasticityError(TradewarError, ValueError):
    """An elasticity set or horizon is unknown, or its file lacks a sector or holds a bad value."""


class MissingExtraError(TradewarError, ImportError):
    """A feature needs an optional dependency group (``pip install 'tradewar[NAME]'``) that is not installed.

    Attributes
    ----------
    extra : str
        The optional dependency group that provides the missing packages.
    missing : tuple of str
        The modules that could not be found.

    Parameters
    ----------
    message : str
        What is missing and the ``pip install`` line.
    extra, missing
        Stored as the attributes above.
    """

    def __init__(self, message: str, extra: str, missing: tuple[str, ...]):
        super().__init__(message)
        self.extra = extra
        self.missing = missing
