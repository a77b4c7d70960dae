"""Throughput benchmark: the flow (1 and 2 workers), the bare reference and NER alone; then the real CLI end to end.

`python -m benchmarks.bench [--articles 2000] [--workers 1,2] [--sizes 1000,5000,20000] [--e2e-articles 1500]
[--skip-steady] [--skip-e2e]` (`make bench`).

Steady section: each measurement runs in its own process, sampled by psutil for peak RSS (the process and its
workers; the Prefect server subprocess is reported apart). Start-up (imports, Prefect server, model loads) is
timed in a warm-up before the measured call and reported separately; throughput and ratios use the measured call.

End-to-end section (benchmarks/startup.py): the CLI `python -m flows.news_etl` as its own process, start-up
included, with 1 and 2 workers, its peak PSS summed over its process tree; one French article on a warm machine;
and a start-up breakdown (imports, each model loader, the Prefect server) in a process of its own.

Timings are compared as ratios within this one run; the one absolute goal is the one-article wall time. The
load average is printed around every measurement to tell a noisy run. Results go to benchmarks/out/bench.json.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from benchmarks import startup
from benchmarks.startup import load_average

if TYPE_CHECKING:
    import psutil

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"
STAGES = (
    "read",
    "language",
    "dates",
    "entities",
    "assemble",
    "dedup",
    "io_read",
    "io_write",
    "models",
    "resolve_duplicates",
    "commit",
)
SAMPLE_SECONDS = 0.1
WARMUP_FILES = 5
MB = 1024 * 1024

# name -> (goal, higher is better); the ratio is PASS when it meets the goal, "info" when its goal is None.
GOALS: dict[str, tuple[float | None, bool]] = {
    "flow_1w_vs_reference_throughput": (1.5, True),
    # Retired as a goal (issue 16): the flow does more than NER, and start-up now has goals of its own below.
    "flow_1w_wall_vs_ner_wall": (None, False),
    "flow_2w_vs_1w_throughput": (1.7, True),
    "peak_rss_largest_vs_smallest": (1.15, False),
    "overhead_vs_wall_1w": (0.05, False),
    "e2e_2w_vs_1w_speed": (1.7, True),
    "e2e_pss_2w_vs_1w": (1.4, False),
    "one_article_wall_s": (10.0, False),
}
# The worker counts of the end-to-end runs; e2e ratios compare the second with the first.
E2E_WORKERS = (1, 2)

# ------------------------------------------------------------------------------------------ child processes


def _child_flow(a: argparse.Namespace) -> dict:
    t0 = time.perf_counter()
    from prefect.artifacts import Artifact
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    from flows.news_etl import news_etl

    shard_done: list[tuple[float, int]] = []

    class ShardLog(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            m = re.match(r"shard \d+/\d+ done: (\d+) documents", record.getMessage())
            if m:
                shard_done.append((record.created, int(m.group(1))))

    logging.getLogger("prefect.flow_runs").addHandler(ShardLog())
    workers = a.workers[0]
    warm_in = Path(a.output).with_name(Path(a.output).name + "-warmup-input")
    warm_out = Path(a.output).with_name(Path(a.output).name + "-warmup-output")
    shutil.rmtree(warm_in, ignore_errors=True)
    warm_in.mkdir(parents=True)
    # With one worker the shards run in this process, so a warm-up on a few files loads the models where the
    # measured run finds them. Worker processes die with their run, so with more workers the warm-up gets no
    # file: it starts the server and imports the flow, and worker start-up is measured apart by the probe.
    for i, path in enumerate(sorted(Path(a.input).rglob("*.txt"))[: WARMUP_FILES if workers == 1 else 0]):
        shutil.copyfile(path, warm_in / f"{i:03d}.txt")
    with temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        news_etl(
            input_dir=warm_in,
            output_dir=warm_out,
            full_refresh=True,
            workers=workers,
            shard_size=WARMUP_FILES,
        )
        startup = time.perf_counter() - t0
        shard_done.clear()
        start_epoch, p0 = time.time(), time.perf_counter()
        summary = news_etl(
            input_dir=Path(a.input),
            output_dir=Path(a.output),
            full_refresh=True,
            workers=workers,
            shard_size=a.shard_size,
        )
        wall = time.perf_counter() - p0
        end_epoch = time.time()
    shutil.rmtree(warm_in, ignore_errors=True)
    shutil.rmtree(warm_out, ignore_errors=True)
    artifact = Artifact.get("news-etl-run")
    text = str(getattr(artifact, "data", "") or "")
    line = next((x for x in text.splitlines() if x.startswith("Stage seconds")), "")
    stages = {k: float(v) for k, v in re.findall(r"(\w+) (\d+(?:\.\d+)?)", line.partition(":")[2])}
    return {
        "startup_s": startup,
        "wall_s": wall,
        "start_epoch": start_epoch,
        "end_epoch": end_epoch,
        "summary": summary,
        "stages_s": stages,
        "stages_found": bool(line),
        "shards_done": [(t - start_epoch, n) for t, n in shard_done],
    }


def _child_ner(a: argparse.Namespace) -> dict:
    t0 = time.perf_counter()
    import pandas as pd

    from flows.prefect_tasks import NER_LANGUAGES
    from tasks.models import french_ner
    from tasks.records import UNDETERMINED

    ner = french_ner()
    source = "flow output"
    tables = Path(a.tables) if a.tables else None
    if tables and (tables / "paragraphs").exists():
        # Exactly the texts the flow sent to NER: a paragraph's own language, else its document's.
        paras = pd.read_parquet(tables / "paragraphs", columns=["doc_id", "paragraph_id", "text", "language"])
        docs = pd.read_parquet(tables / "documents", columns=["doc_id", "language"])
        paras = paras.merge(docs, on="doc_id", suffixes=("", "_doc")).sort_values(["doc_id", "paragraph_id"])
        lang = paras["language"].where(paras["language"] != UNDETERMINED, paras["language_doc"])
        texts = paras.loc[lang.isin(NER_LANGUAGES), "text"].tolist()
    else:
        from benchmarks.reference import read_article

        source = "all corpus paragraphs (no flow output to select the NER ones)"
        texts = [p for path in sorted(Path(a.input).rglob("*.txt")) for p in read_article(path.read_text("utf-8"))[1]]
    ner(texts[:64])
    startup = time.perf_counter() - t0
    start_epoch, p0 = time.time(), time.perf_counter()
    found = ner(texts)
    wall = time.perf_counter() - p0
    return {
        "startup_s": startup,
        "wall_s": wall,
        "start_epoch": start_epoch,
        "end_epoch": time.time(),
        "paragraphs": len(texts),
        "chars": sum(map(len, texts)),
        "entities": sum(map(len, found)),
        "texts": source,
    }


def _child_reference(a: argparse.Namespace) -> dict:
    t0 = time.perf_counter()
    from benchmarks.reference import run_reference

    warm = Path(a.output).with_name(Path(a.output).name + "-warmup")
    run_reference(Path(a.input), warm, limit=3)
    shutil.rmtree(warm, ignore_errors=True)
    # run_reference loads its spaCy model inside the call: time one (warm) load here and take it off the wall.
    import spacy

    p = time.perf_counter()
    spacy.load("fr_core_news_md")
    model_load = time.perf_counter() - p
    startup = time.perf_counter() - t0
    start_epoch, p0 = time.time(), time.perf_counter()
    run_reference(Path(a.input), Path(a.output), limit=a.limit)
    wall = time.perf_counter() - p0
    return {
        "startup_s": startup,
        "model_load_in_wall_s": model_load,
        "wall_s": wall - model_load,
        "wall_with_load_s": wall,
        "start_epoch": start_epoch,
        "end_epoch": time.time(),
    }


CHILDREN = {"flow": _child_flow, "ner": _child_ner, "reference": _child_reference}


# ------------------------------------------------------------------------------------------ the parent


def _sample(root: psutil.Process, server_pids: dict[int, bool]) -> tuple[float, int, int, dict[int, float]]:
    """(epoch, RSS of ours, RSS of the Prefect server, cumulative CPU seconds per process) right now."""
    import psutil

    mine = server = 0
    cpu: dict[int, float] = {}
    try:
        procs = [root, *root.children(recursive=True)]
    except psutil.Error:
        procs = []
    for p in procs:
        try:
            rss = p.memory_info().rss
            ct = p.cpu_times()
        except psutil.Error:
            continue  # ended between listing and reading
        cpu[p.pid] = ct.user + ct.system
        if server_pids.setdefault(p.pid, startup.is_server(p)):
            server += rss
        else:
            mine += rss
    return time.time(), mine, server, cpu


def _cpu_in_window(samples: list, lo: float, hi: float, pids: set[int]) -> float:
    """CPU seconds the given processes spent between epochs lo and hi (as far as samples can tell)."""
    before: dict[int, float] = next((s[3] for s in reversed(samples) if s[0] <= lo), {})
    after: dict[int, float] = {}
    for s in samples:
        if s[0] <= hi:
            after.update(s[3])  # a process that ended keeps its last reading
    return sum(v - before.get(pid, 0.0) for pid, v in after.items() if pid in pids)


def run_child(kind: str, args: list[str], out: Path, label: str, timeout: float) -> dict:
    """Run one measurement process to its end, sampling RSS and CPU of it and its descendants."""
    import psutil

    result_path = out / "logs" / f"{label}.json"
    log_path = out / "logs" / f"{label}.log"
    result_path.parent.mkdir(parents=True, exist_ok=True)
    result_path.unlink(missing_ok=True)
    cmd = [sys.executable, "-m", "benchmarks.bench", "--child", kind, "--result", str(result_path), *args]
    samples: list[tuple[float, int, int, dict[int, float]]] = []
    server_pids: dict[int, bool] = {}
    load_before = _say_load(f"{label} start")
    t0 = time.perf_counter()
    with open(log_path, "w", encoding="utf-8") as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=startup.child_env(out), stdout=log, stderr=subprocess.STDOUT)
        try:
            root = psutil.Process(proc.pid)
            while proc.poll() is None:
                if time.perf_counter() - t0 > timeout:
                    proc.kill()
                    raise TimeoutError(f"{label}: no result after {timeout:.0f} s (log: {log_path})")
                samples.append(_sample(root, server_pids))
                time.sleep(SAMPLE_SECONDS)
        except BaseException:
            if proc.poll() is None:
                proc.kill()
            raise
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0 or not result_path.is_file():
        raise RuntimeError(f"{label}: exit code {proc.returncode}; see {log_path}")
    result = json.loads(result_path.read_text(encoding="utf-8"))
    lo, hi = result.get("start_epoch", 0.0), result.get("end_epoch", float("inf"))
    window = [s for s in samples if lo <= s[0] <= hi] or samples
    result["peak_rss_mb"] = max((s[1] for s in window), default=0) / MB
    result["peak_rss_whole_process_mb"] = max((s[1] for s in samples), default=0) / MB
    result["server_rss_mb"] = max((s[2] for s in samples), default=0) / MB
    ours = {pid for pid, is_server in server_pids.items() if not is_server}
    result["cpu_s"] = _cpu_in_window(samples, lo, hi, ours)
    result["server_cpu_s"] = _cpu_in_window(samples, lo, hi, set(server_pids) - ours)
    result["process_s"] = elapsed
    result["load_before"], result["load_after"] = load_before, _say_load(f"{label} end")
    return result


def steady_rate(shards_done: list[list[float]], workers: int) -> float | None:
    """Documents/s from the end of each worker's first shard to the end of the last; None under 2 a worker."""
    # This leaves out what the run pays before its workers are busy (worker processes, their imports, their
    # Prefect client or server, model loads) and after (commit), for 1 and 2 workers alike.
    if len(shards_done) < 2 * workers:
        return None
    (t_first, d_first), (t_last, d_last) = shards_done[workers - 1], shards_done[-1]
    return (d_last - d_first) / max(t_last - t_first, 1e-9)


