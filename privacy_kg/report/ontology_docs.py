"""The ontology's documentation: one HTML page made by pyLODE (OntPub profile) from ontology/privacy-kg.ttl,
self-contained (inline CSS, no network), and the anchors it has, so the report links a term to its entry
only where one exists."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from privacy_kg.ontology import ONTOLOGY_FILE


@dataclass(frozen=True)
class OntologyDocs:
    html: str
    anchors: frozenset[str]

    def anchor(self, iri: str) -> str | None:
        """The page's anchor for a pk: term (compact IRI), if the page has one."""
        name = iri.removeprefix("pk:")
        return name if iri.startswith("pk:") and name in self.anchors else None


@contextmanager
def _root_logger_kept() -> Iterator[None]:
    """pyLODE configures the root logger: importing it calls logging.basicConfig(level=DEBUG), and its
    logging.info() calls add a handler when there is none. Undo both, so that the report does not make
    every library chatty."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        yield
    finally:
        for handler in root.handlers[:]:
            if handler not in handlers:
                root.removeHandler(handler)
        root.setLevel(level)


def generate(ontology_dir: Path) -> OntologyDocs:
    with _root_logger_kept():
        from pylode import OntPub

        logging.getLogger().setLevel(logging.WARNING)  # its progress messages are not the report's
        html = OntPub(ontology=str(ontology_dir / ONTOLOGY_FILE)).make_html()
    return OntologyDocs(html, frozenset(re.findall(r'\bid="([^"]+)"', html)))
