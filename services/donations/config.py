"""Donations' own settings, from the environment (the network's are in `shared/config.py`)."""
from __future__ import annotations

from shared import config

SERVICE = "donations"


def public_url() -> str:
    """Where donors reach donations' pages: the offer form, tracking, impact reports."""
    return config.public_base_url(SERVICE)


def needs_page_url() -> str:
    """Catalog's public page of where books are needed (the offer form links it)."""
    return f"{config.public_base_url('catalog')}/needs"


def assistant_keep_days() -> float:
    """How long the consultation assistant keeps a question's words and a quiet conversation
    (ASSISTANT_KEEP_DAYS)."""
    return config.env_float("ASSISTANT_KEEP_DAYS", 30)
