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

import jax
import jax.numpy as jnp
import numpy as np
from scipy.sparse.linalg import LinearOperator, gmres

from tradewar.model import equations
from tradewar.model.caliendo_parro import Baseline

__all__ = ["DifferentiableEquilibrium"]


def _x64():
    """Double precision for the calls inside the block only (thread-local in JAX)."""
    return jax.enable_x64(True)


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
        self.tariff_revenue0 = tariff_revenue_baseline
        self.export_tax0 = np.zeros_like(baseline.tariff) if baseline.export_tax is None else baseline.export_tax
        self.n, self.j = baseline.shape
        with _x64():
            self.economy = equations.economy_arrays(jnp, baseline, scale)
            self.deficit = jnp.asarray(deficit_new, dtype=jnp.float64)
            self.income0 = jnp.asarray(income0, dtype=jnp.float64)
        self._sweep = jax.jit(self._sweep_impl)
        self._welfare = jax.jit(self._welfare_impl)
        self._vjp_sweep = jax.jit(lambda z, policy, lam: jax.vjp(self._sweep_impl, z, *policy)[1](lam))
        # The adjoint solve multiplies by (dG/dz)' some twenty times at one point: linearise the
        # sweep there once (its residuals kept) and apply only the transpose in each product
        # (0.2 ms instead of 0.9 ms for a fresh vector-Jacobian product on the compact 15 x 53
        # world; the same numbers to rounding).
        self._linearize_sweep = jax.jit(lambda z, policy: jax.vjp(lambda state: self._sweep_impl(state, *policy), z)[1])
        self._apply_vjp = jax.jit(lambda pullback, lam: pullback(lam)[0])
        self._welfare_grads = jax.jit(jax.grad(self._welfare_of, argnums=(0, 1, 2, 3)))
        # The last adjoint solution for each objective (weights): nearby policies have nearby
        # adjoints, so GMRES starts there (an optimiser's successive gradients, a best response's).
        self._adjoints: dict[bytes, np.ndarray] = {}

    # -- the shared equations on jax.numpy --------------------------------------------------
    def _shock(self, tariff, export_tax, trade_cost_hat):
        # Always with the export-tax terms: zero taxes leave them exact, and their gradient exists.
        return equations.prepare_shock(jnp, self.economy, tariff, jnp.log(trade_cost_hat), self.deficit,
                                       export_tax, has_export_tax=True, tariff_revenue_baseline=self.tariff_revenue0)

    def _sweep_impl(self, z, tariff, export_tax, trade_cost_hat):
        shock = self._shock(tariff, export_tax, trade_cost_hat)
        return equations.sweep(jnp, self.economy, shock, z, equations.price_block_logsumexp)

    def _welfare_impl(self, z, tariff, export_tax, trade_cost_hat):
        """Real income of every country relative to the baseline (the result's ``welfare``)."""
        shock = self._shock(tariff, export_tax, trade_cost_hat)
        return equations.welfare(jnp, self.economy, shock, z, self.income0, equations.price_block_logsumexp)

    def _welfare_of(self, z, tariff, export_tax, trade_cost_hat, weights):
        return jnp.dot(weights, self._welfare_impl(z, tariff, export_tax, trade_cost_hat))

    # -- public ---------------------------------------------------------------------
    def _policy(self, tariff, export_tax, trade_cost_hat):
        tariff = jnp.asarray(tariff, dtype=jnp.float64)
        export_tax = jnp.asarray(self.export_tax0 if export_tax is None else export_tax, dtype=jnp.float64)
        trade_cost_hat = jnp.ones_like(tariff) if trade_cost_hat is None else jnp.asarray(trade_cost_hat,
                                                                                           dtype=jnp.float64)
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
            z = jnp.asarray(z, dtype=jnp.float64)
            return float(jnp.max(jnp.abs(self._sweep(z, *self._policy(tariff, export_tax, trade_cost_hat)) - z)))

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
        with _x64():
            z = jnp.asarray(z, dtype=jnp.float64)
            return np.asarray(self._welfare(z, *self._policy(tariff, export_tax, trade_cost_hat)))

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

    def _gradient(self, z, tariff, weights, tol, export_tax, with_export_tax, trade_cost_hat, with_trade_cost):
        z = jnp.asarray(z, dtype=jnp.float64)
        policy = self._policy(tariff, export_tax, trade_cost_hat)
        weights = jnp.asarray(weights, dtype=jnp.float64)
        dw_dz, *dw_dpolicy = self._welfare_grads(z, *policy, weights)

        pullback = self._linearize_sweep(z, policy)

        def adjoint_matvec(lam):
            return lam - np.asarray(self._apply_vjp(pullback, lam))

        size = z.shape[0]
        operator = LinearOperator((size, size), matvec=adjoint_matvec, dtype=float)
        rhs = np.array(dw_dz)
        key = np.asarray(weights).tobytes()
        start = self._adjoints.get(key)
        lam, info = gmres(operator, rhs, x0=start if start is not None and start.shape == rhs.shape else None,
                          rtol=tol, atol=tol * max(1.0, float(np.abs(rhs).max())), restart=min(size, 200),
                          maxiter=50)
        if info != 0:
            raise RuntimeError(f"The adjoint solve for the welfare gradient did not converge (GMRES info {info}).")
        if len(self._adjoints) >= 64:
            self._adjoints.pop(next(iter(self._adjoints)))
        self._adjoints[key] = np.asarray(lam)
        _, *lam_gpolicy = self._vjp_sweep(z, policy, jnp.asarray(lam))
        grads = [np.asarray(direct + implicit) for direct, implicit in zip(dw_dpolicy, lam_gpolicy, strict=True)]
        wanted = [grads[0]] + ([grads[1]] if with_export_tax else []) + ([grads[2]] if with_trade_cost else [])
        return wanted[0] if len(wanted) == 1 else tuple(wanted)
