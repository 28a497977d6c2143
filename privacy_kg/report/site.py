"""The pages of the report, rendered with Jinja2 templates (autoescaped) from the report data.

Layout (every link relative, so the site works from file:// and from any web server):
    index.html                 overview: company x core-topic matrix, coverage heatmap, data-category chart
    compliance.html            the regulatory profiles: company x required item (stated / silent / not applicable)
    companies/<slug>.html      a company's facts, validation warnings and practices by topic, with quotes
    policies/<slug>.html       the full policy text, each clause marked (#clause-<id>)
    timelines/<slug>.html      a company's versions and what changed between each two (only with several)
    queries/index.html         the stored competency questions
    queries/<name>.html        one question: its SPARQL and current answer
    ontology/index.html        the ontology's documentation (pyLODE)
    static/report.css"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import jinja2
import pyoxigraph as ox

from privacy_kg import queries
from privacy_kg.namespaces import kebab
from privacy_kg.report import charts, marks, timeline
from privacy_kg.report.data import SAFE_NAME, Company, Practice, ReportData, ReportError, Term
from privacy_kg.report.ontology_docs import OntologyDocs
from privacy_kg.report.texts import PolicyText, PolicyTexts, readable_html

HERE = Path(__file__).parent
CATEGORY_QUERY = "collection-matrix"  # the stored query behind the data-category chart


@dataclass
class Answer:
    query: queries.StoredQuery
    result: queries.Result | None
    error: str = ""


def environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["q"] = lambda s: quote(str(s), safe="")
    env.filters["cell"] = queries.cell_text
    env.filters["duration"] = timeline.duration_text
    return env


def answers(store: ox.Store, queries_dir: Path, history: ox.Store | None = None) -> list[Answer]:
    """Every stored query's answer, on `store` (the current versions), or on `history` (every version)
    for a query that compares versions (`# needs: history`)."""
    found = []
    for stored in queries.load_all(queries_dir):
        if not SAFE_NAME.match(stored.name):
            raise ReportError(f"stored query {stored.name!r} cannot name a file")
        try:
            found.append(Answer(stored, queries.run_embedded(history if stored.history and history is not None else store, stored)))
        except Exception as e:  # a query the store rejects: shown on its page, not fatal for the report
            found.append(Answer(stored, None, str(e)))
    return found


def category_chart(data: ReportData, answer: Answer | None) -> charts.BarChart | None:
    """Bars: how many companies collect (or may collect) each data category, from the stored query."""
    if answer is None or answer.result is None:
        return None
    by_category: dict[str, set[str]] = {}
    for row in answer.result.rows:
        if row.get("practices", 1):
            by_category.setdefault(str(row.get("category", "")), set()).add(str(row.get("company", "")))
    items = sorted(((cat, len(names), f"{cat}: {', '.join(sorted(names, key=str.casefold))}")
                    for cat, names in by_category.items()), key=lambda item: (-item[1], item[0].casefold()))
    return charts.bars(items, len(data.companies))


def coverage_heatmap(data: ReportData) -> charts.Heatmap:
    counts = [[len(c.practices_in(t)) for t in data.core_topics] for c in data.companies]
    hrefs = [[f"companies/{quote(c.slug)}.html#topic-{quote(t.local)}" for t in data.core_topics] for c in data.companies]
    return charts.heatmap([c.name for c in data.companies], [t.label for t in data.core_topics], counts, hrefs)


def render(data: ReportData, answers_: list[Answer], docs: OntologyDocs, texts: PolicyTexts, footer: str,
           timelines: dict[str, timeline.Timeline] | None = None) -> tuple[dict[str, bytes], list[str]]:
    """Every file of the site by relative path, and the problems worth telling (texts not shown, queries
    that failed). `timelines`: by slug, the companies with more than one version."""
    timelines = timelines or {}
    env = environment()
    problems: list[str] = []
    common = {"data": data, "docs": docs, "footer": footer, "modality_key": lambda m: kebab(m.local)}

    def page(template: str, base: str, **context) -> bytes:
        return env.get_template(template).render(base=base, **common, **context).encode("utf-8")

    by_name = {a.query.name: a for a in answers_}
    files = {
        "index.html": page("index.html", "", heatmap=coverage_heatmap(data),
                           categories=category_chart(data, by_name.get(CATEGORY_QUERY)), category_query=CATEGORY_QUERY,
                           answers=answers_, timelines=timelines),
        "queries/index.html": page("queries.html", "../", answers=answers_),
        "compliance.html": page("compliance.html", ""),
        "ontology/index.html": docs.html.encode("utf-8"),
        "static/report.css": (HERE / "static" / "report.css").read_bytes(),
    }
    for answer in answers_:
        files[f"queries/{answer.query.name}.html"] = page("query.html", "../", answer=answer)
        if answer.error:
            problems.append(f"query {answer.query.name}: {answer.error}")
    for company in data.companies:
        text = texts.get(company.text_source, company.text_sha256)
        if text.problem:
            problems.append(f"{company.slug}: policy text not shown: {text.problem}")
        history = timelines.get(company.slug)
        files[f"companies/{company.slug}.html"] = page("company.html", "../", company=company, sections=sections(data, company),
                                                       timeline=history)
        if history is not None:
            files[f"timelines/{company.slug}.html"] = page("timeline.html", "../", company=company, timeline=history)
        files[f"policies/{company.slug}.html"] = page("policy.html", "../", company=company, text=text, nodes=_nodes(company, text))
    return files, problems


@dataclass
class Section:
    topic: Term
    practices: list[tuple[Practice, bool]]  # (practice, shown here first: this copy carries its anchor)


def sections(data: ReportData, company: Company) -> list[Section]:
    """The company page's sections: every core topic (silent ones too), then the other topics it speaks
    to. A practice under two topics is shown in both; its anchor is on the first."""
    topics = data.core_topics + [t for t in data.topics if t not in data.core_topics and company.practices_in(t)]
    seen: set[str] = set()
    found = []
    for topic in topics:
        practices = [(p, p.iri not in seen) for p in company.practices_in(topic)]
        seen.update(p.iri for p, _ in practices)
        found.append(Section(topic, practices))
    return found


def _nodes(company: Company, text: PolicyText) -> list[marks.Node]:
    if text.text is None:
        return []
    shown = readable_html(text.text) if text.html else None
    return marks.mark(text.text, [(c.id, c.start, c.end) for c in company.clauses.values()], shown)
