"""Region groups as plain constants: light to import (no numpy, no xarray), so that the
policy layer's labels and the command line can use them without loading a world."""

from __future__ import annotations

__all__ = ["EU27_2020"]

# The European Union after the U.K. left (2020); Croatia is not a WIOD country.
EU27_2020 = (
    "AUT", "BEL", "BGR", "CYP", "CZE", "DEU", "DNK", "ESP", "EST", "FIN", "FRA", "GRC", "HRV", "HUN",
    "IRL", "ITA", "LTU", "LUX", "LVA", "MLT", "NLD", "POL", "PRT", "ROU", "SVK", "SVN", "SWE",
)
