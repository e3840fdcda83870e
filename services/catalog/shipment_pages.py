"""Staff pages for the road from the hub to the shelves: logistics propose and accept an
allocation and dispatch its shipments; centre staff see what is on its way to them, with each
shipment's manifest, and close a shipment once it is in (the page lists what never came)."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for

from services.catalog.services import shipping
from shared import auth, errors
from shared.auth import public
from shared.i18n import current_language, kyiv_time, page_texts
from shared.web import page_message
from shared.workspace import page_staff

bp = Blueprint("shipment_pages", __name__, template_folder="templates")

TEXT = {
    "shipments": ("Відправлення", "Shipments"),
    "propose": ("Запропонувати розподіл книжок, що чекають у хабі", "Propose where the books waiting at the hub go"),
    "allocation": ("Розподіл", "Allocation"),
    "accept": ("Прийняти й створити відправлення", "Accept and make the shipments"),
    "unplaced": ("Не знайшлося місця на полицях для", "No shelf had room for"),
    "centre": ("Центр", "Centre"), "count": ("Книжок", "Books"), "status": ("Стан", "Status"),
    "why": ("Чому", "Why"), "code": ("Код", "Code"), "title": ("Назва", "Title"),
    "carrier": ("Номер відправлення перевізника", "Carrier tracking number"),
    "dispatch": ("Відправити", "Dispatch"), "close": ("Закрити: усе, що прийшло, отримано", "Close: everything that came is in"),
    "manifest": ("Опис вмісту", "Manifest"), "missing": ("Не прийшли", "Never arrived"),
    "received": ("Отримано", "Received"), "dispatched": ("Відправлено", "Dispatched"),
    "none": ("Відправлень немає.", "No shipments."), "print": ("Друкувати", "Print"),
    "status_prepared": ("готується", "being packed"), "status_in_transit": ("в дорозі", "on the way"),
    "status_closed": ("закрито", "closed"),
}


def _checked(staff) -> None:
    if not auth.form_token_valid(staff, "shipments", request.form.get("csrf")):
        abort(403)


@bp.get("/staff/shipments")
@public  # guarded inside: signed-out visitors are sent to the sign-in page
def shipments():
    staff = page_staff("logistics", "centre_staff")
    lang = current_language()
    centre = staff.centre if staff.role == "centre_staff" else None
    rows = shipping.list_shipments(status=None, centre_code=centre)
    for row in rows:
        row["status_text"] = page_texts(TEXT, lang)[f"status_{row['status']}"]
        row["dispatched_local"] = kyiv_time(row["dispatched_at"]) if row["dispatched_at"] else ""
    return render_template("shipments.html", lang=lang, tx=page_texts(TEXT, lang), rows=rows, staff=staff,
                           csrf=auth.form_token(staff, "shipments"), error=request.args.get("error"))


@bp.post("/staff/allocations")
@public  # guarded inside (cookie + form token)
def propose():
    staff = page_staff("logistics")
    _checked(staff)
    lang = current_language()
    try:
        proposal = shipping.propose(staff.name)
    except errors.Conflict as exc:
        return redirect(url_for("shipment_pages.shipments", lang=lang, error=page_message(exc, lang)), 303)
    return redirect(url_for("shipment_pages.allocation", allocation_id=proposal["id"], lang=lang,
                            unplaced=len(proposal["unplaced"])), 303)


@bp.get("/staff/allocations/<int:allocation_id>")
@public  # guarded inside
def allocation(allocation_id: int):
    staff = page_staff("logistics")
    lang = current_language()
    view = shipping.get_allocation(allocation_id, lang)
    return render_template("allocation.html", lang=lang, tx=page_texts(TEXT, lang), a=view,
                           unplaced=request.args.get("unplaced", type=int),
                           csrf=auth.form_token(staff, "shipments"))


@bp.post("/staff/allocations/<int:allocation_id>/acceptance")
@public  # guarded inside (cookie + form token)
def accept(allocation_id: int):
    staff = page_staff("logistics")
    _checked(staff)
    lang = current_language()
    try:
        shipping.accept(allocation_id, staff.name)
    except errors.Conflict as exc:
        return redirect(url_for("shipment_pages.shipments", lang=lang, error=page_message(exc, lang)), 303)
    return redirect(url_for("shipment_pages.shipments", lang=lang), 303)


@bp.get("/staff/shipments/<int:shipment_id>")
@public  # guarded inside
def shipment(shipment_id: int):
    staff = page_staff("logistics", "centre_staff")
    lang = current_language()
    shipping.check_own(shipment_id, staff)
    view = shipping.get_shipment(shipment_id)
    view["status_text"] = page_texts(TEXT, lang)[f"status_{view['status']}"]
    return render_template("shipment.html", lang=lang, tx=page_texts(TEXT, lang), s=view, staff=staff,
                           missing=request.args.getlist("missing"), csrf=auth.form_token(staff, "shipments"),
                           error=request.args.get("error"))


@bp.post("/staff/shipments/<int:shipment_id>/<string:action>")
@public  # guarded inside (cookie + form token)
def shipment_action(shipment_id: int, action: str):
    staff = page_staff("logistics", "centre_staff")
    _checked(staff)
    lang = current_language()
    target = {"lang": lang}
    try:
        if action == "dispatch" and staff.role in ("logistics", "admin"):
            shipping.dispatch(shipment_id, (request.form.get("carrier_tracking") or "").strip()[:100] or None,
                              staff.name)
        elif action == "closing":
            shipping.check_own(shipment_id, staff)
            closed = shipping.close(shipment_id, staff.name)
            target["missing"] = [c["code"] for c in closed["missing"]]
        else:
            abort(404)
    except errors.Conflict as exc:
        target["error"] = page_message(exc, lang)
    return redirect(url_for("shipment_pages.shipment", shipment_id=shipment_id, **target), 303)
