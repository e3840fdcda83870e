"""Readers' 'I liked this book': one click on the copy's page, counted by the reports."""
from __future__ import annotations

from services.catalog import reports
from services.catalog.models import Copy
from shared import codes, db
from shared.models import utcnow
from shared.web import ApiError

SERVICE = "catalog"


def like(code_text: str) -> dict:
    code = codes.normalise(code_text)
    with db.session_scope(SERVICE) as session:
        copy = session.get(Copy, code) if codes.is_valid(code, codes.COPY_RANDOM_CHARS) else None
        if copy is None:
            raise ApiError(404, "catalog.copy_not_found")
        reports.record_like(session, copy.code, copy.centre_code, utcnow())
        return {"code": codes.display(copy.code, codes.COPY_GROUP), "liked": True}
