"""Carrying tagged clauses to another version's text (privacy_kg.carry) on small fixture texts."""

from __future__ import annotations

from privacy_kg.carry import ABSENT, AMBIGUOUS, CARRIED, CHANGED, carry, word_diff
from privacy_kg.corpus import Clause

OLD = ("Information We Collect\n\n"
       "We collect your email address when you register for an account.\n\n"
       "We never sell your personal data to third parties.\n\n"
       "Cookies\n\nWe use cookies to remember your preferences on our website.\n")


def clause(cid: str, quote: str, text: str = OLD) -> Clause:
    start = text.index(quote)
    return Clause(cid, quote, start, start + len(quote), [])


def one(new: str, quote: str, old: str = OLD):
    result = carry(old, new, [clause("c", quote, old)])
    a = result.anchors[0]
    if a.new is not None:
        assert new[a.new.start:a.new.end] == a.new.text  # offsets are right in the new text
    return a, result


def test_exact_quote_carried_with_new_offsets():
    new = "Preface added in 2026.\n\n" + OLD
    a, _ = one(new, "We never sell your personal data to third parties.")
    assert a.status == CARRIED and a.new.start == a.old.start + len("Preface added in 2026.\n\n")


def test_moved_paragraph_is_carried():
    new = OLD.replace("We never sell your personal data to third parties.\n\n", "") + "\nWe never sell your personal data to third parties.\n"
    a, _ = one(new, "We never sell your personal data to third parties.")
    assert a.status == CARRIED and a.new.start > a.old.start


def test_edited_words_are_changed_with_similarity_and_diff():
    new = OLD.replace("We never sell your personal data", "We never sell or rent your personal data")
    a, _ = one(new, "We never sell your personal data to third parties.")
    assert a.status == CHANGED and 0.8 <= a.similarity < 1
    assert a.new.text == "We never sell or rent your personal data to third parties."
    assert "{+or rent+}" in a.diff


def test_replaced_first_word_is_part_of_the_new_quote():
    new = OLD.replace("We collect your email address", "Acme collects your email address")
    a, _ = one(new, "We collect your email address when you register for an account.")
    assert a.status == CHANGED and a.new.text == "Acme collects your email address when you register for an account."


def test_removed_clause_is_absent():
    new = OLD.replace("We never sell your personal data to third parties.", "Contact us at the address below for help.")
    a, _ = one(new, "We never sell your personal data to third parties.")
    assert a.status == ABSENT and a.new is None and a.similarity < 0.8


def test_repeated_quote_picked_by_its_context():
    old = "Under Cookies: we share data with partners. End.\n"
    new = "Under Billing: we share data with partners. Then.\n\nUnder Cookies: we share data with partners. End.\n"
    a, _ = one(new, "we share data with partners.", old)
    assert a.status == CARRIED and a.occurrence == 2 and [c.occurrence for c in a.candidates] == [1, 2]


def test_repeated_quote_with_no_telling_context_is_ambiguous():
    old = "Our partners. We share data with partners. See more.\n"
    new = "Billing. We share data with partners. Billing. We share data with partners. Billing.\n"
    a, _ = one(new, "We share data with partners.", old)
    assert a.status == AMBIGUOUS and a.new is None and len(a.candidates) == 2


def test_uncovered_lists_only_new_sentences_no_clause_covers():
    new = OLD + "\nWe now share your location with advertising partners for targeted ads.\n"
    result = carry(OLD, new, [clause("a", "We collect your email address when you register for an account.")])
    assert [s.text for s in result.uncovered] == ["We now share your location with advertising partners for targeted ads."]
    assert result.untagged_unchanged == 2  # the old sentences nobody tagged are counted, not listed again
    for s in result.uncovered:
        assert new[s.start:s.end] == s.text


def test_word_diff():
    assert word_diff("we sell your data", "we share your data") == "we [-sell-] {+share+} your data"


