"""xarray, set up so that wrapping a numpy array does not import dask.

xarray asks for dask's array type on every array it wraps (``array_type("dask")`` in
``as_compatible_data``), and the first ask imports ``dask.array`` when dask is installed:
about 0.4 s of CPU (dask.array pulls in scipy.sparse and scipy.fft) in every process that
builds a World, although tradewar's Datasets hold numpy arrays only. Yet nothing can be a
dask array before ``dask.array`` has been imported, so until then the honest answer to
"is this a dask array?" is no, without importing anything (unyt's check, yt-project/unyt#342,
does the same). :func:`install` puts that answer into xarray's cache of duck-array modules;
once ``dask.array`` is loaded (a Dask scheduler, a user's chunked Dataset) the entry becomes
xarray's own, so dask-backed objects are recognised exactly as before. Likewise xarray's
``is_dask_collection`` imports ``dask.base`` (0.2 s) to ask a numpy array whether it is a dask
collection; dask's own first test is whether the object has ``__dask_graph__``, so objects
without one are answered here and only the others are passed to dask.

Both are xarray internals (``xarray.namedarray.pycompat._cached_duck_array_modules`` and
``xarray.namedarray.utils.is_dask_collection``); where a release lacks them, nothing is
changed (the first Dataset is then only slower).
``tests/test_lean_imports.py`` checks both halves: no dask on a simulation, dask arrays still
recognised after it.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any

import xarray as xr

__all__ = ["install", "xr"]


class _DaskOnceImported:
    """Stands in for xarray's record of the dask module until ``dask.array`` is imported."""

    def __init__(self, cache: dict[str, Any], real: Any):
        self._cache = cache
        self._real = real  # xarray's DuckArrayModule class

    def _resolve(self) -> Any:
        """xarray's own record (importing dask if installed); it replaces this stand-in."""
        record = self._real("dask")
        self._cache["dask"] = record
        return record

    @property
    def type(self) -> tuple[type, ...]:
        array = getattr(sys.modules.get("dask.array"), "Array", None)
        if array is None:  # dask.array not loaded (or still loading): no object is a dask array
            return ()
        return self._resolve().type

    def __getattr__(self, name: str) -> Any:  # module, version, available: ask for real
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._resolve(), name)


def _collection_check(dask_check: Callable[[object], bool]) -> Callable[[object], bool]:
    """xarray's ``is_dask_collection``, answering "no" without dask for objects that have no
    ``__dask_graph__`` (dask's own first test)."""

    @functools.wraps(dask_check)
    def is_dask_collection(x: object) -> bool:
        if not hasattr(x, "__dask_graph__"):
            return False
        return dask_check(x)

    is_dask_collection.__tradewar_wrapped__ = True  # type: ignore[attr-defined]
    return is_dask_collection


def install() -> None:
    """Make xarray's dask checks import nothing until dask is needed (idempotent)."""
    try:
        from xarray.namedarray import pycompat, utils
    except ImportError:  # pragma: no cover - an xarray without namedarray: leave it alone
        return
    cache = getattr(pycompat, "_cached_duck_array_modules", None)
    real = getattr(pycompat, "DuckArrayModule", None)
    if isinstance(cache, dict) and real is not None and "dask" not in cache:
        cache["dask"] = _DaskOnceImported(cache, real)  # else: already asked, or an unknown layout
    check = getattr(utils, "is_dask_collection", None)
    if callable(check) and not getattr(check, "__tradewar_wrapped__", False):
        wrapped: Any = _collection_check(check)  # xarray annotates it as a TypeGuard
        utils.is_dask_collection = wrapped


install()
