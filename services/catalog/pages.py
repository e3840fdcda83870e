"""Staff sign-in: a password form that sets the signed staff cookie every service reads."""
from __future__ import annotations

from urllib.parse import urlparse

from flask import Blueprint, make_response, redirect, render_template, request, url_for

from services.catalog import services
from shared import auth, config
from shared.auth import public
from shared.i18n import current_language, t
from shared.limits import allowed, limited

bp = Blueprint("staff_pages", __name__, template_folder="templates")

TEXT = {
    "title": {"uk": "Вхід для персоналу", "en": "Staff sign-in"},
    "name": {"uk": "Ім'я користувача", "en": "User name"},
    "password": {"uk": "Пароль", "en": "Password"},
    "submit": {"uk": "Увійти", "en": "Sign in"},
    "signed_in": {"uk": "Ви увійшли як", "en": "You are signed in as"},
    "sign_out": {"uk": "Вийти", "en": "Sign out"},
    "role": {"uk": "Роль", "en": "Role"},
    "centre": {"uk": "Центр", "en": "Centre"},
    "docs": {"uk": "Документація API", "en": "API documentation"},
    "scan": {"uk": "Сканування книжок у центрі", "en": "Scan books at the centre"},
    "hub": {"uk": "Хаб: опис книжок і наклейки", "en": "Hub: cataloguing and labels"},
    "shipments": {"uk": "Відправлення до центрів", "en": "Shipments to centres"},
    "roles": {"logistics": {"uk": "логістика", "en": "logistics"},
              "centre_staff": {"uk": "персонал центру", "en": "centre staff"},
              "admin": {"uk": "адміністратор", "en": "administrator"}},
}


def _texts(lang: str) -> dict:
    return {k: v[lang] for k, v in TEXT.items() if k != "roles"}


@bp.route("/staff/login", methods=["GET", "POST"])
@limited("sign_in_client", methods=["POST"])
@public
def login():
    """Sign-in, throttled per client (RATE_LIMIT_SIGN_IN) and per account name
    (RATE_LIMIT_SIGN_IN_ACCOUNT, counted for names that do not exist too, so the answer never
    tells which names do)."""
    lang = current_language()
    error = None
    status = 200
    name = request.form.get("name", "").strip()
    if request.method == "POST" and not allowed("sign_in_account", key=name.casefold()[:120]):
        error, status = t("error.too_many", lang), 429
    elif request.method == "POST":
        found = services.check_login(name, request.form.get("password", ""))
        if found is not None:
            staff, session_version = found
            target = _safe_next(request.form.get("next")) or url_for("staff_pages.home", lang=lang)
            response = make_response(redirect(target))
            response.set_cookie(auth.COOKIE_NAME, auth.cookie_value(staff.id, session_version), httponly=True,
                                samesite="Lax", secure=request.is_secure, max_age=auth.SESSION_HOURS * 3600)
            return response
        error, status = t("staff.login_failed", lang), 401
    return render_template("login.html", lang=lang, tx=_texts(lang), error=error,
                           name=request.form.get("name", ""),
                           next=_safe_next(request.values.get("next")) or ""), status


def page_staff(*roles: str) -> auth.Staff:
    """The signed-in staff member of a staff page: signed-out visitors are sent to the sign-in
    form (and back afterwards), the wrong role gets 403. Admin may open every page."""
    from flask import abort

    staff = auth.current_staff()
    if staff is None:
        abort(redirect(url_for("staff_pages.login", lang=current_language(),
                               next=request.full_path.rstrip("?"))))
    if staff.role != "admin" and staff.role not in roles:
        abort(403)
    return staff


def _safe_next(target: str | None) -> str | None:
    """Only our own services' pages: never an open redirect to somebody else's site."""
    if not target:
        return None
    parsed = urlparse(target)
    if not parsed.netloc and target.startswith("/") and not target.startswith("//"):
        return target
    own = {urlparse(config.service_url(s)).netloc for s in config.SERVICES} | {request.host}
    return target if parsed.scheme in ("http", "https") and parsed.netloc in own else None


@bp.route("/staff/logout", methods=["POST"])
@public
def logout():
    """Signs this person out on every device: their session version moves on."""
    staff = auth.current_staff()
    if staff is not None:
        services.sign_out_everywhere(staff.id)
    response = make_response(redirect(url_for("staff_pages.login", lang=current_language())))
    response.delete_cookie(auth.COOKIE_NAME)
    return response


@bp.route("/staff/")
@public  # answers signed-out visitors with the sign-in form, not an error
def home():
    lang = current_language()
    staff = auth.current_staff()
    if staff is None:
        return redirect(url_for("staff_pages.login", lang=lang))
    docs = {name: f"{config.service_url(name)}/api/docs" for name in config.SERVICES}
    return render_template("home.html", lang=lang, tx=_texts(lang), staff=staff,
                           role=TEXT["roles"][staff.role][lang], docs=docs)
