"""Namespaces and the IRI scheme. IRIs derive from the company slug and clause ids only, so rebuilds
are byte-identical and diffs of kg/ mean something."""

from __future__ import annotations

import re

from rdflib import Namespace, URIRef

BASE = "https://w3id.org/privacy-kg/"
PK = Namespace(BASE + "ontology#")
ID = Namespace(BASE + "id/")
GRAPH = Namespace(BASE + "graph/")
OA = Namespace("http://www.w3.org/ns/oa#")
DPV = Namespace("https://w3id.org/dpv#")
PD = Namespace("https://w3id.org/dpv/pd#")
VS = Namespace("http://www.w3.org/2003/06/sw-vocab-status/ns#")
PROV = Namespace("http://www.w3.org/ns/prov#")

ONTOLOGY_GRAPH = GRAPH["ontology"]
HIERARCHY_GRAPH = GRAPH["class-hierarchy"]  # the ontology's entailed rdfs:subClassOf, for stores without paths
RESERVED_SLUGS = ("ontology", "class-hierarchy")  # graph names (and kg/quads files) taken by the ontology

PREFIXES = {
    "pk": PK,
    "oa": OA,
    "dpv": DPV,
    "pd": PD,
    "skos": Namespace("http://www.w3.org/2004/02/skos/core#"),
    "dcterms": Namespace("http://purl.org/dc/terms/"),
    "prov": PROV,
}


def kebab(name: str) -> str:
    """EmailAddress -> email-address, SSLEncryption -> ssl-encryption."""
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1-\2", name)
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1-\2", s)
    return s.lower()


def company_iri(slug: str) -> URIRef:
    return ID[slug]


def company_graph(slug: str) -> URIRef:
    return GRAPH[slug]


def version_iri(slug: str, date: str) -> URIRef:
    """A dated version of a company's policy (the date it was recorded, YYYY-MM-DD): the same IRI whether the
    version is the current one or an earlier one."""
    return ID[f"{slug}/version/{date}"]


def version_graph(slug: str, date: str | None) -> URIRef:
    """The named graph of a version: graph/<slug> for the current one (date None), else
    graph/<slug>/version/<date>."""
    return GRAPH[slug] if date is None else GRAPH[f"{slug}/version/{date}"]


def node(slug: str, *path: str) -> URIRef:
    return ID[slug + "/" + "/".join(path)]


def local_name(iri) -> str:
    return str(iri).rsplit("#", 1)[-1].rsplit("/", 1)[-1]
