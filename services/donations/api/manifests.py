"""Publishers offer hundreds of copies with a CSV manifest."""
from __future__ import annotations

import json

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import ValidationError

from services.donations import manifest
from services.donations.api.donations import created_response, offer
from services.donations.schemas import DonationCreated, ManifestOfferIn
from shared.auth import public
from shared.i18n import field_error
from shared.limits import limited
from shared.web import ApiError

blp = Blueprint("manifests", __name__, url_prefix="/api/v1/donations",
                description="Offers with a CSV manifest (publishers)")


@blp.route("/manifest")
class ManifestOffer(MethodView):
    @limited("offers")
    @public
    @blp.response(201, DonationCreated)
    @blp.doc(requestBody={"content": {"multipart/form-data": {"schema": {
        "type": "object", "required": ["offer", "manifest"],
        "properties": {"offer": {"type": "string", "description": "JSON: {donor, handover}"},
                       "manifest": {"type": "string", "format": "binary",
                                    "description": "CSV: isbn,title,authors,quantity"}}}}}})
    def post(self):
        """Offer the books listed in a CSV manifest (up to 10,000 rows). Every bad row is
        reported with its line number; nothing is saved until the file is clean."""
        try:
            offer_data = ManifestOfferIn().load(json.loads(request.form.get("offer") or "{}"))
        except json.JSONDecodeError:
            raise ApiError(400, "error.invalid_json") from None
        except ValidationError as exc:
            raise ApiError(422, errors=exc.messages) from None
        upload = request.files.get("manifest")
        if upload is None:
            raise ApiError(422, errors={"manifest": [field_error("manifest.missing_file")]})
        try:
            items, row_errors = manifest.parse(upload.read())
        except manifest.ManifestError as exc:
            raise ApiError(422, errors={"manifest": [str(exc)]}) from None
        if row_errors:
            raise ApiError(422, "manifest.rows_invalid", errors={"manifest": {"rows": row_errors}})
        return created_response(offer({**offer_data, "items": items}))
