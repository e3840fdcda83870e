"""Pages of the reports: the staff dashboard and equity map, admin's oblast wish lists, the
public 'where books are needed', and the open data files."""
from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, abort, jsonify, render_template, request
from markupsafe import Markup

from services.catalog import charts, question_reports
from services.catalog.services import figures as report_views
from services.catalog.services import needs
from services.catalog.texts import WISH_KINDS
from shared import auth, config, errors
from shared.auth import public
from shared.i18n import current_language, kyiv_time, page_texts
from shared.web import page_message, status_of
from shared.workspace import page_staff, staff_url

bp = Blueprint("report_pages", __name__, template_folder="templates")

# The reports pages' words, Ukrainian first.
STAGES = {
    "offered": ("пропозиція прийнята", "offer received"),
    "pickup_scheduled": ("приїзд призначено", "pickup scheduled"),
    "pickup_rescheduled": ("приїзд перенесено", "pickup rescheduled"),
    "pickup_failed": ("не вдалося забрати", "pickup failed"),
    "collected": ("книжки забрали", "books collected"),
    "catalogued": ("описані в хабі", "catalogued"),
    "on_shelves": ("на полицях", "on shelves"),
    "taken": ("читач узяв", "taken by a reader"),
    "noted": ("відгук читача", "a reader's note"),
    "cancelled": ("скасовано", "cancelled"),
    "tracking": ("сторінка відстеження", "tracking page"),
}
LEAD_STAGES = {
    "scheduled": ("пропозиція → приїзд призначено", "offer → pickup scheduled"),
    "collected": ("пропозиція → забрали", "offer → collected"),
    "catalogued": ("пропозиція → описані", "offer → catalogued"),
    "shelved": ("пропозиція → на полиці", "offer → on a shelf"),
}
CHANNELS = {"email": ("e-mail", "e-mail"), "sms": ("SMS", "SMS"), "telegram": ("Telegram", "Telegram")}
OBLASTS_EN = {
    "Вінницька": ("Вінницька", "Vinnytsia"), "Волинська": ("Волинська", "Volyn"),
    "Дніпропетровська": ("Дніпропетровська", "Dnipropetrovsk"), "Донецька": ("Донецька", "Donetsk"),
    "Житомирська": ("Житомирська", "Zhytomyr"), "Закарпатська": ("Закарпатська", "Zakarpattia"),
    "Запорізька": ("Запорізька", "Zaporizhzhia"), "Івано-Франківська": ("Івано-Франківська", "Ivano-Frankivsk"),
    "Київська": ("Київська", "Kyiv oblast"), "м. Київ": ("м. Київ", "Kyiv city"),
    "Кіровоградська": ("Кіровоградська", "Kirovohrad"), "Луганська": ("Луганська", "Luhansk"),
    "Львівська": ("Львівська", "Lviv"), "Миколаївська": ("Миколаївська", "Mykolaiv"),
    "Одеська": ("Одеська", "Odesa"), "Полтавська": ("Полтавська", "Poltava"), "Рівненська": ("Рівненська", "Rivne"),
    "Сумська": ("Сумська", "Sumy"), "Тернопільська": ("Тернопільська", "Ternopil"),
    "Харківська": ("Харківська", "Kharkiv"), "Херсонська": ("Херсонська", "Kherson"),
    "Хмельницька": ("Хмельницька", "Khmelnytskyi"), "Черкаська": ("Черкаська", "Cherkasy"),
    "Чернівецька": ("Чернівецька", "Chernivtsi"), "Чернігівська": ("Чернігівська", "Chernihiv"),
    "АР Крим": ("АР Крим", "Crimea"), "м. Севастополь": ("м. Севастополь", "Sevastopol"),
}

