"""Plotly figures into a report page, with plotly.js inline or one shared copy beside it.

plotly.js is 4.8 MB of a report's 5 MB. By default a report loads ``plotly.min.js`` from its own
folder (written once and shared by every report there), so a report weighs a few hundred KB;
``self_contained=True`` puts plotly.js inside the file, so that it opens anywhere on its own
(to mail it, or to move it without the script). A page whose script is missing says so.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import plotly.graph_objects as go

__all__ = ["PLOTLY_JS", "figures_html"]

PLOTLY_JS = "plotly.min.js"

_MISSING_SCRIPT = (
    "<script>if (typeof Plotly === 'undefined') {document.body.insertAdjacentHTML('afterbegin', "
    "'<p style=\"background:#fee;padding:0.5em\">The charts need " + PLOTLY_JS + " in the same folder as this "
    "report (tradewar writes it there). Copy it beside the report, or make the report again with "
    "--self-contained.</p>');}</script>"
)


def figures_html(figures: list[go.Figure], path: Path, *, self_contained: bool = False) -> str:
    """The figures as HTML fragments for the report at ``path`` (plotly.js inline when
    ``self_contained``, else loaded from ``plotly.min.js`` beside ``path``, written if absent)."""
    if not figures:
        return ""
    bundle: bool | str = True if self_contained else "directory"
    parts = [figure.to_html(full_html=False, include_plotlyjs=bundle if index == 0 else False)
             for index, figure in enumerate(figures)]
    if not self_contained:
        script = Path(path).parent / PLOTLY_JS
        if not script.is_file():
            script.write_bytes((resources.files("plotly") / "package_data" / PLOTLY_JS).read_bytes())
        parts.append(_MISSING_SCRIPT)
    return "".join(parts)
