"""Layers flow one way: world <- model <- policy <- simulation <- strategy / uncertainty /
report <- cli / web (DESIGN.md; issue 11, item 5).

Static: every ``import`` in ``src/tradewar`` is read with :mod:`ast` (nothing is imported),
except those under ``if TYPE_CHECKING:`` (annotations, no run-time dependency). A module may
import its own layer and the layers below it; ``errors`` and the package root (for
``__version__``) are below everything. ``policy/sources`` (the offline builders, moving to
``tools/``) is left out. No module imports another module's private (``_name``) names.
Provenance: the layer order is DESIGN.md's. Cost: about 0.3 s.
"""

from __future__ import annotations

import ast
from pathlib import Path

import tradewar

PACKAGE = Path(tradewar.__file__).parent
# ``extras`` (the optional-dependency check) needs nothing but ``errors``;
# ``results`` (the results protocol) needs only numpy, pandas and xarray, like ``errors``;
# ``disk_cache`` (results kept between processes) needs only numpy;
# ``backtest`` re-runs a scenario against history, ``bridge`` re-runs one step by step, beside strategy;
# ``cards`` reads a solved scenario's critical products, beside simulation.
LAYERS = {"errors": 0, "extras": 0, "results": 0, "disk_cache": 0, "lazy": 0, "world": 1, "model": 2, "policy": 3,
          "simulation": 4, "cards": 4, "strategy": 5, "uncertainty": 5, "report": 5, "replication": 5,
          "backtest": 5, "bridge": 5, "cli": 6, "web": 6, "__main__": 7}
IGNORED = ("policy/sources",)


def _module(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _layer(module: str) -> int | None:
    parts = module.split(".")
    if parts[0] != "tradewar":
        return None
    if len(parts) == 1:
        return 0  # the package root: tradewar.__version__
    return LAYERS.get(parts[1])


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(tree: ast.AST):
    """(line, imported module, names) of every run-time import."""
    stack = [tree]
    while stack:
        node = stack.pop()
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                stack.extend(child.orelse)
                continue
            if isinstance(child, ast.Import):
                for alias in child.names:
                    yield child.lineno, alias.name, []
            elif isinstance(child, ast.ImportFrom) and child.module and child.level == 0:
                yield child.lineno, child.module, [alias.name for alias in child.names]
            stack.append(child)


def _violations() -> list[str]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        if relative.startswith(IGNORED) or relative == "__init__.py":  # the root re-exports the public API
            continue
        module = _module(path)
        own = _layer(module)
        if own is None:
            found.append(f"{relative}: {module} belongs to no layer (add it to LAYERS)")
            continue
        for line, imported, names in _imports(ast.parse(path.read_text(encoding="utf-8"))):
            layer = _layer(imported)
            if layer is None or imported.startswith("tradewar.policy.sources"):
                continue
            if layer > own:
                found.append(f"{relative}:{line}: {module} (layer {own}) imports {imported} (layer {layer})")
            private = [name for name in names if name.startswith("_") and not name.startswith("__")]
            if private and imported != module:
                found.append(f"{relative}:{line}: imports private names {private} from {imported}")
    return found


def test_layers_flow_one_way():
    violations = _violations()
    assert not violations, "\n".join(violations)


def test_the_check_sees_a_violation(tmp_path):
    """The check itself: a world module importing the model, or a private name, is reported."""
    fake = tmp_path / "tradewar"
    (fake / "world").mkdir(parents=True)
    (fake / "world" / "bad.py").write_text("from tradewar.model.solver import SolverOptions\n"
                                          "from tradewar.world.x import _hidden\n"
                                          "from typing import TYPE_CHECKING\n"
                                          "if TYPE_CHECKING:\n    from tradewar.cli import app\n")
    globals()["PACKAGE"] = fake
    try:
        violations = _violations()
    finally:
        globals()["PACKAGE"] = PACKAGE_REAL
    assert len(violations) == 2 and "layer 2" in violations[0] and "_hidden" in violations[1]


PACKAGE_REAL = PACKAGE
