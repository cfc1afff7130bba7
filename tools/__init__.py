"""Offline builders of tradewar's derived data (worlds, concordances, the measure library).

They read the raw public data (``../shared/data``) and write compact derived files, each
with its provenance note, into the checkout's ``src/tradewar/data``. They are not part of
the installed package (the wheel holds only what they derived). Run them from the
repository root, e.g. ``python -m tools.tariffs.library --source ../shared/data``, or
through ``tradewar world build ...`` from a checkout.
"""
