"""The near-duplicate benchmark: each edit changes the text as it says, deterministically; scoring counts."""

from __future__ import annotations

import random
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from benchmarks import dedup as bench
from tasks import dedup
from tasks.dedup import DocFlags

ARTICLE = (
    "Le conseil municipal de Quimper adopte son budget.",
    "Réunis lundi soir, les élus ont voté le budget primitif de la commune après trois heures de débat. "
    "L'opposition a dénoncé une hausse de la taxe foncière. "
    "Le maire a défendu des choix « responsables » face à l'inflation.",
    "Les investissements porteront d'abord sur les écoles et la voirie. "
    "Une nouvelle médiathèque doit ouvrir ses portes au printemps prochain dans le quartier de Kerfeunteun.",
    "Les associations sportives verront leurs subventions maintenues au même niveau que l'an dernier. "
    "Le club de football a pourtant demandé une aide supplémentaire pour rénover ses vestiaires.",
    "Le prochain conseil se tiendra le 14 mars à la mairie, et la séance sera retransmise en direct.",
)
DONOR = (
    "Tempête sur la côte nord : des milliers de foyers privés d'électricité.",
    "Des rafales à plus de cent kilomètres par heure ont balayé le littoral pendant la nuit. "
    "Les pompiers sont intervenus à de nombreuses reprises pour des chutes d'arbres.",
    "Les techniciens du réseau électrique espèrent rétablir le courant d'ici mercredi soir.",
)
GERMAN = (
    "Der Stadtrat von Freiburg hat am Dienstag einen neuen Radverkehrsplan beschlossen.",
    "Bis zum Jahr 2030 sollen zwanzig Kilometer neue Radwege entstehen, vor allem zwischen der Altstadt "
    "und den westlichen Stadtteilen. Die Opposition kritisierte die hohen Kosten des Vorhabens.",
    "Die Bauarbeiten beginnen im Herbst an der Dreisam, wo die Strecke besonders stark genutzt wird.",
)


def words(paragraphs: tuple[str, ...]) -> list[str]:
    return dedup.normalize(" ".join(paragraphs)).split()


def rng() -> random.Random:
    return random.Random("test")


# ------------------------------------------------------------------------------------------------ edits


def test_sentences_split_after_end_marks_and_join_back() -> None:
    p = ARTICLE[1]
    parts = bench.sentences(p)
    assert len(parts) == 3
    assert parts[2] == "Le maire a défendu des choix « responsables » face à l'inflation."
    assert " ".join(parts) == p
    assert bench.sentences("« Nous resterons. » Puis il est parti.") == [
        "« Nous resterons. »",
        "Puis il est parti.",
    ]


def test_first_line_replaced_by_the_donors_and_nothing_else() -> None:
    out = bench.change_first_line(ARTICLE, rng(), DONOR)
    assert out == (DONOR[0], *ARTICLE[1:])


def test_first_line_only_the_first_sentence_of_a_long_first_paragraph() -> None:
    article = (" ".join(ARTICLE[1:3]), *ARTICLE[3:])
    out = bench.change_first_line(article, rng(), DONOR)
    assert out is not None
    assert out[0] == DONOR[0] + " " + " ".join(bench.sentences(article[0])[1:])
    assert out[1:] == article[1:]


def test_first_line_not_applicable_when_it_is_most_of_the_article() -> None:
    assert (
        bench.change_first_line(("Un titre assez long pour être presque tout.", "Court."), rng(), DONOR)
        is None
    )


def test_replace_sentence_changes_exactly_one_sentence_and_keeps_the_first() -> None:
    out = bench.replace_sentence(ARTICLE, rng(), DONOR)
    assert out is not None and len(out) == len(ARTICLE) and out[0] == ARTICLE[0]
    before = [s for p in ARTICLE for s in bench.sentences(p)]
    after = [s for p in out for s in bench.sentences(p)]
    changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    assert len(changed) == 1
    assert changed[0][1] in {s for p in DONOR for s in bench.sentences(p)}


