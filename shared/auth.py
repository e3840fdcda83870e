"""Staff identity and roles, checked the same way by every service.

An API token names a staff account, the account's token version and an expiry, signed with
the staff key (BOOKCROSS_STAFF_KEY, or one derived from BOOKCROSS_SECRET_KEY). Staff pages use
a signed, HttpOnly cookie set by the sign-in form on catalog, naming the account, its session
version and an expiry. Neither carries rights: on every request the service reads the account
from its own database (`shared.staff_identity`, cached for a moment), so a disabled or removed
account, a re-issued token, a sign-out or a changed role or centre counts at once.

A state-changing API call authenticated by the cookie must also carry the header
`X-CSRF-Token` (the page's `api_token`): another site can make a browser send the cookie, not
a header.
"""
from __future__ import annotations

import functools
import time
from dataclasses import dataclass
from typing import Callable

from flask import current_app, g, request
from itsdangerous import BadSignature, URLSafeSerializer

from shared import config, staff_identity

ROLES = ("logistics", "centre_staff", "admin")
COOKIE_NAME = "bookcross_staff"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
_TOKEN_SALT = "bookcross.api-token.v2"
_COOKIE_SALT = "bookcross.staff-cookie.v2"
SESSION_HOURS = 12


@dataclass(frozen=True)
class Staff:
    id: int
    name: str
    role: str
    centre: str | None = None


@dataclass(frozen=True)
class Claims:
    staff_id: int
    version: int
    expires: float  # Unix time


def _serializer(salt: str) -> URLSafeSerializer:
    # itsdangerous signs with the last key and accepts any of them.
    return URLSafeSerializer(list(reversed(config.staff_keys())), salt=salt)


def issue_token(staff_id: int, version: int, days: float) -> str:
    return _serializer(_TOKEN_SALT).dumps({"sid": staff_id, "v": version, "x": int(time.time() + days * 86400)})


def _read(value: str, salt: str) -> Claims | None:
    try:
        data = _serializer(salt).loads(value)
        return Claims(int(data["sid"]), int(data["v"]), float(data["x"]))
    except (BadSignature, KeyError, TypeError, ValueError, OverflowError):
        return None


def read_token(token: str) -> Claims | None:
    """The token's claims if our key signed it (expiry and account not checked here)."""
    return _read(token, _TOKEN_SALT)


def cookie_value(staff_id: int, session_version: int, hours: float = SESSION_HOURS) -> str:
    return _serializer(_COOKIE_SALT).dumps({"sid": staff_id, "v": session_version,
                                            "x": int(time.time() + hours * 3600)})


def read_cookie(value: str) -> Claims | None:
    return _read(value, _COOKIE_SALT)


def form_token(staff: Staff, purpose: str) -> str:
    """A token for a staff page's forms, bound to the signed-in staff member: another site that
    makes the browser post a form (with the cookie) cannot know it."""
    return _serializer(f"bookcross.form.{purpose}").dumps([staff.id, staff.name])


def form_token_valid(staff: Staff, purpose: str, token: str | None) -> bool:
    try:
        return _serializer(f"bookcross.form.{purpose}").loads(token or "") == [staff.id, staff.name]
    except BadSignature:
        return False


def api_token(staff: Staff) -> str:
    """What a staff page's script sends as X-CSRF-Token with its API calls."""
    return form_token(staff, "api")


def check(claims: Claims | None, *, cookie: bool, service: str | None = None) -> Staff | None:
    """The staff member the claims stand for, if the account is active and they are current."""
    if claims is None or claims.expires < time.time():
        return None
    service = service or current_app.config["BOOKCROSS_SERVICE"]
    identity = staff_identity.lookup(service, claims.staff_id)
    if identity is None or claims.version > (identity.session_version if cookie else identity.token_version):
        # Unknown here, or a token newer than what this process remembers: the cache may be
        # behind (an account made or a token issued a moment ago). Read again, once.
        identity = staff_identity.lookup(service, claims.staff_id, fresh=True)
    if identity is None or not identity.active or identity.role not in ROLES:
        return None
    if claims.version != (identity.session_version if cookie else identity.token_version):
        return None
    return Staff(identity.staff_id, identity.name, identity.role, identity.centre_code)


def current_staff() -> Staff | None:
    if "staff" in g:
        return g.staff
    staff = None
    g.staff_by_cookie = False
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        staff = check(read_token(header[7:].strip()), cookie=False)
    elif request.cookies.get(COOKIE_NAME):
        staff = check(read_cookie(request.cookies[COOKIE_NAME]), cookie=True)
        g.staff_by_cookie = staff is not None
    g.staff = staff
    return staff


def require(*roles: str, centre_arg: str | None = None) -> Callable:
    """Allow the view to `roles` (admin always); with `centre_arg`, centre staff only for
    the centre named by that view argument."""
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles {unknown}")

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            from shared.web import ApiError

            staff = current_staff()
            if staff is None:
                raise ApiError(401, "error.unauthorized")
            if g.get("staff_by_cookie") and request.method not in SAFE_METHODS and not form_token_valid(
                    staff, "api", request.headers.get(CSRF_HEADER)):
                raise ApiError(403, "error.csrf")
            if staff.role != "admin" and staff.role not in roles:
                raise ApiError(403, "error.forbidden")
            if centre_arg and staff.role == "centre_staff" and kwargs.get(centre_arg) != staff.centre:
                raise ApiError(403, "error.forbidden_centre", centre=staff.centre)
            return view(*args, **kwargs)

        wrapper._bookcross_roles = tuple(roles)  # read by the test that checks every endpoint
        return wrapper

    return decorator


def public(view: Callable) -> Callable:
    """Mark a view as deliberately open to everyone (checked by the endpoint audit test)."""
    view._bookcross_public = True
    return view
