"""The built-in library: real measures (``data/measures/*.toml``) and named scenarios
(``data/scenarios/*.toml``), both plain TOML files a user can copy and edit.

The measure files are also shipped parsed, as ``data/measures/library_cache.json.gz`` (what
``tomllib`` gives, dates tagged), with the SHA-256 of each TOML file it was made from: reading
it takes a tenth of parsing the 1.4 MB of TOML, which was the largest part of a simulation's
start-up. It is used only while every hash matches the files; otherwise the TOML is parsed
(a changed or added measure file is never missed, only read more slowly).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import tomllib
from datetime import date
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from tradewar.disk_cache import files_fingerprint
from tradewar.policy.errors import ScenarioNotFoundError
from tradewar.policy.measures import Measure, parse_measures
from tradewar.policy.scenario import Scenario
from tradewar.policy.timeline import Timeline, register_source

__all__ = [
    "CACHE_FILE",
    "data_folder",
    "load_library",
    "load_scenario",
    "measure_tables",
    "scenario_names",
    "scenario_path",
    "write_library_cache",
]

CACHE_FILE = "library_cache.json.gz"


def data_folder(kind: str) -> Path:
    """``measures`` or ``scenarios`` inside the installed package.

    Parameters
    ----------
    kind : {"measures", "scenarios"}
        Which folder.

    Returns
    -------
    pathlib.Path
        ``tradewar/data/<kind>``.
    """
    return Path(str(resources.files("tradewar") / "data" / kind))


def load_library() -> Timeline:
    """Every built-in measure, as one timeline.

    Returns
    -------
    Timeline
        The measures of ``src/tradewar/data/measures/*.toml`` (files read in name order),
        each checked, with its source.

    Notes
    -----
    The files are read and checked once per process while they stay as they are (a simulation
    asks for the library more than once, and parsing the 1.4 MB of TOML took longer than solving
    the equilibrium). The checked measures are frozen models, shared by every call; each call
    builds a new timeline from them (a timeline keeps caches of its own, which callers need not
    share).
    """
    paths = sorted(data_folder("measures").glob("*.toml"))
    stamps = tuple((str(path), path.stat().st_mtime_ns, path.stat().st_size) for path in paths)
    return Timeline(_measures(stamps))


@lru_cache(maxsize=2)
def _measures(stamps: tuple[tuple[str, int, int], ...]) -> tuple[Measure, ...]:
    paths = tuple(path for path, _, _ in stamps)
    measures = tuple(parse_measures(measure_tables([Path(path) for path in paths])))
    # Timelines name these measures by the files' hash and their position (cached results' keys).
    register_source(measures, files_fingerprint(paths))
    return measures


def measure_tables(paths: list[Path]) -> list[dict[str, Any]]:
    """The ``[[measure]]`` tables of TOML files, in order: from the parsed cache beside them when
    it was made from exactly these files (same names and bytes), else parsed from the TOML.

    Parameters
    ----------
    paths : list of pathlib.Path
        The measure files.

    Returns
    -------
    list of dict
        The ``[[measure]]`` tables, in file order.
    """
    contents = {path.name: path.read_bytes() for path in paths}
    folders = {path.parent for path in paths}
    if len(folders) == 1:
        cached = _read_cache(folders.pop() / CACHE_FILE, _hashes(contents))
        if cached is not None:
            return cached
    return [table for text in contents.values() for table in tomllib.loads(text.decode("utf-8")).get("measure", [])]


def _hashes(contents: dict[str, bytes]) -> dict[str, str]:
    return {name: hashlib.sha256(text).hexdigest() for name, text in contents.items()}


def _read_cache(path: Path, sources: dict[str, str]) -> list[dict[str, Any]] | None:
    if not path.is_file():
        return None
    try:
        document = json.loads(gzip.decompress(path.read_bytes()), object_hook=_decode)
    except (OSError, ValueError):  # damaged: the TOML is the source of truth
        return None
    if document.get("sources") != sources:
        return None
    return [table for name in sources for table in document["measures"][name]]


def write_library_cache(folder: Path) -> Path:
    """Write ``CACHE_FILE`` for the measure TOML files in ``folder`` (the builder of the library,
    ``tools/tariffs/library.py``, does this after writing them; ``python -m tools.tariffs.library_cache``
    after editing one by hand). Deterministic: the same files give the same bytes.

    Parameters
    ----------
    folder : pathlib.Path
        The folder of the measure TOML files.

    Returns
    -------
    pathlib.Path
        The cache file written.
    """
    folder = Path(folder)
    contents = {path.name: path.read_bytes() for path in sorted(folder.glob("*.toml"))}
    document = {
        "note": "tomllib's parse of the measure files, for fast loading; see library_cache.md",
        "sources": _hashes(contents),
        "measures": {name: tomllib.loads(text.decode("utf-8")).get("measure", []) for name, text in contents.items()},
    }
    text = json.dumps(document, default=_encode, ensure_ascii=False, separators=(",", ":"))
    path = folder / CACHE_FILE
    path.write_bytes(gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0))
    return path


def _encode(value: object) -> dict[str, str]:
    if isinstance(value, date):  # TOML's local dates (a datetime would be a date too: refused below)
        if type(value) is not date:
            raise TypeError(f"measure files hold dates, not {type(value).__name__}: {value!r}")
        return {"$date": value.isoformat()}
    raise TypeError(f"cannot store {type(value).__name__} {value!r} in the measure cache")


def _decode(table: dict[str, Any]) -> Any:
    if len(table) == 1 and "$date" in table:
        return date.fromisoformat(table["$date"])
    return table


def scenario_names() -> list[str]:
    """The built-in scenarios' names (``src/tradewar/data/scenarios/*.toml``), sorted.

    Returns
    -------
    list of str
        Their names.
    """
    return sorted(p.stem for p in data_folder("scenarios").glob("*.toml"))


def scenario_path(name: str) -> Path:
    """The file of the built-in scenario ``name`` (whether or not it exists).

    Parameters
    ----------
    name : str
        The scenario's name.

    Returns
    -------
    pathlib.Path
        ``tradewar/data/scenarios/<name>.toml``.
    """
    return data_folder("scenarios") / f"{name}.toml"


def load_scenario(name_or_path: str | Path) -> Scenario:
    """A built-in scenario by name, or a scenario file by path.

    Parameters
    ----------
    name_or_path : str or Path
        A built-in scenario's name (``london-2025``; see :func:`scenario_names`) or the path
        of a ``.toml`` scenario file.

    Returns
    -------
    Scenario
        The parsed, checked scenario (errors name the file, the line and the field).
    """
    candidate = Path(name_or_path)
    if candidate.suffix == ".toml" or candidate.is_file():
        return Scenario.from_toml(candidate)
    path = scenario_path(str(name_or_path))
    if not path.is_file():
        raise ScenarioNotFoundError(
            f"Unknown scenario {str(name_or_path)!r}. Built in: {', '.join(scenario_names()) or 'none'}; "
            "or give the path of a .toml scenario file."
        )
    return Scenario.from_toml(path)
