"""The documentation site builds with warnings as errors, and its executed pages show what the
code computes (issue 18, item 1).

``sphinx-build -W --keep-going`` runs every executed page (myst-nb: the London talks end to
end, the web API) and generates the API reference; any warning (a broken reference, a
docstring that is not valid reStructuredText, a cell that raises, a glued number that cannot
be formatted) fails it. The number checked afterwards is recomputed here from the public API
(``run_scenario("london-2025")``), so the page cannot show a stale or typed-in value.

Cost: about 60-90 s of CPU (the executed pages dominate: war and talks on the compact world),
so the test is in the slow profile; CI runs it as its own step (``python -m pytest -m docs``).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.docs]

ROOT = Path(__file__).resolve().parents[1]


def test_the_site_builds_without_warnings_and_shows_computed_numbers(tmp_path):
    pytest.importorskip("sphinx", reason="the docs extra is not installed: pip install -e '.[docs]'")
    pytest.importorskip("myst_nb", reason="the docs extra is not installed: pip install -e '.[docs]'")
    out = tmp_path / "html"
    build = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html", str(ROOT / "docs"), str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=1200,
    )
    assert build.returncode == 0, f"sphinx-build failed:\n{build.stderr[-6000:]}"

    page = (out / "examples" / "london-talks.html").read_text(encoding="utf-8")
    assert "Traceback" not in page
    from tradewar import run_scenario

    # london-2025 runs on icio2022 (its file names the world): the prose gives the wiod2011
    # number first, then "and <icio2022 number>% on icio2022" (myst-nb marks glued text).
    us_welfare = float(run_scenario("london-2025").to_frame("country").loc["USA", "welfare_pct"])
    assert re.search(r'and\s*<span class="pasted-text">' + re.escape(f"{us_welfare:.2f}") + r"</span>% on", page)

    for name in ("model", "worlds", "measures", "strategy", "uncertainty", "web", "cli", "api/index"):
        assert (out / f"{name}.html").is_file(), name
    # The API reference covers the exported names.
    assert (out / "api" / "generated" / "tradewar.model.counterfactual.html").is_file()
