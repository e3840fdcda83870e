"""The notifications Flask app."""
from __future__ import annotations

from flask import Flask

from services.notifications import (  # noqa: F401  (tasks registers the outbox publisher, texts the messages)
    pages,
    tasks,
    telegram_link,
    texts,
)
from services.notifications.api import messages
from shared.web import create_service_app


def create_app(overrides: dict | None = None) -> Flask:
    app = create_service_app("notifications", title="bookcross notifications",
                             blueprints=[messages.blp], overrides=overrides)
    app.register_blueprint(pages.bp)
    app.register_blueprint(telegram_link.bp)
    return app
