"""The scan page for centre staff: arrivals, shelving and shelf counts with a USB barcode
scanner (it types the code and Enter), a phone camera, or fingers; it works offline."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template

from services.catalog.services import scanning
from shared import auth
from shared.auth import public
from shared.i18n import current_language, kyiv_time, page_texts
from shared.workspace import page_staff, staff_url

bp = Blueprint("scan_pages", __name__, template_folder="templates")

TEXT = {
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


@bp.get("/staff/centres/<string:code>/scan")
@public  # signed-out visitors get the sign-in form; the page's API calls check the role
def scan_page(code: str):
    lang = current_language()
    staff = page_staff("centre_staff", "logistics")
    if staff.role == "centre_staff" and staff.centre != code:
        return redirect(staff_url("catalog", f"/staff/centres/{staff.centre}/scan"))
    recent = scanning.recent_scans(code)
    for entry in recent:
        entry["at_local"] = kyiv_time(entry["at"])
    return render_template("scan.html", lang=lang, tx=page_texts(TEXT, lang), centre=code, staff=staff,
                           recent=recent, api_token=auth.api_token(staff))
