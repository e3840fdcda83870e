"""A copy's public face: anyone holding the book may read its journey and leave a note."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from services.catalog.schemas import CopyPageOut, NoteIn, NoteOut
from services.catalog.services import readers
from shared.auth import public
from shared.limits import limited

blp = Blueprint("copies", __name__, url_prefix="/api/v1/copies", description="Copies (public)")


@blp.route("/<string:code>")
class CopyPage(MethodView):
    @public
    @blp.response(200, CopyPageOut)
    def get(self, code: str):
        """The copy's journey (donor kind and city only) and readers' notes."""
        return readers.copy_page(code)


@blp.route("/<string:code>/notes")
class Notes(MethodView):
    @limited("notes")
    @public
    @blp.arguments(NoteIn)
    @blp.response(201, NoteOut)
    def post(self, data, code: str):
        """Leave a short note (HTML is stripped) and/or say you will pass the book on."""
        return readers.add_note(code, data["text"], data["passing_on"])
