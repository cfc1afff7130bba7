"""The wheel holds the package and its derived data, not the offline builders (issue 11, item 6)."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import REPO_ROOT
from tradewar.cli import app

# Module names of the builders, wherever they might end up inside a wheel.
BUILDER_MARKERS = ("tools/", "policy/sources/", "world/wiod.py", "concordance.py", "us_china_2018_2020.py")


def test_builders_live_outside_the_package():
    """Static check (instant): no builder module under src/; they all sit in tools/."""
    package = REPO_ROOT / "src" / "tradewar"
    python_files = [p.relative_to(package).as_posix() for p in package.rglob("*.py")]
    assert not [name for name in python_files if any(marker in name for marker in BUILDER_MARKERS)]
    assert (REPO_ROOT / "tools" / "worlds" / "wiod.py").is_file()
    assert (REPO_ROOT / "tools" / "tariffs" / "library.py").is_file()


@pytest.mark.slow  # builds a wheel
def test_wheel_has_no_build_scripts(tmp_path):
    """`pip wheel .` (about 5 s) gives a wheel with the package and its data but no builders.

    Skipped, saying why, where pip cannot set up its isolated build environment (no access
    to the package index).
    """
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(REPO_ROOT), "--no-deps", "-q", "-w", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    if built.returncode != 0:
        pytest.skip(f"pip could not build the wheel here: {built.stderr.strip().splitlines()[-1:]}")
    (wheel,) = tmp_path.glob("tradewar-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "tradewar/policy/tariffs.py" in names and "tradewar/data/measures/us_china.toml" in names
    assert not [name for name in names if any(marker in name for marker in BUILDER_MARKERS)]
    assert not [name for name in names if name.split("/")[0] == "tools"]


def test_world_build_without_a_checkout_is_a_clear_error(monkeypatch):
    """From an installed package alone the build command says it needs the repository (no traceback)."""
    import tradewar.cli.world as world_cli

    monkeypatch.setattr(world_cli, "checkout_root", lambda: None)
    result = CliRunner().invoke(app, ["world", "build", "wiod", "--output", "unused.npz"])
    assert result.exit_code == 2
    assert "needs a checkout of the tradewar repository" in result.output and "tools/" in result.output


def test_world_build_finds_the_checkout():
    """From this checkout the builders are found, and the default output is the checkout's source tree."""
    from tradewar.cli.world import checkout_root

    assert checkout_root() == REPO_ROOT
    assert Path(REPO_ROOT / "src" / "tradewar" / "data" / "worlds" / "wiod2011.npz").is_file()
