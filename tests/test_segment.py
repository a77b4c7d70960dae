from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tasks.clean import clean_text
from tasks.segment import split_paragraphs


def test_kinds_follow_the_example_layout() -> None:
    text = (
        'La lutte continue", a dit M. Lavrov.\n\n'
        "Lavrov promet au Mali la poursuite du soutien militaire\n\n"
        "Le ministre a parlé.\n\n"
        "Une coopération renforcée\n\n"
        "Fin de l'article."
    )
    segs = split_paragraphs(text)
    assert [s.kind for s in segs] == ["body", "title", "body", "heading", "body"]
    assert segs[1].text == "Lavrov promet au Mali la poursuite du soutien militaire"
    assert (segs[1].start, segs[1].end) == (38, 93)


def test_lowercase_or_punctuated_short_lines_are_body() -> None:
    segs = split_paragraphs("suite du texte\n\nIl a dit :\n\nBerlin, 3. März")
    assert [s.kind for s in segs] == ["body", "body", "title"]


def test_empty_text_has_no_paragraph() -> None:
    assert split_paragraphs("") == []


@given(st.text(max_size=500))
def test_offsets_slice_out_each_paragraph(raw: str) -> None:
    text = clean_text(raw)
    segs = split_paragraphs(text)
    assert [s.paragraph_id for s in segs] == list(range(len(segs)))
    for s in segs:
        assert text[s.start : s.end] == s.text
    assert "\n\n".join(s.text for s in segs) == text
    assert sum(s.kind == "title" for s in segs) <= 1
