"""mappings/opp115.yaml covers the whole OPP-115 scheme with valid ontology terms; the ontology's OPP-115
additions are documented like every other term; a wrong table is refused with file and line."""

from __future__ import annotations

import re
import shutil

import pytest
from rdflib import RDFS, Graph, Literal
from rdflib.namespace import SKOS

from conftest import REPO
from opp115_support import opp115_path  # noqa: F401  (a fixture)
from privacy_kg.namespaces import PK, VS
from privacy_kg.opp115.scheme import SCHEME_FILE, read_scheme
from privacy_kg.opp115.table import TABLE_FILE, load_table
from privacy_kg.problems import InputError

ADDITIONS = "#### OPP-115 alignment additions"


@pytest.fixture(scope="module")
def table(repo):
    return load_table(repo.mappings_dir, repo.vocabulary, repo.keys)


def test_every_value_of_the_real_scheme_is_mapped(table, opp115_path):
    scheme = read_scheme(opp115_path / SCHEME_FILE)
    assert len(scheme) > 200 and len({v.category for v in scheme}) == 10
    unmapped = [f"{v.category} / {v.attribute} / {v.value}" for v in scheme if table.entry(v.category, v.attribute, v.value) is None]
    assert not unmapped, "values of the OPP-115 scheme missing from mappings/opp115.yaml:\n" + "\n".join(unmapped)


def test_the_table_maps_nothing_the_scheme_lacks(table, opp115_path):
    scheme = {(v.category, v.attribute, v.value) for v in read_scheme(opp115_path / SCHEME_FILE)}
    categories = {c for c, _, _ in scheme}
    assert set(table.categories) == categories
    for name, category in table.categories.items():
        for attribute, values in category.values.items():
            stale = [v for v in values if (name, attribute, v) not in scheme]
            assert not stale, f"{name} / {attribute}: {stale} are not in the scheme"
    for attribute, values in table.shared.items():
        for value in values:
            assert any((c, attribute, value) in scheme for c in categories), f"shared {attribute} / {value} is used by no category"


def test_scheme_reader_on_a_small_made_up_scheme(tmp_path):
    path = tmp_path / "scheme.xml"
    path.write_text(
        '<?xml version="1.0"?><categories xmlns="http://www.w3schools.com"><category><name>Cat A</name>'
        "<attributes><attribute><name>Attr</name><values><value><name>One</name></value>"
        "<value><name> Two </name></value></values></attribute></attributes></category></categories>")
    assert [(v.category, v.attribute, v.value) for v in read_scheme(path)] == [("Cat A", "Attr", "One"), ("Cat A", "Attr", "Two")]
    path.write_text("<categories")
    with pytest.raises(InputError, match="unreadable scheme"):
        read_scheme(path)


def test_values_map_to_the_expected_terms(table):
    assert table.entry("First Party Collection/Use", "Does/Does Not", "Does Not") == {"modality": [PK.DoesNot]}
    assert table.entry("Third Party Sharing/Collection", "Personal Information Type", "User Profile") == {"data": [PK.AccountData]}
    collect = table.entry("Third Party Sharing/Collection", "Action Third Party", "Collect on first party website/app")
    assert collect == {"practice": [PK.ThirdPartyCollection], "party_role": ["actor"]}
    assert table.entry("Third Party Sharing/Collection", "Choice Scope", "Collection") == {"choice_scope": [PK.ThirdPartySharingScope]}
    assert table.entry("First Party Collection/Use", "Choice Scope", "Collection") == {"choice_scope": [PK.FirstPartyCollectionScope]}
    assert table.entry("Data Security", "Security Measure", "Unspecified") == {}
    assert table.categories["Other"].practice == PK.OtherStatement
    assert table.defaults == {"modality": [PK.Does]}


def additions(repo) -> Graph:
    text = (repo.ontology_dir / "privacy-kg.ttl").read_text(encoding="utf-8")
    assert text.count(ADDITIONS) == 1
    prefixes = "".join(line + "\n" for line in text.splitlines() if line.startswith("@prefix"))
    return Graph().parse(data=prefixes + text.split(ADDITIONS, 1)[1], format="turtle")


def test_the_ontology_additions_come_last_and_are_fully_documented(repo):
    g = additions(repo)
    terms = sorted({s for s in g.subjects() if str(s).startswith(str(PK))})
    assert len(terms) >= 39  # pk:NamedThirdParty, defined again here by mistake, is defined once, earlier (issue 16)
    for term in terms:
        assert any(l.language == "en" for l in g.objects(term, RDFS.label)), term
        assert any(d.language == "en" for d in g.objects(term, SKOS.definition)), term
        assert g.value(term, VS.term_status) == Literal("stable"), term
        assert g.value(term, PK.opp115), term


def test_every_addition_is_used_by_the_table_or_the_provenance(repo, table):
    used = {t for e in _entries(table) for ts in e.values() for t in ts} | {c.practice for c in table.categories.values()}
    provenance = {PK.AttributeSpan, PK.hasAttributeSpan, PK.opp115Attribute, PK.opp115Value, PK.spanErratum,
                  PK.opp115AnnotationId, PK.ChoiceScope, PK.hasChoiceScope}
    unused = sorted(t for t in set(additions(repo).subjects()) if str(t).startswith(str(PK)) and t not in used | provenance)
    assert not unused


def _entries(table):
    for values in list(table.shared.values()) + [v for c in table.categories.values() for v in c.values.values()]:
        yield from values.values()


def broken_table(tmp_path, old: str, new: str):
    mappings = tmp_path / "mappings"
    shutil.copytree(REPO / "mappings", mappings)
    path = mappings / TABLE_FILE
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    line = text.split(old, 1)[0].count("\n") + 1
    return mappings, line


def test_an_unknown_tag_names_file_line_and_nearest_terms(repo, tmp_path):
    mappings, line = broken_table(tmp_path, "Health: {data: HealthData}", "Health: {data: HelthData}")
    with pytest.raises(InputError) as caught:
        load_table(mappings, repo.vocabulary, repo.keys)
    (problem,) = caught.value.problems
    assert problem.line == line and "unknown tag 'HelthData'" in problem.message and "HealthData" in problem.message
    assert str(problem).startswith(f"{mappings / TABLE_FILE}:{line}: values: Personal Information Type: Health")


def test_unknown_keys_roles_and_single_values_are_refused(repo, tmp_path):
    mappings, _ = broken_table(tmp_path, "Explicit: {collection_mode: Explicit}", "Explicit: {mode: Explicit, party_role: owner}")
    with pytest.raises(InputError) as caught:
        load_table(mappings, repo.vocabulary, repo.keys)
    messages = " / ".join(p.message for p in caught.value.problems)
    assert "unknown statement key 'mode'" in messages and "party_role must be one of actor, recipients" in messages
    mappings, _ = broken_table(tmp_path / "2", "Does Not: {modality: DoesNot}", "Does Not: {modality: [DoesNot, May]}")
    with pytest.raises(InputError, match=re.escape("'modality' takes one value")):
        load_table(mappings, repo.vocabulary, repo.keys)
