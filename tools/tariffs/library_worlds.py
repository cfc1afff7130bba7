"""The measure library on other worlds' sectors: a second concordance pass.

The library builder (:mod:`tools.tariffs.library`) spreads every measure's HS lines over
WIOD's sectors. This module reruns the same builders, with the same HS lines, line
weights and curation, on the ICIO 2022 sectors (``hs6_to_icio2022.csv``), and attaches
the result to each measure as a per-world table::

    [measure.worlds.icio2022]
    sectors = [...]
    rate_by_sector = { ... }

which :class:`tradewar.policy.Timeline` picks when it folds onto a world of that name.
How: the builders' sector tables (GOODS, the code -> label map, the concordance) are
swapped for ICIO's while the pass runs; ICIO codes travel as ``k1..k50`` (the builders
order sectors by the integer after a one-letter prefix). Sectors that the curation
names by hand (export controls, purchase commitments) are translated with
:data:`WIOD_TO_ICIO`. Measures that have no counterpart on a world get
``applies = false`` there; measures that exist only there get ``world = "..."``.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pandas as pd

from tools.tariffs import concordance_icio

WORLD = "icio2022"

# Sectors the curation names by hand (WIOD labels) -> the ICIO 2022 sectors that hold those goods
# or services (ISIC Rev.3 divisions of the WIOD sector -> their ISIC Rev.4 successors).
WIOD_TO_ICIO: dict[str, tuple[str, ...]] = {
    "Agriculture": ("Agriculture", "Forestry", "Fishing"),
    "Mining": ("Coal", "Oil and gas", "Metal ores", "Other mining"),
    "Food": ("Food",),
    "Textiles": ("Textiles and apparel",),
    "Leather": ("Textiles and apparel",),
    "Wood": ("Wood",),
    "Paper": ("Paper and printing",),
    "Petroleum": ("Petroleum",),
    "Chemicals": ("Chemicals", "Pharmaceuticals"),
    "Rubber and plastics": ("Rubber and plastics",),
    "Minerals": ("Minerals",),
    "Metals": ("Iron and steel", "Non-ferrous metals", "Metal products"),
    "Machinery": ("Machinery",),
    "Electrical and optical": ("Computers and electronics", "Electrical equipment"),
    "Transport equipment": ("Motor vehicles", "Ships", "Other transport equipment"),
    "Manufacturing nec": ("Manufacturing nec",),
    "Business services": ("IT services", "Professional services", "Administrative services"),
    "Finance": ("Finance",),
    "Transport services": ("Warehousing",),
    "Air transport": ("Air transport",),
    "Hotels and restaurants": ("Hotels and restaurants",),
    "Post and telecom": ("Postal services", "Telecom"),
}


def _translate(sectors: Any) -> Any:
    if isinstance(sectors, str):
        return sectors
    out: list[str] = []
    for label in sectors:
        for new in WIOD_TO_ICIO.get(label, (label,)):
            if new not in out:
                out.append(new)
    return out


@contextlib.contextmanager
def icio_sectors(source_dir: Path) -> Iterator[dict[str, Any]]:
    """Swap the builders' WIOD sector tables for ICIO's (restored on exit)."""
    from tools.tariffs import library, us_2025_2026, us_china_2018_2020

    labels = concordance_icio.icio_labels()
    codes = {code: f"k{k + 1}" for k, code in enumerate(labels)}
    label_of = {codes[code]: label for code, label in labels.items()}
    goods = tuple(codes[code] for code in concordance_icio.icio_goods())
    table = concordance_icio.load().assign(icio_code=lambda t: t["icio_code"].map(codes))
    table = concordance_icio.as_wiod_layout(table)
    shim = SimpleNamespace(
        derive=lambda _source: SimpleNamespace(table=table),
        hs2_to_wiod=us_2025_2026.concordance.hs2_to_wiod,
        nomenclature=us_2025_2026.concordance.nomenclature,
    )
    patches = {
        us_china_2018_2020: {"GOODS": goods, "sector_label": label_of.__getitem__, "concordance": shim},
        us_2025_2026: {"GOODS": goods, "sector_label": label_of.__getitem__, "concordance": shim},
        library: {"GOODS": goods, "sector_label": label_of.__getitem__,
                  "GOODS_LABELS": tuple(label_of[c] for c in goods)},
    }
    saved = {module: {name: getattr(module, name) for name in names} for module, names in patches.items()}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        try:
            for module, names in patches.items():
                for name, value in names.items():
                    setattr(module, name, value)
            table.to_csv(tmp / "concordance.csv", index=False)
            sector_table = us_china_2018_2020.derive(source_dir).table
            sector_table.to_csv(tmp / "us_china.csv", index=False)
            partner_result = us_2025_2026.derive(source_dir)
            partner_result.sector_table.to_csv(tmp / "by_sector.csv", index=False)
            library.CONCORDANCE, library.TABLE_2018_2020, library.BY_SECTOR = (
                tmp / "concordance.csv", tmp / "us_china.csv", tmp / "by_sector.csv")
            yield {"goods": goods}
        finally:
            for module, names in saved.items():
                for name, value in names.items():
                    setattr(module, name, value)
            library.CONCORDANCE = library.DATA_DIR / "concordance" / "hs6_to_wiod.csv"
            library.TABLE_2018_2020 = library.DATA_DIR / "tariffs" / "us_china_2018_2020.csv"
            library.BY_SECTOR = library.DATA_DIR / "tariffs" / "us_2025_2026_by_sector.csv"


def derive_measures(
    source_dir: Path, world
) -> tuple[list[dict], list[dict], dict[str, list[str]], pd.DataFrame, dict[str, Any]]:
    """The U.S.-China and partner measures on ``world``'s sectors (same lines, weights and curation), the
    layers' line groups on those sectors (``layer_lines.csv`` rows for this world) and the partner
    layers' line distributions (``partner_lines.bin.gz``'s part for this world)."""
    from tools.tariffs import library

    with icio_sectors(Path(source_dir)):
        inputs = library.load_inputs(Path(source_dir))
        lib = library.Library(inputs.csv)
        library.add_2018_2020(lib, inputs)
        actions = library.section_232_actions(inputs)
        library.add_section_232(lib, inputs, actions)
        library.add_section_301_review(lib, inputs)
        library.add_fentanyl(lib)
        library.add_reciprocal(lib, inputs, actions)
        library.add_china_2025(lib, inputs)
        library.add_recorded(lib)
        from tools.tariffs import partners as partner_lines

        series, rest_members = partner_lines.model_partners(world, source_dir, inputs)
        periods = partner_lines.label_periods(series, library.PARTNER_DIGITS)
        partners = partner_lines.label_measures(series, library.PARTNER_DIGITS, periods)
        spreads = partner_lines.label_spreads(series, library.PARTNER_DIGITS, periods)
        lines = library.layer_lines(lib, inputs)
    for measure in lib.measures:
        if measure["kind"] in ("export_control", "purchase_commitment") or measure["kind"] == "exclusion":
            if "sectors" in measure:
                measure["sectors"] = _translate(measure["sectors"])
    return lib.measures, partners, {"ROW": rest_members}, lines, spreads


def _table(measure: Mapping[str, Any]) -> dict[str, Any]:
    return {key: measure[key] for key in ("targets", "sectors", "rate_by_sector", "rate", "share") if key in measure}


def merge(base: Sequence[dict], other: Sequence[dict], world: str = WORLD,
          targets: Mapping[str, list[str]] | None = None) -> list[dict]:
    """``base`` measures with ``worlds.<world>`` tables from ``other`` (matched by id); measures only in
    ``other`` are appended with ``world = <world>``; those only in ``base`` get ``applies = false``.
    ``targets`` replaces a target label on that world (e.g. ROW -> the economies it stands for)."""
    by_id = {m["id"]: m for m in other}
    out = []
    for measure in base:
        measure = dict(measure)
        twin = by_id.get(measure["id"])
        if twin is None:
            measure["worlds"] = {world: {"applies": False}}
        else:
            mine, theirs = _table(measure), _table(twin)
            if targets and "targets" in theirs:
                theirs["targets"] = [c for t in theirs["targets"] for c in targets.get(t, [t])]
            if theirs.get("rate_by_sector") is None:
                theirs.pop("rate_by_sector", None)
            diff = {k: v for k, v in theirs.items() if mine.get(k) != v}
            if "sectors" in diff and "rate_by_sector" not in diff and measure.get("rate_by_sector"):
                diff["rate_by_sector"] = {}
            if diff:
                measure["worlds"] = {world: diff}
        out.append(measure)
    known = {m["id"] for m in base}
    for measure in other:
        if measure["id"] not in known:
            measure = dict(measure)
            if targets and "targets" in measure:
                measure["targets"] = [c for t in measure["targets"] for c in targets.get(t, [t])]
            measure["world"] = world
            out.append(measure)
    return out
