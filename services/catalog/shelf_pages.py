"""Pages at the shelves: the copy's public page (its QR code opens it) and the scan page
for centre staff with a USB barcode scanner, a phone camera, or fingers."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for

from services.catalog import readers, scanning
from services.catalog.pages import page_staff
from shared import auth
from shared.auth import public
from shared.i18n import current_language, kyiv_time, page_texts, t
from shared.limits import limited
from shared.web import ApiError

bp = Blueprint("shelf_pages", __name__, template_folder="templates")

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
    # the scan page
    "scan_title": ("Сканування", "Scanning"),
    "centre": ("Центр", "Centre"),
    "mode": ("Що робимо", "What we are doing"),
    "mode_arrival": ("Приймаємо відправлення", "Receiving a shipment"),
    "mode_shelve": ("Ставимо на полицю", "Putting on the shelf"),
    "mode_inventory": ("Переоблік полиці", "Counting the shelf"),
    "scan_label": ("Код з наклейки (сканер або вручну)", "Code from the label (scanner or by hand)"),
    "scan_button": ("Надіслати", "Send"),
    "camera": ("Сканувати камерою", "Scan with the camera"),
    "camera_stop": ("Зупинити камеру", "Stop the camera"),
    "recent": ("Останні сканування", "Recent scans"),
    "queued": ("Немає зв'язку: сканувань у черзі —", "No connection: scans waiting —"),
    "online": ("Зв'язок є.", "Online."),
    "signed_out": ("Сесія скінчилася: увійдіть знову, черга збережеться.",
                   "Your session ended: sign in again, the queue is kept."),
    "close_count": ("Завершити переоблік", "Finish the count"),
    "count_closed": ("Переоблік завершено. Не знайшли на полиці (їх читають):",
                     "The count is finished. Not on the shelf (being read):"),
    "keep_here": ("Залишити тут", "Keep it here"),
    "send_on": ("Відправити далі", "Send it on"),
    "decided": ("Готово.", "Done."),
    "waiting": ("у черзі", "queued"),
}



@bp.route("/c/<string:code>", methods=["GET", "POST"])
@limited("notes", methods=["POST"])
@public
def copy_page(code: str):
    lang = current_language()
    tx = page_texts(TEXT, lang)
    error, status, thanks = None, 200, False
    if request.method == "POST":
        try:
            readers.add_note(code, request.form.get("text", "")[:2000],
                             bool(request.form.get("passing_on")))
            return redirect(url_for("shelf_pages.copy_page", code=code, lang=lang, thanks=1), 303)
        except ApiError as exc:
            if exc.code == 404:
                abort(404)
            error, status = t("catalog.note_empty", lang), exc.code
    try:
        page = readers.copy_page(code)
    except ApiError:
        return render_template("copy.html", lang=lang, tx=tx, page=None,
                               not_found=t("catalog.copy_not_found", lang)), 404
    thanks = bool(request.args.get("thanks"))
    for entry in page["journey"] + page["notes"]:
        entry["at_local"] = kyiv_time(entry["at"])
    return render_template("copy.html", lang=lang, tx=tx, page=page, error=error,
                           thanks=thanks), status


@bp.get("/staff/centres/<string:code>/scan")
@public  # signed-out visitors get the sign-in form; the page's API calls check the role
def scan_page(code: str):
    lang = current_language()
    staff = page_staff("centre_staff", "logistics")
    if staff.role == "centre_staff" and staff.centre != code:
        return redirect(url_for("shelf_pages.scan_page", code=staff.centre, lang=lang))
    recent = scanning.recent_scans(code)
    for entry in recent:
        entry["at_local"] = kyiv_time(entry["at"])
    return render_template("scan.html", lang=lang, tx=page_texts(TEXT, lang), centre=code, staff=staff,
                           recent=recent, api_token=auth.api_token(staff))
