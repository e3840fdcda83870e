"""Book identity rules shared by donations and catalog: ISBN and title keys."""
from __future__ import annotations

import re
import unicodedata

from stdnum import isbn as stdnum_isbn

from shared.i18n import field_error


def normalise_isbn(value: str) -> str:
    """Any valid ISBN-10 or ISBN-13 → ISBN-13 digits; a wrong checksum is refused."""
    try:
        return stdnum_isbn.to_isbn13(stdnum_isbn.validate(value)).replace("-", "")
    except Exception:
        raise ValueError(field_error("book.invalid_isbn")) from None


def _plain(text: str | None) -> str:
    text = unicodedata.normalize("NFKC", text or "").casefold().replace("’", "'").replace("ʼ", "'")
    text = re.sub(r"[^\w']+", " ", text)
    return " ".join(text.split())


def title_key(isbn: str | None, title: str | None = None, authors: str | None = None) -> str:
    """The key a title is known by: its ISBN-13, or (books without one) its normalised title
    and authors, so «Кобзар», "кобзар " and "КОБЗАР." by Т. Шевченко are one title."""
    if isbn:
        return f"isbn:{isbn}"
    return f"t:{_plain(title)}|{_plain(authors)}"[:300]


def clean_book_entry(data: dict) -> dict:
    """A line of books as a form or a scanner gives it: blanks are None, the ISBN becomes
    ISBN-13, and a book is named by an ISBN or a title. Raises marshmallow's ValidationError."""
    from marshmallow import ValidationError

    for key in ("isbn", "title", "authors"):
        data[key] = (data.get(key) or "").strip() or None
    if data["isbn"]:
        try:
            data["isbn"] = normalise_isbn(data["isbn"])
        except ValueError as exc:
            raise ValidationError({"isbn": [str(exc)]}) from None
    elif not data["title"]:
        raise ValidationError({"title": [field_error("book.title_or_isbn")]})
    return data
