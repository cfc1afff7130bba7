"""U.S. tariffs on every partner but China, 2025-2026, line by line from the measures (issue 12).

China's path is built in :mod:`tools.tariffs.library` from its measures on HS6 lines weighted by
2024 U.S. imports. This module does the same for the other 50 partners of the Census 2024 HS10
files (the EU as one, Census code 0003): the same HS6 line universe and product lists, each
partner's own 2024 imports by line as weights, and the measures below, each with its source in
``PARTNER_MEASURES`` (written into ``us_partners_2025.md``).

A partner's tariff on a line at a date is its increase over 2024: Section 232 in force (less the
2018 steel/aluminium duty the partner already paid in 2024), plus, while IEEPA tariffs were
collected (to 2026-02-23), the reciprocal tariff on the lines outside Annex II, the electronics
exemption and Section 232 (no stacking), the fentanyl tariffs on Canada and Mexico (USMCA-
qualifying goods exempt) and the country orders on Brazil and India; then the Section 122
surcharge (2026-02-24 to 2026-07-23) outside its exemptions and Section 232. A model partner's
layer in a period is the trade-weighted mean of its lines by sector (a group -- the EU27 in WIOD
or the rest of the world -- pools its members' lines with their own rates and weights).

Run through ``python -m tools.tariffs.library --source ../shared/data``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tools.tariffs import weights
from tools.tariffs._common import read_csv, require

__all__ = [
    "PARTNER_MEASURES",
    "PARTNER_SOURCES",
    "LabelLines",
    "PartnerLines",
    "breakpoints",
    "checked_notes",
    "label_measures",
    "label_periods",
    "label_spreads",
    "layer_id",
    "line_rates",
    "load_partner",
    "mfn_proxy_check",
    "model_partners",
    "notes",
    "partner_lines",
    "validation",
    "vehicle_range",
]

FOLDER = Path("tariffs") / "us_2025_2026"
LISTS = FOLDER / "tariff-lists"
YALE = Path("tariffs") / "weights" / "yale_tariff_rate_tracker"
COUNTRY_RATES = LISTS / "clean-august-7-tariffs.csv"  # country -> reciprocal rate from 2025-08-07 (EO 14326 Annex I)
ANNEX_II_NOV = LISTS / "annex-II-exemptions-nov14.csv"  # Annex II as amended on 2025-11-14 (farm goods)
USMCA_SHARES = YALE / "usmca_product_shares_2025.csv"  # hts10, cty_code, share of 2025 imports claiming USMCA
FENTANYL_CARVEOUTS = YALE / "fentanyl_carveout_products.csv"  # energy/potash at 10% (Canada), potash (Mexico)
FLOOR_EXEMPT = YALE / "floor_exempt_products.csv"  # aircraft, generic pharma, unavailable resources: deal partners
SEMI_QUALIFYING = YALE / "semi_qualifying_shares.csv"  # HS10 lines of 8471/8473 the 2026 chip tariff reaches
COUNTRY_EO_EXEMPT = YALE / "country_eo_exempt_products.csv"  # Brazil EO 14323 Annex I, with dates

EU_LABEL, EU_CODE = "EU27", "0003"
IEEPA_END = "2026-02-24"  # Learning Resources v. Trump; CBP stops collecting IEEPA duties on entries from this day
S122_START, S122_END, S122_RATE = "2026-02-24", "2026-07-24", 0.10

# Partners whose 2018 Section 232 steel/aluminium duties were not collected in 2024 (exempt: Canada,
# Mexico, Australia; quotas: Argentina, Brazil, Korea; tariff-rate quotas: EU 2022, Japan 2022, UK 2022).
# For everyone else the 2018 duty (25% steel, 10% aluminium) is in the 2024 base, so 2025's metal
# duties add only the difference. Over-quota entries paid 25%: ignored (small).
NO_232_IN_2024 = {"CAN", "MEX", "AUS", "ARG", "BRA", "KOR", "JPN", "GBR", EU_LABEL, "SVK"}
NOT_RECIPROCAL = {"CAN", "MEX", "RUS"}  # CAN/MEX face the fentanyl orders instead; Russia is outside EO 14257
# Deals whose reciprocal rate is "all-in": max(0, floor - MFN) on each line, with their start: EU (EO 14326
# Annex I), Japan (EO 14345, retroactive to 2025-08-07), Switzerland (notice of 2025-12-18, 90 FR 59281, from
# 2025-11-14) and Korea (notice of 2025-12-04, 90 FR 55964, from 2025-11-14; its base is the column 1 general or,
# under KORUS, special rate, which the collected rate follows). The MFN is each line's 2024 collected rate:
# ../shared/data has no MFN schedule by HTS8 (mfn_proxy_check measures the bias this leaves).
FLOORS = {EU_LABEL: ("2025-08-07", 0.15), "SVK": ("2025-08-07", 0.15), "JPN": ("2025-08-07", 0.15),
          "CHE": ("2025-11-14", 0.15), "KOR": ("2025-11-14", 0.15)}
# Products the deals exempt from the reciprocal tariff (civil aircraft, generic pharmaceuticals, unavailable
# natural resources): Yale's floor_exempt_products.csv country group, and the day the exemption applies from.
FLOOR_EXEMPT_GROUPS = {EU_LABEL: ("eu", "2025-09-01"), "SVK": ("eu", "2025-09-01"),
                       "JPN": ("japan", "2025-09-16"), "KOR": ("korea", "2025-11-14"), "CHE": ("swiss", "2025-11-14")}
# Section 232 autos and parts under the deals: UK 10% (EO 14309, from 2025-06-30; all within the quota
# assumed); EU, Japan, Korea 15% all-in (max(0, 15% - MFN)).
AUTO_DEALS = {"GBR": ("2025-06-30", "flat", 0.10), EU_LABEL: ("2025-08-01", "floor", 0.15),
              "SVK": ("2025-08-01", "floor", 0.15), "JPN": ("2025-09-16", "floor", 0.15),
              "KOR": ("2025-11-01", "floor", 0.15)}
# Section 232 wood products under the deals, with their start: UK 10%, EU and Japan 15% all-in from the first
# day (Proclamation 10976); Korea 15% all-in from 2025-11-14 (notice of 2025-12-04, 90 FR 55964).
LUMBER_CAPS = {"GBR": ("2025-10-14", "flat", 0.10), EU_LABEL: ("2025-10-14", "floor", 0.15),
               "SVK": ("2025-10-14", "floor", 0.15), "JPN": ("2025-10-14", "floor", 0.15),
               "KOR": ("2025-11-14", "floor", 0.15)}
# Vehicles from Canada and Mexico: the 25% applies to the full value of non-qualifying vehicles and to the
# non-U.S. content of USMCA-qualifying ones (Proclamation 10908 clause 3(b); Commerce's procedure, 90 FR 21450,
# 2025-05-20; CBP CSMS #65649652, 2025-07-16; the same for trucks, Proclamation 10984). So a line's taxed share
# is 1 - (its USMCA-claim share) x (the U.S. content of a qualifying vehicle). Model-by-model U.S. content is not
# public: 0.40 is the Budget Lab at Yale's tariff-rate-tracker value (config/policy_params.yaml,
# auto_rebate.us_auto_content_share, shared with its Tariff-ETRs model), an assumption flagged uncertain
# (VEHICLE_NOTE). Was 0.76 of full value for every line (19% collected on passenger cars in July 2025).
US_VEHICLE_CONTENT = 0.40
UK_METALS = 0.25  # the UK kept 25% on steel and aluminium when the rest went to 50% (Proclamation 10947)
# Hong Kong: EO 14257 and the fentanyl orders treat its goods as China's.
HKG_RECIPROCAL = (("2025-04-05", 0.10), ("2025-04-09", 0.84), ("2025-04-10", 1.25), ("2025-05-14", 0.10))
HKG_FENTANYL = (("2025-02-04", 0.10), ("2025-03-04", 0.20), ("2025-11-10", 0.10))
FENTANYL = {  # partner -> ((start, rate on non-USMCA goods), ...), energy/potash rate
    "CAN": ((("2025-03-04", 0.25), ("2025-08-01", 0.35)), 0.10),
    "MEX": ((("2025-03-04", 0.25),), 0.10),
}
USMCA_EXEMPT_FROM = "2025-03-07"  # USMCA-qualifying goods exempted from the fentanyl tariffs (EO 14231, 14232)
BRAZIL_RATE, BRAZIL_START = 0.40, "2025-08-06"  # EO 14323 (IEEPA), on top of the 10% reciprocal
INDIA_OIL_RATE, INDIA_OIL_START = 0.25, "2025-08-27"  # EO 14329 (Russian oil), on top of the 25% reciprocal
# EO 14384 (2026-02-06) ended the oil penalty from 2026-02-07 (CBP CSMS #67702087). The 18% reciprocal rate of
# the U.S.-India joint statement of 2026-02-06 was never put in force before IEEPA duties ended (2026-02-24):
# India's reciprocal rate stays at EO 14326's 25% to then.
INDIA_OIL_END = "2026-02-07"
COUNTRY_RATE_START = "2025-08-07"
BASELINE_START, BASELINE_RATE = "2025-04-05", 0.10
FARM_DATE = "2025-11-13"

# The uncertainty that remains after the check of 2026-12 (issue 12 item 4): the vehicles' U.S. content.
VEHICLE_NOTE = (
    "vehicles and trucks from Canada and Mexico pay 25% on the full value when not USMCA-qualifying and on the "
    "non-U.S. content when qualifying (Proclamations 10908, 10984): taxed share 1 - (line's 2025 USMCA-claim "
    "share) x 0.40, the U.S. content Yale's tariff-rate-tracker assumes; U.S. content by model is not public. "
    "Yale's paper-matched variant uses 0.55 for Canada and 0.18 for Mexico (taxed share 0.46 / 0.83 instead of "
    "0.61 / 0.63), and the tariff collected on passenger cars from both in July 2025 (19%, USITC data analysed "
    "by T.D. Cowen) is 0.76 of full value; us_partners_2025.md ('Vehicles from Canada and Mexico') gives the "
    "rates each implies")
# Layers flagged uncertain, by label: (first day the flag applies, reason); Section 232 autos start 2025-04-03.
UNCERTAIN = {"CAN": ("2025-04-03", VEHICLE_NOTE), "MEX": ("2025-04-03", VEHICLE_NOTE)}

# The measures, with sources, as the provenance note lists them (id, dates, what, source, uncertain). Every
# number and date below was checked against the primary text (PARTNER_SOURCES) in December 2026.
PARTNER_MEASURES: tuple[tuple[str, str, str, str, str], ...] = (
    ("Reciprocal 10% baseline", "2025-04-05", "10% on every partner's goods (not CAN, MEX, RUS) outside Annex II "
     "(energy, pharmaceuticals, chips, lumber, copper, critical minerals, bullion), the electronics exemption of "
     "2025-04-11 (retroactive to 2025-04-05) and Section 232 goods (no stacking)",
     "EO 14257 (2025-04-02, 90 FR 15041), Annex II; presidential memorandum 'Clarification of Exceptions Under "
     "Executive Order 14257' (2025-04-11; electronics, retroactive to 2025-04-05, HTSUS 9903.01.32) and CBP CSMS "
     "#64724565 (2025-04-11)", ""),
    ("Reciprocal country rates", "2025-08-07", "each partner's rate of EO 14326 Annex I (10% for partners not "
     "listed); EU and Japan 15% all-in (max(0, 15% - MFN) per line); Switzerland 39%, 15% all-in from 2025-11-14; "
     "Korea 15%, all-in from 2025-11-14; the country rates of 2025-04-09 were paused the same day and are not "
     "encoded",
     "EO 14326 (2025-07-31, 90 FR 37963); EO 14345 (Japan, 2025-09-04, 90 FR 43535, retroactive to 2025-08-07); "
     "EU-U.S. Joint Statement of 2025-08-21 and Commerce/USTR notice FR Doc 2025-18660 (2025-09-25: autos "
     "retroactive to 2025-08-01, exemptions to 2025-09-01); Korea: notice 90 FR 55964 (2025-12-04; autos from "
     "2025-11-01, the rest from 2025-11-14); Switzerland-Liechtenstein: notice 90 FR 59281 (2025-12-18, "
     "retroactive to 2025-11-14; CBP CSMS #67133044)",
     "MFN per line is the partner's 2024 collected rate (Census calculated duty / imports), not the schedule: "
     "see 'MFN under the all-in floors' below (an upward bias of at most half a point)"),
    ("Deal exemptions", "2025-09-01", "civil aircraft, generic pharmaceuticals and unavailable natural resources "
     "out of the reciprocal tariff for the EU (from 2025-09-01), Japan (2025-09-16), Korea and Switzerland "
     "(2025-11-14)",
     "EO 14346 (2025-09-05, 'Modifying the Scope of Reciprocal Tariffs and Establishing Procedures for Implementing "
     "Trade and Security Agreements', Annex 'Potential Tariff Adjustments for Aligned Partners'); the EU, Japan "
     "(90 FR 44638, 2025-09-16), Korea and Switzerland notices above; lists: Budget-Lab-Yale/tariff-rate-tracker "
     "floor_exempt_products.csv (MIT)", ""),
    ("Farm goods out of the reciprocal tariff", "2025-11-13", "Annex II as amended by the order of 2025-11-14 "
     "(coffee, tea, tropical fruit, beef, tomatoes, fertilisers...)",
     "EO of 2025-11-14 'Modifying the Scope of the Reciprocal Tariff with Respect to Certain Agricultural "
     "Products' (effective 2025-11-13; HTSUS 9903.01.32 and 9903.02.78); CBP guidance of 2025-11-14; list: "
     "tradewartracker annex-II-exemptions-nov14.csv", ""),
    ("Fentanyl tariffs on Canada and Mexico", "2025-03-04", "25% (Canada 35% from 2025-08-01; energy and potash "
     "10%), USMCA-qualifying goods exempt from 2025-03-07 (rate x (1 - the line's 2025 USMCA-claim share)); not on "
     "Section 232 goods",
     "EO 14193 (Canada), EO 14194 (Mexico), EO 14231/14232 (USMCA exemption, 2025-03-06), EO 14325 (Canada 35%, "
     "2025-07-31, 90 FR 37957), EO 14289 (no stacking, 2025-04-29, 90 FR 18907; from 2025-06-04 Section 232 "
     "metals take precedence, Proclamation 10947 and CBP CSMS #65236645); USMCA shares: Budget-Lab-Yale/"
     "tariff-rate-tracker usmca_product_shares_2025.csv (MIT; Census imports claiming USMCA by HS10)",
     "2025 USMCA-claim shares stand for the qualifying share in every month"),
    ("Hong Kong as China", "2025-02-04", "China's IEEPA path: fentanyl 10%, 20% from 2025-03-04, 10% from "
     "2025-11-10; reciprocal 10%, 84% (2025-04-09), 125% (2025-04-10), 10% from 2025-05-14 (no Section 301)",
     "EO 14195 (2025-02-01), EO 14228 (2025-03-03, 90 FR 11463), EO 14257 as amended by EO 14259 (2025-04-08), "
     "EO 14266 (2025-04-09) and EO 14298 (2025-05-12, 90 FR 21831: 'the PRC, including Hong Kong and Macau'), "
     "EO 14357 (2025-11-04, fentanyl 10% from 2025-11-10)", ""),
    ("Brazil", "2025-08-06", "40% on top of the 10% reciprocal rate, outside its Annex I exemptions (aircraft, "
     "orange juice, energy...; farm goods added from 2025-11-13) and Section 232",
     "EO 14323 (2025-07-30, 90 FR 37739); EO of 2025-11-20 'Modifying the Scope of Tariffs on the Government of "
     "Brazil' (farm goods, effective 2025-11-13); lists: Budget-Lab-Yale/tariff-rate-tracker "
     "country_eo_exempt_products.csv (MIT)", ""),
    ("India", "2025-08-27", "25% (Russian oil) on top of the 25% reciprocal rate to 2026-02-06; the reciprocal "
     "rate stays 25% until IEEPA duties end (2026-02-24): the 18% of the interim framework was never put in force",
     "EO 14329 (2025-08-06, effective 2025-08-27); EO 14384 'Modifying Duties to Address Threats to the United "
     "States by the Government of the Russian Federation' (2026-02-06: oil penalty ended from 2026-02-07, HTSUS "
     "9903.01.84-.89 terminated) and CBP CSMS #67702087 ('the Reciprocal Tariffs ... remain in effect for "
     "products of India'); U.S.-India joint statement of 2026-02-06 (18% announced, no date; still 'the existing "
     "reciprocal tariff of 25%' on 2026-02-22, Hindustan Times)", ""),
    ("Section 232", "2025-03-12", "the same actions, lines and rates as China's (us_china.md): steel and "
     "aluminium 25% then 50% (UK 25%), derivatives on metal content, autos and parts (UK 10%, EU/Japan/Korea 15% "
     "all-in, Canada/Mexico: USMCA-qualifying parts exempt), copper, lumber and furniture (UK 10%, EU/Japan capped "
     "at 15% all-in, Korea from 2025-11-14), trucks and parts, chips (only the HS10 lines Yale's "
     "semi_qualifying_shares.csv marks), and the 2026-04-06 metals restructuring",
     "Proclamations 10895/10896 (2025-02-10, 90 FR 9807), 10908 (autos, 2025-03-26, 90 FR 14705), 10947 (50%, "
     "2025-06-03, 90 FR 24199), 10962 (copper, 2025-07-30), 10976 (lumber, 2025-09-29), 10984 (trucks, "
     "2025-10-17, 90 FR 48451); EO 14309 (UK, 2025-06-16); BIS notice 90 FR 40326 (407 derivatives, 2025-08-18); "
     "proclamation of 2026-04-02 (metals); the EU, Japan and Korea notices above; U.S. content of USMCA "
     "vehicles: 90 FR 21450 (2025-05-20) and CBP CSMS #65649652 (2025-07-16)",
     VEHICLE_NOTE + "; their USMCA-qualifying parts are exempt (rate x (1 - the line's USMCA-claim share))"),
    ("Section 122", "2026-02-24", "10% to 2026-07-23 outside its exemption lists and Section 232 goods; "
     "USMCA-qualifying goods of Canada and Mexico exempt",
     "Proclamation of 2026-02-20 'Imposing a Temporary Import Surcharge' (to 12:01 a.m. 2026-07-24); CBP CSMS "
     "#67844987 (HTSUS 9903.03.01); IEEPA duties end: EO 'Ending Certain Tariff Actions' (2026-02-20) and CBP CSMS "
     "#67834313 (entries from 12:00 a.m. 2026-02-24), after Learning Resources, Inc. v. Trump (No. 24-1287, "
     "2026-02-20)",
     "CAFTA-DR duty-free textiles exemption not modelled"),
)  # fmt: skip

# The primary texts checked (issue 12 item 4): what, issuer, date, number, address.
PARTNER_SOURCES: tuple[tuple[str, str, str, str, str], ...] = (
    ("Implementing the United States-Japan Agreement", "President (EO)", "2025-09-04", "EO 14345, 90 FR 43535 "
     "(FR Doc 2025-17389)", "https://www.govinfo.gov/content/pkg/FR-2025-09-09/html/2025-17389.htm"),
    ("Implementing Certain Tariff-Related Elements of the United States-Japan Agreement", "Commerce (ITA)",
     "2025-09-16", "90 FR 44638 (FR Doc 2025-17908)",
     "https://www.govinfo.gov/content/pkg/FR-2025-09-16/html/2025-17908.htm"),
    ("Modifying the Scope of Reciprocal Tariffs and Establishing Procedures for Implementing Trade and Security "
     "Agreements", "President (EO)", "2025-09-05", "EO 14346 (Annex II changes from 2025-09-08: CBP CSMS "
     "#66151866)", "https://content.govdelivery.com/accounts/USDHSCBP/bulletins/3f165ba"),
    ("Further Modifying the Reciprocal Tariff Rates", "President (EO)", "2025-07-31", "EO 14326, 90 FR 37963 "
     "(FR Doc 2025-15010)", "https://www.govinfo.gov/content/pkg/FR-2025-08-06/html/2025-15010.htm"),
    ("Implementing Certain Tariff-Related Elements of the U.S.-EU Framework on an Agreement on Reciprocal, Fair, "
     "and Balanced Trade", "Commerce (ITA) and USTR", "2025-09-25", "FR Doc 2025-18660",
     "https://www.federalregister.gov/documents/2025/09/25/2025-18660"),
    ("Implementing Certain Tariff-Related Elements of the U.S.-Korea Strategic Trade and Investment Deal",
     "USTR and Commerce (ITA)", "2025-12-04", "90 FR 55964 (FR Doc 2025-21940)",
     "https://www.govinfo.gov/content/pkg/FR-2025-12-04/html/2025-21940.htm"),
    ("Implementing Certain Tariff-Related Elements of the Framework for a United States-Switzerland-Liechtenstein "
     "Agreement on Fair, Balanced, and Reciprocal Trade", "USTR and Commerce; CBP guidance", "2025-12-18",
     "90 FR 59281 (FR Doc 2025-23316); CBP CSMS #67133044 (2025-12-17)",
     "https://content.govdelivery.com/accounts/USDHSCBP/bulletins/4005e74"),
    ("Modifying Duties to Address Threats to the United States by the Government of the Russian Federation",
     "President (EO); CBP guidance", "2026-02-06", "EO 14384; CBP CSMS #67702087",
     "https://content.govdelivery.com/accounts/USDHSCBP/bulletins/4090d47"),
    ("Addressing Threats to the United States by the Government of Brazil", "President (EO)", "2025-07-30",
     "EO 14323, 90 FR 37739 (FR Doc 2025-14896)",
     "https://www.govinfo.gov/content/pkg/FR-2025-08-05/html/2025-14896.htm"),
    ("Amendment to Duties To Address the Flow of Illicit Drugs Across Our Northern Border", "President (EO)",
     "2025-07-31", "EO 14325, 90 FR 37957 (FR Doc 2025-14999)",
     "https://www.govinfo.gov/content/pkg/FR-2025-08-06/html/2025-14999.htm"),
    ("Addressing Certain Tariffs on Imported Articles", "President (EO)", "2025-04-29", "EO 14289, 90 FR 18907 "
     "(FR Doc 2025-07835)", "https://www.govinfo.gov/content/pkg/FR-2025-05-02/html/2025-07835.htm"),
    ("Modifying Reciprocal Tariff Rates To Reflect Discussions With the People's Republic of China",
     "President (EO)", "2025-05-12", "EO 14298, 90 FR 21831 (FR Doc 2025-09297)",
     "https://www.govinfo.gov/content/pkg/FR-2025-05-21/html/2025-09297.htm"),
    ("Adjusting Imports of Automobiles and Automobile Parts Into the United States", "President (proclamation)",
     "2025-03-26", "Proclamation 10908, 90 FR 14705 (FR Doc 2025-05930)",
     "https://www.govinfo.gov/content/pkg/FR-2025-04-03/html/2025-05930.htm"),
    ("Procedures for Submissions by Importers of Automobiles Qualifying for Preferential Tariff Treatment Under "
     "the USMCA To Determine U.S. Content", "Commerce (ITA)", "2025-05-20", "90 FR 21450 (FR Doc 2025-08917)",
     "https://www.federalregister.gov/documents/2025/05/20/2025-08917"),
    ("Applying Section 232 Import Duties on USMCA-Qualifying Passenger Vehicles and Light Trucks", "CBP",
     "2025-07-16", "CSMS #65649652", "https://content.govdelivery.com/accounts/USDHSCBP/bulletins/3e9bbf4"),
    ("Adjusting Imports of Aluminum and Steel Into the United States", "President (proclamation)", "2025-06-03",
     "Proclamation 10947, 90 FR 24199 (FR Doc 2025-10524)",
     "https://www.govinfo.gov/content/pkg/FR-2025-06-09/html/2025-10524.htm"),
    ("Adjusting Imports of Medium- and Heavy-Duty Vehicles, Medium- and Heavy-Duty Vehicle Parts, and Buses",
     "President (proclamation)", "2025-10-17", "Proclamation 10984, 90 FR 48451 (FR Doc 2025-19639)",
     "https://www.govinfo.gov/content/pkg/FR-2025-10-22/html/2025-19639.htm"),
    ("Adoption and Procedures of the Section 232 Steel and Aluminum Tariff Inclusions Process", "Commerce (BIS)",
     "2025-08-19", "90 FR 40326 (FR Doc 2025-15819), effective 2025-08-18",
     "https://www.govinfo.gov/content/pkg/FR-2025-08-19/html/2025-15819.htm"),
    ("Section 122 surcharge and the end of IEEPA duties", "CBP", "2026-02-22/23", "CSMS #67834313 and #67844987",
     "https://content.govdelivery.com/bulletins/gd/USDHSCBP-40b3b7b"),
)  # fmt: skip

# The statutory MFN the floors' proxy is measured against: the only one in ../shared/data, the 2018-01-01 HS6
# column 1 rate of the U.S.-China file (percent; a simple average over each HS6's HS8 lines).
STATUTORY_MFN = Path("tariffs") / "us_china_2018_2020" / "us_tariffs_2020.csv"
MFN_CHECK = (("EU27", "2025-12-01"), ("JPN", "2025-12-01"), ("CHE", "2025-12-01"))

# Census names of clean-august-7-tariffs.csv that differ from the Census mapping's country names.
NAME_FIXES = {"SOUTH KOREA": "KOR", "TAIWAN": "TWN", "TURKEY": "TUR", "VIETNAM": "VNM", "RUSSIA": "RUS",
              "UNITED KINGDOM": "GBR", "SWITZERLAND": "CHE", "CÔTE D`IVOIRE": "CIV", "MYANMAR (BURMA)": "MMR",
              "LAOS": "LAO", "BRUNEI": "BRN", "DEMOCRATIC REPUBLIC OF THE CONGO": "COD", "SYRIA": "SYR",
              "MOLDOVA": "MDA", "FALKLAND ISLANDS": "FLK", "BOLIVIA": "BOL", "VENEZUELA": "VEN"}  # fmt: skip


@dataclass
class PartnerLines:
    """One Census partner's HS10 lines and what the measures need; rates are set per HS10 line and
    averaged (2024 imports) onto the library's HS 2017 six-digit lines.

    Product lists (HTS8/HTS10 codes) are matched to the HS10 lines, so a list that names part of an
    HS6 line exempts only that part. Section 232 actions are China's (HS6 lines, ``library``) with this
    partner's derivative metal content and metals-annex shares."""

    iso3: str
    code: str
    hs10: np.ndarray  # (row,) HS10 codes (HS 2022)
    row_imports: np.ndarray  # (row,) 2024 imports, USD
    mfn: np.ndarray  # (row,) 2024 collected rate (calculated duty / imports): the MFN rate the floors use
    usmca: np.ndarray  # (row,) share of the row's 2025 imports claiming USMCA (Canada, Mexico; else 0)
    chips: np.ndarray  # (row,) 1 on the HS10 lines the 2026 chip tariff reaches
    masks: dict[str, np.ndarray]  # list name -> (row,) bool
    actions: list  # Section 232 actions (library.Section232)
    action_rows: dict[str, np.ndarray]  # action id -> (row,) rate of the row's HS6 line
    universe: pd.Index  # the library's HS 2017 six-digit lines
    source: np.ndarray  # (piece,) row of each piece of the row -> line aggregation
    target: np.ndarray  # (piece,) universe position
    share: np.ndarray  # (piece,) share of the row's imports placed on that line

    @property
    def imports(self) -> pd.Series:
        """2024 imports by universe line (USD)."""
        value = np.bincount(self.target, self.row_imports[self.source] * self.share, minlength=len(self.universe))
        return pd.Series(value, index=self.universe)

    def to_lines(self, rate: np.ndarray) -> pd.Series:
        """Import-weighted mean of a per-row rate on each universe line (0 where a line has no imports)."""
        weight = self.row_imports[self.source] * self.share
        num = np.bincount(self.target, weight * rate[self.source], minlength=len(self.universe))
        den = np.bincount(self.target, weight, minlength=len(self.universe))
        return pd.Series(np.divide(num, den, out=np.zeros_like(num), where=den > 0), index=self.universe)


