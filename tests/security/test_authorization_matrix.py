"""Who may call what: every route of every service (read from the apps' URL maps) × every kind
of caller, against one table of expected outcomes. A route added without a row here fails."""
from __future__ import annotations

import importlib
import uuid

import pytest

from shared import auth, config
from tests.staff import make_staff, sync_identities

OWN, OTHER = "1241", "6341"
PRINCIPALS = ("anonymous", "admin", "logistics", "centre_own", "centre_other", "disabled", "expired")

# What each caller gets, per kind of route. "pass": through the door (the answer may still be
# 404 or 422 for made-up ids and empty bodies); "401"/"403": refused; "login": sent to sign in.
API = {"anonymous": "401", "disabled": "401", "expired": "401"}
PAGE = {"anonymous": "login", "disabled": "login", "expired": "login"}
KINDS: dict[str, dict[str, str]] = {
    "public": dict.fromkeys(PRINCIPALS, "pass"),
    "admin": {**API, "admin": "pass", "logistics": "403", "centre_own": "403", "centre_other": "403"},
    "logistics": {**API, "admin": "pass", "logistics": "pass", "centre_own": "403", "centre_other": "403"},
    "staff": {**API, "admin": "pass", "logistics": "pass", "centre_own": "pass", "centre_other": "pass"},
    "centre": {**API, "admin": "pass", "logistics": "pass", "centre_own": "pass", "centre_other": "403"},
    "centre_desk": {**API, "admin": "pass", "logistics": "403", "centre_own": "pass", "centre_other": "403"},
    "page_logistics": {**PAGE, "admin": "pass", "logistics": "pass", "centre_own": "403", "centre_other": "403"},
    "page_admin": {**PAGE, "admin": "pass", "logistics": "403", "centre_own": "403", "centre_other": "403"},
    "page_staff": {**PAGE, "admin": "pass", "logistics": "pass", "centre_own": "pass", "centre_other": "pass"},
    # Centre staff of another centre are sent to their own centre's scan page.
    "page_scan": {**PAGE, "admin": "pass", "logistics": "pass", "centre_own": "pass", "centre_other": "redirect"},
    "sign_in": dict.fromkeys(PRINCIPALS, "401"),  # an empty form: wrong name or password, for anyone
    "telegram": dict.fromkeys(PRINCIPALS, "403"),  # only with Telegram's secret header
    "sign_out": dict.fromkeys(PRINCIPALS, "login"),
}

