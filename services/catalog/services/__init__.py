"""Catalog's use cases, one module per area (the copy's one way of changing in `copies.py`).

Each use case owns its transaction and raises domain errors (`shared.errors`), never HTTP
errors; `api/` and the pages only parse, call and render."""
