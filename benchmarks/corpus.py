"""Benchmark corpus: N articles in the raw input format, resampled from real paragraphs, deterministic.

`python -m benchmarks.corpus --articles N --out DIR [--seed S] [--gold ../shared/data/gold] [--seeds seeds]`

Nothing is invented but the header dates: every paragraph is a real one from the gold inputs and seeds/.
An article is a run of consecutive paragraphs of one source file, continued from other files of the same
language group when the file runs out, so topic and language stay coherent as in real news.
"""

from __future__ import annotations

import argparse
import bisect
import hashlib
import json
import math
import random
import re
import shutil
import statistics
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

# The gold README's header rule; the rest of the file is the body, split at blank lines.
HEADER = re.compile(r"\A\s*date (\d{4}(?:-\d{2}(?:-\d{2})?)?) ")
BLANK_LINE = re.compile(r"\n\s*\n")
WORD = re.compile(r"\w+")

ROOT = Path(__file__).resolve().parents[1]
MANIFEST = "corpus.json"
FILES_PER_FOLDER = 100
# Single words, word pairs and bare date expressions (lingua, Duckling) are test items, not news paragraphs.
MIN_WORDS = 3
# Real news runs ~2,000 characters in 5-15 paragraphs; a log-normal target gives the tail of long features.
MEDIAN_CHARS = 2_000
CHARS_SIGMA = 0.45
MIN_CHARS, MAX_CHARS = 600, 8_000
MIN_PARAGRAPHS, MAX_PARAGRAPHS = 5, 15
# The project ingests mostly French news; the pool itself is mostly German and English web pages (htmldate's
# set), so the French share is a parameter; other languages keep their share of the pool's paragraphs.
FRENCH_SHARE = 0.8
HEADER_KINDS = (("month", 0.7), ("none", 0.2), ("day", 0.1))
# Sources without a header of their own get a month in this range.
YEARS = (1995, 2025)

# Function words frequent in French and rare in the pool's other languages (no `de`, `la`, `en`, `que`, `il`);
# on the gold sets' labelled files this tells French from not in ~98 % of files, the misses one-line ones.
_FRENCH_WORDS = frozenset(
    "le les des du et est une dans pour qui sur au aux avec pas ont été cette mais sont nous vous leur ses "
    "ces plus".split()
)
FRENCH_MIN_SHARE = 0.06


@dataclass(frozen=True, slots=True)
class Source:
    """One distinct pool file: its kept paragraphs (none empty, none with a line break) and header, if any."""

    name: str
    header: str | None
    paragraphs: tuple[str, ...]
    french: bool


@dataclass(frozen=True, slots=True)
class Pool:
    """Distinct sources split by language group; every group is empty or holds at least one paragraph."""

    french: tuple[Source, ...]
    other: tuple[Source, ...]


@dataclass(frozen=True, slots=True)
class Article:
    """One generated article: an optional header date and its paragraphs, each verbatim from the pool."""

    header: str | None
    paragraphs: tuple[str, ...]
    french: bool


def parse(raw: str) -> tuple[str | None, list[str]]:
    """(header date or None, paragraphs): the header regex, then blank-line split, each piece stripped."""
    m = HEADER.match(raw)
    body = raw[m.end() :] if m else raw
    return (m.group(1) if m else None), [p.strip() for p in BLANK_LINE.split(body) if p.strip()]


def render(article: Article) -> str:
    """The raw file text: ` date H `, the first paragraph on the same line, blank lines between paragraphs."""
    head = f" date {article.header} " if article.header else ""
    return head + "\n\n".join(article.paragraphs)


def is_french(paragraphs: Iterable[str]) -> bool:
    """True when French function words make at least FRENCH_MIN_SHARE of the words."""
    words = [w.lower() for p in paragraphs for w in WORD.findall(p)]
    return bool(words) and sum(w in _FRENCH_WORDS for w in words) / len(words) >= FRENCH_MIN_SHARE


