"""The visual run report: a self-contained page whose every chart Chromium draws, with no request leaving the page."""

from __future__ import annotations

import re
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from flows.html_report import CHARTS, ReportData, render
from tasks.store.reports import LATEST, REPORTS_KEPT, corpus_counts, report_path, write_report
from tests.browser import recording_proxy, recording_server, run_chromium

DATA = ReportData(
    run_id="20240301T020000-abcdef12",
    started_at="2024-03-01T02:00:00+00:00",
    summary={"files seen": 12, "documents": 9, "entities": 41},
    months={"2024-02": 5, "2024-01": 1, "undated": 1},
    corpus_months={"2023-12": 7, "2024-01": 4, "2024-02": 5, "undated": 3},
    languages={"fr": 6, "de": 2, "ru": 1},
    corpus_languages={"fr": 15, "de": 2, "ru": 1, "en": 1},
    corpus_precisions={"day": 11, "month": 4, "year": 1, "none": 3},
    top_entities={
        "Angela Merkel (PER)": 4,
        "Сергей Лавров (PER)": 2,
        "Lyon (LOC)": 5,
        "Genève (LOC)": 1,
        "Bundestag (ORG)": 3,
        '<b>Groupe</b> <a href="https://example.org/">Wagner</a> (ORG)': 1,
        "Coupe du monde (MISC)": 2,
    },
    duplicates={
        "exact duplicate documents": (1, 2),
        "near-duplicate documents": (2, 3),
        "duplicate paragraphs": (4, None),
        "boilerplate paragraphs": (6, None),
    },
    rejects={"empty": 2, "binary": 1, "invalid_header_date": 1},
    seconds={"entities": 12.5, "language": 2.25, "read": 0.5, "commit": 0.75},
    notes=["No NER model for ru (3 paragraphs): those paragraphs got no entities."],
)


def _sections(dom: str) -> dict[str, str]:
    """The drawn DOM of each chart, cut at the start of the next chart's section."""
    starts = [(m.start(), m.group(1)) for m in re.finditer(r'<section class="chart[^"]*" data-chart="(\w+)"', dom)]
    ends = [s for s, _ in starts[1:]] + [dom.index('id="stage-times"')]
    return {name: dom[start:end] for (start, name), end in zip(starts, ends, strict=True)}


def _bars(section: str) -> int:
    """Bars drawn with an area: plotly outlines each bar as `Mx0,y0 V y1 H x1 V y0 Z` in a `point` group."""
    outlines = re.findall(r'<g class="point"><path d="M([\d.]+),([\d.]+)V([\d.]+)H([\d.]+)V[\d.]+Z"', section)
    return sum(1 for x0, y0, y1, x1 in outlines if float(x0) != float(x1) and float(y0) != float(y1))


# Chromium's own services (update check, clock, sign-in, hints), asked for at start-up whatever the page; the proxy
# refuses them too. Any other host is the page's doing.
BROWSER_HOSTS = {
    "update.googleapis.com",
    "clients2.google.com",
    "accounts.google.com",
    "optimizationguide-pa.googleapis.com",
    "redirector.gvt1.com",
    "clientservices.googleapis.com",
}


def page_requests(proxied: list[str]) -> list[str]:
    """The proxied requests that Chromium did not make for itself."""

    def host(request: str) -> str:
        target = request.removeprefix("CONNECT ").split("://")[-1]
        return target.split("/")[0].split(":")[0]

    return [r for r in proxied if host(r) not in BROWSER_HOSTS]


def load(folder: Path, name: str, profile: Path) -> tuple[str, list[str], list[str]]:
    """Chromium's DOM of folder/name after its scripts ran, the paths served, and every request sent elsewhere."""
    with recording_server(folder) as (base, served), recording_proxy() as (proxy, proxied):
        dom = run_chromium(
            f"{base}/{name}",
            profile,
            "--dump-dom",
            f"--proxy-server=http://{proxy}",
            "--proxy-bypass-list=" + base.removeprefix("http://"),
        )
    return dom, served, proxied


@pytest.fixture(scope="module")
def drawn(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, list[str], list[str], str]:
    folder = tmp_path_factory.mktemp("site")
    page = render(DATA)
    (folder / "report.html").write_text(page, "utf-8")
    dom, served, proxied = load(folder, "report.html", tmp_path_factory.mktemp("profile"))
    return dom, served, proxied, page


def test_the_fetch_check_sees_a_page_that_fetches(tmp_path: Path) -> None:
    (tmp_path / "cdn.html").write_text(
        '<html><head><script src="https://cdn.example.org/plotly.min.js"></script>'
        '<link rel="stylesheet" href="http://fonts.example.net/style.css"></head>'
        '<body><img src="logo.png"></body></html>'
    )
    _, served, proxied = load(tmp_path, "cdn.html", tmp_path / "profile")
    assert "/logo.png" in served
    assert sorted(page_requests(proxied)) == ["CONNECT cdn.example.org:443", "http://fonts.example.net/style.css"]


