from __future__ import annotations

import unicodedata

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tasks.clean import clean_text


def test_mojibake_and_line_ends_are_repaired() -> None:
    assert clean_text("Ã©tÃ© Ã\xa0 Bamako\r\n\r\nSecond") == "été à Bamako\n\nSecond"
    assert clean_text("Ð\x9cÐ¾Ñ\x81ÐºÐ²Ð°") == "Москва"
    # C1 controls of a latin-1 reading are the cp1252 quotes they stand for.
    assert clean_text("\x93citation\x94") == "“citation”"


def test_spaces_and_controls() -> None:
    assert clean_text("Prix\u00a0: 3\u202f€\x07\x1b[31m rouge\x1b[0m\u200b\x81") == "Prix : 3 € rouge"
    assert clean_text("ma\u00adgni\u00adfique") == "magnifique"


def test_source_characters_are_not_folded() -> None:
    kept = [
        "“citation” ‘simple’ « guillemets »",
        "北京，周二：好！（完）",
        "ＡＢＣ　１２３",  # full-width letters and digits; the ideographic space is still a space
        "ﬁnance œuvre",
        "Tom &amp; Jerry &lt;b&gt;",
        "قال، نعم؛ لماذا؟",
        "می\u200cخواهم",  # Persian needs its zero-width non-joiner
        "👩\u200d💻",
        "half-width ｶﾀｶﾅ",
    ]
    assert [clean_text(t) for t in kept] == [
        "“citation” ‘simple’ « guillemets »",
        "北京，周二：好！（完）",
        "ＡＢＣ １２３",
        "ﬁnance œuvre",
        "Tom &amp; Jerry &lt;b&gt;",
        "قال، نعم؛ لماذا؟",
        "می\u200cخواهم",
        "👩\u200d💻",
        "half-width ｶﾀｶﾅ",
    ]


def test_nfc() -> None:
    assert clean_text("e\u0301te\u0301") == "été"


def test_paragraphs_are_joined_by_one_blank_line() -> None:
    assert clean_text("  un\ndeux  \n \n\n\ttrois\n\n\n") == "un deux\n\ntrois"


def test_repair_uncovered_by_another_repair_is_done_too() -> None:
    # The soft hyphen hides the UTF-8 mojibake of a Hebrew letter until it is removed.
    assert clean_text("\xad\xd7\x95") == "\u05d5"
    assert clean_text("\u05d5") == "\u05d5"


# Letters and punctuation of scripts outside Latin-1, whose sequences cannot look like UTF-8 read as a legacy page.
_SCRIPTS = [
    (0x0400, 0x04FF),  # Cyrillic
    (0x0370, 0x03FF),  # Greek
    (0x0600, 0x06FF),  # Arabic
    (0x0590, 0x05FF),  # Hebrew
    (0x0900, 0x097F),  # Devanagari
    (0x0E00, 0x0E7F),  # Thai
    (0x3001, 0x303F),  # CJK punctuation
    (0x3040, 0x30FF),  # kana
    (0x4E00, 0x9FFF),  # CJK ideographs
    (0xAC00, 0xD7A3),  # Hangul syllables
    (0xFF01, 0xFF5E),  # full-width forms
    (0xFF61, 0xFF9F),  # half-width kana and punctuation
]
_VISIBLE = ("L", "M", "N", "P", "S")
script_chars = st.one_of(
    [st.characters(min_codepoint=a, max_codepoint=b, categories=_VISIBLE) for a, b in _SCRIPTS]
    + [st.characters(min_codepoint=0x21, max_codepoint=0x7E)]
)
words = st.text(script_chars, min_size=1, max_size=12)


@settings(max_examples=500)
@given(st.lists(st.lists(words, min_size=1, max_size=8).map(" ".join), min_size=1, max_size=4).map("\n\n".join))
def test_clean_text_in_any_script_is_unchanged(text: str) -> None:
    assume(unicodedata.is_normalized("NFC", text))
    assert clean_text(text) == text


@settings(max_examples=1000)
@given(st.text(max_size=400))
def test_clean_is_idempotent(text: str) -> None:
    once = clean_text(text)
    assert clean_text(once) == once
    assert "\n\n\n" not in once and "\r" not in once
    assert once == once.strip()
