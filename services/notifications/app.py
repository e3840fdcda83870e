"""The notifications Flask app."""
from __future__ import annotations

from flask import Flask

from services.notifications import tasks  # noqa: F401  (registers the outbox publisher)
from services.notifications.api import messages
from shared.web import create_service_app


def create_app(overrides: dict | None = None) -> Flask:
    return create_service_app("notifications", title="bookcross notifications",
                              blueprints=[messages.blp], overrides=overrides)
