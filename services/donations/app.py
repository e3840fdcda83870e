"""The donations Flask app."""
from __future__ import annotations

from flask import Flask

from services.donations import (  # noqa: F401  (tasks registers the outbox publisher, texts the messages)
    impact_pages,
    pages,
    tasks,
    texts,
)
from services.donations.api import donations, impact, manifests, track, walk_ins
from services.donations.assistant import pages as assistant_pages
from shared.web import create_service_app


def create_app(overrides: dict | None = None) -> Flask:
    app = create_service_app("donations", title="bookcross donations",
                             blueprints=[donations.blp, manifests.blp, track.blp, walk_ins.blp, impact.blp],
                             overrides={"MAX_CONTENT_LENGTH": 8 * 1024 * 1024, **(overrides or {})})
    app.register_blueprint(pages.bp)
    app.register_blueprint(impact_pages.bp)
    app.register_blueprint(assistant_pages.bp)
    return app