def corpus_chars(folder: Path, limit: int | None = None) -> tuple[int, int]:
    """(files, characters) of the first `limit` *.txt under folder, in the reference's order."""
    files = sorted(p for p in folder.rglob("*.txt") if p.is_file())[:limit]
    return len(files), sum(len(p.read_text(encoding="utf-8")) for p in files)


def build_corpus(n: int, a: argparse.Namespace, out: Path) -> tuple[Path, dict]:
    """(folder, manifest) of the n-article corpus under out, built once per parameters and then reused."""
    from benchmarks.corpus import build

    corpus_dir = out / f"corpus-{n}"
    t = time.perf_counter()
    manifest = build(
        corpus_dir,
        n,
        seed=a.seed,
        gold=a.gold if a.gold.is_dir() else None,
        seeds=a.seeds if a.seeds.is_dir() else None,
    )
    _say(f"[{n}] corpus {corpus_dir} ready in {time.perf_counter() - t:.1f} s: {manifest['stats']}")
    return corpus_dir, manifest


def measure_size(n: int, a: argparse.Namespace, out: Path) -> dict:
    corpus_dir, manifest = build_corpus(n, a, out)
    docs, chars = corpus_chars(corpus_dir)
    res: dict = {"articles": n, "corpus": manifest["stats"], "chars": chars, "systems": {}}
    flow_out = {}
    for w in a.workers:
        label = f"flow-{n}-{w}w"
        target = out / label
        _say(f"[{n}] flow, {w} worker(s) ...")
        r = run_child(
            "flow",
            [
                "--input",
                str(corpus_dir),
                "--output",
                str(target),
                "--workers",
                str(w),
                "--shard-size",
                str(a.shard_size),
            ],
            out,
            label,
            a.timeout,
        )
        r["workers"] = w
        r["docs"] = r["summary"]["documents"]
        r["steps_s"] = sum(r["stages_s"].values())
        r["docs_per_s_end_to_end"] = r["docs"] / r["wall_s"]
        r["docs_per_s_steady"] = steady_rate(r["shards_done"], w)
        # Headline throughput: the steady rate when measurable, the whole call otherwise (a small corpus).
        r["docs_per_s"] = r["docs_per_s_steady"] or r["docs_per_s_end_to_end"]
        r["chars_per_s"] = chars * r["docs_per_s"] / max(r["docs"], 1)
        r["chars_per_s_end_to_end"] = chars / r["wall_s"]
        # Time the run lost to start-up and fixed costs against running at its steady rate all along.
        r["in_run_startup_s"] = max(r["wall_s"] - r["docs"] / r["docs_per_s"], 0.0)
        if w == 1:
            r["overhead_s"] = r["wall_s"] - r["steps_s"]
            r["overhead_fraction"] = r["overhead_s"] / r["wall_s"]
        res["systems"][f"flow_{w}w"] = r
        flow_out[w] = target
        _say(f"[{n}] flow {w}w: {r['wall_s']:.1f} s, {r['docs_per_s']:.1f} docs/s")
    _say(f"[{n}] NER alone ...")
    tables = flow_out.get(1) or next(iter(flow_out.values()), None)
    r = run_child(
        "ner",
        ["--input", str(corpus_dir), *(["--tables", str(tables)] if tables else [])],
        out,
        f"ner-{n}",
        a.timeout,
    )
    r["docs"], r["docs_per_s"], r["chars_per_s"] = docs, docs / r["wall_s"], chars / r["wall_s"]
    res["systems"]["ner_alone"] = r
    if not a.skip_reference:
        limit = min(n, a.reference_max)
        _say(f"[{n}] reference on {limit} articles ...")
        r = run_child(
            "reference",
            ["--input", str(corpus_dir), "--output", str(out / f"reference-{n}"), "--limit", str(limit)],
            out,
            f"reference-{n}",
            a.timeout,
        )
        r["docs"], ref_chars = corpus_chars(corpus_dir, limit)
        r["chars"] = ref_chars
        # Its in-call spaCy load, taken off its wall time, comes off its CPU time too (a load is CPU-bound).
        r["cpu_s"] = max(r["cpu_s"] - r["model_load_in_wall_s"], 0.0)
        r["docs_per_s"], r["chars_per_s"] = r["docs"] / r["wall_s"], ref_chars / r["wall_s"]
        res["systems"]["reference"] = r
    if not a.keep_outputs:
        for target in [*flow_out.values(), out / f"reference-{n}"]:
            shutil.rmtree(target, ignore_errors=True)
    return res