def _placement(lines: pd.Series, imports: np.ndarray, universe: pd.Index) -> tuple[np.ndarray, ...]:
    """Rows -> universe lines: a row at a line keeps it; a row at a code the universe lacks goes to the
    lines under its five-, else four-digit prefix, in proportion to their own imports (equally where they
    have none), as ``weights.align`` does; rows with no line under their heading are left out."""
    position = {line: k for k, line in enumerate(universe)}
    own = np.bincount([position.get(c, 0) for c in lines], np.where(lines.isin(position), imports, 0.0),
                      minlength=len(universe))
    source, target, share = [], [], []
    codes = lines.to_numpy()
    for code in np.unique(codes):
        rows = np.flatnonzero(codes == code)
        if code in position:
            hits, weights_ = [position[code]], np.array([1.0])
        else:
            hits = []
            for digits in (5, 4):
                hits = [k for k, line in enumerate(universe) if line[:digits] == code[:digits]]
                if hits:
                    break
            if not hits:
                continue
            base = own[hits]
            weights_ = base / base.sum() if base.sum() > 0 else np.full(len(hits), 1.0 / len(hits))
        for k, w in zip(hits, weights_, strict=True):
            source.append(rows)
            target.append(np.full(len(rows), k))
            share.append(np.full(len(rows), w))
    return np.concatenate(source), np.concatenate(target), np.concatenate(share)


