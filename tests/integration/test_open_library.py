"""The metadata provider against a local server that answers as Open Library's books API does."""
from __future__ import annotations

import pytest

from services.catalog.metadata import OpenLibrary, ProviderUnavailable
from shared.testing.standin import StandInServer
from tests.standins import OpenLibraryStandIn


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
