"""A persistent JAX compilation cache in the user's cache directory.

``tradewar war`` and ``tradewar negotiate`` compile the differentiable equilibrium for
each world shape; with the cache a second run loads the compiled programs instead of
compiling them again, and :class:`ExportedJit` keeps the traced and lowered programs
(``jax.export``) beside them so that it need not trace the Python functions either. It is
switched on when those commands run (never at import, so that a library user's own JAX
settings are left alone unless they call it).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from tradewar.disk_cache import user_cache_root

__all__ = ["ExportedJit", "compilation_cache_dir", "enable_compilation_cache"]


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
    return user_cache_root() / "jax"


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


def _source_fingerprint(modules: tuple[str, ...]) -> str:
    """SHA-256 of the source files of ``modules`` (the code a program is traced from)."""
    import hashlib
    import importlib

    digest = hashlib.sha256()
    for name in modules:
        digest.update(Path(importlib.import_module(name).__file__).read_bytes())
    return digest.hexdigest()


def _leaf_spec(value) -> tuple:
    """Shape, dtype and whether a Python float (weakly typed in JAX) of one argument."""
    dtype = getattr(value, "dtype", None)
    return np.shape(value), np.result_type(value) if dtype is None else dtype, isinstance(value, float)


class ExportedJit:
    """``jax.jit(fn)``, whose traced and lowered program is also kept on disk while JAX's
    persistent compilation cache is on.

    JAX's cache keeps compiled programs, but finding one still needs the Python function
    traced and lowered first, which for the war's welfare-and-gradient program costs more
    than the war's arithmetic. This keeps the lowered program itself (``jax.export``, a
    StableHLO module, no pickle) in ``exported/`` under JAX's cache directory, keyed by
    the source of the modules it is traced from, the JAX version, the platform, and the
    arguments' structure, shapes and dtypes; a later process deserialises it (milliseconds)
    and JAX's cache then finds the compiled program. Without the cache, or where anything
    about the stored program fails (no ``flatbuffers``, a damaged file), it is ``jax.jit``.

    Parameters
    ----------
    fn : callable
        A pure function of arrays (pytrees of arrays and numbers).
    modules : tuple of str
        The modules whose source ``fn`` is traced from (part of the key: an edit makes a new
        program).
    compiler_options : dict, optional
        XLA options for compiling it when it is not kept (the cache off: compiled for this
        process only), where this JAX's ``jax.jit`` takes them; a kept program is compiled
        with JAX's defaults (compiled once, run by every later process).
    """

    def __init__(self, fn, modules: tuple[str, ...], compiler_options: dict | None = None):
        self.fn = fn
        self.modules = modules
        self.compiler_options = compiler_options
        self._jit = self._compile(fn)
        self._calls: dict = {}  # in-process: (structure, shapes, statics) -> jitted call of the kept program
        self._plain: dict = {}  # statics -> jax.jit of the function (the cache off)
        self._fingerprint: str | None = None

    def __call__(self, *args, **static):
        import jax

        directory = jax.config.jax_compilation_cache_dir
        if not directory:
            return self._jitted(static)(*args)
        leaves, tree = jax.tree_util.tree_flatten(args)
        spec = (tree, tuple(_leaf_spec(x) for x in leaves), tuple(sorted(static.items())))
        call = self._calls.get(spec)
        if call is None:
            call = self._calls[spec] = self._exported_call(Path(directory) / "exported", leaves, tree, spec, static)
        return call(*leaves)

    def _compile(self, fn):
        import jax

        if self.compiler_options:
            try:
                return jax.jit(fn, compiler_options=self.compiler_options)
            except TypeError:  # a JAX whose jit takes no compiler options
                pass
        return jax.jit(fn)

    def _jitted(self, static):
        import functools

        if not static:
            return self._jit
        key = tuple(sorted(static.items()))
        if key not in self._plain:
            self._plain[key] = self._compile(functools.partial(self.fn, **static))
        return self._plain[key]

    def _exported_call(self, directory: Path, leaves, tree, spec, static):
        import hashlib

        import jax
        from jax import export

        def flat(*values):
            return self.fn(*jax.tree_util.tree_unflatten(tree, values), **static)

        if self._fingerprint is None:
            self._fingerprint = _source_fingerprint(self.modules)
        key = hashlib.sha256(repr((self._fingerprint, jax.__version__, jax.default_backend(), str(tree), spec[1:],
                                   self.fn.__module__, self.fn.__qualname__)).encode()).hexdigest()[:32]
        path = directory / f"{self.fn.__qualname__.strip('_')}-{key}.jaxexport"
        try:
            exported = export.deserialize(bytearray(path.read_bytes()))
        except Exception:  # absent, damaged, or written by another version: make it again
            try:
                exported = export.export(jax.jit(flat))(*leaves)
                blob = exported.serialize()
            except Exception:  # e.g. no flatbuffers: plain jit, nothing kept
                return lambda *values: self._jitted(static)(*jax.tree_util.tree_unflatten(tree, values))
            try:
                directory.mkdir(parents=True, exist_ok=True)
                partial = path.with_suffix(f".{os.getpid()}.tmp")
                partial.write_bytes(blob)
                os.replace(partial, path)  # whole or not at all, for concurrent runs
            except OSError:
                pass  # a read-only cache: the program still runs, it is just not kept
        return jax.jit(exported.call)
