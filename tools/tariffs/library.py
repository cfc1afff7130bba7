"""The built-in library of real measures: the U.S.-China trade war 2018-2026, and U.S. tariffs on
other partners in 2025-2026, written as TOML files that :func:`tradewar.policy.library.load_library`
reads.

Inputs:

- reference data (``--source``, ``../shared/data``): ``timeline/measures.csv`` (82 dated measures,
  M001-M082, with rates as text, notes and sources), the HS product lists of the 2025-2026 U.S.
  actions (``tariffs/us_2025_2026/tariff-lists/``), 2024 U.S. imports from China by HS2
  (``tariffs/us_2025_2026/data-hs2/``), and the HS6 tariff lines of 2018-2020
  (``tariffs/us_china_2018_2020/``);
- tables already derived into the package: ``data/tariffs/us_china_2018_2020.csv`` (sector tariffs
  each way at the dates of the 2018-2020 changes), ``us_2025_2026_by_partner.csv`` and
  ``us_2025_2026_by_sector.csv`` (the U.S. increases of 2025-2026 by partner), the HS6 -> WIOD
  concordance, and the embedded world (its goods trade weights the partner profiles).

Outputs (``--output``, the package's ``data/measures``): ``us_china.toml`` and
``us_partners_2025.toml``, one ``[[measure]]`` table per measure, each with a provenance note
(``.md``) saying, for every CSV id, what was done with it.

The curation (which CSV row becomes which layer, with which HS lines and shares) is the data
structures below, with comments; the TOML is never edited by hand.
Run ``python -m tools.tariffs.library --source ../shared/data``.
"""

from __future__ import annotations

import copy
import gzip
import json
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tools.tariffs import us_china_2018_2020 as table_source
from tools.tariffs import weights
from tools.tariffs._common import (
    DATA_DIR,
    GOODS,
    main,
    read_csv,
    require,
    sector_label,
    write_csv,
    write_text,
)

__all__ = [
    "BY_PARTNER",
    "LISTS",
    "MEASURES_CSV",
    "OUTPUT_DIR",
    "SKIPPED",
    "TABLE_2018_2020",
    "US_CHINA",
    "US_PARTNERS",
    "build",
    "derive",
    "toml_text",
]

OUTPUT_DIR = DATA_DIR / "measures"
US_CHINA = "us_china.toml"
US_PARTNERS = "us_partners_2025.toml"
MEASURES_CSV = Path("timeline") / "measures.csv"
LISTS = Path("tariffs") / "us_2025_2026" / "tariff-lists"
TABLE_2018_2020 = DATA_DIR / "tariffs" / "us_china_2018_2020.csv"
BY_PARTNER = DATA_DIR / "tariffs" / "us_2025_2026_by_partner.csv"
BY_SECTOR = DATA_DIR / "tariffs" / "us_2025_2026_by_sector.csv"
CONCORDANCE = DATA_DIR / "concordance" / "hs6_to_wiod.csv"

GOODS_LABELS = tuple(sector_label(code) for code in GOODS)
DIGITS = 10  # decimals kept for rates and shares in the TOML (layers add up to the table to ~1e-10)
PARTNER_DIGITS = 7  # partner layers: averages match the series to ~1e-7 (0.00001 points)

TRACKER_2018 = (
    "mwaugh0328/tradewar-tracker (MIT): us_tariffs_2020.csv, new_tariff_list_2020.csv, built on USITC/USTR "
    "schedules and Bown, Jung & Zhang, PIIE 'US-China Trade War Tariffs: An Up-to-Date Chart'; derived table "
    "tradewar/data/tariffs/us_china_2018_2020.csv"
)
PARTNER_BASIS = "U.S. tariff actions of 2025-2026 (IEEPA, Section 232, Section 122): increase over 2024"
PARTNER_SOURCE = ("the measures of us_partners_2025.md on HS6 lines weighted by U.S. Census 2024 imports by HS10 "
                  "(tradewartracker/trade-war-redux-2025, Budget-Lab-Yale/tariff-rate-tracker lists, MIT)")
TRACKER_2025 = (
    "tradewartracker/trade-war-redux-2025 (MIT): country-by-time.csv and data-hs2 files, built on U.S. Census "
    "2024 imports; derived tables tradewar/data/tariffs/us_2025_2026_by_partner.csv and us_2025_2026_by_sector.csv"
)

# ====================================================================== curation: 2018-2020
# The sector table (us_china_2018_2020.csv) holds each direction's average tariff at the dates of its
# changes. Each change becomes one layer: the sector increase at the date minus the increase just
# before, so that the layers add up to the table at every date. Table date -> (id, start, end,
# headline rate, what). The start is the measure's legal effective date from measures.csv where it
# differs from the tracker's date (List 3's rise to 25% applied to goods exported from 2019-05-10;
# the tracker dates it 2019-06-01, when the in-transit grace period ended).
US_STEPS: dict[str, tuple[str, str, str | None, float, str]] = {
    "2018-07-06": ("M003", "2018-07-06", None, 0.25, "Section 301 List 1 (818 lines, 25%)"),
    "2018-08-23": ("M005", "2018-08-23", None, 0.25, "Section 301 List 2 (279 lines, 25%)"),
    "2018-09-24": ("M007", "2018-09-24", None, 0.10, "Section 301 List 3 (5,745 lines) at 10%"),
    "2019-06-01": ("M011", "2019-05-10", None, 0.15, "Section 301 List 3 raised from 10% to 25% (+15 points)"),
    # List 4A at 15% until Phase One (M014 ends 2020-02-14 in measures.csv) ...
    "2019-09-01": ("M014", "2019-09-01", "2020-02-14", 0.15, "Section 301 List 4A at 15%"),
}
# ... then List 4A at 7.5% from 2020-02-14: the table's increase on 2020-02-14 minus the one
# before List 4A (2019-06-01), a layer of its own (measures.csv: M020 "7.5 (from 15)").
US_PHASE_ONE = ("M020", "2020-02-14", "2019-06-01", 0.075, "Section 301 List 4A cut from 15% to 7.5% (Phase One)")

CN_STEPS: dict[str, tuple[str, str, str | None, float, str]] = {
    "2018-04-02": ("M002", "2018-04-02", None, 0.25, "retaliation against the U.S. Section 232 tariffs (128 lines, 15%/25%)"),
    "2018-07-06": ("M004", "2018-07-06", None, 0.25, "retaliation against Section 301 List 1 (545 lines, 25%)"),
    "2018-08-23": ("M006", "2018-08-23", None, 0.25, "retaliation against Section 301 List 2 (25%)"),
    "2018-09-24": ("M008", "2018-09-24", None, 0.10, "retaliation against Section 301 List 3 (about 5,200 lines, 5-10%)"),
    "2019-06-01": ("M012", "2019-06-01", None, 0.25, "increase of the September 2018 retaliation list (to 5-25%)"),
    # Batch 1 of the September 2019 list, halved on 2020-02-14 (M017 ends then; M021 follows).
    "2019-09-01": ("M017", "2019-09-01", "2020-02-14", 0.10, "retaliation against List 4A, batch 1 (5-10%)"),
}  # fmt: skip
# China's MFN changes (not U.S.-China measures, and not in measures.csv) are in the tracker's lines and
# so in the table: they become layers on every exporter ("*"), as they applied to all (a cut for the
# U.S. only would give U.S. goods a preference they never had). Table date -> start.
CN_MFN_STEPS = {
    "2018-05-01": "2018-05-01",  # zero MFN tariff on 28 medicines (7 HS6 lines, -2 points)
    "2018-07-01": "2018-07-01",  # MFN cuts on 1,449 consumer goods lines and on cars
    "2018-11-01": "2018-11-01",  # MFN cuts on 1,585 lines (machinery, textiles, minerals)
    "2019-01-02": "2019-01-01",  # provisional MFN rates of 2019 (the rest of the change, see M010)
}
# On 2019-01-02 the table also holds China's suspension of its extra tariffs on U.S. cars (25 points)
# and parts (5 points) from 2019-01-01 (M010). It is told apart from the MFN changes line by line:
# the chapter-87 lines whose tariff fell by exactly 25 or 5 points that day. measures.csv ends M010 on
# 2019-12-15 (a restoration then scheduled), but the restoration was itself suspended (M018) and the
# table's last date (2019-12-26) keeps the cut: the layer has no end.
M010_CHAPTER, M010_CUTS = "87", (-0.25, -0.05)
# On 2019-12-26 the only change is 3 HS6 lines of chapter 39 falling by 30 points: China's second
# list of exclusions from its countermeasure tariffs (M022). Encoded as exclusions of the retaliation
# layers in that sector, with the share that removes exactly the table's change.
M022_DATE = "2019-12-26"
M022_LAYERS = ("M004", "M006", "M008", "M012", "M017", "M021")
# Phase One: China halves batch 1 of the September 2019 list (measures.csv: "2.5-5 (from 5-10)").
M021_FACTOR = 0.5

# ====================================================================== curation: product sets
# HS codes are prefixes: a 2- or 4-digit code stands for every HS6 line under it; an 8- or 10-digit
# code marks its HS6 line as covered (an upper bound where a list names only some of the line's
# subdivisions). Lines are those of the tracker's 2018-2020 files (HS 2017); codes of later HS
# editions that do not exist there are counted in the notes and dropped.
STEEL_2018 = tuple(str(h) for h in range(7206, 7230)) + ("7301", "7302", "7304", "7305", "7306")
ALUMINIUM_2018 = ("7601", "7604", "7605", "7606", "7607", "7608", "7609")
STEEL_ALUMINIUM_CHAPTERS = ("72", "73", "76")  # 2025 steel and aluminium articles at full value (see M041)
VEHICLE_HEADINGS = ("8703", "8704")  # Section 232 autos (M042): passenger vehicles and light trucks
# Section 232 on semiconductors (M075): the proclamation's HTS subheadings; the tariff hits a narrow
# category of advanced chips within them, so the share is an upper bound (stated in the note).
SEMICONDUCTOR_232 = ("847150", "847180", "847330")
# Section 232 "other sectors" (M082): rates are not in measures.csv ("from background knowledge");
# these are the proclamations' rates as we know them (Proclamations of 2025-09-29 and 2025-10-17).
M082_LUMBER = {"440711": 0.10, "440712": 0.10, "440719": 0.10, "940161": 0.25, "940340": 0.25}
M082_TRUCKS = {"870120": 0.25, "870422": 0.25, "870423": 0.25, "870432": 0.25, "8702": 0.10}
# Measures not in measures.csv (issue 12 item 4), each checked against a primary source.
YALE = Path("tariffs") / "weights" / "yale_tariff_rate_tracker"
DERIVATIVES = YALE / "s232_derivative_products.csv"  # BIS inclusions: hts_prefix, derivative_type, effective_date
METAL_CONTENT = YALE / "metal_content_shares_bea_hs10.csv"  # steel/aluminium share of each HS10's value (BEA I-O)
MHD_PARTS = YALE / "s232_mhd_parts.txt"  # medium/heavy-duty truck parts (HTS8/10 prefixes)
DERIVATIVES_DATE = "2025-08-18"
DERIVATIVES_SOURCE = (
    "BIS, 'Adoption and Procedures of the Section 232 Steel and Aluminum Tariff Inclusions Process', 90 FR 40326 "
    "(2025-08-19, FR Doc. 2025-15819): 407 HTSUS codes added as derivatives, 232 duty on the steel and aluminium "
    "content, effective 2025-08-18; rate 50% since Proclamation 10947 (2025-06-03). Lists and metal shares: "
    "Budget-Lab-Yale/tariff-rate-tracker resources (MIT)"
)
EXTRA_PREFIXES = ("US-232-", "US-301-", "AGRI-")  # ids of measures not in measures.csv
FARM_EXEMPT_DATE = "2025-11-13"
# Chapters of the farm goods the order added to Annex II (its fact sheet and CBP CSMS 66814923).
FARM_EXEMPT_CHAPTERS = ("02", "07", "08", "09", "10", "11", "12", "15", "16", "18", "19", "20", "21", "22", "31")
FARM_EXEMPT_FIELDS = {
    "basis": "Executive order of 2025-11-14 'Modifying the Scope of the Reciprocal Tariff with Respect to Certain "
    "Agricultural Products' (IEEPA; amends Annex II of EO 14257)",
    "source": "White House, EO and fact sheet of 2025-11-14 (effective 2025-11-13 12:01 a.m. EST); CBP CSMS 66814923. "
    "Lines: the tracker's IEEPA exemption list (Budget-Lab-Yale/tariff-rate-tracker ieepa_exempt_products.csv) less "
    "the April 2025 Annex II, in the order's chapters",
    "uncertain": "the line list is derived: the tracker's current exemption list less the April Annex II, kept to the "
    "order's chapters, so it may include lines exempted on 2025-09-05 (EO 14346) in those chapters and misses the "
    "order's 11 partial exemptions (9903.02.78)",
}
MHD_PARTS_SOURCE = (
    "Proclamation of 2025-10-17 'Adjusting Imports of Medium- and Heavy-Duty Trucks, Medium- and Heavy-Duty Truck "
    "Parts, and Buses into the United States' (Section 232): parts at 25% from 2025-11-01. Parts list: "
    "Budget-Lab-Yale/tariff-rate-tracker resources s232_mhd_parts.txt (MIT)"
)

# Section 232 metals restructuring (issue 12 item 4): from 2026-04-06 the steel, aluminium and copper
# tariffs are set by annex of the proclamation of 2026-04-02 on the FULL value of the article: Annex I-A
# (primary articles) 50%, Annex I-B (downstream derivatives) 25%, Annex III a combined 15% (the 232 duty
# tops the MFN rate up to 15%) until its sunset in December 2027, then the I-B rate; Annex II leaves the
# metal tariffs. It replaces the 50% on chapters 72/73/76 (M058) and the metal-content duty on the
# derivatives (US-232-DERIV-2025-08-18). Lines of the other Section 232 programmes (vehicles, auto and
# truck parts, trucks, lumber, chips, copper M061) keep their own rate, as the proclamation scopes
# itself to the metal tariffs. The annex lists are the transcription beside the proclamation's text in
# tradewartracker's tariff-lists (one file per annex). A code they do not list: chapters 72, 73, 74, 76
# -> Annex I-A; any other code is not covered, even a derivative of the 2025 inclusions: the rates of
# clauses (2), (3) and (5) are set for listed articles only, and clause (9) frees articles outside those
# chapters without sufficient metal content (Annex IV). The Yale tracker's transcription
# (s232_annex_products.csv) also lists bare headings 8471 (computers), 8430, 8709 and subheadings
# 8430.41, 8430.49, 8516.50 in Annex I-B; the annex transcription does not, the 2025 derivative lists never
# held them and the Section 122 exemptions of 2026-02-20 list 8471, so they are left out and the build
# reports their trade (YALE_ONLY_NOTE).
METALS_ANNEX_FILES = {  # annex -> the annex's file in tariff-lists/ (column HTSUS: HTS 8/10 codes or prefixes)
    "1a": "metals-annex-IA.csv",
    "1b": "metals-annex-IB.csv",
    "2": "metals-annex-II-removed.csv",
    "3": "metals-annex-III-temporary.csv",
}
METALS_ANNEXES_YALE = YALE / "s232_annex_products.csv"  # the second transcription, compared, not used
RESTRUCTURE_DATE = "2026-04-06"
ANNEX_III_SUNSET = "2027-12-31"  # "December 2027": the day is not given in the sources we have
ANNEX_RATES = {"1a": 0.50, "1b": 0.25, "2": 0.0}  # Annex III: max(0, 15% - MFN), see metals_annex_lines
ANNEX_III_COMBINED = 0.15
PRIMARY_METAL_CHAPTERS = ("72", "73", "74", "76")
# Unwrought copper (mattes, cement copper, anodes, cathodes) was outside the 2025 copper tariff and is not an
# article of the annexes: no default for it (a default I-A put 50% on Chile's cathodes).
UNWROUGHT_COPPER = ("7401", "7402", "7403")
RESTRUCTURE_SOURCE = (
    "Proclamation of 2026-04-02 restructuring the Section 232 tariffs on aluminium, steel and copper (effective "
    "for goods entered on or after 2026-04-06): Annex I-A 50%, Annex I-B 25%, Annex III 15% combined (sunset "
    "December 2027), Annex II removed, all on the full entered value (Ashurst Perkins Coie, 'Restructured and "
    "Additional Section 232 Tariffs on Aluminum, Steel, and Copper'; tradefacts.io on the five-annex structure). "
    "Annex lists: tradewartracker/trade-war-redux-2025 tariff-lists metals-annex-IA/IB/II-removed/III-temporary "
    "(MIT), transcribed from the proclamation's annexes"
)
RESTRUCTURE_UNCERTAIN = (
    "the annex lists are a tracker's transcription; a second one (Budget-Lab-Yale s232_annex_products.csv) adds "
    "bare heading 8471 (computers: 35.4 bn USD of 2024 imports from China), 8430, 8709, 8430.41/.49 and 8516.50 "
    "to Annex I-B, left out here (not in the annex transcription, never in the 2025 derivative lists, exempt "
    "from Section 122 in February 2026, and computers hold 1-2% steel+aluminium+copper by value, far under "
    "the content that clause (9) and Annex IV require outside chapters 72-76); that content test (Annex IV; "
    "15% of value by tradefacts.io, by weight in other summaries) and the 10% rate on U.S.-metal content are "
    "not modelled for listed lines (no declared content); derivatives of the 2025 inclusions that no annex "
    "lists (8.3 bn, 5.7 bn of it medicaments of HTS 3004.90.92) are not covered; Annex III's combined rate "
    "uses the 2018 MFN rate of the HS6 line; the sunset day is taken as 2027-12-31"
)

