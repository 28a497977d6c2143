"""The regulatory completeness profiles (mappings/regulatory-profiles.yaml): the complyco fixture states every
item and gets no profile warning; each case below removes an item and gets exactly that item's warning,
with its article; conditional items without their condition are not applicable; the profiles apply only
in scope (by the metadata's jurisdictions or a cited law), never to the seeds; and the generated shapes
and stored query are those of the profiles file."""

from __future__ import annotations

import re

import pytest
from rdflib import RDF, Graph

from conftest import COMPANIES, FIXTURES, REPO, SEEDS
from privacy_kg import compliance, profile_sparql
from privacy_kg.closure import plain_triples
from privacy_kg.corpus import load_corpus
from privacy_kg.mapping import company_graph
from privacy_kg.namespaces import ID, PK
from privacy_kg.problems import InputError
from privacy_kg.profiles import load_profiles
from privacy_kg.reason import close
from privacy_kg.scope import laws_in_scope
from privacy_kg.validate import CompanyValidation, check

PREFIXES = "PREFIX pk: <https://w3id.org/privacy-kg/ontology#> PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n"

# The golden warnings, written out (not read from the profiles file).
G = {
    "controller": "silent on the controller's identity and contact details (GDPR Art. 13(1)(a))",
    "dpo-contact": "silent on the contact details of the data protection officer (GDPR Art. 13(1)(b))",
    "purposes-legal-basis": "silent on the purposes with their legal basis (GDPR Art. 13(1)(c))",
    "legitimate-interests": "silent on the legitimate interests pursued (GDPR Art. 13(1)(d))",
    "recipients": "silent on the recipients or categories of recipients (GDPR Art. 13(1)(e))",
    "transfers": "silent on transfers to third countries and their safeguards (GDPR Art. 13(1)(f))",
    "retention": "silent on the retention period or the criteria used to determine it (GDPR Art. 13(2)(a))",
    "right-of-access": "silent on the right of access (GDPR Art. 15)",
    "right-to-rectification": "silent on the right to rectification (GDPR Art. 16)",
    "right-to-erasure": "silent on the right to erasure (GDPR Art. 17)",
    "right-to-restriction": "silent on the right to restriction of processing (GDPR Art. 18)",
    "right-to-data-portability": "silent on the right to data portability (GDPR Art. 20)",
    "right-to-object": "silent on the right to object (GDPR Art. 21(1))",
    "withdraw-consent": "silent on the right to withdraw consent (GDPR Art. 7(3), Art. 13(2)(c))",
    "complaint": "silent on the right to lodge a complaint with a supervisory authority (GDPR Art. 77, Art. 13(2)(d))",
    "provision-requirement": "silent on whether providing the data is a requirement, and the consequences of not providing it (GDPR Art. 13(2)(e))",
    "automated-decisions": "silent on automated decision-making, profiling included (GDPR Art. 22, Art. 13(2)(f))",
    "data-from-other-sources": "silent on the categories of personal data obtained from other sources (GDPR Art. 14(1)(d))",
}
C = {
    "categories-collected": "silent on the categories of personal information collected (CCPA §1798.130(a)(5)(B)(i))",
    "sources": "silent on the categories of sources of personal information (CCPA §1798.130(a)(5)(B)(ii))",
    "business-purposes": "silent on the business or commercial purposes (CCPA §1798.130(a)(5)(B)(iii))",
    "sold-or-shared": "silent on the categories of personal information sold or shared and to whom, or that none is (CCPA §1798.130(a)(5)(C)(i))",
    "retention": "silent on the retention period or criteria for each category of personal information (CCPA §1798.100(a)(3))",
    "right-to-know": "silent on the right to know (CCPA §§1798.100, 1798.110, 1798.115)",
    "right-to-delete": "silent on the right to delete (CCPA §1798.105)",
    "right-to-correct": "silent on the right to correct (CCPA §1798.106)",
    "right-to-opt-out": "silent on the right to opt out of sale or sharing, or that nothing is sold or shared (CCPA §1798.120)",
    "right-to-limit": "silent on the right to limit the use of sensitive personal information, or that none is collected (CCPA §1798.121)",
    "non-discrimination": "silent on the right to non-discrimination (CCPA §1798.125)",
    "request-methods": "silent on two or more methods for submitting requests (CCPA §1798.130(a)(1))",
    "opt-out-link-or-signal": "silent on the opt-out link or opt-out preference signals, or that nothing is sold or shared (CCPA §1798.135(a)-(b))",
    "policy-date": "silent on a last-updated date within the 12 months before the policy was recorded (CCPA §1798.130(a)(5))",
}