def load_pool(roots: Sequence[Path]) -> Pool:
    """Every distinct *.txt under roots (same paragraphs = same source, the most precise header kept)."""
    by_text: dict[tuple[str, ...], Source] = {}
    for root in roots:
        for path in sorted(p for p in root.rglob("*.txt") if p.is_file()):
            header, paragraphs = parse(path.read_text(encoding="utf-8"))
            kept = tuple(p for p in paragraphs if "\n" not in p and len(WORD.findall(p)) >= MIN_WORDS)
            if not kept:
                continue
            seen = by_text.get(kept)
            if seen is None or len(header or "") > len(seen.header or ""):
                name = seen.name if seen else f"{root.as_posix()}/{path.relative_to(root).as_posix()}"
                by_text[kept] = Source(name, header, kept, seen.french if seen else is_french(kept))
    sources = list(by_text.values())
    return Pool(tuple(s for s in sources if s.french), tuple(s for s in sources if not s.french))


def gold_roots(gold: Path | None, seeds: Path | None) -> list[Path]:
    """The input folders of every gold set, then the seeds folder."""
    roots = sorted(p for p in gold.glob("*/input") if p.is_dir()) if gold else []
    return roots + ([seeds] if seeds else [])


class _Group:
    """Paragraph-weighted draws from one language group: a source comes in proportion to its paragraphs."""

    def __init__(self, sources: Sequence[Source]) -> None:
        self.sources = sources
        self.ends: list[int] = []
        total = 0
        for s in sources:
            total += len(s.paragraphs)
            self.ends.append(total)

    def draw(self, rng: random.Random) -> tuple[Source, int]:
        k = rng.randrange(self.ends[-1])
        i = bisect.bisect_right(self.ends, k)
        return self.sources[i], k - (self.ends[i - 1] if i else 0)


def _header(kind: str, source: Source, rng: random.Random) -> str | None:
    if kind == "none":
        return None
    month = source.header[:7] if source.header and len(source.header) >= 7 else None
    if month is None:
        month = f"{rng.randint(*YEARS)}-{rng.randint(1, 12):02d}"
    if kind == "month":
        return month
    if source.header and len(source.header) == 10:
        return source.header
    return f"{month}-{rng.randint(1, 28):02d}"


def articles(pool: Pool, n: int, seed: int, *, french_share: float = FRENCH_SHARE) -> list[Article]:
    """n articles drawn from the pool; the same pool, n, seed and share always give the same list."""
    groups = [(g, french) for g, french in ((pool.french, True), (pool.other, False)) if g]
    if not groups:
        raise ValueError("the pool has no paragraph to draw from")
    drawers = {french: _Group(g) for g, french in groups}
    rng = random.Random(seed)
    kinds = [kind for kind, _ in HEADER_KINDS]
    weights = [weight for _, weight in HEADER_KINDS]
    out: list[Article] = []
    for _ in range(n):
        french = rng.random() < french_share
        if french not in drawers:
            french = not french
        group = drawers[french]
        target = min(MAX_CHARS, max(MIN_CHARS, rng.lognormvariate(math.log(MEDIAN_CHARS), CHARS_SIGMA)))
        most = rng.randint(MIN_PARAGRAPHS, MAX_PARAGRAPHS)
        first, i = group.draw(rng)
        source, chars = first, 0
        paragraphs: list[str] = []
        while len(paragraphs) < MIN_PARAGRAPHS or (chars < target and len(paragraphs) < most):
            if i >= len(source.paragraphs):
                source, i = group.draw(rng)
            paragraphs.append(source.paragraphs[i])
            chars += len(source.paragraphs[i])
            i += 1
        kind = rng.choices(kinds, weights)[0]
        out.append(Article(_header(kind, first, rng), tuple(paragraphs), french))
    return out