# Lists of 2025 use HS 2022 codes; these did not exist in HS 2017 (the tracker's lines) and map to the
# HS 2017 code their goods came from (WCO correlation tables, by heading). Prefix -> HS 2017 prefix.
HS_2022_TO_2017 = {
    "851713": "851712", "851714": "851712",  # smartphones, other wireless phones
    "8524": "901380",  # flat panel display modules (HS 2017: liquid crystal devices, 9013.80)
    "854141": "854140", "854142": "854140", "854143": "854140", "854149": "854140",  # LEDs, PV cells
    "854151": "854150", "854159": "854150",  # other semiconductor devices
    "870441": "870421", "870451": "870431", "870460": "870490",  # hybrid / electric goods vehicles
    "870822": "870829",  # windscreens and body parts
    "842132": "842139",  # exhaust-gas filters
    "74192": "741991", "74198": "741999",  # other copper articles
    "850171": "850131", "850172": "850131", "850180": "850161",  # photovoltaic generators
    "300241": "300220", "300242": "300230", "300249": "300290", "30025": "300290",  # vaccines, cell cultures
    "8612": "8512", "8827": "8527",  # typos in the auto-parts list (8512.20: vehicle lighting; 8527.21: car radios)
}  # fmt: skip


# Section 301 four-year review (M030-M032): product group -> (HS codes, share of each HS6 line's trade
# that the group covers, end-state Section 301 rate). A line's increase is the share times the new rate
# minus the Section 301 rate it already bore (its tariff on 2020-02-14 minus on 2018-01-01, from the
# tracker's lines; never negative: 301 rates were only raised). Groups that come back in a later
# tranche (gloves, facemasks) start from their previous end-state rate.
REVIEW_TRANCHES: dict[str, tuple[str, dict[str, tuple[tuple[str, ...], float, float]]]] = {
    "M030": ("2024-09-27", {
        "electric vehicles": (("870380",), 1.0, 1.00),
        "solar cells": (("854140",), 1.0, 0.50),  # HS 2017 line also holds LEDs: upper bound
        "syringes and needles": (("901831", "901832"), 1.0, 1.00),
        "steel and aluminium products": (STEEL_2018 + ALUMINIUM_2018, 1.0, 0.25),
        # Li-ion batteries: one HS 2017 line for EV and non-EV batteries; assumed 25% EV, 75% non-EV.
        "EV lithium-ion batteries": (("850760",), 0.25, 0.25),
        "battery parts": (("850790",), 1.0, 0.25),
        # Critical minerals, by name (the USTR annex's 8-digit lines are not in the reference data).
        "critical minerals": (("260200", "260500", "261000", "261100", "261590", "280530", "284610",
                               "284690", "810520", "811100"), 1.0, 0.25),
        "ship-to-shore cranes": (("842619",), 1.0, 0.25),
        # Facemasks are a part of the basket line 6307.90: assumed half of it.
        "facemasks": (("630790",), 0.5, 0.25),
    }),
    "M031": ("2025-01-01", {
        "semiconductors": (("8541", "8542"), 1.0, 0.50),
        # Medical gloves: HS 2017 4015.11 (surgical) and part of 4015.19 (assumed half).
        "medical gloves": (("401511",), 1.0, 0.50),
        "medical gloves (other)": (("401519",), 0.5, 0.50),
        "polysilicon and wafers": (("280461", "381800"), 1.0, 0.50),
        "tungsten products": (("810194", "810199"), 1.0, 0.25),
    }),
    "M032": ("2026-01-01", {
        "non-EV lithium-ion batteries": (("850760",), 0.75, 0.25),
        "natural graphite": (("250410", "250490"), 1.0, 0.25),
        "permanent magnets": (("850511",), 1.0, 0.25),
        "medical gloves": (("401511",), 1.0, 1.00),
        "medical gloves (other)": (("401519",), 0.5, 1.00),
        "facemasks": (("630790",), 0.5, 0.50),
    }),
}  # fmt: skip

# China's tariffs of February 2025 (M037, Customs Tariff Commission Announcement No. 1 of 2025), by
# the product names of measures.csv (the annex's 8-digit lines are not in the reference data).
M037_LINES = {
    **{code: 0.15 for code in ("2701", "271111")},  # coal; liquefied natural gas
    **{code: 0.10 for code in ("2709",)},  # crude oil
    **{code: 0.10 for code in ("8432", "8433", "8436")},  # agricultural machinery
    **{code: 0.10 for code in ("870324", "870333")},  # cars with engines above 3,000 cc / 2,500 cc (diesel)
    **{code: 0.10 for code in ("870421", "870431")},  # light goods vehicles (pickup trucks)
}

# ====================================================================== curation: 2025-2026 U.S.-China
# Reciprocal tariff on China, as layers that add up to the cumulative rates of measures.csv:
# 10% baseline from 2025-04-05, the 34% country rate from 2025-04-09 (the layer later paused at 10%),
# +50 points from 2025-04-09 (84%), +41 from 2025-04-10 (125%). The layers exclude, by sector, the
# goods the reciprocal tariff never applied to: Annex II (energy, pharmaceuticals, certain minerals,
# lumber, copper...) and the goods under Section 232 at the time (steel and aluminium articles,
# vehicles); later carve-outs are exclusions (M051 electronics; then each new Section 232 action).
RECIPROCAL = (
    ("M044a", "M044", "2025-04-05", "2025-04-09", 0.10, "the 10% baseline"),
    ("M044", "M044", "2025-04-09", None, 0.34, "the 34% country rate (held at 10% from 2025-05-14 and terminated 2026-02-24)"),
    ("M048", "M048", "2025-04-09", "2025-05-14", 0.50, "+50 points (84% in all)"),
    ("M050", "M050", "2025-04-10", "2025-05-14", 0.41, "+41 points (125% in all)"),
)  # fmt: skip
RECIPROCAL_IDS = tuple(item[0] for item in RECIPROCAL)

# Section 122 surcharge (M077). measures.csv flags a conflict (10% vs the 15% announced on 2026-02-21).
# Resolved to 10%: the proclamation of 2026-02-20 and CBP's implementing message (CSMS #67844987, HTSUS
# 9903.03.01) set 10% for entries from 2026-02-24 to 2026-07-24; no proclamation or CSMS raising it to 15%
# is in any source we found (trade notices of 2026-02-24 say no official announcement confirmed 15%), so
# 10% is what was collected. Its legal standing (CIT ruling of 2026-05-07, stayed) does not change the rate.
S122_START, S122_END, S122_RATE = "2026-02-24", "2026-07-24", 0.10
S122_RATE_NOTE = (
    "Rate 10%: measures.csv's conflict (15% announced 2026-02-21) is resolved by the proclamation of 2026-02-20 "
    "and CBP CSMS #67844987 (HTSUS 9903.03.01, 10%); no instrument raising it to 15% was found."
)
S122_UNCERTAIN = None  # the rate is settled; the CSV's CONFLICT tag is overridden

# Section 301 forced-labour action (issue 12 item 4): USTR's determinations of 2026-06-02 in 60
# investigations proposed 10% on economies with some forced-labour import prohibition and 12.5% on the
# others; the duty follows the Section 122 surcharge from 2026-07-24. China has no such prohibition, so
# 12.5% (flagged: the final notice's rate for China is not in our sources). Its product exceptions are not
# in the sources either: the Section 122 base (its exemption lists, Section 232 goods) stands in for them.
FORCED_LABOUR_START, FORCED_LABOUR_RATE = "2026-07-24", 0.125
FORCED_LABOUR_SOURCE = (
    "USTR, determinations and proposed action in the Section 301 investigations of the failure to impose and "
    "enforce prohibitions on imports made with forced labour (press release of 2026-06-02; comments due 2026-07-06, "
    "hearings from 2026-07-07), summarised by Greenwich Mercantile, 'Section 301 Forced Labor Tariffs' (2026-06-27); "
    "investigations opened 2026-03-12 (EY Tax News 2026-0633)"
)
FORCED_LABOUR_UNCERTAIN = (
    "the final action's rate for China (10% or 12.5% proposed; 12.5% taken) and its product exceptions (the "
    "Section 122 exemptions and Section 232 goods assumed) are not in our sources; the start (2026-07-24, when the "
    "Section 122 surcharge lapsed) is the tracker's step date"
)
# Ship-to-shore cranes: USTR's modification of the Section 301 ships action (2025-10-10) adds 100% on
# STS cranes from China from 2025-11-09 (on top of the 25% of the four-year review, M030); USTR
# suspended it for one year from 2025-11-10 (Busan). HS 2017 line 8426.19 (other overhead/gantry cranes)
# is larger than STS cranes: an upper bound.
CRANES_LINES = ("842619",)
CRANES_START, CRANES_PAUSE_END = "2025-11-09", "2026-11-10"
CRANES_SOURCE = (
    "USTR, 'USTR Modifies Certain Aspects of Section 301 Ships Action and Proposes Further Modifications' (press "
    "release, 2025-10-10): 100% on certain ship-to-shore cranes and cargo-handling equipment from 2025-11-09; "
    "suspended for one year from 2025-11-10 (USTR notice of 2025-11-06; White House fact sheet on the Busan deal)"
)
CRANES_UNCERTAIN = (
    "the tariff applied for one day before the pause; the HS 2017 line 8426.19 holds other cranes too (upper "
    "bound); whether it returns when the pause lapses on 2026-11-10 is not known"
)
# Measures considered and not encoded as rates, with why and the 2024 trade they touch (issue 12 item 4).
NOT_ENCODED = {
    "US-DEMINIMIS-2025-08-29": (
        "2025-08-29", "global suspension of duty-free de minimis treatment (shipments <= $800), all countries "
        "(EO 14324 of 2025-07-30, 90 FR 37775; CBP notice of implementation, 90 FR 42418, 2025-09-02); continued "
        "after the IEEPA ruling by the executive order of 2026-02-20 'Continuing the Suspension of Duty-Free De "
        "Minimis Treatment for All Countries' (CBP CSMS of 2026-02-23)",
        "it extends the duties in force to low-value shipments instead of changing a rate; those shipments are "
        "not in the Census line data the weights come from, so no rate on the model's trade follows (as M045 for "
        "China in May 2025)", None),
    "US-TRANSSHIP-40": (
        "2025-08-07", "40% penalty tariff, in place of the reciprocal rate, on goods CBP finds transshipped to "
        "evade it (EO 14326 of 2025-07-31, 90 FR 37963, effective 2025-08-07); the deal announced with Vietnam on "
        "2025-07-02 (20%, 40% on transshipment; an announcement, not a published text) carries it; IEEPA-based, so "
        "it ended with the reciprocal tariffs on 2026-02-24 (M076)",
        "applies to shipments CBP determines to be transshipped, not to a product list: no line or share of trade "
        "can be assigned (other deals' transshipment clauses were not checked)", None),
    "US-232-PHARMA-2026": (
        "2026-07-31", "Section 232 on patented pharmaceuticals and their ingredients (proclamation of 2026-04-02): "
        "100% baseline, lower for firms with onshoring or pricing agreements and for partners with pharmaceutical "
        "agreements; generics and biosimilars excluded; collection from 2026-07-31 (Annex III firms) and "
        "2026-09-29 (others) (PwC, 'US imposes new Sec. 232 tariffs on pharma and metals'; Refund Arrow "
        "checklist of 2026-05-08)",
        "the tariff depends on patent status and the importing firm, which HS codes do not tell; China ships "
        "mostly generics and ingredients; the dates are uncertain", "30"),
}

# Month-only dates of measures.csv ("2025-07") are taken as the 15th of the month.
MID_MONTH = 15


@dataclass(frozen=True)
class ExportControlSpec:
    """How a CSV row of export controls is recorded (no tax equivalent: recorded only)."""

    imposer: str
    targets: str | tuple[str, ...]
    sectors: str | tuple[str, ...]
    start: str | None = None  # None: the CSV's effective date
    end: str | None = "csv"  # "csv": the CSV's end date; None: no end
    what: str = ""


# Export controls and licence requirements: recorded (the timeline lists them) but not quantified.
# Sectors: where the controlled items are (entity listings: "goods"). Controls China applies to all
# destinations target "*" and have no end: the relief for U.S. end users of November 2025 (M072,
# general licences) cannot be expressed for one destination (see the note).
EXPORT_CONTROLS: dict[str, ExportControlSpec] = {
    "M013": ExportControlSpec("USA", "CHN", "goods", what="Entity List: Huawei and 68 affiliates"),
    "M024": ExportControlSpec("USA", "CHN", ("Electrical and optical",), what="foreign direct product rule for Huawei (chips made with U.S. technology)"),
    "M025": ExportControlSpec("USA", "CHN", ("Electrical and optical", "Machinery"), what="advanced computing chips and semiconductor manufacturing equipment (October 2022 rules)"),
    "M027": ExportControlSpec("USA", "CHN", ("Electrical and optical", "Machinery"), what="update of the October 2022 chip and equipment rules"),
    "M033": ExportControlSpec("USA", "CHN", ("Electrical and optical", "Machinery"), what="equipment, high-bandwidth memory and software-key rules, 140 Entity List additions"),
    "M035": ExportControlSpec("USA", "*", ("Electrical and optical",), what="AI diffusion framework (worldwide licensing of advanced AI chips; rescinded)"),
    "M053": ExportControlSpec("USA", "CHN", ("Electrical and optical",), what="licence requirement for Nvidia H20 / AMD MI308 chips (lifted in July 2025)"),
    "M056": ExportControlSpec("USA", "CHN", ("Business services",), what="licence requirement for electronic design automation software"),
    "M062": ExportControlSpec("USA", "CHN", "goods", end=None, what="affiliates (50%) rule: Entity List controls extended to majority-owned affiliates (paused by M081a)"),
    "M074": ExportControlSpec("USA", "CHN", ("Electrical and optical",), what="licence review for H200 / MI325X-class chips eased from presumption of denial to case by case"),
    "M026": ExportControlSpec("CHN", "*", ("Metals",), end=None, what="licence requirement for gallium and germanium items, all destinations"),
    "M028": ExportControlSpec("CHN", "*", ("Mining", "Minerals"), what="licence requirement for graphite items, all destinations"),
    "M029": ExportControlSpec("CHN", "*", ("Mining", "Metals"), what="licence requirement for antimony items, all destinations"),
    "M034a": ExportControlSpec("CHN", "USA", "goods", end=None, what="ban on dual-use items to U.S. military end users (clause 1 of Announcement No. 46 of 2024)"),
    "M034b": ExportControlSpec("CHN", "USA", ("Metals", "Minerals"), end=None, what="ban in principle on gallium, germanium, antimony and superhard materials to the U.S. (clause 2; paused by M071)"),
    "M038": ExportControlSpec("CHN", "*", ("Metals", "Chemicals"), what="licence requirement for tungsten, tellurium, bismuth, molybdenum and indium items, all destinations"),
    "M046": ExportControlSpec("CHN", "*", ("Metals", "Chemicals", "Electrical and optical"), end=None, what="licence requirement for seven medium and heavy rare earths and magnets, all destinations"),
    "M063": ExportControlSpec("CHN", "*", ("Metals", "Chemicals", "Electrical and optical"), end=None, what="extraterritorial rare-earth controls and lithium-battery materials (paused by M081b)"),
    "M080": ExportControlSpec("CHN", "USA", "goods", what="Unreliable Entity List and export-control list additions of U.S. firms"),
}  # fmt: skip
EXPORT_CONTROL_ROWS = {"M034a": "M034", "M034b": "M034"}  # split rows -> CSV id