def test_cli_carry_writes_a_folder_that_loads_and_a_report(tmp_path):
    import json
    from pathlib import Path

    from typer.testing import CliRunner

    from privacy_kg.cli import app
    from privacy_kg.project import Project

    root = Path(__file__).resolve().parents[1]
    text = (root / "corpus" / "cloncom" / "policy.txt").read_text(encoding="utf-8")
    target = tmp_path / "new.txt"
    target.write_text(text.replace("TRUSTe will then serve", "TRUSTe shall then serve")
                      + "\n\nWe now share your location with advertising partners for targeted ads.\n", encoding="utf-8")
    folder = tmp_path / "cloncom-2026"
    args = ["carry", str(root / "corpus" / "cloncom"), str(target), "--out", str(folder), "--root", str(root), "--no-draft"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    report = json.loads((folder / "carry-report.json").read_text(encoding="utf-8"))
    assert report["counts"]["changed"] == 1 and report["counts"]["absent"] == 0 and report["drafted"] is None
    assert any(u["quote"].startswith("We now share your location") for u in report["uncovered"])
    project = Project.find(root)
    from privacy_kg.corpus import CompanyLoader
    problems = []
    company = CompanyLoader(project.vocabulary, project.keys, problems).load(folder)
    assert not problems and len(company.clauses) == sum(report["counts"][s] for s in ("carried", "changed"))
    assert [c.proposed for c in company.clauses if c.id == "truste-dispute-resolution"] == [True]
    assert CliRunner().invoke(app, args).exit_code == 2  # refuses to overwrite without --force


def test_cli_carry_drafts_the_new_text_with_a_trained_model(tmp_path):
    import json
    from pathlib import Path

    from typer.testing import CliRunner

    from conftest import FIXTURES
    from privacy_kg.cli import app

    root = Path(__file__).resolve().parents[1]
    models = tmp_path / "models"
    runner = CliRunner()
    trained = runner.invoke(app, ["tagger", "train", "--opp115", str(FIXTURES / "tagger" / "opp115"), "--no-embeddings", "--models", str(models)])
    assert trained.exit_code == 0, trained.output
    text = (root / "corpus" / "cloncom" / "policy.txt").read_text(encoding="utf-8")
    target = tmp_path / "new.txt"
    target.write_text(text + "\n\nWe collect your e-mail address when you register. We do not sell it to third parties.\n", encoding="utf-8")
    folder = tmp_path / "cloncom-2026"
    result = runner.invoke(app, ["carry", str(root / "corpus" / "cloncom"), str(target), "--out", str(folder),
                                 "--root", str(root), "--models", str(models), "--threshold", "0.95"])
    assert result.exit_code == 0, result.output
    report = json.loads((folder / "carry-report.json").read_text(encoding="utf-8"))
    assert report["drafted"] is not None  # the model ran; every draft is a proposed clause of the loaded folder
    clauses = (folder / "clauses.yaml").read_text(encoding="utf-8")
    assert all(f"- id: {cid}\n    proposed: true" in clauses for cid in report["drafted"])


def test_cli_carry_writes_occurrence_1_when_the_carried_quote_repeats_later(tmp_path):
    """A quote carried to the first of several identical passages needs `occurrence: 1`, which the loader
    requires whenever a quote is ambiguous: carry used to omit it and then refuse its own output."""
    from pathlib import Path

    import yaml
    from typer.testing import CliRunner

    from privacy_kg.cli import app

    root = Path(__file__).resolve().parents[1]
    source = root / "corpus" / "cloncom"
    [first] = yaml.safe_load((source / "clauses.yaml").read_text(encoding="utf-8"))["clauses"][:1]
    text = (source / "policy.txt").read_text(encoding="utf-8")
    target = tmp_path / "new.txt"
    target.write_text(text + "\n\nRepeated at the end:\n\n" + first["quote"] + "\n", encoding="utf-8")
    folder = tmp_path / "cloncom-2026"
    result = CliRunner().invoke(app, ["carry", str(source), str(target), "--out", str(folder), "--root", str(root), "--no-draft"])
    assert result.exit_code == 0, result.output
    [carried] = [c for c in yaml.safe_load((folder / "clauses.yaml").read_text(encoding="utf-8"))["clauses"]
                 if c["id"] == first["id"]]
    assert carried["occurrence"] == 1
