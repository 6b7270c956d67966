"""Base45 (RFC 9285): bytes as text from the QR code alphanumeric set.

Two bytes become three characters, a trailing single byte two characters. Decoding is strict:
any character outside the 45-character alphabet, a length that leaves one character over
(``len % 3 == 1``) or a group whose value does not fit the bytes it stands for raises
``ValueError``. Lowercase is not folded: RFC 9285 text is uppercase, and a QR code in
alphanumeric mode cannot carry lowercase anyway.
"""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_VALUE = {c: i for i, c in enumerate(ALPHABET)}


def encode(data: bytes) -> str:
    """Encode ``data`` as Base45 text."""
    out: list[str] = []
    n = len(data)
    for i in range(0, n - 1, 2):
        value = data[i] * 256 + data[i + 1]
        e, rest = divmod(value, 45 * 45)
        d, c = divmod(rest, 45)
        out.append(ALPHABET[c] + ALPHABET[d] + ALPHABET[e])
    if n % 2:
        d, c = divmod(data[-1], 45)
        out.append(ALPHABET[c] + ALPHABET[d])
    return "".join(out)


def decode(text: str) -> bytes:
    """Decode Base45 ``text``; raise ``ValueError`` for anything RFC 9285 does not allow."""
    n = len(text)
    if n % 3 == 1:
        raise ValueError(f"invalid Base45 length {n}")
    try:
        values = [_VALUE[c] for c in text]
    except KeyError as exc:
        raise ValueError(f"invalid Base45 character {exc.args[0]!r}") from None
    out = bytearray()
    full = n - n % 3
    for i in range(0, full, 3):
        value = values[i] + values[i + 1] * 45 + values[i + 2] * 45 * 45
        if value > 0xFFFF:
            raise ValueError(f"Base45 group at {i} out of range ({value})")
        out += value.to_bytes(2, "big")
    if n % 3 == 2:
        value = values[full] + values[full + 1] * 45
        if value > 0xFF:
            raise ValueError(f"Base45 group at {full} out of range ({value})")
        out.append(value)
    return bytes(out)