# Suspensions of export controls (pauses that lapse by themselves): id -> (CSV id, measures, start, end).
CONTROL_PAUSES = {
    "M071": ("M071", ("M034b",), "2025-11-09", "2026-11-27"),
    # Busan truce (M081): the U.S. pauses the affiliates rule for a year; China its October 2025 controls.
    "M081a": ("M081", ("M062",), "2025-11-10", "2026-11-10"),
    "M081b": ("M081", ("M063",), "2025-11-07", "2026-11-10"),
}

# Purchase commitments: id -> (CSV id, importer, exporter, sectors, amount in USD millions, start, end).
# Phase One (M019) by category, as the agreement sets them: the increase over 2017 that China
# committed to for 2020 (the model's flows are annual). Goods: phaseone-goals.csv in the
# reference data (mwaugh0328/tradewar-tracker); services: the agreement's Chapter 6 ($12.8bn in
# 2020). Sectors are the WIOD sectors closest to each category of Annex 6.1.
PHASE_ONE_MANUFACTURED = ("Chemicals", "Rubber and plastics", "Metals", "Machinery", "Electrical and optical",
                          "Transport equipment", "Manufacturing nec")
PHASE_ONE_SERVICES = ("Business services", "Finance", "Transport services", "Air transport",
                      "Hotels and restaurants", "Post and telecom")
PURCHASES = {
    "M019a": ("M019", "CHN", "USA", PHASE_ONE_MANUFACTURED, 32_900.0, "2020-02-14", "2022-01-01", "manufactured goods"),
    "M019b": ("M019", "CHN", "USA", ("Agriculture", "Food"), 12_500.0, "2020-02-14", "2022-01-01", "agriculture"),
    "M019c": ("M019", "CHN", "USA", ("Mining", "Petroleum"), 18_500.0, "2020-02-14", "2022-01-01", "energy"),
    "M019d": ("M019", "CHN", "USA", PHASE_ONE_SERVICES, 12_800.0, "2020-02-14", "2022-01-01", "services"),
    # Busan: soybeans >= 12 MMT by end-2025, 25 MMT a year 2026-2028; value not stated.
    "M073": ("M073", "CHN", "USA", ("Agriculture",), None, "2025-10-30", "2029-01-01", ""),
    # Beijing summit claims (unconfirmed; no effective date: the announcement day).
    "M079": ("M079", "CHN", "USA", "goods", None, "2026-05-15", None, ""),
}

# CSV rows not encoded as measures, and why (everything else is encoded; the note lists both).
SKIPPED = {
    "M009": "The Buenos Aires truce held a scheduled rise of List 3 (10% -> 25% on 2019-01-01) that had not "
    "taken effect: no tariff changed on that day. The rise came on 2019-05-10 (M011).",
    "M015": "List 4B: scheduled for 2019-12-15 and suspended before it applied (never implemented).",
    "M016": "Threatened rise of Lists 1-3 from 25% to 30%: withdrawn before it applied (never implemented).",
    "M018": "Batch 2 of China's September 2019 list and the restoration of its auto tariffs: scheduled for "
    "2019-12-15 and suspended that day (never applied).",
    "M023": "Extension of 178 Section 301 product exclusions: the excluded 8-digit lines and their trade are "
    "not in the reference data, so no sector share can be computed (open question); the 2018-2020 table "
    "has no exclusions either.",
    "M045": "End of the de minimis exemption for China and Hong Kong: it extends the duties in force to "
    "low-value shipments rather than changing a rate; no sector rate follows from it.",
    "M057": "London framework: no tariff change; its U.S. part (lifting the EDA licence requirement) is the "
    "end date of M056, its Chinese part (rare-earth licences) is not quantified.",
    "M059": "China's 'green channel' for EU rare-earth licences: not a U.S.-China measure (the row says so).",
    "M064": "U.S. port fees on Chinese-built or -operated ships: a fee per port call, neither an ad valorem "
    "tariff nor an export control.",
    "M065": "China's port fees on U.S. ships: a fee per port call, neither an ad valorem tariff nor an export "
    "control.",
    "M066": "Threatened 100% tariff of October 2025: dropped at Busan (never implemented).",
    "M072": "General licences for U.S. end users of China's mineral controls: a relief for one destination of "
    "controls that apply to all (M026, M028, M046); a suspension in this model pauses a measure for every "
    "target, so it is not encoded (open question).",
    "M078": "Section 301 investigation into excess capacity: no rate (investigation only).",
}


# ====================================================================== inputs
@dataclass
class Products:
    """One direction's HS6 lines with their weights in each goods sector.

    ``pieces`` has one row per (HS6 line, goods sector) with the line's weight in the sector
    (line weight x concordance share); a sector's share of a product set is the weight of the set's
    lines over the sector's total weight.
    """

    pieces: pd.DataFrame  # hs6, sector, weight
    lines: pd.Index  # the HS6 universe
    basis: str
    hs2022: Mapping[str, str] | None = None  # HS 2022 six-digit code -> HS 2017 (hs6_hs5.csv), for list codes

    def __post_init__(self) -> None:
        self.totals = self.pieces.groupby("sector")["weight"].sum().reindex(list(GOODS_LABELS), fill_value=0.0)

    def lines_of(self, codes: Iterable[str], unmatched: list[str] | None = None) -> set[str]:
        """The HS6 lines named by prefix codes (2/4 digits: all lines under them; 6+: the line)."""
        codes = tuple(codes)
        memo = self.__dict__.setdefault("_memo", {})  # the partner builds ask for the same lists many times
        if codes not in memo:
            missed: list[str] = []
            memo[codes] = (self._lines_of(codes, missed), missed)
        found, missed = memo[codes]
        if unmatched is not None:
            unmatched.extend(missed)
        return set(found)

    def _lines_of(self, codes: Iterable[str], unmatched: list[str] | None = None) -> set[str]:
        found: set[str] = set()
        universe = set(self.lines)
        for code in codes:
            code = "".join(ch for ch in str(code) if ch.isdigit())
            hits = self._match(code, universe)
            if not hits:
                for new, old in HS_2022_TO_2017.items():
                    if code.startswith(new):
                        hits = self._match(old + code[len(new):] if len(old) < 6 else old, universe)
                        break
            if not hits and self.hs2022 is not None and len(code) >= 6 and code[:6] in self.hs2022:
                # A code of HS 2022 (the 2025 lists' edition) absent from HS 2017: its HS 2017 line.
                hits = self._match(self.hs2022[code[:6]], universe)
            if not hits and unmatched is not None:
                unmatched.append(code)
            found |= hits
        return found

    @staticmethod
    def _match(code: str, universe: set[str]) -> set[str]:
        if len(code) >= 6:
            return {code[:6]} & universe
        return {line for line in universe if line.startswith(code)}

    def mean(self, values: Mapping[str, float]) -> pd.Series:
        """The weighted mean by sector of a value per HS6 line (0 for lines not given)."""
        value = self.pieces["hs6"].map(values).fillna(0.0).to_numpy()
        sums = pd.Series(value * self.pieces["weight"].to_numpy()).groupby(self.pieces["sector"].to_numpy()).sum()
        return (sums.reindex(list(GOODS_LABELS), fill_value=0.0) / self.totals.replace(0.0, np.nan)).fillna(0.0)

    def share(self, lines: Iterable[str]) -> pd.Series:
        """Share of each sector's weight in a set of HS6 lines."""
        return self.mean({line: 1.0 for line in lines})


def _pieces(lines: pd.Index, weights: pd.Series, concordance: pd.DataFrame) -> pd.DataFrame:
    """(hs6, sector, weight): goods-sector parts of the lines; equal weights where a sector has no trade."""
    rows = concordance[concordance["hs6"].isin(lines) & concordance["wiod_code"].isin(GOODS)]
    weight = rows["share"].to_numpy() * weights.reindex(rows["hs6"]).fillna(0.0).to_numpy()
    frame = pd.DataFrame({"hs6": rows["hs6"].to_numpy(), "sector": rows["wiod_code"].map(sector_label).to_numpy()})
    totals = pd.Series(weight).groupby(frame["sector"]).transform("sum").to_numpy()
    frame["weight"] = np.where(totals > 0, weight, rows["share"].to_numpy())
    return frame


def us_line_weights(source_dir: Path, lines: pd.Index) -> pd.Series:
    """2024 U.S. imports from China per HS 2017 line, from the Census HS10 data (``weights``)."""
    imports, _, _ = weights.us_imports_2024(source_dir, "CHN")
    return weights.align(imports, lines, "2024 U.S. imports from China by HS10").values


def read_list(source_dir: Path, name: str, column: int = 0) -> list[str]:
    """HS codes of one tariff list file (leading zeros restored where the file lost them)."""
    path = require(source_dir / LISTS / name, f"tariff list {name}")
    header = 0 if name not in ("china-10-percent-030425.csv", "china-15-percent-030425.csv") else None
    table = pd.read_csv(path, dtype=str, header=header)
    codes = table.iloc[:, column].dropna().str.replace(".", "", regex=False).str.strip()
    if "digits" in table.columns:
        codes = pd.Series([c.zfill(int(d)) for c, d in zip(codes, table["digits"], strict=True)])
    return [c.zfill(len(c) + 1) if len(c) % 2 else c for c in codes]


@dataclass
class Inputs:
    """Everything the library is derived from."""

    csv: pd.DataFrame  # measures.csv, indexed by id
    us: Products  # U.S. imports from China
    cn: Products  # China's imports from the U.S. (2017 U.S. exports by HS6, as in the 2018-2020 table)
    us_301: pd.Series  # Section 301 rate per HS6 line on 2020-02-14 (tariff minus 2018-01-01)
    us_lines: pd.DataFrame  # U.S. tariff on China by HS6 line and date (tracker)
    cn_lines: pd.DataFrame  # China's tariff by HS6 line and date (tracker)
    table: pd.DataFrame  # us_china_2018_2020.csv
    lists: dict[str, list[str]]
    unmatched: dict[str, list[str]] = field(default_factory=dict)
    derivative_content: dict[str, float] = field(default_factory=dict)  # HS6 -> metal share of the covered imports
    metals_annexes: dict[str, dict[str, float]] = field(default_factory=dict)  # annex -> HS6 line -> rate


class ProductLists(dict):
    """The HS product lists by name; naming a list that was not read is a clear error, not a KeyError."""

    def __missing__(self, key: str) -> list[str]:
        raise ValueError(
            f"a measure names the product list {key!r}, which is not one of the lists read ({', '.join(sorted(self))}): "
            f"add its file to LIST_FILES in tools/tariffs/library.py; without it the trade the measure affects "
            f"is unknown, so the build stops rather than encode it on no lines"
        )


LIST_FILES = {
    "annex_ii": "annex-II-exemptions.csv",
    "electronics": "consumer_electronics_EO14257_apr11.csv",
    "autos": "auto-tariffs.csv",
    "copper": "copper-list.csv",
    "metals": "metals-annex-IA.csv",
    "steel_2025": "steel-tariffs.csv",  # steel articles and derivatives of Proclamation 10896 (from 2025-03-12)
    "aluminium_2025": "alu-tariffs.csv",  # aluminium articles and derivatives of Proclamation 10895
    "s122": "section122-product-exemptions.csv",
    "s122_aircraft": "section122-aircraft-exemptions.csv",
    "s122_specific": "section122-specific-exemptions.csv",
}


def load_inputs(source_dir: Path) -> Inputs:
    source_dir = Path(source_dir)
    csv = read_csv(source_dir / MEASURES_CSV, "the U.S.-China measure list (82 rows)", dtype=str).fillna("")
    csv = csv.set_index("id")
    concordance = pd.read_csv(CONCORDANCE, dtype={"hs6": str, "isic": str})
    us, china = table_source.schedules(source_dir)
    # U.S. side: every HS 2017 line of either tracker file (the U.S. file lacks lines no Section 301 list
    # ever touched, e.g. chapter 30), weighted by 2024 imports by line (Census HS10).
    us_lines = us.tariffs.index.union(china.tariffs.index)
    hs2022 = weights._hs2017(source_dir).to_dict()
    lists = ProductLists({key: read_list(source_dir, name) for key, name in LIST_FILES.items()})
    lists["china_10"] = read_list(source_dir, "china-10-percent-030425.csv", column=1)
    lists["china_15"] = read_list(source_dir, "china-15-percent-030425.csv", column=1)
    exempt_now = read_csv(source_dir / YALE / "ieepa_exempt_products.csv", "IEEPA exemption list", dtype=str)["hts10"]
    april = {c[:6] for c in lists["annex_ii"]}
    lists["farm_exempt"] = sorted(
        {c.strip()[:6] for c in exempt_now if c.strip()[:2] in FARM_EXEMPT_CHAPTERS and c.strip()[:6] not in april}
    )
    lists["mhd_parts"] = [c.strip() for c in require(source_dir / MHD_PARTS, "truck parts list").read_text().split()]
    return Inputs(
        csv=csv,
        us=Products(_pieces(us_lines, us_line_weights(source_dir, us_lines), concordance), us_lines,
                    "2024 U.S. imports from China by HS 2017 line (Census HS10 data)", hs2022),
        cn=Products(_pieces(china.tariffs.index, china.weights, concordance), china.tariffs.index, china.weight_basis,
                    hs2022),
        us_301=(us.tariffs["2020-02-14"] - us.tariffs[table_source.BASE_DATE])
        .clip(lower=0.0)
        .reindex(us_lines, fill_value=0.0),
        cn_lines=china.tariffs,
        us_lines=us.tariffs,
        table=pd.read_csv(TABLE_2018_2020, dtype={"date": str}),
        lists=lists,
        derivative_content=derivative_content(source_dir),
        metals_annexes=metals_annex_lines(
            source_dir, us.tariffs[table_source.BASE_DATE].reindex(us_lines).fillna(0.0)
        ),
    )


def derivative_content(source_dir: Path, code: str | None = None) -> dict[str, float]:
    """HS 2017 six-digit line -> the steel and aluminium content of its 2024 imports from China that the
    2025-08-18 derivative list covers, as a share of the line's imports.

    The list names HTS8/10 prefixes (HS 2022); each HS10 line under a prefix counts with its 2024 imports
    times its steel + aluminium content share (BEA input-output based, the tracker's file; a line missing
    there takes the mean share of its HS6, else of its HS4). Only that content pays the 232 duty.
    ``code``: the partner's Census code (default China's); the shares use that partner's 2024 imports.
    """
    listed = read_csv(source_dir / DERIVATIVES, "Section 232 derivative list", dtype=str)
    prefixes = tuple(listed.loc[listed["effective_date"] == DERIVATIVES_DATE, "hts_prefix"].str.strip())
    content = read_csv(source_dir / METAL_CONTENT, "metal content shares by HS10", dtype={"hs10": str})
    share = (content["steel_share"].astype(float) + content["aluminum_share"].astype(float)).groupby(
        content["hs10"].str.zfill(10)).mean()
    code = code or weights.census_code(source_dir, "CHN")
    raw = pd.read_parquet(require(source_dir / weights.HS10_FOLDER / f"2024-hs10-imports{code}.parquet",
                                  f"2024 U.S. imports from Census partner {code} by HS10"), columns=["HS10", "imports"])
    hs10 = raw["HS10"].astype(str).str.zfill(10)
    covered = hs10.str.startswith(prefixes)
    by_hs6 = share.groupby(share.index.str[:6]).mean()
    by_hs4 = share.groupby(share.index.str[:4]).mean()
    metal = hs10.map(share).fillna(hs10.str[:6].map(by_hs6)).fillna(hs10.str[:4].map(by_hs4)).fillna(0.0)
    hs2017 = hs10.str[:6].map(weights._hs2017(source_dir)).fillna(hs10.str[:6])
    imports = raw["imports"].astype(float)
    taxed = (imports * metal * covered).groupby(hs2017.to_numpy()).sum()
    total = imports.groupby(hs2017.to_numpy()).sum()
    ratio = (taxed / total.replace(0.0, np.nan)).dropna()
    return {line: float(value) for line, value in ratio.items() if value > 0}


def _hs10_imports_from_china(source_dir: Path, code: str | None = None) -> tuple[pd.Series, pd.Series]:
    """2024 U.S. imports from China (or the Census partner ``code``) by HS10 (USD) and each HS10's HS 2017
    six-digit line (the one reader: :func:`tools.tariffs.partners.hs10_imports`)."""
    from tools.tariffs.partners import hs10_imports

    code = code or weights.census_code(source_dir, "CHN")
    frame = hs10_imports(source_dir, code, f"Census partner {code}").set_index("hs10")
    return frame["imports"], frame["line"]


