"""`privacy-kg load` against a real Oxigraph server on 127.0.0.1 (on disk, so it can be restarted):
faults (no server, a server that stops part-way, URLs that disagree, bad options), idempotent reloads,
a reload after one company changed, and a company removed from the export."""

from __future__ import annotations

import pytest
import requests
from rdflib import Graph

from privacy_kg import load as loading
from privacy_kg import servers
from store_helpers import by_value, cli, contents, copy_export, export_counts, load_args, server_counts

GRAPH = "https://w3id.org/privacy-kg/graph/"


@pytest.fixture
def project(tmp_path):
    return copy_export(tmp_path / "project")


@pytest.fixture
def server(tmp_path):
    with servers.start_oxigraph(location=tmp_path / "store", folder=tmp_path / "oxigraph") as s:
        yield s


def load(project, server, *extra):
    result = cli(*load_args(project, server, *extra))
    assert result.exit_code == 0, result.output
    return result


def edit_export(project, slug, edit) -> None:
    """Rewrite kg/quads/<slug>.nq line by line: edit(lines) -> lines."""
    path = project.kg_dir / "quads" / f"{slug}.nq"
    path.write_text("".join(edit(path.read_text(encoding="utf-8").splitlines(keepends=True))), encoding="utf-8")


def test_no_server_is_a_one_line_error_naming_the_url(project):
    url = f"http://127.0.0.1:{servers.free_port()}/query"
    result = cli("load", "--endpoint", url, "--root", str(project.root))
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"error: cannot connect to {url.replace('/query', '/store')}: is the server running?; nothing was loaded"]


def test_a_load_that_stops_part_way_says_what_was_loaded_and_a_rerun_completes_it(project, server, tmp_path, monkeypatch):
    names = [g.name for g in loading.export_graphs(project.kg_dir)]
    sent, put = [], loading.Client.put

    def put_then_stop(client, graph):
        if len(sent) == 3:
            server.stop()  # the server goes away in the middle of the load
        sent.append(graph.name)
        put(client, graph)

    monkeypatch.setattr(loading.Client, "put", put_then_stop)
    result = cli(*load_args(project, server))
    monkeypatch.undo()
    assert result.exit_code == 2
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1, message
    assert f"cannot connect to {server.store_url}" in message
    assert f"loaded: {', '.join(names[:3])}; not loaded: {', '.join(names[3:])}; rerun" in message

    with servers.start_oxigraph(server.port, tmp_path / "store", tmp_path / "restarted") as restarted:
        expected = export_counts(project)
        assert server_counts(restarted) == {n: expected[n] for n in names[:3]}  # whole graphs only
        rerun = load(project, restarted)
        assert server_counts(restarted) == expected
        assert "≠" not in rerun.stdout


def test_a_reload_of_an_unchanged_export_changes_nothing(project, server):
    load(project, server)
    before = contents(server)
    result = load(project, server)
    assert f"0 graph(s) loaded (0 triples), {len(before)} unchanged" in result.stdout
    assert contents(server) == before  # blank node ids too: the ontology's graph was not even rewritten
    forced = load(project, server, "--force")
    assert f"{len(before)} graph(s) loaded" in forced.stdout
    assert server_counts(server) == export_counts(project)


def test_a_reload_after_one_company_changed_replaces_only_its_graph(project, server):
    load(project, server)
    before = contents(server)
    changed = f"<https://w3id.org/privacy-kg/id/cloncom> <http://www.w3.org/2000/01/rdf-schema#comment> \"changed\" <{GRAPH}cloncom> .\n"

    def change_cloncom(lines):
        ours = [line for line in lines if line.rstrip().endswith(f"<{GRAPH}cloncom> .")]
        return [line for line in lines if line != ours[0]] + [changed]

    edit_export(project, "cloncom", change_cloncom)
    result = load(project, server)
    assert "1 graph(s) loaded" in result.stdout
    after = contents(server)
    assert {name for name in before if after[name] != before[name]} == {"cloncom"}
    exported = next(g for g in loading.export_graphs(project.kg_dir) if g.name == "cloncom")
    assert by_value(after["cloncom"]) == by_value(Graph().parse(data=exported.body.decode(), format="nt"))
    assert len(after["cloncom"]) == len(before["cloncom"])  # one triple dropped, one added


def test_a_graph_altered_on_the_server_is_replaced(project, server):
    load(project, server)
    extra = b"<https://example.org/s> <https://example.org/p> <https://example.org/o> .\n"
    requests.post(server.store_url, params={"graph": GRAPH + "voipcom"}, data=extra,
                  headers={"Content-Type": "application/n-triples"}, timeout=10).raise_for_status()
    result = load(project, server)
    assert "1 graph(s) loaded" in result.stdout
    assert server_counts(server) == export_counts(project)


def test_a_company_removed_from_the_export_is_removed_from_the_server(project, server):
    load(project, server)
    (project.kg_dir / "quads" / "voipcom.nq").unlink()
    result = load(project, server)
    assert "1 removed" in result.stdout
    assert "voipcom" not in server_counts(server)
    assert server_counts(server) == export_counts(project)


def test_counts_that_differ_after_the_load_exit_1(project, server, tmp_path):
    """The Graph Store URL points to another server than the query URL: the verification catches it."""
    with servers.start_oxigraph(folder=tmp_path / "other") as other:
        result = cli("load", "--endpoint", other.query_url, "--graph-store", server.store_url, "--root", str(project.root))
    assert result.exit_code == 1
    assert "error: the server's counts differ from the export: ontology has 0 triples" in result.stderr


@pytest.mark.parametrize("args, message", [
    (["--endpoint", "http://127.0.0.1:1/sparql/x"], "cannot guess the Graph Store URL of http://127.0.0.1:1/sparql/x: give --graph-store URL"),
    (["--endpoint", "http://127.0.0.1:1/query", "--auth", "ntlm"], "--auth must be one of digest, basic"),
])
def test_bad_options_exit_2(project, args, message):
    result = cli("load", *args, "--root", str(project.root))
    assert result.exit_code == 2
    assert message in result.stderr


def test_no_export_exits_2(tmp_path):
    result = cli("load", "--endpoint", "http://127.0.0.1:1/query", "--root", str(tmp_path))
    assert result.exit_code == 2
    assert "quads holds no .nq file: run `privacy-kg build` first" in result.stderr