def _census_codes(source_dir: Path) -> pd.Series:
    table = read_csv(source_dir / weights.CENSUS_CODES, "Census country codes with ISO3", dtype=str).dropna()
    return table.set_index(table["CTY_CODE"].str.zfill(4))["ISO3"]


def census_partners(source_dir: Path) -> dict[str, str]:
    """ISO3 (``EU27`` for the EU) -> Census code, for every partner with a 2024 HS10 file."""
    folder = require(source_dir / weights.HS10_FOLDER / "LICENSE", "2024 U.S. imports by HS10 and partner").parent
    iso3 = _census_codes(source_dir)
    out = {}
    for path in sorted(folder.glob("2024-hs10-imports*.parquet")):
        code = path.stem.removeprefix("2024-hs10-imports")
        label = EU_LABEL if code == EU_CODE else iso3.get(code)
        if label is None:
            raise ValueError(f"{path.name}: Census code {code} has no ISO3 in {weights.CENSUS_CODES}")
        out[label] = code
    return out


def hs10_imports(source_dir: Path, code: str, label: str) -> pd.DataFrame:
    """2024 U.S. imports from the Census partner ``code`` (``label`` names it in errors), one row per HS10:
    hs10, its HS 2017 six-digit ``line`` (HS 2022 codes mapped with hs6_hs5.csv), imports and duty (USD)."""
    path = require(source_dir / weights.HS10_FOLDER / f"2024-hs10-imports{code}.parquet",
                   f"2024 U.S. imports from {label} by HS10")
    raw = pd.read_parquet(path, columns=["HS10", "HS6", "imports", "duty"])
    hs10 = raw["HS10"].astype(str).str.zfill(10)
    hs6 = raw["HS6"].astype(str).str.zfill(6)
    line = hs6.map(weights._hs2017(source_dir)).fillna(hs6)
    return pd.DataFrame({"hs10": hs10, "line": line, "imports": raw["imports"].astype(float),
                         "duty": raw["duty"].astype(float)})


