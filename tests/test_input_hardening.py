"""Issue 16, the loaders: bad or hostile corpus, mapping and ontology files are input errors naming the
file and line (exit 2), never a traceback, a silent loss of data, or an exhausted machine."""

from __future__ import annotations

import random
import string

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from privacy_kg import quotes
from privacy_kg.cli import app
from privacy_kg.corpus import CompanyLoader
from privacy_kg.problems import InputError
from privacy_kg.project import Project
from privacy_kg.yaml_input import MAX_FILE_BYTES, parse, shorten
from conftest import REPO
from test_corpus import edit, problems_of

runner = CliRunner()


def run(project, *args):
    return runner.invoke(app, [*args, "--root", str(project.root)])


def error_lines(result) -> list[str]:
    """The problem lines of a failed command (stderr and stdout together in CliRunner's output)."""
    return [line.strip() for line in result.output.splitlines() if line.startswith("  ")]


def the_problem(make_project, name: str, old: str, new: str) -> str:
    """The one problem of the acme fixture with `old` replaced by `new` in its file `name`."""
    project = make_project("acme")
    edit(project, "acme", name, old, new)
    [problem] = problems_of(project)
    return problem


def append(project, company: str, name: str, text: str) -> None:
    path = project.corpus_dir / company / name
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


# -- 1. duplicate keys ------------------------------------------------------------------------------

def test_duplicate_yaml_key_is_an_error_with_line(make_project):
    project = make_project("cloncom")
    lines = (project.corpus_dir / "cloncom" / "clauses.yaml").read_text(encoding="utf-8").count("\n")
    append(project, "cloncom", "clauses.yaml", "clauses:\n  - id: only-one\n    quote: x\n")
    [problem] = problems_of(project)
    assert f"cloncom/clauses.yaml:{lines + 1}: duplicate key 'clauses' (first at line" in problem


def test_duplicate_metadata_name_is_an_error_not_a_rename(make_project):
    problem = the_problem(make_project, "metadata.yaml", "sector: testing", "sector: testing\nname: Evil Corp")
    assert "acme/metadata.yaml:4: duplicate key 'name' (first at line 1)" in problem


def test_yaml_merge_keys_are_not_duplicates():
    data, problem = parse("base: &b {x: 1}\nmine:\n  <<: *b\n  y: 2\n", "f.yaml")
    assert problem is None and data["mine"]["x"] == 1 and data["mine"]["y"] == 2


# -- 2. billion laughs, size, truncation --------------------------------------------------------------

LAUGHS = "a: &a [" + ", ".join(["lol"] * 9) + "]\n" + "".join(
    f"{n}: &{n} [" + ", ".join([f"*{p}"] * 9) + "]\n" for p, n in zip("abcdefgh", "bcdefghi")) + "clauses: *i\n"


def test_billion_laughs_is_refused_before_it_expands(make_project):
    project = make_project("acme")
    (project.corpus_dir / "acme" / "clauses.yaml").write_text(LAUGHS, encoding="utf-8")
    result = run(project, "check")
    assert result.exit_code == 2
    [problem] = error_lines(result)
    assert "acme/clauses.yaml:" in problem and "expands to more than 1,000,000 values" in problem
    assert len(result.output) < 2000


def test_a_few_aliases_still_load():
    data, problem = parse("a: &x [1, 2]\nb: *x\nc: *x\n", "f.yaml")
    assert problem is None and data["c"] == [1, 2]