def right(name: str) -> str:
    return f"DELETE WHERE {{ ?p pk:hasRight c:data-subject-right/{name} }}"


SELL_TO_PROVIDERS = ("DELETE DATA { c:practice/no-sale-1 pk:hasModality pk:DoesNot . c:practice/no-sale-1 a pk:DeniedPractice } ; "
                     "INSERT DATA { c:practice/no-sale-1 pk:hasModality pk:Does ; pk:hasRecipient c:party/service-provider }")


def last_updated(date: str) -> str:
    return f'DELETE WHERE {{ c:policy pk:lastUpdated ?d }} ; INSERT DATA {{ c:policy pk:lastUpdated "{date}"^^xsd:date }}'


# (case, SPARQL update of the complete graph, the profile warnings it must add: exactly these)
CASES = [
    ("controller without contact", "DELETE WHERE { c:practice/controller-1 pk:hasContactPoint ?x }", {G["controller"]}),
    ("no controller", "DELETE WHERE { ?p pk:hasRole pk:Controller }", {G["controller"]}),
    ("DPO named without contact", "DELETE WHERE { c:practice/dpo-1 pk:hasContactPoint ?x }", {G["dpo-contact"]}),
    ("no legal basis", "DELETE WHERE { ?p pk:hasLegalBasis ?b }", {G["purposes-legal-basis"]}),
    ("legitimate interests without purpose", "DELETE WHERE { c:practice/purposes-2 pk:hasPurpose ?x }", {G["legitimate-interests"]}),
    ("recipients not named", "DELETE WHERE { c:practice/sharing-1 pk:hasRecipient ?x }", {G["recipients"]}),
    ("transfer without safeguard", "DELETE WHERE { c:practice/transfers-1 pk:hasTransferMechanism ?x }", {G["transfers"]}),
    ("no word on transfers", "DELETE WHERE { c:practice/transfers-1 ?p ?o }", {G["transfers"]}),
    ("no retention rule", "DELETE WHERE { ?p pk:hasRetentionCriterion ?c } ; DELETE WHERE { ?p pk:hasRetentionPeriod ?d }",
     {G["retention"], C["retention"]}),
    ("no right of access", right("right-of-access"), {G["right-of-access"]}),
    ("no right to rectification", right("right-to-rectification"), {G["right-to-rectification"]}),
    ("no right to erasure", right("right-to-erasure"), {G["right-to-erasure"]}),
    ("no right to restriction", right("right-to-restriction"), {G["right-to-restriction"]}),
    ("no right to portability", right("right-to-data-portability"), {G["right-to-data-portability"]}),
    ("no right to object", right("right-to-object"), {G["right-to-object"]}),
    ("consent without withdrawal", right("right-to-withdraw-consent"), {G["withdraw-consent"]}),
    ("no complaint", right("right-to-lodge-complaint"), {G["complaint"]}),
    ("no provision requirement", "DELETE WHERE { c:practice/provision-1 ?p ?o }", {G["provision-requirement"]}),
    ("no word on automated decisions", "DELETE WHERE { c:practice/automated-1 ?p ?o }", {G["automated-decisions"]}),
    ("data from partners, categories unnamed", "DELETE WHERE { c:practice/referral-1 pk:hasDataType ?d }", {G["data-from-other-sources"]}),
    ("no category collected", "DELETE { ?p pk:hasDataType ?d } WHERE { ?p a pk:CollectionAndUse ; pk:hasModality pk:Does ; pk:hasDataType ?d }",
     {C["categories-collected"], G["data-from-other-sources"]}),
    ("no source", "DELETE WHERE { ?p pk:hasCollectionMode ?m } ; DELETE WHERE { c:practice/referral-1 ?p ?o }", {C["sources"]}),
    ("no purpose", "DELETE WHERE { ?p pk:hasPurpose ?x }",
     {C["business-purposes"], G["purposes-legal-basis"], G["legitimate-interests"]}),
    ("no word on sale or sharing", "DELETE WHERE { c:practice/no-sale-1 ?p ?o }", {C["sold-or-shared"]}),
    ("a collected category without retention",
     "DELETE WHERE { c:practice/retention-1 pk:hasDataType ?d } ; INSERT DATA { c:practice/retention-1 pk:hasDataType c:data-type/account-data }",
     {C["retention"]}),
    ("no right to know", right("right-to-know"), {C["right-to-know"]}),
    ("no right to delete", right("right-to-delete"), {C["right-to-delete"]}),
    ("no right to correct", right("right-to-correct"), {C["right-to-correct"]}),
    ("sells, no right to opt out", right("right-to-opt-out-of-sale-or-sharing") + " ; " + SELL_TO_PROVIDERS, {C["right-to-opt-out"]}),
    ("no word on sensitive data", "DELETE WHERE { c:practice/no-sensitive-1 ?p ?o }", {C["right-to-limit"]}),
    ("no right to non-discrimination", right("right-to-non-discrimination"), {C["non-discrimination"]}),
    ("one request method", "DELETE WHERE { ?p pk:hasRequestMethod c:request-method/web-form-request } ; "
                           "DELETE WHERE { ?p pk:hasRequestMethod c:request-method/email-request }", {C["request-methods"]}),
    ("sells, no opt-out link or signal", "DELETE WHERE { c:practice/gpc-1 ?p ?o } ; " + SELL_TO_PROVIDERS, {C["opt-out-link-or-signal"]}),
    ("updated 12 months and a day before it was recorded", last_updated("2025-01-31"), {C["policy-date"]}),
    ("updated 12 months and 14 days before, same month", last_updated("2025-01-18") + ' ; DELETE WHERE { c:policy pk:archivedOn ?r } ; '
     'INSERT DATA { c:policy pk:archivedOn "2026-02-01"^^xsd:date }', {C["policy-date"]}),
    ("no last-updated date", "DELETE WHERE { c:policy pk:lastUpdated ?d }", {C["policy-date"]}),
    # the other ways of stating an item, and the conditions of conditional items: no warning
    ("transfers denied", "DELETE WHERE { c:practice/transfers-1 pk:hasTransferMechanism ?x } ; "
                         "DELETE DATA { c:practice/transfers-1 pk:hasModality pk:Does . c:practice/transfers-1 a pk:AffirmedPractice } ; "
                         "INSERT DATA { c:practice/transfers-1 pk:hasModality pk:DoesNot }", set()),
    ("sells, with categories and recipients", SELL_TO_PROVIDERS, set()),
    ("two request methods", "DELETE WHERE { ?p pk:hasRequestMethod c:request-method/toll-free-number-request }", set()),
    ("updated exactly 12 months before", last_updated("2025-02-01"), set()),
    ("no recorded date: any last-updated date", last_updated("2019-01-01") + " ; DELETE WHERE { c:policy pk:archivedOn ?r }", set()),
    ("no DPO named", "DELETE WHERE { ?p pk:hasRole pk:DataProtectionOfficer }", set()),
    ("no legitimate interests claimed", "DELETE WHERE { c:practice/purposes-2 pk:hasLegalBasis ?b }", set()),
    ("no consent claimed, no withdrawal", "DELETE WHERE { c:practice/newsletter-1 pk:hasLegalBasis ?b } ; " + right("right-to-withdraw-consent"), set()),
    ("nothing obtained from others", "DELETE WHERE { c:practice/referral-1 ?p ?o }", set()),
    ("non-personal data collected, kept without a rule", "INSERT DATA { c:practice/collection-2 pk:hasDataType c:data-type/non-personal-data . "
     'c:data-type/non-personal-data a pk:NonPersonalData ; pk:tag pk:NonPersonalData ; <http://www.w3.org/2000/01/rdf-schema#label> "non-personal data" }',
     set()),
    ("only non-personal data collected", "DELETE { ?p pk:hasDataType ?d } WHERE { ?p a pk:CollectionAndUse ; pk:hasModality pk:Does ; pk:hasDataType ?d } ; "
     "INSERT DATA { c:practice/collection-2 pk:hasDataType c:data-type/non-personal-data . c:data-type/non-personal-data a pk:NonPersonalData ; "
     'pk:tag pk:NonPersonalData ; <http://www.w3.org/2000/01/rdf-schema#label> "non-personal data" }',
     {C["categories-collected"], G["data-from-other-sources"]}),
]
NOT_APPLICABLE = {  # case -> (profile, item) the case makes not applicable
    "no DPO named": ("gdpr", "dpo-contact"),
    "no legitimate interests claimed": ("gdpr", "legitimate-interests"),
    "no consent claimed, no withdrawal": ("gdpr", "withdraw-consent"),
    "nothing obtained from others": ("gdpr", "data-from-other-sources"),
    "no legal basis": ("gdpr", "legitimate-interests"),
}


