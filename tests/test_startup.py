"""Start-up: loads once per process, the prebuilt gazetteer, the `languages` option, workers forked after the load."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

from flows.news_etl import model_spec, news_etl, task_runner
from flows.params import EtlParams, cli_parser, from_cli
from flows.prefect_tasks import DEFAULT_MODELS, ModelSpec
from flows.workers import PreloadedProcessPoolTaskRunner, decode, encode
from tasks import models
from tests.conftest import SEED
from tests.tables import assert_same_tables, read_tables

REPO = Path(__file__).resolve().parents[1]


def test_a_load_runs_once_for_threads_that_ask_at_the_same_time() -> None:
    calls: list[int] = []

    @models.once
    def slow_load(size: int = 3) -> list[int]:
        calls.append(size)
        time.sleep(0.2)
        return [size]

    got: list[list[int]] = []
    threads = [threading.Thread(target=lambda: got.append(slow_load())) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert calls == [3]
    assert len(got) == 6 and all(g is got[0] for g in got)
    # The default bound: `f()` and `f(3)` are one load; another argument is another.
    assert slow_load(3) is got[0]
    assert slow_load(size=4) == [4] and calls == [3, 4]


def test_a_failed_load_is_not_kept() -> None:
    attempts: list[int] = []

    @models.once
    def flaky() -> str:
        attempts.append(1)
        if len(attempts) == 1:
            raise OSError("model file busy")
        return "loaded"

    with pytest.raises(OSError, match="busy"):
        flaky()
    assert flaky() == "loaded" and flaky() == "loaded"
    assert len(attempts) == 2


def test_setup_leaves_a_prebuilt_gazetteer_that_matches_the_packages() -> None:
    body = json.loads(models.gazetteer_file().read_text(encoding="utf-8"))
    assert body["key"] == models._gazetteer_key()
    built = models.build_place_gazetteer()
    assert body["countries"] == dict(built.countries) and body["places"] == dict(built.places)
    assert body["countries"]["allemagne"] == "Allemagne"


def test_a_stale_or_missing_prebuilt_gazetteer_is_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "gazetteer.json"
    monkeypatch.setattr(models, "gazetteer_file", lambda: target)
    fresh = models.place_gazetteer.__wrapped__  # type: ignore[attr-defined]
    assert fresh().countries["allemagne"] == "Allemagne"  # missing: built from the packages
    target.write_text(json.dumps({"key": "stale", "countries": {"allemagne": "X"}, "places": {}}), encoding="utf-8")
    assert fresh().countries["allemagne"] == "Allemagne"
    models.write_gazetteer(target)
    body = json.loads(target.read_text(encoding="utf-8"))
    body["countries"]["allemagne"] = "from the file"
    target.write_text(json.dumps(body), encoding="utf-8")
    assert fresh().countries["allemagne"] == "from the file"  # a matching key: read, not rebuilt


def test_languages_are_validated_and_parsed_from_the_cli(tmp_path: Path) -> None:
    folders = {"input_dir": tmp_path, "output_dir": tmp_path.parent / "out-languages"}
    with pytest.raises(ValueError, match="at least two languages"):
        EtlParams(**folders, languages=["fr"])
    with pytest.raises(ValueError, match="unknown language code.*xx"):
        EtlParams(**folders, languages=["fr", "xx"])
    args = cli_parser("t", None).parse_args(["--input", str(tmp_path), "--output", "o", "--languages", "fr, en,de"])
    assert from_cli(args).languages == ["fr", "en", "de"]
    assert EtlParams(**folders).languages is None


def test_the_detector_answers_only_among_the_chosen_languages() -> None:
    spanish = "El ayuntamiento aprobó ayer por la tarde el presupuesto municipal de la ciudad para el próximo año."
    both = models.language_detector("lingua", ["fr", "it"], preload=False)(spanish)
    assert [code for code, _ in both] and {code for code, _ in both} <= {"fr", "it"}
    assert models.language_detector("lingua", preload=False)(spanish)[0][0] == "es"
    chosen = models.language_detector("langdetect", ["fr", "it"])(spanish)
    assert {code for code, _ in chosen} <= {"fr", "it"}


def test_lazy_and_preloaded_lingua_give_the_same_answers() -> None:
    texts = [
        "Le maire de Lyon a inauguré la passerelle hier soir.",
        "Die Regierung hat am Dienstag neue Maßnahmen beschlossen.",
        "Премьер-министр выступил в парламенте.",
        "Oui",
        "The delegation arrived on Tuesday for talks on trade and security.",
    ]
    lazy = models.language_detector("lingua", preload=False)
    preloaded = models.language_detector("lingua", preload=True)
    assert [lazy(t) for t in texts] == [preloaded(t) for t in texts]


def test_the_spec_preloads_only_where_workers_share_it(tmp_path: Path) -> None:
    one = EtlParams(input_dir=tmp_path, output_dir=tmp_path.parent / "o1")
    two = EtlParams(input_dir=tmp_path, output_dir=tmp_path.parent / "o2", workers=2, languages=["fr", "en"])
    assert model_spec(one) == ModelSpec(preload=False)
    assert model_spec(two) == ModelSpec(languages=("en", "fr"), preload=True)
    assert model_spec(EtlParams(input_dir=tmp_path, output_dir=tmp_path.parent / "o3", workers=2)) == DEFAULT_MODELS
    assert decode(encode(model_spec(two))) == model_spec(two)
    assert isinstance(task_runner(2, None, model_spec(two)), PreloadedProcessPoolTaskRunner)
    with PreloadedProcessPoolTaskRunner(DEFAULT_MODELS, max_workers=2) as runner:
        assert runner._executor is not None
        assert runner._executor._mp_context.get_start_method() == "forkserver"  # type: ignore[attr-defined]


# In a fresh interpreter: the fork server is one per process, so it must start with this spec.
_FORKED = """
import json, multiprocessing, os
from concurrent.futures import ProcessPoolExecutor
from flows.prefect_tasks import ModelSpec
from flows.workers import start_fork_server
from tasks import models