EXPECTED: dict[str, str] = {
    # catalog
    "catalog GET /api/docs": "public",
    "catalog GET /api/docs/static/<path:filename>": "public",
    "catalog GET /api/openapi.json": "public",
    "catalog POST /api/v1/allocations": "logistics",
    "catalog GET /api/v1/allocations/<int:allocation_id>": "logistics",
    "catalog POST /api/v1/allocations/<int:allocation_id>/acceptance": "logistics",
    "catalog PUT /api/v1/allocations/<int:allocation_id>/copies/<string:copy_code>": "logistics",
    "catalog GET /api/v1/centres": "public",
    "catalog GET /api/v1/needs": "public",
    "catalog GET /api/v1/reports/dashboard": "logistics",
    "catalog GET /needs": "public",
    "catalog GET /open-data": "public",
    "catalog GET /open-data/centres-months.<string:fmt>": "public",
    "catalog GET /open-data/centres.<string:fmt>": "public",
    "catalog GET /staff/reports": "page_logistics",
    "catalog GET /staff/reports/map": "page_logistics",
    "catalog GET /staff/reports/wishes": "page_admin",
    "catalog POST /staff/reports/wishes": "page_admin",
    "catalog POST /api/v1/copies/<string:code>/likes": "public",
    "catalog POST /c/<string:code>/like": "public",
    "catalog PUT /api/v1/oblasts/<string:oblast>/wishes": "admin",
    "donations GET /api/v1/impact/<string:token>": "public",
    "donations GET /feedback/<string:token>": "public",
    "donations GET /impact/<string:token>": "public",
    "donations GET /impact/<string:token>/report.pdf": "public",
    "donations POST /api/v1/track/<string:code>/feedback": "public",
    "donations POST /feedback/<string:token>": "public",
    "donations POST /track/<string:code>/feedback": "public",
    "catalog PATCH /api/v1/centres/<string:code>": "admin",
    "catalog GET /api/v1/centres/<string:code>/inventory": "centre",
    "catalog POST /api/v1/centres/<string:code>/inventory/closing": "centre",
    "catalog GET /api/v1/centres/<string:code>/misrouted": "centre",
    "catalog POST /api/v1/centres/<string:code>/misrouted/<string:copy_code>": "centre",
    "catalog GET /api/v1/centres/<string:code>/scans": "centre",
    "catalog POST /api/v1/centres/<string:code>/scans": "centre",
    "catalog POST /api/v1/centres/<string:code>/shelf": "admin",
    "catalog GET /api/v1/copies/<string:code>": "public",
    "catalog POST /api/v1/copies/<string:code>/notes": "public",
    "catalog GET /api/v1/intake/<uuid:donation_id>": "logistics",
    "catalog POST /api/v1/intake/<uuid:donation_id>/copies": "logistics",
    "catalog GET /api/v1/intake/<uuid:donation_id>/labels": "logistics",
    "catalog GET /api/v1/oblasts": "logistics",
    "catalog PUT /api/v1/oblasts/<string:oblast>/priority": "admin",
    "catalog GET /api/v1/shipments": "staff",
    "catalog GET /api/v1/shipments/<int:shipment_id>": "staff",
    "catalog POST /api/v1/shipments/<int:shipment_id>/closing": "staff",
    "catalog POST /api/v1/shipments/<int:shipment_id>/dispatch": "logistics",
    "catalog GET /api/v1/titles/<string:isbn>": "logistics",
    "catalog GET /c/<string:code>": "public",
    "catalog POST /c/<string:code>": "public",
    "catalog GET /healthz": "public",
    "catalog GET /metrics": "public",
    "catalog GET /readyz": "public",
    "catalog GET /staff/": "page_staff",
    "catalog POST /staff/allocations": "page_logistics",
    "catalog GET /staff/allocations/<int:allocation_id>": "page_logistics",
    "catalog POST /staff/allocations/<int:allocation_id>/acceptance": "page_logistics",
    "catalog GET /staff/centres/<string:code>/scan": "page_scan",
    "catalog GET /staff/hub": "page_logistics",
    "catalog GET /staff/hub/<uuid:donation_id>": "page_logistics",
    "catalog POST /staff/hub/<uuid:donation_id>": "page_logistics",
    "catalog GET /staff/login": "public",
    "catalog POST /staff/login": "sign_in",
    "catalog POST /staff/logout": "sign_out",
    "catalog GET /staff/shipments": "page_staff",
    "catalog GET /staff/shipments/<int:shipment_id>": "page_staff",
    "catalog POST /staff/shipments/<int:shipment_id>/<string:action>": "page_staff",
    # donations
    "donations GET /": "public",
    "donations GET /api/docs": "public",
    "donations GET /api/docs/static/<path:filename>": "public",
    "donations GET /api/openapi.json": "public",
    "donations POST /api/v1/centres/<string:code>/walk-ins": "centre_desk",
    "donations POST /api/v1/donations": "public",
    "donations GET /api/v1/donations/<uuid:donation_id>": "logistics",
    "donations POST /api/v1/donations/<uuid:donation_id>/cancellation": "logistics",
    "donations POST /api/v1/donations/<uuid:donation_id>/collection": "logistics",
    "donations POST /api/v1/donations/<uuid:donation_id>/pickup": "logistics",
    "donations POST /api/v1/donations/<uuid:donation_id>/pickup/failure": "logistics",
    "donations GET /api/v1/donations/board": "logistics",
    "donations POST /api/v1/donations/manifest": "public",
    "donations GET /api/v1/track/<string:code>": "public",
    "donations POST /api/v1/track/<string:code>/cancellation": "public",
    "donations POST /api/v1/track/<string:code>/erasure": "public",
    "donations GET /healthz": "public",
    "donations GET /metrics": "public",
    "donations POST /offer": "public",
    "donations GET /readyz": "public",
    "donations GET /staff/board": "page_logistics",
    "donations POST /staff/board/<uuid:donation_id>/collection": "page_logistics",
    "donations POST /staff/board/<uuid:donation_id>/failure": "page_logistics",
    "donations POST /staff/board/<uuid:donation_id>/pickup": "page_logistics",
    "donations GET /track": "public",
    "donations GET /track/<string:code>": "public",
    "donations POST /track/<string:code>/cancel": "public",
    "donations POST /track/<string:code>/erase": "public",
    "donations GET /ask": "public",
    "donations POST /ask": "public",
    "donations GET /ask/<string:token>": "public",
    "donations POST /ask/<string:token>/forget": "public",
    "donations GET /staff/questions": "page_logistics",
    "donations POST /staff/questions/<uuid:question_id>": "page_logistics",
    # notifications
    "notifications GET /api/docs": "public",
    "notifications GET /api/docs/static/<path:filename>": "public",
    "notifications GET /api/openapi.json": "public",
    "notifications GET /api/v1/messages": "admin",
    "notifications GET /api/v1/notices": "admin",
    "notifications GET /healthz": "public",
    "notifications GET /metrics": "public",
    "notifications GET /preferences/<string:token>": "public",
    "notifications POST /preferences/<string:token>": "public",
    "notifications GET /readyz": "public",
    "notifications POST /telegram/webhook": "telegram",
    "notifications GET /unsubscribe/<string:token>": "public",
    "notifications POST /unsubscribe/<string:token>": "public",
}
FORM_PURPOSE = {"/staff/hub": "hub", "/staff/allocations": "shipments", "/staff/shipments": "shipments",
                "/staff/board": "board", "/staff/reports/wishes": "wishes", "/staff/questions": "questions"}
