from __future__ import annotations

import codecs

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tasks.read import Rejected, check_size, decode, split_header
from tasks.records import PartialDate


def test_utf8_with_and_without_bom() -> None:
    assert decode("Été à Bamako".encode()).text == "Été à Bamako"
    d = decode(codecs.BOM_UTF8 + "Été".encode())
    assert (d.text, d.encoding) == ("Été", "utf-8-sig")


def test_utf16_with_bom() -> None:
    d = decode("Grüße aus Köln".encode("utf-16"))
    assert (d.text, d.encoding) == ("Grüße aus Köln", "utf-16")


def test_cp1252_and_latin1_fallbacks() -> None:
    assert decode("L’été à Nîmes".encode("cp1252")).text == "L’été à Nîmes"
    assert decode("L’été".encode("cp1252")).encoding == "cp1252"
    # 0x81 is undefined in cp1252, so only latin-1 can decode it.
    d = decode(b"caf\xe9 \x81")
    assert (d.text, d.encoding) == ("caf\xe9 \x81", "latin-1")


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"PK\x03\x04\x00\x00binary", "binary"),
        (bytes(range(1, 32)) * 10, "binary"),
        (codecs.BOM_UTF16_LE + b"\x00\xd8", "undecodable"),
    ],
)
def test_binary_is_rejected_with_reason(raw: bytes, reason: str) -> None:
    with pytest.raises(Rejected) as exc:
        decode(raw)
    assert exc.value.reason == reason


def test_size_limits() -> None:
    with pytest.raises(Rejected) as exc:
        check_size(0)
    assert exc.value.reason == "empty"
    with pytest.raises(Rejected) as exc:
        check_size(11, max_bytes=10)
    assert exc.value.reason == "too_large"
    check_size(10, max_bytes=10)


@pytest.mark.parametrize(
    ("text", "date", "body"),
    [
        (" date 2023-02 La lutte contre", PartialDate(2023, 2), "La lutte contre"),
        ("date 2023 Texte", PartialDate(2023), "Texte"),
        ("\n  date 2023-02-07\n\nTexte", PartialDate(2023, 2, 7), "Texte"),
        ("Date limite : demain", None, "Date limite : demain"),
        ("date de naissance inconnue", None, "date de naissance inconnue"),
        ("Sans en-tête", None, "Sans en-tête"),
    ],
)
def test_header(text: str, date: PartialDate | None, body: str) -> None:
    h = split_header(text)
    assert (h.date, h.body, h.problem) == (date, body, None)


@pytest.mark.parametrize(
    ("text", "raw", "fragment"),
    [
        ("date 2023-13 Texte", "2023-13", "month 13"),
        ("date 0000-00 Texte", "0000-00", "year 0"),
        ("date 99999 Texte", "99999", "not YYYY"),
        ("date 2023-02-30 Texte", "2023-02-30", "day 30"),
    ],
)
def test_bad_header_is_reported_and_removed(text: str, raw: str, fragment: str) -> None:
    h = split_header(text)
    assert h.date is None and h.raw == raw and h.body == "Texte"
    assert h.problem is not None and fragment in h.problem


@given(st.binary(max_size=2000))
def test_decode_never_fails_other_than_rejected(raw: bytes) -> None:
    try:
        assert isinstance(decode(raw).text, str)
    except Rejected as r:
        assert r.reason in {"binary", "undecodable"}


@given(st.text(max_size=300))
def test_header_body_is_a_suffix(text: str) -> None:
    h = split_header(text)
    assert text.endswith(h.body)
    assert (h.raw is None) == (h.body == text)
