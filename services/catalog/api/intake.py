"""At the hub: look up titles, catalogue a donation's copies, print their labels."""
from __future__ import annotations

import uuid

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint

from services.catalog.schemas import IntakeIn, IntakeOut, TitleLookupOut
from services.catalog.services import intake
from shared.auth import current_staff, require
from shared.books import normalise_isbn
from shared.i18n import current_language, t
from shared.web import ApiError

blp = Blueprint("intake", __name__, url_prefix="/api/v1", description="Cataloguing at the hub")
BEARER = [{"bearer": []}]


@blp.route("/titles/<string:isbn>")
class TitleLookup(MethodView):
    @require("logistics")
    @blp.response(200, TitleLookupOut)
    @blp.doc(security=BEARER)
    def get(self, isbn: str):
        """What the metadata provider (cached) knows of an ISBN, to prefill the intake form."""
        try:
            isbn13 = normalise_isbn(isbn)
        except ValueError as exc:
            raise ApiError(422, "error.unprocessable", errors={"isbn": [str(exc)]}) from None
        found = intake.lookup_isbn(isbn13)
        message = {"not_found": "catalog.isbn_not_found", "unavailable": "catalog.provider_unavailable",
                   "off": "catalog.provider_unavailable"}.get(found.status)
        return {"isbn": isbn13, **found.__dict__,
                "message": t(message, current_language()) if message else None}


@blp.route("/intake/<uuid:donation_id>")
class Intake(MethodView):
    @require("logistics")
    @blp.response(200, IntakeOut)
    @blp.doc(security=BEARER)
    def get(self, donation_id: uuid.UUID):
        """A donation at the hub: its copies, and how their count compares with what was collected."""
        return intake.intake_summary(donation_id)


@blp.route("/intake/<uuid:donation_id>/copies")
class IntakeCopies(MethodView):
    @require("logistics")
    @blp.arguments(IntakeIn)
    @blp.response(201, IntakeOut)
    @blp.doc(security=BEARER)
    def post(self, data, donation_id: uuid.UUID):
        """Catalogue copies (ISBN scanned or typed, or title and authors; condition). Damaged
        copies are withdrawn. Each copy gets a code and a QR label."""
        return intake.catalogue(donation_id, data["copies"], current_staff().name)


@blp.route("/intake/<uuid:donation_id>/labels")
class Labels(MethodView):
    @require("logistics")
    @blp.response(200, content_type="application/pdf")
    @blp.doc(security=BEARER)
    def get(self, donation_id: uuid.UUID):
        """A4 label sheets (PDF) for the donation's copies that go to shelves."""
        pdf = intake.labels_pdf(donation_id)
        return Response(pdf, mimetype="application/pdf", headers={
            "Content-Disposition": f'inline; filename="labels-{donation_id}.pdf"'})


