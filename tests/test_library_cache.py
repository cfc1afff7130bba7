"""The parsed measure cache (``data/measures/library_cache.json.gz``): current, equal to the TOML, and
ignored when stale. Cost: about 1 s on an idle core (parses the 1.4 MB of TOML twice)."""

from __future__ import annotations

import shutil
import tomllib

from tradewar.policy.library import CACHE_FILE, data_folder, measure_tables, write_library_cache

REBUILD = "python -m tools.tariffs.library_cache"


def _toml_tables(paths):
    return [table for path in paths for table in tomllib.loads(path.read_text(encoding="utf-8")).get("measure", [])]


def _identical(a, b) -> bool:
    """Equal values of equal types, keys in the same order (``==`` alone would take 1 for 1.0)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_identical(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_identical(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def test_shipped_cache_is_current_and_equals_the_toml(tmp_path):
    """Provenance: Python's own tomllib parse of the shipped TOML files. The shipped cache is exactly
    what ``write_library_cache`` writes for them now (else: run the rebuild command) and reads back
    as that parse, types and order included."""
    folder = data_folder("measures")
    paths = sorted(folder.glob("*.toml"))
    for path in paths:
        shutil.copy(path, tmp_path / path.name)
    rebuilt = write_library_cache(tmp_path)
    assert rebuilt.read_bytes() == (folder / CACHE_FILE).read_bytes(), (
        f"{CACHE_FILE} is stale (a measure file changed): run `{REBUILD}`"
    )
    assert _identical(measure_tables(paths), _toml_tables(paths))


def test_stale_or_damaged_cache_is_ignored(tmp_path):
    """Provenance: an identity. After a measure file changes (here one rate), the tables come from
    the TOML (the changed rate is seen) although the old cache is still there; a damaged cache
    is ignored too."""
    copies = [tmp_path / "us_china.toml"]  # the smaller file is enough (kept cheap)
    shutil.copy(data_folder("measures") / copies[0].name, copies[0])
    write_library_cache(tmp_path)
    assert _identical(measure_tables(copies), _toml_tables(copies))
    first = copies[0]
    text = first.read_text(encoding="utf-8")
    marker = "\nrate = "
    at = text.index(marker) + len(marker)
    end = text.index("\n", at)
    first.write_text(text[:at] + "0.123456789" + text[end:], encoding="utf-8")
    tables = measure_tables(copies)
    assert _identical(tables, _toml_tables(copies))
    assert any(table.get("rate") == 0.123456789 for table in tables)

    (tmp_path / CACHE_FILE).write_bytes(b"not gzip")
    assert _identical(measure_tables(copies), _toml_tables(copies))
