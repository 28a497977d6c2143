"""`privacy-kg import ota` on small repositories built with git from excerpts of the Open Terms Archive
bundle (excerpts: Open Terms Archive contributors, ODC-BY 1.0)."""

import json
import subprocess

import pytest
from typer.testing import CliRunner

from privacy_kg.cli import app
from privacy_kg.ota import importer
from privacy_kg.ota.history import CHANGE, FIRST, TECHNICAL, classify, normalise

# excerpt of Bitwarden/Privacy Policy.md (Open Terms Archive contributors, ODC-BY 1.0)
A = 'Bitwarden Inc. ("Bitwarden") complies with the EU-U.S. Privacy Shield Framework.\n\n*   [Data Integrity and Purpose Limitation](https://bitwarden.com/privacy/#data-integrity)\n'
A_TRIVIA = 'Bitwarden Inc. ("Bitwarden")  complies with the EU-U.S. Privacy Shield Framework.\n\n- Data Integrity and Purpose Limitation\n'
B = A + "\nWe do not sell your personal data.\n"
C = A + "\nToday's banner.\n"
BODY = "This version was recorded after extracting from snapshot https://github.com/OpenTermsArchive/contrib-snapshots/commit/abc123"


def commit(repo, path, data, subject, date, delete=False, rename_to=None):
    env = {"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date, "GIT_AUTHOR_NAME": "Open Terms Archive contributors",
           "GIT_AUTHOR_EMAIL": "bot@example.org", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org", "PATH": "/usr/bin:/bin"}
    if rename_to:
        (repo / rename_to).parent.mkdir(exist_ok=True)
        subprocess.run(["git", "-C", repo, "mv", path, rename_to], check=True)
    elif delete:
        subprocess.run(["git", "-C", repo, "rm", "-q", path], check=True)
    else:
        (repo / path).parent.mkdir(exist_ok=True)
        (repo / path).write_bytes(data if isinstance(data, bytes) else data.encode())
        subprocess.run(["git", "-C", repo, "add", path], check=True)
    subprocess.run(["git", "-C", repo, "commit", "-q", "-m", subject, "-m", BODY], check=True, env=env)


@pytest.fixture
def repo(tmp_path):
    r = tmp_path / "versions"
    subprocess.run(["git", "init", "-q", r], check=True)
    p = "Bitwarden/Privacy Policy.md"
    commit(r, p, A, "First record of Bitwarden Privacy Policy", "2021-09-27T10:00:00Z")
    commit(r, p, A_TRIVIA, "Apply technical or declaration upgrade on Bitwarden Privacy Policy", "2021-10-01T10:00:00Z")
    commit(r, p, C, "Record new changes of Bitwarden Privacy Policy", "2021-10-02T10:00:00Z")   # flaps ...
    commit(r, p, A, "Record new changes of Bitwarden Privacy Policy", "2021-10-03T10:00:00Z")   # ... back in a day
    commit(r, p, B, "Record new changes of Bitwarden Privacy Policy", "2022-01-10T10:00:00Z")   # substantive
    q = "Old Name/Privacy Policy.md"
    commit(r, q, "Caf\xe9 policy.\n".encode("cp1252"), "Start tracking Old Name Privacy Policy", "2020-01-01T10:00:00Z")
    commit(r, q, None, "Rename", "2020-02-01T10:00:00Z", rename_to="New Name/Privacy Policy.md")
    commit(r, "New Name/Privacy Policy.md", "Caf\xe9 policy, v2.\n", "Update New Name Privacy Policy", "2020-03-01T10:00:00Z")
    commit(r, "Gone/Privacy Policy.md", "Gone soon.\n", "Start tracking Gone Privacy Policy", "2020-01-01T10:00:00Z")
    commit(r, "Gone/Privacy Policy.md", None, "Remove Gone", "2020-01-05T10:00:00Z", delete=True)
    return r


def test_classification_and_normalisation():
    assert classify("First record of X Privacy Policy") == FIRST == classify("Start tracking X Privacy Policy")
    assert classify("Record new changes of X Privacy Policy") == CHANGE == classify("Update X Privacy Policy")
    assert classify("Refilter X Privacy Policy") == TECHNICAL == classify("Apply technical or declaration upgrade on X")
    assert normalise(A) == normalise(A_TRIVIA) != normalise(B)


def test_history_collapses_flapping_renames_and_deletes(repo, tmp_path):
    results = {r.service: r for r in importer.read(repo)}
    bw = results["Bitwarden"]
    assert bw.seen == 5
    assert [v.text for v in bw.history.kept] == [A, B]
    assert [reason for _, reason in bw.history.skipped] == ["identical-after-normalisation", "flapping", "returns-to-earlier-text"]
    renamed = results["New Name"]
    assert renamed.paths == ["Old Name/Privacy Policy.md", "New Name/Privacy Policy.md"]
    assert [v.utf8 for v in renamed.history.kept] == [False, True]
    assert renamed.history.kept[0].text == "Caf\xe9 policy.\n"
    assert results["Gone"].deleted and len(results["Gone"].history.kept) == 1


def test_write_is_manifested_and_keeps_foreign_files(repo, tmp_path):
    out = tmp_path / "out"
    files = importer.outputs(importer.read(repo), "fixture")
    importer.write(out, files)
    doc = json.loads((out / "bitwarden/history.json").read_text())
    assert doc["attribution"] == "Open Terms Archive contributors" and doc["licence"] == "ODC-BY-1.0"
    assert [v["classification"] for v in doc["versions"]] == [FIRST, CHANGE]
    assert doc["versions"][0]["snapshot"].endswith("/commit/abc123")
    assert (out / "bitwarden/versions/0002.md").read_text() == B
    (out / "mine.txt").write_text("not the importer's")
    importer.write(out, importer.outputs(importer.read(repo, ["Bitwarden"]), "fixture"))
    assert not (out / "gone").exists() and (out / "mine.txt").exists() and (out / "bitwarden/versions/0002.md").exists()


def test_bad_repositories_exit_2(tmp_path):
    plain = tmp_path / "plain"
    plain.mkdir()
    (tmp_path / "file.bundle").write_text("not a bundle")
    empty = tmp_path / "empty"
    subprocess.run(["git", "init", "-q", empty], check=True)
    for bad in (plain, tmp_path / "file.bundle", empty, tmp_path / "missing"):
        result = CliRunner().invoke(app, ["import", "ota", str(bad), "--out", str(tmp_path / "o")])
        assert result.exit_code == 2, (bad, result.output)
        assert not (tmp_path / "o").exists()


def test_a_720_kb_version_is_kept_whole(tmp_path):
    """The bundle's largest versions are about 720 KB: one is imported byte for byte, its size recorded."""
    r = tmp_path / "versions"
    subprocess.run(["git", "init", "-q", r], check=True)
    big = "".join(f"Paragraph {n}: we keep your account data while your account is active.\n\n" for n in range(10_000))
    assert 700_000 < len(big.encode("utf-8")) < 760_000
    commit(r, "Big/Privacy Policy.md", big, "First record of Big Privacy Policy", "2024-01-01T10:00:00Z")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["import", "ota", str(r), "--out", str(out), "--no-drafts"])
    assert result.exit_code == 0, result.output
    assert (out / "big/versions/0001.md").read_text(encoding="utf-8") == big
    assert json.loads((out / "big/history.json").read_text())["versions"][0]["bytes"] == len(big.encode("utf-8"))
