"""Helpers shared by the build scripts: where data live, reading WIOD's sector table, writing.

The raw public data live outside the package, in the reference folder (``../shared/data``
from the repository root, or ``$TRADEWAR_SHARED_DATA``); the derived tables are written
into the checkout's ``src/tradewar/data`` folder, from which the installed package reads
them at run time (the builders themselves are not part of the package).
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd

from tools.worlds.wiod import WIOD_SECTORS
from tradewar.errors import DataNotFoundError

__all__ = [
    "DATA_DIR",
    "GOODS",
    "SHARED_DATA_ENV",
    "default_source_dir",
    "main",
    "read_csv",
    "require",
    "sector_label",
    "wiod_divisions",
    "write_csv",
    "write_text",
]

# tools/tariffs/_common.py -> the checkout's src/tradewar/data: the builders write into the
# source tree (never into an installed copy of the package) unless --output says otherwise.
DATA_DIR = Path(__file__).resolve().parents[2] / "src" / "tradewar" / "data"
SHARED_DATA_ENV = "TRADEWAR_SHARED_DATA"

# WIOD's 16 goods industries (c1..c16): the sectors that carry tariffs in the model.
GOODS = tuple(code for code, (_, cp_sectors) in WIOD_SECTORS.items() if cp_sectors)

# Enough digits that a rebuilt table compares equal to the committed one to ~1e-10,
# few enough that the files stay compact.
FLOAT_FORMAT = "%.10g"


def default_source_dir() -> Path:
    """``$TRADEWAR_SHARED_DATA`` if set, else ``../shared/data`` (relative to the working directory)."""
    env = os.environ.get(SHARED_DATA_ENV)
    return Path(env) if env else Path("..") / "shared" / "data"


def require(path: Path, what: str) -> Path:
    """``path`` if it is a file, else a :class:`DataNotFoundError` saying what it should hold."""
    if not path.is_file():
        raise DataNotFoundError(
            f"{path} not found ({what}). Point --source at the reference data folder "
            f"(../shared/data, or set ${SHARED_DATA_ENV})."
        )
    return path


def read_csv(path: Path, what: str, **kwargs) -> pd.DataFrame:
    """Read a raw CSV after checking it exists (``what`` says what it should hold)."""
    return pd.read_csv(require(path, what), **kwargs)


def sector_label(code: str) -> str:
    """The model's label of a WIOD industry code (``c14`` -> ``Electrical and optical``)."""
    return WIOD_SECTORS[code][0]


def wiod_divisions(source_dir: Path) -> dict[str, str]:
    """ISIC Rev.3 2-digit division -> WIOD industry code, from WIOD's own sector table.

    ``wiod2013/sectors.csv`` gives each industry's ISIC Rev.3 range ("01-05", "19");
    every division inside a range belongs to that industry. Ranges are read from the
    data rather than typed in so that the mapping follows WIOD's definitions exactly.
    """
    table = read_csv(source_dir / "wiod2013" / "sectors.csv", "WIOD industries with their ISIC Rev.3 ranges", dtype=str)
    divisions: dict[str, str] = {}
    for code, isic_range in zip(table["code"], table["isic_rev3"], strict=True):
        first, _, last = isic_range.partition("-")
        for division in range(int(first), int(last or first) + 1):
            divisions[f"{division:02d}"] = code
    return divisions


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    """Write a derived table: no index, fixed float format, Unix line ends (stable diffs)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, float_format=FLOAT_FORMAT, lineterminator="\n")
    return path


def write_text(text: str, path: Path) -> Path:
    """Write a provenance note (UTF-8, one trailing newline)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text.rstrip("\n") + "\n", encoding="utf-8")
    return path


def write_table_and_note(table: pd.DataFrame, note: str, output_dir: Path, name: str) -> list[Path]:
    """Write a derived table and, beside it, its provenance note (same name, ``.md``)."""
    output_dir = Path(output_dir)
    return [write_csv(table, output_dir / name), write_text(note, output_dir / name.replace(".csv", ".md"))]


def main(
    build: Callable[[Path, Path], Sequence[Path]],
    description: str,
    default_output: Path,
    argv: Sequence[str] | None = None,
) -> None:
    """The ``python -m tools.tariffs.<module>`` entry: parse --source/--output, build, list files."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--source",
        type=Path,
        default=default_source_dir(),
        help=f"reference data folder (default: ${SHARED_DATA_ENV} or ../shared/data)",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=default_output,
        help=f"folder to write the derived files to (default: {default_output})",
    )
    args = parser.parse_args(argv)
    for path in build(args.source, args.output):
        print(path)
