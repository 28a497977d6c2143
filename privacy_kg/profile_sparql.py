"""The regulatory profiles as SPARQL, and the two files generated from them (by `privacy-kg docs`):

    ontology/regulatory-shapes.ttl    one SHACL-SPARQL warning shape per item, targeting the scope class
    queries/regulatory-silence.rq     the stored query: which companies in scope are silent on which item

Both run the text `silent(item, company)` writes (the company variable is `$this` in a shape and `?co` in
the query), so the shapes and the query cannot disagree. The patterns avoid what SHACL's pre-binding
forbids (MINUS, VALUES, sub-selects), date functions (the 12-month test reads the dates' text) and BIND
inside EXISTS (rdflib evaluates it without the bindings from outside), so pyshacl (rdflib), Oxigraph and
Virtuoso evaluate them alike."""

from __future__ import annotations

import itertools
import re

from rdflib import RDF, URIRef

from privacy_kg.namespaces import PK
from privacy_kg.profiles import Condition, Item, Pattern, Profile, load_profiles

SHAPES_FILE, QUERY_NAME = "regulatory-shapes.ttl", "regulatory-silence"
PKS = "https://w3id.org/privacy-kg/shapes#"
SOURCE = "mappings/regulatory-profiles.yaml"
PREFIXES = {"pk": str(PK), "rdfs": "http://www.w3.org/2000/01/rdf-schema#", "xsd": "http://www.w3.org/2001/XMLSchema#"}


def sparql_term(iri: URIRef) -> str:
    if iri == RDF.type:
        return "a"
    local = str(iri)[len(str(PK)):]
    return f"pk:{local}" if str(iri).startswith(str(PK)) and re.fullmatch(r"[A-Za-z][A-Za-z0-9]*", local) else f"<{iri}>"


class _Vars:
    """Fresh variable names, so that nested patterns never capture each other's bindings."""

    def __init__(self):
        self.count = itertools.count(1)

    def __call__(self, stem: str) -> str:
        return f"?{stem}{next(self.count)}"


def _condition(c: Condition, st: str, fresh: _Vars) -> list[str]:
    if not c.values:
        return [f"{st} {sparql_term(c.property)} {fresh('any')} ."]
    if not c.typed:
        return _one_of(st, sparql_term(c.property), c.values)
    v = fresh("v")
    return [f"{st} {sparql_term(c.property)} {v} ."] + _one_of(v, "a", c.values)


def _one_of(subject: str, predicate: str, values) -> list[str]:
    """`subject predicate` one of the values: a UNION of constant patterns. (As `?v` with FILTER (?v IN ...),
    Oxigraph scans every `predicate` triple of the graph first: 0.3 s a company for one EXISTS.)"""
    if len(values) == 1:
        return [f"{subject} {predicate} {sparql_term(values[0])} ."]
    return [line for i, value in enumerate(values)
            for line in (["UNION"] if i else []) + [f"{{ {subject} {predicate} {sparql_term(value)} }}"]]


def _statement(pattern: Pattern, company: str | None, st: str, fresh: _Vars) -> list[str]:
    """`st` matching the pattern, stated by `company` (None: `st` is the company's already)."""
    lines = [f"{st} pk:statedBy {company} ."] if company is not None else []
    for c in pattern.conditions:
        lines += _condition(c, st, fresh)
    return lines


def _any_of(patterns: tuple[Pattern, ...], company: str | None, st: str, fresh: _Vars) -> list[str]:
    """One group pattern that matches a statement `st` matching any of the patterns."""
    if len(patterns) == 1:
        return _statement(patterns[0], company, st, fresh)
    # pk:statedBy before the UNION, not in each branch: Oxigraph then starts from the company's statements
    # (with it in each branch, it ran the UNION over the whole graph first: 2.0 s against 0.23 s)
    lines = [f"{st} pk:statedBy {company} ."] if company is not None else []
    for i, p in enumerate(patterns):
        lines += (["UNION"] if i else []) + ["{"] + _indent(_statement(p, None, st, fresh)) + ["}"]
    return lines


def _indent(lines: list[str]) -> list[str]:
    return ["    " + line for line in lines]


def _block(keyword: str, lines: list[str]) -> list[str]:
    return [f"{keyword} {{"] + _indent(lines) + ["}"]


def _months(var: str) -> str:
    return f"(xsd:integer(SUBSTR(STR({var}), 1, 4)) * 12 + xsd:integer(SUBSTR(STR({var}), 6, 2)))"


