"""Issue 16, query / load / serve: each case pinned by a test named after what it guarantees, and
property tests (hypothesis) for query parameters and N-Quads loading."""

from __future__ import annotations

import http.server
import os
import signal
import threading
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import REPO
from privacy_kg import queries, serve as serving
from privacy_kg.safe_output import printable, redact
from privacy_kg.store import ExportSyntaxError, open_store
from store_helpers import cli, copy_export


@pytest.fixture
def project(tmp_path):
    return copy_export(tmp_path / "project")


class Fake(http.server.BaseHTTPRequestHandler):
    """A scripted server: `Fake.answer(handler)` writes the whole response."""
    answer = None

    def do_GET(self):
        type(self).answer(self)

    do_POST = do_PUT = do_DELETE = do_GET

    def log_message(self, *_):
        pass


@pytest.fixture
def fake():
    handler = type("Handler", (Fake,), {})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield handler, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def respond(handler, status: int, body: bytes, content_type: str = "application/sparql-results+json") -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


# -- 8, 9: --check ------------------------------------------------------------------------------------

def test_query_all_check_exits_1_naming_the_query_and_the_differing_rows(project):
    golden = project.queries_dir / "third-party-sharing.expected.csv"
    lines = golden.read_text(encoding="utf-8").splitlines(keepends=True)
    golden.write_text("".join(lines[:1] + lines[2:]), encoding="utf-8")  # one golden row fewer
    result = cli("query", "--all", "--check", "--format", "csv", "--root", str(project.root))
    assert result.exit_code == 1, result.output
    assert "answers differ from the golden answers: third-party-sharing" in result.stderr
    assert "third-party-sharing: unexpected:" in result.stderr


def test_a_duration_compares_equal_to_virtuosos_number_of_seconds():
    seconds = queries.Result(["notice"], [{"notice": "864000.0"}])
    iso = queries.Result(["notice"], [{"notice": "P10D"}])
    assert queries.canonical(seconds) == queries.canonical(iso)
    assert queries.differences(seconds, iso) == ([], [])
    assert queries.canonical(queries.Result(["n"], [{"n": "P1D"}])) != queries.canonical(iso)


def test_a_year_month_duration_compares_equal_to_virtuosos_number_of_months():
    def cell(text):
        return queries.canonical(queries.Result(["period"], [{"period": text}]))

    assert cell("36") == cell("P3Y") == cell("P2Y12M") and cell("12") == cell("P12M") == cell("P1Y")
    assert cell("P3Y") != cell("P3M") and cell("P1Y") != cell("P1D")


# -- 16: query forms ---------------------------------------------------------------------------------

def test_ask_prints_a_boolean_and_construct_prints_n_triples(project, tmp_path):
    ask = tmp_path / "ask.rq"
    ask.write_text("# an ASK query\nASK { GRAPH ?g { ?s ?p ?o } }\n")
    construct = tmp_path / "c.rq"
    construct.write_text("CONSTRUCT { ?s a <https://example.org/C> } WHERE { GRAPH ?g { ?s a <https://w3id.org/privacy-kg/ontology#Company> } }\n")
    answer = cli("query", "--file", str(ask), "--root", str(project.root))
    assert answer.exit_code == 0 and answer.stdout.strip() == "true", answer.output
    graph = cli("query", "--file", str(construct), "--root", str(project.root))
    assert graph.exit_code == 0, graph.output
    lines = graph.stdout.splitlines()
    assert lines and all(line.endswith("<https://example.org/C> .") for line in lines)


def test_a_non_select_query_on_an_endpoint_is_refused_clearly(project, tmp_path, fake):
    ask = tmp_path / "ask.rq"
    ask.write_text("PREFIX x: <https://example.org/>\nASK {}\n")
    result = cli("query", "--file", str(ask), "--endpoint", fake[1] + "/query", "--root", str(project.root))
    assert result.exit_code == 2
    assert "not ASK" in result.stderr


# -- 17: option ranges -------------------------------------------------------------------------------

@pytest.mark.parametrize("args", [
    ["load", "--endpoint", "http://127.0.0.1:1/query", "--timeout", "0"],
    ["load", "--endpoint", "http://127.0.0.1:1/query", "--timeout", "-1"],
    ["serve", "--port", "70000"],
    ["serve", "--port", "-1"],
    ["query", "--all", "--timeout", "0"],
])
def test_an_option_out_of_range_is_a_usage_error(project, args):
    result = cli(*args, "--root", str(project.root))
    assert result.exit_code == 2
    assert "Invalid value" in result.output and "Traceback" not in result.output