def verdict(value: float | None, goal: float | None, higher: bool) -> str:
    """n/a without a value, info without a goal, else PASS when value meets goal (>= if higher, else <=)."""
    if value is None:
        return "n/a"
    if goal is None:
        return "info"
    return "PASS" if (value >= goal if higher else value <= goal) else "FAIL"


def ratio_row(name: str, value: float | None, where: str, cpu: float | None = None) -> dict:
    """One row of the ratio table for GOALS[name]; its goal reads `-` when the ratio is information only."""
    goal, higher = GOALS[name]
    return {
        "ratio": name,
        "value": value,
        "goal": "-" if goal is None else (">= " if higher else "<= ") + f"{goal:g}",
        "verdict": verdict(value, goal, higher),
        "cpu_value": cpu,
        "where": where,
    }


# ------------------------------------------------------------------------------------------ end to end


def first_french(folder: Path) -> Path:
    """The first *.txt under folder, in sorted order, whose paragraphs read as French; raises if none does."""
    from benchmarks.corpus import is_french, parse

    for path in sorted(p for p in folder.rglob("*.txt") if p.is_file()):
        if is_french(parse(path.read_text(encoding="utf-8"))[1]):
            return path
    raise FileNotFoundError(f"no French article under {folder}")


def run_cli(inp: Path, target: Path, workers: int, label: str, a: argparse.Namespace, out: Path) -> dict:
    """The CLI as its own process into a fresh target, sampled (startup.run_tree); raises unless it committed."""
    shutil.rmtree(target, ignore_errors=True)
    _say(f"[e2e] {label}: CLI, {workers} worker(s), {inp.name} -> {target.name} ...")
    r = startup.run_tree(
        startup.cli_command(inp, target, workers),
        env=startup.child_env(out),
        log_path=out / "logs" / f"{label}.log",
        timeout=a.timeout,
    )
    _say(
        f"[e2e] {label}: {r['wall_s']:.1f} s, peak PSS {r['peak_pss_mb']:.0f} MB; "
        f"load average {_load_text(r['load_before'])} at start, {_load_text(r['load_after'])} at end"
    )
    for left in r["left_behind_killed"]:
        _say(f"[e2e] {label}: still running {startup.LEFTOVER_GRACE_SECONDS:g} s after the CLI ended, killed: {left}")
    if r["returncode"] != 0 or r["summary"] is None:
        raise RuntimeError(f"{label}: exit code {r['returncode']}, no summary line; see {r['log']}")
    r["workers"] = workers
    if not a.keep_outputs:
        shutil.rmtree(target, ignore_errors=True)
    return r


