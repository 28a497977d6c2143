"""The tagging assistant on small inputs: segmentation of messy captures, modality cues, lexicon
matching, evaluation on a tiny OPP-115-format folder, and a draft that loads through the checker."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from conftest import FIXTURES, REPO, SEEDS, SHARED
from privacy_kg.corpus import CompanyLoader
from privacy_kg.problems import InputError
from privacy_kg.tagger import dataset, tag_policy, train
from privacy_kg.tagger.draft import Tagger, clause_id, occurrence
from privacy_kg.tagger.evaluate import evaluate, fold_of
from privacy_kg.tagger.labels import LABELS, LabelMap
from privacy_kg.tagger.lexicon import Lexicons, phrase_pattern
from privacy_kg.tagger.metrics import score
from privacy_kg.tagger.modality import ModalityCues
from privacy_kg.tagger.model import CategoryModel
from privacy_kg.segment import Span, blocks, clean, is_debris, sentences

MINI = FIXTURES / "tagger" / "opp115"

MESSY = """\
> *The following text is extracted and transformed from the example.com privacy policy that was archived on 2010-01-01.*

Home | Phone Cards | My Account | Help
Member Login
|   
---  

# Privacy Policy

[](http://www.example.com/seal.gif)

Information We Collect
We collect your e-mail address when you register. We do not sell it to third parties, e.g. advertisers.
Our site is run by Example Inc. in the U.S. and we keep it safe.

  * We will never read your e-mail.
  * Cookies

Home | Privacy | Terms | FAQ
"""


@pytest.fixture(scope="module")
def vocab(repo):
    return repo.vocabulary


@pytest.fixture(scope="module")
def mini_model() -> CategoryModel:
    docs = dataset.load(MINI)
    return CategoryModel.fit([[e.text for e in d.examples] for d in docs], [[e.labels for e in d.examples] for d in docs],
                             [d.name for d in docs], encoder=None, jobs=1)


# -- segmentation ------------------------------------------------------------------------------------
def test_segmentation_drops_debris_and_keeps_sentences_verbatim():
    found = blocks(MESSY)
    quotes = [s.text for b in found for s in b.sentences]
    assert quotes == [
        "We collect your e-mail address when you register.",
        "We do not sell it to third parties, e.g. advertisers.",
        "Our site is run by Example Inc. in the U.S. and we keep it safe.",
        "We will never read your e-mail.",
    ]
    for b in found:
        for s in b.sentences:
            assert MESSY[s.start:s.end] == s.text
    assert found[0].heading == "Information We Collect"


@pytest.mark.parametrize("line", ["Home | Phone Cards | My Account | Help", "|   ", "---  ", "[](http://x.org/a.gif)",
                                  "> *The following text is extracted and transformed from x*"])
def test_debris_lines(line):
    assert is_debris(line)


def test_clean_removes_markdown_and_links():
    assert clean("**Cloncom** may [contact us](http://x.org/c) at <http://x.org>") == "Cloncom may contact us at"


def test_sentences_respect_abbreviations_and_offsets():
    text = "  We use cookies, i.e. small files. No. 5 is fine! Really?  "
    assert [s.text for s in sentences(text)] == ["We use cookies, i.e. small files.", "No. 5 is fine!", "Really?"]


# -- modality ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, expected", [
    ("We will not sell your personal information.", "DoesNot"),
    ("We won't share your data with anyone.", "DoesNot"),
    ("We never read your e-mail.", "DoesNot"),
    ("No personal information is collected from children.", "DoesNot"),
    ("We may share your data with our partners.", "May"),
    ("We reserve the right to disclose your information.", "May"),
    ("We collect your e-mail address.", "Does"),
    ("If you do not want cookies, you can disable them in your browser.", "Does"),
    ("We use log data, which does not identify you, to improve the site.", "Does"),
    ("We do not disclose your data except as required by law.", "DoesNot"),
])
def test_modality_cues(vocab, text, expected):
    assert ModalityCues(vocab).classify(text).value == expected


def test_except_marks_an_exception(vocab):
    cues = ModalityCues(vocab)
    assert cues.classify("We will not disclose it except as required by law.").exception
    assert not cues.classify("We will disclose it.").exception


# -- lexicons ----------------------------------------------------------------------------------------
def test_phrase_pattern_inflects_the_last_word_only():
    assert phrase_pattern("share").search("we shared it") and phrase_pattern("share").search("sharing")
    assert phrase_pattern("third party").search("Third-Parties")
    assert not phrase_pattern("PIN").search("a pin")  # acronyms in capitals only
    assert not phrase_pattern("sell").search("upselling")


def test_lexicon_finds_the_most_specific_terms(repo):
    lexicons = Lexicons(repo.vocabulary, repo.keys)
    text = ("We will not sell your e-mail address or phone number to advertisers without your consent, "
            "except as required by law, or to combat fraud.")
    names = {key: [m.name for m in lexicons.of(key).match(text)] for key in ("data", "recipients", "conditions")}
    assert names["data"] == ["EmailAddress", "TelephoneNumber"]  # not also ContactData, PersonalData
    assert names["recipients"] == ["Advertiser"]
    assert "LegalObligation" in names["conditions"] and "FraudOrUnlawfulActivity" in names["conditions"]


def test_recipients_never_include_the_first_party(repo):
    assert Lexicons(repo.vocabulary, repo.keys).of("recipients").match("We share it with us and our affiliates.")[0].name == "Affiliate"


def test_practice_lexicon_and_label_map(repo):
    vocab = repo.vocabulary
    tagger = Tagger.__new__(Tagger)
    tagger.lexicons, tagger.labels = Lexicons(vocab, repo.keys), LabelMap(vocab)
    practices = tagger.practices("Third Party Sharing/Collection", "We do not sell or rent your data.")
    assert [(str(p).split("#")[-1], why) for p, why in practices] == [("Sale", '"sell"'), ("Rental", '"rent"')]
    assert all(LabelMap(vocab).candidates[label] for label in LABELS)


# -- every statement key, from the table and the ontology (issue 17) ---------------------------------
def test_every_term_valued_key_of_the_table_has_a_lexicon(repo):
    lexicons = Lexicons(repo.vocabulary, repo.keys)
    term_valued = {k for k, s in repo.keys.items() if s.info is not None and s.info.kind in ("class", "enum")}
    assert set(lexicons.specs) == term_valued - {"modality"}  # modality: the cue rules
    assert {"legal_basis", "rights", "request_methods", "destinations", "transfer_mechanisms", "retention_criterion",
            "role", "laws"} <= set(lexicons.specs)
    assert lexicons.of("actor") is lexicons.of("recipients")  # one lexicon per range


@pytest.fixture(scope="module")
def drafter(repo) -> Tagger:
    return Tagger(None, repo.vocabulary, repo.keys)  # the attributes of a clause need no model


def attributes(drafter: Tagger, text: str) -> dict[str, list[str]]:
    tags = drafter.attributes(text, drafter.cues.classify(text), drafter.lexicons.match(text))
    return {t.key: [v.name for v in t.values] for t in tags}


@pytest.mark.parametrize("text, expected", [
    ("We process your contact details on the basis of our legitimate interests.",  # not also the data type Interests
     {"legal_basis": ["LegitimateInterestsOfCompany"]}),
    ("You have the right to data portability and the right to erasure.",
     {"rights": ["RightToDataPortability", "RightToErasure"]}),
    ("To exercise your rights, use our online form or email us at privacy@x.example.",  # "email us at", not EmailAddress
     {"request_methods": ["WebFormRequest", "EmailRequest"]}),
    ("We transfer your data to the United States under standard contractual clauses.",
     {"destinations": ["UnitedStates"], "transfer_mechanisms": ["StandardContractualClauses"]}),
    ("We rely on the EU-U.S. DPF and the UK Extension.",  # punctuation inside a label; "UK" inside "UK Extension"
     {"transfer_mechanisms": ["EUUSDataPrivacyFramework", "UKExtensionToDPF"]}),
    ("We keep your account data as long as your account is active.",
     {"data": ["AccountData"], "retention_criterion": ["WhileAccountActive"]}),
    ("Lawco is the data controller and our DPO can be reached by post.",  # role takes one value: the best
     {"role": ["Controller"]}),
    ("Advertisers may collect your device identifiers.",  # named before the verb: the actor
     {"actor": ["Advertiser"], "data": ["DeviceIdentifier"]}),
    ("We share your purchase history with advertisers.",  # after it: a recipient
     {"recipients": ["Advertiser"], "data": ["TransactionData"]}),
    ("We do not sell your e-mail address except to combat fraud.",  # a denied practice: an exception
     {"data": ["EmailAddress"], "unless": ["FraudOrUnlawfulActivity"]}),
    ("We may sell your e-mail address to combat fraud.",
     {"data": ["EmailAddress"], "conditions": ["FraudOrUnlawfulActivity"]}),
    ("You may lodge a complaint with your supervisory authority.",
     {"recipients": ["SupervisoryAuthority"], "rights": ["RightToLodgeComplaint"]}),
    ("This notice is for residents under the CCPA.", {"laws": ["CCPA"]}),
])
def test_attributes_of_small_sentences(drafter, text, expected):
    assert attributes(drafter, text) == expected


def test_a_new_term_and_a_new_key_reach_the_draft_with_nothing_else_edited(make_project):
    from privacy_kg.project import Project
    root = make_project().root
    ontology = root / "ontology" / "privacy-kg.ttl"
    ontology.write_text(ontology.read_text(encoding="utf-8") + """
pk:RightToBeInformed a owl:Class ; rdfs:subClassOf pk:DataSubjectRight ; rdfs:label "right to be informed"@en .
pk:Certification a owl:Class ; rdfs:label "certification"@en .
pk:ISO27001 a owl:Class ; rdfs:subClassOf pk:Certification ; rdfs:label "ISO 27001"@en ; skos:altLabel "ISO/IEC 27001"@en .
pk:hasCertification a owl:ObjectProperty ; rdfs:domain pk:Practice ; rdfs:range pk:Certification ; rdfs:label "has certification"@en .
""", encoding="utf-8")
    table = root / "mappings" / "statement-keys.yaml"
    table.write_text(table.read_text(encoding="utf-8") + "certifications: {property: hasCertification, list: true}\n", encoding="utf-8")
    project = Project(root)
    found = attributes(Tagger(None, project.vocabulary, project.keys),
                       "You have the right to be informed, and our hosting is ISO/IEC 27001 certified.")
    assert found == {"rights": ["RightToBeInformed"], "certifications": ["ISO27001"]}


# -- metrics and evaluation --------------------------------------------------------------------------
def test_score_micro_and_macro():
    report = score([{"a"}, {"a", "b"}, set()], [{"a"}, {"b"}, {"b"}], ["a", "b"])
    assert (report.per_label["a"].tp, report.per_label["a"].fn) == (1, 1)
    assert (report.per_label["b"].tp, report.per_label["b"].fp) == (1, 1)
    assert report.micro.f1 == pytest.approx(2 / 3)
    assert report.macro_f1 == pytest.approx((2 / 3 + 2 / 3) / 2)


def test_folds_hold_whole_policies():
    docs = dataset.load(MINI)
    assignment = fold_of(docs, 2)
    assert sorted(assignment) == [0, 0, 1, 1]


def test_dataset_majority_labels_types_and_modality():
    docs = dataset.load(MINI)
    assert len(docs) == 4 and all(len(d.examples) == 5 for d in docs)
    first = docs[0].examples
    assert first[0].labels == {"Introductory/Generic"}  # the lone "Policy Change" vote does not count
    assert first[1].data_types == {"contact"}
    assert any(c.value == "Does Not" and "do not sell" in c.sentence for c in docs[0].modality)


def test_evaluate_on_a_fixture_folder(vocab):
    result = evaluate(dataset.load(MINI), vocab, folds=2)
    assert result.policies == 4 and result.segments == 20
    assert result.categories.micro.support == 20
    assert result.categories.micro.f1 > 0.5  # four near-identical policies: learnable
    assert result.modality["sentences"] > 0 and result.modality["accuracy"] == 1.0
    assert result.data_types.micro.support == 8
    assert len(result.folds) == 2


def test_cross_validation_needs_two_policies(vocab):
    with pytest.raises(InputError, match="at least two policies"):
        evaluate(dataset.load(MINI)[:1], vocab, folds=5)


def test_evaluate_rejects_a_folder_not_in_the_format(tmp_path):
    with pytest.raises(InputError, match="sanitized_policies"):
        dataset.load(tmp_path)


# -- drafts ------------------------------------------------------------------------------------------
def test_clause_ids_are_unique_and_occurrences_counted():
    taken: set[str] = set()
    assert clause_id("We do not sell your data.", taken) == "do-not-sell-data"
    assert clause_id("We do not sell your data!", taken) == "do-not-sell-data-2"
    text = "We use cookies. Also: We use cookies."
    assert occurrence(text, Span(22, 37, "We use cookies.")) == 2


def test_draft_loads_through_the_corpus_checker(make_project, mini_model, tmp_path):
    project = make_project()
    policy = tmp_path / "policy.txt"
    policy.write_text(MESSY, encoding="utf-8")
    draft, written = tag_policy(project, policy, "example-co", model=mini_model)
    folder = project.corpus_dir / "example-co"
    assert written.folder == folder and set(written.files) == {"clauses.yaml", "policy.txt", "metadata.yaml"}
    clauses = yaml.safe_load((folder / "clauses.yaml").read_text())["clauses"]
    assert clauses and all(c["proposed"] is True and 0 <= c["confidence"] <= 1 for c in clauses)
    problems = []
    company = CompanyLoader(project.vocabulary, project.keys, problems).load(folder)
    assert problems == [] and all(c.proposed for c in company.clauses)
    assert project.companies(["example-co"])  # the checker's own entry point loads it too
    with pytest.raises(InputError, match="exists already"):
        tag_policy(project, policy, "example-co", model=mini_model)


@pytest.mark.parametrize("seed", SEEDS)
def test_draft_of_each_seed_policy_maps_to_proposed_practices(make_project, mini_model, tmp_path, seed):
    from rdflib import Literal

    from privacy_kg.mapping import company_graph
    from privacy_kg.namespaces import PK
    project = make_project()
    draft, _ = tag_policy(project, REPO / "corpus" / seed / "policy.txt", f"{seed}-draft", model=mini_model)
    [company] = project.companies([f"{seed}-draft"])
    assert len(company.clauses) == len(draft.clauses) > 0
    graph = company_graph(company, project.vocabulary, project.keys)
    practices = set(graph.subjects(PK.isProposed, Literal(True)))
    assert practices and all(graph.value(p, PK.hasConfidence) is not None for p in practices)


def test_a_draft_of_current_law_sentences_loads_with_the_new_keys(make_project, mini_model, tmp_path):
    """Threshold 0: every sentence drafted, so every key its words name is written (one-value keys as one)."""
    project = make_project()
    policy = tmp_path / "policy.txt"
    policy.write_text((FIXTURES / "corpus" / "lawco" / "policy.txt").read_text(encoding="utf-8"), encoding="utf-8")
    tag_policy(project, policy, "lawco-draft", model=mini_model, threshold=0.0)
    [company] = project.companies(["lawco-draft"])
    found = {key: {str(v).split("#")[-1] for c in company.clauses for st in c.statements for v in st.values.get(key, [])}
             for key in ("legal_basis", "rights", "request_methods", "destinations", "transfer_mechanisms", "role")}
    assert found["rights"] >= {"RightToDataPortability", "RightToLodgeComplaint"}
    assert found["legal_basis"] >= {"LegitimateInterestsOfCompany", "Consent"}
    assert found["request_methods"] == {"WebFormRequest", "EmailRequest"}
    assert found["destinations"] >= {"UnitedStates", "India", "Canada"}  # "in the EEA" (an age limit) is drafted too at threshold 0
    assert found["transfer_mechanisms"] == {"EUUSDataPrivacyFramework", "StandardContractualClauses", "AdequacyDecision"}
    assert found["role"] >= {"Controller"}


# -- recovery of the hand-tagged corpus ---------------------------------------------------------------
def _draft_clause(company, quote: str, **tags: list[str]):
    from privacy_kg.tagger.draft import DraftClause, DraftStatement, Tag, Value
    start = company.text.index(quote)
    statement = DraftStatement("test", 1.0, [Tag(key, [Value(name, 1.0, "") for name in names]) for key, names in tags.items()])
    return DraftClause(quote[:20], Span(start, start + len(quote), quote), None, [statement], 1.0)


def test_recovery_scores_categories_and_each_key_over_overlapping_clauses(make_project):
    from privacy_kg.tagger.draft import Draft
    from privacy_kg.tagger.recovery import GDPR_ERA, PRE_GDPR, by_era, recovery
    project = make_project("lawco", "cloncom")
    companies = {c.slug: c for c in project.companies(["lawco", "cloncom"])}
    lawco, cloncom = companies["lawco"], companies["cloncom"]
    tagger = Tagger(None, project.vocabulary, project.keys)
    draft = Draft("lawco", [
        _draft_clause(lawco, "You have the right to access, rectify or erase your data", practice=["RightOffer"], modality=["Does"],
                      rights=["RightOfAccess", "RightToErasure", "RightToRestriction"]),
        _draft_clause(lawco, "We transfer data to the United States", practice=["InternationalTransfer"], modality=["DoesNot"],
                      destinations=["UnitedStates"]),
    ])
    r = recovery(lawco, draft, tagger)
    assert (r.era, r.clauses, r.recovered_clauses) == (GDPR_ERA, 24, 2)
    assert (r.topics.tp, r.topics.fp) == (2, 0)
    k = {key: (s.tp, s.fp, s.fn) for key, s in r.keys.items()}
    # hand rights: five in the rights clause, two complaints, the opt-out of sale, consent withdrawal: 9 pairs
    assert k["rights"] == (2, 1, 7)
    assert k["practice"][:2] == (2, 0)
    assert k["destinations"] == (1, 0, 2) and k["transfer_mechanisms"] == (0, 0, 4)
    assert k["modality"] == (1, 1, 26)  # of 27 (clause, modality) pairs: Does recovered once; DoesNot proposed for a Does clause
    assert k["response_time"] == (0, 0, 1)  # a literal the draft does not propose
    assert "note" not in k
    # given the hand clauses' own words (the classifier aside): what the ontology's synonyms find
    given = {key: (s.tp, s.fp, s.fn) for key, s in r.given.items()}
    assert given["rights"] == (6, 0, 3) and given["legal_basis"] == (7, 0, 1)  # of 9 and 8 hand pairs, no false positive
    assert given["transfer_mechanisms"] == (4, 0, 0) and given["role"] == (2, 0, 0)
    assert "practice" not in given and "response_time" not in given  # not drafted from words
    empty = recovery(cloncom, Draft("cloncom"), tagger)
    assert empty.era == PRE_GDPR and empty.topics.tp == empty.topics.fp == 0 and empty.topics.fn > 0
    rows = by_era([r, empty])
    assert [x.slug for x in rows] == ["lawco", "cloncom", PRE_GDPR, GDPR_ERA, "all"]
    assert rows[3].keys["rights"] == r.keys["rights"]
    assert rows[-1].keys["data"].fn == r.keys["data"].fn + empty.keys["data"].fn


def test_recovery_counts_a_named_party_as_its_class(make_project):
    from privacy_kg.corpus import Clause, Party, Statement
    from privacy_kg.namespaces import PK
    from privacy_kg.tagger.recovery import hand_values
    project = make_project("lawco")
    [company] = project.companies(["lawco"])
    company.parties["google"] = Party("google", "Google", PK.ServiceProvider)
    clause = Clause("x", "q", 0, 1, [Statement(1, {"actor": ["google"], "recipients": [PK.Advertiser]})])
    keys = project.keys
    assert hand_values(company, clause, keys["actor"]) == {"ServiceProvider"}
    assert hand_values(company, clause, keys["recipients"]) == {"Advertiser"}


def test_train_saves_a_model_that_loads(tmp_path):
    from privacy_kg.tagger import load_model
    model, path, _ = train(MINI, tmp_path, use_embeddings=False)
    assert path.exists() and load_model(tmp_path).trained_on == model.trained_on


def test_no_model_is_a_clear_error(tmp_path):
    from privacy_kg.tagger import load_model
    with pytest.raises(InputError, match="tagger train"):
        load_model(tmp_path)


class _RunsCode:
    """Unpickling this creates the file named: what a hostile model file would do with a shell command."""

    def __init__(self, target):
        self.target = target

    def __reduce__(self):
        return (Path.touch, (Path(self.target),))


def test_a_malicious_pickle_in_the_models_folder_does_not_run(tmp_path):
    """Issue 16 case 5: a joblib/pickle model ran its code before the version check rejected it."""
    import pickle
    from privacy_kg.tagger import load_model
    from privacy_kg.tagger.store import MODEL_FILE
    target = tmp_path / "pwned"
    payload = pickle.dumps(_RunsCode(target))
    (tmp_path / MODEL_FILE).write_bytes(payload)
    with pytest.raises(InputError, match="cannot read the model"):
        load_model(tmp_path)
    pickle.loads(payload)  # the payload does run when unpickled: the test would catch a loader that unpickles
    assert target.exists()
    target.unlink()
    with pytest.raises(InputError):
        load_model(tmp_path)
    assert not target.exists()


def test_a_skops_model_naming_untrusted_types_is_refused_without_being_built(tmp_path):
    import skops.io
    from privacy_kg.tagger import load_model
    from privacy_kg.tagger.store import MODEL_FILE
    target = tmp_path / "pwned"
    (tmp_path / MODEL_FILE).write_bytes(skops.io.dumps({"format": 2, "x": _RunsCode(target)}))
    with pytest.raises(InputError, match="refused: the model file names types that are not trusted"):
        load_model(tmp_path)
    assert not target.exists()


# -- the real corpus (skipped when absent) -----------------------------------------------------------
def opp115_path() -> Path:
    path = Path(os.environ.get("PRIVACY_KG_OPP115") or SHARED / "opp115")
    if not (path / "sanitized_policies").is_dir():
        pytest.skip(f"the OPP-115 corpus is not at {path} (set PRIVACY_KG_OPP115)")
    return path


def test_real_corpus_reads_75_policies_and_12_labels():
    docs = dataset.load(opp115_path())
    assert len(docs) == 75 and sum(len(d.examples) for d in docs) == 2443
    assert {label for d in docs for e in d.examples for label in e.labels} == set(LABELS)
