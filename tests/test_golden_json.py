"""The ``--json`` outputs of the built-in scenarios and commands stay what they were.

Each case re-runs a command in-process and compares its JSON with the file in
``tests/golden/`` captured from the code before the scenario pipeline was unified
(commit 094e8dd; issue 11, "Done when": outputs unchanged where no behaviour was meant
to change). Provenance of the expected numbers: the program's own earlier output.

Why not byte for byte: the solver's inner loop is being rewritten (issue 11), which
moves the last digits of every equilibrium number; so strings and structure (keys, list
lengths, order) must be identical, numbers equal to 1e-8 relative or 1e-12 absolute,
and the solver's timing, sweep count and final residual (which depend on the path the
iteration takes, not on the answer) are ignored.

Subset: every built-in scenario except ``phase-one-2020`` (its purchase-commitment
targets take about 35 s), the overrides (regions, sectors, deficits, against, world),
``compare``, a half-year ``timeline``, ``world info``/``list`` and, where the CP2015 data
are present, ``replicate cp2015``. Cost: about 6 s in all on an idle machine (measured; slower under load).

Regenerate (only when a change of output is intended, and say why in the commit):
``TRADEWAR_REGEN_GOLDEN=1 python -m pytest tests/test_golden_json.py``.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import needs_cp2015
from tradewar.cli import app

GOLDEN = Path(__file__).parent / "golden"
REGENERATE = os.environ.get("TRADEWAR_REGEN_GOLDEN") == "1"
# Keys whose values depend on how the solver got there, not on the equilibrium.
SOLVER_PATH_KEYS = {"iterations", "seconds", "residual"}
RTOL, ATOL = 1e-8, 1e-12

SCENARIOS = [
    "busan-2025", "chip-controls", "geneva-2025", "latest", "liberation-day-2025", "london-2025",
    "london-2025-chip-controls", "london-2025-rare-earth-ban", "pre-2025", "rare-earth-ban", "rare-earth-controls-2025",
    "trade-war-2019",
]
# The london-2025 variants name their world: they pin wiod2011's numbers (the scenario file itself
# runs on icio2022 since issue 13's switch, pinned by simulate-london-2025).
CASES = {
    **{f"simulate-{name}": ["simulate", name, "--json"] for name in SCENARIOS},
    "simulate-london-compact-broad": [
        "simulate",
        "london-2025",
        "--world",
        "wiod2011",
        "--regions",
        "compact",
        "--sectors",
        "broad",
        "--json",
    ],
    "simulate-london-zero-deficits": [
        "simulate",
        "london-2025",
        "--world",
        "wiod2011",
        "--regions",
        "compact",
        "--deficits",
        "zero",
        "--json",
    ],
    "simulate-london-against-date": ["simulate", "london-2025", "--world", "wiod2011", "--against", "2025-01-15",
                                     "--json"],
    "simulate-london-against-scenario": [
        "simulate",
        "london-2025",
        "--world",
        "wiod2011",
        "--against",
        "geneva-2025",
        "--regions",
        "compact",
        "--json",
    ],
    "compare-geneva-london": ["compare", "geneva-2025", "london-2025", "--json"],
    "timeline-2025h1": ["timeline", "--from", "2025-01-01", "--to", "2025-06-30", "--json"],
    "world-info": ["world", "info", "--json"],
    "world-list": ["world", "list", "--json"],
}
NEEDS_CP2015 = {"replicate-cp2015": ["replicate", "cp2015", "--json"]}


def assert_same(expected, actual, where: str = "$") -> None:
    """Equal structure and strings; numbers within RTOL/ATOL; solver-path keys skipped."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), f"{where}: expected an object, got {type(actual).__name__}"
        assert list(expected) == list(actual), f"{where}: keys {list(expected)} != {list(actual)}"
        for key in expected:
            if key not in SOLVER_PATH_KEYS:
                assert_same(expected[key], actual[key], f"{where}.{key}")
    elif isinstance(expected, list):
        assert isinstance(actual, list), f"{where}: expected a list, got {type(actual).__name__}"
        assert len(expected) == len(actual), f"{where}: {len(expected)} items != {len(actual)}"
        for i, (e, a) in enumerate(zip(expected, actual, strict=True)):
            assert_same(e, a, f"{where}[{i}]")
    elif isinstance(expected, bool) or expected is None or isinstance(expected, str):
        assert expected == actual, f"{where}: {expected!r} != {actual!r}"
    elif isinstance(expected, int | float):
        assert isinstance(actual, int | float) and not isinstance(actual, bool), f"{where}: {actual!r} is not a number"
        assert math.isclose(expected, actual, rel_tol=RTOL, abs_tol=ATOL), f"{where}: {expected!r} != {actual!r}"
    else:  # pragma: no cover - JSON has no other types
        raise AssertionError(f"{where}: unexpected {type(expected).__name__}")


def _check(name: str, argv: list[str]) -> None:
    result = CliRunner().invoke(app, argv)
    assert result.exit_code == 0, result.output
    actual = json.loads(result.stdout)
    path = GOLDEN / f"{name}.json"
    if REGENERATE:
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(json.dumps(actual, indent=1) + "\n")
        return
    assert_same(json.loads(path.read_text()), actual)


@pytest.mark.parametrize("name", list(CASES))
def test_json_output_unchanged(name):
    _check(name, CASES[name])


@needs_cp2015
@pytest.mark.parametrize("name", list(NEEDS_CP2015))
def test_json_output_unchanged_with_cp2015_data(name):
    _check(name, NEEDS_CP2015[name])


def test_comparison_catches_a_change():
    """The comparison itself fails on a changed string, key, length or a number off by 1e-6."""
    base = {"a": [1.0, {"s": "x"}], "solver": {"seconds": 1.0}}
    assert_same(base, {"a": [1.0 + 1e-12, {"s": "x"}], "solver": {"seconds": 9.0}})
    for changed in ({"a": [1.000001, {"s": "x"}], "solver": {"seconds": 1.0}},
                    {"a": [1.0, {"s": "y"}], "solver": {"seconds": 1.0}},
                    {"a": [1.0], "solver": {"seconds": 1.0}},
                    {"b": [1.0, {"s": "x"}], "solver": {"seconds": 1.0}}):
        with pytest.raises(AssertionError):
            assert_same(base, changed)
