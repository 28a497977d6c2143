"""The adapter: an OPP-115 policy becomes the corpus records the seeds load into, mapped by the shared
mapping, with the span of each value as provenance (fixture: a made-up policy in the corpus's format)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from rdflib import RDF, Literal, URIRef
from rdflib.namespace import DCTERMS

from opp115_support import FIXTURE, csv_counts, graph_counts
from privacy_kg.corpus import Clause, Company, Statement
from privacy_kg.namespaces import ID, OA, PK
from privacy_kg.opp115.adapter import sector, slug_for
from privacy_kg.opp115.importer import CONSOLIDATED, MAJORITY, RAW, Settings, adapt, import_folder
from privacy_kg.opp115.reader import BAD_INDEX, MISMATCH, MISSING_SPAN, RECOVERED, read_folder
from privacy_kg.problems import InputError

SLUG = "opp115-1-example-com"
C = f"{ID}{SLUG}/"


def adapted(repo, mode=CONSOLIDATED, root=FIXTURE):
    (policy,) = read_folder(root, consolidated=mode == CONSOLIDATED)
    return policy, adapt(policy, Settings(Path(root), repo.ontology_dir, repo.mappings_dir, mode))


def statements(result) -> dict[tuple[str, int], dict]:
    """(clause id, index) -> key -> local names, for readable expectations."""
    return {(c.id, s.index): {k: sorted(str(v).rsplit("#", 1)[-1] for v in vs) for k, vs in s.values.items()}
            for c in result.imported.company.clauses for s in c.statements}


def test_a_policy_becomes_the_records_the_seeds_use(repo):
    policy, result = adapted(repo)
    company = result.imported.company
    assert isinstance(company, Company) and company.slug == SLUG == slug_for(policy)
    assert company.text == policy.text and len(company.text_sha256) == 64
    assert company.metadata == {
        "name": "Example Widgets", "website": "http://example.com/", "sector": "Shopping",
        "source_url": "http://example.com/privacy", "archived_on": dt.date(2015, 7, 2),
        "last_updated": dt.date(2015, 5, 1), "seals": [],
    }
    assert [c.id for c in company.clauses] == [f"segment-{n}" for n in range(5)]
    for clause in company.clauses:
        assert isinstance(clause, Clause) and all(isinstance(s, Statement) for s in clause.statements)
        assert company.text[clause.start:clause.end] == clause.quote  # the segment, verbatim, in the file
        assert all(isinstance(v, URIRef) for s in clause.statements for vs in s.values.values() for v in vs)
    assert not result.problems and result.below_quorum == 0


def test_values_become_statement_keys(repo):
    _, result = adapted(repo)
    got = statements(result)
    assert got["segment-1", 1] == {"practice": ["CollectionOnWebsite"], "modality": ["Does"], "collection_mode": ["Explicit"],
                                   "data": ["ContactData"], "subjects": ["AccountHolder"]}
    assert got["segment-1", 2]["practice"] == ["CollectionOrUse"]  # Action First-Party: Unspecified
    assert got["segment-2", 1] == {"practice": ["Disclosure"], "modality": ["DoesNot"], "data": ["PersonalData"], "recipients": ["ThirdParty"]}
    assert got["segment-2", 2] == {"practice": ["ThirdPartyCollection"], "modality": ["Does"], "data": ["TrackingData"],
                                   "purposes": ["Advertising"], "actor": ["ThirdParty"]}  # the third party acts
    assert got["segment-3", 1]["choice_scope"] == ["FirstPartyUseScope"] and got["segment-3", 1]["choices"] == ["OptOutLink"]
    assert got["segment-3", 2] == {"practice": ["DoNotTrackHonoured"], "modality": ["Does"]}
    assert got["segment-4", 1]["practice"] == ["ContactForPrivacy"]
    assert got["segment-4", 2]["retention"] == ["LimitedPeriod"]


def test_counts_per_category_and_modality_equal_the_csv(repo):
    _, result = adapted(repo)
    assert graph_counts(result.graph, repo.vocabulary) == csv_counts(FIXTURE / "consolidation" / "1_example.com.csv")


def test_the_third_party_actor_is_an_individual_of_its_class(repo):
    _, result = adapted(repo)
    g, practice = result.graph, URIRef(C + "practice/segment-2-2")
    actor = g.value(practice, PK.hasActor)
    assert actor == URIRef(C + "party/third-party") and (actor, RDF.type, PK.ThirdParty) in g


def test_a_third_party_that_acts_unnamed_is_still_a_third_party(repo, tmp_path):
    root = copy_fixture(tmp_path)
    path = root / "consolidation" / "1_example.com.csv"
    text = path.read_text(encoding="utf-8")
    named = '""Third Party Entity"": {""selectedText"": ""Advertisers"", ""startIndexInSegment"": 63, ""endIndexInSegment"": 74, ""value"": ""Unnamed third party""}'
    assert named in text
    path.write_text(text.replace(named, '""Third Party Entity"": {""startIndexInSegment"": -1, ""endIndexInSegment"": -1, ""value"": ""Unspecified""}'), encoding="utf-8")
    _, result = adapted(repo, root=root)
    assert statements(result)["segment-2", 2]["actor"] == ["ThirdParty"]  # not the company itself


def test_the_text_is_described_as_the_corpus_html(repo):
    _, result = adapted(repo)
    text = URIRef(C + "policy/text")
    assert result.graph.value(text, DCTERMS.source) == Literal("OPP-115 sanitized_policies/1_example.com.html")
    assert result.graph.value(text, DCTERMS["format"]) == Literal("text/html")


def test_every_placed_span_is_provenance_with_offsets_into_the_text(repo):
    policy, result = adapted(repo)
    g = result.graph
    spans = set(g.subjects(RDF.type, PK.AttributeSpan))
    assert len(spans) == 23  # 19 placed spans + 4 errata that could not be placed
    for span in spans:
        assert (span, RDF.type, OA.SpecificResource) in g and g.value(span, OA.hasSource) == URIRef(C + "policy/text")
        selectors = set(g.objects(span, OA.hasSelector))
        if g.value(span, PK.spanErratum) in (Literal(MISSING_SPAN), Literal(BAD_INDEX), Literal(MISMATCH)):
            assert not selectors
            continue
        position = next(s for s in selectors if (s, RDF.type, OA.TextPositionSelector) in g)
        quote = next(s for s in selectors if (s, RDF.type, OA.TextQuoteSelector) in g)
        start, end = g.value(position, OA.start).toPython(), g.value(position, OA.end).toPython()
        assert str(g.value(quote, OA.exact)) == policy.text[start:end]
    email = URIRef(C + "practice/segment-1-1/span/personal-information-type-1")
    assert g.value(email, PK.opp115Attribute) == Literal("Personal Information Type") and g.value(email, PK.opp115Value) == Literal("Contact")
    assert str(g.value(URIRef(str(email) + "/quote"), OA.exact)) == "<b>email address</b>"
    found = URIRef(C + "practice/segment-2-1/span/personal-information-type-1")
    assert g.value(found, PK.spanErratum) == Literal(BAD_INDEX + RECOVERED)
    assert (URIRef(C + "practice/segment-2-1"), PK.opp115AnnotationId, Literal("C4")) in g


def test_raw_mode_imports_every_annotators_practice(repo):
    _, result = adapted(repo, RAW)
    assert sum(len(c.statements) for c in result.imported.company.clauses) == 9


def test_majority_keeps_what_two_of_three_annotators_agree_on(repo):
    _, result = adapted(repo, MAJORITY)
    got = statements(result)
    assert got == {
        ("segment-1", 1): {"practice": ["CollectionOrUse"], "modality": ["Does"], "data": ["ContactData"], "purposes": ["Marketing"]},
        ("segment-2", 1): {"practice": ["OtherStatement"], "modality": ["Does"]},  # Other, types disagree
        ("segment-3", 1): {"practice": ["CollectionOrUse"], "modality": ["DoesNot"]},
    }
    assert result.below_quorum == 1  # segment 2's Third Party Sharing/Collection: one annotator
    g = result.graph
    practice = URIRef(C + "practice/segment-1-1")
    assert {str(o) for o in g.objects(practice, PK.opp115AnnotationId)} == {"101", "102", "103"}
    contact = [s for s in g.objects(practice, PK.hasAttributeSpan) if g.value(s, PK.opp115Value) == Literal("Contact")]
    assert len(contact) == 3  # each annotator's span backs the voted value


def test_sector_is_the_most_frequent_non_geographic_dmoz_category():
    assert sector(["Regional: US: X", "Arts: A", "Regional: US: Y", "Science: B", "Arts: C"]) == "Arts"
    assert sector(["Regional: US: X"]) == "Regional" and sector([]) == "unclassified"


def copy_fixture(tmp_path: Path) -> Path:
    root = tmp_path / "opp115"
    shutil.copytree(FIXTURE, root)
    return root


def test_a_value_outside_the_scheme_is_a_problem_naming_file_and_line(repo, tmp_path):
    root = copy_fixture(tmp_path)
    path = root / "consolidation" / "1_example.com.csv"
    path.write_text(path.read_text(encoding="utf-8").replace('"Limited"', '"Forever"'), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        import_folder(root, repo)
    (problem,) = caught.value.problems
    assert problem.file.endswith("consolidation/1_example.com.csv") and problem.line == 9
    assert "annotation 9: Data Retention: Retention Period: value 'Forever' is not in opp115.yaml" in problem.message


def test_bad_documentation_dates_are_problems(repo, tmp_path):
    root = copy_fixture(tmp_path)
    path = root / "documentation" / "policies_opp115.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("2015-07-02", "July 2015"), encoding="utf-8")
    with pytest.raises(InputError, match="collection date 'July 2015' is not a date"):
        import_folder(root, repo)
