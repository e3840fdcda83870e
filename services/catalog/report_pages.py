"""Pages of the reports: the staff dashboard and equity map, the public 'where books are
needed', readers' 'I liked this book', and the open data files."""
from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, abort, jsonify, redirect, render_template, request, url_for
from markupsafe import Markup

from services.catalog import charts, likes, needs, question_reports, report_texts, report_views
from services.catalog.pages import page_staff
from shared import auth, config
from shared.auth import public
from shared.i18n import current_language, kyiv_time, page_texts, t
from shared.limits import allowed
from shared.web import ApiError

bp = Blueprint("report_pages", __name__, template_folder="templates")
TEXT = report_texts.PAGE



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
    channel = {c: _name(report_texts.CHANNELS, c, lang) for c in report_views.CHANNELS}
    stage_names = [_name(report_texts.STAGES, r["stage"], lang) for r in informed["told"]]
    lead = [_name(report_texts.LEAD_STAGES, s, lang) for s in report_views.LEAD_STAGES if s]
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
        "per_1000": charts.bars(tx["chart_per_1000"], [_name(report_texts.OBLASTS_EN, o["oblast"], lang)
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
    names = {o: _name(report_texts.OBLASTS_EN, o, lang) if lang == "en" else o for o in charts.oblast_shapes()}
    return charts.oblast_map(values, title=tx["map_title"], unit=tx["per_1000_unit"], no_data=tx["no_data"],
                             names=names)


@bp.route("/staff/reports")
@public  # guarded inside (the staff cookie; admin and logistics)
def dashboard():
    page_staff("logistics")
    lang = current_language()
    try:
        data = report_views.dashboard(request.args.get("month"))
    except ApiError:
        abort(400)
    return render_template("dashboard.html", lang=lang, tx=page_texts(TEXT, lang), d=data,
                           qtx=page_texts(question_reports.TEXT, lang),
                           queue_url=f"{config.public_base_url('donations')}/staff/questions?lang={lang}",
                           figures=_figures(data, lang), duration=lambda s: duration(s, lang), percent=percent,
                           stage=lambda s: _name(report_texts.STAGES, s, lang),
                           lead_stage=lambda s: _name(report_texts.LEAD_STAGES, s, lang),
                           channel=lambda c: _name(report_texts.CHANNELS, c, lang),
                           oblast=lambda o: _name(report_texts.OBLASTS_EN, o, lang) if lang == "en" else o,
                           local=kyiv_time, lead_stages=report_views.LEAD_STAGES, channels=report_views.CHANNELS)


@bp.route("/staff/reports/map")
@public  # guarded inside
def equity_map():
    page_staff("logistics")
    lang = current_language()
    equity = report_views.equity_only()
    return render_template("equity_map.html", lang=lang, tx=page_texts(TEXT, lang), equity=equity,
                           map=_map(equity, lang),
                           oblast=lambda o: _name(report_texts.OBLASTS_EN, o, lang) if lang == "en" else o)


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
        except ApiError as exc:
            error, status = t("catalog.wish_kinds" if exc.code == 422 else exc.key, lang,
                              limit=needs.MAX_WISHES), exc.code
    data = needs.needs()
    return render_template("wishes.html", lang=lang, tx=page_texts(TEXT, lang), data=data, saved=saved,
                           error=error, csrf=auth.form_token(staff, "wishes"),
                           kinds=[(k, v[0 if lang == "uk" else 1]) for k, v in needs.WISH_KINDS.items()]), status


@bp.route("/needs")
@public
def needs_page():
    lang = current_language()
    data = needs.needs()
    return render_template("needs.html", lang=lang, tx=page_texts(TEXT, lang), data=data,
                           offer_url=f"{config.public_base_url('donations')}/?lang={lang}",
                           wish=lambda k: _name(needs.WISH_KINDS, k, lang),
                           oblast=lambda o: _name(report_texts.OBLASTS_EN, o, lang) if lang == "en" else o)


@bp.route("/c/<string:code>/like", methods=["POST"])
@public
def like(code: str):
    """A reader's one click: 'I liked this book'."""
    lang = current_language()
    if not allowed("likes"):  # rate limit of this route
        return render_template("thanks.html", lang=lang, tx=page_texts(TEXT, lang), message=TEXT["too_many"][
            0 if lang == "uk" else 1]), 429
    try:
        likes.like(code)
    except ApiError:
        abort(404)
    return redirect(url_for("shelf_pages.copy_page", code=code, lang=lang, liked=1), 303)


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


@bp.app_template_global()
def reports_tx() -> dict:
    """The reports' words for other catalog pages (the copy page's 'I liked this book')."""
    return page_texts(TEXT, current_language())
