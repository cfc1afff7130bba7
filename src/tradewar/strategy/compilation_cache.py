"""A persistent JAX compilation cache in the user's cache directory.

``tradewar war`` and ``tradewar negotiate`` compile the differentiable equilibrium for
each world shape; with the cache a second run loads the compiled programs instead of
compiling them again. It is switched on when those commands run (never at import, so
that a library user's own JAX settings are left alone unless they call it).
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["compilation_cache_dir", "enable_compilation_cache"]


def compilation_cache_dir() -> Path:
    """``$TRADEWAR_JAX_CACHE``, else ``tradewar/jax`` in the user's cache directory.

    The user's cache directory is ``$XDG_CACHE_HOME`` or ``~/.cache`` (the XDG convention,
    as the run store uses for its data directory).

    Returns
    -------
    pathlib.Path
        The directory (not created).
    """
    named = os.environ.get("TRADEWAR_JAX_CACHE")
    if named:
        return Path(named).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "tradewar" / "jax"


def enable_compilation_cache(directory: Path | str | None = None) -> Path | None:
    """Point JAX's persistent compilation cache at ``directory`` (default: :func:`compilation_cache_dir`).

    Programs that take at least 0.2 s to compile are kept (JAX's default, 1 s, would skip
    most of the solver's pieces). A directory that cannot be created leaves the cache off:
    the commands still run, only slower to start.

    Parameters
    ----------
    directory : pathlib.Path or str, optional
        The cache's directory (created if needed).

    Returns
    -------
    Path or None
        The directory in use, or None where it could not be created.
    """
    import jax

    path = Path(directory) if directory is not None else compilation_cache_dir()
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    jax.config.update("jax_compilation_cache_dir", str(path))
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.2)
    return path
