from __future__ import annotations

import gzip
import hashlib
import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tasks import store
from tasks.records import Document, Paragraph, Reject, Run
from tasks.store.parquet import conform
from tasks.store.schemas import DOCUMENTS, PARAGRAPHS, REJECTS, SCHEMA_VERSION

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def doc(doc_id: str, text: str, date: str | None = None) -> Document:
    return Document(
        doc_id, f"{doc_id}.txt", "sha-" + text, "fr", 0.9, None, date, None, None, None, 1, len(text), "utf-8", text
    )


def run_record(run_id: str, *, full_refresh: bool = False) -> Run:
    return Run(run_id, T0, T0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, full_refresh, "test", "lingua", 0)


def stage(out: Path, run_id: str, part: str, docs: list[Document]) -> store.StagedPart:
    tables = {
        "documents": store.to_table(docs, DOCUMENTS),
        "paragraphs": store.to_table(
            [Paragraph(d.doc_id, 0, "body", 0, len(d.text), d.text, "fr", 0.9) for d in docs], PARAGRAPHS
        ),
        "rejects": store.to_table([Reject(run_id, "bad.txt", "binary", "NUL bytes", "skipped")], REJECTS),
    }
    manifest = [store.ManifestEntry(d.source, d.doc_id, d.content_sha256, "ok", part, run_id) for d in docs]
    return store.stage_part(out, run_id, part, tables, manifest, {d.doc_id: store.partition_of(d.date) for d in docs})


def commit(out: Path, run_id: str, parts: list[store.StagedPart], *, remove=(), full_refresh=False) -> Path:
    return store.commit(
        out,
        run=run_record(run_id, full_refresh=full_refresh),
        staged=parts,
        remove_sources=remove,
        full_refresh=full_refresh,
        rejects=store.to_table([], REJECTS),
    )


def texts(out: Path) -> dict[str, str]:
    df = pd.read_parquet(out / "documents")
    return dict(zip(df["doc_id"], df["text"], strict=True))


def test_commit_replace_prune_and_full_refresh(tmp_path: Path) -> None:
    out = tmp_path / "out"
    parts = [stage(out, "r1", "p1", [doc("a", "A1"), doc("b", "B1")]), stage(out, "r1", "p2", [doc("c", "C1")])]
    commit(out, "r1", parts)
    assert texts(out) == {"a": "A1", "b": "B1", "c": "C1"}
    assert len(pd.read_parquet(out / "paragraphs")) == 3

    # A changed file replaces its rows in every table; its neighbours in the same part stay.
    commit(out, "r2", [stage(out, "r2", "p3", [doc("b", "B2")])])
    assert texts(out) == {"a": "A1", "b": "B2", "c": "C1"}
    paragraphs = pd.read_parquet(out / "paragraphs")
    assert sorted(paragraphs["text"]) == ["A1", "B2", "C1"]
    assert sorted(store.read_manifest(out)) == ["a.txt", "b.txt", "c.txt"]
    assert store.read_manifest(out)["b.txt"].part == "p3"
    # p1 lost b's rows: rewritten under a new name, so no file name ever changes content.
    assert store.read_manifest(out)["a.txt"].part == "p1~00000002"
    assert sorted(f.name for f in (out / "documents").rglob("*.parquet")) == [
        "p1~00000002.parquet",
        "p2.parquet",
        "p3.parquet",
    ]

    commit(out, "r3", [], remove=["c.txt"])
    assert texts(out) == {"a": "A1", "b": "B2"}
    assert len(pd.read_parquet(out / "runs")) == 3
    # The log keeps every run's rejects: one per staged part in r1 (two parts) and r2.
    assert list(pd.read_parquet(out / "rejects")["run_id"]) == ["r1", "r1", "r2"]

    commit(out, "r4", [stage(out, "r4", "p9", [doc("z", "Z")])], full_refresh=True)
    assert texts(out) == {"z": "Z"}
    assert list(pd.read_parquet(out / "runs")["run_id"]) == ["r1", "r2", "r3", "r4"]
    # The current snapshot and its three predecessors are kept (the default retention); staging is gone.
    assert len(list((out / ".snapshots").iterdir())) == 4
    assert not (out / ".staging" / "r4").exists()


