"""Local servers that answer as outside parties do, shared by several tests."""
from __future__ import annotations

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