def test_benchmarks_read_the_seed_yaml_through_the_safe_reader(tmp_path):
    """The benchmarks resample the seeds' YAML: a duplicate key there is an error with file and line (plain
    yaml.safe_load kept the last key), and what they read is what PyYAML reads, without line bookkeeping."""
    from benchmarks.synthetic import seed_clauses
    from privacy_kg.yaml_input import LINE, load_plain

    seed = REPO / "corpus" / "cloncom" / "clauses.yaml"
    assert load_plain(seed) == yaml.safe_load(seed.read_text(encoding="utf-8")) and LINE not in str(load_plain(seed))
    (tmp_path / "acme").mkdir()
    (tmp_path / "acme" / "clauses.yaml").write_text("clauses: []\nclauses: []\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"acme/clauses.yaml:2: duplicate key 'clauses' \(first at line 1\)"):
        seed_clauses(tmp_path)


def test_an_oversized_yaml_file_is_refused_unread(make_project):
    project = make_project("acme")
    append(project, "acme", "clauses.yaml", "#" * MAX_FILE_BYTES + "\n")
    [problem] = problems_of(project)
    assert "acme/clauses.yaml: is larger than 8 MB" in problem


def test_deep_nesting_is_an_error_not_a_recursion_crash():
    for text in ("[" * 150 + "]" * 150, "a:\n" + "".join(" " * n + "- \n" for n in range(1, 200))):
        data, problem = parse(text, "f.yaml")
        assert problem is not None and "f.yaml" in str(problem)


def test_values_in_messages_are_truncated(make_project):
    problem = the_problem(make_project, "clauses.yaml", "data: [Name, EmailAddress]", "data: [Name, " + "X" * 50_000 + "]")
    assert "unknown tag 'XXXX" in problem and len(problem) < 400
    assert len(shorten(list(range(10**6)))) <= 80


# -- 11, 12. metadata and statement values against their schema ----------------------------------------

@pytest.mark.parametrize("old, new, expected", [
    ("copyright: null", "copyright: [2004, 2005]", "metadata.yaml:8: copyright must be text, not [2004, 2005]"),
    ("website: https://acme.example/", "website: not a url", "metadata.yaml:2: website must be an absolute http(s) URL"),
    ("source_url: null", "source_url: javascript:alert(1)", "metadata.yaml:4: source_url must be an absolute http(s) URL"),
    ("sector: testing", "sector: {a: 1}", "metadata.yaml:3: sector must be text, not {'a': 1}"),
])
def test_metadata_values_are_checked_against_their_schema(make_project, old, new, expected):
    problem = the_problem(make_project, "metadata.yaml", old, new)
    assert expected in problem


def test_a_mapping_as_note_is_an_error_not_a_stringified_comment(make_project):
    problem = the_problem(make_project, "clauses.yaml", "note: the subpoena exception", "note: {secret: 1}")
    assert "[clause no-sale]: statement 2: note must be text, not {'secret': 1}" in problem


def test_a_single_copyright_year_is_kept_as_text(make_project):
    project = make_project("acme")
    edit(project, "acme", "metadata.yaml", "copyright: null", "copyright: 2004")
    [company] = project.companies()
    assert company.metadata["copyright"] == "2004"


@pytest.mark.parametrize("value", ["2009-13-45", "2009-02-30", "2009-01-02 10:00:00", "2009-W01-1", "20090102"])
def test_an_impossible_date_or_a_datetime_is_an_input_error_of_metadata(make_project, value):
    project = make_project("acme")
    edit(project, "acme", "metadata.yaml", "archived_on: 2020-01-31", f"archived_on: {value}")
    result = run(project, "build", "-j", "1")
    assert result.exit_code == 2, result.output
    [problem] = error_lines(result)
    assert "acme/metadata.yaml:6: archived_on must be an ISO date (YYYY-MM-DD)" in problem


def test_a_valid_date_is_still_a_date(make_project):
    import datetime as dt

    [company] = make_project("acme").companies()
    assert company.metadata["archived_on"] == dt.date(2020, 1, 31)


# -- 13. BOM and control characters ---------------------------------------------------------------------

def test_a_bom_is_stripped_before_offsets_are_counted(make_project):
    project = make_project("acme")
    [plain] = project.companies()
    path = project.corpus_dir / "acme" / "policy.txt"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    [with_bom] = project.companies()
    assert with_bom.text == plain.text and with_bom.text_sha256 == plain.text_sha256
    assert [(c.start, c.end) for c in with_bom.clauses] == [(c.start, c.end) for c in plain.clauses]


@pytest.mark.parametrize("char", ["\x00", "\x1b", "\x07", "\x85"])
def test_control_characters_in_the_policy_text_are_refused_with_their_position(make_project, char):
    project = make_project("acme")
    path = project.corpus_dir / "acme" / "policy.txt"
    text = path.read_text(encoding="utf-8")
    cut = text.index("collect") + 3
    line, column = text[:cut].count("\n") + 1, cut - text.rfind("\n", 0, cut)
    path.write_text(text[:cut] + char + text[cut:], encoding="utf-8")
    [problem] = problems_of(project)
    assert f"acme/policy.txt:{line}: control character {char!r} at offset {cut} (column {column})" in problem


def test_a_control_character_in_a_quote_is_refused(make_project):
    project = make_project("acme")
    edit(project, "acme", "clauses.yaml", "quote: We collect your name", 'quote: "We \\e[31mcollect your name')
    edit(project, "acme", "clauses.yaml", "when you register.", 'when you register."')
    [problem] = problems_of(project)
    assert "[clause registration]: the quote holds the control character '\\x1b' at character 4" in problem


# -- 14. build checks the folders as check does -------------------------------------------------------

@pytest.mark.parametrize("damage, expected", [
    (lambda folder: (folder.parent / "newco").mkdir(), "newco/policy.txt: policy text is missing"),
    (lambda folder: ((folder / "clauses.yaml").unlink(), (folder / "clauses.yaml").mkdir()),
     "acme/clauses.yaml: is not a regular file (a folder?)"),
    (lambda folder: folder.rename(folder.parent / ("a" * 253)), "company folder name is 253 characters long"),
])
def test_build_refuses_unusable_company_folders_as_check_does(make_project, damage, expected):
    project = make_project("acme")
    damage(project.corpus_dir / "acme")
    for command in (["check"], ["build", "-j", "1"]):
        result = run(project, *command)
        assert result.exit_code == 2, (command, result.output)
        assert any(expected in line for line in error_lines(result)), (command, result.output)
        assert "Traceback" not in result.output
    assert not (project.root / "kg").exists()


# -- 15. unhashable values ---------------------------------------------------------------------------

@pytest.mark.parametrize("value, shown", [("[[ThirdParty]]", "a list: ['ThirdParty']"), ("[{a: b}]", "a mapping: {'a': 'b'}")])
def test_a_list_or_mapping_as_a_tag_is_a_clear_error(make_project, value, shown):
    problem = the_problem(make_project, "clauses.yaml", "recipients: ThirdParty", f"recipients: {value}")
    assert f"[clause no-sale]: statement 1: recipients: a tag is a name, not {shown}" in problem


def test_an_unhashable_yaml_key_is_a_clear_error(make_project):
    project = make_project("acme")
    append(project, "acme", "metadata.yaml", "? [a]\n: 1\n")
    [problem] = problems_of(project)
    assert "acme/metadata.yaml:" in problem and "unhashable key" in problem


# -- 19. the ontology and the mapping table ----------------------------------------------------------

@pytest.mark.parametrize("command", [["check"], ["build", "-j", "1"], ["docs", "--check"]])
def test_garbage_in_the_ontology_names_file_and_line_without_traceback(make_project, command):
    project = make_project("acme")
    path = project.ontology_dir / "privacy-kg.ttl"
    lines = path.read_text(encoding="utf-8").count("\n")
    path.write_text(path.read_text(encoding="utf-8") + "this is garbage <<< .\n", encoding="utf-8")
    result = run(project, *command)
    assert result.exit_code == 2, result.output
    [problem] = error_lines(result)
    assert problem.startswith(f"{path}:{lines + 1}: not valid Turtle")
    assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.mark.parametrize("extra, expected", [
    ("modality: {property: [x\n", "malformed YAML"),
    ("modality: {property: hasModality}\n", "duplicate key 'modality'"),
    ("extra: {property: hasNothing}\n", "key 'extra': property 'hasNothing' is not declared in the ontology"),
    ("extra: 5\n", "key 'extra': expected {property: NAME"),
    ("extra: {property: hasModality, list: yes please}\n", "key 'extra': list must be true or false"),
])
def test_a_malformed_statement_key_table_names_file_and_line(make_project, extra, expected):
    project = make_project("acme")
    path = project.mappings_dir / "statement-keys.yaml"
    lines = path.read_text(encoding="utf-8").count("\n")
    path.write_text(path.read_text(encoding="utf-8") + extra, encoding="utf-8")
    result = run(project, "check")
    assert result.exit_code == 2, result.output
    [problem] = error_lines(result)
    where, line = problem.split(":")[:2]
    assert where == str(path) and int(line) >= lines + 1 and expected in problem  # a parser may see the error later


# -- 26. ambiguous quotes ------------------------------------------------------------------------------

def _twice(project) -> None:
    path = project.corpus_dir / "acme" / "policy.txt"
    path.write_text(path.read_text(encoding="utf-8") + "\nAgain: We collect your name and e-mail address when you register.\n",
                    encoding="utf-8")


def test_an_ambiguous_quote_needs_occurrence_and_the_error_lists_each_with_context(make_project):
    project = make_project("acme")
    _twice(project)
    [problem] = problems_of(project)
    assert "[clause registration]: the quote occurs 2 times in policy.txt; add `occurrence: N` to say which" in problem
    first, second = problem.splitlines()[1:]
    assert first.strip().startswith("occurrence: 1  at offset") and "[We collect your name" in first
    assert second.strip().startswith("occurrence: 2  at offset") and "Again: [We collect" in second


def test_occurrence_chooses_among_the_matches(make_project):
    project = make_project("acme")
    _twice(project)
    edit(project, "acme", "clauses.yaml", "  - id: registration\n", "  - id: registration\n    occurrence: 2\n")
    [company] = project.companies()
    clause = next(c for c in company.clauses if c.id == "registration")
    assert company.text[clause.start - 7 : clause.start] == "Again: "


@pytest.mark.parametrize("value", ["true", "0", "-1", "1.5", "'2'"])
def test_occurrence_takes_only_a_positive_integer(make_project, value):
    problem = the_problem(make_project, "clauses.yaml", "  - id: registration\n", f"  - id: registration\n    occurrence: {value}\n")
    assert "[clause registration]: occurrence must be a positive integer" in problem


# -- 27. the closest passage of a long missing quote ----------------------------------------------------

def test_the_closest_passage_of_a_long_missing_quote_is_where_it_nearly_is():
    rng = random.Random(16)
    words = ["".join(rng.choices(string.ascii_lowercase, k=rng.randint(2, 9))) for _ in range(60_000)]
    text = " ".join(words)  # about 330 KB
    start = len(" ".join(words[:30_000])) + 1
    passage = " ".join(words[30_000:31_800])  # about 10 KB
    quote = passage.replace(words[30_900], "CHANGED", 1)
    found = quotes.closest_passage(text, quote)
    assert abs(len(found) - len(passage)) < 50 and text.find(found[:200]) in range(start - 20, start + 20)


# -- property-based: the corpus loader never crashes -----------------------------------------------------

@pytest.fixture(scope="module")
def vocabulary_and_keys():
    project = Project(REPO)
    return project.vocabulary, project.keys


KEYS = ["clauses", "id", "quote", "occurrence", "statements", "practice", "modality", "recipients", "data", "note",
        "name", "sector", "website", "archived_on", "copyright", "seals", "parties", "class", "age_limit"]
scalars = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.floats(allow_nan=True), st.sampled_from(
    ["Collection", "Does", "ThirdParty", "2009-13-45", "http://x.example/", "P10D", "some text", "\x1b[0m", "a" * 300]))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(KEYS), inner, max_size=4),
                      max_leaves=12)
