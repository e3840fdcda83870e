"""Domain errors: what a use case refuses, named by a message key, never by an HTTP status.

A use case (`services/<svc>/services.py`) raises one of these; `shared/web.py` is the one place
that turns it into an answer: `{code, status, message, errors}` for an API client (NotFound →
404, Conflict → 409, Invalid → 422, NotAllowed → 403), or the sentence in the user's language
for a page (`web.page_message`). The key is a message of `shared.i18n` (each service registers
its own in its `texts.py`); `params` fill it in, and a parameter that is itself a text to
translate is an `i18n.Text`.

No Flask here: rules and use cases import this freely.
"""
from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A refusal, said in words the user can act on."""

    key = "error.conflict"

    def __init__(self, key: str | None = None, *, errors: dict | None = None, **params: Any):
        self.key = key or type(self).key
        self.errors = errors  # field → [message markers] (`i18n.field_error`), for forms and APIs
        self.params = params
        super().__init__(self.key)


class NotFound(DomainError):
    """The thing asked for does not exist (or is not the asker's to see)."""

    key = "error.not_found"


class Conflict(DomainError):
    """Not possible in the current state of things."""

    key = "error.conflict"


class Invalid(DomainError):
    """The input is wrong; `errors` names the fields."""

    key = "error.unprocessable"


class NotAllowed(DomainError):
    """This person may not do this (another centre's copy, a role that does not reach)."""

    key = "error.forbidden"
