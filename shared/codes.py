"""Short, unguessable, typable codes with a check character.

Crockford's base-32 alphabet (no I, L, O, U: nothing to confuse when read over
the phone) and a Luhn mod-32 check character (python-stdnum), which catches
every single mistyped character and nearly every swap of neighbours, so a
mistyped code is refused instead of matching someone else's.
"""
from __future__ import annotations

import secrets

from stdnum import luhn

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})


def new_code(random_chars: int, group: int = 4) -> str:
    # One read of the system's randomness, 5 bits per character (32 = 2**5: no bias).
    bits = int.from_bytes(secrets.token_bytes((5 * random_chars + 7) // 8), "big")
    body = "".join(ALPHABET[(bits >> (5 * i)) & 31] for i in range(random_chars))
    full = body + luhn.calc_check_digit(body, alphabet=ALPHABET)
    return "-".join(full[i:i + group] for i in range(0, len(full), group))


def normalise(text: str) -> str:
    """What the user typed or scanned → the canonical code without separators."""
    cleaned = "".join(ch for ch in text.upper() if ch.isalnum())
    return cleaned.translate(_CONFUSABLE)


def is_valid(text: str, random_chars: int) -> bool:
    code = normalise(text)
    if len(code) != random_chars + 1 or any(ch not in ALPHABET for ch in code):
        return False
    return luhn.is_valid(code, alphabet=ALPHABET)


def display(code: str, group: int = 4) -> str:
    code = normalise(code)
    return "-".join(code[i:i + group] for i in range(0, len(code), group))


# Tracking codes: 12 random characters = 60 bits, + 1 check character.
TRACKING_RANDOM_CHARS = 12

# Copy codes on labels: 9 random characters = 45 bits, + 1 check character, e.g. K7QM4-ZT9P2.
COPY_RANDOM_CHARS = 9
COPY_GROUP = 5