SAMPLE = {"code": OWN, "copy_code": "ZZZZZ-ZZZZZ", "isbn": "9780306406157", "oblast": "Харківська",
          "token": "x", "filename": "swagger-ui.css", "action": "dispatch", "allocation_id": "1",
          "shipment_id": "1", "donation_id": None}


def apps():
    return {s: importlib.import_module(f"services.{s}.app").create_app({"TESTING": True}) for s in config.SERVICES}


def routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield method, rule


def concrete(rule) -> str:
    path = rule.rule
    for name in rule.arguments:
        value = SAMPLE.get(name) or str(uuid.uuid4())
        path = path.replace(f"<{rule._converters[name].__class__.__name__}:{name}>", value)
        for prefix in ("string", "int", "uuid", "path"):
            path = path.replace(f"<{prefix}:{name}>", value)
        path = path.replace(f"<{name}>", value)
    return path


def test_every_route_has_a_row_and_every_row_a_route(databases):
    found = {f"{service} {method} {rule.rule}" for service, app in apps().items() for method, rule in routes(app)}
    missing, stale = sorted(found - EXPECTED.keys()), sorted(EXPECTED.keys() - found)
    assert not missing, f"routes with no expected outcome (add a row): {missing}"
    assert not stale, f"rows for routes that no longer exist: {stale}"


@pytest.fixture
def principals(databases, seeded_centres):
    made = {"anonymous": None,
            "admin": make_staff("m-admin", "admin"),
            "logistics": make_staff("m-logistics", "logistics"),
            "centre_own": make_staff("m-own", "centre_staff", OWN),
            "centre_other": make_staff("m-other", "centre_staff", OTHER)}
    disabled = make_staff("m-disabled", "logistics")
    from services.catalog.services.staff import set_active

    set_active("m-disabled", False)
    sync_identities()
    made["disabled"] = disabled
    expired = auth.read_token(make_staff("m-expired", "admin"))
    made["expired"] = auth.issue_token(expired.staff_id, expired.version, days=-1 / 24)
    return made


def outcome(response) -> str:
    if response.status_code in (401, 403):
        return str(response.status_code)
    if response.status_code in (301, 302, 303, 307):
        return "login" if "/staff/login" in response.headers.get("Location", "") else "redirect"
    return "pass"


def _form_token(token: str | None, path: str) -> str | None:
    claims = auth.read_token(token) if token else None
    purpose = next((p for prefix, p in FORM_PURPOSE.items() if path.startswith(prefix)), None)
    if claims is None or purpose is None:
        return None
    from shared.staff_identity import lookup

    identity = lookup("catalog", claims.staff_id)
    return auth.form_token(auth.Staff(identity.staff_id, identity.name, identity.role, identity.centre_code), purpose)


def test_authorization_matrix(principals):
    failures = []
    for service, app in apps().items():
        client = app.test_client()
        for method, rule in routes(app):
            key = f"{service} {method} {rule.rule}"
            path = concrete(rule)
            for principal, token in principals.items():
                headers = {"Authorization": f"Bearer {token}"} if token else {}
                kwargs = {}
                if method != "GET":
                    if path.startswith("/api/"):
                        kwargs["json"] = {}
                    else:
                        kwargs["data"] = {"csrf": _form_token(token, rule.rule) or ""}
                response = client.open(path, method=method, headers=headers, **kwargs)
                got, expected = outcome(response), KINDS[EXPECTED[key]][principal]
                if got != expected and not (got, expected) == ("redirect", "pass"):  # a 303 after a form
                    failures.append(f"{key} as {principal}: {got} ({response.status_code}), expected {expected}")
    assert not failures, "\n".join(failures)