def test_every_chart_is_drawn(drawn: tuple[str, list[str], list[str], str]) -> None:
    dom = drawn[0]
    sections = _sections(dom)
    assert list(sections) == list(CHARTS)
    for name, section in sections.items():
        assert '<svg class="main-svg"' in section, f"{name} was not drawn"
    # Bars with a non-zero value in the data above, per chart.
    assert _bars(sections["months"]) == 3 + 3  # earlier runs: 2023-12, 2024-01, undated; this run: three months
    assert _bars(sections["languages"]) == 3 + 4
    assert _bars(sections["entities"]) == 7
    assert _bars(sections["precision"]) == 4
    assert _bars(sections["duplicates"]) == 4 + 2
    assert _bars(sections["rejects"]) == 3
    for name in ("Angela Merkel", "Сергей Лавров", "Genève", "Coupe du monde", "invalid_header_date", "undated"):
        assert name in dom, name
    # Markup in an entity name is shown as text, never followed as a link.
    assert '&lt;b&gt;Groupe&lt;/b&gt; &lt;a href="https://example.org/"&gt;Wagner&lt;/a&gt;' in sections["entities"]


def test_stage_table_and_notes(drawn: tuple[str, list[str], list[str], str]) -> None:
    dom = drawn[0]
    table = dom[dom.index('id="stage-times"') :]
    rows = re.findall(r"<tr><td>(\w+)</td><td>([\d.]+)</td><td>([\d.]+ %)</td></tr>", table)
    assert rows == [
        ("entities", "12.50", "78.1 %"),
        ("language", "2.25", "14.1 %"),
        ("commit", "0.75", "4.7 %"),
        ("read", "0.50", "3.1 %"),
    ]
    assert "No NER model for ru (3 paragraphs)" in dom


def test_nothing_is_fetched(drawn: tuple[str, list[str], list[str], str]) -> None:
    dom, served, proxied, page = drawn
    assert served == ["/report.html"]
    assert page_requests(proxied) == []
    # Nothing in the page or the DOM its scripts built points at another address to load.
    for text in (page, dom):
        outside_scripts = re.sub(r"<script[^>]*>.*?</script>", "", text, flags=re.S)
        tags = " ".join(re.findall(r"<[a-zA-Z][^>]*>", outside_scripts))  # text shows `<` as &lt;, so tags only
        loads = re.findall(r'\s(?:src|href|xlink:href|action|srcset|poster)\s*=\s*"((?!data:|#)[^"]*)"', tags)
        assert loads == []
        assert re.findall(r"url\((?![\"']?(?:#|data:))", outside_scripts) == []
        assert '<link rel="stylesheet"' not in outside_scripts and "@import" not in outside_scripts
    assert page.count("<script") == 1 + len(CHARTS)  # plotly.js inline, then one drawing call per chart
    assert not re.search(r"<script[^>]+src=", page)


def test_corpus_counts_read_the_documents_table(tmp_path: Path) -> None:
    schema = pa.schema([("doc_id", pa.string()), ("language", pa.string()), ("date_precision", pa.string())])
    for month, rows in {"2024-02": [("a", "fr", "day"), ("b", "de", "month")], "undated": [("c", "und", None)]}.items():
        (tmp_path / "documents" / f"month={month}").mkdir(parents=True)
        pq.write_table(
            pa.Table.from_pylist([dict(zip(schema.names, r, strict=True)) for r in rows], schema),
            tmp_path / "documents" / f"month={month}" / "p.parquet",
        )
    counts = corpus_counts(tmp_path)
    assert counts.documents == 3
    assert counts.months == {"2024-02": 2, "undated": 1}
    assert counts.languages == {"fr": 1, "de": 1, "und": 1}
    assert counts.precisions == {"day": 1, "month": 1, "none": 1}
    assert corpus_counts(tmp_path / "missing").documents == 0


def test_write_report_is_atomic_and_keeps_the_newest(tmp_path: Path) -> None:
    for i in range(REPORTS_KEPT + 2):
        page = write_report(tmp_path, f"2024{i:04d}T000000-x", f"<p>{i}</p>")
    assert page == report_path(tmp_path, f"2024{REPORTS_KEPT + 1:04d}T000000-x")
    folder = tmp_path / "reports"
    assert (folder / LATEST).read_text() == f"<p>{REPORTS_KEPT + 1}</p>"
    names = sorted(p.name for p in folder.iterdir())
    assert len(names) == REPORTS_KEPT + 1 and "20240000T000000-x.html" not in names
    assert not [n for n in names if n.startswith(".")]
