"""The built-in library: real measures (``data/measures/*.toml``) and named scenarios
(``data/scenarios/*.toml``), both plain TOML files a user can copy and edit."""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path

from tradewar.policy.errors import ScenarioNotFoundError
from tradewar.policy.scenario import Scenario
from tradewar.policy.timeline import Timeline

__all__ = ["data_folder", "load_library", "load_scenario", "scenario_names", "scenario_path"]


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
    """
    measures = []
    for path in sorted(data_folder("measures").glob("*.toml")):
        with open(path, "rb") as handle:
            measures.extend(tomllib.load(handle).get("measure", []))
    return Timeline(measures)


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
