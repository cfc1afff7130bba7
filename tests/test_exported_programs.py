"""The lowered programs kept on disk beside JAX's compilation cache (strategy/compilation_cache.py).

Cost: about 2 s of CPU (three tiny programs traced and compiled)."""

from __future__ import annotations

import numpy as np
import pytest

jax = pytest.importorskip("jax")
pytest.importorskip("flatbuffers")

import jax.numpy as jnp  # noqa: E402
from jax import export  # noqa: E402

from tradewar.strategy.compilation_cache import ExportedJit  # noqa: E402


def _program(pair, scale, *, power):
    """A small pure function of a pytree, a float and a static argument."""
    x, y = pair
    return jnp.sum(jnp.sin(x) ** power) * y * scale, x @ y


@pytest.fixture
def cache_dir(tmp_path):
    """JAX's persistent cache switched on in a temporary directory, restored afterwards."""
    before = (jax.config.jax_compilation_cache_dir, jax.config.jax_persistent_cache_min_compile_time_secs)
    jax.config.update("jax_compilation_cache_dir", str(tmp_path))
    try:
        yield tmp_path
    finally:
        jax.config.update("jax_compilation_cache_dir", before[0])
        jax.config.update("jax_persistent_cache_min_compile_time_secs", before[1])


def _arguments(n: int):
    rng = np.random.default_rng(n)
    return (rng.normal(size=(n, n)), rng.normal(size=n)), 1.5


def test_a_kept_program_gives_jits_numbers_and_is_not_traced_again(cache_dir, monkeypatch):
    """Identity: the program read back from disk by a fresh wrapper (as in the next process)
    gives exactly what ``jax.jit`` of the function gives, without tracing the function
    (``jax.export.export`` is made to fail for the second wrapper)."""
    args = _arguments(4)
    expected = jax.jit(_program, static_argnames="power")(*args, power=3)
    first = ExportedJit(_program, (__name__,))(*args, power=3)
    kept = list((cache_dir / "exported").glob("*.jaxexport"))
    assert len(kept) == 1
    monkeypatch.setattr(export, "export", lambda *a, **k: pytest.fail("traced again"))
    again = ExportedJit(_program, (__name__,))(*args, power=3)
    for got in (first, again):
        np.testing.assert_array_equal(np.asarray(got[0]), np.asarray(expected[0]))
        np.testing.assert_array_equal(np.asarray(got[1]), np.asarray(expected[1]))


def test_shapes_statics_and_sources_key_the_kept_programs(cache_dir):
    """Each shape, static argument and set of source modules has its own program (a program for
    other shapes or other code is never reused)."""
    wrapper = ExportedJit(_program, (__name__,))
    wrapper(*_arguments(3), power=2)
    wrapper(*_arguments(5), power=2)
    wrapper(*_arguments(5), power=1)
    ExportedJit(_program, (__name__, "tradewar.strategy.compilation_cache"))(*_arguments(5), power=1)
    assert len(list((cache_dir / "exported").glob("*.jaxexport"))) == 4


def test_a_damaged_program_is_made_again(cache_dir):
    """A file that does not deserialise (cut short) is replaced, and the answer is still jit's."""
    args = _arguments(4)
    ExportedJit(_program, (__name__,))(*args, power=2)
    (path,) = (cache_dir / "exported").glob("*.jaxexport")
    path.write_bytes(path.read_bytes()[:10])
    got = ExportedJit(_program, (__name__,))(*args, power=2)
    np.testing.assert_array_equal(np.asarray(got[0]),
                                  np.asarray(jax.jit(_program, static_argnames="power")(*args, power=2)[0]))
    assert export.deserialize(bytearray(path.read_bytes())) is not None


def test_without_the_cache_nothing_is_written(cache_dir):
    """With JAX's persistent cache off (a library user's default) the wrapper is plain jit, with
    its compiler options (XLA's backend optimisation off: the same numbers here)."""
    jax.config.update("jax_compilation_cache_dir", None)
    args = _arguments(3)
    got = ExportedJit(_program, (__name__,), compiler_options={"xla_backend_optimization_level": 0})(*args, power=2)
    expected = jax.jit(_program, static_argnames="power")(*args, power=2)
    np.testing.assert_allclose(np.asarray(got[0]), np.asarray(expected[0]), rtol=1e-6)
    assert not any(cache_dir.iterdir())
