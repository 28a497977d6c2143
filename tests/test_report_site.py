from __future__ import annotations

from privacy_kg import queries
from privacy_kg.report import charts, site
from privacy_kg.report.data import Attribute, Clause, Company, Finding, Practice, RegulatoryProfile, ReportData, RequiredItem, Term
from privacy_kg.report.ontology_docs import OntologyDocs
from privacy_kg.report.texts import PolicyText

EVIL = '<script>alert("x")</script>'
TEXT = f"Intro {EVIL}. We sell {EVIL} data."


class FixedText:
    def get(self, source: str, sha256: str) -> PolicyText:
        return PolicyText(TEXT)


def hostile_data() -> ReportData:
    topic, does = Term("pk:Sales", f"sale {EVIL}", EVIL), Term("pk:Does", "does", EVIL)
    start = TEXT.index("We sell")
    clause = Clause(f"c{EVIL}", start, len(TEXT), TEXT[start:])
    practice = Practice("id:acme/practice/p-1", does, [clause.id], [EVIL], [Term("pk:Sale", EVIL)], [topic],
                        [Attribute(Term("pk:hasDataType", f"has {EVIL}"), [Term("id:acme/data/x", EVIL)])])
    company = Company("id:acme", "acme", EVIL, {"website": "javascript:alert(1)", "sector": EVIL}, "corpus/acme/policy.txt", "",
                      [Term("pk:TRUSTe", EVIL)], [practice], {clause.id: clause}, [Finding("Warning", EVIL, EVIL)], [EVIL],
                      {"p": {"i": EVIL}})
    return ReportData([company], [topic], [topic], [does], True, [RegulatoryProfile("p", EVIL, [RequiredItem("i", EVIL, EVIL)])])


def test_everything_from_the_graph_and_the_queries_is_escaped(tmp_path):
    stored = queries.StoredQuery("q", tmp_path / "q.rq", EVIL, EVIL, f"SELECT * {{}} # {EVIL}")
    answers = [site.Answer(stored, queries.Result(["v"], [{"v": EVIL}])), site.Answer(stored, None, EVIL)]
    files, problems = site.render(hostile_data(), answers, OntologyDocs("<html></html>", frozenset()), FixedText(), EVIL)
    assert problems == [f"query q: {EVIL}"]
    for rel, content in files.items():
        if rel.endswith(".html") and rel != "ontology/index.html":
            page = content.decode("utf-8")
            assert "<script" not in page and 'href="javascript:' not in page, rel
            assert "&lt;script&gt;" in page, rel
    assert 'id="clause-c&lt;script&gt;' in files["policies/acme.html"].decode("utf-8")


def test_the_heatmap_scales_colour_with_the_count_and_greys_silence():
    heat = charts.heatmap(["A", "B"], ["t1", "t2"], [[0, 4], [1, 16]], [["a1", "a2"], ["b1", "b2"]])
    fills = [c.fill for c in heat.cells]
    assert fills[0] == "#eeeeee" and fills[3] == charts.colour(1.0) and len(set(fills)) == 4
    assert heat.cells[0].title == "A, t1: 0 practices (silent)" and heat.maximum == 16
    assert heat.width > heat.left + 2 * heat.cell  # room for the slanted column labels


def test_the_bars_share_one_scale():
    chart = charts.bars([("contact data", 5, ""), ("location", 1, "")], 5, plot=100)
    assert [b.width for b in chart.bars] == [100, 20]
    assert [v for _, v in chart.ticks] == [0, 1, 2, 3, 4, 5]


class NoText:
    def get(self, source: str, sha256: str) -> PolicyText:
        return PolicyText(None, "the text has gone")


def test_without_the_text_the_policy_page_still_anchors_every_quote(tmp_path):
    data = hostile_data()
    files, problems = site.render(data, [], OntologyDocs("<html></html>", frozenset()), NoText(), "")
    assert problems == ["acme: policy text not shown: the text has gone"]
    policy = files["policies/acme.html"].decode("utf-8")
    assert "the text has gone" in policy
    assert 'id="clause-c&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;">We sell &lt;script&gt;' in policy
