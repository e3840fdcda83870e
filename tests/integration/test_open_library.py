"""The metadata provider against a local server that answers as Open Library's books API does."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest

from services.catalog.metadata import OpenLibrary, ProviderUnavailable

# The shape of https://openlibrary.org/api/books?bibkeys=ISBN:…&format=json&jscmd=data
KNOWN = {
    "ISBN:9780306406157": {
        "url": "https://openlibrary.org/books/OL7590325M/Signals_and_systems",
        "key": "/books/OL7590325M",
        "title": "Signals and systems",
        "subtitle": "an introduction",
        "authors": [{"url": "https://openlibrary.org/authors/OL1A", "name": "Simon Haykin"}],
        "number_of_pages": 750,
        "publishers": [{"name": "Plenum Press"}],
        "publish_date": "1985",
        "identifiers": {"isbn_13": ["9780306406157"]},
        "cover": {"small": "https://covers.openlibrary.org/b/id/1-S.jpg",
                  "medium": "https://covers.openlibrary.org/b/id/1-M.jpg",
                  "large": "https://covers.openlibrary.org/b/id/1-L.jpg"},
    },
}


class OpenLibraryStandIn(BaseHTTPRequestHandler):
    requests_seen: list = []
    mode = "ok"

    def do_GET(self):  # noqa: N802
        url = urlparse(self.path)
        query = parse_qs(url.query)
        type(self).requests_seen.append((url.path, query))
        if self.mode == "down":
            self.send_response(503)
            self.end_headers()
            return
        bibkeys = query.get("bibkeys", [""])[0].split(",")
        body = {key: KNOWN[key] for key in bibkeys if key in KNOWN}
        payload = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture
def open_library():
    OpenLibraryStandIn.requests_seen = []
    OpenLibraryStandIn.mode = "ok"
    server = ThreadingHTTPServer(("127.0.0.1", 0), OpenLibraryStandIn)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_known_isbn_gives_title_authors_publisher_and_cover(open_library):
    metadata = OpenLibrary(open_library).lookup("9780306406157")
    assert metadata.title == "Signals and systems: an introduction"
    assert metadata.authors == ("Simon Haykin",) and metadata.publisher == "Plenum Press"
    assert metadata.cover_url.endswith("-M.jpg")
    path, query = OpenLibraryStandIn.requests_seen[0]
    assert path == "/api/books"
    assert query == {"bibkeys": ["ISBN:9780306406157"], "format": ["json"], "jscmd": ["data"]}


def test_an_unknown_isbn_is_none(open_library):
    assert OpenLibrary(open_library).lookup("9786170000000") is None


def test_a_provider_that_is_down_or_away_is_reported_not_raised_as_a_crash(open_library):
    OpenLibraryStandIn.mode = "down"
    with pytest.raises(ProviderUnavailable):
        OpenLibrary(open_library).lookup("9780306406157")
    with pytest.raises(ProviderUnavailable):
        OpenLibrary("http://127.0.0.1:9", timeout=1).lookup("9780306406157")
