"""The OPP-115 annotation scheme (documentation/categories-july30.xml): every category, its attributes and
their closed sets of values."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from privacy_kg.problems import InputError, Problem

SCHEME_FILE = Path("documentation") / "categories-july30.xml"
_NS = {"c": "http://www.w3schools.com"}


@dataclass(frozen=True)
class SchemeValue:
    category: str
    attribute: str
    value: str


def read_scheme(path: Path) -> list[SchemeValue]:
    """Every (category, attribute, value) of the scheme, in document order."""
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as e:
        raise InputError([Problem(str(path), getattr(e, "position", (None,))[0], None, f"unreadable scheme: {e}")]) from e
    found = []
    for category in root.findall("c:category", _NS):
        cname = _name(category)
        for attribute in category.findall("c:attributes/c:attribute", _NS):
            aname = _name(attribute)
            for value in attribute.findall("c:values/c:value", _NS):
                found.append(SchemeValue(cname, aname, _name(value)))
    if not found:
        raise InputError([Problem(str(path), None, None, "no category/attribute/value found (is it the OPP-115 scheme?)")])
    return found


def _name(element: ET.Element) -> str:
    return (element.findtext("c:name", "", _NS) or "").strip()
