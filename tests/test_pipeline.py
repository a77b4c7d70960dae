"""The pure pipeline over a batch, with stand-in models: what becomes rows, what becomes a reject, and why."""

from __future__ import annotations

from tasks.entities import Gazetteer
from tasks.pipeline import MAX_NER_CHARS_PER_DOCUMENT, Models, SourceFile, doc_id_for, process_batch


def detector(text: str) -> list[tuple[str, float]]:
    """French unless the text says 'the', which makes it English; always confident."""
    return [("en", 0.99)] if " the " in f" {text.lower()} " else [("fr", 0.99)]


def ner(texts):  # type: ignore[no-untyped-def]
    calls.append(len(texts))
    return [[(t.find("Lyon"), t.find("Lyon") + 4, "LOC")] if "Lyon" in t else [] for t in texts]


calls: list[int] = []
MODELS = Models(detector=detector, ner_for=lambda lang: ner if lang == "fr" else None, gazetteer=Gazetteer())


def test_one_model_call_per_language_for_the_whole_batch() -> None:
    calls.clear()
    files = [
        SourceFile(
            "a.txt", " date 2023-03 VILLEURBANNE, mardi 7 mars 2023 - Le maire de Lyon est arrivé à la mairie.".encode()
        ),
        SourceFile(
            "b.txt",
            "Le préfet a visité Lyon hier après-midi avec les élus du département.\n\n"
            "The mayor of Lyon was there too.".encode(),
        ),
    ]
    batch = process_batch(files, MODELS, run_id="r")
    assert calls == [2]  # both French paragraphs in one call; the English one goes to no model
    assert batch.ner_skipped == {"en": 1}
    assert [(e.doc_id, e.paragraph_id, e.text, e.label) for e in batch.entities] == [
        (doc_id_for("a.txt"), 0, "Lyon", "LOC"),
        (doc_id_for("b.txt"), 0, "Lyon", "LOC"),
    ]
    a = batch.documents[0]
    assert (a.date, a.date_precision, a.date_source, a.language) == ("2023-03-07", "day", "header+dateline", "fr")
    assert [(p.paragraph_id, p.language) for p in batch.paragraphs if p.doc_id == doc_id_for("b.txt")] == [
        (0, "fr"),
        (1, "en"),
    ]
    assert batch.rejects == []
    assert set(batch.seconds) == {"read", "language", "dates", "entities", "assemble", "dedup"}
    # One print per document, one key per paragraph, for the duplicate step at commit.
    assert [(p.doc_id, len(p.paragraph_keys)) for p in batch.prints] == [
        (d.doc_id, d.n_paragraphs) for d in batch.documents
    ]


def test_rejects_and_kept_notes() -> None:
    files = [
        SourceFile("empty.txt", b"   \n "),
        SourceFile("header.txt", b"date 2023-02 \n"),
        SourceFile("bad.txt", "date 2023-13 Le maire de Lyon a parlé hier soir devant le conseil.".encode()),
        SourceFile("nul.txt", b"abc\x00def"),
    ]
    batch = process_batch(files, MODELS, run_id="r")
    assert sorted((r.source, r.reason, r.action) for r in batch.rejects) == [
        ("bad.txt", "invalid_header_date", "kept"),
        ("empty.txt", "no_text", "skipped"),
        ("header.txt", "header_only", "skipped"),
        ("nul.txt", "binary", "skipped"),
    ]
    assert [d.source for d in batch.documents] == ["bad.txt"]
    assert all(r.run_id == "r" for r in batch.rejects)


def test_very_long_documents_get_entities_only_up_to_the_cap() -> None:
    paragraph = "Le maire de Lyon a parlé au conseil municipal réuni en séance extraordinaire. " * 20
    n = MAX_NER_CHARS_PER_DOCUMENT // len(paragraph) + 5
    batch = process_batch([SourceFile("long.txt", "\n\n".join([paragraph] * n).encode())], MODELS, run_id="r")
    covered = {e.paragraph_id for e in batch.entities}
    assert max(covered) < n - 1 and len(covered) == MAX_NER_CHARS_PER_DOCUMENT // (len(paragraph) + 1) + 1
    assert [(r.reason, r.action) for r in batch.rejects] == [("ner_truncated", "kept")]
    assert len(batch.paragraphs) == n


def test_legacy_encodings_become_documents_with_their_encoding_or_a_reason() -> None:
    files = [
        SourceFile("ru.txt", "Заседание правительства прошло во вторник в Москве.".encode("cp1251")),
        SourceFile("fr.txt", "Le préfet a visité Lyon hier après-midi avec les élus.".encode("cp1252")),
        SourceFile("mixed.txt", "Le préfet a visité Lyon hier après-midi. ".encode() + "Fin, à midi.".encode("cp1252")),
        SourceFile(
            "two.txt",
            "Заседание правительства прошло во вторник в Москве.".encode("cp1251")
            + b"\n\n"
            + "Η κυβέρνηση ανακοίνωσε την Τρίτη νέα μέτρα για τα νοικοκυριά.".encode("iso-8859-7"),
        ),
    ]
    batch = process_batch(files, MODELS, run_id="r")
    assert [(d.source, d.encoding, d.text) for d in batch.documents] == [
        ("ru.txt", "cp1251", "Заседание правительства прошло во вторник в Москве."),
        ("fr.txt", "cp1252", "Le préfet a visité Lyon hier après-midi avec les élus."),
        ("mixed.txt", "utf-8+cp1252", "Le préfet a visité Lyon hier après-midi. Fin, à midi."),
    ]
    assert [(r.source, r.reason, r.action) for r in batch.rejects] == [
        ("mixed.txt", "mixed_encoding", "kept"),
        ("two.txt", "undecodable", "skipped"),
    ]