def read_metals_annexes(source_dir: Path) -> pd.DataFrame:
    """The annexes of the 2026-04-02 metals proclamation as one table: prefix (HTS code), annex (1a, 1b, 2, 3)."""
    frames = []
    for annex, name in METALS_ANNEX_FILES.items():
        codes = read_csv(source_dir / LISTS / name, f"Section 232 metals annex {annex} of 2026-04-02", dtype=str)
        if "HTSUS" not in codes.columns:
            raise ValueError(f"{LISTS / name}: no HTSUS column (columns {list(codes.columns)}); the annex is unread")
        prefixes = codes["HTSUS"].dropna().str.strip().str.replace(".", "", regex=False)
        frames.append(pd.DataFrame({"prefix": prefixes[prefixes != ""], "annex": annex}))
    return pd.concat(frames, ignore_index=True)


def yale_only_annex_codes(source_dir: Path) -> dict[str, float]:
    """Codes the Yale tracker puts in an annex that the annex transcription does not list there (neither the
    code nor a code under or above it) -> 2024 U.S. imports from China under the code (USD)."""
    ours = read_metals_annexes(source_dir).groupby("annex")["prefix"].agg(tuple).to_dict()
    yale = read_csv(source_dir / METALS_ANNEXES_YALE, "Yale's Section 232 annex list", dtype=str)
    imports, _ = _hs10_imports_from_china(source_dir)
    hs10 = pd.Series(imports.index, index=imports.index)
    out: dict[str, float] = {}
    for code, annex in zip(yale["hts_prefix"].str.strip(), yale["annex"].str.strip().str.lower(), strict=True):
        listed = ours.get(annex, ())
        if not (code.startswith(listed) or any(prefix.startswith(code) for prefix in listed)):
            out[code] = float(imports[hs10.str.startswith(code)].sum())
    return out


def metals_annex_lines(source_dir: Path, mfn: pd.Series, code: str | None = None) -> dict[str, dict[str, float]]:
    """Annex of the 2026-04-06 metals restructuring -> HS 2017 six-digit line -> the line's Section 232 rate.

    Each HS10 line of 2024 U.S. imports from China takes the annex of its longest listed prefix (else the
    default of the curation note above: chapters 72, 73, 74, 76 -> Annex I-A, others none); its rate is
    the annex rate (Annex III: 15% less the line's MFN rate, ``mfn`` by HS 2017 line, never negative). A
    six-digit line's rate is the import-weighted mean of its HS10 lines, so a line only partly in an annex
    is taxed in proportion. ``code``: the Census partner whose imports weight the lines (default China);
    unwrought copper (7401-7403) takes no default annex.
    """
    listed = read_metals_annexes(source_dir)
    imports, hs2017 = _hs10_imports_from_china(source_dir, code)
    hs10 = pd.Series(imports.index, index=imports.index)
    annex = pd.Series(pd.NA, index=imports.index, dtype=object)
    for length in sorted(listed["prefix"].str.len().unique(), reverse=True):
        table = listed[listed["prefix"].str.len() == length].drop_duplicates("prefix").set_index("prefix")["annex"]
        annex = annex.fillna(hs10.str[:length].map(table))
    default_1a = hs10.str[:2].isin(PRIMARY_METAL_CHAPTERS) & ~hs10.str.startswith(UNWROUGHT_COPPER)
    annex = annex.where(annex.notna() | ~default_1a, "1a")
    total = imports.groupby(hs2017.to_numpy()).sum()
    out: dict[str, dict[str, float]] = {}
    for name in ("1a", "1b", "3"):
        if name == "3":
            rate = (ANNEX_III_COMBINED - hs2017.map(mfn).fillna(0.0)).clip(lower=0.0)
        else:
            rate = pd.Series(ANNEX_RATES[name], index=imports.index)
        taxed = (imports * rate * (annex == name)).groupby(hs2017.to_numpy()).sum()
        ratio = (taxed / total.replace(0.0, np.nan)).dropna()
        out[name] = {line: float(v) for line, v in ratio.items() if v > 0}
        if name == "3":
            covered = (imports * (annex == name)).groupby(hs2017.to_numpy()).sum()
            share = (covered / total.replace(0.0, np.nan)).dropna()
            out["3-after"] = {line: ANNEX_RATES["1b"] * float(v) for line, v in share.items() if v > 0}
    return out


# measures.csv tags each row's note with how well its sources agree: [2SRC] (two sources agree) is
# confirmed; the other tags say what is uncertain.
UNCERTAIN_TAGS = {
    "1SRC": "one source only",
    "1SRC-DATES": "rate confirmed, dates from one source or background knowledge",
    "1SRC-UNCONFIRMED": "claimed by one side only, unconfirmed",
    "CONFLICT": "sources conflict",
    "CONFLICT-minor": "sources conflict on a detail",
}


def uncertainty(note: str) -> str | None:
    """Why a measures.csv row is uncertain (its tag and the note's first sentence), or None if confirmed."""
    match = re.match(r"\[([^\]]+)\]\s*(.*)", note or "")
    if match is None or match.group(1) not in UNCERTAIN_TAGS:
        return None
    first = re.split(r"(?<=\.)\s", match.group(2), maxsplit=1)[0]
    return f"{UNCERTAIN_TAGS[match.group(1)]}: {first}"


# ====================================================================== measure helpers
def _round(value: float, digits: int = DIGITS) -> float:
    value = round(float(value), digits)
    return 0.0 if value == 0 else value


def _sector_rates(rates: pd.Series, digits: int = DIGITS) -> dict[str, float]:
    """Non-zero sector rates (rounded), in the world's goods order."""
    out = {s: _round(rates.get(s, 0.0), digits) for s in GOODS_LABELS}
    return {s: v for s, v in out.items() if v != 0.0}


def _share_text(shares: Mapping[str, float]) -> str:
    return ", ".join(f"{sector} {share:.1%}" for sector, share in shares.items())


def _csv_date(text: str) -> str | None:
    """An ISO day from measures.csv; month-only dates -> the 15th; year-only or blank -> None."""
    text = text.strip()
    if len(text) == 10:
        return text
    if len(text) == 7:
        return f"{text}-{MID_MONTH:02d}"
    return None


class Library:
    """Collects measures (as ordered mappings) and what was done with each CSV id."""

    def __init__(self, csv: pd.DataFrame):
        self.csv = csv
        self.measures: list[dict[str, Any]] = []
        self.done: dict[str, list[str]] = {}  # CSV id -> measure ids
        self.shares: list[tuple[str, str, str]] = []  # (measure, what, shares) for the note
        self.lines: dict[str, dict[str, float]] = {}  # layer id -> its rate on each HS6 line (layer_lines.csv)
        # exclusion id -> (U.S.-China sector, the HS6 lines it takes out of its layers): layer_lines.csv marks
        # them so that the model zeroes those lines rather than lowering the layer evenly (issue 12 item 4)
        self.exclusion_lines: dict[str, tuple[str, set[str]]] = {}

    def row(self, csv_id: str) -> pd.Series:
        return self.csv.loc[csv_id]

    def add(self, csv_id: str | None, measure: dict[str, Any]) -> dict[str, Any]:
        if csv_id is not None:
            row = self.row(csv_id)
            measure.setdefault("basis", row["legal_basis"])
            measure.setdefault("source", row["source"])
            reason = uncertainty(row["note"])
            if reason is not None:
                measure.setdefault("uncertain", reason)
            self.done.setdefault(csv_id, []).append(measure["id"])
        self.measures.append({key: value for key, value in measure.items() if value is not None})
        return measure

    def tariff(
        self,
        csv_id: str | None,
        id: str,
        description: str,
        imposer: str,
        targets: str | Sequence[str],
        rates: pd.Series | Mapping[str, float] | float,
        start: str,
        end: str | None = None,
        headline: float | None = None,
        lines: Mapping[str, float] | pd.Series | None = None,
        **extra: Any,
    ) -> dict[str, Any] | None:
        """A tariff layer: a single rate on all goods, or sector rates (on the sectors that have one).

        ``lines`` (HS6 line -> rate) are the lines the sector rates average; they go to
        ``layer_lines.csv`` so that the model can aggregate the lines (tradewar.policy.lines).
        """
        if lines is not None:
            kept = {str(k): float(v) for k, v in dict(lines).items() if abs(float(v)) > 1e-12}
            if kept:
                self.lines[id] = kept
        if isinstance(rates, (int, float)):
            sectors, rate, by_sector = "goods", _round(rates), {}
        else:
            by_sector = _sector_rates(pd.Series(rates, dtype=float))
            if not by_sector:
                return None
            sectors = "goods" if len(by_sector) == len(GOODS_LABELS) else list(by_sector)
            rate = _round(headline if headline is not None else max(by_sector.values(), key=abs))
        return self.add(
            csv_id,
            {
                "id": id,
                "kind": "tariff",
                "description": description,
                "imposer": imposer,
                "targets": [targets] if isinstance(targets, str) else list(targets),
                "sectors": sectors,
                "rate": rate,
                "rate_by_sector": by_sector or None,
                "start": start,
                "end": end,
                **extra,
            },
        )


# ====================================================================== U.S.-China: 2018-2020
def _table_increase(table: pd.DataFrame, importer: str) -> pd.DataFrame:
    """Sector x date increase over 2018-01-01 for one direction."""
    side = table[table["importer"] == importer]
    return side.pivot(index="sector", columns="date", values="increase_over_2018_01_01").reindex(list(GOODS_LABELS))


def _china_line_change(inputs: Inputs, date_from: str, date_to: str, lines: set[str]) -> pd.Series:
    """Sector mean (2017 U.S. export weights) of the change of some lines between two dates."""
    change = inputs.cn_lines[date_to] - inputs.cn_lines[date_from]
    return inputs.cn.mean(change[change.index.isin(lines)].to_dict())


def add_2018_2020(lib: Library, inputs: Inputs) -> None:
    us = _table_increase(inputs.table, "USA")
    dates = list(us.columns)
    for when, (mid, start, end, headline, what) in US_STEPS.items():
        before = dates[dates.index(when) - 1]
        lib.tariff(
            mid, mid,
            f"U.S. {what} on imports from China. Sector rates: the rise of the average U.S. tariff on Chinese "
            f"goods in each WIOD sector at {when} (tracker's HS6 lines, weighted by 2017 U.S. imports from "
            f"China by NAICS3 shared over lines by 2024 imports; the sector rate is the nominal rate times "
            f"the sector's share of listed trade).",
            "USA", "CHN", us[when] - us[before], start, end, headline,
            lines=inputs.us_lines[when] - inputs.us_lines[before],
        )  # fmt: skip
    mid, when, base, headline, what = US_PHASE_ONE
    lib.tariff(
        mid, mid,
        f"U.S. {what} on imports from China: List 4A goods at 7.5% from {when}, replacing M014. Sector rates: "
        f"the table's increase at {when} minus that at {base} (before List 4A), same weights as M003.",
        "USA", "CHN", us[when] - us[base], when, None, headline,
        lines=inputs.us_lines[when] - inputs.us_lines[base],
    )  # fmt: skip

    cn = _table_increase(inputs.table, "CHN")
    dates = list(cn.columns)
    step = {when: cn[when] - cn[dates[dates.index(when) - 1]] for when in dates[1:]}
    for when, (mid, start, end, headline, what) in CN_STEPS.items():
        lib.tariff(
            mid, mid,
            f"China's {what} on imports from the U.S. Sector rates: the rise of China's average tariff on U.S. "
            f"goods in each WIOD sector at {when} (tracker's HS6 lines weighted by 2017 U.S. exports to China).",
            "CHN", "USA", step[when], start, end, headline,
            lines=inputs.cn_lines[when] - inputs.cn_lines[dates[dates.index(when) - 1]],
        )  # fmt: skip
    # M010 and China's 2019 MFN changes share the 2019-01-02 step: split by line.
    change = inputs.cn_lines["2019-01-02"] - inputs.cn_lines["2018-11-01"]
    autos = {
        line
        for line, value in change.items()
        if line.startswith(M010_CHAPTER) and any(abs(value - cut) < 1e-9 for cut in M010_CUTS)
    }
    m010 = _china_line_change(inputs, "2018-11-01", "2019-01-02", autos)
    lib.tariff(
        "M010", "M010",
        f"China suspends its extra tariffs on U.S. vehicles (25 points) and auto parts (5 points) from "
        f"2019-01-01: a cut on the {len(autos)} chapter-87 lines whose tariff fell by 25 or 5 points that day "
        f"(tracker's lines). Kept after 2019-12-15: the scheduled restoration was itself suspended (M018).",
        "CHN", "USA", m010, "2019-01-01", None, -0.25,
        lines=change[change.index.isin(autos)],
    )  # fmt: skip
    for when, start in CN_MFN_STEPS.items():
        rates = step[when] - (m010 if when == "2019-01-02" else 0.0)
        lib.tariff(
            None, f"CN-MFN-{start}",
            f"China's MFN tariff changes of {start} (not a U.S.-China measure; applies to every exporter): "
            f"the change of China's average tariff on U.S. goods at {when} in the tracker's lines"
            + (", less M010 (the auto-tariff suspension of the same day)" if when == "2019-01-02" else "")
            + ". Recorded so that China's tariff on U.S. goods matches the 2018-2020 table.",
            "CHN", "*", rates, start, None, 0.0,
            basis="China's MFN and provisional tariff rates (State Council Customs Tariff Commission)",
            source=TRACKER_2018,
        )  # fmt: skip
    # M021: batch 1 halved from 2020-02-14 (M017 ends then).
    m017 = step["2019-09-01"]
    lib.tariff(
        "M021", "M021",
        "China halves its September 2019 tariffs on U.S. goods (batch 1 of the $75bn list, 5-10% -> 2.5-5%) "
        "from 2020-02-14 under Phase One: half of M017's sector rates.",
        "CHN", "USA", M021_FACTOR * m017, "2020-02-14", None, 0.05,
        lines=M021_FACTOR * (inputs.cn_lines["2019-09-01"] - inputs.cn_lines[dates[dates.index("2019-09-01") - 1]]),
    )  # fmt: skip
    # M022: exclusions (the 2019-12-26 step), one per sector, as shares of the layers in force.
    in_force = {m["id"]: m for m in lib.measures}
    change = inputs.cn_lines[M022_DATE] - inputs.cn_lines[dates[dates.index(M022_DATE) - 1]]
    excluded = sorted(change[change.abs() > 1e-9].index)
    for k, (sector, cut) in enumerate((s, v) for s, v in step[M022_DATE].items() if abs(v) > 1e-12):
        total = sum(in_force[mid].get("rate_by_sector", {}).get(sector, 0.0) for mid in M022_LAYERS[:-1])
        share = _round(-cut / total)
        lib.add(
            "M022",
            {
                "id": f"M022{chr(ord('a') + k)}",
                "kind": "exclusion",
                "description": f"China's exclusions of U.S. goods from its countermeasure tariffs (the list "
                f"effective {M022_DATE}: HS6 lines {', '.join(excluded)} fall by 30 points in the tracker's data): "
                f"{share:.2%} of the retaliation layers' rate in {sector}, which removes the table's change "
                f"({cut * 100:.3f} points). Exclusions extended to 2026-12-31.",
                "layers": list(M022_LAYERS),
                "share": share,
                "sectors": [sector],
                "targets": ["USA"],
                "start": M022_DATE,
                "end": "2027-01-01",
            },
        )


# ====================================================================== U.S.-China: 2024-2026
def add_section_301_review(lib: Library, inputs: Inputs) -> None:
    """M030-M032: line increases over the Section 301 rate already borne, averaged by sector."""
    current: dict[tuple[str, str], float] = {}  # (group, line) -> 301 rate reached
    for mid, (start, groups) in REVIEW_TRANCHES.items():
        increase: dict[str, float] = {}
        described = []
        for group, (codes, fraction, rate) in groups.items():
            lines = inputs.us.lines_of(codes, inputs.unmatched.setdefault(mid, []))
            for line in lines:
                before = current.get((group, line), float(inputs.us_301.get(line, 0.0)))
                increase[line] = increase.get(line, 0.0) + fraction * max(0.0, rate - before)
                current[(group, line)] = max(before, rate)
            described.append(f"{group} {rate:.0%}" + (f" (on {fraction:.0%} of the HS line)" if fraction < 1 else ""))
        rates = inputs.us.mean(increase)
        layer = lib.tariff(
            mid, mid,
            f"U.S. Section 301 four-year review, tranche of {start}, on imports from China: "
            + "; ".join(described)
            + ". Sector rates: each line's rise over the Section 301 rate it already bore (tracker's lines on "
            "2020-02-14), weighted by 2024 U.S. imports from China (as in the provenance note).",
            "USA", "CHN", rates, start, None, lines=increase,
        )  # fmt: skip
        lib.shares.append((mid, "sector rates", _share_text(_sector_rates(rates)) if layer else "none"))
    cranes = {line: 1.0 for line in inputs.us.lines_of(CRANES_LINES, inputs.unmatched.setdefault("US-301-CRANES", []))}
    lib.tariff(
        None, "US-301-CRANES",
        "U.S. Section 301 (ships action) tariff of 100% on ship-to-shore cranes from China, on top of the 25% of "
        "M030 (HS 8426.19). Paused from 2025-11-10 for a year (US-301-CRANES-PAUSE).",
        "USA", "CHN", inputs.us.mean(cranes), CRANES_START, None, 1.0, lines=cranes,
        basis="Section 301 (Trade Act of 1974): China's targeting of the maritime, logistics and shipbuilding "
        "sectors", source=CRANES_SOURCE, uncertain=CRANES_UNCERTAIN,
    )  # fmt: skip
    lib.shares.append(("US-301-CRANES", "covered share", _share_text(_sector_rates(inputs.us.share(cranes)))))
    lib.add(None, {
        "id": "US-301-CRANES-PAUSE", "kind": "suspension",
        "description": "USTR suspends the ship-to-shore crane tariff for one year from 2025-11-10 (Busan); the pause "
        "lapses by itself on 2026-11-10.",
        "measures": ["US-301-CRANES"], "start": "2025-11-10", "end": CRANES_PAUSE_END,
        "basis": "Section 301 (Trade Act of 1974): USTR suspension of the ships action", "source": CRANES_SOURCE, "uncertain": CRANES_UNCERTAIN,
    })  # fmt: skip