def _usmca(source_dir: Path, code: str, frame: pd.DataFrame) -> pd.Series:
    """USMCA-claim share of each HS10 row; rows the file lacks take their chapter's import-weighted mean."""
    table = read_csv(source_dir / USMCA_SHARES, "USMCA-claim shares by HS10", dtype={"hts10": str, "cty_code": str})
    table = table[table["cty_code"].str.zfill(4) == code]
    by_hs10 = table.assign(hts10=table["hts10"].str.zfill(10)).drop_duplicates("hts10").set_index("hts10")
    share = frame["hs10"].map(by_hs10["usmca_share"].astype(float))
    chapter_of = frame["hs10"].str[:2]
    known = frame["imports"].where(share.notna(), 0.0)
    chapter = (share.fillna(0.0) * frame["imports"]).groupby(chapter_of).sum() / known.groupby(chapter_of).sum()
    return share.fillna(chapter_of.map(chapter)).fillna(0.0).clip(0.0, 1.0)


def list_prefixes(source_dir: Path, base) -> dict[str, tuple[str, ...]]:
    """HTS prefixes (digits) of every product list the partner measures use (``base``: library.Inputs)."""
    lists = base.lists

    def digits(codes: Iterable[str]) -> tuple[str, ...]:
        # Lists written as ten digits ending in "00" name an HTS8 subheading (Annex II is published at
        # eight digits): match every statistical suffix under it.
        found = {"".join(ch for ch in str(c) if ch.isdigit()) for c in codes if str(c).strip()} - {""}
        return tuple(sorted({c[:8] if len(c) == 10 and c.endswith("00") else c for c in found}))

    floor = read_csv(source_dir / FLOOR_EXEMPT, "deal exemption lists", dtype=str)
    eo = read_csv(source_dir / COUNTRY_EO_EXEMPT, "Brazil EO 14323 exemptions", dtype=str, comment="#")
    eo = eo[eo["ch99_code"] == "9903.01.77"]
    carve = read_csv(source_dir / FENTANYL_CARVEOUTS, "fentanyl carve-outs", dtype=str)
    nov = read_csv(source_dir / ANNEX_II_NOV, "Annex II of 2025-11-14", dtype=str).iloc[:, 0].dropna()
    out = {
        "annex_ii": digits(lists["annex_ii"]),
        "annex_ii_nov": digits(nov),
        "electronics": digits(lists["electronics"]),
        "s122": digits(lists["s122"] + lists["s122_aircraft"] + lists["s122_specific"]),
        "brazil": digits(eo.loc[eo["effective_date_start"] < FARM_DATE, "hts10"]),
        "brazil_farm": digits(eo["hts10"]),
        "energy_ca": digits(carve.loc[carve["category"].str.endswith("_ca"), "hts8"]),
        "potash_mx": digits(carve.loc[carve["category"] == "potash_mx", "hts8"]),
    }
    for group in ("eu", "japan", "korea", "swiss"):
        out[f"floor_{group}"] = digits(floor.loc[floor["country_group"] == group, "hts8"])
    empty = sorted(name for name, codes in out.items() if not codes)
    if empty:
        raise ValueError(f"partner product lists with no HS code: {empty}; the trade they affect is unknown")
    return out


