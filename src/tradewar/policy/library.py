"""The built-in library: real measures (``data/measures/*.toml``) and named scenarios
(``data/scenarios/*.toml``), both plain TOML files a user can copy and edit."""

from __future__ import annotations

import tomllib
from functools import lru_cache
from importlib import resources
from pathlib import Path

from tradewar.policy.errors import ScenarioNotFoundError
from tradewar.policy.scenario import Scenario
from tradewar.policy.timeline import Timeline

__all__ = ["data_folder", "load_library", "load_scenario", "scenario_names", "scenario_path"]


def data_folder(kind: str) -> Path:
    """``measures`` or ``scenarios`` inside the installed package."""
    return Path(str(resources.files("tradewar") / "data" / kind))


def load_library() -> Timeline:
    """Every built-in measure, as one timeline (files read in name order).

    Parsed once per process while the files stay as they are (a timeline is immutable): a
    simulation asks for it more than once, and parsing the 1.4 MB of TOML took longer than
    solving the equilibrium.
    """
    paths = sorted(data_folder("measures").glob("*.toml"))
    stamps = tuple((str(path), path.stat().st_mtime_ns, path.stat().st_size) for path in paths)
    return _timeline(stamps)


@lru_cache(maxsize=2)
def _timeline(stamps: tuple[tuple[str, int, int], ...]) -> Timeline:
    measures = []
    for path, _, _ in stamps:
        with open(path, "rb") as handle:
            measures.extend(tomllib.load(handle).get("measure", []))
    return Timeline(measures)


def scenario_names() -> list[str]:
    return sorted(p.stem for p in data_folder("scenarios").glob("*.toml"))


def scenario_path(name: str) -> Path:
    return data_folder("scenarios") / f"{name}.toml"


def load_scenario(name_or_path: str | Path) -> Scenario:
    """A built-in scenario by name, or a scenario file by path."""
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
