"""Staff identity and roles, checked the same way by every service.

An API token is the staff member's claims signed with BOOKCROSS_SECRET_KEY, so
any service can check it without asking another. Staff pages use the same
claims in a signed, HttpOnly cookie set by the login form (catalog serves it;
cookies are per host, so the other services on the same host read it too).
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Callable

from flask import g, request
from itsdangerous import BadSignature, URLSafeSerializer

from shared import config

ROLES = ("logistics", "centre_staff", "admin")
COOKIE_NAME = "bookcross_staff"
_TOKEN_SALT = "bookcross.api-token.v1"
_COOKIE_SALT = "bookcross.staff-cookie.v1"


@dataclass(frozen=True)
class Staff:
    id: int
    name: str
    role: str
    centre: str | None = None

    def claims(self) -> dict:
        return {"sid": self.id, "n": self.name, "r": self.role, "c": self.centre}

    @classmethod
    def from_claims(cls, claims: dict) -> "Staff":
        role = claims["r"]
        if role not in ROLES:
            raise BadSignature("unknown role")
        return cls(id=int(claims["sid"]), name=str(claims["n"]), role=role, centre=claims.get("c"))


def _serializer(salt: str) -> URLSafeSerializer:
    return URLSafeSerializer(config.secret_key(), salt=salt)


def issue_token(staff: Staff) -> str:
    return _serializer(_TOKEN_SALT).dumps(staff.claims())


def read_token(token: str) -> Staff | None:
    try:
        return Staff.from_claims(_serializer(_TOKEN_SALT).loads(token))
    except (BadSignature, KeyError, TypeError, ValueError):
        return None


def cookie_value(staff: Staff) -> str:
    return _serializer(_COOKIE_SALT).dumps(staff.claims())


def read_cookie(value: str) -> Staff | None:
    try:
        return Staff.from_claims(_serializer(_COOKIE_SALT).loads(value))
    except (BadSignature, KeyError, TypeError, ValueError):
        return None


def form_token(staff: Staff, purpose: str) -> str:
    """A token for a staff page's forms, bound to the signed-in staff member: another site that
    makes the browser post a form (with the cookie) cannot know it."""
    return _serializer(f"bookcross.form.{purpose}").dumps([staff.id, staff.name])


def form_token_valid(staff: Staff, purpose: str, token: str | None) -> bool:
    try:
        return _serializer(f"bookcross.form.{purpose}").loads(token or "") == [staff.id, staff.name]
    except BadSignature:
        return False


def current_staff() -> Staff | None:
    if "staff" in g:
        return g.staff
    staff = None
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        staff = read_token(header[7:].strip())
    elif request.cookies.get(COOKIE_NAME):
        staff = read_cookie(request.cookies[COOKIE_NAME])
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