def test_drop_paragraph_removes_one_small_paragraph() -> None:
    out = bench.drop_paragraph(ARTICLE, rng(), DONOR)
    assert out is not None and len(out) == len(ARTICLE) - 1
    dropped = [p for p in ARTICLE if p not in out]
    assert len(dropped) == 1 and [p for p in ARTICLE if p != dropped[0]] == list(out)
    assert bench.drop_paragraph(ARTICLE[:2], rng(), DONOR) is None


def test_add_paragraph_inserts_one_clipped_donor_paragraph_after_the_first() -> None:
    out = bench.add_paragraph(ARTICLE, rng(), DONOR)
    assert out is not None and len(out) == len(ARTICLE) + 1 and out[0] == ARTICLE[0]
    (extra,) = [p for p in out if p not in ARTICLE]
    assert len(extra.split()) <= bench.MAX_UNIT_SHARE * bench.word_count(ARTICLE)
    assert any(d.startswith(extra) for d in DONOR)
    assert tuple(p for p in out if p != extra) == ARTICLE


def test_boilerplate_appends_one_line_from_the_templates() -> None:
    patterns = [re.escape(t).replace(r"\{", "{").replace(r"\}", "}") for t in bench.BOILERPLATE]
    patterns = [re.sub(r"\{\w+\}", ".+", p) for p in patterns]
    for seed in range(20):
        out = bench.append_boilerplate(ARTICLE, random.Random(seed), DONOR)
        assert out is not None and out[:-1] == ARTICLE
        assert any(re.fullmatch(p, out[-1]) for p in patterns), out[-1]


def test_lire_aussi_line_carries_the_donors_title() -> None:
    lines = {bench.append_boilerplate(ARTICLE, random.Random(s), DONOR)[-1] for s in range(40)}
    assert f"Lire aussi : {DONOR[0]}" in lines


@pytest.mark.parametrize("article", [ARTICLE, GERMAN])
def test_typography_changes_exactly_typos_words_after_normalisation(article: tuple[str, ...]) -> None:
    for seed in range(10):
        out = bench.typography(article, random.Random(seed), DONOR)
        assert out is not None and len(out) == len(article)
        before, after = words(article), words(out)
        assert len(before) == len(after)
        assert sum(a != b for a, b in zip(before, after, strict=True)) == bench.TYPOS


def test_typography_changes_quotes_or_case_on_the_surface() -> None:
    out = bench.typography(ARTICLE, rng(), DONOR)
    assert out is not None
    assert out[0] == out[0].upper() or out[0] == out[0].lower()
    assert "'" not in " ".join(out)  # every straight apostrophe became a typographic one


@pytest.mark.parametrize("word", ["médiathèque", "Kerfeunteun", "Radverkehrsplan", "aller"])
def test_typo_always_changes_the_normalised_word(word: str) -> None:
    for seed in range(30):
        typo = bench._typo(word, random.Random(seed))
        assert dedup.normalize(typo) != dedup.normalize(word)
        assert abs(len(typo) - len(word)) <= 1


def test_truncate_keeps_the_first_eighty_percent_of_the_words() -> None:
    out = bench.truncate(ARTICLE, rng(), DONOR)
    assert out is not None
    assert bench.word_count(out) == round(0.8 * bench.word_count(ARTICLE))
    assert " ".join(out).split() == " ".join(ARTICLE).split()[: bench.word_count(out)]


def test_combined_applies_two_edits() -> None:
    out = bench.combined(ARTICLE, rng(), DONOR)
    assert out is not None and out != ARTICLE
    singles = {bench.EDITS[k](ARTICLE, rng(), DONOR) for k in bench.EDITS}
    assert out not in singles


