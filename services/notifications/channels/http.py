"""A small JSON/form HTTP client for the channel adapters (stdlib only)."""
from __future__ import annotations

import json
import urllib.error
import urllib.request

from services.notifications.channels import TemporaryFailure


def post(url: str, *, data: bytes, content_type: str, headers: dict | None = None,
         timeout: float = 10) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=data, method="POST",
                                     headers={"Content-Type": content_type, **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, _json(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, _json(exc.read())
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise TemporaryFailure(f"{type(exc).__name__}: {exc}") from None


def _json(raw: bytes) -> dict:
    try:
        body = json.loads(raw or b"{}")
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