@pytest.fixture(scope="module")
def complete(repo) -> Graph:
    """The complyco fixture's graph with its closure."""
    [company] = [c for c in load_corpus(FIXTURES / "corpus", repo.vocabulary, repo.keys, ["complyco"])]
    asserted = company_graph(company, repo.vocabulary, repo.keys)
    return asserted + close(asserted, repo.vocabulary.graph, str(ID["complyco"])).inferred


def validated(graph: Graph) -> CompanyValidation:
    """The production path: the compiled shapes, the consistency check (a variant must stay consistent: a
    changed modality drops its old modality class too) and the compliance matrix."""
    v = check("complyco", plain_triples(graph), set(), REPO / "ontology")
    assert not v.inconsistencies
    return v


def variant(complete: Graph, update: str) -> Graph:
    bad = Graph() + complete
    bad.update(PREFIXES + re.sub(r"\bc:([\w/-]+)", r"<https://w3id.org/privacy-kg/id/complyco/\1>", update))  # c:x = the fixture's x
    assert set(bad) != set(complete), "the fixture update changed nothing"
    return bad


def profile_warnings(v: CompanyValidation) -> set[str]:
    found = [f for f in v.findings if f.profile]
    assert all(f.severity == "Warning" and f.focus == str(ID["complyco"]) for f in found)
    return {f.message for f in found}