def load_partner(source_dir: Path, label: str, code: str, base, lists: Mapping[str, tuple[str, ...]]) -> PartnerLines:
    """One partner's HS10 lines, MFN, USMCA and chip shares, list masks and Section 232 actions."""
    from tools.tariffs import library

    frame = hs10_imports(source_dir, code, label)
    universe = base.us.lines
    imports = frame["imports"].to_numpy()
    mfn = np.divide(frame["duty"].to_numpy(), imports, out=np.zeros(len(frame)), where=imports > 0)
    usmca = (_usmca(source_dir, code, frame).to_numpy() if label in FENTANYL else np.zeros(len(frame)))
    qualifying = read_csv(source_dir / SEMI_QUALIFYING, "chip tariff qualifying shares", dtype={"hts10": str},
                          usecols=[0, 1], on_bad_lines="skip", engine="python")
    chips = frame["hs10"].map(qualifying.set_index(qualifying["hts10"].str.zfill(10))["qualifying_share"])
    inputs = replace(base, unmatched={},  # the actions only name lines: the shared universe (lookups memoised)
                     derivative_content=library.derivative_content(source_dir, code),
                     metals_annexes=library.metals_annex_lines(
                         source_dir, pd.Series(mfn).groupby(frame["line"].to_numpy()).mean(), code))
    actions = library.section_232_actions(inputs)
    line = frame["line"]
    action_rows = {a.id: line.map(a.lines).fillna(0.0).to_numpy(dtype=float) for a in actions}
    masks = {name: frame["hs10"].str.startswith(prefixes).to_numpy() for name, prefixes in lists.items()}
    source, target, share = _placement(line, imports, universe)
    return PartnerLines(label, code, frame["hs10"].to_numpy(), imports, mfn, usmca,
                        chips.fillna(0.0).to_numpy(dtype=float), masks, actions, action_rows, universe,
                        source, target, share)


def _in_force(start: str, end: str | None, day: str) -> bool:
    return start <= day and (end is None or day < end)


def _step(steps: Sequence[tuple[str, float]], day: str) -> float:
    rate = 0.0
    for start, value in steps:
        if start <= day:
            rate = value
    return rate


def section_232(p: PartnerLines, day: str) -> tuple[np.ndarray, np.ndarray]:
    """The partner's Section 232 rate by HS10 row on ``day`` and the rows it covers (for no-stacking)."""
    size = len(p.row_imports)
    rate = np.zeros(size)
    covered = np.zeros(size, dtype=bool)
    mfn = p.mfn
    floor = lambda level: np.clip(level - mfn, 0.0, None)  # noqa: E731
    for action in p.actions:
        # M001 (2018 steel/aluminium) is in the 2024 base where it was paid and never applied elsewhere
        if action.id == "M001" or not _in_force(action.start, action.end, day) or not action.lines:
            continue
        lines = p.action_rows[action.id]
        on = lines > 0
        if action.id in ("M042", "M043") and p.iso3 in AUTO_DEALS and day >= AUTO_DEALS[p.iso3][0]:
            _, kind, level = AUTO_DEALS[p.iso3]
            lines = np.where(on, level if kind == "flat" else floor(level), 0.0)
        if action.id in ("M058", "US-232-DERIV-2025-08-18") and p.iso3 == "GBR":
            lines = lines * (UK_METALS / 0.50)
        if action.id == "M082a" and p.iso3 in LUMBER_CAPS and day >= LUMBER_CAPS[p.iso3][0]:
            _, kind, level = LUMBER_CAPS[p.iso3]
            lines = np.where(on, np.minimum(lines, level if kind == "flat" else floor(level)), 0.0)
        if action.id == "M075":  # advanced chips only: the line's share in the qualifying HS10 lines
            lines = lines * p.chips
            on = lines > 0
        if action.id in ("M043", "US-232-MHD-PARTS") and p.iso3 in FENTANYL:  # USMCA-qualifying parts exempt
            lines = lines * (1.0 - p.usmca)
        if action.id in ("M042", "M082b") and p.iso3 in FENTANYL:  # qualifying vehicles: on non-U.S. content
            lines = lines * (1.0 - p.usmca * US_VEHICLE_CONTENT)
        if action.id != "US-232-DERIV-2025-08-18":  # metal-content duty: the rest of the line stays taxed
            covered |= on
        rate = rate + lines
    if p.iso3 not in NO_232_IN_2024:  # the 2018 duties already paid in 2024
        rate = np.clip(rate - p.action_rows["M001"], 0.0, None)
    return rate, covered


def reciprocal_rate(p: PartnerLines, day: str, country_rates: Mapping[str, float]) -> np.ndarray:
    """The reciprocal tariff by line on ``day`` before exemptions (0 where the partner is not subject)."""
    size = len(p.row_imports)
    if p.iso3 in NOT_RECIPROCAL or day < BASELINE_START or day >= IEEPA_END:
        return np.zeros(size)
    if p.iso3 == "HKG":
        return np.full(size, _step(HKG_RECIPROCAL, day))
    level = BASELINE_RATE
    if day >= COUNTRY_RATE_START:
        level = country_rates.get(p.iso3, BASELINE_RATE)
    if p.iso3 in FLOORS and day >= FLOORS[p.iso3][0]:
        return np.clip(FLOORS[p.iso3][1] - p.mfn, 0.0, None)
    return np.full(size, level)


