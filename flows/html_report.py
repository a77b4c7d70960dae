"""The run's visual report: one self-contained HTML page (plotly.js inline, no network) from the run's counts."""

from __future__ import annotations

import html
from dataclasses import dataclass, field

import plotly.graph_objects as go
from plotly.offline import get_plotlyjs
from plotly.subplots import make_subplots

# The chart ids, in page order (the wide ones first, then pairs); tests look each one up in the rendered page.
CHARTS = ("months", "entities", "languages", "precision", "duplicates", "rejects")
ENTITY_LABELS = ("PER", "LOC", "ORG", "MISC")
TOP_PER_LABEL = 10
PRECISION_ORDER = ("day", "month", "year", "none")
THIS_RUN, EARLIER = "#d9480f", "#adb5bd"


@dataclass(frozen=True, slots=True)
class ReportData:
    """What the page shows: this run's counts, the corpus counts after its commit, and the stage seconds."""

    run_id: str
    started_at: str
    summary: dict[str, int]  # headline counts, in display order
    months: dict[str, int]  # this run's documents by month partition
    corpus_months: dict[str, int]
    languages: dict[str, int]
    corpus_languages: dict[str, int]
    corpus_precisions: dict[str, int]
    top_entities: dict[str, int]  # "norm (LABEL)" -> mentions
    duplicates: dict[str, tuple[int, int | None]]  # what -> (this run, whole corpus or None)
    rejects: dict[str, int]  # reason -> files
    seconds: dict[str, float]  # stage -> seconds
    notes: list[str] = field(default_factory=list)


def _month_order(month: str) -> tuple[int, str]:
    return (1, month) if month == "undated" else (0, month)


def _layout(fig: go.Figure, title: str, height: int = 360) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0.01},
        height=height,
        margin={"l": 60, "r": 20, "t": 50, "b": 60},
        template="plotly_white",
        legend={"orientation": "h", "y": -0.2},
    )
    return fig


def months_chart(data: ReportData) -> go.Figure:
    """Documents per month of the whole corpus, stacked so that this run's documents stand out."""
    months = sorted(set(data.corpus_months) | set(data.months), key=_month_order)
    run = [data.months.get(m, 0) for m in months]
    earlier = [max(data.corpus_months.get(m, 0) - data.months.get(m, 0), 0) for m in months]
    fig = go.Figure(
        [
            go.Bar(name="earlier runs", x=months, y=earlier, marker_color=EARLIER),
            go.Bar(name="this run", x=months, y=run, marker_color=THIS_RUN),
        ]
    )
    fig.update_layout(barmode="stack", xaxis={"type": "category"})
    return _layout(fig, "Documents per month (whole corpus; this run highlighted)")


def languages_chart(data: ReportData) -> go.Figure:
    """Documents per language, this run beside the whole corpus."""
    languages = sorted(set(data.corpus_languages) | set(data.languages), key=lambda k: -data.corpus_languages.get(k, 0))
    fig = go.Figure(
        [
            go.Bar(
                name="this run", x=languages, y=[data.languages.get(k, 0) for k in languages], marker_color=THIS_RUN
            ),
            go.Bar(
                name="whole corpus",
                x=languages,
                y=[data.corpus_languages.get(k, 0) for k in languages],
                marker_color=EARLIER,
            ),
        ]
    )
    fig.update_layout(barmode="group", xaxis={"type": "category"})
    return _layout(fig, "Documents by language")


def entities_chart(data: ReportData) -> go.Figure:
    """The most mentioned entities of this run, one panel per label."""
    by_label: dict[str, list[tuple[str, int]]] = {label: [] for label in ENTITY_LABELS}
    for key, n in data.top_entities.items():
        name, _, label = key.rpartition(" (")
        label = label.rstrip(")")
        if label in by_label and name:
            # plotly reads <b>, <a href=...> and entities in labels as markup: a name from the input is shown as is.
            by_label[label].append((html.escape(name, quote=False), n))
    fig = make_subplots(rows=2, cols=2, subplot_titles=ENTITY_LABELS, horizontal_spacing=0.3, vertical_spacing=0.12)
    for i, label in enumerate(ENTITY_LABELS):
        top = sorted(by_label[label], key=lambda item: (-item[1], item[0]))[:TOP_PER_LABEL][::-1]
        fig.add_trace(
            go.Bar(
                x=[n for _, n in top] or [0],
                y=[name for name, _ in top] or ["none"],
                orientation="h",
                name=label,
                showlegend=False,
                marker_color=THIS_RUN,
            ),
            row=i // 2 + 1,
            col=i % 2 + 1,
        )
    fig.update_yaxes(automargin=True)
    return _layout(fig, "Top entities of this run, per label (mentions)", height=640)


