"""Stored competency questions: queries/<name>.rq, each with a header that says what it answers, and
queries/<name>.expected.csv, its golden answer on the seed corpus.

Header lines (comments at the top of the .rq file):
    # title: Third-party sharing
    # question: Which companies share personal data with third parties ...?
    # param: dataClass iri = pk:PersonalData -- the data-type class to look for
    # lists: purposes conditions           (columns that hold " | "-joined sets, compared as sets)
    # needs: history                       (it reads the earlier versions too: kg/history/ is loaded for it)

A parameter's default sits in the query as `VALUES ?dataClass { pk:PersonalData }`. A value given on the
command line is parsed into one RDF term (an IRI, which must be well-formed, or a literal of the declared
type) and that block is rewritten with the term's N-Triples form: text is never pasted into the query.

Results are normalised to plain values (IRIs as compact names, literals by value), so the embedded store,
rdflib and remote endpoints compare equal whatever their serialisation quirks."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD

from privacy_kg.namespaces import BASE, DPV, ID, PD, PK

PREFIXES = {"pk": str(PK), "dpv": str(DPV), "pd": str(PD), "id": str(ID), "xsd": str(XSD)}
HEADER = re.compile(r"^#\s*(title|question|param|lists|needs):\s*(.*)$")
NEEDS = {"history"}
PARAM = re.compile(r"^(\w+)\s+(iri|string|integer)\s*=\s*(\S+)\s*(?:--\s*(.*))?$")
LIST_SEPARATOR = " | "
IRI_OK = re.compile(r"^[^\s<>\"{}|\\^`]+$")


class QueryError(ValueError):
    """A stored query or a parameter value is wrong; the message says which and why."""


@dataclass(frozen=True)
class Param:
    name: str
    kind: str  # iri | string | integer
    default: str
    description: str


@dataclass
class StoredQuery:
    name: str
    path: Path
    title: str
    question: str
    text: str
    params: dict[str, Param] = field(default_factory=dict)
    lists: set[str] = field(default_factory=set)
    history: bool = False  # `# needs: history`: it compares versions, so it reads every version's graph

    @property
    def expected_path(self) -> Path:
        return self.path.with_suffix(".expected.csv")

    def bind(self, values: dict[str, str] | None = None) -> str:
        """The query text with parameters bound as RDF terms (defaults where not given)."""
        text = self.text
        for key in sorted(values or {}):
            if key not in self.params:
                raise QueryError(f"{self.name}: unknown parameter {key!r}; it takes: {', '.join(sorted(self.params)) or 'none'}")
            term = to_term(self.params[key], values[key])
            pattern = re.compile(r"VALUES\s+\?" + re.escape(key) + r"\s*\{[^}]*\}")
            if not pattern.search(text):
                raise QueryError(f"{self.name}: no `VALUES ?{key} {{ … }}` block to bind")
            text = pattern.sub(lambda _m: f"VALUES ?{key} {{ {term.n3()} }}", text)
        return text


def to_term(param: Param, value: str) -> URIRef | Literal:
    """Parse a command-line value into one RDF term of the parameter's kind, or refuse it."""
    if param.kind == "integer":
        if not re.fullmatch(r"[+-]?\d+", value):
            raise QueryError(f"parameter {param.name} takes an integer, not {value!r}")
        return Literal(int(value))
    if param.kind == "string":
        return Literal(value)
    iri = expand(value)
    if not IRI_OK.match(iri) or ":" not in iri:
        raise QueryError(f"parameter {param.name} takes an IRI (pk:Name or <https://…>), not {value!r}")
    return URIRef(iri)


def expand(value: str) -> str:
    if value.startswith("<") and value.endswith(">"):
        return value[1:-1]
    prefix, _, local = value.partition(":")
    if prefix in PREFIXES and re.fullmatch(r"[A-Za-z0-9_\-]*", local):
        return PREFIXES[prefix] + local
    return value


@lru_cache(maxsize=65536)
def compact(iri: str) -> str:
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and re.fullmatch(r"[A-Za-z0-9_\-/]*", iri[len(ns):]):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


def parse(path: Path) -> StoredQuery:
    text = path.read_text(encoding="utf-8")
    fields: dict[str, list[str]] = {}
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        match = HEADER.match(line)
        if match:
            fields.setdefault(match.group(1), []).append(match.group(2).strip())
    for required in ("title", "question"):
        if not fields.get(required):
            raise QueryError(f"{path}: the header lacks `# {required}: …`")
    params = {}
    for spec in fields.get("param", []):
        match = PARAM.match(spec)
        if not match:
            raise QueryError(f"{path}: bad `# param:` line {spec!r} (expected: name iri|string|integer = default -- description)")
        param = Param(match.group(1), match.group(2), match.group(3), match.group(4) or "")
        if not re.search(r"VALUES\s+\?" + param.name + r"\s*\{", text):
            raise QueryError(f"{path}: parameter {param.name} has no `VALUES ?{param.name} {{ … }}` block holding its default")
        params[param.name] = param
    lists = {name for spec in fields.get("lists", []) for name in spec.split()}
    needs = {name for spec in fields.get("needs", []) for name in spec.split()}
    if needs - NEEDS:
        raise QueryError(f"{path}: unknown `# needs:` {', '.join(sorted(needs - NEEDS))} (known: {', '.join(sorted(NEEDS))})")
    return StoredQuery(path.stem, path, fields["title"][0], " ".join(fields["question"]), text, params, lists,
                       "history" in needs)