def test_files_carry_versions_in_their_metadata(tmp_path: Path) -> None:
    out = tmp_path / "out"
    commit(out, "r1", [stage(out, "r1", "p1", [doc("a", "A")])])
    meta = pq.read_schema(next((out / "documents").rglob("*.parquet"))).metadata
    assert meta[b"depeche.schema_version"] == SCHEMA_VERSION.encode()


def test_incompatible_tables_need_full_refresh(tmp_path: Path) -> None:
    out = tmp_path / "out"
    commit(out, "r1", [stage(out, "r1", "p1", [doc("a", "A")])])
    info = out / ".current" / "_depeche.json"
    info.write_text(json.dumps({**json.loads(info.read_text()), "schema_version": "0"}))
    with pytest.raises(store.StoreError, match="full refresh"):
        store.check_compatible(out, full_refresh=False)
    store.check_compatible(out, full_refresh=True)


def test_full_refresh_gives_older_log_files_the_new_columns(tmp_path: Path) -> None:
    out = tmp_path / "out"
    commit(out, "r1", [stage(out, "r1", "p1", [doc("a", "A")])])
    # Turn the store into one of an older version, whose runs had no `language_detector` yet.
    old_run = out / ".current" / "runs" / "r1.parquet"
    pq.write_table(pq.read_table(old_run).drop_columns(["language_detector"]), old_run)
    info = out / ".current" / "_depeche.json"
    info.write_text(json.dumps({**json.loads(info.read_text()), "schema_version": "4"}))
    rejects_before = sorted(f.name for f in (out / "rejects").rglob("*.parquet"))

    commit(out, "r2", [stage(out, "r2", "p2", [doc("b", "B")])], full_refresh=True)
    runs = pd.read_parquet(out / "runs")
    # pandas takes a folder's columns from its first file, the old run's: without the rewrite the column is gone.
    assert list(runs["run_id"]) == ["r1", "r2"]
    assert runs["language_detector"].isna().tolist() == [True, False]
    assert runs["language_detector"].iloc[1] == "lingua"
    assert sorted(f.name for f in (out / "runs").glob("*.parquet")) == ["r1~00000002.parquet", "r2.parquet"]
    # Log files already of this version are linked as they are.
    assert set(rejects_before) <= {f.name for f in (out / "rejects").rglob("*.parquet")}


def test_conform_adds_missing_columns_as_nulls_and_keeps_the_others() -> None:
    schema = pa.schema([pa.field("run_id", pa.string(), nullable=False), pa.field("n", pa.int64(), nullable=False)])
    old = pa.table({"gone": ["x"], "run_id": ["r1"]})
    conformed = conform(old, schema)
    assert conformed.column_names == ["run_id", "n", "gone"]
    assert conformed.to_pylist() == [{"run_id": "r1", "n": None, "gone": "x"}]
    assert conformed.schema.field("n").nullable and not conformed.schema.field("run_id").nullable


def test_foreign_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "documents").mkdir()
    with pytest.raises(store.StoreError, match="not managed by depeche"):
        store.check_compatible(tmp_path, full_refresh=False)


def test_recover_removes_leftovers_of_a_killed_run(tmp_path: Path) -> None:
    out = tmp_path / "out"
    commit(out, "r1", [stage(out, "r1", "p1", [doc("a", "A")])])
    stage(out, "r2", "p2", [doc("b", "B")])
    (out / ".snapshots" / "99999999-r2").mkdir()
    removed = store.recover(out)
    assert sorted(removed) == [".snapshots/99999999-r2", ".staging/r2"]
    assert texts(out) == {"a": "A"}


def test_second_run_on_the_same_output_is_refused(tmp_path: Path) -> None:
    with store.locked(tmp_path, run_id="first"):
        with pytest.raises(store.StoreError, match=r"in use by another run \(run first, pid"):
            with store.locked(tmp_path, run_id="second"):
                pass
    with store.locked(tmp_path, run_id="third"):
        pass


