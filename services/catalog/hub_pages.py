"""The hub's intake page for logistics: donations waiting to be catalogued, and for each one a
form made for a barcode scanner (the ISBN field has the focus; the scanner types the ISBN and
Enter), the count compared with what was collected, and the label sheet to print."""
from __future__ import annotations

import uuid

from flask import Blueprint, abort, redirect, render_template, request, url_for
from marshmallow import ValidationError

from services.catalog.schemas import CopyIn
from services.catalog.services import intake
from services.catalog.texts import CONDITION_NAMES
from shared import auth, errors
from shared.auth import public
from shared.i18n import current_language, kyiv_time, page_texts, translate_errors
from shared.web import field_messages, status_of
from shared.workspace import page_staff

bp = Blueprint("hub_pages", __name__, template_folder="templates")

TEXT = {
    "hub_title": ("Хаб: опис книжок", "Hub: cataloguing"),
    "waiting": ("Пожертви в хабі", "Donations at the hub"),
    "none": ("У хабі нічого не чекає на опис.", "Nothing at the hub is waiting to be catalogued."),
    "donation": ("Пожертва", "Donation"), "from": ("Звідки", "From"),
    "collected": ("Забрали", "Collected"), "catalogued": ("Описано", "Catalogued"),
    "difference": ("Різниця", "Difference"), "collected_at": ("Забрали", "Collected on"),
    "isbn": ("ISBN (сканер або вручну)", "ISBN (scanner or by hand)"),
    "title": ("Назва", "Title"), "authors": ("Автори", "Authors"),
    "condition": ("Стан", "Condition"), "quantity": ("Скільки", "How many"),
    "add": ("Додати", "Add"), "added": ("Додано: {n}.", "Added: {n}."),
    "labels": ("Наклейки для друку (PDF)", "Labels to print (PDF)"),
    "copies": ("Описані примірники", "Catalogued copies"),
    "code": ("Код", "Code"), "status": ("Стан", "Status"),
    "more": ("більше, ніж забрали", "more than collected"), "fewer": ("менше, ніж забрали", "fewer than collected"),
    "back": ("Усі пожертви в хабі", "All donations at the hub"),
}



@bp.get("/staff/hub")
@public  # guarded inside: signed-out visitors are sent to the sign-in page
def hub():
    page_staff("logistics")
    lang = current_language()
    rows = intake.waiting_at_hub()
    for row in rows:
        row["collected_at"] = kyiv_time(row["collected_at"]) if row["collected_at"] else ""
    return render_template("hub.html", lang=lang, tx=page_texts(TEXT, lang), rows=rows)


@bp.route("/staff/hub/<uuid:donation_id>", methods=["GET", "POST"])
@public  # guarded inside (cookie + form token)
def hub_donation(donation_id: uuid.UUID):
    staff = page_staff("logistics")
    lang = current_language()
    tx = page_texts(TEXT, lang)
    problems, values, status, added = {}, {}, 200, request.args.get("added")
    if request.method == "POST":
        if not auth.form_token_valid(staff, "hub", request.form.get("csrf")):
            abort(403)
        values = {k: request.form.get(k, "") for k in ("isbn", "title", "authors", "condition", "quantity")}
        try:
            entry = CopyIn().load({"isbn": values["isbn"] or None, "title": values["title"] or None,
                                   "authors": values["authors"] or None,
                                   "condition": values["condition"] or "good",
                                   "quantity": values["quantity"] or 1})
            made = intake.catalogue(donation_id, [entry], staff.name)
            return redirect(url_for("hub_pages.hub_donation", donation_id=donation_id, lang=lang,
                                    added=len(made["created"])), 303)
        except ValidationError as exc:
            problems, status = _flat(translate_errors(exc.messages, lang)), 422
        except errors.Invalid as exc:
            problems, status = _flat(translate_errors(exc.errors["copies"]["0"], lang)), 422
        except errors.DomainError as exc:
            problems, status = field_messages(exc, lang), status_of(exc)
    summary = intake.intake_summary(donation_id)
    for copy in summary["copies"]:
        copy["condition_text"] = CONDITION_NAMES[copy["condition"]][0 if lang == "uk" else 1]
    return render_template("hub_donation.html", lang=lang, tx=tx, s=summary, errors=problems, values=values,
                           conditions=[(k, v[0 if lang == "uk" else 1]) for k, v in CONDITION_NAMES.items()],
                           csrf=auth.form_token(staff, "hub"),
                           added=tx["added"].format(n=added) if added else None), status


def _flat(messages: dict) -> dict:
    return {field: (errs[0] if isinstance(errs, list) else str(errs)) for field, errs in messages.items()}
