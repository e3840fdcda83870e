"""The catalog Flask app."""
from __future__ import annotations

from flask import Flask

from services.catalog import (  # noqa: F401  (tasks registers the outbox publisher)
    charts,
    hub_pages,
    pages,
    report_pages,
    shelf_pages,
    shipment_pages,
    tasks,
    texts,  # noqa: F401  (registers catalog's messages)
)
from services.catalog.api import admin, centres, copies, intake, reports, scans, shipments
from shared.web import create_service_app


def create_app(overrides: dict | None = None) -> Flask:
    app = create_service_app("catalog", title="bookcross catalog",
                             blueprints=[centres.blp, admin.blp, intake.blp, shipments.blp,
                                         scans.blp, copies.blp, reports.blp], overrides=overrides)
    app.register_blueprint(pages.bp)
    app.register_blueprint(shelf_pages.bp)
    app.register_blueprint(hub_pages.bp)
    app.register_blueprint(shipment_pages.bp)
    app.register_blueprint(report_pages.bp)
    app.jinja_env.globals["chart_css"] = charts.chart_css
    return app
