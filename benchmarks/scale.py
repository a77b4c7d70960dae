"""Corpus scale: one nightly run of 1,000 real articles against stores of N documents already committed.

`python -m benchmarks.scale [--sizes 10000,100000,1000000] [--out benchmarks/out/scale] [--gold ../shared/data/gold]`

Per N: a store is built as a year of nightly commits would leave it (365 commits of N/365 synthetic documents dated
around their night, realistic row sizes, paragraphs drawn from real text, random keys and signatures), written
through the store's own code (stage_part, the index segment layout, commit with its compaction; no NLP, and the
per-commit `os.sync` skipped while building). A few of the first night's documents get real fingerprints; the
measured run (the real flow, in its own process) reads 1,000 articles resampled as benchmarks/corpus.py does plus
exact and near copies of those old documents, and must flag every one. Printed per N: the run's wall time, the
duplicate step's and the commit's time, peak RSS, bytes per document on disk and in RAM, files per table, the time
of `pd.read_parquet` of one month of entities (after the year of commits, and with the month in one file as a single
commit leaves it), and the planted copies found; then the same figures projected to 10,000,000.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from benchmarks import corpus
from tasks.store.paths import LOCK

ROOT = Path(__file__).resolve().parents[1]
NIGHTS = 365
YEAR = 2024
PARAGRAPHS_PER_DOC = 7
ENTITIES_PER_DOC = 12
DATES_PER_DOC = 3
PLANTED_ORIGINALS = 4  # each gets one exact and one near copy in the measured run
NEW_ARTICLES = 1000
BUILT = ".built.json"  # written last into a finished store: a store without it is rebuilt
NAMES = ["Emmanuel Macron", "Paris", "Bamako", "ONU", "Lyon", "Sergueï Lavrov", "Union européenne", "Dakar", "SNCF"]


def _night_month(night: int) -> str:
    return f"{YEAR}-{1 + min(11, night * 12 // NIGHTS):02d}"


def build_store(out: Path, n: int, pool: list[str], originals: list[list[str]]) -> dict:
    """Commit n synthetic documents in NIGHTS commits; the first night also commits the planted originals."""
    from tasks import store
    from tasks.dedup import NUM_PERM, band_hashes, fingerprint
    from tasks.records import Reject, Run
    from tasks.store import index as idx
    from tasks.store import parquet
    from tasks.store.paths import INDEX, staging_dir
    from tasks.store.schemas import BAND_INDEX, DOC_INDEX, PARAGRAPH_INDEX, REJECTS

    rng = np.random.default_rng(n)
    texts = pa.array(pool, pa.large_string())
    lengths = np.array([len(p) for p in pool])
    real_sync, os.sync = os.sync, lambda: None  # type: ignore[assignment]
    t0 = time.perf_counter()
    try:
        done = 0
        for night in range(NIGHTS):
            count = (n * (night + 1)) // NIGHTS - done
            seq = store.next_sequence(out)
            run_id = f"build{night:03d}"
            ids = np.char.add("s", np.char.zfill((done + np.arange(count)).astype(str), 15)).astype(object)
            tables = _night_tables(rng, ids, texts, lengths, night)
            prints_extra = []
            if night == 0:
                prints_extra = [fingerprint(f"orig{i:011d}", f"old/orig{i}.txt", p) for i, p in enumerate(originals)]
                tables = _with_originals(tables, prints_extra, originals, night)
            part = f"part-build{night:03d}"
            months = tables["documents"]["doc_id"].to_pylist()
            partitions = dict.fromkeys(months, _night_month(night))
            entries = [
                store.ManifestEntry(f"old/{d}.txt", d, "0" * 64, "ok", part, run_id, 2300, 1)
                for d in tables["documents"]["doc_id"].to_pylist()
            ]
            tables["rejects"] = REJECTS.empty_table()
            staged = store.stage_part(out, run_id, part, tables, entries, partitions)
            stage = staging_dir(out, run_id) / INDEX
            order0 = seq << 32
            all_ids = tables["documents"]["doc_id"]
            m = len(all_ids)
            sigs = rng.integers(0, 2**32, size=(m, NUM_PERM), dtype=np.uint32)
            keys = np.char.mod("%016x", rng.integers(0, 2**63, size=m)).astype(object)
            pkeys = np.char.mod("%016x", rng.integers(0, 2**63, size=m * PARAGRAPHS_PER_DOC)).astype(object)
            orders = order0 + np.arange(m, dtype=np.int64)
            sig_list = [s.tobytes() for s in sigs]
            key_list = list(keys)
            para_lists = [list(pkeys[i * PARAGRAPHS_PER_DOC : (i + 1) * PARAGRAPHS_PER_DOC]) for i in range(m)]
            for j, p in enumerate(prints_extra):
                k = m - len(prints_extra) + j
                sig_list[k], key_list[k], para_lists[k] = p.signature, p.doc_key, list(p.paragraph_keys)
                sigs[k] = np.frombuffer(p.signature, "<u4")
            nulls = pa.nulls(m, pa.string())
            docs = pa.table(
                {
                    "doc_id": all_ids,
                    "source": pa.array([f"old/{d}.txt" for d in all_ids.to_pylist()], pa.string()),
                    "doc_key": pa.array(key_list, pa.string()),
                    "signature": pa.array(sig_list, pa.binary()),
                    "paragraph_keys": pa.array(para_lists, pa.list_(pa.string())),
                    "order": orders,
                    "duplicate_of": nulls,
                    "near_duplicate_of": nulls,
                    "near_duplicate_score": pa.nulls(m, pa.float32()),
                },
                schema=DOC_INDEX,
            )
            name = idx.segment_name(seq)
            parquet.write_atomic(docs, stage / idx.DOCUMENTS / name, row_group_size=idx.ROW_GROUP_ROWS[idx.DOCUMENTS])
            bands = band_hashes(sigs).ravel()
            border = np.argsort(bands, kind="stable")
            band_rows = pa.table({"band": bands[border], "order": np.repeat(orders, 32)[border]}, schema=BAND_INDEX)
            parquet.write_atomic(band_rows, stage / idx.BANDS / name, row_group_size=idx.ROW_GROUP_ROWS[idx.BANDS])
            flat = [k for ks in para_lists for k in ks]
            para = pa.table(
                {
                    "key": pa.array(flat, pa.string()),
                    "folder": pa.array(["old"] * len(flat), pa.string()),
                    "doc_key": pa.array(np.repeat(np.array(key_list, object), [len(x) for x in para_lists])),
                    "doc_id": pa.array(np.repeat(all_ids.to_numpy(zero_copy_only=False), [len(x) for x in para_lists])),
                    "paragraph_id": pa.array(np.concatenate([np.arange(len(x)) for x in para_lists]), pa.int32()),
                    "order": np.repeat(orders, [len(x) for x in para_lists]),
                    "duplicate_of": pa.nulls(len(flat), pa.string()),
                    "duplicate_of_paragraph_id": pa.nulls(len(flat), pa.int32()),
                    "boilerplate": pa.array(np.zeros(len(flat), bool)),
                },
                schema=PARAGRAPH_INDEX,
            ).sort_by([("key", "ascending")])
            parquet.write_atomic(para, stage / idx.PARAGRAPHS / name, row_group_size=idx.ROW_GROUP_ROWS[idx.PARAGRAPHS])
            total = done + m
            parquet.write_atomic(
                pa.table({"documents": [total], "duplicates": [0], "near_duplicates": [0]}),
                stage / idx.TOTALS_FILE,
            )
            fields: dict[str, Any] = dict.fromkeys(Run.__dataclass_fields__, 0)
            now = Run(
                **fields
                | {"run_id": run_id, "started_at": _t(), "finished_at": _t(), "full_refresh": False}
                | {"pipeline_version": "build", "language_detector": "lingua"}
                | dict.fromkeys(("files_seen", "files_processed", "files_new", "documents"), m)
            )
            store.commit(
                out,
                run=now,
                staged=[staged],
                remove_sources=(),
                full_refresh=False,
                rejects=store.to_table(list[Reject](), REJECTS),
            )
            done += count
    finally:
        os.sync = real_sync  # type: ignore[assignment]
    real_sync()
    return {"build_seconds": time.perf_counter() - t0}


def _t():  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    return datetime.now(UTC)


def _night_tables(rng, ids, texts: pa.Array, lengths: np.ndarray, night: int) -> dict:  # type: ignore[no-untyped-def]
    from tasks.store.schemas import DATE_MENTIONS, DOCUMENTS, ENTITIES, PARAGRAPHS

    m = len(ids)
    picks = rng.integers(0, len(texts), size=(m, PARAGRAPHS_PER_DOC))
    paragraph_texts = texts.take(pa.array(picks.ravel()))
    plen = lengths[picks]
    starts = np.concatenate([np.zeros((m, 1), int), np.cumsum(plen + 2, axis=1)[:, :-1]], axis=1)
    doc_ids = pa.array(ids, pa.string())
    joined = [
        "\n\n".join(paragraph_texts[i * PARAGRAPHS_PER_DOC : (i + 1) * PARAGRAPHS_PER_DOC].to_pylist())
        for i in range(m)
    ]
    day = f"{_night_month(night)}-{1 + night % 28:02d}"
    n_chars = np.array([len(t) for t in joined])
    documents = pa.table(
        {
            "doc_id": doc_ids,
            "source": pa.array([f"old/{d}.txt" for d in ids], pa.string()),
            "content_sha256": pa.array(["0" * 64] * m),
            "language": pa.array(["fr"] * m),
            "language_score": pa.array(np.full(m, 0.99, np.float32)),
            "title": pa.array([t[:60] for t in paragraph_texts[::PARAGRAPHS_PER_DOC].to_pylist()]),
            "date": pa.array([day] * m),
            "date_precision": pa.array(["day"] * m),
            "date_source": pa.array(["header"] * m),
            "header_date": pa.array([day] * m),
            "n_paragraphs": pa.array(np.full(m, PARAGRAPHS_PER_DOC, np.int32)),
            "n_chars": pa.array(n_chars),
            "encoding": pa.array(["utf-8"] * m),
            "text": pa.array(joined, pa.large_string()),
            "duplicate_of": pa.nulls(m, pa.string()),
            "near_duplicate_of": pa.nulls(m, pa.string()),
            "near_duplicate_score": pa.nulls(m, pa.float32()),
        },
        schema=DOCUMENTS,
    )
    k = m * PARAGRAPHS_PER_DOC
    pid = np.tile(np.arange(PARAGRAPHS_PER_DOC, dtype=np.int32), m)
    paragraphs = pa.table(
        {
            "doc_id": doc_ids.take(pa.array(np.repeat(np.arange(m), PARAGRAPHS_PER_DOC))),
            "paragraph_id": pid,
            "kind": pa.array(np.where(pid == 0, "title", "body").astype(object)),
            "start": pa.array(starts.ravel().astype(np.int32)),
            "end": pa.array((starts + plen).ravel().astype(np.int32)),
            "text": paragraph_texts,
            "language": pa.array(["fr"] * k),
            "language_score": pa.array(np.full(k, 0.99, np.float32)),
            "duplicate_of": pa.nulls(k, pa.string()),
            "duplicate_of_paragraph_id": pa.nulls(k, pa.int32()),
            "boilerplate": pa.array(np.zeros(k, bool)),
        },
        schema=PARAGRAPHS,
    )

    def mentions(per_doc: int, schema: pa.Schema, extra: dict) -> pa.Table:
        q = m * per_doc
        s = rng.integers(0, 300, size=q).astype(np.int32)
        return pa.table(
            {
                "doc_id": doc_ids.take(pa.array(np.repeat(np.arange(m), per_doc))),
                "paragraph_id": pa.array(rng.integers(0, PARAGRAPHS_PER_DOC, size=q).astype(np.int32)),
                "start": s,
                "end": s + 8,
                **{c: f(q) for c, f in extra.items()},
            },
            schema=schema,
        )

    names = np.array(NAMES, object)
    labels = np.array(["PER", "LOC", "ORG"], object)
    entities = mentions(
        ENTITIES_PER_DOC,
        ENTITIES,
        {
            "text": lambda q: pa.array(names[rng.integers(0, len(names), q)]),
            "label": lambda q: pa.array(labels[rng.integers(0, 3, q)]),
            "norm": lambda q: pa.array(names[rng.integers(0, len(names), q)]),
        },
    )
    date_mentions = mentions(
        DATES_PER_DOC,
        DATE_MENTIONS,
        {
            "text": lambda q: pa.array([day] * q),
            "value": lambda q: pa.array([day] * q),
            "precision": lambda q: pa.array(["day"] * q),
            "relative": lambda q: pa.array(np.zeros(q, bool)),
        },
    )
    tables = {"documents": documents, "paragraphs": paragraphs, "entities": entities, "date_mentions": date_mentions}
    return tables


def _with_originals(tables: dict, prints: list, originals: list[list[str]], night: int) -> dict:
    """The night's tables with the planted originals' documents and paragraphs appended (real text)."""
    from tasks.store.schemas import DOCUMENTS, PARAGRAPHS

    day = f"{_night_month(night)}-01"
    docs, paras = [], []
    for p, text in zip(prints, originals, strict=True):
        joined = "\n\n".join(text)
        docs.append(
            {
                "doc_id": p.doc_id,
                "source": p.source,
                "content_sha256": "0" * 64,
                "language": "fr",
                "language_score": 0.99,
                "title": text[0][:60],
                "date": day,
                "date_precision": "day",
                "date_source": "header",
                "header_date": day,
                "n_paragraphs": len(text),
                "n_chars": len(joined),
                "encoding": "utf-8",
                "text": joined,
                "duplicate_of": None,
                "near_duplicate_of": None,
                "near_duplicate_score": None,
            }
        )
        start = 0
        for i, t in enumerate(text):
            paras.append(
                {
                    "doc_id": p.doc_id,
                    "paragraph_id": i,
                    "kind": "body",
                    "start": start,
                    "end": start + len(t),
                    "text": t,
                    "language": "fr",
                    "language_score": 0.99,
                    "duplicate_of": None,
                    "duplicate_of_paragraph_id": None,
                    "boilerplate": False,
                }
            )
            start += len(t) + 2
    tables["documents"] = pa.concat_tables([tables["documents"], pa.Table.from_pylist(docs, schema=DOCUMENTS)])
    tables["paragraphs"] = pa.concat_tables([tables["paragraphs"], pa.Table.from_pylist(paras, schema=PARAGRAPHS)])
    return tables


def cleaned(paragraphs: tuple[str, ...]) -> list[str]:
    """The paragraphs as the pipeline reads them (repair, header, segmentation), so fingerprints compare."""
    from tasks.clean import clean_text
    from tasks.read import split_header
    from tasks.segment import split_paragraphs

    body = split_header(clean_text(" date 2024-01-01 " + "\n\n".join(paragraphs))).body
    return [segment.text for segment in split_paragraphs(body)]


def planted_copies(originals: list[list[str]]) -> dict[str, tuple[str, str]]:
    """file name -> (text, doc_id of the original) for one exact and one near copy of each original."""
    out = {}
    for i, text in enumerate(originals):
        exact = "\n\n".join(p.upper() for p in text)
        near = "\n\n".join(["Une autre version du titre de cette dépêche", *text[1:]])
        out[f"planted/exact{i}.txt"] = (exact, f"orig{i:011d}")
        out[f"planted/near{i}.txt"] = (near, f"orig{i:011d}")
    return out


def child(a: argparse.Namespace) -> None:
    """The measured nightly run, alone in this process: timings of its steps, peak RSS, the planted copies."""
    import pandas as pd
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    from flows import news_etl as flow_module
    from flows import prefect_tasks
    from tasks.pipeline import doc_id_for

    seconds: dict[str, float] = {}

    def timed(name: str, fn):  # type: ignore[no-untyped-def]
        def wrapper(*args, **kwargs):  # type: ignore[no-untyped-def]
            t = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                seconds[name] = time.perf_counter() - t

        return wrapper

    prefect_tasks.resolve_duplicates.fn = timed("duplicates", prefect_tasks.resolve_duplicates.fn)
    prefect_tasks.commit_run.fn = timed("commit", prefect_tasks.commit_run.fn)
    out, inp = Path(a.output), Path(a.input)
    with temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        (inp / "empty").mkdir(exist_ok=True)
        flow_module.news_etl(input_dir=inp / "empty", output_dir=out)  # starts Prefect's server; reads nothing
        t = time.perf_counter()
        summary = flow_module.news_etl(input_dir=inp / "night", output_dir=out)
        wall = time.perf_counter() - t
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    planted = json.loads(a.planted)
    docs = pd.read_parquet(out / "documents", columns=["doc_id", "duplicate_of", "near_duplicate_of"])
    docs = docs[docs.doc_id.isin([doc_id_for(s) for s in planted])].set_index("doc_id")
    found = sum(
        doc_id_for(s) in docs.index
        and original in (docs.loc[doc_id_for(s), "duplicate_of"], docs.loc[doc_id_for(s), "near_duplicate_of"])
        for s, original in planted.items()
    )
    print(json.dumps({"wall": wall, **seconds, "rss": rss, "found": found, "summary": summary}))


def read_month(table: Path, month: str) -> float:
    import pandas as pd

    best = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        pd.read_parquet(table, filters=[("month", "=", month)])
        best = min(best, time.perf_counter() - t)
    return best


def one_file_per_month(table: Path, dest: Path) -> None:
    """The table as one commit leaves it after its compaction: one file per month partition."""
    import pyarrow.dataset as ds

    shutil.rmtree(dest, ignore_errors=True)
    data = ds.dataset(table, format="parquet", partitioning="hive").to_table()
    ds.write_dataset(
        data,
        dest,
        format="parquet",
        partitioning=["month"],
        partitioning_flavor="hive",
        existing_data_behavior="overwrite_or_ignore",
        max_rows_per_file=10**9,
    )


def du(path: Path) -> int:
    seen, total = set(), 0
    for f in path.rglob("*"):
        st = f.lstat()
        if f.is_file() and st.st_ino not in seen:
            seen.add(st.st_ino)
            total += st.st_size
    return total


def ensure_built(base: Path, n: int, pool: list[str], originals: list[list[str]]) -> None:
    """A finished store of n documents at base: the one there if it has its BUILT mark, else a new build."""
    if (base / BUILT).is_file():
        return
    shutil.rmtree(base, ignore_errors=True)
    built = build_store(base, n, pool, originals)
    (base / BUILT).write_text(json.dumps(built))
    print(f"[{n}] store built in {built['build_seconds']:.1f} s", flush=True)


def measure(n: int, a: argparse.Namespace, pool: list[str], originals: list[list[str]], night: Path) -> dict:
    out = Path(a.out) / f"store-{n}"
    shutil.rmtree(out, ignore_errors=True)
    base = Path(a.stores) / f"store-{n}" if a.stores else out
    ensure_built(base, n, pool, originals)
    if base != out:
        # The measured run commits into a copy, so that the built store stays as a year of commits left it. A copy of
        # hard links: the store never writes into a file it has published (every write is a new file renamed into
        # place) except the lock file, which the copy gets of its own. A byte copy would fill the page cache with
        # gigabytes at 1M documents and evict the model files the run then reads again from disk.
        t = time.perf_counter()
        subprocess.run(["cp", "-al", str(base), str(out)], check=True)
        lock = out / LOCK
        lock.unlink(missing_ok=True)
        print(f"[{n}] store linked from {base} in {time.perf_counter() - t:.1f} s", flush=True)
    planted = {s: o for s, (_, o) in planted_copies(originals).items()}
    env = os.environ | {"PYTHONPATH": str(ROOT), "PREFECT_HOME": str(Path(a.out) / "prefect-home")}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.scale",
            "--child",
            "--input",
            str(night.parent),
            "--output",
            str(out),
            "--planted",
            json.dumps({s.removeprefix("night/"): o for s, o in planted.items()}),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    snap = (out / ".current").resolve()
    month = _night_month(NIGHTS // 2)
    single = Path(a.out) / f"one-commit-{n}"
    one_file_per_month(snap / "entities", single)
    result |= {
        "n": n,
        "disk_per_doc": du(snap) / (n + NEW_ARTICLES),
        "files": {t: sum(1 for _ in (snap / t).rglob("*.parquet")) for t in ("documents", "paragraphs", "entities")},
        "index_files": sum(1 for _ in (snap / "_index").rglob("*.parquet")),
        "read_year": read_month(snap / "entities", month),
        "read_one": read_month(single, month),
        "planted": len(planted),
    }
    shutil.rmtree(single, ignore_errors=True)
    if not a.keep:
        shutil.rmtree(out, ignore_errors=True)
    print(f"[{n}] {json.dumps(result)}", flush=True)
    return result


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.scale", description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="10000,100000,1000000")
    p.add_argument("--out", default=str(ROOT / "benchmarks" / "out" / "scale"))
    p.add_argument("--gold", default="../shared/data/gold", help="the gold sets, whose inputs are the text pool")
    p.add_argument("--keep", action="store_true", help="keep the measured stores")
    p.add_argument(
        "--stores",
        help="keep each built store under this folder and reuse it in later invocations (building takes the longest)",
    )
    p.add_argument("--build-only", action="store_true", help="with --stores: build the stores, measure nothing")
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--input", help=argparse.SUPPRESS)
    p.add_argument("--output", help=argparse.SUPPRESS)
    p.add_argument("--planted", help=argparse.SUPPRESS)
    a = p.parse_args(argv)
    if a.child:
        child(a)
        return 0
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    gold = Path(a.gold)
    if not gold.is_dir():
        raise SystemExit(f"error: --gold {gold} is not a folder: the benchmark needs the gold inputs as its text pool")
    roots = corpus.gold_roots(gold, ROOT / "seeds")
    pool_sources = corpus.load_pool(roots)
    french = [s for s in pool_sources.french if len(s.paragraphs) >= 6]
    pool = sorted({p for s in [*pool_sources.french, *pool_sources.other] for p in s.paragraphs})
    originals = [cleaned(s.paragraphs[:6]) for s in french[:PLANTED_ORIGINALS]]
    inputs = out / "input"
    shutil.rmtree(inputs, ignore_errors=True)
    corpus.build(inputs / "night", NEW_ARTICLES, seed=7, gold=gold, seeds=ROOT / "seeds")
    (inputs / "night" / corpus.MANIFEST).unlink(missing_ok=True)
    for name, (text, _) in planted_copies(originals).items():
        (inputs / "night" / name).parent.mkdir(parents=True, exist_ok=True)
        (inputs / "night" / name).write_text(" date 2024-06-01 " + text)
    if a.build_only:
        if not a.stores:
            raise SystemExit("error: --build-only needs --stores")
        for s in a.sizes.split(","):
            ensure_built(Path(a.stores) / f"store-{int(s)}", int(s), pool, originals)
        return 0
    load = os.getloadavg()
    print(f"load average at start: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} cores", flush=True)
    sizes = [int(s) for s in a.sizes.split(",")]
    # Unmeasured: the first run of an invocation pays a cold page cache for the libraries and models, which would
    # make the smallest store look slower than it is and flatter every ratio against it.
    print(f"[{sizes[0]}] warm-up run, not measured", flush=True)
    measure(sizes[0], a, pool, originals, inputs / "night")
    results = [measure(n, a, pool, originals, inputs / "night") for n in sizes]
    print(report(results))
    return 0


def report(results: list[dict]) -> str:
    planted = results[0]["planted"]
    lines = [
        "| N | wall s | duplicates s | commit s | peak RSS MB | disk KB/doc | files docs/paras/ents | index files |"
        " read month year ms | read month one commit ms | planted found |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        f = r["files"]
        lines.append(
            f"| {r['n']:,} | {r['wall']:.1f} | {r['duplicates']:.2f} | {r['commit']:.2f} | {r['rss'] / 2**20:,.0f} |"
            f" {r['disk_per_doc'] / 1024:.2f} | {f['documents']}/{f['paragraphs']}/{f['entities']} |"
            f" {r['index_files']} | {1e3 * r['read_year']:.1f} | {1e3 * r['read_one']:.1f} | {r['found']}/{planted} |"
        )
    if len(results) >= 2:
        lo, hi = results[-2], results[-1]
        span = hi["n"] - lo["n"]

        def at(key: str, n: int) -> float:
            # A cost never falls with N: a negative slope is load noise between the two runs, projected as flat.
            slope = max(0.0, (hi[key] - lo[key]) / span)
            return hi[key] + slope * (n - hi["n"])

        per_doc_ram = (hi["rss"] - lo["rss"]) / span
        lines.append(
            f"| 10,000,000 (projected) | {at('wall', 10**7):.1f} | {at('duplicates', 10**7):.2f} |"
            f" {at('commit', 10**7):.2f} | {at('rss', 10**7) / 2**20:,.0f} | {hi['disk_per_doc'] / 1024:.2f} | | |"
            f" {1e3 * at('read_year', 10**7):.1f} | {1e3 * at('read_one', 10**7):.1f} | |"
        )
        lines.append(f"\nRAM per document (marginal, {lo['n']:,} to {hi['n']:,}): {per_doc_ram:.1f} bytes")
    base = results[0]
    top = next((r for r in results if r["n"] == 1_000_000), results[-1])
    found = min(r["found"] for r in results)
    read_ratio = top["read_year"] / top["read_one"]
    lines.append(
        f"scale: wall {top['wall'] / base['wall']:.2f}, rss {top['rss'] / base['rss']:.2f}, read {read_ratio:.2f},"
        f" planted {found}/{planted}"
    )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