def run_breakdown(a: argparse.Namespace, out: Path) -> dict:
    """The start-up items of benchmarks.startup, timed in a process of their own."""
    result = out / "logs" / "startup.json"
    result.unlink(missing_ok=True)
    _say("[e2e] start-up breakdown ...")
    r = startup.run_tree(
        startup.breakdown_command(result),
        env=startup.child_env(out),
        log_path=result.with_suffix(".log"),
        timeout=a.timeout,
    )
    _say(f"[e2e] start-up breakdown: {r['wall_s']:.1f} s; load average {_load_text(r['load_after'])} at end")
    if r["returncode"] != 0 or not result.is_file():
        raise RuntimeError(f"start-up breakdown: exit code {r['returncode']}; see {r['log']}")
    return {"items": json.loads(result.read_text(encoding="utf-8")), "process": r}


def measure_e2e(a: argparse.Namespace, out: Path) -> dict:
    """One article (warm), the start-up breakdown, then the corpus through the CLI with each of E2E_WORKERS."""
    n = a.e2e_articles
    corpus_dir, manifest = build_corpus(n, a, out)
    res: dict = {"articles": n, "corpus": manifest["stats"], "load_start": _say_load("end-to-end section start")}
    one_in = out / "e2e-one-article-input"
    shutil.rmtree(one_in, ignore_errors=True)
    one_in.mkdir(parents=True)
    article = first_french(corpus_dir)
    shutil.copyfile(article, one_in / article.name)
    # The first run warms the page cache and migrates Prefect's SQLite; only the second one is timed.
    warm = run_cli(one_in, out / "e2e-one-article-warm-output", 1, "e2e-one-article-warm", a, out)
    timed = run_cli(one_in, out / "e2e-one-article-output", 1, "e2e-one-article", a, out)
    res["one_article"] = {"file": article.relative_to(corpus_dir).as_posix(), "warm_up": warm, "timed": timed}
    res["startup"] = run_breakdown(a, out)
    res["runs"] = {
        f"cli_{w}w": run_cli(corpus_dir, out / f"e2e-{n}-{w}w", w, f"e2e-{n}-{w}w", a, out) for w in E2E_WORKERS
    }
    res["load_end"] = _say_load("end-to-end section end")
    return res