def report():
    return {"loaded": models.loaded(), "parent": os.getppid()}

if __name__ == "__main__":
    start_fork_server(ModelSpec(ner_models=(), detector="langdetect", languages=("de", "en", "fr"), preload=True))
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("forkserver")) as pool:
        seen = [pool.submit(report).result() for _ in range(4)]
    print(json.dumps({"workers": seen, "main_loaded": models.loaded(), "main": os.getpid()}))
"""


def test_workers_fork_from_a_process_that_has_loaded_the_models(tmp_path: Path) -> None:
    script = tmp_path / "forked.py"
    script.write_text(_FORKED, encoding="utf-8")
    env = os.environ | {"PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=300, check=True, cwd=tmp_path
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["main_loaded"] == []  # the main process loads nothing itself
    for worker in result["workers"]:
        # Loaded before the worker existed: its parent is the fork server, not the main process.
        assert worker["loaded"] == [
            "langdetect_detector(('de', 'en', 'fr'),)",
            "place_gazetteer()",
            f"load_models({ModelSpec((), 'langdetect', ('de', 'en', 'fr'), True)!r},)",
        ]
        assert worker["parent"] != result["main"]


@pytest.mark.slow
def test_two_preloaded_workers_write_what_one_writes(prefect_server: None, tmp_path: Path) -> None:
    inp = tmp_path / "in"
    inp.mkdir()
    (inp / SEED).write_bytes((REPO / "seeds" / SEED).read_bytes())
    for i, text in enumerate(
        [
            " date 2023-03-02 Le maire de Lyon a inauguré la passerelle le 3 mars 2023.",
            " date 2023-04 Die Regierung in Berlin hat am Dienstag neue Maßnahmen beschlossen.",
            " date 2023-05-07 Emmanuel Macron s'est rendu à Bamako, au Mali, dimanche.",
        ]
    ):
        (inp / f"a{i}.txt").write_text(text, encoding="utf-8")
    with temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        news_etl(input_dir=inp, output_dir=tmp_path / "one", shard_size=1)
        summary = news_etl(input_dir=inp, output_dir=tmp_path / "two", shard_size=1, workers=2)
    assert summary["documents"] == 4
    assert_same_tables(read_tables(tmp_path / "one"), read_tables(tmp_path / "two"))


def test_a_spec_is_warmed_up_by_one_thread_however_often_it_is_asked() -> None:
    from flows.prefect_tasks import load_models, warm_up

    spec = ModelSpec(ner_models=(), detector="langdetect", languages=("de", "fr"), preload=True)
    first = warm_up(spec)
    assert warm_up(spec) is first
    first.join(timeout=120)
    assert not first.is_alive()
    assert f"load_models({spec!r},)" in models.loaded()
    assert load_models(spec).detector("Der Bundestag hat am Dienstag das Gesetz beschlossen.")[0][0] == "de"


def _alternation(n: int) -> str:
    """A long alternation of words, hyphenated and not, like spaCy's French tokenizer exceptions."""
    return "(?iu)" + "|".join(f"(?:^{chr(97 + i % 26)}{i}[-–]mot{i % 7}(?P<g{i}>s)?$)" for i in range(n))


