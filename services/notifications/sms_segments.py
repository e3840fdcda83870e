"""How many SMS segments a text costs (3GPP TS 23.038 alphabets).

GSM-7: 160 septets in one message, 153 per part of a longer one; the extension characters
(^ { } \\ [ ~ ] | € and form feed) take two septets each. Anything outside GSM-7 (Cyrillic,
for one) makes the whole message UCS-2: 70 UTF-16 units in one message, 67 per part. This is
why a Ukrainian text transliterated to Latin (KMU-55) is much cheaper to send.
"""
from __future__ import annotations

from dataclasses import dataclass

GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
GSM7_EXTENSION = set("^{}\\[~]|€\f")


@dataclass(frozen=True)
class SmsSize:
    encoding: str  # "GSM-7" or "UCS-2"
    units: int     # septets (GSM-7) or UTF-16 code units (UCS-2)
    segments: int


def _segments(units: int, single: int, part: int) -> int:
    if units <= single:
        return 1 if units else 0
    return -(-units // part)


def measure(text: str) -> SmsSize:
    if all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text):
        septets = sum(2 if ch in GSM7_EXTENSION else 1 for ch in text)
        return SmsSize("GSM-7", septets, _segments(septets, 160, 153))
    units = len(text.encode("utf-16-le")) // 2
    return SmsSize("UCS-2", units, _segments(units, 70, 67))


_PLAIN = str.maketrans({"—": "-", "–": "-", "«": '"', "»": '"', "„": '"', "“": '"', "”": '"',
                        "’": "'", "‘": "'", "…": "...", "\u00a0": " ", "№": "No."})


def plain_punctuation(text: str) -> str:
    """Typographic dashes, quotes and ellipses → their GSM-7 cousins, so a Latin text stays
    in GSM-7 (160 characters a segment) instead of falling back to UCS-2 (70)."""
    return text.translate(_PLAIN)
