import io

from pypdf import PdfReader

from services.catalog.labels import COLUMNS, INVITATION, ROWS, Label, label_sheet
from shared import codes


def test_copy_codes_are_short_with_a_check_character():
    code = codes.new_code(codes.COPY_RANDOM_CHARS, group=codes.COPY_GROUP)
    assert len(code) == 11 and code[5] == "-"
    assert codes.is_valid(code, codes.COPY_RANDOM_CHARS)
    assert len(codes.ALPHABET) ** codes.COPY_RANDOM_CHARS >= 2 ** 45


def test_sheet_has_one_label_per_copy_and_speaks_ukrainian():
    labels = [Label(codes.new_code(codes.COPY_RANDOM_CHARS, group=codes.COPY_GROUP),
                    "Історія України-Руси. Том перший: до початку XI віка" if i % 2 else "Кобзар",
                    f"http://127.0.0.1:8001/c/{i}") for i in range(COLUMNS * ROWS + 3)]
    pdf = label_sheet(labels)
    assert pdf.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 2
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    for label in labels:
        assert label.code in text
    assert "Кобзар" in text and "Історія України-Руси. Том перший" in text
    assert INVITATION in text
    images = sum(len(page.images) for page in reader.pages)
    assert images == len(labels)  # one QR code each