def test_a_precompiled_pattern_is_served_and_matches_as_a_fresh_compile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import re

    pattern = _alternation(400)
    target = models.write_compiled([(pattern, 0), (pattern, 0)], tmp_path / "patterns.marshal")
    monkeypatch.setattr(models, "patterns_file", lambda: target)
    served = models._precompiled.__wrapped__()  # type: ignore[attr-defined]
    assert list(served) == [(pattern, 0)]
    re.purge()
    with monkeypatch.context() as m:
        m.setattr(models, "_precompiled", lambda: served)
        with models.precompiled_patterns():
            inside = re.compile(pattern)
        re.purge()
        outside = re.compile(pattern)
    assert inside is served[(pattern, 0)] and outside is not inside
    assert (inside.pattern, inside.flags, inside.groups, inside.groupindex) == (
        outside.pattern,
        outside.flags,
        outside.groups,
        outside.groupindex,
    )
    words = ["a0-mot0", "A0–mot0s", "b1-mot1", "b1-mot2", "z25-mot4s", "a26-mot5", "a0-mot0x", "", "a0mot0"]
    assert [m and (m.group(0), m.lastgroup) for m in map(inside.match, words)] == [
        m and (m.group(0), m.lastgroup) for m in map(outside.match, words)
    ]
    assert [bool(inside.match(w)) for w in words] == [True, True, True, False, True, True, False, False, False]


def test_compiled_patterns_of_another_interpreter_are_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import marshal

    target = models.write_compiled([(_alternation(20), 0)], tmp_path / "patterns.marshal")
    monkeypatch.setattr(models, "patterns_file", lambda: target)
    body = marshal.loads(target.read_bytes())
    target.write_bytes(marshal.dumps({**body, "key": "3.10.0|20171005|little"}))
    assert models._precompiled.__wrapped__() == {}  # type: ignore[attr-defined]
    target.write_bytes(b"not marshal")
    assert models._precompiled.__wrapped__() == {}  # type: ignore[attr-defined]


def test_setup_leaves_the_french_tokenizer_pattern_compiled() -> None:
    from spacy.lang.fr.tokenizer_exceptions import TOKEN_MATCH

    served = models._precompiled.__wrapped__()  # type: ignore[attr-defined]
    french = TOKEN_MATCH.__self__  # type: ignore[attr-defined]
    assert (french.pattern, 0) in served
    assert len(french.pattern) > 1_000_000


def test_the_cli_process_does_not_import_prefects_server() -> None:
    code = "import sys, flows.news_etl; print(sorted(m for m in sys.modules if m.startswith('prefect.server.api')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    assert out.stdout.strip() == "[]"


