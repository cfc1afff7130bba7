"""Sphinx configuration of tradewar's documentation site.

Built offline, warnings as errors (``sphinx-build -W --keep-going -b html docs docs/_build/html``,
run by ``.ci/run`` and by ``tests/test_docs.py``). Pages are MyST Markdown; pages whose front
matter says ``file_format: mystnb`` are executed at build time by myst-nb, so every number they
show is computed by the code being documented.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Document the checkout's code, not another installed copy; the executed pages' kernels inherit
# the path through the environment.
sys.path.insert(0, str(ROOT / "src"))
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")]))

import tradewar  # noqa: E402

project = "tradewar"
author = "tradewar developers"
copyright = "tradewar developers (MIT licence)"
version = release = tradewar.__version__

extensions = [
    "myst_nb",  # MyST Markdown pages, executed ones included
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx-mathjax-offline",  # serves MathJax from the site itself: equations render offline
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinxcontrib.typer",  # the command-line reference, from the typer app itself
]

exclude_patterns = ["_build", "jupyter_execute", "**.ipynb_checkpoints"]
templates_path = ["_templates"]
source_suffix = {".rst": "restructuredtext", ".md": "myst-nb"}

# --- MyST -----------------------------------------------------------------------------------------
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3

# --- executed pages (myst-nb) ---------------------------------------------------------------------
# Every build runs them again (no cache to go stale), and a failing cell fails the build.
nb_execution_mode = "force"
nb_execution_raise_on_error = True
nb_execution_timeout = 300
nb_execution_show_tb = True
nb_merge_streams = True

# --- API reference ----------------------------------------------------------------------------------
autosummary_generate = True
autosummary_imported_members = False
autodoc_default_options = {"members": True, "show-inheritance": True}
autodoc_typehints = "none"  # numpydoc's Parameters sections say the types in words
autodoc_member_order = "bysource"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

# --- HTML -----------------------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"tradewar {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
}
html_static_path: list[str] = []
