"""Staff sign-in (a password form that sets the signed staff cookie every service reads),
sign-out, and the staff home: where each person's day starts."""
from __future__ import annotations

from flask import Blueprint, make_response, redirect, render_template, request

from services.catalog.services import staff as staff_accounts
from shared import auth, config
from shared.auth import public
from shared.i18n import current_language, page_texts, t
from shared.limits import allowed, limited
from shared.workspace import navigation, own_address, sign_in_url, staff_url

bp = Blueprint("sign_in_pages", __name__, template_folder="templates")

TEXT = {
    "title": ("Вхід для персоналу", "Staff sign-in"),
    "name": ("Ім'я користувача", "User name"),
    "password": ("Пароль", "Password"),
    "submit": ("Увійти", "Sign in"),
    "signed_in": ("Ви увійшли як", "You are signed in as"),
    "role": ("Роль", "Role"),
    "centre": ("Центр", "Centre"),
    "day": ("Ваш день", "Your day"),
    "docs": ("Документація API", "API documentation"),
}


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
        found = staff_accounts.check_login(name, request.form.get("password", ""))
        if found is not None:
            staff, session_version = found
            target = own_address(request.form.get("next")) or staff_url("catalog", "/staff/")
            response = make_response(redirect(target))
            response.set_cookie(auth.COOKIE_NAME, auth.cookie_value(staff.id, session_version), httponly=True,
                                samesite="Lax", secure=request.is_secure, max_age=auth.SESSION_HOURS * 3600)
            return response
        error, status = t("staff.login_failed", lang), 401
    return render_template("login.html", lang=lang, tx=page_texts(TEXT, lang), error=error,
                           name=request.form.get("name", ""),
                           next=own_address(request.values.get("next")) or ""), status


@bp.route("/staff/logout", methods=["POST"])
@public
def logout():
    """Signs this person out on every device: their session version moves on."""
    staff = auth.current_staff()
    if staff is not None:
        staff_accounts.sign_out_everywhere(staff.id)
    response = make_response(redirect(sign_in_url()))
    response.delete_cookie(auth.COOKIE_NAME)
    return response


@bp.route("/staff/")
@public  # answers signed-out visitors with the sign-in form, not an error
def home():
    lang = current_language()
    staff = auth.current_staff()
    if staff is None:
        return redirect(sign_in_url())
    docs = {name: f"{config.public_base_url(name)}/api/docs" for name in config.SERVICES}
    return render_template("home.html", lang=lang, tx=page_texts(TEXT, lang), staff=staff,
                           role=t(f"role.{staff.role}", lang), day=navigation(staff)[1:], docs=docs)
