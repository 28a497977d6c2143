"""Loading the corpus: the seeds load and every quote sits at its offsets; each kind of bad input is
reported with its file, line or clause and what is wrong, all problems of a run together."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from privacy_kg.corpus import CompanyLoader
from privacy_kg.problems import InputError
from conftest import COMPANIES


def test_the_corpus_loads_with_dozens_of_clauses_per_company(repo):
    companies = repo.companies()
    assert [c.slug for c in companies] == COMPANIES
    for company in companies:
        assert len(company.clauses) >= 30, company.slug
        negatives = [s for c in company.clauses for s in c.statements if s.values["modality"][0].endswith("DoesNot")]
        assert negatives, f"{company.slug} has no negative statement"


def test_every_quote_is_found_at_its_offsets(repo):
    for company in repo.companies():
        for clause in company.clauses:
            assert company.text[clause.start : clause.end] == clause.quote
            assert clause.quote.strip() == clause.quote and clause.quote


def test_every_tag_used_is_defined_in_the_ontology(repo):
    vocab, keys = repo.vocabulary, repo.keys
    for company in repo.companies():
        for clause in company.clauses:
            for statement in clause.statements:
                for key, values in statement.values.items():
                    info = keys[key].info
                    for value in values:
                        if key == "practice":
                            assert value in vocab.taggable_practices
                        elif info is not None and info.kind != "literal" and value not in company.parties:
                            assert value in vocab.allowed_values(info), (company.slug, clause.id, key, value)


def problems_of(project) -> list[str]:
    with pytest.raises(InputError) as caught:
        project.companies()
    return [str(p) for p in caught.value.problems]


def edit(project, company: str, name: str, old: str, new: str) -> None:
    path = project.corpus_dir / company / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_malformed_yaml_names_file_and_line(make_project):
    project = make_project("acme")
    edit(project, "acme", "clauses.yaml", "    statements:\n      - practice: Collection", "    statements:\n    - practice: [Collection")
    [problem] = problems_of(project)
    assert "acme/clauses.yaml:" in problem and "malformed YAML" in problem


def test_unknown_tag_names_clause_and_nearest_terms(make_project):
    project = make_project("acme")
    edit(project, "acme", "clauses.yaml", "data: [Name, EmailAddress]", "data: [Name, EmailAdress]")
    [problem] = problems_of(project)
    assert "clauses.yaml:" in problem and "[clause registration]" in problem
    assert "unknown tag 'EmailAdress'" in problem and "EmailAddress" in problem.split("nearest valid terms:")[1]


def test_synonym_suggests_the_term(make_project):
    project = make_project("acme")
    edit(project, "acme", "clauses.yaml", "recipients: LawEnforcement", "recipients: police")
    [problem] = problems_of(project)
    assert "nearest valid terms: LawEnforcement" in problem


def test_quote_not_found_shows_quote_and_closest_passage(make_project):
    project = make_project("acme")
    edit(project, "acme", "clauses.yaml", "We collect your name", "We collect your full name")
    [problem] = problems_of(project)
    assert "[clause registration]" in problem and "quote not found" in problem
    assert "'We collect your full name and e-mail address when you register.'" in problem
    assert "closest: 'We collect your name and e-mail address when you register.'" in problem


def test_duplicate_clause_ids(make_project):
    project = make_project("acme")
    edit(project, "acme", "clauses.yaml", "id: no-sale", "id: registration")
    [problem] = problems_of(project)
    assert "[clause registration]" in problem and "duplicate clause id (first at line 2)" in problem


def test_missing_required_fields(make_project):
    project = make_project("acme")
    edit(project, "acme", "clauses.yaml", "        modality: Does\n        data: [Name", "        data: [Name")
    edit(project, "acme", "metadata.yaml", "sector: testing\n", "")
    found = problems_of(project)
    assert any("metadata.yaml" in p and "required field 'sector'" in p for p in found)
    assert any("[clause registration]" in p and "required key 'modality' is missing" in p for p in found)


def test_non_utf8_text(make_project):
    project = make_project("acme")
    path = project.corpus_dir / "acme" / "policy.txt"
    path.write_bytes(path.read_bytes().replace("e-mail".encode(), b"e\xe9mail"))
    [problem] = problems_of(project)
    assert "policy.txt:3" in problem and "not UTF-8: byte 0xe9" in problem


def test_all_problems_of_a_run_are_listed_together(make_project):
    project = make_project("acme", "voipcom")
    edit(project, "acme", "clauses.yaml", "modality: DoesNot", "modality: Doesnt")
    edit(project, "voipcom", "metadata.yaml", "archived_on: 2006-10-16", "archived_on: October 2006")
    found = problems_of(project)
    assert len(found) == 2
    assert any("unknown tag 'Doesnt'; nearest valid terms: DoesNot" in p for p in found)
    assert any("voipcom/metadata.yaml" in p and "ISO date" in p for p in found)


def test_literal_values_are_checked(make_project):
    project = make_project("acme")
    edit(project, "acme", "clauses.yaml", "        note: the subpoena exception", "        notice_period: ten days\n        age_limit: -1")
    found = problems_of(project)
    assert any("'ten days' is not an ISO 8601 duration" in p for p in found)
    assert any("-1 is not a non-negative integer" in p for p in found)


def test_a_listed_seal_needs_a_clause_claiming_it(make_project):
    project = make_project("acme")
    edit(project, "acme", "metadata.yaml", "seals: []", "seals: [TRUSTe]")
    [problem] = problems_of(project)
    assert "seal TRUSTe is listed but no clause claims it" in problem


yaml_text = st.text(alphabet=st.sampled_from(list("abc:-[]{}'\"#&*!|>\n 0123\t")), max_size=200)


@pytest.fixture(scope="module")
def loose_project(tmp_path_factory):
    from privacy_kg.project import Project
    from conftest import REPO

    return Project(REPO)  # only its vocabulary and keys are used


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(clauses=yaml_text, metadata=yaml_text)
def test_adversarial_yaml_gives_problems_never_a_crash(loose_project, tmp_path, clauses, metadata):
    folder = tmp_path / "x"
    folder.mkdir(exist_ok=True)
    (folder / "policy.txt").write_text("some text", encoding="utf-8")
    (folder / "clauses.yaml").write_text(clauses, encoding="utf-8")
    (folder / "metadata.yaml").write_text(metadata, encoding="utf-8")
    problems = []
    CompanyLoader(loose_project.vocabulary, loose_project.keys, problems).load(folder)
    assert problems  # arbitrary text is never a valid company, and is always explained
    assert all(p.file.endswith((".yaml", ".txt")) for p in problems)


def test_a_company_cannot_take_the_name_of_the_ontology_graphs(make_project):
    project = make_project("acme")
    (project.corpus_dir / "acme").rename(project.corpus_dir / "ontology")
    [problem] = problems_of(project)
    assert "company folder name 'ontology' is reserved" in problem
