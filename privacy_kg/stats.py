"""Summary figures of the built graph, computed with SPARQL on the embedded store."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from privacy_kg.namespaces import ONTOLOGY_GRAPH
from privacy_kg.store import rows

PREFIXES = """PREFIX pk: <https://w3id.org/privacy-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""

PER_COMPANY = PREFIXES + """
SELECT ?company ?name ?graph
       (COUNT(DISTINCT ?clause) AS ?clauses) (COUNT(DISTINCT ?practice) AS ?practices) WHERE {
  GRAPH ?graph {
    ?company a pk:Company ; rdfs:label ?name .
    OPTIONAL { ?clause a pk:Clause }
    OPTIONAL { ?practice a pk:Practice }
  }
} GROUP BY ?company ?name ?graph ORDER BY ?name"""

TRIPLES = "SELECT ?graph (COUNT(*) AS ?triples) WHERE { GRAPH ?graph { ?s ?p ?o } } GROUP BY ?graph ORDER BY ?graph"

BY_TOPIC = PREFIXES + f"""
SELECT ?topic ?modality (COUNT(DISTINCT ?practice) AS ?practices) WHERE {{
  GRAPH ?g {{ ?practice a pk:Practice, ?class ; pk:hasModality ?m }}
  GRAPH <{ONTOLOGY_GRAPH}> {{
    ?class rdfs:subClassOf* ?t . ?t pk:isTopic true ; rdfs:label ?topic . ?m rdfs:label ?modality
  }}
}} GROUP BY ?topic ?modality ORDER BY ?topic ?modality"""


@dataclass
class Stats:
    companies: list[dict]
    triples: dict[str, int]
    by_topic: list[dict]

    @property
    def total_triples(self) -> int:
        return sum(self.triples.values())


def _value(term) -> str | int:
    if isinstance(term, ox.Literal) and term.datatype.value.endswith("#integer"):
        return int(term.value)
    return term.value


def compute(store: ox.Store) -> Stats:
    companies = [{k: _value(v) for k, v in r.items()} for r in rows(store, PER_COMPANY)]
    triples = {r["graph"].value: int(r["triples"].value) for r in rows(store, TRIPLES)}
    by_topic = [{k: _value(v) for k, v in r.items()} for r in rows(store, BY_TOPIC)]
    return Stats(companies, triples, by_topic)
