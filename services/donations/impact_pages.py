"""Donors' pages of the impact report and of 'was this useful?' (public: signed links, or the
tracking code)."""
from __future__ import annotations

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for

from services.donations import config, impact, services
from shared.auth import public
from shared.donor_links import read_feedback_token
from shared.i18n import current_language, kyiv_time, page_texts
from shared.limits import allowed

bp = Blueprint("impact_pages", __name__, template_folder="templates")

TEXT = {
    "title": ("Що стало з подарованими книжками", "What became of the books you gave"),
    "title_org": ("Звіт про вплив", "Impact report"),
    "generated": ("Станом на", "As of"),
    "donations": ("Пожертв", "Donations"),
    "collected": ("Книжок зібрали", "Books collected"),
    "catalogued": ("Книжок описали в хабі", "Books catalogued"),
    "sent": ("відправлено", "sent"),
    "on_shelves": ("на полицях", "on shelves"),
    "taken": ("взяли читачі", "taken by readers"),
    "centres_reached": ("Сервісних центрів", "Service centres"),
    "oblasts_reached": ("Областей", "Oblasts"),
    "by_oblast": ("За областями", "By oblast"),
    "by_centre": ("За центрами", "By centre"),
    "oblast": ("Область", "Oblast"),
    "centre": ("Центр", "Centre"),
    "notes": ("Що пишуть читачі", "What readers say"),
    "no_notes": ("Читачі ще нічого не написали.", "Readers have not written anything yet."),
    "pdf": ("Завантажити PDF для друку", "Download a printable PDF"),
    "share": ("Цим посиланням можна поділитися: воно показує лише ці книжки, без імен і адрес.",
              "You may share this link: it shows these books only, with no names or addresses."),
    "per_donation": ("Пожертви", "Donations"),
    "offered_at": ("Дата", "Date"),
    "declared": ("запропоновано", "offered"),
    "not_found": ("Такого звіту немає. Перевірте посилання.", "There is no such report. Please check the link."),
    "too_many": ("Забагато запитів. Спробуйте за хвилину.", "Too many requests. Please try in a minute."),
    # feedback
    "question": ("Чи було це корисним?", "Was this useful?"),
    "yes": ("Так", "Yes"),
    "no": ("Ні", "No"),
    "thanks": ("Дякуємо за відповідь!", "Thank you for your answer!"),
    "comment": ("Хочете щось додати? (до 500 знаків)", "Anything to add? (up to 500 characters)"),
    "send": ("Надіслати", "Send"),
    "comment_thanks": ("Дякуємо, ми прочитаємо.", "Thank you, we will read it."),
}



@bp.get("/impact/<string:token>")
@public
def impact_page(token: str):
    lang = current_language()
    tx = page_texts(TEXT, lang)
    if not allowed("impact"):  # rate limit of this route
        return render_template("impact.html", lang=lang, tx=tx, r=None, message=tx["too_many"]), 429
    try:
        data = impact.report(token)
    except impact.NotFound:
        return render_template("impact.html", lang=lang, tx=tx, r=None, message=tx["not_found"]), 404
    return render_template("impact.html", lang=lang, tx=tx, r=data, token=token, local=kyiv_time)


@bp.get("/impact/<string:token>/report.pdf")
@public
def impact_pdf(token: str):
    lang = current_language()
    tx = page_texts(TEXT, lang)
    if not allowed("impact"):  # rate limit of this route
        abort(429)
    try:
        data = impact.report(token)
    except impact.NotFound:
        abort(404)
    texts = {**tx, "title": tx["title_org"] if data["kind"] == "organisation" else tx["title"]}
    return Response(impact.report_pdf(data, lang, texts), mimetype="application/pdf",
                    headers={"Content-Disposition": 'inline; filename="bookcross-impact.pdf"'})


@bp.route("/feedback/<string:token>", methods=["GET", "POST"])
@public
def feedback(token: str):
    """One click from a letter: the answer is in the link (GET records it, and a later click
    on the other answer replaces it); the page then offers a comment (POST)."""
    lang = current_language()
    tx = page_texts(TEXT, lang)
    claims = read_feedback_token(token)
    if claims is None:
        abort(404)
    if not allowed("feedback"):  # rate limit of this route
        return render_template("feedback.html", lang=lang, tx=tx, message=tx["too_many"]), 429
    donation_id, stage = claims
    answer = request.values.get("answer")
    saved = None
    try:
        if answer in ("yes", "no"):
            saved = impact.give_feedback(donation_id, stage, answer == "yes",
                                         request.form.get("comment") if request.method == "POST" else None)
    except impact.NotFound:
        abort(404)
    return render_template("feedback.html", lang=lang, tx=tx, token=token, saved=saved,
                           commented=request.method == "POST" and bool(request.form.get("comment")))


@bp.post("/track/<string:code>/feedback")
@public
def track_feedback(code: str):
    lang = current_language()
    if not allowed("feedback"):  # rate limit of this route
        abort(429)
    answer = request.form.get("answer")
    if answer not in ("yes", "no"):
        abort(400)
    try:
        donation, _ = services.find_by_tracking_code(code)
        impact.give_feedback(donation.id, "tracking", answer == "yes", request.form.get("comment"))
    except (services.NotFound, impact.NotFound):
        abort(404)
    return redirect(url_for("donation_pages.track_page", code=code, lang=lang, answered=1) + "#feedback", 303)


@bp.app_template_global()
def donor_extras(tracking_code: str) -> dict:
    """The tracking page's links to the impact report and its 'was this useful?' state."""
    links = impact.links_for_code(tracking_code) or {}
    links["tx"] = page_texts(TEXT, current_language())
    return links


@bp.app_template_global()
def needs_link() -> dict:
    """The offer form links to catalog's public 'where books are needed' page."""
    return {"url": config.needs_page_url(),
            "text": {"uk": "Де найбільше потрібні книжки і які саме", "en": "Where books are needed most, and which"}}
