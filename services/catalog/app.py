"""The catalog Flask app."""
from __future__ import annotations

from flask import Flask

from services.catalog import (  # noqa: F401  (tasks registers the outbox publisher, texts the messages)
    charts,
    hub_pages,
    reader_pages,
    report_pages,
    scan_pages,
    shipment_pages,
    sign_in_pages,
    tasks,
    texts,
)
from services.catalog.api import admin, centres, copies, intake, reports, scans, shipments
from shared.web import create_service_app


def create_app(overrides: dict | None = None) -> Flask:
    app = create_service_app("catalog", title="bookcross catalog",
                             blueprints=[centres.blp, admin.blp, intake.blp, shipments.blp,
                                         scans.blp, copies.blp, reports.blp], overrides=overrides)
    for pages in (sign_in_pages, hub_pages, scan_pages, reader_pages, shipment_pages, report_pages):
        app.register_blueprint(pages.bp)
    app.jinja_env.globals["chart_css"] = charts.chart_css
    return app
