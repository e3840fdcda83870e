"""A publisher's CSV manifest → offer items, or every bad row with its line and reason.

Format: `isbn,title,authors,quantity` (header required, columns in any order), UTF-8 with or
without BOM, comma or semicolon. Nothing is kept unless the whole file is clean.
"""
from __future__ import annotations

import csv
import io

from marshmallow import ValidationError

from services.donations.schemas import ItemIn
from shared.i18n import field_error

MAX_ROWS = 10_000
COLUMNS = ("isbn", "title", "authors", "quantity")
_item_schema = ItemIn()


class ManifestError(ValueError):
    """The file as a whole cannot be read (encoding, header, size)."""

    def __init__(self, key: str, **params):
        super().__init__(field_error(key, **params))


def parse(raw: bytes) -> tuple[list[dict], list[dict]]:
    """Returns (items, row errors); raises ManifestError for a file that cannot be read."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ManifestError("manifest.not_utf8") from None
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise ManifestError("manifest.empty")
    header_line = lines[0]
    delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [h.strip().lower() for h in next(reader)]
    missing = [c for c in ("quantity",) if c not in header]
    if missing or not ({"isbn", "title"} & set(header)):
        raise ManifestError("manifest.header", columns=",".join(COLUMNS))
    unknown = [h for h in header if h not in COLUMNS]
    if unknown:
        raise ManifestError("manifest.unknown_columns", columns=", ".join(unknown))

    items, errors = [], []
    for line_number, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue  # blank lines are harmless
        if len(items) + len(errors) >= MAX_ROWS:
            raise ManifestError("manifest.too_many_rows", limit=MAX_ROWS)
        if len(row) != len(header):
            errors.append({"line": line_number, "field": "_row",
                           "message": field_error("manifest.columns", expected=len(header), found=len(row))})
            continue
        record = dict(zip(header, (cell.strip() for cell in row)))
        quantity = record.get("quantity", "")
        data = {"isbn": record.get("isbn") or None, "title": record.get("title") or None,
                "authors": record.get("authors") or None,
                "quantity": int(quantity) if quantity.lstrip("-").isdigit() else quantity}
        try:
            items.append(_item_schema.load(data))
        except ValidationError as exc:
            for field, messages in exc.messages.items():
                for message in messages:
                    errors.append({"line": line_number, "field": field, "message": message})
    if not items and not errors:
        raise ManifestError("manifest.empty")
    return items, errors