# -- 18, 13: what a server answers -------------------------------------------------------------------

def test_a_count_answer_without_the_expected_variable_is_a_clear_error(project, fake):
    handler, base = fake

    def answer(h):
        if h.command == "POST":  # every SELECT: one row that lacks ?n
            respond(h, 200, b'{"head": {"vars": ["g"]}, "results": {"bindings": [{"g": {"type": "uri", "value": "https://e/g"}}]}}')
        else:
            respond(h, 404, b"", "text/plain")
    handler.answer = answer
    result = cli("load", "--endpoint", base + "/query", "--root", str(project.root))
    assert result.exit_code == 2
    assert "answered a count without ?g and ?n" in result.stderr and "KeyError" not in result.output


def test_a_servers_error_body_is_printed_with_control_characters_escaped(project, fake):
    handler, base = fake
    handler.answer = lambda h: respond(h, 500, b"boom \x1b[31mred\x1b[0m", "text/plain")
    result = cli("load", "--endpoint", base + "/query", "--root", str(project.root))
    assert result.exit_code == 2
    assert "\x1b" not in result.stderr and "boom \\x1b[31mred" in result.stderr


def test_query_results_are_printed_with_control_characters_escaped(project, tmp_path):
    rq = tmp_path / "esc.rq"
    rq.write_text('SELECT ?x WHERE { BIND("a\\u001b[2Jb\\u0007" AS ?x) }\n')
    for fmt in ("table", "csv", "json"):
        result = cli("query", "--file", str(rq), "--format", fmt, "--root", str(project.root))
        assert result.exit_code == 0, result.output
        assert "\x1b" not in result.stdout and "\x07" not in result.stdout
        assert "[2J" in result.stdout


def test_printable_escapes_every_control_character_but_tab_and_newline():
    assert printable("a\tb\nc\x00\x1b\x7f\x85") == "a\tb\nc\\x00\\x1b\\x7f\\x85"


# -- 22: query timeout -------------------------------------------------------------------------------

def test_a_query_over_its_timeout_is_stopped_with_a_clear_error(project, tmp_path):
    rq = tmp_path / "cross.rq"
    rq.write_text("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?a { ?s ?p ?o } GRAPH ?b { ?t ?q ?r } GRAPH ?c { ?u ?v ?w } }\n")
    result = cli("query", "--file", str(rq), "--timeout", "0.5", "--root", str(project.root))
    assert result.exit_code == 2
    assert "no answer within 0.5 s; stopped (see --timeout)" in result.stderr


def test_ctrl_c_stops_a_running_embedded_query(monkeypatch):
    from privacy_kg import interruptible

    threading.Timer(0.5, lambda: os.kill(os.getpid(), signal.SIGINT)).start()  # process-directed, as Ctrl-C is
    with pytest.raises(KeyboardInterrupt):
        interruptible.call(lambda: time.sleep(120), None)  # would run 2 minutes if Ctrl-C were lost


# -- 23: load timeout bounds the whole request --------------------------------------------------------

def test_load_timeout_bounds_the_whole_request_not_each_read(project, fake):
    handler, base = fake
    state = {"sent": 0, "finished": False}

    def trickle(h):
        h.send_response(200)
        h.send_header("Content-Length", "400")
        h.end_headers()
        try:
            for _ in range(400):  # a byte every 0.1 s: 40 s in all, each read well within the timeout
                h.wfile.write(b" ")
                h.wfile.flush()
                state["sent"] += 1
                time.sleep(0.1)
        except OSError:
            return
        state["finished"] = True
    handler.answer = trickle
    result = cli("load", "--endpoint", base + "/query", "--timeout", "1", "--root", str(project.root))
    assert result.exit_code == 2
    assert "did not answer within 1 s" in result.stderr
    assert not state["finished"], "the load waited for the whole trickle"


# -- 24: credentials ---------------------------------------------------------------------------------

@pytest.mark.parametrize("command", [["load"], ["query", "third-party-sharing"]])
def test_credentials_in_a_url_are_refused_and_never_printed(project, command):
    result = cli(*command, "--endpoint", "http://alice:secret@127.0.0.1:1/query", "--root", str(project.root))
    assert result.exit_code == 2
    assert "secret" not in result.output and "alice" not in result.output
    assert "holds credentials" in result.stderr and "$PRIVACY_KG_USER" in result.stderr


