"""The metadata of a current policy recorded by Open Terms Archive: where the text was recorded (`ota`),
its licence and attribution, its format, and the jurisdictions the company addresses (issue 17 item 2)."""

from __future__ import annotations

from rdflib import DCTERMS, Literal, URIRef

from privacy_kg.mapping import company_triples
from privacy_kg.namespaces import PK, company_iri, node
from test_corpus import edit, problems_of

OTA = """ota:
  repository: https://github.com/OpenTermsArchive/contrib-versions
  service: Acme
  commit: 63211e75f1567ea30da1363059c3b4d0af5bf820
  snapshot: https://github.com/OpenTermsArchive/contrib-snapshots/commit/67c3bcbb43aa38df6da5b8e8461d94fa0760667e
format: text/markdown
attribution: Open Terms Archive contributors
licence: https://opendatacommons.org/licenses/by/1-0/
jurisdictions: [EuropeanUnion, California]
"""


def with_metadata(make_project, extra: str):
    project = make_project("acme")
    edit(project, "acme", "metadata.yaml", "parties: {}", "parties: {}\n" + extra)
    return project


def test_ota_licence_format_and_jurisdictions_become_triples(make_project):
    [company] = with_metadata(make_project, OTA).companies()
    triples = set(company_triples(company))
    policy, text = node("acme", "policy"), node("acme", "policy", "text")
    assert (company_iri("acme"), PK.operatesIn, PK.EuropeanUnion) in triples
    assert (company_iri("acme"), PK.operatesIn, PK.California) in triples
    assert (policy, PK.otaCommit, Literal("63211e75f1567ea30da1363059c3b4d0af5bf820")) in triples
    assert (policy, PK.otaService, Literal("Acme")) in triples
    assert (policy, PK.otaSnapshot, Literal("https://github.com/OpenTermsArchive/contrib-snapshots/commit/"
                                            "67c3bcbb43aa38df6da5b8e8461d94fa0760667e")) in triples
    assert (policy, DCTERMS.license, URIRef("https://opendatacommons.org/licenses/by/1-0/")) in triples
    assert (policy, PK.attribution, Literal("Open Terms Archive contributors")) in triples
    assert (text, DCTERMS["format"], Literal("text/markdown")) in triples


def test_plain_metadata_keeps_plain_text_and_no_provenance(make_project):
    [company] = make_project("acme").companies()
    triples = set(company_triples(company))
    assert (node("acme", "policy", "text"), DCTERMS["format"], Literal("text/plain")) in triples
    assert not any(p in (PK.otaCommit, PK.operatesIn, DCTERMS.license) for _, p, _ in triples)


def test_bad_ota_fields_are_errors_naming_the_line(make_project):
    bad = OTA.replace("commit: 63211e75f1567ea30da1363059c3b4d0af5bf820", "commit: abc").replace(
        "repository: https", "repository: ftp").replace("  service: Acme\n", "")
    problems = problems_of(with_metadata(make_project, bad))
    assert any("ota commit must be a full 40-character git hash, not 'abc'" in p for p in problems)
    assert any("ota repository must be an absolute http(s) URL" in p for p in problems)
    assert any("missing ota field 'service'" in p for p in problems)
    assert all("acme/metadata.yaml:" in p for p in problems)


def test_unknown_jurisdiction_names_the_nearest_terms(make_project):
    [problem] = problems_of(with_metadata(make_project, "jurisdictions: [Californa]\n"))
    assert "acme/metadata.yaml:" in problem and "California" in problem


def test_unknown_format_and_a_licence_that_is_not_a_url_are_errors(make_project):
    problems = problems_of(with_metadata(make_project, "format: text/html\nlicence: ODC-BY-1.0\n"))
    assert any("format must be one of text/plain, text/markdown, not 'text/html'" in p for p in problems)
    assert any("licence must be an absolute http(s) URL, not 'ODC-BY-1.0'" in p for p in problems)