def test_listing_is_recursive_sorted_and_counts_what_it_leaves_out(tmp_path: Path) -> None:
    (tmp_path / "b" / "c").mkdir(parents=True)
    (tmp_path / ".git" / "objects").mkdir(parents=True)
    names = ["z.txt", "b/y.TXT", "b/c/x.txt", "b/c/w.txt.gz", "b/notes.md", "b/a.html", "b/c/d.HTML", "README"]
    names += ["b/.y.txt.x7Gq2", ".DS_Store", ".git/objects/1.txt", "b/c/old.gz", "b/doc.pdf", "b/c/Makefile"]
    for name in names:
        (tmp_path / name).write_text("x")
    (tmp_path / "b" / "loop").symlink_to(tmp_path, target_is_directory=True)
    listing = store.list_sources(tmp_path)
    assert listing.sources == ["b/c/w.txt.gz", "b/c/x.txt", "b/y.TXT", "z.txt"]
    assert listing.problems == []
    assert listing.ignored == {
        "(hidden)": 3,  # .git (not walked into), .DS_Store, b/.y.txt.x7Gq2
        "(none)": 2,
        "(symlinked folder)": 1,
        ".gz": 1,
        ".html": 2,
        ".md": 1,
        ".pdf": 1,
    }
    assert listing.files_ignored == 11