def file_name(index: int, n: int, text: str) -> str:
    """`<folder>/<NNN>_<hash>.txt`: FILES_PER_FOLDER files a folder, names carry no date and no language."""
    width = max(3, len(str(n - 1)))
    folder_width = max(3, len(str((n - 1) // FILES_PER_FOLDER)))
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    return f"{index // FILES_PER_FOLDER:0{folder_width}d}/{index:0{width}d}_{digest}.txt"


def _kind(header: str | None) -> str:
    return "none" if header is None else ("day" if len(header) == 10 else "month")


def stats(items: Sequence[Article]) -> dict:
    """Length, paragraph, header and language figures of a generated corpus."""
    chars = sorted(len(render(a)) for a in items)
    paras = [len(a.paragraphs) for a in items]
    headers = Counter(_kind(a.header) for a in items)
    if not items:
        return {"articles": 0}
    return {
        "articles": len(items),
        "chars_total": sum(chars),
        "chars_mean": round(statistics.fmean(chars), 1),
        "chars_median": statistics.median(chars),
        "chars_p10_p90": [chars[len(chars) // 10], chars[len(chars) * 9 // 10]],
        "paragraphs_mean": round(statistics.fmean(paras), 2),
        "paragraphs_min_max": [min(paras), max(paras)],
        "french_share": round(sum(a.french for a in items) / len(items), 3),
        "headers": dict(sorted(headers.items())),
    }


def write_corpus(out: Path, items: Sequence[Article], params: dict) -> dict:
    """Replace out (only if empty or a corpus written here) with the files and a corpus.json manifest."""
    if out.exists() and any(out.iterdir()) and not (out / MANIFEST).is_file():
        raise FileExistsError(f"{out} is not empty and holds no {MANIFEST}: refusing to replace it")
    shutil.rmtree(out, ignore_errors=True)
    for index, article in enumerate(items):
        text = render(article)
        path = out / file_name(index, len(items), text)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="")
    summary = {"params": params, "stats": stats(items)}
    out.mkdir(parents=True, exist_ok=True)
    (out / MANIFEST).write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return summary


def build(
    out: Path,
    n: int,
    *,
    seed: int = 0,
    gold: Path | None,
    seeds: Path | None,
    french_share: float = FRENCH_SHARE,
) -> dict:
    """Write an n-article corpus into out and return its manifest; reuse out if built with the same params."""
    roots = gold_roots(gold, seeds)
    params = {
        "articles": n,
        "seed": seed,
        "french_share": french_share,
        "roots": [r.resolve().as_posix() for r in roots],
    }
    manifest = out / MANIFEST
    if manifest.is_file():
        old = json.loads(manifest.read_text(encoding="utf-8"))
        if old.get("params") == params:
            return old
    pool = load_pool(roots)
    summary = write_corpus(out, articles(pool, n, seed, french_share=french_share), params)
    summary["pool"] = {
        "french_sources": len(pool.french),
        "french_paragraphs": sum(len(s.paragraphs) for s in pool.french),
        "other_sources": len(pool.other),
        "other_paragraphs": sum(len(s.paragraphs) for s in pool.other),
    }
    manifest.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.corpus", description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, required=True)
    parser.add_argument("--out", type=Path, help="default: benchmarks/out/corpus-N")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--gold", type=Path, default=ROOT.parent / "shared" / "data" / "gold")
    parser.add_argument("--seeds", type=Path, default=ROOT / "seeds")
    parser.add_argument("--french-share", type=float, default=FRENCH_SHARE)
    a = parser.parse_args(argv)
    if a.articles < 1:
        parser.error("--articles must be at least 1")
    out = a.out or ROOT / "benchmarks" / "out" / f"corpus-{a.articles}"
    for what, folder in (("--gold", a.gold), ("--seeds", a.seeds)):
        if not folder.is_dir():
            print(f"warning: {what} {folder} is not a folder; the pool goes without it", file=sys.stderr)
    summary = build(
        out,
        a.articles,
        seed=a.seed,
        gold=a.gold if a.gold.is_dir() else None,
        seeds=a.seeds if a.seeds.is_dir() else None,
        french_share=a.french_share,
    )
    print(json.dumps({"out": out.as_posix(), **summary}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
