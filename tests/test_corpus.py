"""The benchmark corpus builder: deterministic, the requested size, parseable files, real paragraphs only."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks import corpus

# The gold README's header rule, spelled out again so that the test does not trust the module's copy.
HEADER = re.compile(r"\A\s*date (\d{4}(?:-\d{2}(?:-\d{2})?)?) ")

POOL_FILES = {
    "fr/001_a.txt": (
        " date 2021-03 Le conseil municipal de Rennes a voté mardi le budget de la ville pour cette année."
        "\n\nLes élus de l'opposition ont dénoncé une hausse des impôts locaux et des tarifs des cantines."
        "\n\nLa maire a répondu que les dépenses sont maîtrisées et que la dette est en baisse depuis 2019."
    ),
    "fr/002_b.txt": (
        "Grève à la SNCF : le trafic est très perturbé sur les lignes de la banlieue parisienne."
        "\n\nLes syndicats appellent à une nouvelle journée de mobilisation le 12 avril."
        "\n\nOui"
    ),
    "fr/003_c.txt": " date 2019-11-04 Une exposition sur Berthe Morisot ouvre au musée de Lyon.",
    # The same paragraphs as 003 with a less precise header: one source, the day header kept.
    "fr_month/003_c.txt": " date 2019-11 Une exposition sur Berthe Morisot ouvre au musée de Lyon.",
    "en/004_d.txt": (
        " date 2022-06 The city council approved the new cycling plan after a long debate on Tuesday night."
        "\n\nCritics said the project would cost far more than the mayor has promised to voters."
    ),
    "de/005_e.txt": (
        "Der Bundestag hat am Donnerstag das neue Gesetz zur Energiewende mit großer Mehrheit beschlossen."
        "\n\nDie Opposition kritisierte vor allem die hohen Kosten für die privaten Haushalte."
    ),
    "es/006_f.txt": "El gobierno anunció ayer un nuevo plan de vivienda para los jóvenes de las ciudades.",
}


@pytest.fixture()
def pool_dir(tmp_path: Path) -> Path:
    root = tmp_path / "pool"
    for name, text in POOL_FILES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


@pytest.fixture()
def pool(pool_dir: Path) -> corpus.Pool:
    return corpus.load_pool([pool_dir])


def pool_paragraphs() -> set[str]:
    return {p.strip() for text in POOL_FILES.values() for p in HEADER.sub("", text).split("\n\n")}


def read_corpus(out: Path) -> dict[str, str]:
    return {p.relative_to(out).as_posix(): p.read_text(encoding="utf-8") for p in sorted(out.rglob("*.txt"))}


def test_pool_dedups_sources_keeps_precise_header_and_drops_fragments(pool: corpus.Pool) -> None:
    assert len(pool.french) == 3
    assert sorted(len(s.paragraphs) for s in pool.other) == [1, 2, 2]
    museum = next(s for s in pool.french if "Morisot" in s.paragraphs[0])
    assert museum.header == "2019-11-04"
    strike = next(s for s in pool.french if s.paragraphs[0].startswith("Grève"))
    assert strike.paragraphs[-1] == ("Les syndicats appellent à une nouvelle journée de mobilisation le 12 avril.")
    assert strike.header is None


@pytest.mark.parametrize(
    ("text", "french"),
    [
        ("Le gouvernement a présenté mercredi un projet de loi sur les retraites.", True),
        ("The government presented a pension reform bill on Wednesday.", False),
        ("Die Regierung hat am Mittwoch einen Gesetzentwurf zur Rente vorgestellt.", False),
        ("Il governo ha presentato mercoledì un disegno di legge sulle pensioni.", False),
        ("", False),
    ],
)
def test_is_french(text: str, french: bool) -> None:
    assert corpus.is_french([text]) is french


def test_render_puts_header_and_first_paragraph_on_one_line() -> None:
    article = corpus.Article("2020-05", ("Premier paragraphe ici.", "Second paragraphe là."), True)
    assert corpus.render(article) == " date 2020-05 Premier paragraphe ici.\n\nSecond paragraphe là."
    assert corpus.render(corpus.Article(None, ("Un seul.",), True)) == "Un seul."


def test_same_seed_same_files_other_seed_other_files(pool_dir: Path, tmp_path: Path) -> None:
    a = corpus.build(tmp_path / "a", 40, seed=7, gold=None, seeds=pool_dir)
    b = corpus.build(tmp_path / "b", 40, seed=7, gold=None, seeds=pool_dir)
    c = corpus.build(tmp_path / "c", 40, seed=8, gold=None, seeds=pool_dir)
    assert read_corpus(tmp_path / "a") == read_corpus(tmp_path / "b")
    assert read_corpus(tmp_path / "a") != read_corpus(tmp_path / "c")
    assert a["stats"] == b["stats"]
    assert c["stats"]["articles"] == 40


def test_writes_requested_files_in_nested_folders_that_all_parse(pool_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "corpus"
    summary = corpus.build(out, 230, seed=1, gold=None, seeds=pool_dir)
    files = read_corpus(out)
    assert len(files) == 230
    assert sorted({name.split("/")[0] for name in files}) == ["000", "001", "002"]
    assert sum(name.startswith("002/") for name in files) == 30
    assert all(re.fullmatch(r"\d{3}/\d{3}_[0-9a-f]{16}\.txt", name) for name in files)
    known = pool_paragraphs()
    headers = {"none": 0, "month": 0, "day": 0}
    for text in files.values():
        assert "\r" not in text and not text.endswith("\n") and not text.startswith("\ufeff")
        m = HEADER.match(text)
        body = text[m.end() :] if m else text
        headers["none" if m is None else ("day" if len(m.group(1)) == 10 else "month")] += 1
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n", body)]
        assert 5 <= len(paragraphs) <= 15
        assert all(p and "\n" not in p for p in paragraphs)
        assert set(paragraphs) <= known
        assert "Oui" not in paragraphs
    assert headers["month"] > headers["none"] > 0 and headers["day"] > 0
    assert summary["stats"]["headers"] == headers
    assert json.loads((out / corpus.MANIFEST).read_text())["stats"]["articles"] == 230


def test_french_share_follows_the_parameter(pool: corpus.Pool) -> None:
    items = corpus.articles(pool, 400, 3, french_share=0.8)
    share = sum(a.french for a in items) / len(items)
    assert 0.74 <= share <= 0.86
    assert all(corpus.is_french(a.paragraphs) is a.french for a in items)
    assert [a.french for a in corpus.articles(pool, 20, 3, french_share=0.0)] == [False] * 20


def test_rebuild_reuses_same_params_and_refuses_foreign_folder(pool_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "corpus"
    corpus.build(out, 5, seed=2, gold=None, seeds=pool_dir)
    marker = next(out.rglob("*.txt"))
    marker.write_text("touched", encoding="utf-8")
    corpus.build(out, 5, seed=2, gold=None, seeds=pool_dir)
    assert marker.read_text(encoding="utf-8") == "touched"
    corpus.build(out, 6, seed=2, gold=None, seeds=pool_dir)
    assert len(read_corpus(out)) == 6
    assert "touched" not in read_corpus(out).values()
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "keep.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(FileExistsError):
        corpus.build(foreign, 3, seed=2, gold=None, seeds=pool_dir)
    assert (foreign / "keep.txt").read_text(encoding="utf-8") == "mine"


def test_empty_pool_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no paragraph"):
        corpus.articles(corpus.load_pool([tmp_path]), 3, 0)


@pytest.fixture(scope="module")
def module_pool(tmp_path_factory: pytest.TempPathFactory) -> corpus.Pool:
    """Module-scoped, since hypothesis does not re-run function-scoped fixtures between examples."""
    root = tmp_path_factory.mktemp("pool")
    for name, text in POOL_FILES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return corpus.load_pool([root])


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32), n=st.integers(0, 30), share=st.floats(0.0, 1.0))
def test_every_article_round_trips_through_the_raw_format(
    module_pool: corpus.Pool, seed: int, n: int, share: float
) -> None:
    pool = module_pool
    known = pool_paragraphs()
    items = corpus.articles(pool, n, seed, french_share=share)
    assert len(items) == n
    for article in items:
        header, paragraphs = corpus.parse(corpus.render(article))
        assert header == article.header
        assert tuple(paragraphs) == article.paragraphs
        assert set(paragraphs) <= known
        assert corpus.MIN_PARAGRAPHS <= len(paragraphs) <= corpus.MAX_PARAGRAPHS
        assert header is None or re.fullmatch(r"\d{4}-\d{2}(-\d{2})?", header)
