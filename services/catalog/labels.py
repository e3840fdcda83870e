"""Label sheets: A4, 3 × 8 labels of 70 × 37 mm, each with a QR code that opens the copy's
public page, the copy code to type by hand, a short title, and a line inviting the reader.

segno draws the QR codes, fpdf2 the PDF, in Roboto (from the font-roboto package: it has the
Ukrainian letters, and nothing has to be installed on the machine).
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from importlib import resources

import segno
from fpdf import FPDF

COLUMNS, ROWS = 3, 8
LABEL_W, LABEL_H = 70.0, 37.0
QR_SIZE = 31.0
INVITATION = "Візьміть почитати й передайте далі. Проскануйте, щоб побачити шлях цієї книжки."


@dataclass(frozen=True)
class Label:
    code: str       # as printed, e.g. K7QM4-ZT9P2
    title: str
    url: str        # what the QR code opens


def _font(name: str) -> str:
    return str(resources.files("font_roboto").joinpath(f"files/{name}"))


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def label_sheet(labels: list[Label]) -> bytes:
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    pdf.add_font("Roboto", "", _font("Roboto-Regular.ttf"))
    pdf.add_font("Roboto", "B", _font("Roboto-Bold.ttf"))
    pdf.set_title("bookcross labels")
    left = (210 - COLUMNS * LABEL_W) / 2
    top = (297 - ROWS * LABEL_H) / 2
    for index, label in enumerate(labels):
        slot = index % (COLUMNS * ROWS)
        if slot == 0:
            pdf.add_page()
        x = left + (slot % COLUMNS) * LABEL_W
        y = top + (slot // COLUMNS) * LABEL_H
        qr = io.BytesIO()
        segno.make(label.url, error="m").save(qr, kind="png", scale=6, border=1)
        qr.seek(0)
        pdf.image(qr, x=x + 2, y=y + 3, w=QR_SIZE, h=QR_SIZE)
        text_x, text_w = x + QR_SIZE + 4, LABEL_W - QR_SIZE - 6
        pdf.set_xy(text_x, y + 4)
        pdf.set_font("Roboto", "B", 10)
        pdf.cell(text_w, 5, label.code)
        pdf.set_xy(text_x, y + 10)
        pdf.set_font("Roboto", "", 7.5)
        pdf.multi_cell(text_w, 3.4, _short(label.title, 60), align="L")
        pdf.set_xy(text_x, y + 21)
        pdf.set_font("Roboto", "", 5.6)
        pdf.multi_cell(text_w, 2.6, INVITATION, align="L")
    return bytes(pdf.output())
