"""Docstrings describe the public API (issue 18, item 1): the API reference of the
documentation site is generated from them, so every public function and class of the
documented modules has one, and the names exported by ``tradewar`` have numpydoc
Parameters and Returns sections.

Provenance of what is checked: the module list is the one ``docs/api/index.md`` gives to
autosummary (read from that file, so the test and the site cannot drift apart); "public"
means a name without a leading underscore defined at module level, or a method or property
of a public class. The check is ast-based (nothing is imported) and takes about 1 s; the
numpydoc validation imports the documented functions' modules (about 5 s, JAX included).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "tradewar"
REFERENCE = ROOT / "docs" / "api" / "index.md"

# The functions ``tradewar`` exports (``tradewar.__all__``), by the module that defines them.
EXPORTED_FUNCTIONS = [
    "tradewar.model.counterfactual.simulate",
    "tradewar.world.library.load_world",
    "tradewar.policy.library.load_library",
    "tradewar.policy.library.load_scenario",
    "tradewar.simulation.run_scenario",
]
# The functions the executed London example calls (docs/examples/london-talks.md).
EXAMPLE_FUNCTIONS = [
    "tradewar.policy.timeline.Timeline.average_tariff",
    "tradewar.policy.timeline.Timeline.tariff_on",
    "tradewar.policy.timeline.Timeline.export_tax_on",
    "tradewar.strategy.war.nash_war",
    "tradewar.strategy.war.best_response",
    "tradewar.strategy.negotiation.negotiate",
    "tradewar.uncertainty.montecarlo.monte_carlo",
    "tradewar.world.splits.apply_split",
]


def documented_modules() -> list[str]:
    """The packages and modules the API reference lists (autosummary, recursive)."""
    text = REFERENCE.read_text(encoding="utf-8")
    block = text.split(":recursive:", 1)[1].split("```", 1)[0]
    return re.findall(r"^\s+(tradewar[\w.]*)\s*$", block, flags=re.MULTILINE)


def module_files(name: str) -> list[Path]:
    """The source files of a listed module, or of every module of a listed package."""
    path = PACKAGE.joinpath(*name.split(".")[1:])
    if path.is_dir():
        return sorted(path.rglob("*.py"))
    return [path.with_suffix(".py")]


def undocumented(source: str) -> list[str]:
    """Public module-level functions and classes, and public methods of public classes,
    that have no docstring (``name`` or ``Class.method``, with the line)."""
    missing = []
    for node in ast.parse(source).body:
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) or node.name.startswith("_"):
            continue
        if ast.get_docstring(node) is None:
            missing.append(f"{node.name} (line {node.lineno})")
        if isinstance(node, ast.ClassDef):
            for member in node.body:
                if (isinstance(member, ast.FunctionDef | ast.AsyncFunctionDef) and not member.name.startswith("_")
                        and ast.get_docstring(member) is None):
                    missing.append(f"{node.name}.{member.name} (line {member.lineno})")
    return missing


def test_the_checker_finds_a_missing_docstring():
    """Self-check on a made-up module: a bare function and a bare method are reported, private
    names and documented ones are not."""
    source = (
        'def bare(x):\n    return x\n\n'
        'def _private():\n    pass\n\n'
        'def documented():\n    """Yes."""\n\n'
        'class Thing:\n    """A thing."""\n\n    def method(self):\n        return 1\n\n'
        '    def _hidden(self):\n        return 2\n'
    )
    assert undocumented(source) == ["bare (line 1)", "Thing.method (line 13)"]


def test_the_reference_lists_modules_that_exist():
    modules = documented_modules()
    assert "tradewar.model" in modules and "tradewar.world" in modules
    for name in modules:
        assert all(path.is_file() for path in module_files(name)), name


def test_every_public_function_and_class_in_the_reference_has_a_docstring():
    missing = {
        str(path.relative_to(ROOT)): found
        for name in documented_modules()
        for path in module_files(name)
        if (found := undocumented(path.read_text(encoding="utf-8")))
    }
    assert not missing, "public names without a docstring (the API reference shows them empty):\n" + "\n".join(
        f"{path}: {', '.join(names)}" for path, names in missing.items()
    )


@pytest.mark.parametrize("name", EXPORTED_FUNCTIONS)
def test_exported_functions_have_numpydoc_parameters_and_returns(name):
    """numpydoc's own validator: every parameter documented (PR01), none unknown (PR02), each
    with a type (PR04), and a Returns section (RT01)."""
    validate = pytest.importorskip("numpydoc.validate").validate
    import tradewar

    assert name.rsplit(".", 1)[1] in tradewar.__all__
    errors = [f"{code}: {message}" for code, message in validate(name)["errors"]
              if code in ("GL08", "PR01", "PR02", "PR04", "RT01")]
    assert not errors, f"{name}: " + "; ".join(errors)


@pytest.mark.parametrize("name", EXAMPLE_FUNCTIONS)
def test_functions_of_the_worked_example_have_numpydoc_parameters_and_returns(name):
    """numpydoc's validator: every parameter documented (PR01), none unknown (PR02), and a
    Returns section (RT01); grouped parameters (``a, b``) count for each name."""
    validate = pytest.importorskip("numpydoc.validate").validate
    pytest.importorskip("jax", reason="the strategy extra is not installed")
    errors = [f"{code}: {message}" for code, message in validate(name)["errors"]
              if code in ("GL08", "PR01", "PR02", "RT01")]
    assert not errors, f"{name}: " + "; ".join(errors)
