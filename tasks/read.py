"""Bytes to text: reject reasons, decoding and the `date ...` header."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from tasks.records import PartialDate

DEFAULT_MAX_BYTES = 20_000_000

# A header is `date` and a date-like token at the very start; the token is kept even when it is not a valid
# date so that `date 2023-13` is reported rather than read as body text.
_HEADER = re.compile(r"\A\s*date[ \t]+(\d+(?:-\d+)*)(?=\s|\Z)\s*")
_BINARY_CONTROL_SHARE = 0.05
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")  # C0 and C1 controls except tab and line breaks


@dataclass(frozen=True, slots=True)
class Decoded:
    """Text decoded from bytes, with the encoding that produced it."""

    text: str
    encoding: str


@dataclass(frozen=True, slots=True)
class Header:
    """The header date (None when absent or invalid), its raw token, and the body after it."""

    date: PartialDate | None
    raw: str | None
    problem: str | None
    body: str


class Rejected(Exception):
    """A file that cannot become a document; `reason` is a short stable code."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(f"{reason}: {message}")
        self.reason = reason
        self.message = message


def check_size(size: int, *, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
    """Raise Rejected for files that are empty or larger than max_bytes."""
    if size == 0:
        raise Rejected("empty", "file has 0 bytes")
    if size > max_bytes:
        raise Rejected("too_large", f"{size} bytes is over the {max_bytes}-byte limit")


def decode(raw: bytes) -> Decoded:
    """Decode by BOM, else UTF-8, else cp1252/latin-1; raise Rejected for binary data."""
    boms = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
    for bom, codec in boms:
        if raw.startswith(bom):
            try:
                return _checked(Decoded(raw.decode(codec), codec))
            except UnicodeDecodeError as exc:
                raise Rejected("undecodable", f"{codec} byte-order mark but invalid {codec}: {exc.reason}") from None
    if b"\x00" in raw:
        raise Rejected("binary", "contains NUL bytes and no UTF-16 byte-order mark")
    try:
        return _checked(Decoded(raw.decode("utf-8"), "utf-8"))
    except UnicodeDecodeError:
        pass
    # Legacy French text is overwhelmingly Windows-1252; latin-1 takes the five bytes cp1252 leaves undefined.
    try:
        return _checked(Decoded(raw.decode("cp1252"), "cp1252"))
    except UnicodeDecodeError:
        return _checked(Decoded(raw.decode("latin-1"), "latin-1"))


def _checked(decoded: Decoded) -> Decoded:
    text = decoded.text
    if text:
        controls = len(_CONTROL.findall(text))
        # A stray control character or two is noise that cleaning removes; many of them mean binary data.
        if controls > 3 and controls / len(text) > _BINARY_CONTROL_SHARE:
            raise Rejected("binary", f"{controls} control characters in {len(text)} ({decoded.encoding})")
    return decoded


def split_header(text: str) -> Header:
    """Header date and body; body is text without the header, and text itself when there is none."""
    m = _HEADER.match(text)
    if m is None:
        return Header(None, None, None, text)
    raw = m.group(1)
    body = text[m.end() :]
    try:
        return Header(PartialDate.parse(raw), raw, None, body)
    except ValueError as exc:
        return Header(None, raw, f"header `date {raw}`: {exc}", body)