@dataclass
class Section232:
    id: str
    start: str
    end: str | None
    lines: dict[str, float]  # HS6 line -> rate
    what: str
    headline: float | None = None  # the statutory rate where line rates are below it (metal content)
    source: str | None = None  # for actions not in measures.csv
    uncertain: str | None = None


def section_232_actions(inputs: Inputs) -> list[Section232]:
    """The Section 232 actions on China: lines and rates; a line pays only the first action covering it."""
    us, lists = inputs.us, inputs.lists
    note = inputs.unmatched
    steel = us.lines_of(STEEL_2018, note.setdefault("M001", []))
    aluminium = us.lines_of(ALUMINIUM_2018, note["M001"])
    # 2025 steel and aluminium lines (M041, M058): the chapter 72/73/76 codes of the 2025 lists of
    # Proclamations 10895/10896 (full value from 2025-03-12), with those of the 2026 Annex I-A and the 2018
    # scope (the articles that stayed at the full rate). Annex I-A alone missed the 2025 derivatives of
    # chapters 73 and 76 that moved to Annex I-B in 2026 (household articles 7323, stoves 7321, aluminium
    # kitchenware 7615: 5.9 bn USD of 2024 imports from China), so they paid the reciprocal tariff here
    # instead of the 232 duty (EO 14257 sec. 3(b)). Derivatives outside these chapters are not covered.
    listed_2025 = lists["metals"] + lists["steel_2025"] + lists["aluminium_2025"]
    metals = us.lines_of([c for c in listed_2025 if c[:2] in STEEL_ALUMINIUM_CHAPTERS], note.setdefault("M041", []))
    metals |= steel | aluminium
    autos = lists["autos"]
    vehicles = us.lines_of([c for c in autos if c[:4] in VEHICLE_HEADINGS], note.setdefault("M042", [])) - metals
    parts = us.lines_of([c for c in autos if c[:4] not in VEHICLE_HEADINGS], note.setdefault("M043", []))
    parts -= metals | vehicles
    copper = us.lines_of(lists["copper"], note.setdefault("M061", [])) - metals - vehicles - parts
    taken = metals | vehicles | parts | copper
    lumber = {}
    for code, rate in M082_LUMBER.items():
        lumber.update({line: rate for line in us.lines_of([code], note.setdefault("M082a", [])) - taken})
    taken |= set(lumber)
    trucks = {}
    for code, rate in M082_TRUCKS.items():
        trucks.update({line: rate for line in us.lines_of([code], note.setdefault("M082b", [])) - taken})
    taken |= set(trucks)
    chips = us.lines_of(SEMICONDUCTOR_232, note.setdefault("M075", [])) - taken
    taken |= chips
    truck_parts = us.lines_of(inputs.lists["mhd_parts"], note.setdefault("US-232-MHD-PARTS", [])) - taken
    taken |= truck_parts
    derivatives = {line: 0.50 * share for line, share in inputs.derivative_content.items() if line not in taken}
    # 2026-04-06: the metal tariffs by annex; the other Section 232 programmes keep their lines.
    programmes = vehicles | parts | copper | set(lumber) | set(trucks) | chips | truck_parts
    annex = {name: {line: rate for line, rate in lines.items() if line not in programmes}
             for name, lines in inputs.metals_annexes.items()}
    flat = lambda lines, rate: {line: rate for line in lines}  # noqa: E731
    return [
        Section232("M001", "2018-03-23", "2025-03-12", {**flat(steel, 0.25), **flat(aluminium, 0.10)},
                   "steel (25%: HS 7206-7229, 7301-7302, 7304-7306) and aluminium (10%: HS 7601, 7604-7609)"),
        Section232("M041", "2025-03-12", "2025-06-04", flat(metals, 0.25),
                   "steel and aluminium articles and derivatives at 25% (HS chapters 72, 73, 76 lines of the 2025 lists)"),
        Section232("M058", "2025-06-04", RESTRUCTURE_DATE, flat(metals, 0.50),
                   "steel and aluminium articles and derivatives at 50% (same lines as M041)"),
        Section232("M042", "2025-04-03", None, flat(vehicles, 0.25),
                   "passenger vehicles and light trucks at 25% (HS 8703, 8704 lines of the auto list)"),
        Section232("M043", "2025-05-03", None, flat(parts, 0.25),
                   "auto parts at 25% (the auto list's other lines: engines, tyres, glass, electrical parts...)"),
        Section232("M061", "2025-08-01", None, flat(copper, 0.50),
                   "semi-finished copper products and copper-intensive derivatives at 50% (copper list)"),
        Section232("M082a", "2025-10-14", None, lumber,
                   "softwood lumber at 10%, upholstered wooden seats and kitchen cabinets at 25%"),
        Section232("M082b", "2025-11-01", None, trucks,
                   "medium and heavy trucks at 25%, buses at 10%"),
        Section232("M075", "2026-01-15", None, flat(chips, 0.25),
                   "advanced computing chips at 25% (HTS 8471.50, 8471.80, 8473.30; a narrow category within them: "
                   "the share is an upper bound)"),
        Section232("US-232-MHD-PARTS", "2025-11-01", None, flat(truck_parts, 0.25),
                   "medium- and heavy-duty truck parts at 25% (HTS8/10 list; lines not already under the auto-parts "
                   "or another Section 232 action; a whole HS6 line counts as covered: an upper bound)",
                   source=MHD_PARTS_SOURCE.replace("Proclamation of 2025-10-17", "Proclamation 10984 of 2025-10-17")),
        Section232("US-232-DERIV-2025-08-18", DERIVATIVES_DATE, RESTRUCTURE_DATE, derivatives,
                   "the 407 steel and aluminium derivative codes of the first inclusions round, 50% on the metal "
                   "content (line rate = 50% x the covered HS10 lines' 2024 imports x steel+aluminium content share "
                   "/ the HS6 line's imports)", headline=0.50, source=DERIVATIVES_SOURCE,
                   uncertain="the tracker's list holds 386 distinct HTS prefixes for this round against the notice's 407 "
                   "codes; metal content is the BEA input-output steel+aluminium share of each HS10 line, not the "
                   "declared content; the reciprocal tariff still applies to the whole line here (the notice keeps it "
                   "on the non-metal content only)"),
        Section232("US-232-METALS-1A", RESTRUCTURE_DATE, None, annex["1a"],
                   "steel, aluminium and copper articles of Annex I-A of the 2026-04-02 restructuring at 50% of the "
                   "full value (replaces M058 and the derivatives' metal-content duty)", headline=0.50,
                   source=RESTRUCTURE_SOURCE, uncertain=RESTRUCTURE_UNCERTAIN),
        Section232("US-232-METALS-1B", RESTRUCTURE_DATE, None, annex["1b"],
                   "downstream steel, aluminium and copper derivatives of Annex I-B at 25% of the full value",
                   headline=0.25, source=RESTRUCTURE_SOURCE, uncertain=RESTRUCTURE_UNCERTAIN),
        Section232("US-232-METALS-3", RESTRUCTURE_DATE, ANNEX_III_SUNSET, annex["3"],
                   "metal-intensive articles of Annex III at a combined 15% (the 232 duty tops the line's MFN rate up "
                   "to 15%) until the December 2027 sunset", headline=ANNEX_III_COMBINED,
                   source=RESTRUCTURE_SOURCE, uncertain=RESTRUCTURE_UNCERTAIN),
        Section232("US-232-METALS-3S", ANNEX_III_SUNSET, None, annex["3-after"],
                   "Annex III articles at the Annex I-B rate (25%) after the sunset", headline=ANNEX_RATES["1b"],
                   source=RESTRUCTURE_SOURCE, uncertain=RESTRUCTURE_UNCERTAIN),
    ]  # fmt: skip


def add_section_232(lib: Library, inputs: Inputs, actions: list[Section232]) -> None:
    for action in actions:
        rates = inputs.us.mean(action.lines)
        coverage = inputs.us.share(action.lines)
        covered = _sector_rates(coverage)
        row_id = "M082" if action.id.startswith("M082") else None if action.source else action.id
        rate_note = (
            " Rates not in measures.csv (background knowledge): the proclamations' rates."
            if row_id == "M082" else ""
        )
        lib.tariff(
            row_id, action.id,
            f"U.S. Section 232 tariff on imports from China: {action.what}. Sector rate = rate x share of the "
            f"sector's 2024 imports from China in the covered HS6 lines (weights as in the provenance note; "
            f"a line already under an earlier Section 232 action is not taxed twice): {_share_text(covered)}."
            + rate_note,
            "USA", "CHN", rates, action.start, action.end, action.headline or max(action.lines.values()),
            lines=action.lines,
            **({"basis": "Section 232 (Trade Expansion Act of 1962)", "source": action.source} if action.source else {}),
            **({"uncertain": action.uncertain} if action.uncertain else {}),
        )  # fmt: skip
        lib.shares.append((action.id, "covered share", _share_text(covered)))


def add_fentanyl(lib: Library) -> None:
    lib.tariff("M036", "M036", "U.S. IEEPA 'fentanyl' tariff on all imports from China: 10% (Hong Kong is "
               "in the partner file's ROW).", "USA", "CHN", 0.10, "2025-02-04", "2025-11-10")
    lib.tariff("M039", "M039", "U.S. IEEPA 'fentanyl' tariff raised from 10% to 20% on all imports from China "
               "(+10 points on M036).", "USA", "CHN", 0.10, "2025-03-04", "2025-11-10")
    lib.tariff("M067", "M067", "U.S. IEEPA 'fentanyl' tariff on China cut to 10% from 2025-11-10 (Busan truce; "
               "replaces M036 + M039); terminated 2026-02-24 by M076.", "USA", "CHN", 0.10, "2025-11-10", None)


def add_reciprocal(lib: Library, inputs: Inputs, actions: list[Section232]) -> None:
    us, lists = inputs.us, inputs.lists
    annex = us.lines_of(lists["annex_ii"], inputs.unmatched.setdefault("annex II", []))
    by_id = {a.id: a for a in actions}
    carved = annex | set(by_id["M041"].lines) | set(by_id["M042"].lines)
    base = us.share(carved)
    lib.shares.append(("M044", "share outside the reciprocal tariff (Annex II, steel/aluminium, vehicles)",
                       _share_text(_sector_rates(base))))
    for mid, row_id, start, end, rate, what in RECIPROCAL:
        lib.tariff(
            row_id, mid,
            f"U.S. IEEPA 'reciprocal' tariff on imports from China: {what}. Sector rate = {rate:.0%} x the share "
            f"of the sector's 2024 imports from China outside Annex II (energy, pharmaceuticals, minerals, "
            f"lumber, copper...) and outside Section 232 steel/aluminium and vehicles.",
            "USA", "CHN", rate * (1.0 - base), start, end, rate,
            lines={line: rate for line in us.lines if line not in carved},
        )  # fmt: skip
    # Carve-outs after the start: electronics (M051), then each new Section 232 action (no stacking).
    later = [
        ("M051", "M051", lists["electronics"], "2025-04-05",
         "electronics exempted from the reciprocal tariff on 2025-04-11, retroactive to 2025-04-05 (smartphones, "
         "computers, semiconductors and their equipment; the fentanyl tariff still applies)"),
        ("M043", "M043r", by_id["M043"].lines, by_id["M043"].start, "auto parts under Section 232 (M043) leave the reciprocal tariff"),
        ("M061", "M061r", by_id["M061"].lines, by_id["M061"].start, "copper products under Section 232 (M061) leave the reciprocal tariff"),
        ("M082", "M082ar", by_id["M082a"].lines, by_id["M082a"].start, "lumber and furniture under Section 232 (M082a) leave the reciprocal tariff"),
        ("M082", "M082br", by_id["M082b"].lines, by_id["M082b"].start, "trucks and buses under Section 232 (M082b) leave the reciprocal tariff"),
        ("M082", "M082cr", by_id["US-232-MHD-PARTS"].lines, by_id["US-232-MHD-PARTS"].start,
         "medium- and heavy-duty truck parts under Section 232 leave the reciprocal tariff (Proclamation 10984: no stacking)"),
        (None, "AGRI-2025-11-13-", lists["farm_exempt"], FARM_EXEMPT_DATE,
         "farm goods added to Annex II by the executive order of 2025-11-14 (coffee, tea, tropical fruit, cocoa, spices, "
         "bananas, oranges, tomatoes, beef, fertilisers...)"),
    ]  # fmt: skip
    ends = {mid: end for mid, _, _, end, _, _ in RECIPROCAL}
    for row_id, prefix, codes, start, what in later:
        listed_codes = row_id in ("M051", None)
        lines = us.lines_of(codes, inputs.unmatched.setdefault(prefix, [])) if listed_codes else set(codes)
        new = lines - carved
        carved |= new
        share = (us.share(new) / (1.0 - base).replace(0.0, np.nan)).fillna(0.0)
        layers = [mid for mid in RECIPROCAL_IDS if ends[mid] is None or ends[mid] > start]
        listed = _sector_rates(share)
        lib.shares.append((prefix, "share of the reciprocal tariff's base excluded", _share_text(listed) or "none"))
        for k, (sector, value) in enumerate(listed.items()):
            exclusion_id = f"{prefix}{chr(ord('a') + k)}" if prefix == "M051" else f"{prefix}{k + 1}"
            lib.exclusion_lines[exclusion_id] = (sector, new)
            lib.add(
                row_id,
                {
                    "id": exclusion_id,
                    "kind": "exclusion",
                    "description": f"U.S. reciprocal tariff on China: {what}. Removes {value:.2%} of the "
                    f"reciprocal layers' rate in {sector} (those goods' share of the sector's 2024 imports from "
                    f"China still under the reciprocal tariff; 2024 import weights as in the provenance note).",
                    "layers": layers,
                    "share": value,
                    "sectors": [sector],
                    "targets": ["CHN"],
                    "start": start,
                    **(FARM_EXEMPT_FIELDS if row_id is None else {}),
                },
            )
    # Pauses: Geneva (90 days), its extension, Busan; then the Supreme Court ends IEEPA tariffs.
    pauses = [
        ("M054", "M054", "2025-05-14", "2025-08-12", "Geneva: the 34% country rate held at 10% for 90 days (the +50 and +41 layers end the same day)"),
        ("M060", "M060a", "2025-08-12", "2025-11-10", "the Geneva pause extended to 2025-11-10"),
        ("M068", "M068", "2025-11-10", "2026-11-10", "Busan: the 34% country rate held at 10% for another year"),
    ]  # fmt: skip
    for row_id, mid, start, end, what in pauses:
        lib.add(row_id, {"id": mid, "kind": "suspension", "description": f"U.S. reciprocal tariff on China: {what}.",
                         "measures": ["M044"], "remaining_rate": 0.10, "start": start, "end": end})
    lib.add("M076", {
        "id": "M076", "kind": "suspension",
        "description": "Termination of the IEEPA tariffs on China (Supreme Court, Learning Resources v. Trump): "
        "collection of the reciprocal (M044) and fentanyl (M067) tariffs ends on 2026-02-24; recorded as a "
        "pause with no end (it overrides the Busan pause M068, the later decision).",
        "measures": ["M044", "M067"], "start": "2026-02-24",
    })  # fmt: skip

    # Section 122 surcharge: 10% on goods not exempted and not under Section 232 (no stacking).
    exempt = us.lines_of(
        lists["s122"] + lists["s122_aircraft"] + lists["s122_specific"], inputs.unmatched.setdefault("M077", [])
    )
    # Its base changes when the metals restructuring moves lines in and out of Section 232 (2026-04-06):
    # one layer per period, each with the Section 232 lines in force at its start.
    periods = [("M077", S122_START, RESTRUCTURE_DATE), ("M077b", RESTRUCTURE_DATE, S122_END)]
    for mid, start, end in periods:
        in_232 = {line for a in actions if a.start <= start and (a.end is None or a.end > start) for line in a.lines}
        outside = us.share(exempt | in_232)
        lib.tariff(
            "M077", mid,
            f"U.S. Section 122 balance-of-payments surcharge of {S122_RATE:.0%} on imports from China (and all "
            f"others; theirs is in the partner file), {start} to {end} (the statutory 150 days end 2026-07-24). "
            f"Sector rate = {S122_RATE:.0%} x the share of the sector's 2024 imports from China neither in the "
            f"proclamation's product, aircraft and specific exemptions nor under Section 232 on {start}. "
            + S122_RATE_NOTE,
            "USA", "CHN", S122_RATE * (1.0 - outside), start, end, S122_RATE,
            lines={line: S122_RATE for line in us.lines if line not in exempt | in_232},
            uncertain=S122_UNCERTAIN,
        )  # fmt: skip
        lib.shares.append((mid, "share exempt (exemption lists and Section 232)", _share_text(_sector_rates(outside))))
    in_232 = {line for a in actions if a.start <= FORCED_LABOUR_START and (a.end is None or a.end > FORCED_LABOUR_START)
              for line in a.lines}
    outside = us.share(exempt | in_232)
    lib.tariff(
        None, "US-301-FORCED-LABOUR",
        f"U.S. Section 301 forced-labour duty of {FORCED_LABOUR_RATE:.1%} on imports from China from "
        f"{FORCED_LABOUR_START} (after the Section 122 surcharge). Sector rate = the rate x the share of the "
        "sector's 2024 imports from China outside the Section 122 exemptions and Section 232 (assumed exceptions).",
        "USA", "CHN", FORCED_LABOUR_RATE * (1.0 - outside), FORCED_LABOUR_START, None, FORCED_LABOUR_RATE,
        lines={line: FORCED_LABOUR_RATE for line in us.lines if line not in exempt | in_232},
        basis="Section 301 (Trade Act of 1974): forced-labour import prohibitions", source=FORCED_LABOUR_SOURCE,
        uncertain=FORCED_LABOUR_UNCERTAIN,
    )  # fmt: skip
    lib.shares.append(("US-301-FORCED-LABOUR", "share exempt (assumed: as Section 122)",
                       _share_text(_sector_rates(outside))))