TEXT = {
    "dashboard_title": ("Як працює мережа", "How the network is doing"),
    "generated": ("Станом на", "As of"),
    "numbers": ("Цифри", "The numbers"),
    # informed
    "informed": ("Скільком людям ми розповіли", "People informed"),
    "chart_told": ("Донорам розповіли: етап і канал", "Donors told, by stage and channel"),
    "stage": ("Етап", "Stage"),
    "total": ("Разом", "Total"),
    "delivery": ("Доставка повідомлень", "Message delivery"),
    "chart_delivery": ("Надіслано й не доставлено, за каналом", "Sent and failed, by channel"),
    "channel": ("Канал", "Channel"),
    "sent": ("надіслано", "sent"),
    "failed": ("не доставлено", "failed"),
    "rate": ("частка доставлених", "delivery rate"),
    "notices": ("Чи дійшла звістка", "Did the news reach them"),
    "direct": ("першим каналом", "on the first channel"),
    "fell_back": ("іншим каналом, коли перший підвів", "on another channel after the first failed"),
    "not_reached": ("не дійшла", "not reached"),
    "unsubscribed": ("Відписалися", "Unsubscribed"),
    "donors": ("донорів", "donors"),
    # response
    "response": ("Як швидко ми відповідаємо", "Response time"),
    "month": ("Місяць", "Month"),
    "show": ("Показати", "Show"),
    "oblast": ("Область", "Oblast"),
    "donations": ("Пожертв", "Donations"),
    "failed_pickups": ("Невдалих приїздів", "Failed pickups"),
    "median": ("медіана", "median"),
    "p90": ("90-й процентиль", "90th percentile"),
    "reached": ("дійшли", "reached"),
    "network": ("Уся мережа", "Whole network"),
    "chart_lead_trend": ("Медіана, днів, за місяцем пропозиції", "Median, days, by month of the offer"),
    "trend": ("За місяцями", "By month"),
    "waiting": ("Чекають найдовше", "Waiting longest"),
    "offered_at": ("Запропоновано", "Offered"),
    "now_at": ("Зараз", "Now"),
    "days": ("днів", "days"),
    "open": ("Відкрити", "Open"),
    "lead_offered": ("чекає на приїзд", "waiting for a pickup"),
    "lead_scheduled": ("приїзд призначено", "pickup scheduled"),
    "lead_collected": ("їде до хабу / в хабі", "on its way to / at the hub"),
    "lead_catalogued": ("описані, ще не на полиці", "catalogued, not on a shelf yet"),
    "nothing_waits": ("Ніхто не чекає.", "Nobody is waiting."),
    # feedback
    "feedback": ("Відгуки", "Feedback"),
    "chart_feedback": ("Частка «так, корисно», % за тиждень", "Share of 'yes, useful', % per week"),
    "week": ("Тиждень з", "Week of"),
    "yes": ("так", "yes"),
    "no": ("ні", "no"),
    "share_positive": ("частка «так»", "share of yes"),
    "from_messages": ("з листів", "from messages"),
    "from_tracking": ("зі сторінки відстеження", "from the tracking page"),
    "reader_likes": ("«Мені сподобалася» від читачів", "readers' 'I liked this'"),
    "comments": ("Останні коментарі донорів", "Donors' latest comments"),
    "reader_notes": ("Останні відгуки читачів", "Readers' latest notes"),
    "none_yet": ("Поки нічого.", "Nothing yet."),
    # equity
    "equity": ("Рівний доступ до книжок", "Equity"),
    "chart_per_1000": ("Книжок на полицях на 1000 відвідувачів на рік", "Books on shelves per 1,000 yearly visitors"),
    "per_1000": ("на 1000 відвідувачів", "per 1,000 visitors"),
    "per_1000_unit": ("книжок на 1000 відвідувачів", "books per 1,000 visitors"),
    "map_title": ("Книжок на полицях на 1000 відвідувачів, за областю",
                  "Books on shelves per 1,000 visitors, by oblast"),
    "map_link": ("Мапа областей окремо", "The map on its own"),
    "no_data": ("немає даних", "no data"),
    "centres": ("Центрів", "Centres"),
    "with_shelf": ("з полицею", "with a shelf"),
    "on_shelf": ("На полицях", "On shelves"),
    "taken": ("взяли читачі", "taken by readers"),
    "shelved": ("поставили на полицю", "put on a shelf"),
    "visitors": ("Відвідувачів на рік", "Visitors a year"),
    "low_stock": ("Полиці, де книжок немає або мало", "Shelves with no or few books"),
    "level_none": ("порожня", "empty"),
    "level_few": ("мало", "few"),
    "capacity": ("Місткість", "Capacity"),
    "centre": ("Центр", "Centre"),
    "chart_months": ("Щомісяця: поставили на полиці й узяли читачі", "Each month: put on shelves and taken by readers"),
    "unknown": ("невідомо", "unknown"),
    # needs
    "needs_title": ("Де потрібні книжки", "Where books are needed"),
    "needs_intro": ("Книжки розподіляємо так, щоб їх вистачало всюди: центр, де на одного відвідувача "
                    "припадає найменше книжок, отримує наступну. Пріоритетні області (Схід, деокуповані "
                    "громади) важать більше. Нижче — центри з полицями, від найбільшої потреби.",
                    "We share books out so that there are enough everywhere: the centre with the fewest books "
                    "per visitor gets the next one. Priority oblasts (the East, de-occupied communities) weigh "
                    "more. Below are the centres with shelves, greatest need first."),
    "need": ("Потреба", "Need"),
    "need_high": ("велика", "high"),
    "need_medium": ("середня", "medium"),
    "need_low": ("невелика", "low"),
    "need_full": ("полиця повна", "the shelf is full"),
    "priority": ("пріоритетна область", "priority oblast"),
    "books_now": ("книжок зараз (разом із тими, що в дорозі)", "books now (with those on the way)"),
    "free_places": ("вільних місць", "free places"),
    "wanted": ("Тут просять", "Asked for here"),
    "no_wishes": ("будь-які добрі книжки", "any good books"),
    "offer_books": ("Запропонувати книжки", "Offer books"),
    "need_explained": ("Потреба = вага області × відвідувачі на рік ÷ (книжки в центрі + 1), у порівнянні "
                       "з центром, якому книжки потрібні найбільше.",
                       "Need = the oblast's weight × visitors a year ÷ (books at the centre + 1), compared "
                       "with the centre that needs books most."),
    "wishes_title": ("Які книжки просять області", "What kinds of books oblasts ask for"),
    "save": ("Зберегти", "Save"),
    "saved": ("Збережено:", "Saved:"),
    # open data
    "open_data_title": ("Відкриті дані", "Open data"),
    "open_data_intro": ("Зведені цифри мережі, без жодних персональних даних: за центром і місяцем (за київським "
                        "часом) і за центром зараз. Ліцензія CC BY 4.0.",
                        "The network's aggregated figures, with no personal data at all: per centre and month "
                        "(Kyiv time) and per centre now. Licence CC BY 4.0."),
    "fields": ("Поля", "Fields"),
}