def test_the_complete_policy_states_every_item_and_gets_no_profile_warning(complete):
    v = validated(complete)
    assert not [f for f in v.findings if f.severity == "Violation"]
    assert profile_warnings(v) == set()
    assert v.compliance == {"gdpr": {i: compliance.STATED for i in G}, "ccpa": {i: compliance.STATED for i in C}}
    assert {f.message for f in v.findings} == {"silent on children and specific audiences", "silent on data security", "silent on policy change"}


@pytest.mark.parametrize("case,update,expected", CASES, ids=[c[0] for c in CASES])
def test_each_silence_is_exactly_its_warning_with_its_article(complete, case, update, expected):
    v = validated(variant(complete, update))
    assert profile_warnings(v) == expected
    silent = {(p, i) for p, row in v.compliance.items() for i, status in row.items() if status == compliance.SILENT}
    assert {(G if p == "gdpr" else C)[i] for p, i in silent} == expected
    if case in NOT_APPLICABLE:
        profile, item = NOT_APPLICABLE[case]
        assert v.compliance[profile][item] == compliance.NOT_APPLICABLE


def test_every_item_has_a_case_that_silences_it():
    silenced = set().union(*(expected for _, _, expected in CASES))
    assert silenced == set(G.values()) | set(C.values())


def test_the_golden_messages_are_the_profiles_items(repo):
    profiles = {p.id: p for p in load_profiles(repo.mappings_dir, repo.vocabulary, repo.keys)}
    assert {i.id: i.message for i in profiles["gdpr"].items} == G
    assert {i.id: i.message for i in profiles["ccpa"].items} == C


# -- scope ---------------------------------------------------------------------------------------------

GDPR_LAWS = {PK.GDPR, PK.EPrivacyDirective, PK.DSA}
US_STATE_LAWS = {PK.CCPA, PK.CPRA, PK.VCDPA, PK.CPA, PK.CTDPA, PK.UCPA, PK.TDPSA, PK.OCPA, PK.NevadaPrivacyLaw}