def line_rates(p: PartnerLines, day: str, country_rates: Mapping[str, float]) -> pd.Series:
    """The partner's U.S. tariff increase over 2024 on ``day``, every measure added on each HS10 row, averaged
    onto the library's HS6 lines (2024 imports)."""
    m = p.masks
    s232, covered = section_232(p, day)
    total = s232.copy()
    ieepa = day < IEEPA_END
    usmca = p.usmca
    annex = m["annex_ii"] | (m["annex_ii_nov"] if day >= FARM_DATE else False)
    exempt = annex | m["electronics"] | covered
    if p.iso3 in FLOOR_EXEMPT_GROUPS and day >= FLOOR_EXEMPT_GROUPS[p.iso3][1]:
        exempt = exempt | m[f"floor_{FLOOR_EXEMPT_GROUPS[p.iso3][0]}"]
    total += np.where(exempt, 0.0, reciprocal_rate(p, day, country_rates))
    if ieepa and p.iso3 == "HKG":
        total += np.where(covered, 0.0, _step(HKG_FENTANYL, day))
    if ieepa and p.iso3 in FENTANYL:
        steps, low = FENTANYL[p.iso3]
        rate = _step(steps, day)
        if rate > 0:
            low_lines = m["energy_ca"] if p.iso3 == "CAN" else m["potash_mx"]
            line = np.where(low_lines, low, rate)
            if day >= USMCA_EXEMPT_FROM:
                line = line * (1.0 - usmca)
            total += np.where(covered, 0.0, line)
    if ieepa and p.iso3 == "BRA" and day >= BRAZIL_START:
        listed = m["brazil_farm"] if day >= FARM_DATE else m["brazil"]
        total += np.where(listed | covered, 0.0, BRAZIL_RATE)
    if ieepa and p.iso3 == "IND" and INDIA_OIL_START <= day < INDIA_OIL_END:
        total += np.where(exempt, 0.0, INDIA_OIL_RATE)
    if S122_START <= day < S122_END:
        line = np.where(m["s122"] | covered, 0.0, S122_RATE)
        if p.iso3 in FENTANYL:
            line = line * (1.0 - usmca)
        total += line
    return p.to_lines(total)


def breakpoints(actions: Iterable[Any] = ()) -> list[str]:
    """Every day on which some partner's measures change (the start of each period)."""
    days = {"2025-02-04", "2025-03-04", USMCA_EXEMPT_FROM, BASELINE_START, COUNTRY_RATE_START, FARM_DATE,
            IEEPA_END, S122_END, BRAZIL_START, INDIA_OIL_START, INDIA_OIL_END, "2025-09-01", "2025-09-16",
            "2025-11-14", "2025-06-30", "2025-08-01", "2025-11-01"}  # fmt: skip
    days |= {d for d, _ in HKG_RECIPROCAL} | {d for d, _ in HKG_FENTANYL}
    for action in actions:
        days |= {action.start} | ({action.end} if action.end else set())
    return sorted(d for d in days if d >= "2025-01-01")


def country_rates(source_dir: Path) -> dict[str, float]:
    """ISO3 -> reciprocal rate from 2025-08-07 (EO 14326 Annex I as transcribed by the tracker)."""
    table = read_csv(source_dir / COUNTRY_RATES, "reciprocal rates of 2025-08-07", dtype={"country_name": str})
    census = read_csv(source_dir / weights.CENSUS_CODES, "Census country codes with ISO3", dtype=str).dropna()
    by_name = dict(zip(census["country"].str.upper(), census["ISO3"], strict=True))
    out = {}
    for name, rate in zip(table["country_name"], table["rtariff-aug"], strict=True):
        iso3 = NAME_FIXES.get(name, by_name.get(name))
        if iso3 is not None:
            out[iso3] = float(rate) / 100.0
    return out


@dataclass(frozen=True)
class LabelLines:
    """A model partner (a country or a group) and its members' line rates by period."""

    label: str
    name: str
    members: tuple[str, ...]
    periods: tuple[tuple[str, str | None], ...]
    weights: pd.Series  # pooled 2024 imports by line
    rates: tuple[pd.Series, ...]  # pooled (import-weighted) rate by line, one per period
    headline: tuple[float, ...]  # trade-weighted mean over all lines (2024 weights), one per period


_CACHE: dict[Path, dict[str, tuple[PartnerLines, tuple[str, ...], tuple[pd.Series, ...]]]] = {}


def partner_lines(source_dir: Path, base=None) -> dict[str, tuple[PartnerLines, tuple[str, ...], tuple[pd.Series, ...]]]:  # noqa: E501
    """Every Census partner but China: its lines and its line rates at each breakpoint.

    ``base`` (library.Inputs) gives the line universe and lists; the result is kept per source folder
    (lines and rates do not depend on the sector system, so the second world's pass reuses them)."""
    source_dir = Path(source_dir).resolve()
    if source_dir in _CACHE:
        return _CACHE[source_dir]
    if base is None:
        raise ValueError("partner_lines needs the library's inputs the first time it runs")
    lists = list_prefixes(source_dir, base)
    rates = country_rates(source_dir)
    loaded = {label: load_partner(source_dir, label, code, base, lists)
              for label, code in census_partners(source_dir).items() if label != "CHN"}
    days = tuple(breakpoints(a for p in loaded.values() for a in p.actions))
    out = {label: (p, days, tuple(line_rates(p, day, rates) for day in days)) for label, p in loaded.items()}
    _CACHE[source_dir] = out
    return out


def pooled(source_dir: Path, label: str, name: str, members: Iterable[str]) -> LabelLines:
    """A model partner's line rates by period: its members' lines pooled by 2024 imports."""
    data = partner_lines(source_dir)
    members = tuple(m for m in members if m in data)
    if not members:
        raise ValueError(f"{label} ({name}) has no member with 2024 U.S. import weights by line")
    days = data[members[0]][1]
    total = sum(data[m][0].imports for m in members)
    rates = []
    for k in range(len(days)):
        value = sum(data[m][0].imports * data[m][2][k] for m in members)
        rates.append((value / total.replace(0.0, np.nan)).fillna(0.0))
    # merge days on which nothing changes for this label
    kept: list[int] = [k for k in range(len(days)) if k == 0 or not np.allclose(rates[k], rates[k - 1], atol=1e-12)]
    periods = tuple((days[k], days[kept[j + 1]] if j + 1 < len(kept) else None) for j, k in enumerate(kept))
    chosen = tuple(rates[k] for k in kept)
    headline = tuple(float((r * total).sum() / total.sum()) for r in chosen)
    return LabelLines(label, name, members, periods, total, chosen, headline)


def label_periods(items: Sequence[LabelLines], digits: int) -> list[tuple[Any, ...]]:
    """(item, products, start, end, line rates, headline, sector rates) of each model partner's layer, in
    order: periods without any rate (after rounding to ``digits``) have no layer. Products are the
    item's 2024 lines on the goods sectors of the world being built (``library.CONCORDANCE``). Computed
    once per world for :func:`label_measures` and :func:`label_spreads`."""
    from tools.tariffs import library

    concordance = pd.read_csv(library.CONCORDANCE, dtype={"hs6": str, "isic": str})
    out = []
    for item in items:
        products = library.Products(library._pieces(item.weights.index, item.weights, concordance),
                                    item.weights.index, "")
        for (start, end), rates, headline in zip(item.periods, item.rates, item.headline, strict=True):
            if float(rates.abs().max()) < 1e-12:
                continue
            by_sector = library._sector_rates(products.mean(rates.to_dict()), digits)
            if by_sector:
                out.append((item, products, start, end, rates, headline, by_sector))
    return out


def layer_id(label: str, start: str) -> str:
    """The id of a model partner's layer starting on ``start``."""
    return f"P-{label}-{start}"


def label_measures(
    items: Sequence[LabelLines], digits: int, periods: Sequence[tuple[Any, ...]] | None = None
) -> list[dict[str, Any]]:
    """One layer per model partner and period; sector rates = the trade-weighted mean of the lines.
    ``periods``: :func:`label_periods` of the same items, when the caller has them."""
    from tools.tariffs import library

    measures = []
    for item, _, start, end, _, headline, by_sector in periods or label_periods(items, digits):
        period = f"{start} to {end}" if end else f"from {start}"
        measures.append({
            "id": layer_id(item.label, start),
            "kind": "tariff",
            "description": f"U.S. tariff increase over 2024 on goods from {item.name} ({item.label}), {period}: "
            f"{headline:.2%} trade-weighted over its 2024 lines; sector rates = the trade-weighted mean of the "
            "HS6 lines' rates from the measures (us_partners_2025.md).",
            "imposer": "USA",
            "targets": [item.label],
            "sectors": "goods" if len(by_sector) == len(library.GOODS_LABELS) else list(by_sector),
            "rate": library._round(headline, digits),
            "rate_by_sector": by_sector,
            "start": start,
            "end": end,
            "basis": library.PARTNER_BASIS,
            "source": library.PARTNER_SOURCE,
            "uncertain": UNCERTAIN[item.label][1] if start >= UNCERTAIN.get(item.label, ("9999",))[0] else None,
        })  # fmt: skip
    return [{k: v for k, v in m.items() if v is not None} for m in measures]