def duration(seconds: int | None, lang: str) -> str:
    """'2 д 5 год' / '2 d 5 h', or minutes under an hour."""
    if seconds is None:
        return "—"
    d, h, m = seconds // 86400, seconds % 86400 // 3600, seconds % 3600 // 60
    units = ("д", "год", "хв") if lang == "uk" else ("d", "h", "min")
    if d:
        return f"{d} {units[0]} {h} {units[1]}"
    if h:
        return f"{h} {units[1]} {m} {units[2]}"
    return f"{m} {units[2]}" if m else f"{seconds} {'с' if lang == 'uk' else 's'}"


def percent(share: float | None) -> str:
    return "—" if share is None else f"{share * 100:.1f} %"


def _name(table: dict, key: str, lang: str) -> str:
    pair = table.get(key)
    return pair[0 if lang == "uk" else 1] if pair else key


def _figures(data: dict, lang: str) -> dict:
    """The dashboard's charts (SVG) from the same figures the tables show."""
    tx = page_texts(TEXT, lang)
    informed, response, feedback, equity = data["informed"], data["response"], data["feedback"], data["equity"]
    channel = {c: _name(CHANNELS, c, lang) for c in report_views.CHANNELS}
    stage_names = [_name(STAGES, r["stage"], lang) for r in informed["told"]]
    lead = [_name(LEAD_STAGES, s, lang) for s in report_views.LEAD_STAGES if s]
    weeks = list(reversed(feedback["weeks"]))
    empty = {"no_data_text": tx["none_yet"]}
    return {
        "told": charts.bars(tx["chart_told"], stage_names,
                            [(channel[c], [r[c] for r in informed["told"]]) for c in report_views.CHANNELS],
                            stacked=True, horizontal=True, **empty),
        "delivery": charts.bars(tx["chart_delivery"], [channel[r["channel"]] for r in informed["delivery"]],
                                [(tx["sent"], [r["sent"] for r in informed["delivery"]]),
                                 (tx["failed"], [r["failed"] for r in informed["delivery"]])], stacked=True, **empty),
        "lead_trend": charts.lines(tx["chart_lead_trend"], [r["month"] for r in response["trend"]],
                                   [(name, [round(r["stages"][s]["median_s"] / 86400, 2)
                                            if r["stages"][s]["median_s"] is not None else None
                                            for r in response["trend"]])
                                    for s, name in zip(report_views.LEAD_STAGES, lead)], **empty),
        "feedback": charts.bars(tx["chart_feedback"], [w["week"] for w in weeks],
                                [(tx["share_positive"], [round(w["share_positive"] * 100, 1)
                                                         if w["share_positive"] is not None else None for w in weeks])],
                                range=(0, 100), **empty),
        "per_1000": charts.bars(tx["chart_per_1000"], [_name(OBLASTS_EN, o["oblast"], lang)
                                                       for o in equity["oblasts"]],
                                [(tx["per_1000"], [o["per_1000_visitors"] for o in equity["oblasts"]])],
                                horizontal=True, height=560, **empty),
        "months": charts.bars(tx["chart_months"], [m["month"] for m in equity["months"]],
                              [(tx["shelved"], [m["shelved"] for m in equity["months"]]),
                               (tx["taken"], [m["taken"] for m in equity["months"]])], **empty),
        "map": _map(equity, lang),
    }