documents = st.dictionaries(st.sampled_from(KEYS), values, max_size=5).map(lambda d: yaml.safe_dump(d, sort_keys=False))


@st.composite
def malformed(draw):
    """A YAML document of the corpus's keys, then damaged: a line repeated (duplicate keys), a stray
    character inserted, an anchor and aliases, a tab or a BOM."""
    lines = draw(documents).splitlines() or [""]
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(lines) - 1))
        damage = draw(st.sampled_from(["repeat", "insert", "alias", "tab", "bom"]))
        if damage == "repeat":
            lines.insert(at, lines[at])
        elif damage == "insert":
            col = draw(st.integers(0, len(lines[at])))
            lines[at] = lines[at][:col] + draw(st.sampled_from(list(":-[]{}&*!|>'\"#%@`,?"))) + lines[at][col:]
        elif damage == "alias":
            lines[at:at] = ["x: &x [a, b]", "y: [*x, *x, *x]"]
        elif damage == "tab":
            lines[at] = "\t" + lines[at]
        else:
            lines[0] = "\ufeff" + lines[0]
    return "\n".join(lines) + "\n"


POLICY = "We collect your name. Some text.\n"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(clauses=malformed(), metadata=malformed())
def test_generated_malformed_yaml_loads_or_is_an_input_error_naming_the_file(vocabulary_and_keys, tmp_path, clauses, metadata):
    folder = tmp_path / "corpus" / "x"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "policy.txt").write_text(POLICY, encoding="utf-8")
    (folder / "clauses.yaml").write_text(clauses, encoding="utf-8")
    (folder / "metadata.yaml").write_text(metadata, encoding="utf-8")
    problems = []
    CompanyLoader(*vocabulary_and_keys, problems).load(folder)  # any other exception fails the test
    for problem in problems:
        assert problem.file.startswith(str(folder)) and problem.file.endswith((".yaml", ".txt")), problem
        first, *rest = problem.message.split("\n")
        assert first and len(str(problem)) < 2000, problem
        assert not rest or first.startswith(("quote not found", "the quote occurs")), problem  # detail lines


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(clauses=malformed())
def test_generated_malformed_clauses_through_load_corpus_raise_only_input_error(vocabulary_and_keys, tmp_path, clauses):
    from privacy_kg.corpus import load_corpus

    folder = tmp_path / "corpus" / "acme"
    if not folder.exists():
        import shutil

        shutil.copytree(REPO / "tests" / "fixtures" / "corpus" / "acme", folder)
    (folder / "clauses.yaml").write_text(clauses, encoding="utf-8")
    try:
        load_corpus(folder.parent, *vocabulary_and_keys)
    except InputError as error:
        assert all("acme/clauses.yaml" in p.file for p in error.problems), error
