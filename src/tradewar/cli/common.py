"""What every command shares: the consoles and the way errors are reported."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.markup import escape

console = Console()
errors = Console(stderr=True)


def fail(error: Exception) -> None:
    """Print a clear one-line error and exit with status 2 (no traceback)."""
    # Escape: messages name cells as tariff[importer='USA', ...], which rich would read as markup.
    errors.print(f"[bold red]error:[/] {escape(str(error))}")
    raise typer.Exit(code=2)