def test_half_swap_keeps_half_and_fills_the_rest_from_the_donor() -> None:
    long_donor = DONOR + GERMAN
    out = bench.half_swap(ARTICLE, rng(), long_donor)
    assert out is not None
    n = bench.word_count(ARTICLE)
    assert bench.word_count(out) == n
    kept = " ".join(out).split()[: n // 2]
    assert kept == " ".join(ARTICLE).split()[: n // 2]
    assert " ".join(out[-1].split()) in " ".join(" ".join(long_donor).split())
    assert bench.half_swap(ARTICLE, rng(), ("Trop court.",)) is None


@given(
    st.lists(st.text(alphabet="abc é\n", min_size=1, max_size=30), min_size=1, max_size=6), st.integers(0, 60)
)
def test_split_at_words_loses_and_adds_no_word(paragraphs: list[str], keep: int) -> None:
    paras = tuple(paragraphs)
    head, tail = bench.split_at_words(paras, keep)
    all_words = " ".join(paras).split()
    assert " ".join(head).split() == all_words[:keep]
    assert " ".join(tail).split() == all_words[keep:]


def originals() -> list[bench.Doc]:
    texts = {"fr_a/001.txt": ARTICLE, "fr_a/002.txt": DONOR + GERMAN, "fr_a/003.txt": GERMAN + ARTICLE[1:3]}
    return [bench.Doc(k, v, "original", k, False) for k, v in texts.items()]


def test_copies_are_deterministic_under_a_seed_and_change_with_it() -> None:
    first = bench.make_copies(originals(), 0, bench.POSITIVE_EDITS, True)
    assert first == bench.make_copies(originals(), 0, bench.POSITIVE_EDITS, True)
    other = bench.make_copies(originals(), 1, bench.POSITIVE_EDITS, True)
    assert first != other
    assert {d.doc_id for d in first} >= {"fr_a/001.txt#first_line", "fr_a/001.txt#typography"}
    assert all(d.positive and d.doc_id == f"{d.origin}#{d.kind}" for d in first)
    assert all(d.paragraphs != o.paragraphs for d in first for o in originals() if o.doc_id == d.origin)


# ---------------------------------------------------------------------------------------------- scoring


def doc(doc_id: str, kind: str = "original", positive: bool = False) -> bench.Doc:
    return bench.Doc(doc_id, ("x",), kind, doc_id.split("#")[0], positive)


def test_score_counts_right_and_wrong_flags() -> None:
    docs = [
        doc("A"),
        doc("B"),
        doc("A#x", "x", True),
        doc("A#y", "y", True),
        doc("B#x", "x", True),
        doc("B#y", "y", True),
        doc("A#half", "half_swap"),
    ]
    flags = {
        "B": "A",  # two different originals: wrong
        "A#x": "A",  # right
        "A#y": "A#x",  # another copy of the same original: right
        "B#x": "A",  # the wrong original: wrong, and B#x is missed
        "A#half": "A",  # a heavy rewrite is no near duplicate: wrong
    }
    s = bench.score(docs, flags)
    assert s.positives == {"x": 2, "y": 2}
    assert s.found == {"x": 1, "y": 1}
    assert s.flagged == {"original": 1, "x": 2, "y": 1, "half_swap": 1}
    assert s.precision == pytest.approx(2 / 5)
    assert s.recall == pytest.approx(2 / 4)
    assert s.f1 == pytest.approx(2 * 0.4 * 0.5 / 0.9)


def test_a_copy_flagged_against_a_heavy_rewrite_of_its_original_is_wrong() -> None:
    docs = [doc("A"), doc("A#x", "x", True), doc("A#half", "half_swap")]
    assert bench.score(docs, {"A#x": "A#half"}).found == {}


def test_empty_flags_give_precision_one_and_recall_zero() -> None:
    s = bench.score([doc("A"), doc("A#x", "x", True)], {})
    assert (s.precision, s.recall, s.f1) == (1.0, 0.0, 0.0)


def test_targets_and_thresholds() -> None:
    flags = {
        "a": DocFlags(),
        "b": DocFlags(duplicate_of="a"),
        "c": DocFlags(near_duplicate_of="a", near_duplicate_score=0.62),
        "d": DocFlags(near_duplicate_of="c", near_duplicate_score=0.41),
    }
    found = bench.targets(flags)
    assert found == {"b": ("a", 1.0), "c": ("a", 0.62), "d": ("c", 0.41)}
    assert bench.at_threshold(found, 0.6) == {"b": "a", "c": "a"}
    assert bench.at_threshold(found, 0.4) == {"b": "a", "c": "a", "d": "c"}
    assert bench.pair_flagged("c", "d", bench.at_threshold(found, 0.4))
    assert not bench.pair_flagged("c", "d", bench.at_threshold(found, 0.6))


def test_percentiles_nearest_rank() -> None:
    p = bench.percentiles([i / 100 for i in range(1, 101)])
    assert (p["p0"], p["p1"], p["p5"], p["p50"], p["p99"], p["p100"]) == (0.01, 0.01, 0.05, 0.5, 0.99, 1.0)
    assert bench.percentiles([]) == {}


def test_hardest_pairs_find_the_most_similar_other_original() -> None:
    shared = "le train de nuit pour Briançon repartira dès le mois prochain selon la région"
    docs = [
        bench.Doc("a", (shared + " et les usagers s'en réjouissent.",), "original", "a", False),
        bench.Doc("b", (shared + " mais sans voiture-lits.",), "original", "b", False),
        bench.Doc(
            "c",
            ("Die Brücke über den Rhein bleibt bis Ende Mai für Autos gesperrt.",),
            "original",
            "c",
            False,
        ),
    ]
    pairs = bench.hardest_pairs(docs)
    assert [(a, b) for a, b, _ in pairs] == [("a", "b")]
    sa, sb = bench.shingles(docs[0].paragraphs), bench.shingles(docs[1].paragraphs)
    assert pairs[0][2] == round(len(sa & sb) / len(sa | sb), 4)


def test_patched_restores_the_module_constants() -> None:
    before = dedup.NEAR_DUPLICATE_THRESHOLD
    with pytest.raises(RuntimeError), bench.patched(NEAR_DUPLICATE_THRESHOLD=0.1):
        assert dedup.NEAR_DUPLICATE_THRESHOLD == 0.1
        raise RuntimeError
    assert dedup.NEAR_DUPLICATE_THRESHOLD == before


THIRD = (
    "Les vendanges ont commencé avec deux semaines d'avance dans le Muscadet.",
    "Les viticulteurs de la région nantaise se disent satisfaits de la qualité du raisin malgré la "
    "sécheresse de l'été. Les rendements devraient toutefois baisser d'environ quinze pour cent par "
    "rapport à l'an dernier.",
    "Plusieurs domaines peinent encore à recruter des saisonniers pour la cueillette à la main.",
)


def test_run_end_to_end_on_three_made_up_articles() -> None:
    texts = {"fr/001.txt": ARTICLE, "fr/002.txt": DONOR + GERMAN, "fr/003.txt": THIRD}
    result = bench.run([bench.Doc(k, v, "original", k, False) for k, v in texts.items()], 0, 1)
    assert result["originals"] == 3
    assert result["positives"] == {k: 3 for k in bench.POSITIVE_EDITS}
    assert result["negatives"] == {"hardest": 0, "random": 3, "half_swap": 3}
    # Different articles sit near Jaccard 0 and heavy rewrites near 1/3: far from the threshold whatever the
    # hash function, so these hold while the recall of short made-up texts moves with MinHash noise.
    assert result["false_positives"] == {"hardest": 0, "random": 0, "half_swap": 0}
    assert result["wrong_flags"] == [] and result["precision"] == 1.0
    found = sum(result["found"].values())
    assert found + len(result["missed_positives"]) == 24
    assert result["recall"] == round(found / 24, 4)
    assert [s["threshold"] for s in result["sweep"]] == list(bench.THRESHOLDS)
    recalls = [s["recall"] for s in result["sweep"]]
    assert recalls == sorted(recalls, reverse=True)
    assert f"| **all** | 24 | {found} | **{100 * found / 24:.1f} %** |" in bench.report(
        result, bench.settings()
    )