def add_china_2025(lib: Library, inputs: Inputs) -> None:
    cn = inputs.cn
    lines = {}
    for code, rate in M037_LINES.items():
        lines.update({line: rate for line in cn.lines_of([code], inputs.unmatched.setdefault("M037", []))})
    rates = cn.mean(lines)
    lib.tariff(
        "M037", "M037",
        "China's tariffs of February 2025 on U.S. goods: 15% on coal and LNG; 10% on crude oil, agricultural "
        "machinery, large-engine cars and pickup trucks. Sector rate = the rate averaged over the sector's HS6 "
        f"lines (weighted by 2017 U.S. exports to China, as China's side of the 2018-2020 table): {_share_text(_sector_rates(cn.share(lines)))} "
        "of the lines covered. Not lifted by the November 2025 deal (status unconfirmed).",
        "CHN", "USA", rates, "2025-02-10", None, 0.15, lines=lines,
    )  # fmt: skip
    lib.shares.append(("M037", "lines covered (2017 trade weights)", _share_text(_sector_rates(cn.share(lines)))))
    farm = {line: 0.10 for line in cn.lines_of(inputs.lists["china_10"], inputs.unmatched.setdefault("M040", []))}
    farm.update({line: 0.15 for line in cn.lines_of(inputs.lists["china_15"], inputs.unmatched["M040"])})
    lib.tariff(
        "M040", "M040",
        "China's tariffs of March 2025 on U.S. farm goods: 15% on chicken, wheat, corn, cotton; 10% on sorghum, "
        "soybeans, pork, beef, aquatic products, fruit, vegetables, dairy (the lists' 8-digit lines). Sector "
        f"rate = rate averaged over the sector's HS6 lines (2017 U.S. export weights): lines covered "
        f"{_share_text(_sector_rates(cn.share(farm)))}. Terminated 2025-11-10 by M070.",
        "CHN", "USA", cn.mean(farm), "2025-03-10", None, 0.15, lines=farm,
    )  # fmt: skip
    lib.shares.append(("M040", "lines covered (2017 trade weights)", _share_text(_sector_rates(cn.share(farm)))))
    lib.tariff("M047", "M047", "China's retaliation of April 2025: 34% on all U.S. goods (held at 10% from "
               "2025-05-14 by M055, M060b, M069).", "CHN", "USA", 0.34, "2025-04-10", None)
    lib.tariff("M049", "M049", "China raises its April 2025 retaliation to 84% on all U.S. goods (+50 points on "
               "M047); removed at Geneva.", "CHN", "USA", 0.50, "2025-04-10", "2025-05-14")
    lib.tariff("M052", "M052", "China raises its retaliation to 125% on all U.S. goods (+41 points on M047 and "
               "M049); removed at Geneva.", "CHN", "USA", 0.41, "2025-04-12", "2025-05-14")
    pauses = [
        ("M055", "M055", "2025-05-14", "2025-08-12", "Geneva: the 34% held at 10% for 90 days (the +50 and +41 layers end the same day)"),
        ("M060", "M060b", "2025-08-12", "2025-11-10", "the Geneva pause extended to 2025-11-10"),
        ("M069", "M069", "2025-11-10", "2026-11-10", "Busan: 24 points stay suspended for a year, 10% retained"),
    ]  # fmt: skip
    for row_id, mid, start, end, what in pauses:
        lib.add(row_id, {"id": mid, "kind": "suspension", "description": f"China's retaliation on U.S. goods: {what}.",
                         "measures": ["M047"], "remaining_rate": 0.10, "start": start, "end": end})
    lib.add("M070", {
        "id": "M070", "kind": "suspension",
        "description": "Termination of China's March 2025 farm tariffs (M040) from 2025-11-10 (Busan); recorded "
        "as a pause with no end.",
        "measures": ["M040"], "start": "2025-11-10",
    })  # fmt: skip


def add_recorded(lib: Library) -> None:
    """Export controls, their pauses and purchase commitments: recorded, not quantified."""
    for mid, spec in EXPORT_CONTROLS.items():
        row_id = EXPORT_CONTROL_ROWS.get(mid, mid)
        row = lib.row(row_id)
        end = _csv_date(row["ends"]) if spec.end == "csv" else spec.end
        lib.add(row_id, {
            "id": mid, "kind": "export_control",
            "description": f"{'U.S.' if spec.imposer == 'USA' else 'Chinese'} export control: {spec.what} "
            "(recorded, not quantified).",
            "imposer": spec.imposer, "targets": [spec.targets] if isinstance(spec.targets, str) else list(spec.targets),
            "sectors": spec.sectors if isinstance(spec.sectors, str) else list(spec.sectors),
            "start": spec.start or _csv_date(row["effective"]), "end": end,
        })  # fmt: skip
    for mid, (row_id, measures, start, end) in CONTROL_PAUSES.items():
        what = ", ".join(measures)
        lib.add(row_id, {
            "id": mid, "kind": "suspension",
            "description": f"Pause of export control {what} from {start}, lapsing by itself on {end}"
            + (" (Busan truce)" if row_id == "M081" else "") + ".",
            "measures": list(measures), "start": start, "end": end,
        })  # fmt: skip
    for mid, (row_id, importer, exporter, sectors, amount, start, end, category) in PURCHASES.items():
        row = lib.row(row_id)
        if amount:
            description = (f"China's purchase commitment (Phase One, {category}): buy USD {amount / 1e3:.1f} bn a year "
                           "more than it would otherwise (the 2020 increase over 2017 in the agreement)")
        else:
            description = f"China's purchase commitment: {row['coverage']} (recorded, no amount stated)"
        lib.add(row_id, {
            "id": mid, "kind": "purchase_commitment", "description": description,
            "importer": importer, "exporter": exporter,
            "sectors": sectors if isinstance(sectors, str) else list(sectors),
            "amount_usd_mn": amount, "start": start, "end": end,
        })  # fmt: skip


# ====================================================================== other partners
# Built line by line from the measures in tools/tariffs/partners.py (issue 12).


# ====================================================================== TOML
KEY_ORDER = (
    "id", "kind", "description", "imposer", "importer", "exporter", "targets", "sectors", "layers", "measures",
    "share", "rate", "remaining_rate", "rate_by_sector", "amount_usd_mn", "start", "end", "basis", "source", "uncertain",
)  # fmt: skip


def _toml_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ").replace("\t", " ")
    return f'"{escaped}"'


def _toml_float(value: float) -> str:
    text = f"{round(value, DIGITS):.{DIGITS}f}".rstrip("0")
    return text + "0" if text.endswith(".") else text


def _toml_value(key: str, value: Any) -> str:
    if key in ("start", "end"):
        return date.fromisoformat(value).isoformat()  # a TOML local date
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return _toml_float(float(value))
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{_toml_string(k)} = {_toml_float(v)}" for k, v in value.items()) + " }"
    return "[" + ", ".join(_toml_string(v) for v in value) + "]"


def toml_text(measures: Sequence[Mapping[str, Any]], header: Sequence[str]) -> str:
    """The measures as ``[[measure]]`` tables (keys in a fixed order), after a comment header."""
    lines = [f"# {line}" if line else "#" for line in header]
    for measure in measures:
        unknown = set(measure) - set(KEY_ORDER) - {"worlds", "world"}
        if unknown:
            raise ValueError(f"{measure['id']}: keys {sorted(unknown)} have no place in KEY_ORDER")
        lines += ["", "[[measure]]"]
        lines += [f"{key} = {_toml_value(key, measure[key])}" for key in KEY_ORDER if key in measure]
        # Per-world tables (tools.tariffs.library_worlds): the measure on another world's sectors.
        if "world" in measure:
            lines.append(f"world = {_toml_string(measure['world'])}")
        for world, table in measure.get("worlds", {}).items():
            lines += [f"[measure.worlds.{world}]"]
            lines += [f"{key} = {_toml_value(key, value)}" if not isinstance(value, bool)
                      else f"{key} = {'true' if value else 'false'}" for key, value in table.items()]
    return "\n".join(lines) + "\n"



# ====================================================================== provenance notes
# Remarks on the encoding of particular CSV ids (assumptions, splits), for the note.
REMARKS = {
    "M001": "Targets China only (the 2018 tariff on other partners is in their 2024 base, which the partner "
    "file's series start from). Not in the 2018-2020 table (the tracker's file is MFN + Section 301), so the "
    "table check subtracts it. Ends when M041 replaces it.",
    "M003": "Layer = the table's sector increase at the date minus the one before (same for M005, M007, M011, "
    "M014; China: M002, M004, M006, M008, M012, M017).",
    "M011": "Starts 2019-05-10 (legal date); the table dates the rise 2019-06-01 (end of the in-transit grace).",
    "M014": "Ends 2020-02-14, replaced by M020 (List 4A at 7.5%).",
    "M010": "Told apart from China's 2019 MFN changes (CN-MFN-2019-01-01) line by line; no end (restoration "
    "suspended, M018).",
    "M017": "Ends 2020-02-14, replaced by M021 at half its sector rates.",
    "M022": "Only the December 2019 list is in the tracker's lines (the first list of 2019-09-17 is not); "
    "encoded as sector exclusions of the retaliation layers that remove the table's 2019-12-26 change.",
    "M030": "Sector rates from HS lines (see REVIEW_TRANCHES in the script): increases over the 301 rate already "
    "borne; shares of partly covered lines are assumptions (EV/non-EV batteries 25/75, facemasks 1/2 of "
    "6307.90, other medical gloves 1/2 of 4015.19).",
    "M036": "10% from 2025-02-04; M039 adds 10 points (20% cumulative) from 2025-03-04; both end 2025-11-10 "
    "when M067 (10%) replaces them.",
    "M044": "Split into M044a (10% baseline, 2025-04-05 to 2025-04-09) and M044 (34% from 2025-04-09, the layer "
    "Geneva/Busan hold at 10%). M048 (+50) and M050 (+41) make the cumulative 84% and 125%.",
    "M051": "Exclusions of the reciprocal layers, one per sector: the listed HS lines' share of the sector's "
    "2024 imports from China not already outside the reciprocal tariff.",
    "M054": "Suspension of M044 with remaining rate 10% for 90 days (lapses 2025-08-12 by itself); M048 and "
    "M050 end 2025-05-14.",
    "M060": "Split: M060a (U.S., pause of M044) and M060b (China, pause of M047).",
    "M067": "No end: terminated by M076.",
    "M076": "A suspension of M044 and M067 with no end (the later decision overrides the Busan pause M068).",
    "M070": "A suspension of M040 with no end (measures.csv: termination).",
    "M047": "34% layer; M049 (+50) and M052 (+41) make 84% and 125% and end at Geneva; M055, M060b and M069 "
    "hold M047 at 10%.",
    "M037": "Product names read as HS codes (M037_LINES); China's lines weighted by 2017 U.S. exports.",
    "M040": "The tracker's 8-digit lists (china-10-percent / china-15-percent) by HS6; 2017 U.S. export weights.",
    "M041": "Steel and aluminium lines in chapters 72, 73, 76 of the 2025 lists of Proclamations 10895/10896 "
    "(tradewartracker steel-tariffs.csv, alu-tariffs.csv), of the 2026 annex I-A and of the 2018 scope; "
    "derivatives outside these chapters (232 duty on the metal content only; in force from a date Commerce was to "
    "certify) are not covered.",
    "M043": "Lines of the auto list other than 8703/8704, less lines already under steel/aluminium.",
    "M075": "HTS 8471.50, 8471.80, 8473.30 counted whole: an upper bound (the tariff hits a narrow category of "
    "advanced chips with wide end-use exemptions).",
    "M077": "Exempt: the three Section 122 exemption lists and goods under Section 232 in force.",
    "M082": "Rates not in measures.csv: 10% softwood lumber, 25% upholstered wooden seats and kitchen "
    "cabinets (M082a, 2025-10-14); 25% medium/heavy trucks, 10% buses (M082b, 2025-11-01). Processed "
    "critical minerals: no tariff (not encoded).",
    "M034": "Split: M034a (clause 1, military end users, in force) and M034b (clause 2, paused by M071).",
    "M053": "End '2025-07' (month only) taken as 2025-07-15.",
    "M062": "No end: paused from 2025-11-10 to 2026-11-10 by M081a (the pause lapses by itself).",
    "M063": "No end: paused from 2025-11-07 to 2026-11-10 by M081b.",
    "M026": "Applies to all destinations; the U.S.-only relief of November 2025 (M072) is not encoded.",
    "M046": "Applies to all destinations; the U.S.-only relief of November 2025 (M072) is not encoded.",
    "M081": "The Busan truce package: encoded through its parts (M067-M070, M073) and two pauses of export "
    "controls, M081a (U.S. affiliates rule M062) and M081b (China's October 2025 controls M063).",
    "M079": "No effective date in measures.csv: starts on the announcement day; unconfirmed (1SRC).",
}

KEY_DATES = (
    "2018-01-01", "2019-12-01", "2020-02-14", "2025-01-15", "2025-04-12", "2025-05-14", "2025-06-10",
    "2025-11-10", "2026-06-01",
)  # fmt: skip


def _counts(measures: Sequence[Mapping[str, Any]]) -> str:
    kinds = pd.Series([m["kind"] for m in measures]).value_counts()
    return ", ".join(f"{kind} {count}" for kind, count in kinds.items())


def key_averages(result: Result) -> pd.DataFrame:
    """Trade-weighted average tariff each way on the key dates, on the default world (percent)."""
    from tradewar import load_world
    from tradewar.policy.timeline import Timeline

    world = load_world()
    timeline = Timeline([*result.us_china, *result.partners])
    rows = []
    for day in KEY_DATES:
        frame = timeline.average_tariff(world, day, day)
        rows.append([day, *frame["average_tariff_pct"].tolist()])
    return pd.DataFrame(rows, columns=["date", "USA on CHN", "CHN on USA"])


