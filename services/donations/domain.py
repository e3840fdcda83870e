"""Pure rules of donations: the state machine, identifiers, validation helpers.

No Flask, no SQLAlchemy here.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from shared import errors
from shared.i18n import Text, field_error

# status → {action: next status}
TRANSITIONS: dict[str, dict[str, str]] = {
    "offered": {"schedule_pickup": "pickup_scheduled", "collect": "collected", "cancel": "cancelled"},
    "pickup_scheduled": {"schedule_pickup": "pickup_scheduled", "fail_pickup": "pickup_failed",
                         "collect": "collected", "cancel": "cancelled"},
    "pickup_failed": {"schedule_pickup": "pickup_scheduled", "collect": "collected", "cancel": "cancelled"},
    "collected": {},
    "cancelled": {},
}
STATUSES = tuple(TRANSITIONS)

# Actions that only make sense for one way of handing the books over.
PICKUP_ONLY = {"schedule_pickup", "fail_pickup"}


class TransitionNotAllowed(errors.Conflict):
    """Anything the state machine does not allow: a 409 naming the current state."""

    def __init__(self, status: str, action: str):
        super().__init__("donations.transition", status=Text(f"donations.status.{status}"))
        self.status = status
        self.action = action


def next_status(status: str, action: str, handover: str) -> str:
    if action in PICKUP_ONLY and handover != "pickup":
        raise TransitionNotAllowed(status, action)
    try:
        return TRANSITIONS[status][action]
    except KeyError:
        raise TransitionNotAllowed(status, action) from None


def normalise_phone(value: str) -> str:
    """Ukrainian numbers (0XX…, +380…) → E.164."""
    try:
        number = phonenumbers.parse(value, "UA")
    except phonenumbers.NumberParseException:
        raise ValueError(field_error("donations.invalid_phone")) from None
    if not phonenumbers.is_valid_number(number):
        raise ValueError(field_error("donations.invalid_phone"))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_email(value: str) -> str:
    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError:
        raise ValueError(field_error("field.invalid_email")) from None


@dataclass(frozen=True)
class Item:
    isbn: str | None
    title: str | None
    authors: str | None
    quantity: int


def request_hash(data: dict) -> str:
    """The whole request, canonical: an Idempotency-Key replays only the request it was made for."""
    canonical = json.dumps(data, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def scoped_key(scope: str, key: str) -> str:
    """Keys are the client's words: kept per scope (public offers, one centre's desk), hashed."""
    return hashlib.sha256(f"{scope}\n{key}".encode()).hexdigest()


def offer_fingerprint(contact: str, items: list[Item], handover: str) -> str:
    """Same donor contact, same items, same handover → same fingerprint (double submits)."""
    canonical = json.dumps({
        "contact": contact.lower(),
        "handover": handover,
        "items": sorted([i.isbn or "", (i.title or "").strip().lower(),
                         (i.authors or "").strip().lower(), i.quantity] for i in items),
    }, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()
