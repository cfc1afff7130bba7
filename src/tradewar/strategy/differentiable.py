"""The equilibrium map in JAX, for gradients of welfare with respect to tariffs.

Equilibria are found by the numpy solver (:mod:`tradewar.model.caliendo_parro`);
this module restates the same sweep ``z = G(z, t)`` in ``jax.numpy`` so that the
implicit function theorem gives exact gradients: at a fixed point ``z*``,

    dW/dt = dW/dt|_z + lam' dG/dt,   where   (I - dG/dz)' lam = dW/dz,

one adjoint linear solve (GMRES on vector-Jacobian products) per objective,
whatever the number of instruments. No finite differences.
"""

from __future__ import annotations

from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np
from jax.scipy.special import logsumexp
from scipy.sparse.linalg import LinearOperator, gmres

from tradewar.model.caliendo_parro import Baseline

jax.config.update("jax_enable_x64", True)

__all__ = ["DifferentiableEquilibrium"]


@dataclass(frozen=True)
class _Arrays:
    pi: jnp.ndarray
    log_tau0: jnp.ndarray
    beta: jnp.ndarray
    gamma: jnp.ndarray
    alpha: jnp.ndarray
    value_added: jnp.ndarray
    theta: jnp.ndarray
    deficit: jnp.ndarray
    scale: jnp.ndarray
    income0: jnp.ndarray
    log_fob0: jnp.ndarray  # log(1 + baseline export tax)


