from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tasks.clean import clean_text


def test_mojibake_and_line_ends_are_repaired() -> None:
    assert clean_text("Ã©tÃ© Ã\xa0 Bamako\r\n\r\nSecond") == "été à Bamako\n\nSecond"


def test_spaces_controls_and_quotes() -> None:
    assert clean_text("Prix\u00a0: 3\u202f€\x07 “citation”\u200b") == 'Prix : 3 € "citation"'


def test_paragraphs_are_joined_by_one_blank_line() -> None:
    assert clean_text("  un\ndeux  \n \n\n\ttrois\n\n\n") == "un deux\n\ntrois"


def test_russian_and_arabic_survive() -> None:
    assert clean_text("Москва\n\nمرحبا بكم") == "Москва\n\nمرحبا بكم"


def test_repair_uncovered_by_another_repair_is_done_too() -> None:
    # The soft hyphen hides the UTF-8 mojibake of a Hebrew letter until it is removed.
    assert clean_text("\xad\xd7\x95") == "\u05d5"
    assert clean_text("\u05d5") == "\u05d5"


@settings(max_examples=1000)
@given(st.text(max_size=400))
def test_clean_is_idempotent(text: str) -> None:
    once = clean_text(text)
    assert clean_text(once) == once
    assert "\n\n\n" not in once and "\r" not in once
    assert once == once.strip()