def e2e_ratios(e2e: dict) -> list[dict]:
    """The end-to-end goals: 2 workers against 1 (whole-process wall and summed PSS), one article's wall time."""
    runs = e2e.get("runs", {})
    one, two = runs.get(f"cli_{E2E_WORKERS[0]}w"), runs.get(f"cli_{E2E_WORKERS[1]}w")
    where = f"{e2e.get('articles')} articles, whole CLI process"
    rows = [
        ratio_row(
            "e2e_2w_vs_1w_speed",
            one and two and one["wall_s"] / two["wall_s"],
            f"{where}, wall time start-up included" if one and two else "needs both end-to-end runs",
        ),
        ratio_row(
            "e2e_pss_2w_vs_1w",
            one and two and two["peak_pss_mb"] / max(one["peak_pss_mb"], 1e-9),
            f"{where}, peak PSS summed over the tree, server included; without it "
            f"{two['peak_pss_no_server_mb'] / max(one['peak_pss_no_server_mb'], 1e-9):.3f}"
            if one and two
            else "needs both end-to-end runs",
        ),
    ]
    timed = e2e.get("one_article", {}).get("timed")
    rows.append(
        ratio_row(
            "one_article_wall_s",
            timed and timed["wall_s"],
            "one French article, whole CLI process, second run (warm), fresh output" if timed else "not run",
        )
    )
    return rows


