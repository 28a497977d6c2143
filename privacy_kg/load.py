"""Loading the export into any SPARQL 1.1 store through the Graph Store HTTP Protocol.

Each named graph of kg/quads/ (one per company, plus the ontology's two) is sent whole with
`PUT <graph-store>?graph=IRI`, which replaces that graph as a unit: a company is never half-old,
half-new, and a rerun after a failure completes the load. The body is the graph's canonical N-Triples
(which is also Turtle, so every store accepts it as text/turtle).

A manifest graph on the server (MANIFEST_GRAPH) records the sha256 of each graph loaded. A graph whose
recorded hash and server triple count both match the export is left alone, so reloading an unchanged
export changes nothing, and after one company changed only its graph is replaced. A graph that an
earlier load put there and the export no longer has (a company removed) is deleted. After the load,
every graph's triple count is read back with SPARQL and compared with the export."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pyoxigraph as ox
import requests
from requests.auth import HTTPBasicAuth, HTTPDigestAuth

from privacy_kg.atomic_export import reading
from privacy_kg.build import quad_files
from privacy_kg.namespaces import BASE, ONTOLOGY_GRAPH
from privacy_kg.queries import GRAPH_BASE, from_json

MANIFEST_GRAPH = BASE + "load/manifest"
SHA256 = BASE + "load#sha256"
AUTH_SCHEMES = ("digest", "basic")
GRAPH_STORE_GUESSES = (("/query", "/store"), ("/sparql", "/sparql-graph-crud-auth"))  # Oxigraph, Virtuoso
BATCH = 200  # graphs per SPARQL request when reading counts

LOADED, UNCHANGED, REMOVED, FAILED, NOT_LOADED = "loaded", "unchanged", "removed", "failed", "not loaded"


class LoadError(RuntimeError):
    """The server could not be reached, refused the request or failed; the message names the URL."""


@dataclass(frozen=True)
class GraphData:
    """One named graph of the export, ready to send."""

    iri: str
    body: bytes  # canonical N-Triples, lines sorted
    triples: int

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.body).hexdigest()

    @property
    def name(self) -> str:
        return short_name(self.iri)


def short_name(iri: str) -> str:
    return iri[len(GRAPH_BASE):] if iri.startswith(GRAPH_BASE) else iri


def export_graphs(kg_dir: Path) -> list[GraphData]:
    """The named graphs of the export: the ontology first, then the companies by name."""
    graphs: dict[str, list[ox.Triple]] = {}
    with reading(kg_dir):  # one generation of the export (atomic_export)
        for path in quad_files(kg_dir):
            for quad in ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS):  # keeps the export's blank node labels
                if isinstance(quad.graph_name, ox.NamedNode):
                    graphs.setdefault(quad.graph_name.value, []).append(quad.triple)
    out = []
    for iri in sorted(graphs, key=lambda g: (g != str(ONTOLOGY_GRAPH), g)):
        body = canonical_body(ox.serialize(graphs[iri], format=ox.RdfFormat.N_TRIPLES).splitlines())
        out.append(GraphData(iri, body, body.count(b"\n")))
    return out


def canonical_body(lines: Iterable[bytes]) -> bytes:
    """A graph's N-Triples lines, each once, sorted: what is sent, and what the manifest's hash is of."""
    return b"".join(line + b"\n" for line in sorted(set(lines)))


def guess_graph_store(endpoint: str) -> str:
    """The Graph Store URL of a server's own query URL: /query -> /store (Oxigraph), /sparql ->
    /sparql-graph-crud-auth (Virtuoso). Any other store (GraphDB, Fuseki, ...): pass it explicitly."""
    url = urlsplit(endpoint)
    path = url.path.rstrip("/")
    for query_path, store_path in GRAPH_STORE_GUESSES:
        if path == query_path:
            return urlunsplit(url._replace(path=store_path, query="", fragment=""))
    raise ValueError(f"cannot guess the Graph Store URL of {endpoint}: give --graph-store URL")


@dataclass
class Target:
    """Where to load: the SPARQL query URL (to verify) and the Graph Store URL (to write)."""

    endpoint: str
    graph_store: str
    credentials: tuple[str, str] | None = None
    auth: str = "digest"
    timeout: float = 60


class Client:
    """The few HTTP requests a load makes, with auth, timeouts, and errors that name the URL."""

    def __init__(self, target: Target):
        self.target = target
        self.session = requests.Session()
        if target.credentials:
            scheme = HTTPDigestAuth if target.auth == "digest" else HTTPBasicAuth
            self.session.auth = scheme(*target.credentials)

    def put(self, graph: GraphData) -> None:
        self._send("PUT", self.target.graph_store, params={"graph": graph.iri}, data=graph.body,
                   headers={"Content-Type": "text/turtle; charset=utf-8"})

    def check_access(self) -> None:
        """Read the manifest through the Graph Store URL: proves it answers and takes the credentials
        before anything is written."""
        self._send("GET", self.target.graph_store, params={"graph": MANIFEST_GRAPH}, ok_missing=True,
                   headers={"Accept": "text/turtle"})

    def delete(self, iri: str) -> None:
        self._send("DELETE", self.target.graph_store, params={"graph": iri}, ok_missing=True)

    def select(self, query: str) -> list[dict]:
        """SELECT bindings as dicts of variable -> rdflib term."""
        response = self._send("POST", self.target.endpoint, data={"query": query},
                              headers={"Accept": "application/sparql-results+json"})
        try:
            bindings = response.json()["results"]["bindings"]
        except (ValueError, KeyError) as e:
            raise LoadError(f"{self.target.endpoint} did not answer with SPARQL JSON results ({e})") from None
        return [{k: from_json(v) for k, v in b.items()} for b in bindings]

    def _send(self, method: str, url: str, ok_missing: bool = False, **kwargs) -> requests.Response:
        try:
            response = self._within_timeout(method, url, **kwargs)
        except requests.ConnectionError:
            raise LoadError(f"cannot connect to {url}: is the server running?") from None
        except requests.Timeout:
            raise LoadError(f"{url} did not answer within {self.target.timeout:g} s (see --timeout)") from None
        except requests.RequestException as e:
            raise LoadError(f"{method} {url} failed: {e}") from None
        if response.status_code in (401, 403):
            hint = ("check $PRIVACY_KG_USER / $PRIVACY_KG_PASSWORD and --auth" if self.target.credentials
                    else "set $PRIVACY_KG_USER and $PRIVACY_KG_PASSWORD")
            refused = "refused the credentials" if self.target.credentials else "requires credentials"
            raise LoadError(f"{url} {refused} (HTTP {response.status_code}): {hint}")
        if response.status_code == 404 and ok_missing:
            return response
        if not response.ok:
            first = response.text.strip().splitlines()[0][:200] if response.text.strip() else response.reason
            hint = " (is the Graph Store URL right? see --graph-store)" if response.status_code in (404, 405) else ""
            raise LoadError(f"{method} {url} answered HTTP {response.status_code}: {first}{hint}")
        return response

    def _within_timeout(self, method: str, url: str, **kwargs) -> requests.Response:
        """The request, bounded as a whole by the timeout: requests' own timeout bounds each read, so a
        server sending a byte every half second would hold it for ever. Run in a daemon thread and
        abandoned (its connection closed) when the time is up."""
        outcome: list = []

        def attempt() -> None:
            try:
                outcome.append(self.session.request(method, url, timeout=self.target.timeout, **kwargs))
            except BaseException as e:  # noqa: BLE001 - re-raised in the caller's thread
                outcome.append(e)

        worker = threading.Thread(target=attempt, daemon=True)
        worker.start()
        worker.join(self.target.timeout)
        if not outcome:
            self.session.close()
            self.session = _renewed(self.session)
            raise requests.Timeout()
        if isinstance(outcome[0], BaseException):
            raise outcome[0]
        return outcome[0]

    # -- what the server holds ------------------------------------------------------------------------

    def counts(self, iris: Iterable[str]) -> dict[str, int]:
        """Triples per named graph on the server (absent graphs: 0)."""
        iris = sorted(set(iris))
        found = {iri: 0 for iri in iris}
        for start in range(0, len(iris), BATCH):
            values = " ".join(f"<{iri}>" for iri in iris[start:start + BATCH])
            query = f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }} GROUP BY ?g"
            for row in self.select(query):
                if "g" not in row or "n" not in row:
                    raise LoadError(f"{self.target.endpoint} answered a count without ?g and ?n (it gave: "
                                    f"{', '.join(sorted(row)) or 'no variables'})")
                try:
                    found[str(row["g"])] = int(str(row["n"]))
                except ValueError:
                    raise LoadError(f"{self.target.endpoint} answered a count that is not a number: {str(row['n'])[:50]!r}") from None
        return found

    def manifest(self) -> dict[str, str]:
        """Graph IRI -> sha256 recorded by earlier loads."""
        rows = self.select(f"SELECT ?g ?h WHERE {{ GRAPH <{MANIFEST_GRAPH}> {{ ?g <{SHA256}> ?h }} }}")
        return {str(r["g"]): str(r["h"]) for r in rows if "g" in r and "h" in r}

    def put_manifest(self, hashes: dict[str, str]) -> None:
        body = "".join(f'<{iri}> <{SHA256}> "{h}" .\n' for iri, h in sorted(hashes.items())).encode()
        self.put(GraphData(MANIFEST_GRAPH, body, len(hashes)))


def _renewed(old: requests.Session) -> requests.Session:
    """A new session with the old one's auth (the old one's connection may still be held by a thread)."""
    session = requests.Session()
    session.auth = old.auth
    return session


@dataclass
class GraphStatus:
    iri: str
    triples: int  # in the export (0 for a removed graph)
    status: str = NOT_LOADED
    on_server: int | None = None  # after the load; None when it could not be read

    @property
    def name(self) -> str:
        return short_name(self.iri)

    @property
    def verified(self) -> bool:
        return self.on_server == self.triples


@dataclass
class LoadReport:
    graphs: list[GraphStatus]
    seconds: float = 0.0
    error: str | None = None  # why the load stopped
    sent_triples: int = 0

    def named(self, *statuses: str) -> list[str]:
        return [g.name for g in self.graphs if g.status in statuses]

    @property
    def mismatched(self) -> list[GraphStatus]:
        return [g for g in self.graphs if g.on_server is not None and not g.verified]

    @property
    def ok(self) -> bool:
        return self.error is None and all(g.verified for g in self.graphs)


Progress = Callable[[GraphStatus], None]


def load(kg_dir: Path, target: Target, force: bool = False, progress: Progress | None = None) -> LoadReport:
    """Load the export into the target store; raises LoadError when the server cannot be read before
    anything is sent, and otherwise reports per graph what happened (report.error says why it stopped)."""
    graphs = export_graphs(kg_dir)
    client = Client(target)
    started = time.perf_counter()
    client.check_access()
    recorded = client.manifest()
    wanted = {g.iri for g in graphs}
    before = client.counts(wanted | set(recorded))
    report = LoadReport([GraphStatus(g.iri, g.triples) for g in graphs])
    report.graphs += [GraphStatus(iri, 0) for iri in sorted(set(recorded) - wanted)]
    hashes = dict(recorded)  # what the manifest will say: kept true at every step
    try:
        for graph, status in zip(graphs, report.graphs):
            if not force and recorded.get(graph.iri) == graph.sha256 and before[graph.iri] == graph.triples:
                status.status = UNCHANGED
            else:
                hashes.pop(graph.iri, None)
                _attempt(status, lambda: client.put(graph))
                hashes[graph.iri] = graph.sha256
                report.sent_triples += graph.triples
            if progress:
                progress(status)
        for status in report.graphs[len(graphs):]:
            _attempt(status, lambda: client.delete(status.iri), done=REMOVED)
            del hashes[status.iri]
    except LoadError as e:
        report.error = str(e)
    if hashes != recorded:
        try:
            client.put_manifest(hashes)
        except LoadError as e:
            report.error = report.error or f"the graphs were sent but the manifest was not recorded: {e}"
    report.seconds = time.perf_counter() - started
    return read_back(client, report)


def read_back(client: Client, report: LoadReport) -> LoadReport:
    """Each graph's triple count on the server, read back after a load, for the verification."""
    try:
        after = client.counts(g.iri for g in report.graphs)
        for status in report.graphs:
            status.on_server = after[status.iri]
    except LoadError as e:
        report.error = report.error or str(e)
    return report


def _attempt(status: GraphStatus, action: Callable[[], None], done: str = LOADED) -> None:
    try:
        action()
    except LoadError as e:
        status.status = FAILED
        raise LoadError(f"{status.name}: {e}") from None
    status.status = done
