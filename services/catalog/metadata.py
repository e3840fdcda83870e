"""Book metadata by ISBN from a provider that speaks the Open Library books API:

    GET {base}/api/books?bibkeys=ISBN:9780306406157&format=json&jscmd=data
    → {"ISBN:9780306406157": {"title": …, "authors": [{"name": …}], "publishers": [{"name": …}],
                              "publish_date": …, "cover": {"medium": …}, …}}   or {} if unknown

The base URL is configurable (OPEN_LIBRARY_URL); staff can always type title and authors by
hand, so an unreachable provider never blocks cataloguing.
"""
from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass


class ProviderUnavailable(Exception):
    """The provider did not answer usefully (network, timeout, 5xx, garbage)."""


@dataclass(frozen=True)
class TitleMetadata:
    isbn: str
    title: str
    authors: tuple[str, ...]
    publisher: str | None = None
    publish_date: str | None = None
    cover_url: str | None = None


class OpenLibrary:
    def __init__(self, base_url: str, timeout: float = 3.0):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    def lookup(self, isbn13: str) -> TitleMetadata | None:
        """Metadata for an ISBN-13, or None if the provider does not know the book."""
        key = f"ISBN:{isbn13}"
        query = urllib.parse.urlencode({"bibkeys": key, "format": "json", "jscmd": "data"})
        request = urllib.request.Request(f"{self.base_url}/api/books?{query}",
                                         headers={"User-Agent": "bookcross (MVS bookcrossing shelves)"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                body = json.load(response)
        except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
            raise ProviderUnavailable(f"{type(exc).__name__}: {exc}") from None
        if not isinstance(body, dict):
            raise ProviderUnavailable("unexpected answer")
        record = body.get(key)
        if not record or not record.get("title"):
            return None
        title = record["title"] + (f": {record['subtitle']}" if record.get("subtitle") else "")
        return TitleMetadata(
            isbn=isbn13, title=title,
            authors=tuple(a["name"] for a in record.get("authors", []) if a.get("name")),
            publisher=next((p["name"] for p in record.get("publishers", []) if p.get("name")), None),
            publish_date=record.get("publish_date"),
            cover_url=(record.get("cover") or {}).get("medium"))
