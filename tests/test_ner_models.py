"""The language -> spaCy pipeline mapping: installed pipelines with `ner` accepted, anything else refused by name."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from flows.params import EtlParams, cli_parser, from_cli
from tasks.models import DEFAULT_NER_MODELS, ner_package_problem


@pytest.fixture
def fake_packages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Importable packages on sys.path: a tagger-only spaCy pipeline and a plain library."""
    tagger = tmp_path / "xx_tagger_only"
    tagger.mkdir()
    (tagger / "__init__.py").write_text("")
    (tagger / "meta.json").write_text(
        json.dumps({"lang": "xx", "pipeline": ["tok2vec", "tagger"], "components": ["tok2vec", "tagger", "parser"]})
    )
    plain = tmp_path / "plainlib"
    plain.mkdir()
    (plain / "__init__.py").write_text("")
    monkeypatch.syspath_prepend(str(tmp_path))
    return tmp_path


def test_the_default_and_both_french_packages_are_accepted() -> None:
    assert DEFAULT_NER_MODELS == {"fr": "fr_core_news_md"}
    assert ner_package_problem("fr_core_news_md") is None
    assert ner_package_problem("fr_core_news_sm") is None


def test_refusals_name_the_package(fake_packages: Path) -> None:
    assert ner_package_problem("de_core_news_sm") == (
        "spaCy pipeline package 'de_core_news_sm' is not installed; install it with pip "
        "(docs/operations.md, NER models per language)"
    )
    assert "its import name is spelt 'fr_core_news_md'" in (ner_package_problem("fr-core-news-md") or "")
    assert ner_package_problem("xx_tagger_only") == (
        "spaCy pipeline 'xx_tagger_only' has no `ner` component (it has: tok2vec, tagger, parser)"
    )
    assert ner_package_problem("plainlib") == "'plainlib' is not a spaCy pipeline package (no readable meta.json)"
    assert ner_package_problem("json") == "'json' is not a spaCy pipeline package (no readable meta.json)"
    assert "xx_tagger_only" not in sys.modules  # checked from meta.json, nothing imported or loaded


def test_cli_takes_the_mapping_as_json(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    base = ["--input", str(tmp_path / "in"), "--output", str(tmp_path / "out")]
    parser = cli_parser("depeche", None)
    params = from_cli(parser.parse_args([*base, "--ner-models", '{"fr": "fr_core_news_sm", "de": "fr_core_news_md"}']))
    assert params.ner_models == {"fr": "fr_core_news_sm", "de": "fr_core_news_md"}
    assert from_cli(parser.parse_args(base)).ner_models == {"fr": "fr_core_news_md"}
    assert '(default: {"fr": "fr_core_news_md"})' in " ".join(parser.format_help().split())
    for bad in ('["fr"]', "{fr: md}"):
        with pytest.raises(SystemExit):
            parser.parse_args([*base, "--ner-models", bad])


def test_bad_keys_and_packages_are_refused_by_field(tmp_path: Path, fake_packages: Path) -> None:
    (tmp_path / "in").mkdir()
    folders = {"input_dir": tmp_path / "in", "output_dir": tmp_path / "out"}
    with pytest.raises(ValidationError, match="ner_models.German"):
        EtlParams(**folders, ner_models={"German": "fr_core_news_md"})
    with pytest.raises(ValidationError, match="ner_models: de: spaCy pipeline 'xx_tagger_only' has no `ner`"):
        EtlParams(**folders, ner_models={"fr": "fr_core_news_md", "de": "xx_tagger_only"})
    assert EtlParams(**folders, ner_models={}).ner_models == {}