# Line distributions of the partner layers (data/tariffs/partner_lines.bin.gz, read by
# tradewar.policy.lines.LayerSpread). Lines whose rates round to the same multiple of SPREAD_GRID
# (half a point) form one bin with their trade and mean rate: the bin keeps the trade-weighted mean
# exactly and moves the power mean by at most about (theta + 1) / 2 x (the rates' spread in the bin)^2,
# measured against the lines themselves in the provenance note (SPREAD_THETAS).
SPREAD_GRID = 0.005
SPREAD_DIGITS = 6  # significant digits of bin shares (of the sector's trade)
RATE_DIGITS = 7  # decimals of bin rates (5e-8: a millionth of a point)
SPREAD_THETAS = (2.0, 5.0, 10.0, 20.0, 65.0)  # trade elasticities the bins are checked at (65: CP2015's largest)


def label_spreads(
    items: Sequence[LabelLines], digits: int, periods: Sequence[tuple[Any, ...]] | None = None
) -> dict[str, Any]:
    """Each partner layer's line distribution by sector on the world being built (the same layers, lines
    and sectors as :func:`label_measures`).

    Returns the spreads file's part for one world: ``share`` and ``rate`` (bins of lines, flat; a
    sector's shares sum to one up to rounding), ``layers`` (layer id -> [[sector, start, stop], ...]
    slices of them; a sector whose bins equal the partner's previous period's shares that period's
    slice), ``imports`` (partner label -> 2024 U.S. imports by sector, outside the goods sectors and in
    all, USD mn), ``outside`` (layer id -> its mean rate on the trade outside the goods sectors) and
    ``error`` (the largest gap between the bins' and the lines' power mean at each of SPREAD_THETAS, by
    trade elasticity)."""
    from tradewar.policy.lines import theta_aggregate

    shares: list[float] = []
    rates: list[float] = []
    layers: dict[str, list[list[Any]]] = {}
    imports: dict[str, dict[str, float]] = {}
    outside: dict[str, float] = {}  # layer id -> mean rate on the trade outside the world's goods sectors
    error = dict.fromkeys(SPREAD_THETAS, 0.0)
    previous: dict[tuple[str, str], tuple[tuple[float, ...], tuple[float, ...], int, int]] = {}
    position: dict[str, np.ndarray] = {}  # label -> each piece's line in the label's universe
    for item, products, start, _, line_rates, _, by_sector in periods or label_periods(items, digits):
        pieces = products.pieces
        sector = pieces["sector"].to_numpy()
        weight = pieces["weight"].to_numpy()
        if item.label not in position:
            position[item.label] = line_rates.index.get_indexer(pieces["hs6"])
        at = position[item.label]
        rate = np.where(at >= 0, line_rates.to_numpy()[at], 0.0)
        # each line's trade outside the goods sectors (a line the concordance puts partly or wholly elsewhere)
        rest = np.clip(item.weights.to_numpy() - np.bincount(at[at >= 0], weight[at >= 0], len(item.weights)), 0.0,
                       None)
        if item.label not in imports:
            totals = products.totals
            imports[item.label] = {"total": round(float(item.weights.sum()) / 1e6, 6),
                                   "outside goods": round(float(rest.sum()) / 1e6, 6),
                                   **{s: round(float(v) / 1e6, 6) for s, v in totals.items() if v > 0}}
        if rest.sum() > 0:
            outside[layer_id(item.label, start)] = round(float(rest @ line_rates.to_numpy() / rest.sum()), RATE_DIGITS)
        parts = []
        for label in by_sector:
            here = sector == label
            total = weight[here].sum()
            lines = here & (weight > 0)
            if total <= 0 or not (lines & (np.abs(rate) > 1e-12)).any():
                continue
            _, bin_of = np.unique(np.round(rate[lines] / SPREAD_GRID).astype(np.int64), return_inverse=True)
            trade = np.bincount(bin_of, weight[lines])
            mean = np.bincount(bin_of, weight[lines] * rate[lines]) / trade
            # shares to SPREAD_DIGITS significant digits: a bin of untaxed lines with a millionth of the trade
            # still decides the power mean at theta = 65, so shares need relative, not absolute, precision
            bin_share = tuple(float(f"{v:.{SPREAD_DIGITS}g}") for v in trade / total)
            bin_rate = tuple(round(float(v), RATE_DIGITS) for v in mean)
            for theta in SPREAD_THETAS:
                exact = theta_aggregate(weight[lines], rate[lines], theta)
                binned = theta_aggregate(np.array(bin_share), np.array(bin_rate), theta)
                error[theta] = max(error[theta], abs(exact - binned))
            last = previous.get((item.label, label))
            if last is not None and last[:2] == (bin_share, bin_rate):
                first, stop = last[2], last[3]
            else:
                first = len(shares)
                shares.extend(bin_share)
                rates.extend(bin_rate)
                stop = len(shares)
                previous[(item.label, label)] = (bin_share, bin_rate, first, stop)
            parts.append([label, first, stop])
        if parts:
            layers[layer_id(item.label, start)] = parts
    return {"share": shares, "rate": rates, "layers": layers, "imports": imports, "outside": outside,
            "error": {f"{theta:g}": value for theta, value in error.items()}}


def model_partners(world, source_dir: Path, base) -> tuple[list[LabelLines], list[str]]:
    """The world's U.S. partners but China as labels with line rates: countries with Census weights of their
    own, EU members as one ``EU27`` layer (the EU's Census file), and ``ROW`` for the rest (the Census
    partners outside the world pooled). Returns the labels and the world countries that ``ROW`` stands for.

    On a world whose every partner is a country of its own (WIOD), a non-EU country without Census
    weights is an error naming its 2024 U.S. imports; on a world with many small economies (ICIO) such
    countries fall to ``ROW`` (as before, with the average of the partners outside the world)."""
    from tradewar.policy.labels import GROUPS

    source_dir = Path(source_dir)
    data = partner_lines(source_dir, base)
    eu = set(GROUPS[EU_LABEL])
    countries = [c for c in world.countries if c not in ("USA", "CHN", "ROW")]
    own = [c for c in countries if c not in eu and c in data]
    no_weights = [c for c in countries if c not in eu and c not in data]
    if "ROW" in world.countries and no_weights:
        raise ValueError("; ".join(f"{c}: no 2024 U.S. import weights by line ({weights._trade_at_stake(c)})"
                                   for c in no_weights))
    names = _census_names(source_dir)
    items = [pooled(source_dir, c, names.get(c, c).title(), [c]) for c in own]
    items.append(pooled(source_dir, EU_LABEL, "the European Union", [EU_LABEL]))
    rest = [c for c in data if c not in set(world.countries) and c != EU_LABEL and c not in eu]
    items.append(pooled(source_dir, "ROW", "the rest of the world", rest))
    return items, no_weights


def _census_names(source_dir: Path) -> dict[str, str]:
    table = read_csv(source_dir / weights.CENSUS_CODES, "Census country codes with ISO3", dtype=str).dropna()
    return dict(zip(table["ISO3"], table["country"], strict=True))


def validation(source_dir: Path, by_partner: pd.DataFrame, days: Sequence[str]) -> pd.DataFrame:
    """Each Census partner's trade-weighted rate on ``days`` (2024 weights) beside the tracker's series.

    The tracker (tradewartracker country-by-time, increase over 2024 weighted by 2024 imports) takes the
    value of its last date on or before the day."""
    data = partner_lines(source_dir)
    wide = by_partner.pivot(index="date", columns="partner", values="increase_over_2024").sort_index()
    imports = by_partner.groupby("partner")["imports_2024_usd_mn"].first()
    rows = []
    for label, (p, dates, rates) in data.items():
        for day in days:
            k = max(i for i, d in enumerate(dates) if d <= day)
            mine = float((rates[k] * p.imports).sum() / p.imports.sum())
            past = wide.index[wide.index <= day]
            theirs = float(wide.loc[past[-1], label]) if label in wide.columns and len(past) else np.nan
            rows.append((label, day, float(imports.get(label, np.nan)), mine, theirs))
    table = pd.DataFrame(rows, columns=["partner", "date", "imports_2024_usd_mn", "library", "tracker"])
    return table.sort_values(["date", "imports_2024_usd_mn"], ascending=[True, False]).reset_index(drop=True)