def test_the_embedded_server_skips_migrating_a_database_at_a_known_head(tmp_path: Path) -> None:
    import sqlite3

    from flows import embedded

    db = tmp_path / "prefect.db"
    assert embedded._sqlite_database(f"sqlite+aiosqlite:///{db}") == db
    assert embedded._sqlite_database("postgresql+asyncpg://u@h/db") is None
    assert embedded._sqlite_database("sqlite+aiosqlite:///:memory:") is None
    assert not embedded._at_known_head(db)  # no database
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE alembic_version (version_num TEXT)")
        conn.execute("INSERT INTO alembic_version VALUES ('27d8f4e1a6c9')")
    assert not embedded._at_known_head(db)  # no note yet: Prefect migrates
    embedded._mark_head(db)
    assert embedded._at_known_head(db)
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE alembic_version SET version_num = 'abcdef012345'")
    assert not embedded._at_known_head(db)  # another revision since the note
    embedded._mark_head(db)
    note = json.loads((tmp_path / "prefect.db.depeche-head.json").read_text(encoding="utf-8"))
    (tmp_path / "prefect.db.depeche-head.json").write_text(json.dumps({**note, "prefect": "0.0.1"}), encoding="utf-8")
    assert not embedded._at_known_head(db)  # another Prefect version


def test_an_embedded_server_that_exits_is_a_one_line_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from flows import embedded
    from flows.errors import ServerError

    server = embedded.EmbeddedServer()
    popen = subprocess.Popen
    monkeypatch.setattr(subprocess, "Popen", lambda *a, **kw: popen([sys.executable, "-c", "raise SystemExit(7)"]))
    server.spawn()
    with pytest.raises(ServerError, match="exited with code 7 before it answered"):
        server.wait_ready(timeout=30)


@pytest.mark.slow
def test_a_direct_run_with_workers_starts_one_server_and_leaves_none(tmp_path: Path) -> None:
    import psutil

    inp = tmp_path / "in"
    inp.mkdir()
    for i in range(4):
        (inp / f"a{i}.txt").write_bytes((REPO / "seeds" / SEED).read_bytes() + f"\n\nDépêche {i}.".encode())
    home = tmp_path / "prefect-home"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env |= {"PREFECT_HOME": str(home), "PYTHONPATH": str(REPO)}
    argv = ["--input", str(inp), "--output", str(tmp_path / "out"), "--shard-size", "1", "--workers", "2"]
    for _ in range(2):  # the first start migrates the new database, the second skips it
        done = subprocess.run(
            [sys.executable, "-m", "flows.news_etl", *argv],
            env=env,
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode == 0, done.stderr
        assert "files_seen=4 files_processed=" in done.stdout
        # Prefect logs this line when it starts an embedded server of its own: a worker or one of its threads
        # that did not know the run's server.
        assert "Starting temporary server" not in done.stderr
    assert json.loads((home / "prefect.db.depeche-head.json").read_text(encoding="utf-8"))["revision"]
    time.sleep(1)
    left = []
    for p in psutil.process_iter():
        with contextlib.suppress(psutil.Error):
            if p.environ().get("PREFECT_HOME") == str(home):
                left.append(p.cmdline())
    assert left == []


_FORKED_WARM_UP = """
import os, sys
from tasks import models
models.lingua_detector(("de", "fr", "ru"), preload=True)  # lingua's thread pool runs in this process
pid = os.fork()
if pid == 0:
    models.load_latin_lingua_models(("de", "fr"))
    os._exit(0)
_, status = os.waitpid(pid, 0)
print(os.waitstatus_to_exitcode(status))
"""


def test_the_latin_warm_up_is_skipped_in_a_fork_of_a_process_that_preloaded(tmp_path: Path) -> None:
    script = tmp_path / "forked_warm_up.py"
    script.write_text(_FORKED_WARM_UP, encoding="utf-8")
    env = os.environ | {"PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "0", done.stderr


def test_the_server_is_advertised_to_threads_and_children_only_within_the_block(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from prefect.settings import PREFECT_API_URL

    from flows.embedded import EmbeddedServer

    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    before = PREFECT_API_URL.value()  # the session's test server, where another test started it
    server = EmbeddedServer()
    server.port = 41234
    seen: list[str | None] = []
    with server.advertised():
        thread = threading.Thread(target=lambda: seen.append(PREFECT_API_URL.value()))  # no run context there
        thread.start()
        thread.join()
        assert os.environ["PREFECT_API_URL"] == "http://127.0.0.1:41234/api"
    assert seen == ["http://127.0.0.1:41234/api"]
    with pytest.raises(KeyError), server.advertised():
        raise KeyError
    assert "PREFECT_API_URL" not in os.environ and PREFECT_API_URL.value() == before