def precision_chart(data: ReportData) -> go.Figure:
    """Documents of the whole corpus by the precision of their date."""
    keys = [k for k in PRECISION_ORDER if k in data.corpus_precisions] + sorted(
        set(data.corpus_precisions) - set(PRECISION_ORDER)
    )
    fig = go.Figure(
        [go.Bar(x=keys or ["none"], y=[data.corpus_precisions.get(k, 0) for k in keys] or [0], marker_color=EARLIER)]
    )
    fig.update_layout(xaxis={"type": "category"})
    return _layout(fig, "Date precision of the documents (whole corpus)")


def duplicates_chart(data: ReportData) -> go.Figure:
    """Duplicate documents and paragraphs and boilerplate, this run and, where counted, the whole corpus."""
    keys = list(data.duplicates)[::-1]
    fig = go.Figure(
        [
            go.Bar(
                name=name,
                y=keys,
                x=[data.duplicates[k][i] for k in keys],
                orientation="h",
                marker_color=color,
            )
            for i, name, color in ((1, "whole corpus", EARLIER), (0, "this run", THIS_RUN))
        ]
    )
    fig.update_layout(barmode="group", yaxis={"type": "category", "automargin": True})
    return _layout(fig, "Duplicates and boilerplate")


def rejects_chart(data: ReportData) -> go.Figure:
    """Files rejected or noted by this run, by reason."""
    reasons = sorted(data.rejects, key=lambda k: (-data.rejects[k], k))
    fig = go.Figure([go.Bar(x=reasons or ["none"], y=[data.rejects[k] for k in reasons] or [0], marker_color=THIS_RUN)])
    fig.update_layout(xaxis={"type": "category"})
    return _layout(fig, "Rejects and notes of this run, by reason")


_STYLE = """
body { font-family: system-ui, sans-serif; margin: 1.5rem auto; max-width: 1200px; color: #212529; }
h1 { font-size: 1.4rem; } h2 { font-size: 1.1rem; margin-top: 2rem; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; }
td, th { border: 1px solid #dee2e6; padding: 0.25rem 0.6rem; text-align: right; }
th:first-child, td:first-child { text-align: left; }
.grid { display: grid; grid-template-columns: 1fr 1fr; gap: 0.5rem 1rem; }
.wide { grid-column: 1 / -1; }
.note { color: #495057; font-size: 0.9rem; }
"""


def _table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render(data: ReportData) -> str:
    """The whole page; every script and style is inline and nothing in it refers to another address."""
    figures = {
        "months": months_chart(data),
        "languages": languages_chart(data),
        "entities": entities_chart(data),
        "precision": precision_chart(data),
        "duplicates": duplicates_chart(data),
        "rejects": rejects_chart(data),
    }
    config = {"displaylogo": False, "responsive": True}
    charts = []
    for name in CHARTS:
        div = figures[name].to_html(full_html=False, include_plotlyjs=False, div_id=f"chart-{name}", config=config)
        wide = " wide" if name in ("months", "entities") else ""
        charts.append(f'<section class="chart{wide}" data-chart="{name}">{div}</section>')
    total = sum(data.seconds.values())
    stage_rows = [
        [stage, f"{s:.2f}", f"{100 * s / total:.1f} %" if total else "0.0 %"]
        for stage, s in sorted(data.seconds.items(), key=lambda item: -item[1])
    ]
    summary = _table(list(data.summary), [[str(v) for v in data.summary.values()]])
    notes = "".join(f'<p class="note">{html.escape(n)}</p>' for n in data.notes)
    title = f"news-etl run {data.run_id}"
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        # An empty icon: the browser would otherwise ask the server for /favicon.ico.
        '<link rel="icon" href="data:,">'
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style>"
        f"<script>{get_plotlyjs()}</script></head><body>"
        f'<h1>{html.escape(title)}</h1><p class="note">started {html.escape(data.started_at)}</p>'
        f"{summary}{notes}"
        f'<div class="grid">{"".join(charts)}</div>'
        f'<h2>Stage times</h2><div id="stage-times">'
        f"{_table(['stage', 'seconds', 'share'], stage_rows)}</div>"
        '<p class="note">Shard stages are summed over shards; resolve_duplicates and commit run once per run.</p>'
        "</body></html>\n"
    )
