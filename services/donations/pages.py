"""Server-rendered pages: the public offer form, the donor's tracking page, the logistics board.

They use the same schemas and use cases as the API; no JavaScript is needed.
"""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from flask import Blueprint, abort, redirect, render_template, request, url_for
from marshmallow import ValidationError

from services.donations import domain, services, texts
from services.donations.api.track import tracking_view
from services.donations.schemas import DonationIn
from shared import auth
from shared.auth import public
from shared.centres import reference_centres
from shared.i18n import KYIV, current_language, kyiv_time, page_texts, t, translate_field_message
from shared.limits import limited
from shared.workspace import page_staff

bp = Blueprint("donation_pages", __name__, template_folder="templates")
FORM_ROWS = 5

TEXT = {
    "language": ("Мова", "Language"),
    "offer_title": ("Подарувати книжки сервісним центрам МВС", "Give books to the MVS service centres"),
    "offer_intro": ("Книжки поїдуть на полиці буккросингу в сервісних центрах, де їх найбільше бракує. "
                    "Ми розповімо вам про кожен крок.",
                    "The books go to the bookcrossing shelves of the service centres that need them most. "
                    "We will tell you about every step."),
    "fix_errors": ("Будь ласка, виправте:", "Please correct:"),
    "about_you": ("Про вас", "About you"),
    "donor_kind": ("Хто дарує", "Who is giving"),
    "kind_citizen": ("Я особисто", "Me, personally"),
    "kind_publisher": ("Видавництво", "A publisher"),
    "kind_organisation": ("Організація", "An organisation"),
    "name": ("Ім'я", "Name"), "optional": ("необов'язково", "optional"),
    "email": ("Електронна пошта", "E-mail"), "phone": ("Телефон", "Phone"),
    "contact_hint": ("Достатньо пошти або телефону.", "An e-mail or a phone is enough."),
    "latin": ("Писати мені латинкою", "Write to me in Latin letters"),
    "books": ("Книжки", "Books"), "book": ("Книжка", "Book"),
    "books_hint": ("ISBN є на звороті книжки. Якщо його немає, напишіть назву.",
                   "The ISBN is on the back cover. If there is none, give the title."),
    "title": ("Назва", "Title"), "authors": ("Автори", "Authors"), "quantity": ("Скільки", "How many"),
    "handover": ("Як передати", "How to hand them over"),
    "pickup": ("Заберіть у мене", "Pick them up from me"),
    "dropoff": ("Принесу до сервісного центру", "I will bring them to a service centre"),
    "address": ("Адреса", "Address"), "city": ("Населений пункт", "Town or city"),
    "oblast": ("Область", "Oblast"), "centre": ("Сервісний центр", "Service centre"),
    "consent": ("Згоден(-на), щоб мені писали про долю цих книжок", "I agree to be told what becomes of these books"),
    "submit_offer": ("Подарувати", "Give the books"),
    "track_title": ("Ваша пожертва", "Your donation"),
    "thanks_new": ("Дякуємо! Збережіть код: за ним ви завжди побачите, де ваші книжки.",
                   "Thank you! Keep this code: it always shows where your books are."),
    "tracking_code": ("Код відстеження", "Tracking code"), "find": ("Знайти", "Find"),
    "status": ("Стан", "Status"), "timeline": ("Що вже сталося", "What has happened"),
    "where": ("Де ваші книжки", "Where your books are"),
    "by_oblast": ("За областями", "By oblast"), "centres": ("Центрів", "Centres"),
    "on_shelves": ("На полицях", "On shelves"), "on_the_way": ("В дорозі", "On the way"),
    "with_readers": ("У читачів", "With readers"),
    "messages": ("Що ми вам писали", "What we wrote to you"),
    "preferences": ("Як нам вам писати (або не писати)", "How we write to you (or not)"),
    "cancel": ("Скасувати пожертву", "Cancel the donation"),
    "forget_me": ("Забути мене", "Forget me"),
    "forget_me_text": ("Ми видалимо ваше ім'я та контакти. Книжки й статистика залишаться.",
                       "We will erase your name and contacts. The books and the statistics stay."),
    "forget_me_confirm": ("Так, видаліть мої дані", "Yes, erase my data"),
    "board_title": ("Вивезення: що чекає", "Pickups waiting"),
    "board_intro": ("Спершу найстаріші.", "Oldest first."),
    "board_empty": ("Нічого не чекає на вивезення.", "Nothing is waiting for a pickup."),
    "signed_in_as": ("Ви увійшли як", "Signed in as"),
    "offered_at": ("Запропоновано", "Offered"), "actions": ("Дії", "Actions"),
    "window_start": ("Початок (за Києвом)", "Start (Kyiv time)"), "window_hours": ("Годин", "Hours"),
    "schedule": ("Запланувати", "Schedule"), "collected_count": ("Забрали книжок", "Books collected"),
    "record_collected": ("Забрали", "Collected"), "failure_reason": ("Чому не вдалося", "Why it failed"),
    "mark_failed": ("Не вдалося", "Failed"),
    "done": ("Збережено.", "Saved."),
}

