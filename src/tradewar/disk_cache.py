"""Arrays that are pure functions of their inputs, kept between processes in the user's cache directory.

A simulation's start-up folds the measure library onto its world (labels checked, layers
compiled, the pre-policy tariff recovered by a fixed point): the same work, with the same
result, every time the same world meets the same measures on the same day. The result is
kept here, named by the SHA-256 of everything it depends on (:func:`key`: the caller's
inputs, and the source and data files of the code that computes it), so that a changed
input, measure file or line of code gives another name and is computed afresh.

A kept file is trusted only if it reads back whole: ``.npz`` members carry a CRC-32 that
:mod:`zipfile` checks, the file records the key it was written for, and arrays are loaded
without pickles. Anything else (a truncated, damaged or foreign file, a key that does not
match, an unreadable directory) counts as absent: the caller computes the result and the
file is written again. Writing goes through a temporary file and ``os.replace``, so a
reader never sees half a file; a directory that cannot be written leaves the cache off.

``TRADEWAR_CACHE`` names the directory (``off`` switches the cache off); the default is
``tradewar/arrays`` in the user's cache directory (``$XDG_CACHE_HOME`` or ``~/.cache``).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path

import numpy as np

__all__ = ["cache_dir", "files_fingerprint", "key", "load", "store", "user_cache_root"]

#: Files kept per namespace; the oldest beyond this are removed when one is written.
MAX_FILES = 64
_KEY = "__key__"


def user_cache_root() -> Path:
    """``tradewar`` in the user's cache directory (``$XDG_CACHE_HOME`` or ``~/.cache``, the XDG convention).

    Returns
    -------
    pathlib.Path
        The directory (not created).

    Raises
    ------
    RuntimeError
        If no home directory can be found (and ``XDG_CACHE_HOME`` is not set).
    """
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "tradewar"


def cache_dir() -> Path | None:
    """``$TRADEWAR_CACHE``, else ``tradewar/arrays`` in the user's cache directory; None when switched off.

    Returns
    -------
    pathlib.Path or None
        The directory (not created), or None where ``TRADEWAR_CACHE`` is ``off``, ``0`` or empty
        (or no home directory can be found).
    """
    named = os.environ.get("TRADEWAR_CACHE")
    if named is not None:
        return None if named.strip().lower() in ("", "off", "0", "no", "false") else Path(named).expanduser()
    try:
        return user_cache_root() / "arrays"
    except RuntimeError:  # no home directory to be found: no cache
        return None


@cache
def files_fingerprint(paths: tuple[str, ...]) -> str:
    """SHA-256 of the names and contents of files, once per process (missing files count as empty).

    Parameters
    ----------
    paths : tuple of str
        The files, in a fixed order.

    Returns
    -------
    str
        The hex digest.
    """
    digest = hashlib.sha256()
    for path in paths:
        digest.update(Path(path).name.encode() + b"\0")
        try:
            digest.update(Path(path).read_bytes())
        except OSError:
            digest.update(b"\0missing\0")
    return digest.hexdigest()


def key(*parts: object) -> str:
    """The name of a result: SHA-256 of the ``repr`` of its inputs.

    Parameters
    ----------
    *parts
        Everything the result depends on, as values whose ``repr`` is exact (strings,
        numbers, dates, tuples of them, fingerprints from :func:`files_fingerprint`).

    Returns
    -------
    str
        The hex digest.
    """
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def _path(namespace: str, name: str) -> Path | None:
    folder = cache_dir()
    return None if folder is None else folder / namespace / f"{name}.npz"


def load(namespace: str, name: str) -> dict[str, np.ndarray] | None:
    """The arrays kept under ``name``, or None if there are none that read back whole.

    Parameters
    ----------
    namespace : str
        The kind of result (a folder of the cache).
    name : str
        Its :func:`key`.

    Returns
    -------
    dict of str to numpy.ndarray, or None
        The arrays, or None: absent, switched off, damaged or written for another key.
    """
    path = _path(namespace, name)
    if path is None or not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as stored:
            arrays = {member: stored[member] for member in stored.files}
    except Exception:  # noqa: BLE001 - damaged in any way (bad zip, CRC, inflate, header): compute afresh
        return None
    if str(arrays.pop(_KEY, "")) != name:
        return None
    return arrays


def store(namespace: str, name: str, arrays: Mapping[str, np.ndarray], *, compress: bool = True) -> None:
    """Keep arrays under ``name`` (silently nothing where the cache is off or cannot be written).

    Parameters
    ----------
    namespace : str
        The kind of result (a folder of the cache).
    name : str
        Its :func:`key`.
    arrays : mapping of str to numpy.ndarray
        The arrays (numeric; no objects).
    compress : bool, default True
        Deflate the members (smaller files; reading a few MB back then takes some ms).
    """
    path = _path(namespace, name)
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".writing-", suffix=".npz")
        try:
            with os.fdopen(handle, "wb") as file:
                (np.savez_compressed if compress else np.savez)(file, **{_KEY: np.array(name)}, **arrays)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        _prune(path.parent.glob("*.npz"))
    except OSError:  # read-only home, full disk: the result is only not kept
        return


def _prune(files: Iterable[Path]) -> None:
    """Remove the oldest files beyond :data:`MAX_FILES`."""
    kept = []
    for file in files:
        try:
            kept.append((file.stat().st_mtime_ns, file))
        except OSError:
            continue
    for _, file in sorted(kept, reverse=True)[MAX_FILES:]:
        file.unlink(missing_ok=True)
