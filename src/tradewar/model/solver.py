"""Fixed-point solver shared by every equilibrium engine.

The equilibria are fixed points ``z = G(z)`` of a cheap, vectorised sweep.
Plain iteration converges but slowly (the input-output loop and the
income-expenditure loop each contract at a rate near the domestic
input share), so sweeps are accelerated with Anderson mixing (Walker & Ni 2011,
"Anderson acceleration for fixed-point iterations", SIAM J. Numer. Anal.),
safeguarded: when an accelerated step makes the residual much worse the history
is dropped and a damped plain step is taken from the best point seen. The
least-squares step is solved through its small Gram (normal-equations) system,
updated incrementally, rather than by an SVD of the whole history.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from tradewar.errors import ConvergenceError

__all__ = ["SolverOptions", "FixedPointResult", "SolverReport", "solve_fixed_point"]


@dataclass(frozen=True)
class SolverOptions:
    """How hard and how cleverly to iterate.

    Parameters
    ----------
    tol
        Convergence tolerance on the largest change of the state in one sweep
        (logs of wages and prices, expenditure relative to its baseline).
    max_iter
        Sweeps allowed before a :class:`~tradewar.errors.ConvergenceError`.
    memory
        Anderson history length; 0 turns acceleration off (plain damped sweeps).
    damping
        Weight on the new sweep in plain steps, in (0, 1].
    restart_factor
        An accelerated iterate whose residual exceeds ``restart_factor`` times the
        best residual so far triggers a restart from the best point.
    fast_sweeps
        Joint sweeps tried before an engine falls back to its slower, more robust
        nested method (used by the Caliendo-Parro engine near autarky).
    """

    tol: float = 1e-10
    max_iter: int = 5000
    memory: int = 10
    damping: float = 0.5
    restart_factor: float = 10.0
    fast_sweeps: int = 300

    def __post_init__(self) -> None:
        if not self.tol > 0:
            raise ValueError(f"SolverOptions.tol must be positive, got {self.tol!r}")
        if self.max_iter < 1:
            raise ValueError(f"SolverOptions.max_iter must be at least 1, got {self.max_iter!r}")
        if self.memory < 0:
            raise ValueError(f"SolverOptions.memory must be >= 0, got {self.memory!r}")
        if not 0 < self.damping <= 1:
            raise ValueError(f"SolverOptions.damping must be in (0, 1], got {self.damping!r}")


@dataclass
class FixedPointResult:
    """The fixed point and how it was found.

    Parameters
    ----------
    x : numpy.ndarray
        The fixed point (the last image of the sweep).
    iterations : int
        Sweeps performed.
    residual : float
        Max-norm of ``sweep(x) - x`` at the last sweep.
    seconds : float
        Wall-clock time.
    history : list of float
        The residual after each sweep.
    """

    x: np.ndarray
    iterations: int
    residual: float
    seconds: float
    history: list[float] = field(repr=False)


# Ridge on the equilibrated Gram matrix: caps its condition number near 1e12, so the
# coefficients keep about four significant digits however collinear the history.
_RIDGE = 1e-12


class _AndersonHistory:
    """The last ``memory`` differences of residuals and images, and their Gram matrix.

    The Anderson coefficients solve ``min_c |f - dF c|``; through the normal equations
    ``(dF' dF) c = dF' f`` that is an m x m system (m <= memory). Each sweep adds one
    column and one row of inner products; the right-hand side follows from the last
    one, ``dF' f_k = dF' f_(k-1) + dF' (f_k - f_(k-1))``, so that a sweep passes over the
    history twice (the new Gram row, the step). Columns live in a ring buffer (their
    order does not matter to the fit). Inner products use numpy's einsum loops rather
    than BLAS, so that no BLAS threads are started on a busy machine.
    """

    def __init__(self, memory: int, size: int, damping: float):
        self.memory = memory
        self.damping = damping
        self.residuals = np.empty((memory, size))  # dF
        self.steps = np.empty((memory, size))  # dG - (1 - damping) dF: what a coefficient moves x by
        self.gram = np.empty((memory, memory))
        self.rhs = np.empty(memory)  # dF' f at the latest residual f
        self.count = 0
        self.slot = 0

    def clear(self) -> None:
        self.count = self.slot = 0

    def add(self, residual: np.ndarray, image: np.ndarray, previous_residual: np.ndarray,
            previous_image: np.ndarray) -> None:
        """Add the differences from the previous iterate to the latest (``residual``, ``image``)."""
        slot, count = self.slot, min(self.count + 1, self.memory)
        d_residual = np.subtract(residual, previous_residual, out=self.residuals[slot])
        step = np.subtract(image, previous_image, out=self.steps[slot])
        step -= (1 - self.damping) * d_residual
        products = np.einsum("ij,j->i", self.residuals[:count], d_residual)
        self.gram[slot, :count] = products
        self.gram[:count, slot] = products
        self.rhs[:count] += products
        self.rhs[slot] = np.einsum("i,i->", d_residual, residual)
        self.count, self.slot = count, (slot + 1) % self.memory

    def step(self, image: np.ndarray, residual: np.ndarray) -> np.ndarray | None:
        """The next iterate, or None when the Gram system is unusable.

        ``x_accel = g - dG c`` mixed with a damped step, ``x = x_accel - (1 - damping)(f - dF c)``,
        is ``g - (1 - damping) f - (dG - (1 - damping) dF) c``: one pass over the history.
        """
        count = self.count
        # A ridge proportional to the diagonal (the same as a ridge on the Gram matrix
        # equilibrated to a unit diagonal): nearly collinear differences get bounded
        # coefficients instead of a singular solve.
        system = self.gram[:count, :count].copy()
        system.flat[:: count + 1] *= 1.0 + _RIDGE
        try:
            coef = np.linalg.solve(system, self.rhs[:count])
        except np.linalg.LinAlgError:
            return None
        if not math.isfinite(coef.sum()):
            return None
        return image - (1 - self.damping) * residual - np.einsum("i,ij->j", coef, self.steps[:count])


def solve_fixed_point(
    sweep: Callable[[np.ndarray], np.ndarray],
    x0: np.ndarray,
    options: SolverOptions | None = None,
    *,
    what: str = "equilibrium",
    on_iteration: Callable[[int, float], None] | None = None,
) -> FixedPointResult:
    """Find ``x`` with ``sweep(x) == x`` to ``options.tol`` (max-norm).

    Anderson acceleration with ``options.memory`` past steps (damped plain iteration with
    none); a step whose residual grows past ``options.restart_factor`` times the best one
    restarts from the best point.

    Parameters
    ----------
    sweep : callable
        The map ``G``: an array of the shape of ``x0`` to another.
    x0 : numpy.ndarray
        The starting point.
    options : SolverOptions, optional
        Tolerance, iteration cap, damping, memory and restart factor (default: the defaults).
    what : str, default "equilibrium"
        What is solved, named in the error message.
    on_iteration : callable, optional
        Called with ``(iteration, residual)`` after each sweep.

    Returns
    -------
    FixedPointResult
        The fixed point, sweeps, residual, seconds and residual history.

    Raises
    ------
    ConvergenceError
        When ``max_iter`` sweeps do not reach the tolerance, or the sweep
        produces non-finite values that no restart can repair.
    """
    options = options or SolverOptions()
    start = time.perf_counter()
    x = np.asarray(x0, dtype=float).copy()
    history: list[float] = []
    best_x, best_res = x.copy(), np.inf
    anderson = _AndersonHistory(options.memory, x.size, options.damping) if options.memory > 0 else None
    prev_res_vec = prev_image = None

    for iteration in range(1, options.max_iter + 1):
        image = sweep(x)
        res_vec = image - x
        res = float(np.max(np.abs(res_vec)))
        if not np.isfinite(res):  # nan or inf anywhere in the image
            res = np.inf
        history.append(res)
        if on_iteration is not None:
            on_iteration(iteration, res)
        if res < options.tol:
            return FixedPointResult(image, iteration, res, time.perf_counter() - start, history)

        if not np.isfinite(res) or res > options.restart_factor * best_res:
            # The accelerated path went astray: forget it and creep from the best point.
            if not np.isfinite(best_res):
                break
            if anderson is not None:
                anderson.clear()
            prev_res_vec = prev_image = None
            x = best_x + options.damping * 0.5 * (sweep(best_x) - best_x)
            continue
        if res < best_res:
            best_x, best_res = x.copy(), res

        x_next = None
        if anderson is not None:
            if prev_res_vec is not None and prev_image is not None:  # set together, after the first sweep
                anderson.add(res_vec, image, prev_res_vec, prev_image)
            if anderson.count:
                x_next = anderson.step(image, res_vec)
                if x_next is None:
                    anderson.clear()
        prev_res_vec, prev_image = res_vec, image
        # Without history, a damped plain step.
        x = x + options.damping * res_vec if x_next is None else x_next

    raise ConvergenceError(
        f"The {what} solver did not converge in {len(history)} sweeps: the largest "
        f"change in the last sweep was {history[-1] if history else float('nan'):.3g} "
        f"(tolerance {options.tol:.1g}). Try SolverOptions(max_iter=..., damping=0.3), "
        "or check the shock for extreme values.",
        iterations=len(history),
        residual=history[-1] if history else float("nan"),
        history=history,
        best=best_x,
    )


@dataclass(frozen=True)
class SolverReport:
    """How the equilibrium was found: sweeps, final residual (max-norm), seconds.

    (Defined here, beside the solver, so that engines without xarray results, such as the
    gravity model, need not import :mod:`tradewar.model.result`; re-exported there.)

    Parameters
    ----------
    iterations : int
        Sweeps of the final solve.
    residual : float
        Largest equilibrium-condition violation at the solution (max-norm).
    seconds : float
        Wall-clock time of the solve.
    """

    iterations: int
    residual: float
    seconds: float

    def to_dict(self) -> dict:
        """Sweeps, final residual and seconds, as ``--json`` prints them under ``solver``.

        Returns
        -------
        dict
            ``iterations``, ``residual`` and ``seconds``.
        """
        return {"iterations": self.iterations, "residual": self.residual, "seconds": self.seconds}