def ratios(sizes: list[dict]) -> list[dict]:
    """The ratios of the steady section, each taken at the largest size that has its inputs."""
    rows = []

    def add(name: str, value: float | None, where: str, cpu: float | None = None) -> None:
        rows.append(ratio_row(name, value, where, cpu))

    def last(*names: str) -> dict | None:
        return next((s for s in reversed(sizes) if all(x in s["systems"] for x in names)), None)

    s = last("flow_1w", "reference")
    add(
        "flow_1w_vs_reference_throughput",
        s["systems"]["flow_1w"]["chars_per_s_end_to_end"] / s["systems"]["reference"]["chars_per_s"] if s else None,
        f"{s['articles']} articles, chars/s over each whole call" if s else "needs flow 1w and reference",
        (s["systems"]["reference"]["cpu_s"] / s["systems"]["reference"]["chars"])
        / max(s["systems"]["flow_1w"]["cpu_s"] / s["chars"], 1e-12)
        if s
        else None,
    )
    s = last("flow_1w", "ner_alone")
    add(
        "flow_1w_wall_vs_ner_wall",
        s["systems"]["flow_1w"]["wall_s"] / s["systems"]["ner_alone"]["wall_s"] if s else None,
        f"{s['articles']} articles" if s else "needs flow 1w",
        s["systems"]["flow_1w"]["cpu_s"] / max(s["systems"]["ner_alone"]["cpu_s"], 1e-9) if s else None,
    )
    s = last("flow_1w", "flow_2w")
    if s:
        one, two = s["systems"]["flow_1w"], s["systems"]["flow_2w"]
        steady = bool(one["docs_per_s_steady"] and two["docs_per_s_steady"])
        key = "docs_per_s_steady" if steady else "docs_per_s_end_to_end"
        how = "steady rates" if steady else "whole calls, worker start-up included (too few shards)"
        add("flow_2w_vs_1w_throughput", two[key] / one[key], f"{s['articles']} articles, {how}")
    else:
        add("flow_2w_vs_1w_throughput", None, "needs --workers 1,2")
    with_1w = [x for x in sizes if "flow_1w" in x["systems"]]
    if len(with_1w) >= 2:
        lo, hi = with_1w[0]["systems"]["flow_1w"], with_1w[-1]["systems"]["flow_1w"]
        add(
            "peak_rss_largest_vs_smallest",
            hi["peak_rss_mb"] / max(lo["peak_rss_mb"], 1e-9),
            f"flow 1w, {with_1w[-1]['articles']} vs {with_1w[0]['articles']} articles",
        )
    else:
        add("peak_rss_largest_vs_smallest", None, "needs two --sizes")
    s = last("flow_1w")
    note = "" if s is None or s["articles"] >= 10_000 else " (goal is set at 10k articles)"
    add(
        "overhead_vs_wall_1w",
        s["systems"]["flow_1w"]["overhead_fraction"] if s else None,
        f"{s['articles']} articles{note}" if s else "needs flow 1w",
    )
    return rows


def report_e2e(e2e: dict) -> list[str]:
    """The end-to-end section's lines: the start-up breakdown, one article, the CLI runs with their memory."""
    c = e2e["corpus"]
    lines = [
        "",
        "== end to end: the CLI `python -m flows.news_etl ... --full-refresh` as its own process, start-up included",
        f"load average (1/5/15 min) {_load_text(e2e['load_start'])} at the start of the section, "
        f"{_load_text(e2e['load_end'])} at its end",
        "start-up breakdown, one process, in this order (s):",
    ]
    bd = e2e["startup"]
    for x in bd["items"]:
        seconds = "n/a" if x["seconds"] is None else f"{x['seconds']:.2f}"
        lines.append(f"  {x['item']:<66}{seconds:>7}  {x['note']}".rstrip())
    timed_sum = sum(x["seconds"] or 0.0 for x in bd["items"])
    proc = bd["process"]
    lines.append(
        f"  {'that process, start to exit':<52}{proc['wall_s']:>7.2f}  (interpreter start and the rest "
        f"{proc['wall_s'] - timed_sum:.2f}; peak PSS {proc['peak_pss_mb']:.0f} MB; "
        f"load average {_load_text(proc['load_before'])} -> {_load_text(proc['load_after'])})"
    )
    one = e2e["one_article"]
    t, w = one["timed"], one["warm_up"]
    lines.append(
        f"one French article ({one['file']}): {t['wall_s']:.2f} s whole process, second run on a warm machine "
        f"(first run {w['wall_s']:.2f} s); peak PSS {t['peak_pss_mb']:.0f} MB; "
        f"load average {_load_text(t['load_before'])} -> {_load_text(t['load_after'])}"
    )
    lines += [
        f"{e2e['articles']} articles, {c['chars_total'] / 1e6:.2f} M chars (French {c['french_share']:.0%}):",
        f"{'run':<10}{'docs':>6}{'wall s':>9}{'docs/s':>8}{'peak PSS MB':>13}{'w/o server':>12}{'server':>8}"
        f"{'peak RSS MB':>13}{'w/o server':>12}{'procs':>7}  load average before -> after",
    ]
    for name, r in e2e["runs"].items():
        docs = r["summary"].get("documents", 0)
        lines.append(
            f"{name:<10}{docs:>6}{r['wall_s']:>9.1f}{docs / max(r['wall_s'], 1e-9):>8.1f}{r['peak_pss_mb']:>13.0f}"
            f"{r['peak_pss_no_server_mb']:>12.0f}{r['peak_server_pss_mb']:>8.0f}{r['peak_rss_mb']:>13.0f}"
            f"{r['peak_rss_no_server_mb']:>12.0f}{r['processes_seen']:>7}  "
            f"{_load_text(r['load_before'])} -> {_load_text(r['load_after'])}"
        )
    lines += [
        f"  PSS: the tree's processes (CLI, workers, Prefect server) sampled every {startup.PSS_SAMPLE_SECONDS} s,",
        "  summed per sample, the peak sum kept; each sum (with or without the server) peaks on its own.",
        "  RSS double-counts the pages processes share (libraries, copy-on-write memory), so its sum overstates.",
    ]
    return lines


