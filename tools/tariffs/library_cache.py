"""Rewrite the parsed measure cache, ``data/measures/library_cache.json.gz``, from the measure TOML files.

    python -m tools.tariffs.library_cache [--folder src/tradewar/data/measures]

Needs no reference data: run it after editing a measure file by hand (the full builder,
``python -m tools.tariffs.library``, runs it itself). While the cache is stale the package
still reads the TOML, only more slowly, and ``tests/test_library_cache.py`` fails, naming this
command.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from tools.tariffs.library import OUTPUT_DIR
from tradewar.policy.library import write_library_cache


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, default=OUTPUT_DIR, help=f"measure folder (default: {OUTPUT_DIR})")
    args = parser.parse_args(argv)
    print(write_library_cache(args.folder))


if __name__ == "__main__":
    main()