@pytest.mark.parametrize("command", [["load"], ["query", "third-party-sharing"]])
def test_a_password_without_a_user_is_an_error(project, command):
    result = cli(*command, "--endpoint", "http://127.0.0.1:1/query", "--root", str(project.root), env={"PRIVACY_KG_PASSWORD": "x"})
    assert result.exit_code == 2
    assert "$PRIVACY_KG_PASSWORD is set but $PRIVACY_KG_USER is not" in result.stderr


def test_redact_hides_userinfo_in_every_url_of_a_message():
    assert redact("GET https://a:b@h/x then ftp://c@d/") == "GET https://***@h/x then ftp://***@d/"


# -- 25: serve start-up ------------------------------------------------------------------------------

def test_serve_handles_ctrl_c_before_the_server_is_spawned_and_never_loses_it(monkeypatch):
    seen = {}

    class Running:
        def running(self):
            return True

    with serving.stop_on_sigterm():
        seen["sigint"] = signal.getsignal(signal.SIGINT)
        try:
            signal.raise_signal(signal.SIGINT)  # lands during start-up, and its KeyboardInterrupt is swallowed
        except KeyboardInterrupt:
            pass
        assert serving.wait(Running(), tick=0.01) is True  # still seen: serve stops instead of serving on
    assert seen["sigint"] is serving._interrupt


# -- 28: N-Quads errors ------------------------------------------------------------------------------

def test_an_nquads_error_names_the_file_and_its_own_line(project):
    bad = project.kg_dir / "quads" / "voipcom.nq"
    lines = bad.read_text(encoding="utf-8").splitlines(keepends=True)
    lines.insert(2, '<https://e/s> <https://e/p> "unterminated .\n')
    bad.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(ExportSyntaxError, match=r"voipcom\.nq: not valid N-Quads: .*line 3"):
        open_store(project.kg_dir)
    result = cli("query", "third-party-sharing", "--root", str(project.root))
    assert result.exit_code == 2 and "voipcom.nq" in result.stderr


# -- property tests ----------------------------------------------------------------------------------

EVIDENCE = queries.find(REPO / "queries", "evidence")
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FAST
@given(st.text(max_size=40))
def test_a_string_parameter_is_bound_as_exactly_one_literal(value):
    text = EVIDENCE.bind({"company": value})
    assert text.count("VALUES ?company {") == 1
    from rdflib import Literal
    assert f"VALUES ?company {{ {Literal(value).n3()} }}" in text


@FAST
@given(st.text(max_size=40))
def test_an_iri_parameter_is_a_clean_error_or_one_well_formed_iri(value):
    try:
        text = EVIDENCE.bind({"practiceClass": value})
    except queries.QueryError as e:
        assert "takes an IRI" in str(e)
        return
    block = text[text.index("VALUES ?practiceClass {"):]
    block = block[:block.index("}") + 1]
    assert block.count("<") == 1 and block.count(">") == 1 and " " not in block.split("<")[1].split(">")[0]


@FAST
@given(st.text(max_size=30).filter(lambda s: "=" not in s))
def test_a_param_without_equals_is_a_usage_error(pair):
    from privacy_kg.cli.query import _params
    with pytest.raises(queries.QueryError, match="key=value"):
        _params([pair])


GOOD = '<https://e/s> <https://e/p> "o" <https://e/g> .\n'


@FAST
@given(st.lists(st.sampled_from([GOOD, '<https://e/s> <https://e/p> "o\n', "<s p o .\n", '_:b <https://e/p> "x"^^ .\n',
                                 "\x00\n", '<https://e/s> <https://e/p> <https://e/o> <g> junk .\n']), min_size=1, max_size=8),
       st.integers(0, 2))
def test_malformed_nquads_is_a_clean_error_naming_file_and_line(tmp_path_factory, lines, good_files):
    kg = tmp_path_factory.mktemp("kg")
    (kg / "quads").mkdir()
    for i in range(good_files):
        (kg / "quads" / f"a{i}.nq").write_text(GOOD * 3)
    (kg / "quads" / "z.nq").write_text("".join(lines))
    try:
        open_store(kg)
    except ExportSyntaxError as e:
        assert "z.nq: not valid N-Quads" in str(e) and "line" in str(e)
        bad = next(i for i, line in enumerate(lines, 1) if line != GOOD)
        assert f"line {bad}" in str(e)
