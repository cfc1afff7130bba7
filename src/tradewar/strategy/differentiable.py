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
        self._welfare_grads = jax.jit(jax.grad(self._welfare_of, argnums=(0, 1, 2, 3)))

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
        """Largest change of the state in one sweep at ``z`` (zero at an equilibrium)."""
        with _x64():
            z = jnp.asarray(z, dtype=jnp.float64)
            return float(jnp.max(jnp.abs(self._sweep(z, *self._policy(tariff, export_tax, trade_cost_hat)) - z)))

    def welfare(self, z: np.ndarray, tariff: np.ndarray, export_tax: np.ndarray | None = None,
                trade_cost_hat: np.ndarray | None = None) -> np.ndarray:
        """Real income of every country relative to the baseline at the state ``z``."""
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
        """
        with _x64():
            return self._gradient(z, tariff, weights, tol, export_tax, with_export_tax, trade_cost_hat,
                                  with_trade_cost)

    def _gradient(self, z, tariff, weights, tol, export_tax, with_export_tax, trade_cost_hat, with_trade_cost):
        z = jnp.asarray(z, dtype=jnp.float64)
        policy = self._policy(tariff, export_tax, trade_cost_hat)
        weights = jnp.asarray(weights, dtype=jnp.float64)
        dw_dz, *dw_dpolicy = self._welfare_grads(z, *policy, weights)

        def adjoint_matvec(lam):
            lam_gz, *_ = self._vjp_sweep(z, policy, jnp.asarray(lam))
            return np.array(lam - lam_gz)

        size = z.shape[0]
        operator = LinearOperator((size, size), matvec=adjoint_matvec, dtype=float)
        rhs = np.array(dw_dz)
        lam, info = gmres(operator, rhs, rtol=tol, atol=tol * max(1.0, float(np.abs(rhs).max())),
                          restart=min(size, 200), maxiter=50)
        if info != 0:
            raise RuntimeError(f"The adjoint solve for the welfare gradient did not converge (GMRES info {info}).")
        _, *lam_gpolicy = self._vjp_sweep(z, policy, jnp.asarray(lam))
        grads = [np.asarray(direct + implicit) for direct, implicit in zip(dw_dpolicy, lam_gpolicy, strict=True)]
        wanted = [grads[0]] + ([grads[1]] if with_export_tax else []) + ([grads[2]] if with_trade_cost else [])
        return wanted[0] if len(wanted) == 1 else tuple(wanted)
