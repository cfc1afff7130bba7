"""The equilibrium map in JAX, for gradients of welfare with respect to policy.

Equilibria are found by the numpy solver (:mod:`tradewar.model.caliendo_parro`);
this module evaluates the same sweep ``z = G(z, t, x, d)`` -- the shared equations
of :mod:`tradewar.model.equations`, run on ``jax.numpy`` -- so that the implicit
function theorem gives exact gradients: at a fixed point ``z*``,

    dW/dt = dW/dt|_z + lam' dG/dt,   where   (I - dG/dz)' lam = dW/dz,

one adjoint linear solve (GMRES on vector-Jacobian products) per objective,
whatever the number of instruments. No finite differences. Tariffs ``t``, export
taxes ``x`` and iceberg trade-cost changes ``d`` all enter the sweep, so each has
its gradient.

Double precision is switched on only inside this module's calls
(``jax.enable_x64`` as a context), never for the whole process.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax.scipy.sparse.linalg import gmres

from tradewar.model import equations
from tradewar.model.caliendo_parro import Baseline
from tradewar.strategy.compilation_cache import ExportedJit

__all__ = ["DifferentiableEquilibrium"]


def _x64():
    """Double precision for the calls inside the block only (thread-local in JAX)."""
    return jax.enable_x64(True)


class _Model(NamedTuple):
    """What the sweep reads besides the state and the policy (a pytree of arrays).

    Passed to the compiled functions as an argument, not closed over, so that one compiled
    program serves every world of the same shape and structure (the tests' many games, the
    talks' games with other export taxes) and the persistent cache's key does not depend on
    the world's numbers.
    """

    economy: equations.Economy
    deficit: Any  # (N,) trade deficits of the counterfactuals
    income0: Any  # (N,) baseline income
    tariff_revenue0: Any  # (N,) baseline tariff revenue: the deficit-reduction closure; None: rebate


# -- the shared equations on jax.numpy -------------------------------------------------------
def _shock(model, tariff, export_tax, trade_cost_hat, xp=jnp):
    # Always with the export-tax terms: zero taxes leave them exact, and their gradient exists.
    return equations.prepare_shock(xp, model.economy, tariff, xp.log(trade_cost_hat), model.deficit, export_tax,
                                   has_export_tax=True, tariff_revenue_baseline=model.tariff_revenue0)


def _sweep(model, z, tariff, export_tax, trade_cost_hat):
    shock = _shock(model, tariff, export_tax, trade_cost_hat)
    return equations.sweep(jnp, model.economy, shock, z, equations.price_block_logsumexp)


def _welfare(model, z, tariff, export_tax, trade_cost_hat, xp=jnp):
    """Real income of every country relative to the baseline (the result's ``welfare``)."""
    shock = _shock(model, tariff, export_tax, trade_cost_hat, xp)
    return equations.welfare(xp, model.economy, shock, z, model.income0, equations.price_block_logsumexp)


def _objective(model, z, policy, weights, lam0, tol, *, restart, maxiter):
    """Welfare, d(weights . welfare)/d policy through the equilibrium, the adjoint and its residual.

    The adjoint ``lam`` solves ``(I - dG/dz)' lam = dW/dz`` by GMRES (JAX's incremental
    variant, which stops as soon as the residual is below ``max(tol |b|, tol max(1, max|b|))``,
    the rule the SciPy solve used before); the sweep is linearised once at ``z`` and only its
    transpose is applied inside the loop.
    """
    welfare, welfare_vjp = jax.vjp(lambda state, *p: _welfare(model, state, *p), z, *policy)
    dw_dz, *dw_dpolicy = welfare_vjp(weights)
    # One linearisation of the sweep for both the adjoint's products (its state part) and the
    # policy gradient at the end: the loop's unused policy cotangents are dead code to XLA.
    _, sweep_vjp = jax.vjp(lambda state, *p: _sweep(model, state, *p), z, *policy)

    def adjoint_matvec(lam):
        return lam - sweep_vjp(lam)[0]

    atol = tol * jnp.maximum(1.0, jnp.max(jnp.abs(dw_dz)))
    lam, _ = gmres(adjoint_matvec, dw_dz, x0=lam0, tol=tol, atol=atol, restart=restart, maxiter=maxiter,
                   solve_method="incremental")
    residual = jnp.linalg.norm(dw_dz - adjoint_matvec(lam))
    bound = jnp.maximum(tol * jnp.linalg.norm(dw_dz), atol)
    grads = tuple(direct + implicit for direct, implicit in zip(dw_dpolicy, sweep_vjp(lam)[1:], strict=True))
    return welfare, grads, lam, residual, bound


# GMRES restarts after this many Krylov vectors. Every Arnoldi step orthogonalises against the
# whole basis array, used or not, so a shorter one is cheaper per step (5.1 ms instead of 7.3 ms
# a gradient on the compact world at 60 instead of 200); the adjoint solves of the war take
# about 25 steps, so 60 changes no result. The budget of steps is the SciPy solve's (200 x 50).
_KRYLOV = 60
_KRYLOV_BUDGET = 10_000

# One compiled program per shape and structure, shared by every game in the process (and,
# with the persistent cache on, kept lowered on disk: no tracing in the next process).
_TRACED_FROM = ("tradewar.model.equations", __name__)
_sweep_jit = ExportedJit(_sweep, _TRACED_FROM)
# Welfare, its gradient and the adjoint solve in one program: one call per objective
# evaluation instead of some twenty vector-Jacobian products dispatched from Python by
# SciPy's GMRES (the dispatch, not the arithmetic, was most of their cost).
# Compiled for one process only (no persistent cache: a library user's, the tests'), XLA's
# backend optimisation is off: it doubles the compile of this program of many small fused loops
# (4.9 -> 2.8 s CPU for a new world shape) for about 5% of its run time; same gradients. Kept
# programs (the commands' cache) get JAX's defaults.
_objective_jit = ExportedJit(_objective, _TRACED_FROM, compiler_options={"xla_backend_optimization_level": 0})


class DifferentiableEquilibrium:
    """Welfare and its exact gradient with respect to tariffs, export taxes and trade costs.

    ``state`` vectors are those of the numpy engine (log wages, log prices,
    expenditure over its scale), so an equilibrium it solved is a fixed point here.
    Policies are (N, N, J) arrays [importer, exporter, sector]: ``tariff`` and
    ``export_tax`` as fractions, ``trade_cost_hat`` as iceberg-cost ratios new / baseline
    (default: unchanged); ``export_tax`` defaults to the baseline's.

    Parameters
    ----------
    baseline : Baseline
        The baseline economy.
    deficit_new : numpy.ndarray
        (N,) trade deficits of the counterfactuals.
    scale : numpy.ndarray
        (N, J) expenditure scale of the state vector
        (:func:`~tradewar.model.caliendo_parro.expenditure_scale`).
    income0 : numpy.ndarray
        (N,) baseline income.
    tariff_revenue_baseline : numpy.ndarray, optional
        (N,) baseline tariff revenue: chooses the deficit-reduction closure (None: rebate).
    """

    def __init__(self, baseline: Baseline, deficit_new: np.ndarray, scale: np.ndarray, income0: np.ndarray,
                 tariff_revenue_baseline: np.ndarray | None = None):
        # ``tariff_revenue_baseline`` chooses the deficit-reduction revenue closure (None: rebate);
        # see :func:`tradewar.model.equations.deficits_after`.
        self.export_tax0 = np.zeros_like(baseline.tariff) if baseline.export_tax is None else baseline.export_tax
        self.n, self.j = baseline.shape
        # Built in numpy and moved to the device once (jnp conversions would each compile a
        # small program at start-up).
        model = _Model(equations.economy_arrays(np, baseline, scale), np.asarray(deficit_new, dtype=float),
                       np.asarray(income0, dtype=float),
                       None if tariff_revenue_baseline is None else np.asarray(tariff_revenue_baseline, dtype=float))
        # Welfare alone is evaluated in numpy (the same equations; no compiled program to load).
        self.model_numpy = model
        with _x64():
            self.model = jax.device_put(model)
        # The last adjoint solution for each objective (weights): nearby policies have nearby
        # adjoints, so GMRES starts there (an optimiser's successive gradients, a best response's).
        self._adjoints: dict[bytes, np.ndarray] = {}

    # -- public ---------------------------------------------------------------------
    def _policy(self, tariff, export_tax, trade_cost_hat):
        # numpy arrays: a jitted call takes them as they are (an eager jnp op would compile a
        # program of its own on first use, tens of milliseconds each at start-up).
        tariff = np.asarray(tariff, dtype=float)
        export_tax = np.asarray(self.export_tax0 if export_tax is None else export_tax, dtype=float)
        trade_cost_hat = np.ones_like(tariff) if trade_cost_hat is None else np.asarray(trade_cost_hat, dtype=float)
        return tariff, export_tax, trade_cost_hat

    def residual(self, z: np.ndarray, tariff: np.ndarray, export_tax: np.ndarray | None = None,
                 trade_cost_hat: np.ndarray | None = None) -> float:
        """Largest change of the state in one sweep at ``z`` (zero at an equilibrium).

        Parameters
        ----------
        z : numpy.ndarray
            A state vector of the numpy engine.
        tariff : numpy.ndarray
            (N, N, J) tariffs.
        export_tax : numpy.ndarray, optional
            (N, N, J) export taxes (default: the baseline's).
        trade_cost_hat : numpy.ndarray, optional
            (N, N, J) iceberg-cost ratios (default: unchanged).

        Returns
        -------
        float
            The max-norm of ``sweep(z) - z``.
        """
        with _x64():
            z = np.asarray(z, dtype=float)
            swept = _sweep_jit(self.model, z, *self._policy(tariff, export_tax, trade_cost_hat))
            return float(np.max(np.abs(np.asarray(swept) - z)))

    def welfare(self, z: np.ndarray, tariff: np.ndarray, export_tax: np.ndarray | None = None,
                trade_cost_hat: np.ndarray | None = None) -> np.ndarray:
        """Real income of every country relative to the baseline at the state ``z``.

        Parameters
        ----------
        z : numpy.ndarray
            A state vector of the numpy engine.
        tariff : numpy.ndarray
            (N, N, J) tariffs.
        export_tax : numpy.ndarray, optional
            (N, N, J) export taxes (default: the baseline's).
        trade_cost_hat : numpy.ndarray, optional
            (N, N, J) iceberg-cost ratios (default: unchanged).

        Returns
        -------
        numpy.ndarray
            (N,) welfare.
        """
        z = np.asarray(z, dtype=float)
        # Empty flows make zeros under the logarithms that the price block then masks.
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            return _welfare(self.model_numpy, z, *self._policy(tariff, export_tax, trade_cost_hat), xp=np)

    def gradient(
        self, z: np.ndarray, tariff: np.ndarray, weights: np.ndarray, tol: float = 1e-12,
        export_tax: np.ndarray | None = None, with_export_tax: bool = False,
        trade_cost_hat: np.ndarray | None = None, with_trade_cost: bool = False,
    ):
        """d(weights . welfare)/d tariff at the equilibrium ``z`` (same shape as the tariff).

        With ``with_export_tax`` (``with_trade_cost``) the gradient with respect to the export
        taxes (the trade-cost ratios) follows in a tuple, in that order.

        Computed by the implicit function theorem: one adjoint solve (GMRES) through the
        equilibrium's sweep.

        Parameters
        ----------
        z : numpy.ndarray
            An equilibrium state at these policies.
        tariff : numpy.ndarray
            (N, N, J) tariffs.
        weights : numpy.ndarray
            (N,) welfare weights.
        tol : float, default 1e-12
            GMRES tolerance.
        export_tax : numpy.ndarray, optional
            (N, N, J) export taxes (default: the baseline's).
        with_export_tax : bool, default False
            Also return the gradient with respect to the export taxes.
        trade_cost_hat : numpy.ndarray, optional
            (N, N, J) iceberg-cost ratios (default: unchanged).
        with_trade_cost : bool, default False
            Also return the gradient with respect to the trade-cost ratios.

        Returns
        -------
        numpy.ndarray or tuple of numpy.ndarray
            The tariff gradient, or the requested gradients in the order above.

        Raises
        ------
        RuntimeError
            If the adjoint solve does not converge.
        """
        with _x64():
            return self._gradient(z, tariff, weights, tol, export_tax, with_export_tax, trade_cost_hat,
                                  with_trade_cost)

    def welfare_and_gradient(self, z: np.ndarray, tariff: np.ndarray, weights: np.ndarray, tol: float = 1e-12,
                             export_tax: np.ndarray | None = None, trade_cost_hat: np.ndarray | None = None):
        """Welfare at the equilibrium ``z`` and the gradients of ``weights . welfare`` (one compiled call).

        Parameters
        ----------
        z : numpy.ndarray
            An equilibrium state at these policies.
        tariff : numpy.ndarray
            (N, N, J) tariffs.
        weights : numpy.ndarray
            (N,) welfare weights.
        tol : float, default 1e-12
            GMRES tolerance of the adjoint solve.
        export_tax : numpy.ndarray, optional
            (N, N, J) export taxes (default: the baseline's).
        trade_cost_hat : numpy.ndarray, optional
            (N, N, J) iceberg-cost ratios (default: unchanged).

        Returns
        -------
        tuple of numpy.ndarray
            ``(welfare, gradient_tariff, gradient_export_tax, gradient_trade_cost)``: (N,)
            welfare and the three (N, N, J) gradients.

        Raises
        ------
        RuntimeError
            If the adjoint solve does not converge.
        """
        with _x64():
            return self._welfare_and_gradient(z, tariff, weights, tol, export_tax, trade_cost_hat)

    def _welfare_and_gradient(self, z, tariff, weights, tol, export_tax, trade_cost_hat):
        z = np.asarray(z, dtype=float)
        weights = np.asarray(weights, dtype=float)
        key = weights.tobytes()
        start = self._adjoints.get(key)
        if start is None or start.shape != z.shape:
            start = np.zeros_like(z)
        welfare, grads, lam, residual, bound = _objective_jit(
            self.model, z, self._policy(tariff, export_tax, trade_cost_hat), weights, start, tol,
            restart=min(z.shape[0], _KRYLOV), maxiter=_KRYLOV_BUDGET // min(z.shape[0], _KRYLOV))
        # GMRES stops on this residual (its last restart's), so it is within rounding of the bound
        # when the solve converged; NaN or a larger one means it did not.
        if not float(residual) <= 2 * float(bound):
            raise RuntimeError(f"The adjoint solve for the welfare gradient did not converge (residual "
                               f"{float(residual):.3g}, wanted {float(bound):.3g}).")
        if len(self._adjoints) >= 64:
            self._adjoints.pop(next(iter(self._adjoints)))
        self._adjoints[key] = np.asarray(lam)
        return (np.asarray(welfare), *(np.asarray(g) for g in grads))

    def _gradient(self, z, tariff, weights, tol, export_tax, with_export_tax, trade_cost_hat, with_trade_cost):
        _, *grads = self._welfare_and_gradient(z, tariff, weights, tol, export_tax, trade_cost_hat)
        wanted = [grads[0]] + ([grads[1]] if with_export_tax else []) + ([grads[2]] if with_trade_cost else [])
        return wanted[0] if len(wanted) == 1 else tuple(wanted)