LABELS = {"donor-email": "email", "donor-phone": "phone", "donor-consent": "consent",
          "handover-address": "address", "handover-city": "city", "handover-oblast": "oblast",
          "handover-centre_code": "centre", "items": "books"}



def _local(value: datetime | None) -> str:
    return kyiv_time(value) if value else ""


# --- the offer form -------------------------------------------------------------------------

MAX_FORM_ROWS = 200  # the client says how many rows it sent: never more than this


def _row_count(form) -> int:
    given = (form.get("rows") or "").strip()
    return max(0, min(int(given), MAX_FORM_ROWS)) if given.isdigit() and len(given) < 6 else FORM_ROWS


def _form_to_offer(form) -> tuple[dict, dict[int, int]]:
    """Form fields → the API's DonationIn shape; also which form row each item came from."""
    items, rows = [], {}
    for i in range(_row_count(form)):
        row = {k: (form.get(f"item-{i}-{k}") or "").strip() for k in ("isbn", "title", "authors", "quantity")}
        if not (row["isbn"] or row["title"] or row["authors"]):
            continue
        rows[len(items)] = i
        items.append({"isbn": row["isbn"] or None, "title": row["title"] or None,
                      "authors": row["authors"] or None,
                      "quantity": int(row["quantity"]) if row["quantity"].isdigit() else (row["quantity"] or 1)})
    kind = form.get("handover-kind", "pickup")
    handover = {"kind": kind}
    if kind == "dropoff":
        handover["centre_code"] = form.get("handover-centre_code") or None
    else:
        handover.update({k: form.get(f"handover-{k}") or None for k in ("address", "city", "oblast")})
    offer = {
        "donor": {"kind": form.get("donor-kind", "citizen"), "name": form.get("donor-name") or None,
                  "email": form.get("donor-email") or None, "phone": form.get("donor-phone") or None,
                  "language": current_language(), "latin": bool(form.get("donor-latin")),
                  "consent": bool(form.get("donor-consent"))},
        "items": items, "handover": handover,
    }
    return offer, rows


def _flatten(messages: dict, rows: dict[int, int]) -> dict[str, str]:
    """Schema errors → one message per form field id, in the page's language."""
    flat = {}
    for section, value in messages.items():
        if section == "items" and isinstance(value, dict):
            for index, fields in value.items():
                for field, errors in fields.items():
                    flat[f"item-{rows.get(int(index), int(index))}-{field}"] = translate_field_message(errors[0])
        elif section == "items":
            flat["items"] = translate_field_message(value[0])
        elif isinstance(value, dict):
            for field, errors in value.items():
                flat[f"{section}-{field}"] = translate_field_message(errors[0])
        else:
            flat[section] = translate_field_message(value[0])
    return flat


def _render_offer(form, errors, status=200):
    lang = current_language()
    tx = page_texts(TEXT, lang)
    centres = sorted(reference_centres().values(), key=lambda c: (c["oblast"], c["settlement"]))
    labels = {key: tx[value] for key, value in LABELS.items()}
    for i in range(FORM_ROWS):
        for field, name in (("isbn", "ISBN"), ("title", tx["title"]), ("quantity", tx["quantity"])):
            labels[f"item-{i}-{field}"] = f"{tx['book']} {i + 1}, {name}"
    return render_template("offer.html", lang=lang, tx=tx, form=form, errors=errors, labels=labels,
                           rows=FORM_ROWS, form_id=form.get("form_id") or uuid.uuid4().hex,
                           oblasts=sorted({c["oblast"] for c in centres}), centres=centres), status


@bp.get("/")
@public
def offer_form():
    return _render_offer({}, {})


@bp.post("/offer")
@limited("offers")
@public
def offer():
    offer_data, rows = _form_to_offer(request.form)
    try:
        loaded = DonationIn().load(offer_data)
    except ValidationError as exc:
        return _render_offer(request.form, _flatten(exc.messages, rows), 422)
    # The form's own id is its idempotency key: a double click makes one donation.
    key = f"form:{request.form.get('form_id', '')}"[:100] if request.form.get("form_id") else None
    try:
        donation = services.offer_donation(loaded, idempotency_key=key).donation
    except services.IdempotencyKeyReused:
        return _render_offer({k: v for k, v in request.form.items() if k != "form_id"},
                             {"form": t("donations.idempotency_key_reused")}, 422)
    except services.AlreadyOffered:
        return _render_offer(request.form, {"form": t("donations.already_offered")}, 409)
    return redirect(url_for("donation_pages.track_page", code=donation.tracking_code,
                            lang=current_language(), new=1), 303)


