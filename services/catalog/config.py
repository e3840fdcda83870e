"""Catalog's own settings, from the environment (the network's are in `shared/config.py`)."""
from __future__ import annotations

from shared import config

SERVICE = "catalog"


def public_url() -> str:
    """Where people reach catalog's pages: readers' copy pages (the QR codes), the staff pages."""
    return config.public_base_url(SERVICE)


def staff_token_days() -> float:
    """How long an API token lasts unless `--days` says otherwise (STAFF_TOKEN_DAYS)."""
    return config.env_float("STAFF_TOKEN_DAYS", 30)


def open_library_url() -> str | None:
    """The book metadata provider speaking Open Library's API (OPEN_LIBRARY_URL); `off` turns
    lookups off."""
    url = (config.env("OPEN_LIBRARY_URL", "https://openlibrary.org") or "").strip()
    return None if url.lower() in ("", "off", "none") else url


def open_library_timeout() -> float:
    return config.env_float("OPEN_LIBRARY_TIMEOUT", 3)


def reports_catch_up_seconds() -> float:
    """How often the catalog worker counts the copies moved since in the reports
    (REPORTS_CATCH_UP_SECONDS; every report read counts them too)."""
    return config.env_float("REPORTS_CATCH_UP_SECONDS", 2)


def assistant_needs_seconds() -> float:
    """How often catalog looks whether where books are needed changed (ASSISTANT_NEEDS_SECONDS)."""
    return config.env_float("ASSISTANT_NEEDS_SECONDS", 300)