VALIDATION_DAYS = ("2025-12-01", "2026-02-24")


def notes(items: Sequence[LabelLines], source_dir: Path, by_partner: pd.DataFrame) -> list[str]:
    """Markdown rows for the provenance note: each model partner and its members; then the check of every
    Census partner's trade-weighted rate against the tracker on the validation days."""
    rows = ["| label | members (Census 2024 HS10 files) | 2024 imports, bn USD | " + " | ".join(
        f"rate on {day}" for day in VALIDATION_DAYS) + " |", "|---|---|---|" + "---|" * len(VALIDATION_DAYS)]
    for item in items:
        rates = []
        for day in VALIDATION_DAYS:
            k = max(i for i, (start, _) in enumerate(item.periods) if start <= day)
            rates.append(f"{item.headline[k]:.2%}")
        members = ", ".join(item.members) if len(item.members) <= 12 else f"{len(item.members)} partners: " + ", ".join(
            item.members)
        rows.append(f"| {item.label} | {members} | {item.weights.sum() / 1e9:.1f} | " + " | ".join(rates) + " |")
    table = validation(source_dir, by_partner, VALIDATION_DAYS)
    rows += ["", "## Check against the tracker", "",
             "Trade-weighted statutory increase over 2024 (2024 U.S. imports by line as weights) beside the "
             "tradewartracker series (`country-by-time.csv`, its value in force that day, weighted by 2024 "
             "imports), percentage points:", "",
             "| partner | 2024 imports, bn USD | " + " | ".join(f"{d} library | {d} tracker | gap" for d in
                                                         VALIDATION_DAYS) + " |",
             "|---|---|" + "---|---|---|" * len(VALIDATION_DAYS)]
    wide = table.pivot(index="partner", columns="date", values=["library", "tracker"])
    order = table.drop_duplicates("partner").set_index("partner")["imports_2024_usd_mn"].sort_values(ascending=False)
    for partner, value in order.items():
        cells = []
        for day in VALIDATION_DAYS:
            mine, theirs = wide.loc[partner, ("library", day)], wide.loc[partner, ("tracker", day)]
            cells.append(f"{mine:.1%} | {theirs:.1%} | {100 * (mine - theirs):+.1f}")
        rows.append(f"| {partner} | {value / 1e3:.1f} | " + " | ".join(cells) + " |")
    for day in VALIDATION_DAYS:
        part = table[table["date"] == day].dropna()
        w = part["imports_2024_usd_mn"]
        mine, theirs = (part["library"] * w).sum() / w.sum(), (part["tracker"] * w).sum() / w.sum()
        rows.append(f"\nAll {len(part)} partners on {day}, weighted by 2024 imports: library {mine:.2%}, "
                    f"tracker {theirs:.2%}.")
    return rows + checked_notes(source_dir)


def mfn_proxy_check(source_dir: Path) -> list[tuple[str, str, float, float, float]]:
    """The floors' MFN proxy against a statutory MFN: for each ``MFN_CHECK`` partner and day, the share of its
    2024 imports whose line has a 2018 HS6 column 1 rate (``STATUTORY_MFN``), its trade-weighted rate with
    the collected-rate proxy, and the same with that statutory rate where known (the proxy elsewhere)."""
    data = partner_lines(source_dir)
    table = read_csv(Path(source_dir) / STATUTORY_MFN, "U.S. column 1 rates of 2018 by HS6", dtype={"hs6": str})
    statutory = table[table["time_of_tariff"] == "2018-01-01"].set_index("hs6")["tariff"] / 100.0
    rates = country_rates(source_dir)
    out = []
    for label, day in MFN_CHECK:
        p = data[label][0]
        rows = hs10_imports(source_dir, p.code, label)
        schedule = rows["line"].map(statutory).to_numpy(dtype=float)
        known = ~np.isnan(schedule)
        weights_ = p.imports
        proxy = float((line_rates(p, day, rates) * weights_).sum() / weights_.sum())
        other = replace(p, mfn=np.where(known, schedule, p.mfn))
        with_schedule = float((line_rates(other, day, rates) * weights_).sum() / weights_.sum())
        out.append((label, day, float(rows["imports"][known].sum() / rows["imports"].sum()), proxy, with_schedule))
    return out


def checked_notes(source_dir: Path) -> list[str]:
    """Markdown sections of the provenance note: the MFN proxy under the all-in floors (measured), the
    vehicles' U.S. content, and the primary texts the measures were checked against."""
    check = mfn_proxy_check(source_dir)
    measured = "; ".join(f"{label} {proxy:.2%} -> {other:.2%} on {day} ({100 * (other - proxy):+.2f} points; "
                         f"statutory rate known for {share:.0%} of its 2024 imports)"
                         for label, day, share, proxy, other in check)
    rows = [
        "", "## MFN under the all-in floors", "",
        "The all-in floors (EU, Japan, Switzerland, Korea) add max(0, 15% - the column 1 rate) on each line. "
        "../shared/data holds no U.S. MFN schedule by HTS8/HTS10 (its README lists none; the Yale folder has only "
        "`mfn_exemption_shares.csv`, preference shares by HS2 and country), so each HS10 line's 2024 collected "
        "rate (Census calculated duty / imports) stands for it. Collected sits below the schedule where part of "
        "a line enters free (Chapter 98, civil aircraft, foreign-trade zones, the 2019 U.S.-Japan agreement) or "
        "pays a specific duty that is small at the line's prices: the add-on is too high there. For Korea the "
        "notice's base is the KORUS rate where claimed, which the collected rate follows. Measured against the "
        f"only statutory figure in the data (`{STATUTORY_MFN.as_posix()}`, the 2018-01-01 HS6 column 1 rate, a "
        "simple average over each HS6's HS8 lines and so itself high where trade sits on low-duty lines), the "
        f"trade-weighted rate moves: {measured}. The proxy's upward bias is at most that; it stays.",
        "", "## Vehicles from Canada and Mexico", "",
        VEHICLE_NOTE[0].upper() + VEHICLE_NOTE[1:] + ". The layers of Canada and Mexico from 2025-04-03 carry "
        "this as their `uncertain` reason. Trade-weighted rate on 2025-12-01 (all lines, 2024 weights) with the "
        "U.S. content of a qualifying vehicle at 0.40 and the alternatives: "
        + "; ".join(f"{label} {base:.2%} (0.55: {high:.2%}; 0.18: {low:.2%}; 0.76 of full value on every line: "
                    f"{collected:.2%})" for label, base, high, low, collected in vehicle_range(source_dir)) + ".",
        "", "## Sources checked (issue 12 item 4, 2026-12)", "",
        "| document | issuer | date | number | address |", "|---|---|---|---|---|",
    ]
    rows += [f"| {what} | {who} | {when} | {number} | {url} |" for what, who, when, number, url in PARTNER_SOURCES]
    return rows


def vehicle_range(source_dir: Path, day: str = "2025-12-01") -> list[tuple[str, float, float, float, float]]:
    """Canada's and Mexico's trade-weighted rate on ``day`` with the U.S. content of a qualifying vehicle at
    ``US_VEHICLE_CONTENT``, at 0.55 and at 0.18 (Yale's paper-matched Canada and Mexico values), and with 0.76 of
    the full value taxed on every vehicle line (the collected July 2025 average). Vehicle lines are Section 232
    goods (nothing else stacks on them), so each alternative moves the rate by the vehicle lines' duty alone."""
    data = partner_lines(source_dir)
    out = []
    for label in FENTANYL:
        p, days, rates = data[label]
        k = max(i for i, d in enumerate(days) if d <= day)
        total = p.imports.sum()
        base = float((rates[k] * p.imports).sum() / total)
        full = np.zeros(len(p.row_imports))  # full-value vehicle duty by row in force on the day
        for action in p.actions:
            if action.id in ("M042", "M082b") and _in_force(action.start, action.end, day):
                full = full + p.action_rows[action.id]
        current = full * (1.0 - p.usmca * US_VEHICLE_CONTENT)
        alternatives = (full * (1.0 - p.usmca * 0.55), full * (1.0 - p.usmca * 0.18), full * 0.76)
        high, low, collected = (base + float((p.to_lines(taxed - current) * p.imports).sum() / total)
                                for taxed in alternatives)
        out.append((label, base, high, low, collected))
    return out