def report(sizes: list[dict], rows: list[dict], e2e: dict | None = None) -> str:
    """The whole report: each corpus size of the steady section, the end-to-end section, then the ratio table."""
    lines = []
    for s in sizes:
        c = s["corpus"]
        lines += [
            "",
            f"== {s['articles']} articles, {s['chars'] / 1e6:.2f} M chars (mean {c['chars_mean']:.0f} chars, "
            f"{c['paragraphs_mean']:.1f} paragraphs, French {c['french_share']:.0%}, headers {c['headers']})",
            f"{'system':<16}{'docs':>7}{'wall s':>9}{'start-up s':>12}{'docs/s':>9}{'chars/s':>10}"
            f"{'peak RSS MB':>13}{'overhead':>10}{'CPU s':>8}{'server CPU s':>14}",
        ]
        for name, r in s["systems"].items():
            overhead = f"{r['overhead_fraction']:.1%}" if "overhead_fraction" in r else "-"
            lines.append(
                f"{name:<16}{r['docs']:>7}{r['wall_s']:>9.1f}{r['startup_s']:>12.1f}{r['docs_per_s']:>9.1f}"
                f"{r['chars_per_s']:>10.0f}{r['peak_rss_mb']:>13.0f}{overhead:>10}{r['cpu_s']:>8.1f}"
                f"{r['server_cpu_s']:>14.1f}"
            )
        lines += [
            "  wall s: the measured call, after a warm-up timed as start-up s; docs/s: flows at their",
            "  steady rate (below); overhead: wall time outside the steps; CPU s: the process and workers",
            "  during the measured call (less sensitive than wall time to other load on the machine).",
        ]
        for name, r in s["systems"].items():
            if name.startswith("flow_"):
                st = ", ".join(f"{k} {r['stages_s'].get(k, 0.0):.1f}" for k in STAGES)
                missing = "" if r["stages_found"] else "  [stage seconds not found in the run artifact]"
                steady = r["docs_per_s_steady"]
                lines.append(f"  {name} stage seconds, summed over shards: {st}; steps {r['steps_s']:.1f}{missing}")
                dedup_s = r["stages_s"].get("dedup", 0.0) + r["stages_s"].get("resolve_duplicates", 0.0)
                lines.append(
                    f"  {name} duplicates: {dedup_s * 1000 / max(r['docs'], 1):.2f} ms per article "
                    f"(keys and MinHash in the shards, flags at commit), {dedup_s / max(r['wall_s'], 1e-9):.1%} of wall"
                )
                lines.append(
                    f"  {name} {r['docs_per_s_end_to_end']:.1f} docs/s over the whole call, "
                    + (f"{steady:.1f} at the steady rate" if steady else "steady rate n/a (< 2 shards per worker)")
                    + f"; {r['in_run_startup_s']:.1f} s of the call lost to start-up and fixed costs"
                    + f"; Prefect server(s) RSS {r['server_rss_mb']:.0f} MB"
                )
        ner = s["systems"].get("ner_alone")
        if ner:
            lines.append(
                f"  ner_alone: {ner['paragraphs']} paragraphs, {ner['chars'] / 1e6:.2f} M chars ({ner['texts']})"
            )
        ref = s["systems"].get("reference")
        if ref:
            lines.append(
                f"  reference: first {ref['docs']} articles; its spaCy load "
                f"({ref['model_load_in_wall_s']:.1f} s) taken off its wall time"
            )
        loads = "; ".join(
            f"{name} {_load_text(r['load_before'])} -> {_load_text(r['load_after'])}"
            for name, r in s["systems"].items()
        )
        lines.append(f"  load average (1/5/15 min) before -> after: {loads}")
    if e2e:
        lines += report_e2e(e2e)
    lines += [
        "",
        f"{'ratio':<34}{'value':>8}  {'goal':<8}{'verdict':<8}{'by CPU':>7}  where",
    ]
    for r in rows:
        value = "-" if r["value"] is None else f"{r['value']:.3f}"
        cpu = "-" if r["cpu_value"] is None else f"{r['cpu_value']:.3f}"
        lines.append(f"{r['ratio']:<34}{value:>8}  {r['goal']:<8}{r['verdict']:<8}{cpu:>7}  {r['where']}")
    lines.append("  by CPU: the same ratio from CPU seconds instead of wall time, for a machine shared with other work")
    if any(r["verdict"] == "info" for r in rows):
        lines.append("  info: printed for information, no longer a goal")
    return "\n".join(lines)