@pytest.mark.parametrize("jurisdictions,laws", [
    ("EuropeanUnion", GDPR_LAWS),  # the EU lies within the EEA, where the GDPR applies
    ("EuropeanEconomicArea", GDPR_LAWS),  # the ePrivacy Directive and the DSA apply in the EU, within it
    ("UnitedKingdom", {PK.UKGDPR}),
    ("California", {PK.CCPA, PK.CPRA}),
    ("UnitedStates", US_STATE_LAWS),  # the whole United States includes California
    ("Worldwide", GDPR_LAWS | US_STATE_LAWS | {PK.UKGDPR}),
    ("Canada", set()),
    ("OutsideEEA", set()),
])
def test_scope_by_the_metadata_jurisdictions(make_project, jurisdictions, laws):
    project = make_project("acme")
    metadata = project.corpus_dir / "acme" / "metadata.yaml"
    metadata.write_text(metadata.read_text() + f"jurisdictions: [{jurisdictions}]\n")
    [acme] = project.companies()
    assert laws_in_scope(acme, project.vocabulary) == laws


def _closed_types(project, slug: str) -> set:
    [company] = project.companies([slug])
    asserted = company_graph(company, project.vocabulary, project.keys)
    closed = asserted + close(asserted, project.vocabulary.graph, str(ID[slug])).inferred
    return set(closed.objects(ID[slug], RDF.type)), set(asserted.objects(ID[slug], PK.inScopeOf))


def test_scope_by_cited_law_and_by_metadata_types_the_company(make_project):
    project = make_project("lawco", "complyco", "acme")
    types, laws = _closed_types(project, "lawco")  # no jurisdictions; cites the GDPR, the ePrivacy Directive and the CCPA
    assert laws == {PK.GDPR, PK.EPrivacyDirective, PK.CCPA} and {PK.InScopeOfGDPR, PK.InScopeOfCCPA} <= types
    types, laws = _closed_types(project, "complyco")  # cites no law; jurisdictions EU and California
    assert laws == GDPR_LAWS | {PK.CCPA, PK.CPRA} and {PK.InScopeOfGDPR, PK.InScopeOfCCPA} <= types
    types, laws = _closed_types(project, "acme")
    assert laws == set() and not types & {PK.InScopeOfGDPR, PK.InScopeOfCCPA}


def test_the_uk_gdpr_shares_the_gdpr_profile(make_project):
    project = make_project("acme")
    metadata = project.corpus_dir / "acme" / "metadata.yaml"
    metadata.write_text(metadata.read_text() + "jurisdictions: [UnitedKingdom]\n")
    types, _ = _closed_types(project, "acme")
    assert PK.InScopeOfGDPR in types and PK.InScopeOfCCPA not in types


def test_a_cited_law_without_a_jurisdiction_puts_no_profile_in_scope(repo):
    seeds = [c for c in repo.companies() if c.slug in SEEDS]
    cited = {law for c in seeds for cl in c.clauses for s in cl.statements for law in s.values.get("laws", [])}
    assert {PK.COPPA, PK.FCCRegulations} <= cited  # the seeds cite US laws that protect no one jurisdiction
    assert all(laws_in_scope(c, repo.vocabulary) == set() for c in seeds)


def test_the_seeds_get_no_profile_warning_and_are_in_no_scope(repo):
    from privacy_kg.validate import validate

    result = validate(repo, whole=False)
    assert sorted(c.slug for c in result.current) == COMPANIES
    assert [p.id for p in result.profiles] == ["gdpr", "ccpa"]
    for c in (c for c in result.current if c.slug in SEEDS):
        assert not [f for f in c.findings if f.profile], c.slug
        assert {s for row in c.compliance.values() for s in row.values()} == {compliance.NOT_IN_SCOPE}, c.slug
    for slug in SEEDS:
        assert "inScopeOf" not in (repo.kg_dir / "companies" / f"{slug}.ttl").read_text()


# -- the generated files and the profiles file ---------------------------------------------------------

def test_the_generated_shapes_and_query_are_current(repo):
    for rel, text in profile_sparql.generated_files(repo).items():
        assert (REPO / rel).read_text(encoding="utf-8") == text, f"{rel} is out of date: run `privacy-kg docs`"


