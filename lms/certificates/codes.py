"""Certificate codes: 140 random bits from ``secrets`` in Crockford base32, read back leniently.

Shown as seven groups of four (``7K3M-Q9XD-...``). Look-ups accept any case, with or without
dashes or spaces, and Crockford's look-alikes (O for 0, I and L for 1).
"""

from __future__ import annotations

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
LENGTH = 28  # 28 symbols x 5 bits = 140 bits
GROUP = 4
_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise(text: str) -> str | None:
    """The canonical code for what someone typed, or None if it cannot be a code."""
    cleaned = fragment(text)
    if len(cleaned) != LENGTH or any(ch not in ALPHABET for ch in cleaned):
        return None
    return cleaned


def fragment(text: str) -> str:
    """Part of a code as someone typed it, cleaned like ``normalise`` (it may be any length).

    Callers check the result: every character must be in ``ALPHABET``.
    """
    return "".join(text.split()).replace("-", "").upper().translate(_LOOKALIKES)


def grouped(code: str) -> str:
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))
