"""Country outlines for the report's world map, derived from Natural Earth.

Build (once; the derived file is committed):

    npm install world-atlas@2   # Natural Earth 1:110m countries as TopoJSON (ISC licence)
    python -m tradewar.report.map_data --topojson node_modules/world-atlas/countries-110m.json

The TopoJSON arcs are decoded into plain longitude/latitude rings, rounded to 0.1
degree (rings across the antimeridian are drawn east of 180 degrees; Antarctica is
left out), and keyed by ISO 3166-1 alpha-3 code where the model has the country (the
rest keep their numeric code and are drawn as the rest of the world).
"""

from __future__ import annotations

import argparse
import json
from importlib import resources
from pathlib import Path

__all__ = ["load_outlines", "build", "rekey", "ISO_NUMERIC"]

OUTPUT = Path(__file__).resolve().parents[1] / "data" / "maps" / "countries-110m.json"

# ISO 3166-1 numeric -> alpha-3 for the countries of the embedded worlds (Natural Earth ids are
# numeric): WIOD's 40 and Croatia, then the economies icio2022 adds. Hong Kong, Singapore and Sao
# Tome and Principe have no 1:110m outline (the report draws them as dots).
ISO_NUMERIC = {
    "036": "AUS", "040": "AUT", "056": "BEL", "100": "BGR", "076": "BRA", "124": "CAN", "156": "CHN",
    "196": "CYP", "203": "CZE", "276": "DEU", "208": "DNK", "724": "ESP", "233": "EST", "246": "FIN",
    "250": "FRA", "826": "GBR", "300": "GRC", "348": "HUN", "360": "IDN", "356": "IND", "372": "IRL",
    "380": "ITA", "392": "JPN", "410": "KOR", "440": "LTU", "442": "LUX", "428": "LVA", "484": "MEX",
    "470": "MLT", "528": "NLD", "616": "POL", "620": "PRT", "642": "ROU", "643": "RUS", "703": "SVK",
    "705": "SVN", "752": "SWE", "792": "TUR", "158": "TWN", "840": "USA", "191": "HRV",
    # icio2022 (OECD ICIO, 2025 release) adds these:
    "024": "AGO", "784": "ARE", "032": "ARG", "050": "BGD", "112": "BLR", "096": "BRN", "756": "CHE",
    "152": "CHL", "384": "CIV", "120": "CMR", "180": "COD", "170": "COL", "188": "CRI", "818": "EGY",
    "344": "HKG", "352": "ISL", "376": "ISR", "400": "JOR", "398": "KAZ", "116": "KHM", "418": "LAO",
    "504": "MAR", "104": "MMR", "458": "MYS", "566": "NGA", "578": "NOR", "554": "NZL", "586": "PAK",
    "604": "PER", "608": "PHL", "682": "SAU", "686": "SEN", "702": "SGP", "678": "STP", "764": "THA",
    "788": "TUN", "804": "UKR", "704": "VNM", "710": "ZAF",
}


def _decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """Quantised, delta-encoded TopoJSON arcs -> absolute (lon, lat) points."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def _ring(indices: list[int], arcs) -> list[list[float]]:
    ring: list[tuple[float, float]] = []
    for index in indices:
        points = arcs[index] if index >= 0 else arcs[~index][::-1]
        ring.extend(points[1:] if ring else points)  # arcs share their end points
    if any(abs(a[0] - b[0]) > 180 for a, b in zip(ring, ring[1:], strict=False)):
        # The ring crosses the antimeridian (eastern Russia, Fiji): draw it east of 180 degrees.
        ring = [(lon + 360 if lon < 0 else lon, lat) for lon, lat in ring]
    return [[round(lon, 1), round(lat, 1)] for lon, lat in ring]


def build(topojson: Path, output: Path = OUTPUT) -> Path:
    """Write the report's world map (country outlines, rounded to 0.1 degree) from a
    Natural Earth TopoJSON file; returns the file written."""
    topology = json.loads(Path(topojson).read_text())
    arcs = _decode_arcs(topology)
    countries = {}
    for geometry in topology["objects"]["countries"]["geometries"]:
        code = str(geometry.get("id", ""))
        kind, parts = geometry.get("type"), geometry.get("arcs", [])
        polygons = parts if kind == "MultiPolygon" else [parts] if kind == "Polygon" else []
        rings = [_ring(ring, arcs) for polygon in polygons for ring in polygon[:1]]  # outer rings only
        # Antarctica is left out: no trade data, and it would dominate the map.
        rings = [ring for ring in rings if sum(lat for _, lat in ring) / len(ring) > -60]
        if rings:
            key = ISO_NUMERIC.get(code, code or geometry["properties"].get("name", "?"))
            countries.setdefault(key, {"name": geometry["properties"].get("name", key), "rings": []})
            countries[key]["rings"].extend(rings)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps({"source": "Natural Earth 1:110m via world-atlas 2.0.2 (ISC)", "countries": countries},
                                 separators=(",", ":")))
    return output


def rekey(path: Path = OUTPUT) -> Path:
    """Key a built file's countries by ``ISO_NUMERIC`` again, without the TopoJSON: the numeric
    keys that the table now names get their alpha-3 code, in place. The result is what ``build``
    writes with the same table (same rings, same order); used when the table grows."""
    document = json.loads(Path(path).read_text())
    document["countries"] = {ISO_NUMERIC.get(code, code): country for code, country in document["countries"].items()}
    Path(path).write_text(json.dumps(document, separators=(",", ":")))
    return Path(path)


def load_outlines() -> dict:
    """``{code: {"name", "rings"}}``: ISO3 codes for the model's countries, numeric codes otherwise."""
    path = Path(str(resources.files("tradewar") / "data" / "maps" / "countries-110m.json"))
    return json.loads(path.read_text())["countries"]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Derive the report's country outlines from world-atlas TopoJSON.")
    parser.add_argument("--topojson", type=Path, help="world-atlas countries-110m.json to build from")
    parser.add_argument("--rekey", action="store_true", help="only re-key the built file by ISO_NUMERIC")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    arguments = parser.parse_args()
    if arguments.rekey:
        print(rekey(arguments.output))
    elif arguments.topojson is None:
        parser.error("give --topojson FILE (or --rekey)")
    else:
        print(build(arguments.topojson, arguments.output))