def us_china_note(result: Result) -> str:
    csv = result.csv
    lines = [
        "# The U.S.-China trade war 2018-2026 as measures: provenance",
        "",
        f"- File: `{US_CHINA}`, {len(result.us_china)} measures ({_counts(result.us_china)}), read by "
        "`tradewar.policy.library.load_library()`.",
        "- Built by: `python -m tools.tariffs.library --source ../shared/data` (script: "
        "`tools.tariffs.library.build`); the curation is the script's data structures.",
        "- Sources: `timeline/measures.csv` (82 measures M001-M082; every measure keeps its CSV id, basis and "
        f"source); the 2018-2020 sector table ({TRACKER_2018}); the 2025-2026 HS product lists of "
        "tradewartracker/trade-war-redux-2025 (`tariff-lists/`: Annex II, electronics of 2025-04-11, autos and "
        "parts, copper, metals annex I-A, Section 122 exemptions, China's March 2025 lists); 2024 U.S. imports "
        "from China by HS2 (`data-hs2/hs2-tariff-5700.csv`, Census); HS6 -> WIOD concordance "
        "(`tradewar/data/concordance/hs6_to_wiod.csv`).",
        "",
        "## Method",
        "",
        "1. Rates are fractions added to the world's baseline (2005 applied tariffs). Layers stack: MFN + "
        "Section 301 + Section 232 + IEEPA + Section 122. Where measures.csv gives cumulative rates "
        "(\"84 (34+50)\"), layers add up to them; a cut is a layer ending and a new one starting.",
        "2. 2018-2020: each change of the sector table (`us_china_2018_2020.csv`) is one layer (increase at the "
        "date minus the increase just before), so `Timeline.tariff_on` reproduces baseline + the table's "
        "`increase_over_2018_01_01` at every table date (tested; M001, absent from the table, aside). China's "
        "MFN changes in the table are layers on every exporter (`CN-MFN-*`).",
        "3. Partial coverage: a measure on some products of a sector enters at rate x coverage share, the share "
        "being the covered HS6 lines' weight in the sector. HS6 lines are split over WIOD sectors with the "
        "concordance shares. Codes in the lists are prefixes (4 digits: every HS6 line under the heading; 8 or "
        "10 digits: the HS6 line counts as covered, an upper bound). The lines are HS 2017 (the tracker's "
        "files); HS 2022 codes of the 2025 lists are mapped back (`HS_2022_TO_2017`).",
        "4. Weights, U.S. imports from China (2025-26 measures): 2024 imports by HS 2017 line, from Census "
        "HS10 data (`tariffs/weights/us_imports_2024_hs10/`, HS 2022 mapped to HS 2017 with `hs6_hs5.csv`; "
        "codes that are not lines go to the lines under their 5- or 4-digit prefix, "
        "`tools.tariffs.weights.align`). The 2018-2020 layers keep the table's weights (2017 by NAICS3, "
        "shared over lines by 2024 imports; see `../tariffs/us_china_2018_2020.md`).",
        "5. Weights, China's imports from the U.S.: U.S. exports to China by HS6 in 2017 (Census), as China's "
        "side of the 2018-2020 table.",
        "6. Stacking (2025): goods under Section 232 pay neither the reciprocal tariff nor the Section 122 "
        "surcharge; a line under two Section 232 actions pays the first one only; the fentanyl tariff and "
        "Section 301 stack on everything. The reciprocal layers exclude Annex II goods and the Section 232 goods "
        "of the day in their sector rates; later carve-outs (M051 electronics, then new Section 232 actions) "
        "are exclusions of those layers.",
        "7. Pauses are suspensions that lapse by themselves (`end` = when the pause runs out); terminations "
        "(M070, M076) are suspensions with no end. Export controls and purchase commitments are recorded "
        "without a tax equivalent or amount effect.",
        "8. Hong Kong and Macau (in the world's ROW) get the IEEPA tariffs through the partner file's ROW series, "
        "not here.",
        "",
        "## Coverage shares",
        "",
        "| measure | what | by sector |",
        "|---|---|---|",
        *[f"| {mid} | {what} | {shares} |" for mid, what, shares in result.shares],
        "",
        "HS codes of the lists that match no HS 2017 line (dropped), with the trade under them (U.S. side: "
        "2024 U.S. imports from China by HS10, HS 2022 codes; China's side, M037 and M040: 2017 U.S. exports to "
        "China by HS6):",
        "",
        *[
            f"- {key}: {len(codes)} codes, {result.unmatched_trade.get(key, float('nan')) / 1e9:.3f} bn USD "
            f"({', '.join(codes[:12])}{', ...' if len(codes) > 12 else ''})"
            for key, codes in result.unmatched.items()
            if codes
        ],
        "",
        "## Every id of measures.csv",
        "",
        "| id | effective | instrument | what was done |",
        "|---|---|---|---|",
    ]
    kinds = {m["id"]: m["kind"] for m in result.us_china}
    for csv_id, row in csv.iterrows():
        if csv_id in result.done:
            encoded = ", ".join(f"{mid} ({kinds[mid]})" for mid in result.done[csv_id])
            text = f"encoded: {encoded}" + (f". {REMARKS[csv_id]}" if csv_id in REMARKS else "")
        else:
            text = f"skipped: {SKIPPED[csv_id]}"
        lines.append(f"| {csv_id} | {row['effective']} | {row['instrument']} | {text} |")
    averages = key_averages(result)
    lines += [
        "",
        "## Average tariff each way on key dates",
        "",
        "`Timeline.average_tariff` on the default world (WIOD 2011 goods trade weights, baseline 2005 applied "
        "tariffs), all built-in measures, percent:",
        "",
        "| date | U.S. on China | China on the U.S. |",
        "|---|---|---|",
        *[f"| {r.date} | {r[1]:.1f} | {r[2]:.1f} |" for r in averages.itertuples(index=False)],
        "",
        "For comparison, PIIE's chart (Bown, 'US-China Trade War Tariffs: An Up-to-Date Chart', 2017 HS-level "
        "trade weights) has the U.S. tariff on Chinese goods at about 3% before July 2018, about 21% from "
        "September 2019 and about 19% after Phase One, and China's on U.S. goods at about 8% rising to about "
        "21%. The U.S. figures here run 4-5 points higher from mid-2019 because of the 2018-2020 table's weights "
        "(see `us_china_2018_2020.md`); the pre-war levels are the world's 2005 tariffs.",
        "",
        "## Open questions",
        "",
        "- Section 301 exclusions (M023, and the 2018-2020 exclusions) are not encoded: no line data.",
        "- China's general licences for U.S. end users (M072): a suspension cannot name one destination.",
        "- China's own exemptions from its 125% (some chips, pharmaceuticals, ethane, aircraft parts, April 2025) "
        "are not in measures.csv and not encoded.",
        "- M082's rates and the Section 232 line lists are upper bounds where lists name 8/10-digit lines; "
        "the first derivatives round outside chapters 72/73/76 is US-232-DERIV-2025-08-18 (below); the February "
        "2025 derivatives outside chapters 72/73/76 (232 duty on the metal content, from a date Commerce was to "
        "certify; Thompson Coburn and DB Schenker, March 2025) are not covered. Until 2025-06-04 a good paying "
        "a steel or aluminium 232 duty paid no reciprocal tariff at all (from then only its non-metal content "
        "did: Proclamation 10947, CBP CSMS 65236374/65236645); had those derivatives been in force from "
        "2025-03-12, the reciprocal tariff would have spared them too (4.1% of the headline's trade, about 5 "
        "points of the 2025-04-12 headline): open.",
        "- M058 taxes chapter 73/76 lines at 50% of the full value from 2025-06-04, while CBP assessed the duty on "
        "the steel or aluminium content only from that day (an upper bound for articles with non-metal parts).",
        "- The headline against the standard chart (Bown, PIIE; `tests/test_headline.py`): within 2 points at "
        "every dated value 2018-2025 but one. The April (124.1) and early-May (126.5) 2025 values of two chart "
        "versions describe the same U.S. measures; the headline (125.3) sits between them. China's side runs "
        "1.0-1.5 points under PIIE at every date, before the war too: PIIE's China series is built with ITC "
        "Trade Map data (China's own import records, about 154 bn USD from the U.S. in 2017, CIF, HS8), the "
        "headline with U.S. exports to China (Census, 129 bn, HS6), the only China-side line weights in the "
        "reference data. With a later revision of China's post-2020 level (20.3 -> 21.1, no new measure), the "
        "implied 2025-01-20 value (21.2) is 2.1 points above the headline (19.1).",
        "- What follows the pauses that end on 2026-11-10 (and the Section 122 surcharge after 2026-07-24) is not "
        "in the sources: the pauses lapse by themselves and the paused rates come back.",
        "",
        "## Measures not in measures.csv (issue 12 item 4)",
        "",
        "Each checked against a primary source (the `source` field); the derivatives and farm-goods lines are "
        "derived from the tracker's lists, flagged `uncertain` with the reason.",
        "",
        "| id | start | what | source |",
        "|---|---|---|---|",
    ]
    for m in result.us_china:
        if m["id"].startswith(("US-232-", "US-301-")) or (m["id"].startswith(EXTRA_PREFIXES) and m["id"].endswith("-1")):
            lines.append(f"| {m['id']} | {m['start']} | {m['description'].split('. Removes')[0]} | {m['source']} |")
    lines += [
        "",
        "Section 122 rate (M077, M077b): " + S122_RATE_NOTE + " The layer is split on 2026-04-06 because the metals "
        "restructuring changes which goods are under Section 232 and so outside the surcharge.",
        "",
        "## Measures considered and not encoded as rates",
        "",
        "| id | from | what | why not | 2024 U.S. imports from China touched |",
        "|---|---|---|---|---|",
    ]
    for mid, (start, what, why, trade) in result.not_encoded.items():
        lines.append(f"| {mid} | {start} | {what} | {why} | {trade} |")
    return "\n".join(lines)


def partners_note(result: Result) -> str:
    from tools.tariffs import partners as partner_lines

    labels = [m["targets"][0] for m in result.partners]
    measures = [f"| {what} | {start} | {detail} | {source} | {flag or '-'} |"
                for what, start, detail, source, flag in partner_lines.PARTNER_MEASURES]
    lines = [
        "# U.S. tariffs on partners other than China, 2025-2026: provenance",
        "",
        f"- File: `{US_PARTNERS}`, {len(result.partners)} tariff layers ({len(set(labels))} partners), read by "
        "`tradewar.policy.library.load_library()`.",
        "- Built by: `python -m tools.tariffs.library --source ../shared/data` (code: `tools/tariffs/partners.py`).",
        "- Weights: U.S. Census 2024 imports by HS10 line for 50 partners and the EU as one "
        "(`tariffs/weights/us_imports_2024_hs10/`, compiled by tradewartracker, MIT), HS 2022 codes mapped to the "
        "library's HS 2017 six-digit lines as for China (`hs6_hs5.csv`, one-to-one, summed). Product lists: "
        "`tariffs/us_2025_2026/tariff-lists/` (tradewartracker) and `tariffs/weights/yale_tariff_rate_tracker/` "
        "(Budget-Lab-Yale/tariff-rate-tracker, MIT).",
        "",
        "## Method",
        "",
        "1. Each partner's tariff on each HS6 line on each day is its increase over 2024, from the measures "
        "below, added line by line: Section 232 in force (the same actions and lines as China's, with the "
        "partner's own derivative metal content and annex shares; the 2018 steel/aluminium duty is subtracted for "
        "partners that paid it in 2024, i.e. all but Canada, Mexico, Australia, Argentina, Brazil, Korea, Japan, "
        "the UK and the EU); while IEEPA duties were collected (to 2026-02-23) the reciprocal tariff outside "
        "Annex II, the electronics exemption, the deals' exemptions and Section 232 goods, the fentanyl tariffs "
        "(Canada, Mexico; Hong Kong as China), Brazil's 40% and India's 25% oil penalty; then Section 122.",
        "2. One layer per model partner and period between consecutive days on which its lines change (the "
        "last has no end); periods with no increase have no layer. The layer's `rate` is the trade-weighted "
        "mean over all the partner's lines (2024 weights); `rate_by_sector` is the trade-weighted mean of the "
        "lines in each sector (HS6 -> WIOD, and HS6 -> ICIO for icio2022). So Ireland's pharmaceuticals, exempt "
        "under Annex II, carry no reciprocal tariff (they had 13.7 points of the EU's HS2 profile before).",
        "3. Partners: every world country but the U.S. and China with a Census file of its own; EU members take "
        "the EU file as one `EU27` layer (the members' own lines are not in the data: the EU's sector rates "
        "stand for each member); `ROW` pools the Census partners outside the world's countries (each with its "
        "own rates and weights). On WIOD every non-EU country has a file (a country without one is a build error "
        "naming its 2024 U.S. imports); on icio2022 countries without a file are the `ROW` layer's targets. "
        "Slovakia's own Census file is inside the EU's and is not used for a model partner.",
        "4. China is not here (`us_china.toml`).",
        "5. Not encoded for partners (see `us_china.md` for the reasons): the country rates of 2025-04-09 "
        "(paused the same day), the 40% transshipment penalty, de minimis, Section 232 pharmaceuticals, the "
        "Section 301 forced-labour duties after 2026-07-24 (not final for any partner in our sources), the "
        "EO 14346 bullion/critical-mineral additions to Annex II of 2025-09-05, over-quota steel under the "
        "2022 tariff-rate quotas, CAFTA-DR textiles under Section 122.",
        "",
        "## Measures",
        "",
        "| measure | from | what | source | uncertain |",
        "|---|---|---|---|---|",
        *measures,
        "",
        "## Partners",
        "",
        *result.partner_notes,
    ]
    return "\n".join(lines)


# ====================================================================== derive and write
LINES_FILE = DATA_DIR / "tariffs" / "layer_lines.csv"
LINE_DIGITS = 8  # decimals of line rates and group shares in layer_lines.csv


def layer_lines(lib: Library, inputs: Inputs) -> pd.DataFrame:
    """Each layer's rate by group of HS6 lines within each (importer, exporter, goods sector).

    Lines of a sector that every layer treats alike form one group (its weight: the group's
    share of the sector's trade), so the table stays small. Weights: China's side, 2017 U.S.
    exports to China by HS6 (as its sector rates); U.S. side, 2024 U.S. imports from China by
    line times (1 + Section 301 rate)^sigma, the 2018-2020 tariffs' effect on the line undone
    as in the 2018-2020 table (``us_china_2018_2020.BACKCAST_SIGMA``), so that the weights are
    the pre-war trade shares the model's baseline stands for. Layers imposed on every exporter
    (China's MFN changes) are left out: they apply uniformly in the model.
    """
    rows = []
    sides = (
        ("USA", "CHN", inputs.us, (1.0 + inputs.us_301) ** table_source.BACKCAST_SIGMA),
        ("CHN", "USA", inputs.cn, None),
    )
    imposer = {m["id"]: (m["imposer"], tuple(m["targets"])) for m in lib.measures if m["kind"] == "tariff"}
    for importer, exporter, products, factor in sides:
        layers = sorted(mid for mid in lib.lines if imposer.get(mid) == (importer, (exporter,)))
        pieces = products.pieces
        weight = pieces["weight"].to_numpy()
        if factor is not None:
            weight = weight * pieces["hs6"].map(factor).fillna(1.0).to_numpy()
        # Exclusions with their own lines (U.S. side): a mask, 1 on the lines they take out, in their sector only.
        masks = sorted(lib.exclusion_lines) if importer == "USA" else []
        for eid in masks:
            sector, excluded = lib.exclusion_lines[eid]
            column = (pieces["hs6"].isin(excluded) & (pieces["sector"] == sector)).astype(float).to_numpy()
            pieces = pieces.assign(**{f"mask:{eid}": column})
        columns = [*layers, *masks]
        rates = np.column_stack(
            [pieces["hs6"].map(lib.lines[mid]).fillna(0.0).to_numpy() for mid in layers]
            + [pieces[f"mask:{eid}"].to_numpy() for eid in masks]
        )
        layers = columns
        frame = pd.DataFrame(np.round(rates, LINE_DIGITS), columns=layers)
        frame["sector"], frame["weight"] = pieces["sector"].to_numpy(), weight
        grouped = frame.groupby(["sector", *layers], sort=True)["weight"].sum().reset_index()
        for sector, part in grouped.groupby("sector", sort=False):
            total = part["weight"].sum()
            if total <= 0:
                continue
            part = part[part["weight"] > 0].sort_values("weight", ascending=False)
            for group, (_, row) in enumerate(part.iterrows()):
                share = _round(row["weight"] / total, LINE_DIGITS)
                taxed = [(mid, row[mid]) for mid in layers if row[mid] != 0]
                for mid, rate in taxed or [("", 0.0)]:
                    rows.append((importer, exporter, sector, group, share, mid, rate))
    table = pd.DataFrame(rows, columns=["importer", "exporter", "sector", "group", "weight", "layer", "rate"])
    order = {label: k for k, label in enumerate(GOODS_LABELS)}
    return table.sort_values(["importer", "sector", "group", "layer"], key=lambda c: c.map(order) if c.name == "sector" else c, kind="stable").reset_index(drop=True)