# --- the tracking page ----------------------------------------------------------------------

def _render_track(code: str, status: int = 200):
    lang = current_language()
    tx = page_texts(TEXT, lang)
    latin = request.args.get("script") == "latin"
    try:
        view = tracking_view(code, lang, latin)
    except services.NotFound:
        return render_template("track.html", lang=lang, tx=tx, track=None,
                               not_found=t("donations.tracking_not_found")), 404
    for entry in view["timeline"] + view["messages"]:
        entry["at_local"] = _local(entry["at"])
    return render_template("track.html", lang=lang, tx=tx, track=view, new=request.args.get("new")), status


@bp.get("/track/<string:code>")
@limited("tracking")
@public
def track_page(code: str):
    return _render_track(code)


@bp.get("/track")
@limited("tracking")
@public
def track_lookup():
    code = (request.args.get("code") or "").strip()
    if not code:
        return _render_track("")
    return redirect(url_for("donation_pages.track_page", code=code, lang=current_language()), 303)


@bp.post("/track/<string:code>/cancel")
@limited("donor_actions")
@public
def track_cancel(code: str):
    try:
        donation, _ = services.find_by_tracking_code(code)
        services.cancel(donation.id, by="donor", actor="donor")
    except services.NotFound:
        return _render_track(code)
    except domain.TransitionNotAllowed:
        return _render_track(code, 409)
    return redirect(url_for("donation_pages.track_page", code=code, lang=current_language()), 303)


@bp.post("/track/<string:code>/erase")
@limited("donor_actions")
@public
def track_erase(code: str):
    if request.form.get("confirm"):
        try:
            services.erase_donor(code)
        except services.NotFound:
            return _render_track(code)
    return redirect(url_for("donation_pages.track_page", code=code, lang=current_language()), 303)


# --- the logistics board (staff, signed in on catalog) --------------------------------------

def _board_staff():
    """Signed-out visitors go to the sign-in page (on catalog) and come back; only logistics."""
    return page_staff("logistics")


def _csrf(staff) -> str:
    return auth.form_token(staff, "board")


def _check_csrf(staff) -> None:
    if not auth.form_token_valid(staff, "board", request.form.get("csrf")):
        abort(403)


@bp.get("/staff/board")
@public  # guarded inside: signed-out visitors are sent to the sign-in page, not an error
def board():
    staff = _board_staff()
    lang = current_language()
    oblasts = services.pickup_board()
    rows = []
    for oblast in oblasts:
        cities = []
        for city in oblast["cities"]:
            donations = [{"id": d.id, "status": d.status, "status_text": texts.status_name(d.status, lang),
                          "created_local": _local(d.created_at), "declared_count": d.declared_count,
                          "address": d.address,
                          "pickup_local": _local(d.pickup_start) if d.pickup_start else ""}
                         for d in city["donations"]]
            cities.append({"city": city["city"], "donations": donations})
        rows.append({"oblast": oblast["oblast"], "waiting": oblast["waiting"], "cities": cities})
    return render_template("board.html", lang=lang, tx=page_texts(TEXT, lang), board=rows, staff=staff,
                           csrf=_csrf(staff), message=page_texts(TEXT, lang)["done"] if request.args.get("done") else None)


def _board_action(donation_id: uuid.UUID, action):
    staff = _board_staff()
    _check_csrf(staff)
    try:
        action(staff)
    except (services.NotFound, domain.TransitionNotAllowed, ValueError):
        abort(409)
    return redirect(url_for("donation_pages.board", lang=current_language(), done=1), 303)


@bp.post("/staff/board/<uuid:donation_id>/pickup")
@public  # guarded inside (cookie + CSRF)
def board_pickup(donation_id: uuid.UUID):
    def act(staff):
        start = datetime.fromisoformat(request.form["start"]).replace(tzinfo=KYIV)
        hours = max(1, min(12, int(request.form.get("hours") or 2)))
        services.schedule_pickup(donation_id, start, start + timedelta(hours=hours), actor=staff.name)
    return _board_action(donation_id, act)


@bp.post("/staff/board/<uuid:donation_id>/collection")
@public  # guarded inside (cookie + CSRF)
def board_collection(donation_id: uuid.UUID):
    def act(staff):
        services.record_collection(donation_id, max(0, int(request.form["count"])), actor=staff.name)
    return _board_action(donation_id, act)


@bp.post("/staff/board/<uuid:donation_id>/failure")
@public  # guarded inside (cookie + CSRF)
def board_failure(donation_id: uuid.UUID):
    def act(staff):
        reason = (request.form.get("reason") or "").strip()[:500]
        if not reason:
            raise ValueError("reason required")
        services.fail_pickup(donation_id, reason, actor=staff.name)
    return _board_action(donation_id, act)