def test_every_item_shape_is_in_the_loaded_shapes_with_its_article(repo):
    from privacy_kg.validate import shapes_graph

    specs = compliance.profiles_of(shapes_graph(REPO / "ontology"))
    assert [(p.id, p.label) for p in specs] == [("gdpr", "GDPR Art. 13/14"), ("ccpa", "CCPA/CPRA")]
    assert {i.id: f"silent on {i.label} ({i.article})" for i in specs[0].items} == G
    assert {i.id: f"silent on {i.label} ({i.article})" for i in specs[1].items} == C
    conditional = {i.id for p in specs for i in p.items if i.applicable}
    assert conditional == {"dpo-contact", "legitimate-interests", "withdraw-consent", "data-from-other-sources"}


BAD_PROFILES = [
    ("unknown term", "stated: {rights: RightToPortability}", "unknown term 'RightToPortability'; nearest valid terms: RightToDataPortability"),
    ("unknown key", "stated: {rigths: RightOfAccess}", "unknown statement key 'rigths'"),
    ("text key with values", "stated: {contact: dpo@example.com}", "`contact` takes text: name it in `with: [contact]`"),
    ("no way", "applies_when: {role: Controller}", "give exactly one of stated, distinct_values, updated_within_months"),
    ("article of a term without one", "article_of: Name\n        stated: {data: Name}", "the dcterms:source of Name names no article of GDPR"),
]


@pytest.mark.parametrize("case,lines,message", BAD_PROFILES, ids=[c[0] for c in BAD_PROFILES])
def test_a_bad_profile_names_the_file_line_and_fix(make_project, case, lines, message):
    project = make_project()
    body = ("profiles:\n  - id: gdpr\n    label: GDPR\n    scope: InScopeOfGDPR\n    cites: GDPR\n    items:\n"
            "      - id: x\n        label: x\n" + ("        article: GDPR Art. 1\n" if "article_of" not in lines else "") + f"        {lines}\n")
    (project.mappings_dir / "regulatory-profiles.yaml").write_text(body)
    with pytest.raises(InputError) as error:
        load_profiles(project.mappings_dir, project.vocabulary, project.keys)
    [problem] = error.value.problems
    assert problem.file.endswith("regulatory-profiles.yaml") and problem.line is not None and problem.line >= 7
    assert message in problem.message and "item x" in problem.message


def test_docs_check_names_the_generated_files_a_profile_edit_makes_stale(make_project):
    import shutil

    from typer.testing import CliRunner

    from privacy_kg.cli import app

    project = make_project("acme")
    shutil.copytree(REPO / "queries", project.queries_dir)
    shutil.copytree(REPO / "docs", project.root / "docs")
    run = lambda *args: CliRunner().invoke(app, [*args, "--root", str(project.root)], terminal_width=200)  # noqa: E731
    assert run("docs", "--check").exit_code == 0
    profiles = project.mappings_dir / "regulatory-profiles.yaml"
    profiles.write_text(profiles.read_text().replace("label: the right to data portability", "label: the right to port data"))
    result = run("docs", "--check")
    assert result.exit_code == 1
    shown = " ".join(result.output.split())
    assert "ontology/regulatory-shapes.ttl is out of date" in shown and "queries/regulatory-silence.rq is out of date" in shown
    assert run("docs").exit_code == 0 and run("docs", "--check").exit_code == 0
    assert "silent on the right to port data (GDPR Art. 20)" in (project.ontology_dir / "regulatory-shapes.ttl").read_text()


def test_validate_without_the_generated_shapes_says_how_to_make_them(make_project):
    from typer.testing import CliRunner

    from privacy_kg.cli import app

    project = make_project("acme")
    assert CliRunner().invoke(app, ["build", "--root", str(project.root)]).exit_code == 0
    (project.ontology_dir / "regulatory-shapes.ttl").unlink()
    result = CliRunner().invoke(app, ["validate", "--root", str(project.root)], terminal_width=300)
    assert result.exit_code == 2
    squeezed = "".join(result.output.split())  # rich wraps long paths, at spaces or inside them
    assert "regulatory-shapes.ttlismissing:run`privacy-kgdocs`" in squeezed
