"""The readers' pages: a copy's public page (its label's QR code opens it) — the book, its
journey, readers' notes — and "I liked this book"."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for

from services.catalog.services import readers
from shared import errors
from shared.auth import public
from shared.i18n import current_language, kyiv_time, page_texts, t
from shared.limits import allowed, limited
from shared.web import page_message

bp = Blueprint("reader_pages", __name__, template_folder="templates")

TEXT = {
    "copy_title": ("Книжка з полиці буккросингу", "A book from a bookcrossing shelf"),
    "code": ("Код книжки", "Book code"),
    "by": ("Автори", "Authors"),
    "from": ("Звідки", "Where from"),
    "kind_citizen": ("подарувала людина", "given by a person"),
    "kind_publisher": ("подарувало видавництво", "given by a publisher"),
    "kind_organisation": ("подарувала організація", "given by an organisation"),
    "now_at": ("Зараз", "Now"),
    "journey": ("Її шлях", "Its journey"),
    "step_catalogued": ("Описана в хабі", "Catalogued at the hub"),
    "step_dispatched": ("Поїхала до центру", "Sent to the centre"),
    "step_received": ("Прибула до центру", "Arrived at the centre"),
    "step_shelved": ("На полиці", "On the shelf"),
    "step_moved": ("Переїхала з читачем до іншого центру", "Travelled with a reader to another centre"),
    "step_taken": ("Її взяли почитати", "Taken home by a reader"),
    "step_returned": ("Читач повернув її на полицю", "A reader brought it back"),
    "step_kept": ("Залишилася в цьому центрі", "Stayed at this centre"),
    "notes": ("Що пишуть читачі", "What readers say"),
    "no_notes": ("Ще ніхто нічого не написав. Будьте першими!", "Nobody has written yet. Be the first!"),
    "passing_on": ("передам далі", "will pass it on"),
    "your_note": ("Ваш відгук (до 500 знаків)", "Your note (up to 500 characters)"),
    "will_pass": ("Прочитаю й передам далі", "I will read it and pass it on"),
    "send": ("Надіслати", "Send"),
    "thanks": ("Дякуємо! Ваш відгук уже тут.", "Thank you! Your note is here now."),
    "invite": ("Візьміть почитати й поверніть на будь-яку полицю в будь-якому сервісному центрі.",
               "Take it home to read, then bring it back to a shelf in any service centre."),
    # "I liked this book"
    "like": ("Мені сподобалася ця книжка", "I liked this book"),
    "liked": ("Дякуємо! Ми передамо це донору й команді.", "Thank you! We will pass it on to the donor and the team."),
    "too_many": ("Забагато натискань. Спробуйте пізніше.", "Too many clicks. Please try later."),
}


@bp.route("/c/<string:code>", methods=["GET", "POST"])
@limited("notes", methods=["POST"])
@public
def copy_page(code: str):
    lang = current_language()
    tx = page_texts(TEXT, lang)
    error, status = None, 200
    if request.method == "POST":
        try:
            readers.add_note(code, request.form.get("text", "")[:2000], bool(request.form.get("passing_on")))
            return redirect(url_for("reader_pages.copy_page", code=code, lang=lang, thanks=1), 303)
        except errors.Invalid as exc:
            error, status = page_message(exc, lang), 422
    try:
        page = readers.copy_page(code)
    except errors.NotFound:
        return render_template("copy.html", lang=lang, tx=tx, page=None,
                               not_found=t("catalog.copy_not_found", lang)), 404
    for entry in page["journey"] + page["notes"]:
        entry["at_local"] = kyiv_time(entry["at"])
    return render_template("copy.html", lang=lang, tx=tx, page=page, error=error,
                           thanks=bool(request.args.get("thanks")), liked=bool(request.args.get("liked"))), status


@bp.route("/c/<string:code>/like", methods=["POST"])
@public
def like(code: str):
    """A reader's one click: 'I liked this book'."""
    lang = current_language()
    if not allowed("likes"):  # rate limit of this route
        return render_template("thanks.html", lang=lang, tx=page_texts(TEXT, lang),
                               message=page_texts(TEXT, lang)["too_many"]), 429
    readers.like(code)
    return redirect(url_for("reader_pages.copy_page", code=code, lang=lang, liked=1), 303)
