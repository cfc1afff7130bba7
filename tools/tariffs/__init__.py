"""Build scripts that turn published, product-level trade-policy data into sector tables.

Tariff measures are published by product (HS codes); the model works with the 16
WIOD goods sectors. Each module here reads raw public data from the reference
folder (``../shared/data`` by default; the package never reads it at run time), derives a compact
table and writes it, with a provenance note beside it, under the checkout's ``src/tradewar/data``:

- :mod:`~tools.tariffs.concordance`: HS 6-digit -> ISIC Rev.3 -> WIOD sector
  (``data/concordance/hs6_to_wiod.csv``).
- :mod:`~tools.tariffs.us_china_2018_2020`: the 2018-2020 U.S.-China tariffs
  each way by WIOD goods sector and date (``data/tariffs/us_china_2018_2020.csv``).
- :mod:`~tools.tariffs.us_2025_2026`: the 2025-2026 U.S. tariff increases by
  partner and date, and by partner and sector for one snapshot
  (``data/tariffs/us_2025_2026_by_partner.csv``, ``us_2025_2026_by_sector.csv``).

Each module has ``build(source_dir, output_dir)`` and runs as
``python -m tools.tariffs.<module> [--source DIR] [--output DIR]`` from the repository root.
"""

from __future__ import annotations

__all__ = ["concordance", "us_2025_2026", "us_china_2018_2020"]