def gz(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


def test_gzip_articles_are_read_decompressed_and_hashed_as_files(tmp_path: Path) -> None:
    text = "Le maire de Lyon a parlé.".encode()
    (tmp_path / "a.txt.gz").write_bytes(gz(text))
    # Two members, as `cat a.gz b.gz` makes: one article.
    (tmp_path / "two.txt.gz").write_bytes(gz(b"Premier. ") + gz(b"Second."))
    got = store.read_source(tmp_path, "a.txt.gz", max_bytes=100)
    assert (got.source, got.data) == ("a.txt.gz", text)
    assert got.content_sha256 == hashlib.sha256((tmp_path / "a.txt.gz").read_bytes()).hexdigest()
    assert got.content_sha256 == store.hash_sources(tmp_path, ["a.txt.gz"])["a.txt.gz"]
    assert store.read_source(tmp_path, "two.txt.gz", max_bytes=100).data == b"Premier. Second."


@pytest.mark.timeout(30)
def test_gzip_bombs_and_corrupt_gzip_are_refused_with_their_reason(tmp_path: Path) -> None:
    # 1 GB of zeros compresses to about 1 MB; the limit applies to what it decompresses to.
    with gzip.open(tmp_path / "bomb.txt.gz", "wb", compresslevel=9) as fh:
        block = b"\0" * (1 << 20)
        for _ in range(1024):
            fh.write(block)
    whole = gz("Un article complet, assez long pour être tronqué.".encode())
    (tmp_path / "truncated.txt.gz").write_bytes(whole[: len(whole) // 2])
    (tmp_path / "notgzip.txt.gz").write_bytes(b"Un article en clair, mal nomm\xe9.")
    (tmp_path / "crc.txt.gz").write_bytes(whole[:-8] + b"\0\0\0\0" + whole[-4:])
    (tmp_path / "hollow.txt.gz").write_bytes(gz(b""))
    expected = {
        "bomb.txt.gz": ("too_large", "decompresses to over 10000000 bytes"),
        "truncated.txt.gz": ("corrupt_gzip", "not a readable gzip file"),
        "notgzip.txt.gz": ("corrupt_gzip", "Not a gzipped file"),
        "crc.txt.gz": ("corrupt_gzip", "CRC check failed"),
        "hollow.txt.gz": ("empty", "decompresses to 0 bytes"),
    }
    for source, (reason, fragment) in expected.items():
        with pytest.raises(store.Rejected) as exc:
            store.read_source(tmp_path, source, max_bytes=10_000_000)
        assert exc.value.reason == reason and fragment in exc.value.message, (source, exc.value)


def test_read_source_reasons(tmp_path: Path) -> None:
    (tmp_path / "big.txt").write_bytes(b"x" * 11)
    (tmp_path / "dir.txt").mkdir()
    for source, reason in [("big.txt", "too_large"), ("gone.txt", "vanished"), ("dir.txt", "not_a_file")]:
        with pytest.raises(store.Rejected) as exc:
            store.read_source(tmp_path, source, max_bytes=10)
        assert exc.value.reason == reason


def test_document_tables_are_partitioned_by_month(tmp_path: Path) -> None:
    out = tmp_path / "out"
    docs = [doc("a", "A", "2023-03-07"), doc("b", "B", "2023-02"), doc("c", "C", "2021"), doc("d", "D")]
    commit(out, "r1", [stage(out, "r1", "p1", docs)])
    assert sorted(p.name for p in (out / "paragraphs").iterdir()) == [
        "month=2021",
        "month=2023-02",
        "month=2023-03",
        "month=undated",
    ]
    march = pd.read_parquet(out / "paragraphs", filters=[("month", "=", "2023-03")])
    assert list(march["doc_id"]) == ["a"]
    everything = pd.read_parquet(out / "documents")
    assert sorted(zip(everything["doc_id"], everything["month"].astype(str), strict=True)) == [
        ("a", "2023-03"),
        ("b", "2023-02"),
        ("c", "2021"),
        ("d", "undated"),
    ]
    # Replacing a document that moved to another month leaves no copy in the old one.
    commit(out, "r2", [stage(out, "r2", "p2", [doc("a", "A2", "2023-04-01")])])
    df = pd.read_parquet(out / "documents")
    assert sorted(zip(df["doc_id"], df["text"], df["month"].astype(str), strict=True)) == [
        ("a", "A2", "2023-04"),
        ("b", "B", "2023-02"),
        ("c", "C", "2021"),
        ("d", "D", "undated"),
    ]


def test_empty_tables_stay_readable_with_their_columns(tmp_path: Path) -> None:
    out = tmp_path / "out"
    commit(out, "r1", [])
    assert list(pd.read_parquet(out / "entities").columns) == [
        "doc_id",
        "paragraph_id",
        "start",
        "end",
        "text",
        "label",
        "norm",
        "month",
    ]
    assert len(pd.read_parquet(out / "rejects")) == 0
    commit(out, "r2", [stage(out, "r2", "p1", [doc("a", "A")])])
    assert len(pd.read_parquet(out / "documents")) == 1


@pytest.mark.timeout(20)
def test_fifos_and_symlinks_out_of_the_input_are_refused_without_hanging(tmp_path: Path) -> None:
    inp = tmp_path / "in"
    inp.mkdir()
    os.mkfifo(inp / "pipe.txt")
    (tmp_path / "secret.txt").write_text("not for the tables")
    (inp / "leak.txt").symlink_to(tmp_path / "secret.txt")
    (inp / "real.txt").write_text("Un article.")
    (inp / "alias.txt").symlink_to(inp / "real.txt")
    sources = store.list_sources(inp).sources
    assert sources == ["alias.txt", "leak.txt", "pipe.txt", "real.txt"]
    hashes = store.hash_sources(inp, sources)
    assert hashes["pipe.txt"] == "" and hashes["leak.txt"] == "" and hashes["alias.txt"] == hashes["real.txt"] != ""
    for source, reason in [("pipe.txt", "not_a_file"), ("leak.txt", "outside_input")]:
        with pytest.raises(store.Rejected) as exc:
            store.read_source(inp, source, max_bytes=100)
        assert exc.value.reason == reason
    assert store.read_source(inp, "alias.txt", max_bytes=100).data == b"Un article."


def test_compaction_merges_small_files_of_a_partition_and_keeps_the_previous_snapshot_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tasks.store import snapshot

    monkeypatch.setattr(snapshot, "MAX_SMALL_FILES", 2)
    out = tmp_path / "out"
    for i in range(3):
        commit(out, f"r{i}", [stage(out, f"r{i}", f"p{i}", [doc(f"d{i}", f"T{i}", "2024-05-02")])])
    files = sorted(f.name for f in (out / "documents" / "month=2024-05").glob("*.parquet"))
    # The third file passed the bound: the three were merged, in every document table, rows sorted by doc_id.
    assert files == ["c00000003-2024-05.parquet"]
    assert sorted(f.name for f in (out / "paragraphs" / "month=2024-05").glob("*.parquet")) == files
    assert pq.read_table(out / "documents" / "month=2024-05" / files[0])["doc_id"].to_pylist() == ["d0", "d1", "d2"]
    assert {e.part for e in store.read_manifest(out).values()} == {"c00000003-2024-05"}
    previous = out / ".snapshots" / json.loads((out / ".current" / "_depeche.json").read_text())["previous"]
    assert len(pd.read_parquet(previous / "documents")) == 2  # readers of the previous snapshot lose nothing
    # A document of the merged file is replaced: the merged file is rewritten under a new name, like any part.
    commit(out, "r3", [stage(out, "r3", "p3", [doc("d1", "T1 bis", "2024-05-02")])])
    assert texts(out) == {"d0": "T0", "d1": "T1 bis", "d2": "T2"}
    assert store.read_manifest(out)["d0.txt"].part == "c00000003-2024-05~00000004"
    assert len(pd.read_parquet(out / "paragraphs")) == 3


def test_compaction_merges_one_size_tier_at_a_time() -> None:
    from tasks.store.snapshot import MAX_SMALL_FILES, size_tier, to_merge

    mb = 1024 * 1024
    assert [size_tier(s) for s in (0, mb - 1, mb, 8 * mb - 1, 8 * mb, 64 * mb)] == [0, 0, 1, 1, 2, 3]
    assert MAX_SMALL_FILES == 8
    nights = {f"n{i}": 20_000 for i in range(9)}  # nine small nightly files: one more than the bound
    # A month grown to 100 MB stays as it is: only the small files of its tier are merged, never the big one.
    assert to_merge(nights | {"big": 100 * mb}, 128 * mb) == [sorted(nights)]
    assert to_merge(dict(list(nights.items())[:8]) | {"big": 100 * mb}, 128 * mb) == []
    mid = {f"m{i}": 2 * mb for i in range(9)}
    assert to_merge(nights | mid | {"huge": 200 * mb}, 128 * mb) == [sorted(nights), sorted(mid)]


def test_index_probes_read_only_row_groups_that_may_hold_a_value(tmp_path: Path) -> None:
    import pyarrow as pa

    from tasks.store import index

    path = tmp_path / "bands.parquet"
    bands = pa.array(range(0, 40_000, 2), pa.uint64())  # sorted, as a bands segment is
    pq.write_table(pa.table({"band": bands, "order": pa.array(range(20_000), pa.int64())}), path, row_group_size=1000)
    probes = pa.array([4, 5, 39_998, 2**64 - 1], pa.uint64())
    found = index._matching(path, "band", probes)
    assert found is not None and found.to_pydict() == {"band": [4, 39_998], "order": [2, 19_999]}
    assert index._matching(path, "band", pa.array([5, 7], pa.uint64())) is None
    read: list[int] = []
    real = pq.ParquetFile.read_row_group

    def counting(self, i, *args, **kwargs):  # type: ignore[no-untyped-def]
        read.append(i)
        return real(self, i, *args, **kwargs)

    pq.ParquetFile.read_row_group = counting  # type: ignore[method-assign]
    try:
        index._matching(path, "band", probes)
    finally:
        pq.ParquetFile.read_row_group = real  # type: ignore[method-assign]
    assert sorted(set(read)) == [0, 19]  # the groups whose min/max range holds a probe; 18 others unread


def test_gone_counts_without_naming_each_file(tmp_path: Path) -> None:
    out = tmp_path / "out"
    commit(out, "r0", [stage(out, "r0", "p0", [doc("a", "A", "2024-05-02"), doc("b", "B", "2024-05-03")])])
    assert store.gone_statuses(out, {"a.txt"}) == ({"b.txt": "ok"}, 1, 2)
    assert store.gone_statuses(out, {"a.txt"}, statuses=False) == ({}, 1, 2)