def stated(item: Item, company: str, fresh: _Vars) -> list[str]:
    """A group pattern with a solution exactly when the company's statements state the item (for an item on
    each collected category: that some statement matches; uncovered_category is the rest)."""
    if item.distinct_values is not None:
        prop, least = item.distinct_values
        names = [(fresh("by"), fresh("value")) for _ in range(least)]
        lines = [f"{st} pk:statedBy {company} ; {sparql_term(prop)} {v} ." for st, v in names]
        return lines + [f"FILTER ({a} != {b})" for (_, a), (_, b) in itertools.combinations(names, 2)]
    if item.updated_within_months is not None:
        # recorded more than n months after the update: by months, then by day within the n-th month
        n, policy, updated, recorded = item.updated_within_months, fresh("policy"), fresh("updated"), fresh("recorded")
        gap = f"{_months(recorded)} - {_months(updated)}"
        day = f"SUBSTR(STR({updated}), 9, 2) < SUBSTR(STR({recorded}), 9, 2)"
        return [f"{policy} pk:ofCompany {company} ; pk:lastUpdated {updated} ."] + _block("FILTER NOT EXISTS", [
            f"{policy} pk:archivedOn {recorded} .",
            "FILTER (", f"    {gap} > {n}", f"    || ({gap} = {n} && {day})", ")"])
    return _any_of(item.stated, company, fresh("st"), fresh)


def uncovered_category(item: Item, company: str, fresh: _Vars) -> list[str]:
    """A group pattern with a solution for each category of personal data the company collects or uses that
    no matching statement covers (covered: at or below the category of a matching statement's data).

    A left join, not FILTER NOT EXISTS: Oxigraph evaluates a NOT EXISTS once per row of what precedes it,
    reaching the covering statements from each category's classes (384,516 rows on 100 synthetic
    companies, 5.6 s); the OPTIONAL is evaluated once, from the few matching statements, and joined (0.1 s)."""
    collected, mode, kept, kept_class, st = fresh("collected"), fresh("mode"), fresh("kept"), fresh("keptClass"), fresh("st")
    by = fresh("by")
    covered = _any_of(item.stated, company, st, fresh) + [f"{st} pk:hasDataType {kept} .", f"{kept} pk:tag {kept_class} .",
                                                        f"{collected} a {kept_class} ."]
    return [f"{by} pk:statedBy {company} ; a pk:CollectionAndUse ; pk:hasDataType {collected} ; pk:hasModality {mode} .",
            f"{collected} a pk:PersonalData .", f"FILTER ({mode} != pk:DoesNot)"] + _block("OPTIONAL", covered) + \
        [f"FILTER (!BOUND({st}))"]


def applicable(item: Item, company: str, fresh: _Vars) -> list[str]:
    return _block("FILTER EXISTS", _any_of(item.applies_when, company, fresh("st"), fresh)) if item.applies_when else []


def silent(item: Item, scope: URIRef, company: str) -> list[str]:
    """A group pattern with a solution exactly when the company is in scope, the item applies and no
    statement states it."""
    fresh = _Vars()

    def head() -> list[str]:
        return [f"{company} a {sparql_term(scope)} ."] + applicable(item, company, fresh)
    if not item.each_collected_category:
        return head() + _block("FILTER NOT EXISTS", stated(item, company, fresh))
    # no matching statement, or a category collected that none covers: two branches, each with the whole head
    # (a group's filters see only its own variables). A solution per uncovered category: SELECT DISTINCT
    return ["{"] + _indent(head() + _block("FILTER NOT EXISTS", stated(item, company, fresh))) + ["}", "UNION", "{"] + \
        _indent(head() + uncovered_category(item, company, fresh)) + ["}"]


def applicability_query(item: Item, scope: URIRef) -> str | None:
    """SELECT $this when the item applies to the company (conditional items only)."""
    if not item.applies_when:
        return None
    lines = [f"$this a {sparql_term(scope)} ."] + applicable(item, "$this", _Vars())
    return "\n".join(["SELECT $this WHERE {"] + _indent(lines) + ["}"])


# -- the generated files ---------------------------------------------------------------------------------

def _literal(text: str, long: bool = False) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"""{escaped}"""' if long else '"' + escaped.replace("\n", "\\n") + '"'