def _say(msg: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} {msg}", file=sys.stderr, flush=True)


def _say_load(when: str) -> tuple[float, float, float]:
    """Print and return the load average now, so that a reader can tell a measurement taken on a busy machine."""
    load = load_average()
    _say(f"load average {_load_text(load)} ({when})")
    return load


def _load_text(load: tuple[float, float, float] | list[float]) -> str:
    return "/".join(f"{x:.2f}" for x in load)


def _ints(text: str) -> list[int]:
    return [int(x) for x in text.split(",") if x.strip()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--sizes", type=_ints, help="comma-separated corpus sizes (default: --articles)")
    parser.add_argument("--workers", type=_ints, default=[1, 2], help="comma-separated worker counts")
    parser.add_argument("--shard-size", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--gold", type=Path, default=ROOT.parent / "shared" / "data" / "gold")
    parser.add_argument("--seeds", type=Path, default=ROOT / "seeds")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--reference-max", type=int, default=2000, help="articles the reference runs on at most")
    parser.add_argument("--skip-reference", action="store_true")
    parser.add_argument("--keep-outputs", action="store_true", help="keep the Parquet outputs of every run")
    parser.add_argument("--timeout", type=float, default=7200, help="seconds allowed to one measurement")
    parser.add_argument("--e2e-articles", type=int, default=1500, help="articles of the end-to-end CLI runs")
    parser.add_argument("--skip-e2e", action="store_true", help="skip the end-to-end and start-up section")
    parser.add_argument("--skip-steady", action="store_true", help="skip the flow, NER-alone and reference runs")
    parser.add_argument("--child", choices=sorted(CHILDREN), help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--input", help=argparse.SUPPRESS)
    parser.add_argument("--output", help=argparse.SUPPRESS)
    parser.add_argument("--tables", help=argparse.SUPPRESS)
    parser.add_argument("--limit", type=int, help=argparse.SUPPRESS)
    a = parser.parse_args(argv)
    if a.child:
        result = CHILDREN[a.child](a)
        a.result.write_text(json.dumps(result, indent=2, default=str), encoding="utf-8")
        return 0
    if a.e2e_articles < 1:
        parser.error("--e2e-articles must be at least 1")
    out = a.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    a.workers = sorted(set(a.workers))
    t0 = time.perf_counter()
    load_start = _say_load("bench start")
    sizes = [] if a.skip_steady else [measure_size(n, a, out) for n in sorted(set(a.sizes or [a.articles]))]
    e2e = None if a.skip_e2e else measure_e2e(a, out)
    # A skipped section leaves no rows, rather than rows of n/a.
    rows = (ratios(sizes) if sizes else []) + (e2e_ratios(e2e) if e2e else [])
    text = report(sizes, rows, e2e)
    print(text)
    total = time.perf_counter() - t0
    load_end = load_average()
    print(
        f"\nbench took {total:.0f} s; load average {_load_text(load_start)} at start, {_load_text(load_end)} at end;"
        f" results in {out / 'bench.json'}"
    )
    (out / "bench.json").write_text(
        json.dumps(
            {
                "params": {k: v for k, v in vars(a).items() if not k.startswith("child")} | {"total_s": total},
                "load_start": load_start,
                "load_end": load_end,
                "sizes": sizes,
                "e2e": e2e,
                "ratios": rows,
            },
            indent=2,
            default=str,
        )
        + "\n",
        encoding="utf-8",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