def _map(equity: dict, lang: str) -> Markup:
    tx = page_texts(TEXT, lang)
    values = {o["oblast"]: o["per_1000_visitors"] for o in equity["oblasts"]}
    names = {o: _name(OBLASTS_EN, o, lang) if lang == "en" else o for o in charts.oblast_shapes()}
    return charts.oblast_map(values, title=tx["map_title"], unit=tx["per_1000_unit"], no_data=tx["no_data"],
                             names=names)


@bp.route("/staff/reports")
@public  # guarded inside (the staff cookie; admin and logistics)
def dashboard():
    page_staff("logistics")
    lang = current_language()
    data = report_views.dashboard(request.args.get("month"))
    return render_template("dashboard.html", lang=lang, tx=page_texts(TEXT, lang), d=data,
                           qtx=page_texts(question_reports.TEXT, lang),
                           queue_url=staff_url("donations", "/staff/questions"),
                           figures=_figures(data, lang), duration=lambda s: duration(s, lang), percent=percent,
                           stage=lambda s: _name(STAGES, s, lang),
                           lead_stage=lambda s: _name(LEAD_STAGES, s, lang),
                           channel=lambda c: _name(CHANNELS, c, lang),
                           oblast=lambda o: _name(OBLASTS_EN, o, lang) if lang == "en" else o,
                           local=kyiv_time, lead_stages=report_views.LEAD_STAGES, channels=report_views.CHANNELS)


@bp.route("/staff/reports/map")
@public  # guarded inside
def equity_map():
    page_staff("logistics")
    lang = current_language()
    equity = report_views.equity_only()
    return render_template("equity_map.html", lang=lang, tx=page_texts(TEXT, lang), equity=equity,
                           map=_map(equity, lang),
                           oblast=lambda o: _name(OBLASTS_EN, o, lang) if lang == "en" else o)


@bp.route("/staff/reports/wishes", methods=["GET", "POST"])
@public  # guarded inside (admin only)
def wishes():
    staff = page_staff("admin")
    lang = current_language()
    saved = error = None
    status = 200
    if request.method == "POST":
        if not auth.form_token_valid(staff, "wishes", request.form.get("csrf")):
            abort(403)
        oblast = request.form.get("oblast", "")
        try:
            needs.set_wishes(oblast, request.form.getlist("kinds"), staff.name)
            saved = oblast
        except errors.DomainError as exc:
            error, status = page_message(exc, lang), status_of(exc)
    data = needs.needs()
    return render_template("wishes.html", lang=lang, tx=page_texts(TEXT, lang), data=data, saved=saved,
                           error=error, csrf=auth.form_token(staff, "wishes"),
                           kinds=[(k, v[0 if lang == "uk" else 1]) for k, v in WISH_KINDS.items()]), status


@bp.route("/needs")
@public
def needs_page():
    lang = current_language()
    data = needs.needs()
    return render_template("needs.html", lang=lang, tx=page_texts(TEXT, lang), data=data,
                           offer_url=f"{config.public_base_url('donations')}/?lang={lang}",
                           wish=lambda k: _name(WISH_KINDS, k, lang),
                           oblast=lambda o: _name(OBLASTS_EN, o, lang) if lang == "en" else o)


# --- open data -----------------------------------------------------------------------------------

@bp.route("/open-data")
@public
def open_data():
    lang = current_language()
    return render_template("open_data.html", lang=lang, tx=page_texts(TEXT, lang),
                           month_fields=report_views.OPEN_DATA_FIELDS, centre_fields=report_views.CENTRE_FIELDS)


def _csv(rows: list[dict], fields: tuple[str, ...], name: str) -> Response:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if row[k] is None else row[k] for k in fields})
    return Response(out.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{name}"'})


@bp.route("/open-data/centres-months.<string:fmt>")
@public
def open_data_months(fmt: str):
    rows = report_views.open_data_months()
    if fmt == "csv":
        return _csv(rows, report_views.OPEN_DATA_FIELDS, "bookcross-centres-months.csv")
    if fmt == "json":
        return jsonify({"fields": report_views.OPEN_DATA_FIELDS, "rows": rows})
    abort(404)


@bp.route("/open-data/centres.<string:fmt>")
@public
def open_data_centres(fmt: str):
    rows = report_views.open_data_centres()
    if fmt == "csv":
        return _csv(rows, report_views.CENTRE_FIELDS, "bookcross-centres.csv")
    if fmt == "json":
        return jsonify({"fields": report_views.CENTRE_FIELDS, "rows": rows})
    abort(404)
