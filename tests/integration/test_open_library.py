"""The metadata provider against a local server that answers as Open Library's books API does."""
from __future__ import annotations

import pytest

from services.catalog.metadata import OpenLibrary, ProviderUnavailable
from shared.testing.standin import StandInServer

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


class OpenLibraryStandIn:
    """Answers /api/books as Open Library does; `down` makes it answer 503."""

    def __init__(self):
        self.down = False

    def __call__(self, request):
        if self.down:
            return 503, {}
        bibkeys = request.query.get("bibkeys", [""])[0].split(",")
        return 200, {key: KNOWN[key] for key in bibkeys if key in KNOWN}


@pytest.fixture
def open_library():
    with StandInServer(OpenLibraryStandIn()) as server:
        yield server


def test_a_known_isbn_gives_title_authors_publisher_and_cover(open_library):
    metadata = OpenLibrary(open_library.url).lookup("9780306406157")
    assert metadata.title == "Signals and systems: an introduction"
    assert metadata.authors == ("Simon Haykin",) and metadata.publisher == "Plenum Press"
    assert metadata.cover_url.endswith("-M.jpg")
    request = open_library.received[0]
    assert request.path == "/api/books"
    assert request.query == {"bibkeys": ["ISBN:9780306406157"], "format": ["json"], "jscmd": ["data"]}


def test_an_unknown_isbn_is_none(open_library):
    assert OpenLibrary(open_library.url).lookup("9786170000000") is None


def test_a_provider_that_is_down_or_away_is_reported_not_raised_as_a_crash(open_library):
    open_library.respond.down = True
    with pytest.raises(ProviderUnavailable):
        OpenLibrary(open_library.url).lookup("9780306406157")
    with pytest.raises(ProviderUnavailable):
        OpenLibrary("http://127.0.0.1:9", timeout=1).lookup("9780306406157")
