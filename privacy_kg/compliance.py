"""The compliance matrix: for each company and each item of each regulatory profile, whether its policy
states the item, is silent on it, or the item does not apply: a conditional item whose condition no
statement meets ("not applicable"), or a profile whose scope the company is not in ("not in scope").

Everything is read from the validation itself, so the matrix cannot disagree with the warnings: the
profiles, items and articles from the regulatory shapes (ontology/regulatory-shapes.ttl, generated from
mappings/regulatory-profiles.yaml), the silences from the SHACL results of the item shapes, and the
applicability of a conditional item from its pks:applicableWhen query, run on the company graph."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import RDFS, Graph, Namespace
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS

from privacy_kg.profile_sparql import PKS as PKS_IRI, PREFIXES

PKS = Namespace(PKS_IRI)
STATED, SILENT, NOT_APPLICABLE, NOT_IN_SCOPE = "stated", "silent", "not applicable", "not in scope"


@dataclass(frozen=True)
class ItemSpec:
    id: str
    shape: str  # the item's SHACL shape (IRI)
    label: str
    article: str
    applicable: str | None  # SELECT $this when the item applies (conditional items), prefixes included

    @property
    def column(self) -> str:
        return f"{self.article}: {self.label}"


@dataclass(frozen=True)
class ProfileSpec:
    id: str
    label: str
    scope: str  # the class of the companies in scope (IRI)
    items: tuple[ItemSpec, ...]


def profiles_of(shapes: Graph) -> tuple[ProfileSpec, ...]:
    """The profiles the shapes graph declares, in their order (an item's shape is pks:<profile>-<item>)."""
    found = []
    prefixes = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())  # those the shapes declare
    for head in shapes.objects(PKS.RegulatoryProfiles, PKS.profiles):
        for profile in Collection(shapes, head):
            items = []
            for head_items in shapes.objects(profile, PKS.items):
                for shape in Collection(shapes, head_items):
                    query = shapes.value(shape, PKS.applicableWhen)
                    items.append(ItemSpec(str(shape)[len(str(profile)) + 1:], str(shape), str(shapes.value(shape, RDFS.label)),
                                          str(shapes.value(shape, DCTERMS.source)), None if query is None else prefixes + str(query)))
            found.append(ProfileSpec(str(profile)[len(PKS_IRI):], str(shapes.value(profile, RDFS.label)),
                                     str(shapes.value(profile, PKS.scope)), tuple(items)))
    return tuple(found)


def statuses(profiles: tuple[ProfileSpec, ...], company: str, types: set, silent_shapes: set[str],
             store: ox.Store) -> dict[str, dict[str, str]]:
    """profile id -> item id -> status, for one company: its rdf:types (asserted and inferred), the item
    shapes that reported it, and its graph on an in-memory store."""
    matrix = {}
    for profile in profiles:
        row = {}
        for item in profile.items:
            if profile.scope not in types:
                row[item.id] = NOT_IN_SCOPE
            elif item.shape in silent_shapes:
                row[item.id] = SILENT
            elif item.applicable and not list(store.query(item.applicable, substitutions={ox.Variable("this"): ox.NamedNode(company)})):
                row[item.id] = NOT_APPLICABLE
            else:
                row[item.id] = STATED
        matrix[profile.id] = row
    return matrix


def profile_of_shape(profiles: tuple[ProfileSpec, ...]) -> dict[str, str]:
    """Item shape IRI -> the label of its profile."""
    return {item.shape: profile.label for profile in profiles for item in profile.items}


def matrix_csv(profiles: tuple[ProfileSpec, ...], companies: list[tuple[str, dict[str, dict[str, str]]]]) -> bytes:
    """kg/compliance.csv: a row per company (name, matrix), a column per required item ("<article>: <item>")."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["company", *(item.column for p in profiles for item in p.items)])
    for name, matrix in companies:
        writer.writerow([name, *(matrix.get(p.id, {}).get(item.id, NOT_IN_SCOPE) for p in profiles for item in p.items)])
    return buffer.getvalue().encode()

