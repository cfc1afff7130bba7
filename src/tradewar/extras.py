"""Optional dependency groups ("extras") and the one check that names the missing one.

The core install (``pip install tradewar``) simulates, prints, writes the HTML report and
runs the timeline. Other features need an extra::

    pip install "tradewar[solvers]"    # scipy: near-autarky fallback, purchase-commitment and quota targets
    pip install "tradewar[strategy]"   # jax: tariff wars and negotiations (war, negotiate)
    pip install "tradewar[web]"        # fastapi, uvicorn: the web app (serve)
    pip install "tradewar[scale]"      # dask[distributed], pyarrow, duckdb: sweeps, runs, --scheduler
    pip install "tradewar[all]"        # all of them
"""

from __future__ import annotations

import importlib.util

from tradewar.errors import MissingExtraError

__all__ = ["EXTRAS", "require_extra"]

# Extra -> (what it is for, the modules it provides). Keep in step with pyproject.toml.
EXTRAS: dict[str, tuple[str, tuple[str, ...]]] = {
    "solvers": ("the nested solver for near-autarky equilibria and target searches (purchase commitments, quotas)",
                ("scipy",)),
    "strategy": ("tariff wars and negotiations (`tradewar war`, `tradewar negotiate`)", ("jax", "scipy")),
    "web": ("the web app (`tradewar serve`)", ("fastapi", "uvicorn")),
    "scale": ("sweeps, the run index and Dask clusters (`tradewar sweep`, `tradewar runs`, `--scheduler`)",
              ("distributed", "pyarrow", "duckdb")),
}


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # a broken or blocked package counts as missing
        return False


def require_extra(extra: str, *modules: str) -> None:
    """Raise a clear error naming the extra to install if any of ``modules`` is missing.

    Parameters
    ----------
    extra : str
        The optional dependency group that provides the modules (a key of :data:`EXTRAS`).
    *modules : str
        Top-level modules to look for; default: every module of the extra. Nothing is
        imported (``importlib.util.find_spec`` only looks), so the check is cheap.

    Raises
    ------
    MissingExtraError
        Naming the missing modules and the ``pip install`` command that adds them.
    """
    purpose, provided = EXTRAS[extra]
    missing = tuple(module for module in (modules or provided) if not _installed(module))
    if missing:
        raise MissingExtraError(
            f"{purpose} needs {', '.join(missing)}, which {'is' if len(missing) == 1 else 'are'} not installed: "
            f"pip install \"tradewar[{extra}]\" (or \"tradewar[all]\")",
            extra=extra,
            missing=missing,
        )