class DifferentiableEquilibrium:
    """Welfare and its exact gradient with respect to the tariff tensor.

    ``state`` vectors are those of the numpy engine (log wages, log prices,
    expenditure over its scale), so an equilibrium it solved is a fixed point here.
    """

    def __init__(self, baseline: Baseline, deficit_new: np.ndarray, scale: np.ndarray, income0: np.ndarray):
        fob = np.ones_like(baseline.tariff) if baseline.export_tax is None else 1.0 + baseline.export_tax
        self.export_tax0 = fob - 1.0
        self.n, self.j = baseline.shape
        self.a = _Arrays(
            pi=jnp.asarray(baseline.trade_shares),
            log_tau0=jnp.asarray(np.log1p(baseline.tariff)),
            beta=jnp.asarray(baseline.value_added_share),
            gamma=jnp.asarray(baseline.input_share),
            alpha=jnp.asarray(baseline.final_demand_share),
            value_added=jnp.asarray(baseline.value_added),
            theta=jnp.asarray(baseline.trade_elasticity),
            deficit=jnp.asarray(deficit_new),
            scale=jnp.asarray(scale),
            income0=jnp.asarray(income0),
            log_fob0=jnp.asarray(np.log(fob)),
        )
        self._sweep = jax.jit(self._sweep_impl)
        self._welfare = jax.jit(self._welfare_impl)
        self._vjp_sweep = jax.jit(lambda z, t, x, lam: jax.vjp(self._sweep_impl, z, t, x)[1](lam))
        self._welfare_grads = jax.jit(jax.grad(self._welfare_of, argnums=(0, 1, 2)))

    # -- the same blocks as the numpy engine --------------------------------------------
    def _unpack(self, z):
        n, j = self.n, self.j
        return z[:n], z[n : n + n * j].reshape(n, j), z[n + n * j :].reshape(n, j) * self.a.scale

    def _blocks(self, z, tariff, export_tax):
        a = self.a
        log_wage, log_price, expenditure = self._unpack(z)
        tau = 1.0 + tariff
        fob = 1.0 + export_tax
        log_kappa = jnp.log(tau) - a.log_tau0 + jnp.log(fob) - a.log_fob0
        log_cost = a.beta * log_wage[:, None] + jnp.einsum("ikj,ik->ij", a.gamma, log_price)
        exponent = -a.theta[None, None, :] * (log_kappa + log_cost[None, :, :])
        log_total = logsumexp(exponent, axis=1, b=a.pi)
        shares = a.pi * jnp.exp(exponent - log_total[:, None, :])
        log_price_new = -log_total / a.theta
        pre_tariff = shares / tau
        producer = pre_tariff / fob
        output = jnp.einsum("nj,nij->ij", expenditure, producer)
        tariff_revenue = (expenditure * (1.0 - pre_tariff.sum(axis=1))).sum(axis=1)
        export_revenue = jnp.einsum("nj,nij->i", expenditure, pre_tariff - producer)
        income = jnp.exp(log_wage) * a.value_added + tariff_revenue + export_revenue + a.deficit
        return log_price_new, output, income

    def _sweep_impl(self, z, tariff, export_tax):
        a = self.a
        log_price_new, output, income = self._blocks(z, tariff, export_tax)
        expenditure_new = jnp.einsum("njk,nk->nj", a.gamma, output) + a.alpha * income[:, None]
        wage = (a.beta * output).sum(axis=1) / a.value_added
        wage = wage * a.value_added.sum() / (wage * a.value_added).sum()
        return jnp.concatenate([jnp.log(wage), log_price_new.ravel(), (expenditure_new / a.scale).ravel()])

    def _welfare_impl(self, z, tariff, export_tax):
        """Real income of every country relative to the baseline (the result's ``welfare``)."""
        _, log_price, _ = self._unpack(z)
        _, _, income = self._blocks(z, tariff, export_tax)
        price_index = jnp.exp((self.a.alpha * log_price).sum(axis=1))
        return income / self.a.income0 / price_index

    def _welfare_of(self, z, tariff, export_tax, weights):
        return jnp.dot(weights, self._welfare_impl(z, tariff, export_tax))

    # -- public ---------------------------------------------------------------------
    def _taxes(self, export_tax):
        return jnp.asarray(self.export_tax0 if export_tax is None else export_tax)

    def residual(self, z: np.ndarray, tariff: np.ndarray, export_tax: np.ndarray | None = None) -> float:
        return float(jnp.max(jnp.abs(self._sweep(z, tariff, self._taxes(export_tax)) - z)))

    def welfare(self, z: np.ndarray, tariff: np.ndarray, export_tax: np.ndarray | None = None) -> np.ndarray:
        return np.asarray(self._welfare(z, tariff, self._taxes(export_tax)))

    def gradient(
        self, z: np.ndarray, tariff: np.ndarray, weights: np.ndarray, tol: float = 1e-12,
        export_tax: np.ndarray | None = None, with_export_tax: bool = False,
    ):
        """d(weights . welfare)/d tariff at the equilibrium ``z`` (same shape as the tariff);
        with ``with_export_tax`` also the gradient with respect to the export taxes."""
        z = jnp.asarray(z)
        tariff = jnp.asarray(tariff)
        taxes = self._taxes(export_tax)
        weights = jnp.asarray(weights, dtype=float)
        dw_dz, dw_dt, dw_dx = self._welfare_grads(z, tariff, taxes, weights)

        def adjoint_matvec(lam):
            lam_gz, _, _ = self._vjp_sweep(z, tariff, taxes, jnp.asarray(lam))
            return np.array(lam - lam_gz)

        size = z.shape[0]
        operator = LinearOperator((size, size), matvec=adjoint_matvec, dtype=float)
        rhs = np.array(dw_dz)
        lam, info = gmres(operator, rhs, rtol=tol, atol=tol * max(1.0, float(np.abs(rhs).max())),
                          restart=min(size, 200), maxiter=50)
        if info != 0:
            raise RuntimeError(f"The adjoint solve for the welfare gradient did not converge (GMRES info {info}).")
        _, lam_gt, lam_gx = self._vjp_sweep(z, tariff, taxes, jnp.asarray(lam))
        if with_export_tax:
            return np.asarray(dw_dt + lam_gt), np.asarray(dw_dx + lam_gx)
        return np.asarray(dw_dt + lam_gt)