def lines_note(result: Result) -> str:
    """Provenance of layer_lines.csv."""
    table = result.lines
    groups = table.drop_duplicates(["world", "importer", "sector", "group"]).groupby(["world", "importer"]).size()
    layers = table.loc[table["layer"] != ""].groupby("importer")["layer"].unique()
    return "\n".join([
        "# layer_lines.csv: each tariff layer's rate by group of HS6 lines within a sector",
        "",
        "Built by `python -m tools.tariffs.library --source ../shared/data` (with the measure library;",
        "deterministic). Read by `tradewar.policy.lines`, which turns the lines into the sector tariff that",
        "gives the model the same price index and trade response, (1+t*)^(-theta) = sum w (1+t_line)^(-theta),",
        "with the world's trade elasticity at run time (so for any elasticity set).",
        "",
        "Columns: world (the sector system: wiod2011, and icio2022 from the same lines and weights through",
        "data/concordance/hs6_to_icio2022.csv), importer, exporter, sector (goods sector label of that",
        "world), group (lines that every layer treats",
        "alike), weight (the group's share of the sector's trade), layer (measure id; empty for a group no",
        "layer covers), rate (the layer's rate on the group's lines, fraction). Rounded to "
        f"{LINE_DIGITS} decimals.",
        "",
        "Lines and rates: the same HS6 lines and rates that the layers' sector rates average in",
        "`tools/tariffs/library.py` (2018-2020 layers: the change of each tracker line at the step's date;",
        "Section 232: the action's lines; Section 301 review: each line's rise over its 2020 rate;",
        "reciprocal and Section 122: the rate on every line outside Annex II, Section 232 and the",
        "exemption lists; China: its lists). Lines are split over sectors by the HS6 -> WIOD concordance.",
        "Layers on every exporter (China's MFN changes) and flat layers (IEEPA fentanyl, China's 2025",
        "across-the-board retaliation) are not listed: they apply to every line alike.",
        "",
        "Weights: China's side, U.S. exports to China by HS6 in 2017 (Census), as its sector rates. U.S.",
        "side: 2024 U.S. imports from China by HS 2017 line (Census HS10) times (1 + Section 301 rate)^"
        f"{table_source.BACKCAST_SIGMA}, undoing the 2018-2020 tariffs' effect on the line as the 2018-2020",
        "table does, so that the weights are pre-war trade shares (the model's baseline).",
        "",
        "Use at run time: each layer's *shape* across groups comes from here, its *level* is the layer's",
        "sector rate as it applies that day (suspensions, exclusions), so the trade-weighted mean of the",
        "lines is always the layer's sector rate. Exclusions of the U.S. reciprocal layers (M051*, M043r*,",
        "M061r*, M082*r*, AGRI-*) are listed too, as masks (rate 1 on the lines they take out, in their",
        "sector): the model zeroes the excluded layers on those lines and keeps the sector rate's level on",
        "the rest. Exclusions without lines here (China's M022a) lower a layer evenly across its lines.",
        "Layers add up line by line before aggregating.",
        "",
        "Size: " + ", ".join(f"{w} {imp} side {n} groups" for (w, imp), n in groups.items()) + f"; {len(table)} rows.",
        "",
        "Layers listed: " + "; ".join(f"{imp}: {', '.join(sorted(v))}" for imp, v in layers.items()) + ".",
    ])


SPREADS_FILE = DATA_DIR / "tariffs" / "partner_lines.bin.gz"


def write_spreads(spreads: Mapping[str, Mapping[str, Any]], path: Path) -> Path:
    """Write the partner layers' line distributions (``partners.label_spreads`` by world), deterministically
    (sorted worlds, gzip without a timestamp), without the check figures (they go in the note): one line
    of JSON (index, imports, units), then each world's bins as little-endian arrays -- shares float32,
    rates int32 in units of 1e-RATE_DIGITS -- which numpy reads without parsing (the JSON decimals took
    25 ms of a simulation's start-up)."""
    from tools.tariffs import partners as partner_lines

    unit = 10**partner_lines.RATE_DIGITS
    worlds = sorted(spreads.items())
    header = {
        "note": "partner layers' line distributions by sector; see partner_lines.md",
        "grid": partner_lines.SPREAD_GRID,
        "unit": unit,
        "worlds": {world: {"bins": len(part["share"]), "layers": part["layers"], "imports": part["imports"],
                           "outside": part["outside"]} for world, part in worlds},
    }
    payload = [json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"]
    for _, part in worlds:
        payload.append(np.asarray(part["share"], dtype="<f4").tobytes())
        payload.append(np.round(np.asarray(part["rate"], dtype=float) * unit).astype("<i4").tobytes())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(b"".join(payload), compresslevel=9, mtime=0))
    return path


def spreads_note(result: Result) -> str:
    """Provenance of partner_lines.bin.gz."""
    from tools.tariffs import partners as partner_lines

    sizes = ", ".join(f"{world} {len(part['layers'])} layers, {len(part['share'])} bins"
                      for world, part in sorted(result.spreads.items()))
    errors = "; ".join(
        f"{world}: " + ", ".join(f"theta {theta} {value * 100:.4f} points" for theta, value in part["error"].items())
        for world, part in sorted(result.spreads.items()))
    return "\n".join([
        "# partner_lines.bin.gz: each partner layer's tariff lines by sector, for the model's sector rate",
        "",
        "Built by `python -m tools.tariffs.library --source ../shared/data` with the measure library",
        "(deterministic: gzip without a timestamp, a fixed order). Read by `tradewar.policy.lines`",
        "(`LayerSpread`), which gives each U.S. layer on a partner other than China",
        "(`data/measures/us_partners_2025.toml`) the sector rate with the lines' price index and trade",
        "response, (1+t*)^(-theta) = sum w (1+t_line)^(-theta), at the world's trade elasticity at run",
        "time (any elasticity set); the layer's trade-weighted sector rate (the trackers' statistic, the",
        "timeline's headline) is unchanged.",
        "",
        "Lines, rates, weights: the partner's HS6 lines and their rates in each period from",
        "`tools/tariffs/partners.py` (every measure of the period added on each Census 2024 HS10 line, then",
        "averaged onto HS 2017 six-digit lines by 2024 imports), the partner's 2024 U.S. imports by line as",
        "weights (a group -- the EU, the rest of the world -- pools its members' lines), lines split over",
        "the world's goods sectors by the HS6 concordance: exactly the lines whose trade-weighted mean is",
        "the layer's `rate_by_sector`.",
        "",
        f"Bins: within a sector, lines whose rate rounds to the same multiple of {partner_lines.SPREAD_GRID:g}"
        " form one bin,",
        "stored as its share of the sector's trade and its trade-weighted mean rate (so the bins'",
        "trade-weighted mean is the lines' exactly; untaxed lines are the bin at zero). Shares to",
        f"{partner_lines.SPREAD_DIGITS} significant digits (relative precision: at a high trade elasticity a small",
        "untaxed bin decides the power mean; float32 keeps them), normalised by sector when read; rates",
        f"as integers in units of 1e-{partner_lines.RATE_DIGITS}. Binning moves the power mean by at most about (theta + 1) / 2 x",
        "(spread of rates in a bin)^2; the largest gap between bins and lines over every layer and sector,",
        "in percentage points of the sector tariff, at trade elasticities up to CP2015's largest (64.85,",
        "petroleum; the other sectors' are 17 or less):",
        f"{errors}.",
        "",
        "Layout (gzip): one line of JSON -- `unit` (what the rate integers are divided by), `grid`, and by",
        "sector system `worlds.<system>`: `bins` (how many), `layers` (layer id -> [[sector, first bin,",
        "end], ...]; a sector whose bins are those of the partner's previous period points at the same",
        "slice), `imports` (partner label -> 2024 U.S. imports by sector, outside the goods sectors -- HS",
        "lines the concordance puts elsewhere -- and in all, USD mn) and `outside` (layer id -> its mean",
        "rate on that outside trade: with them the sector rates give back the layer's trade-weighted",
        "`rate` over all its lines) -- then, for each system in the header's order, the bins' shares",
        "(float32) and rates (int32), little-endian. `tradewar.policy.lines.layer_spreads` reads it.",
        "",
        f"Size: {sizes}.",
        "",
        "Use at run time: a layer's bins are scaled so that their trade-weighted mean is the layer's sector",
        "rate as it applies that day (a suspension scales it); other layers in force in the cell apply to",
        "every line alike. A user's layer that reuses an id or changes a built-in layer keeps its",
        "trade-weighted sector rates. On icio2022 they apply as on wiod2011 (its 2022 baseline holds no",
        "partner layer: the world file does not depend on this one).",
    ])


@dataclass
class Result:
    us_china: list[dict[str, Any]]
    partners: list[dict[str, Any]]
    done: dict[str, list[str]]
    shares: list[tuple[str, str, str]]
    unmatched: dict[str, list[str]]
    partner_notes: list[str]
    series: list[Any]  # partners.LabelLines, one per model partner
    csv: pd.DataFrame
    lines: pd.DataFrame = None
    not_encoded: dict[str, tuple[str, str, str, str]] = field(default_factory=dict)
    unmatched_trade: dict[str, float] = field(default_factory=dict)  # list -> USD under its dropped codes
    spreads: dict[str, dict[str, Any]] = field(default_factory=dict)  # world -> partner layers' line distributions


def derive(source_dir: Path, partners: bool = True) -> Result:
    """Every measure of both files (checked as a timeline on the default world), without writing.

    ``partners=False`` leaves the partner file out (its line-by-line build reads 50 partners' Census
    files, about 40 s): for checks of the U.S.-China file only."""
    from tradewar import load_world
    from tradewar.policy.timeline import Timeline

    inputs = load_inputs(source_dir)
    lib = Library(inputs.csv)
    add_2018_2020(lib, inputs)
    actions = section_232_actions(inputs)
    add_section_232(lib, inputs, actions)
    add_section_301_review(lib, inputs)
    add_fentanyl(lib)
    add_reciprocal(lib, inputs, actions)
    add_china_2025(lib, inputs)
    add_recorded(lib)
    lib.measures.sort(key=lambda m: (m["start"], m["id"]))

    from tools.tariffs import partners as partner_lines

    world = load_world()
    series: list[Any] = []
    layers: list[dict[str, Any]] = []
    notes: list[str] = []
    spreads: dict[str, dict[str, Any]] = {}
    if partners:
        series, _ = partner_lines.model_partners(world, source_dir, inputs)
        periods = partner_lines.label_periods(series, PARTNER_DIGITS)
        layers = partner_lines.label_measures(series, PARTNER_DIGITS, periods)
        spreads[world.name] = partner_lines.label_spreads(series, PARTNER_DIGITS, periods)
        notes = partner_lines.notes(series, source_dir, pd.read_csv(BY_PARTNER, dtype={"date": str}))
    Timeline([*lib.measures, *layers]).check_world(world)

    encoded_or_skipped = set(lib.done) | set(SKIPPED)
    missing = sorted(set(inputs.csv.index) - encoded_or_skipped)
    if missing:
        raise ValueError(f"CSV ids neither encoded nor skipped: {missing}")
    return Result(lib.measures, layers, lib.done, lib.shares, inputs.unmatched, notes, series, inputs.csv,
                  layer_lines(lib, inputs).pipe(lambda t: t.insert(0, "world", world.name) or t),
                  not_encoded(source_dir), unmatched_trade(source_dir, inputs.unmatched), spreads)


CHINA_SIDE_LISTS = ("M037", "M040")  # lists of China's measures: trade = U.S. exports to China


def trade_under(codes: Iterable[str], trade: pd.Series) -> float:
    """USD of ``trade`` (indexed by HS code) under any of ``codes`` (prefixes, digits only), each line once."""
    prefixes = tuple(sorted({"".join(ch for ch in str(c) if ch.isdigit()) for c in codes} - {""}))
    if not prefixes:
        return 0.0
    return float(trade[trade.index.astype(str).str.startswith(prefixes)].sum())


def unmatched_trade(source_dir: Path, unmatched: Mapping[str, list[str]]) -> dict[str, float]:
    """For each list's codes that match no HS 2017 line: the trade under them, so the note says what was lost.

    U.S. lists: 2024 U.S. imports from China by HS10 (the lists use HS 2022 codes, as this file does);
    China's lists: 2017 U.S. exports to China by HS6 (8-digit Chinese codes cut to their HS6 line).
    """
    imports, _ = _hs10_imports_from_china(Path(source_dir))
    exports = weights.us_exports_to_china(Path(source_dir))
    out = {}
    for key, codes in unmatched.items():
        if codes:
            china = key in CHINA_SIDE_LISTS
            out[key] = trade_under([c[:6] for c in codes] if china else codes, exports if china else imports)
    return out


def not_encoded(source_dir: Path) -> dict[str, tuple[str, str, str, str]]:
    """NOT_ENCODED with the 2024 U.S. imports from China each touches (an HS chapter's total, else unknown)."""
    imports, _, _ = weights.us_imports_2024(source_dir, "CHN")
    out = {}
    for mid, (start, what, why, chapter) in NOT_ENCODED.items():
        if chapter is None:
            trade = "not measurable from line data"
        else:
            value = float(imports[imports.index.str.startswith(chapter)].sum())
            trade = f"at most {value / 1e9:.2f} bn (all of HS chapter {chapter}; {value / imports.sum():.2%} of the total)"
        out[mid] = (start, what, why, trade)
    return out


def _on_other_worlds(result: Result, source_dir: Path) -> Result:
    """The second concordance pass: every measure's sector table on icio2022 too (library_worlds)."""
    from tools.tariffs import library_worlds
    from tradewar import load_world

    world = load_world(library_worlds.WORLD)
    us_china, partners, targets, lines, spreads = library_worlds.derive_measures(source_dir, world)
    result.spreads = {**result.spreads, library_worlds.WORLD: spreads}
    result.lines = pd.concat([result.lines, lines.assign(world=library_worlds.WORLD)[result.lines.columns]],
                             ignore_index=True)
    result.us_china = library_worlds.merge(result.us_china, us_china)
    result.partners = library_worlds.merge(result.partners, partners, targets=targets)
    from tradewar.policy.timeline import Timeline

    Timeline([*result.us_china, *result.partners]).check_world(world)
    return result


def build(source_dir: Path, output_dir: Path = OUTPUT_DIR, derived: Result | None = None) -> list[Path]:
    """Write ``us_china.toml``, ``us_partners_2025.toml`` and their notes into ``output_dir``.

    ``derived``: what :func:`derive` gave for ``source_dir``, when the caller has it already (the
    tests share one derivation; it is not changed here)."""
    result = derive(Path(source_dir)) if derived is None else copy.copy(derived)
    result = _on_other_worlds(result, Path(source_dir))
    for key, value in sorted(result.unmatched_trade.items(), key=lambda kv: -kv[1]):
        print(f"{key}: {len(result.unmatched[key])} HS codes match no tariff line; {value / 1e9:.3f} bn USD of trade "
              "under them is left out (listed in us_china.md)", file=sys.stderr)
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    header = [
        "The real U.S.-China trade war, 2018-2026: tariff layers, exclusions, suspensions, export controls",
        "and purchase commitments. Generated by `python -m tools.tariffs.library`; do not edit:",
        "change the curation in tools/tariffs/library.py and rebuild. Provenance: us_china.md.",
    ]
    paths = [output_dir / US_CHINA, output_dir / US_PARTNERS]
    paths[0].write_text(toml_text(result.us_china, header), encoding="utf-8")
    header = [
        "U.S. tariff increases over 2024 on every partner but China, 2025-2026 (China: us_china.toml).",
        "Generated by `python -m tools.tariffs.library`; do not edit. Provenance: us_partners_2025.md.",
    ]
    paths[1].write_text(toml_text(result.partners, header), encoding="utf-8")
    paths.append(write_text(us_china_note(result), output_dir / "us_china.md"))
    paths.append(write_text(partners_note(result), output_dir / "us_partners_2025.md"))
    lines_path = LINES_FILE if output_dir == OUTPUT_DIR else output_dir / LINES_FILE.name
    paths.append(write_csv(result.lines, lines_path))
    paths.append(write_text(lines_note(result), lines_path.with_suffix(".md")))
    spreads_path = SPREADS_FILE if output_dir == OUTPUT_DIR else output_dir / SPREADS_FILE.name
    paths.append(write_spreads(result.spreads, spreads_path))
    paths.append(write_text(spreads_note(result), spreads_path.parent / "partner_lines.md"))
    from tradewar.policy.library import write_library_cache  # the parsed copy the package loads fast

    paths.append(write_library_cache(output_dir))
    return paths


if __name__ == "__main__":
    main(build, "Write the built-in library of real measures (data/measures/*.toml).", OUTPUT_DIR)