SHAPES_HEADER = f"""# Generated from {SOURCE} by `privacy-kg docs`: do not edit.
# The regulatory completeness profiles: one SHACL-SPARQL warning shape per item a law requires a privacy
# policy to disclose, targeting the companies in scope of the law (the closure types them with the
# profile's scope class from pk:inScopeOf). pks:RegulatoryProfiles lists the profiles and each pks:Profile
# its items, in order. On each item shape, rdfs:label and dcterms:source name the item and its article,
# and pks:applicableWhen (conditional items) selects the companies the item applies to: `privacy-kg
# validate` reads them for kg/compliance.csv. The stored query queries/{QUERY_NAME}.rq runs the same patterns.
"""


def shapes_turtle(profiles: list[Profile]) -> str:
    out = [SHAPES_HEADER,
           "@prefix sh: <http://www.w3.org/ns/shacl#> .",
           f"@prefix pk: <{PK}> .",
           f"@prefix pks: <{PKS}> .",
           "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
           "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .",
           "@prefix dcterms: <http://purl.org/dc/terms/> .",
           "",
           "pks:RegulatoryPrefixes sh:declare "
           + " ,\n    ".join(f'[ sh:prefix "{p}" ; sh:namespace "{ns}"^^xsd:anyURI ]' for p, ns in PREFIXES.items()) + " .",
           "",
           f"pks:RegulatoryProfiles pks:profiles ( {' '.join(f'pks:{p.id}' for p in profiles)} ) ."]
    for profile in profiles:
        items = "\n        ".join(f"pks:{i.profile}-{i.id}" for i in profile.items)
        out += ["", f"######## {profile.label} " + "#" * max(4, 90 - len(profile.label)), "",
                f"pks:{profile.id} a pks:Profile ;", f"    rdfs:label {_literal(profile.label)} ;",
                f"    pks:scope {sparql_term(profile.scope)} ;", f"    pks:items (\n        {items}\n    ) ."]
        for item in profile.items:
            select = ["SELECT DISTINCT $this WHERE {"] + _indent(silent(item, profile.scope, "$this")) + ["}"]
            out += ["", f"pks:{item.profile}-{item.id} a sh:NodeShape ;",
                    f"    rdfs:label {_literal(item.label)} ;",
                    f"    dcterms:source {_literal(item.article)} ;",
                    f"    pks:profile pks:{profile.id} ;"]
            query = applicability_query(item, profile.scope)
            if query:
                out.append(f"    pks:applicableWhen {_literal(_indented_text(query), long=True)} ;")
            out += [f"    sh:targetClass {sparql_term(profile.scope)} ;",
                    "    sh:severity sh:Warning ;",
                    "    sh:sparql [",
                    "        a sh:SPARQLConstraint ;",
                    f"        sh:message {_literal(item.message)} ;",
                    "        sh:prefixes pks:RegulatoryPrefixes ;",
                    f"        sh:select {_literal(_indented_text(chr(10).join(select)), long=True)} ] ."]
    return "\n".join(out) + "\n"


def _indented_text(query: str) -> str:
    return "\n" + "\n".join("            " + line for line in query.split("\n"))


def query_text(profiles: list[Profile]) -> str:
    names = ", ".join(p.label for p in profiles)
    out = ["# title: Regulatory silence",
           f"# question: Which companies in scope of a regulatory profile ({names}) are silent on which item the law",
           "# question: requires a privacy policy to disclose, and under which article or section?",
           f"# Generated from {SOURCE} by `privacy-kg docs`, with the patterns of the shapes in",
           f"# ontology/{SHAPES_FILE}: do not edit. The seeds (2004-2012) are in no profile's scope.",
           *(f"PREFIX {p}: <{ns}>" for p, ns in PREFIXES.items()),
           "SELECT DISTINCT ?company ?profile ?item ?article",
           "WHERE {"]
    branches = []
    for profile in profiles:
        for item in profile.items:
            branches.append(["{"] + _indent(_block("GRAPH ?g", silent(item, profile.scope, "?co")) + [
                f"BIND ({_literal(profile.label)} AS ?profile)",
                f"BIND ({_literal(item.label)} AS ?item)",
                f"BIND ({_literal(item.article)} AS ?article)"]) + ["}"])
    body = [line for i, branch in enumerate(branches) for line in (["UNION"] if i else []) + branch]
    out += _indent(body + ["GRAPH ?g { ?co rdfs:label ?company }"]) + ["}", "ORDER BY ?company ?profile ?item"]
    return "\n".join(out) + "\n"


def generated_files(project) -> dict[str, str]:
    """The files generated from the profiles, by path relative to the project root."""
    profiles = load_profiles(project.mappings_dir, project.vocabulary, project.keys)
    return {f"ontology/{SHAPES_FILE}": shapes_turtle(profiles), f"queries/{QUERY_NAME}.rq": query_text(profiles)}
