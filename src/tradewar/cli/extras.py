"""Commands that need an optional extra: check it before the command runs, say what to install."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from tradewar.cli.common import fail
from tradewar.errors import MissingExtraError
from tradewar.extras import require_extra


def needs(extra: str, *, compilation_cache: bool = False) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Wrap a command so that a missing ``extra`` is a one-line error naming ``pip install "tradewar[extra]"``.

    With ``compilation_cache``, JAX's persistent compilation cache is switched on before the
    command runs (see :mod:`tradewar.strategy.compilation_cache`).
    """

    def wrap(command: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(command)  # typer reads the options from the wrapped signature
        def checked(*args: Any, **kwargs: Any) -> Any:
            try:
                require_extra(extra)
            except MissingExtraError as error:
                fail(error)
            if compilation_cache:
                from tradewar.cli.collector import frozen_imports

                with frozen_imports():  # jax, scipy.optimize, xarray: see tradewar.cli.collector
                    from tradewar.strategy.compilation_cache import enable_compilation_cache

                    enable_compilation_cache()
            return command(*args, **kwargs)

        return checked

    return wrap
