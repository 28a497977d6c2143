"""The contradictions query finds PolicyLint's 16 patterns (data x party: equal, narrower, broader,
overlapping), hedges, and ignores the near misses (PoliGraph's refinement and the rest)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph

from privacy_kg import queries
from privacy_kg.build import ontology_quads
from privacy_kg.corpus import Clause, Company, Statement
from privacy_kg.export import nquads
from privacy_kg.mapping import company_graph
from privacy_kg.namespaces import ID, PK, company_graph as graph_name
from privacy_kg.reason import close
from conftest import REPO

RELATIONS = ["equal", "narrower", "broader", "overlapping"]
# (denied, affirmed): the affirmed side is <relation> than/to the denied side
DATA = {"equal": ("ContactData", "ContactData"), "narrower": ("ContactData", "EmailAddress"),
        "broader": ("EmailAddress", "ContactData"), "overlapping": ("Identifier", "AccountCredentials")}
PARTY = {"equal": ("ThirdParty", "ThirdParty"), "narrower": ("ThirdParty", "AdvertisingCompany"),
         "broader": ("AdvertisingCompany", "ThirdParty"), "overlapping": ("AdvertisingCompany", "ServiceProvider")}


def statement(practice, modality, data, party, **extra) -> dict:
    values = {"practice": [PK[practice]], "modality": [PK[modality]], "data": [PK[data]], "recipients": [PK[party]]}
    values.update({k: [PK[v] for v in vs] for k, vs in extra.items()})
    return values


def case_company(slug: str, denied: dict, affirmed: dict, same_clause: bool = False) -> Company:
    first, second = "We state the first thing.", "We state the second thing."
    text = f"{first} {second}"
    clauses = [Clause("first", first, 0, len(first), [Statement(1, denied)])]
    if same_clause:
        clauses[0].statements.append(Statement(2, affirmed))
    else:
        clauses.append(Clause("second", second, len(first) + 1, len(text), [Statement(1, affirmed)]))
    return Company(slug, Path("."), {"name": slug, "sector": "test", "seals": []}, text, "0" * 64, {}, clauses)


PATTERN_CASES = {
    f"{d}-{p}": (case_company(f"lint-{d}-{p}", statement("Disclosure", "DoesNot", DATA[d][0], PARTY[p][0]),
                              statement("Disclosure", "Does", DATA[d][1], PARTY[p][1])), ("contradiction", d, p))
    for d in RELATIONS for p in RELATIONS
}
OTHER_CASES = {
    "hedge": (statement("Disclosure", "DoesNot", "ContactData", "ThirdParty"),
              statement("Disclosure", "May", "EmailAddress", "ThirdParty"), ("hedge", "narrower", "equal")),
    "denying disclosure covers selling": (statement("Disclosure", "DoesNot", "ContactData", "ThirdParty"),
                                          statement("Sale", "Does", "ContactData", "ThirdParty"), ("contradiction", "equal", "equal")),
}
NEAR_MISSES = {
    "denying selling does not cover disclosing": (statement("Sale", "DoesNot", "ContactData", "ThirdParty"), statement("Disclosure", "Does", "ContactData", "ThirdParty")),
    "different purposes": (statement("Disclosure", "DoesNot", "ContactData", "ThirdParty", purposes=["Marketing"]),
                           statement("Disclosure", "Does", "ContactData", "ThirdParty", purposes=["BasicService"])),
    "a purpose on one side only": (statement("Disclosure", "DoesNot", "ContactData", "ThirdParty"),
                                   statement("Disclosure", "Does", "ContactData", "ThirdParty", purposes=["BasicService"])),
    "different conditions": (statement("Disclosure", "DoesNot", "ContactData", "ThirdParty"),
                             statement("Disclosure", "Does", "ContactData", "ThirdParty", conditions=["LegalProcess"])),
    "the stated exception": (statement("Disclosure", "DoesNot", "ContactData", "ThirdParty", unless=["LegalProcess"]),
                             statement("Disclosure", "Does", "ContactData", "LawEnforcement", conditions=["LegalProcess"])),
    "different data subjects": (statement("Disclosure", "DoesNot", "ContactData", "ThirdParty", subjects=["Child"]),
                                statement("Disclosure", "Does", "ContactData", "ThirdParty")),
    "unrelated data": (statement("Disclosure", "DoesNot", "ContactData", "ThirdParty"), statement("Disclosure", "Does", "FinancialData", "ThirdParty")),
    "unrelated parties": (statement("Disclosure", "DoesNot", "ContactData", "LawEnforcement"), statement("Disclosure", "Does", "ContactData", "AdvertisingCompany")),
    "two denials": (statement("Disclosure", "DoesNot", "ContactData", "ThirdParty"), statement("Disclosure", "DoesNot", "EmailAddress", "ThirdParty")),
    "anonymous on one side": (statement("Disclosure", "DoesNot", "ContactData", "ThirdParty"),
                              statement("Disclosure", "Does", "ContactData", "ThirdParty", identifiability=["Anonymous"])),
}


@pytest.fixture(scope="module")
def findings(repo):
    companies = [c for c, _ in PATTERN_CASES.values()]
    companies += [case_company(f"other-{i}", d, a) for i, (d, a, _) in enumerate(OTHER_CASES.values())]
    companies += [case_company(f"miss-{i}", d, a) for i, (d, a) in enumerate(NEAR_MISSES.values())]
    companies.append(case_company("miss-same-clause", *OTHER_CASES["hedge"][:2], same_clause=True))
    # one graph and one reasoner run for all cases (fast); the query pairs statements of one company only
    g = Graph()
    for company in companies:
        g += company_graph(company, repo.vocabulary, repo.keys)
    g += close(g, repo.vocabulary.graph, str(ID)).inferred
    store = ox.Store()
    store.load(nquads([(graph_name("lint"), g)]), format=ox.RdfFormat.N_QUADS)
    store.load(ontology_quads(REPO / "ontology"), format=ox.RdfFormat.N_QUADS)
    result = queries.run_embedded(store, queries.find(REPO / "queries", "contradictions"))
    found: dict[str, set] = {}
    for row in result.rows:
        found.setdefault(row["company"], set()).add((row["kind"], row["dataRelation"], row["partyRelation"]))
    return found


def test_all_sixteen_patterns_are_covered():
    assert len(PATTERN_CASES) == 16


@pytest.mark.parametrize("name", list(PATTERN_CASES))
def test_each_policylint_pattern_is_found(findings, name):
    company, expected = PATTERN_CASES[name]
    assert findings.get(company.slug) == {expected}


@pytest.mark.parametrize("index,name", list(enumerate(OTHER_CASES)))
def test_hedges_and_narrower_actions(findings, index, name):
    assert findings.get(f"other-{index}") == {OTHER_CASES[name][2]}


@pytest.mark.parametrize("index,name", list(enumerate(NEAR_MISSES)))
def test_near_misses_are_not_reported(findings, index, name):
    assert f"miss-{index}" not in findings


def test_the_two_halves_of_one_clause_are_not_a_contradiction(findings):
    assert "miss-same-clause" not in findings
