"""The donations Flask app."""
from __future__ import annotations

from flask import Flask

from services.donations import pages, tasks  # noqa: F401  (tasks registers the outbox publisher)
from services.donations.api import donations, manifests, track, walk_ins
from shared.web import create_service_app


def create_app(overrides: dict | None = None) -> Flask:
    app = create_service_app("donations", title="bookcross donations",
                             blueprints=[donations.blp, manifests.blp, track.blp, walk_ins.blp],
                             overrides={"MAX_CONTENT_LENGTH": 8 * 1024 * 1024, **(overrides or {})})
    app.register_blueprint(pages.bp)
    return app
