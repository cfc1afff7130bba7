"""The results cache (tradewar.disk_cache) never gives a wrong answer: a damaged, truncated or
foreign file is ignored, the result computed afresh and the file written again; a change of
measures is a different key. Provenance of every expected number: the same computation with
the cache switched off (an identity: caching must not change a bit). About 3 s (the icio2022
world's policy compiled a few times)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from tradewar import disk_cache
from tradewar.policy import timeline as timeline_module
from tradewar.policy.library import load_library
from tradewar.policy.timeline import CACHE_NAMESPACE, Timeline, _applied, _changes
from tradewar.world.library import load_world

DAY = date(2025, 6, 10)  # london-2025, the default job


@pytest.fixture(scope="module")
def world():
    return load_world("icio2022")  # shipped with the package: its baseline holds 2022's layers


@pytest.fixture(scope="module")
def reference(world):
    """The tariff and export taxes on DAY computed with the cache off."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TRADEWAR_CACHE", "off")
        library = load_library()
        return library.tariff_on(DAY, world).values, library.export_tax_on(DAY, world).values


def _fresh() -> Timeline:
    """A new timeline of the library, with no compiled policy in this process to fall back on."""
    timeline_module._COMPILED.clear()
    return load_library()


def _files(folder):
    return sorted((folder / CACHE_NAMESPACE).glob("*.npz"))


def test_kept_results_equal_computed_ones(world, reference, tmp_path, monkeypatch):
    monkeypatch.setenv("TRADEWAR_CACHE", str(tmp_path))
    first = _fresh()
    first.check_world(world)
    assert np.array_equal(first.tariff_on(DAY, world).values, reference[0])
    assert len(_files(tmp_path)) == 2  # the label check and the tariff
    second = _fresh()
    second.check_world(world)
    kept = second.tariff_on(DAY, world)
    assert not timeline_module._COMPILED  # answered from the files: nothing compiled
    assert np.array_equal(kept.values, reference[0])
    assert kept.attrs["measures"] == first.tariff_on(DAY, world).attrs["measures"]
    assert np.array_equal(second.export_tax_on(DAY, world).values, reference[1])


@pytest.mark.parametrize("damage", ["truncated", "garbage", "flipped byte", "flipped value", "empty", "other key"])
def test_a_damaged_file_is_ignored_and_rewritten(world, reference, tmp_path, monkeypatch, damage):
    monkeypatch.setenv("TRADEWAR_CACHE", str(tmp_path))
    load_library().tariff_on(DAY, world)  # a new timeline; the process's compiled policy is reused
    (path,) = _files(tmp_path)
    data = path.read_bytes()
    if damage == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "garbage":
        path.write_bytes(b"not a zip file at all" * 100)
    elif damage in ("flipped byte", "flipped value"):  # inside the kept values: zipfile's CRC-32 catches it
        member = data.find(b"values.npy")
        at = member + 200 if damage == "flipped byte" else len(data) // 2  # in the header / in the data
        path.write_bytes(data[:at] + bytes([data[at] ^ 0xFF]) + data[at + 1:])
    elif damage == "empty":
        path.write_bytes(b"")
    else:  # a whole, readable file written for another key (a copy, a hash collision)
        disk_cache.store(CACHE_NAMESPACE, "0" * 64, _changes(np.zeros_like(reference[0]), world.tariff.values))
        path.write_bytes((tmp_path / CACHE_NAMESPACE / f"{'0' * 64}.npz").read_bytes())
    assert disk_cache.load(CACHE_NAMESPACE, path.stem) is None
    again = load_library().tariff_on(DAY, world)
    assert np.array_equal(again.values, reference[0])
    rewritten = _applied(disk_cache.load(CACHE_NAMESPACE, path.stem), world.tariff.values)
    assert rewritten is not None and np.array_equal(rewritten, reference[0])


def test_other_measures_are_another_key(world, tmp_path, monkeypatch):
    monkeypatch.setenv("TRADEWAR_CACHE", str(tmp_path))
    library = _fresh()
    library.tariff_on(DAY, world)
    layer = next(m for m in library.measures if m.kind == "tariff" and m.start <= DAY and (m.end or date.max) > DAY)
    raised = layer.model_copy(update={"rate": layer.rate + 0.1})
    changed = Timeline([raised if m is layer else m for m in library.measures])
    assert changed.fingerprint != library.fingerprint
    assert Timeline(list(library.measures)).fingerprint == library.fingerprint  # equal measures, equal name
    with monkeypatch.context() as patch:
        patch.setenv("TRADEWAR_CACHE", "off")
        expected = changed.tariff_on(DAY, world).values
    assert np.array_equal(Timeline(changed.measures).tariff_on(DAY, world).values, expected)
    assert not np.array_equal(expected, library.tariff_on(DAY, world).values)


def test_an_unwritable_cache_leaves_results_alone(world, reference, tmp_path, monkeypatch):
    blocker = tmp_path / "a file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("TRADEWAR_CACHE", str(blocker))
    assert np.array_equal(_fresh().tariff_on(DAY, world).values, reference[0])


def test_store_load_and_prune(tmp_path, monkeypatch):
    monkeypatch.setenv("TRADEWAR_CACHE", str(tmp_path))
    monkeypatch.setattr(disk_cache, "MAX_FILES", 3)
    assert disk_cache.load("unit", disk_cache.key("absent")) is None
    names = [disk_cache.key("unit", k) for k in range(5)]
    for k, name in enumerate(names):
        disk_cache.store("unit", name, {"x": np.arange(k + 1.0)})
    kept = {path.stem for path in (tmp_path / "unit").glob("*.npz")}
    assert len(kept) == 3 and not list((tmp_path / "unit").glob(".writing-*"))
    for k, name in enumerate(names):
        loaded = disk_cache.load("unit", name)
        assert (loaded is None) == (name not in kept)
        if loaded is not None:
            assert np.array_equal(loaded["x"], np.arange(k + 1.0))
    monkeypatch.setenv("TRADEWAR_CACHE", "off")
    assert disk_cache.cache_dir() is None
    disk_cache.store("unit", names[0], {"x": np.zeros(1)})  # switched off: nothing written, no error
    assert disk_cache.load("unit", names[0]) is None
