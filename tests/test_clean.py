from __future__ import annotations

from hypothesis import given
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


@given(st.text(max_size=400))
def test_clean_is_idempotent(text: str) -> None:
    once = clean_text(text)
    assert clean_text(once) == once
    assert "\n\n\n" not in once and "\r" not in once
    assert once == once.strip()