def declares_history(text: str) -> bool:
    """Whether a query's header says `# needs: history` (for ad-hoc queries, which need no title)."""
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        match = HEADER.match(line)
        if match and match.group(1) == "needs" and "history" in match.group(2).split():
            return True
    return False


def load_all(queries_dir: Path) -> list[StoredQuery]:
    return [parse(p) for p in sorted(queries_dir.glob("*.rq"))]


def find(queries_dir: Path, name: str) -> StoredQuery:
    path = queries_dir / f"{name}.rq"
    if not path.exists():
        known = ", ".join(q.name for q in load_all(queries_dir))
        raise QueryError(f"no stored query {name!r}; known: {known}")
    return parse(path)


# -- running and normalising ------------------------------------------------------------------------

Row = dict[str, object]


@dataclass
class Result:
    """A SELECT answer (variables and rows); an ASK answer (`boolean`); or a CONSTRUCT / DESCRIBE answer
    (`graph`: N-Triples bytes)."""

    variables: list[str]
    rows: list[Row]  # variable -> normalised value (str / Decimal / bool); unbound variables absent
    boolean: bool | None = None
    graph: bytes | None = None


def value(term, lists: bool = False) -> object:
    """A comparable plain value for an RDF term (rdflib's or Oxigraph's): compact IRI, number by value,
    boolean, or text."""
    if isinstance(term, (URIRef, ox.NamedNode)):
        return compact(str(term) if isinstance(term, URIRef) else term.value)
    if isinstance(term, (BNode, ox.BlankNode)):
        return "_:b"
    if isinstance(term, Literal):
        return _literal(str(term), str(term.datatype) if term.datatype is not None else None, lists)
    if isinstance(term, ox.Literal):  # straight from Oxigraph: no rdflib term on the way (~5x cheaper a row)
        return _literal(term.value, term.datatype.value, lists)
    return str(term)


def _literal(text: str, datatype: str | None, lists: bool) -> object:
    if datatype == BOOLEAN:
        return text.lower() in ("true", "1")
    if datatype in NUMERIC:
        return _number(text)
    return _list(text) if lists else text


BOOLEAN = str(XSD.boolean)
NUMERIC = {str(t) for t in (XSD.integer, XSD.decimal, XSD.double, XSD.float, XSD.int, XSD.long, XSD.nonNegativeInteger,
                            XSD.positiveInteger, XSD.short, XSD.unsignedInt)}


def normalise(query: StoredQuery, variables: list[str], solutions) -> Result:
    rows = []
    for solution in solutions:
        row = {v: value(t, v in query.lists) for v, t in solution.items() if t is not None}
        rows.append({v: x for v, x in row.items() if x != "" or v not in query.lists})
    return Result(variables, rows)


def run_embedded(store: ox.Store, query: StoredQuery, params: dict[str, str] | None = None,
                 named_graphs: list[ox.NamedNode] | None = None) -> Result:
    """With `named_graphs`, the query's dataset holds those graphs only (version_views: the current versions,
    or the versions in force on a day)."""
    result = store.query(query.bind(params), named_graphs=named_graphs)
    if isinstance(result, ox.QueryBoolean):
        return Result([], [], boolean=bool(result))
    if isinstance(result, ox.QueryTriples):
        return Result([], [], graph=ox.serialize(result, format=ox.RdfFormat.N_TRIPLES) or b"")
    variables = [v.value for v in result.variables]
    solutions = ({v: s[v] for v in variables if s[v] is not None} for s in result)
    return normalise(query, variables, solutions)


def run_rdflib(dataset, query: StoredQuery, params: dict[str, str] | None = None) -> Result:
    result = dataset.query(query.bind(params))
    variables = [str(v) for v in result.vars]
    solutions = ({v: row[v] for v in variables if row[v] is not None} for row in result)
    return normalise(query, variables, solutions)


def run_endpoint(url: str, query: StoredQuery, params: dict[str, str] | None = None, timeout: int = 60,
                 credentials: tuple[str, str] | None = None) -> Result:
    """Run on a remote SPARQL 1.1 endpoint through SPARQLWrapper (JSON results)."""
    from SPARQLWrapper import JSON, POST, SELECT, SPARQLWrapper

    text = query.bind(params)
    if (form := query_form(text)) != "SELECT":
        raise QueryError(f"{query.name}: an endpoint runs SELECT queries here, not {form or 'this query'}; "
                         "run ASK, CONSTRUCT and DESCRIBE on the embedded store (without --endpoint)")
    client = SPARQLWrapper(url)
    client.setQuery(text)
    client.queryType = SELECT  # SPARQLWrapper guesses the type from words, and header comments can fool it
    client.setReturnFormat(JSON)
    # a URL-encoded POST (SPARQL 1.1 Protocol 2.1.2), as `load` sends its queries: a GET puts the query in the
    # URL, which servers bound (Virtuoso 7.2 misreads the 20 KB regulatory-silence query sent that way)
    client.setMethod(POST)
    client.setTimeout(timeout)
    if credentials:
        client.setCredentials(*credentials)
    data = client.queryAndConvert()
    variables = data["head"]["vars"]
    solutions = ({v: from_json(b[v]) for v in variables if v in b} for b in data["results"]["bindings"])
    return normalise(query, variables, solutions)


PROLOGUE = re.compile(r"\s*(?:#[^\n]*\n|BASE\s*<[^>]*>|PREFIX\s+[^\s:]*:\s*<[^>]*>)", re.IGNORECASE)
FORM = re.compile(r"\s*(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE)


def query_form(text: str) -> str | None:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the first keyword after comments, BASE and PREFIX lines."""
    position = 0
    while match := PROLOGUE.match(text, position):
        position = match.end()
    form = FORM.match(text, position)
    return form.group(1).upper() if form else None


def from_json(binding: dict) -> URIRef | Literal | BNode:
    kind = binding["type"]
    if kind == "uri":
        return URIRef(binding["value"])
    if kind == "bnode":
        return BNode(binding["value"])
    if "xml:lang" in binding:
        return Literal(binding["value"], lang=binding["xml:lang"].lower())
    datatype = binding.get("datatype")
    return Literal(binding["value"], datatype=URIRef(datatype) if datatype else None)


# -- golden answers -----------------------------------------------------------------------------------

def read_expected(query: StoredQuery, path: Path | None = None) -> Result:
    """The golden answer (queries/<name>.expected.csv, or `path`: an answer on another corpus): CSV with
    the query's variables as header; empty cell = unbound. Cells are compared as text, or as numbers when
    they look like numbers."""
    path = path or query.expected_path
    if not path.exists():
        raise QueryError(f"{query.name}: no golden answer {path.name}")
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        variables = list(reader.fieldnames or [])
        rows = [{k: _cell(v, k in query.lists) for k, v in row.items() if v != ""} for row in reader]
    return Result(variables, rows)


def _cell(text: str, is_list: bool) -> object:
    if re.fullmatch(r"[+-]?\d+(\.\d+)?([eE][+-]?\d+)?", text):
        return _number(text)
    if text in ("true", "false"):
        return text == "true"
    return _list(text) if is_list else text


def _list(text: str) -> str:
    """A " | "-joined set as a canonical string: sorted, without duplicates or empty items (the queries
    write GROUP_CONCAT(DISTINCT COALESCE(?x, "")...) because engines disagree on unbound values there)."""
    return LIST_SEPARATOR.join(sorted({item.strip() for item in text.split(LIST_SEPARATOR.strip()) if item.strip()}))


def _number(text: str) -> object:
    """Numbers by value: 2, 2.0, 2.0e0 and "2"^^xsd:decimal are all 2."""
    try:
        d = Decimal(text)
    except InvalidOperation:
        return text
    return int(d) if d == d.to_integral_value() else d.normalize()


def canonical(result: Result) -> list[tuple]:
    """Rows as sorted tuples over the variables, for order-insensitive comparison; durations as seconds."""
    return sorted(tuple((v, comparable(str(row.get(v, "")))) for v in result.variables) for row in result.rows)


def differences(got: Result, expected: Result) -> tuple[list[tuple], list[tuple]]:
    """(rows missing from `got`, rows `got` has that `expected` has not), in canonical form."""
    g, e = canonical(got), canonical(expected)
    return [r for r in e if r not in g], [r for r in g if r not in e]


ISO_DAY_TIME = re.compile(r"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$")
ISO_YEAR_MONTH = re.compile(r"^P(?:(\d+)Y)?(?:(\d+)M)?$")
NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?([eE][+-]?\d+)?$")


def comparable(text: str) -> str:
    """A cell as compared: a day-time xsd:duration as its number of seconds and a year-month one as its
    number of months, since Virtuoso answers "864000.0"^^xsd:duration for P10D and "36"^^xsd:duration
    for P3Y; numbers by value; anything else as it is."""
    day_time, year_month = ISO_DAY_TIME.match(text), ISO_YEAR_MONTH.match(text)
    if day_time and text not in ("P", "PT"):
        d, h, m, sec = (Decimal(x or 0) for x in day_time.groups())
        number = ((d * 24 + h) * 60 + m) * 60 + sec
    elif year_month and text != "P":
        y, m = (Decimal(x or 0) for x in year_month.groups())
        number = y * 12 + m
    elif NUMBER.match(text):
        number = Decimal(text)
    else:
        return text
    return str(int(number)) if number == number.to_integral_value() else str(number.normalize())


def to_csv(result: Result) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(result.variables)
    for row in result.rows:
        writer.writerow([cell_text(row.get(v, "")) for v in result.variables])
    return buffer.getvalue()


def cell_text(v: object) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


GRAPH_BASE = BASE + "graph/"
