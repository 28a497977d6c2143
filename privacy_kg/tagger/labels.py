"""The 12 category labels of the OPP-115 segment task and how they meet the ontology.

The labels are the benchmark's (Wilson et al. 2016; PrivBERT): the nine practice categories, with
"Other" split into its three attribute values that name a topic. Which practice classes a label
proposes comes from the ontology's pk:opp115 correspondences, not from a list kept here."""

from __future__ import annotations

from functools import cached_property

from rdflib import URIRef

from privacy_kg.namespaces import PK
from privacy_kg.ontology import Vocabulary

OTHER = "Other"
OTHER_TYPES = ("Introductory/Generic", "Practice not covered", "Privacy contact information")
CATEGORIES = (
    "First Party Collection/Use",
    "Third Party Sharing/Collection",
    "User Choice/Control",
    "User Access, Edit and Deletion",
    "Data Retention",
    "Data Security",
    "Policy Change",
    "Do Not Track",
    "International and Specific Audiences",
)
LABELS = CATEGORIES + OTHER_TYPES
# The categories whose practices carry a "Personal Information Type" in the OPP-115 scheme.
DATA_LABELS = frozenset(LABELS[:5])


def label_of(category: str, other_type: str | None) -> str | None:
    """The label of one annotation: its category, or for "Other" its type (None when it is none of the
    three, e.g. Other: Other)."""
    if category == OTHER:
        return other_type if other_type in OTHER_TYPES else None
    return category if category in CATEGORIES else None


class LabelMap:
    """Label -> the practice classes it may stand for, and the topic they belong to."""

    def __init__(self, vocab: Vocabulary):
        self.vocab = vocab

    def _opp115(self, term: URIRef) -> str:
        return str(self.vocab.graph.value(term, PK.opp115) or "")

    @cached_property
    def candidates(self) -> dict[str, list[URIRef]]:
        found: dict[str, list[URIRef]] = {label: [] for label in LABELS}
        for cls in sorted(c for c in self.vocab.taggable_practices if isinstance(c, URIRef)):
            said = self._opp115(cls)
            topic = self.vocab.topic_of(cls)
            topic_said = self._opp115(topic) if topic is not None else ""
            for label in LABELS:
                if label in OTHER_TYPES:
                    hit = f"Other Type: {label}" in said
                else:
                    hit = said == label or said.startswith(label + " (") or (
                        topic_said == f"category {label}" and not said.startswith(OTHER))
                if hit:
                    found[label].append(cls)
        missing = [label for label, classes in found.items() if not classes]
        if missing:
            raise ValueError(f"the ontology has no practice class for OPP-115 label(s): {', '.join(missing)} (check pk:opp115)")
        return found

    def default(self, label: str) -> URIRef:
        """The class for a clause that names no candidate: the one that leaves the action unspecified,
        else the most general (most subclasses), else the one whose correspondence is the bare label."""
        def key(cls: URIRef):
            said = self._opp115(cls)
            return ("Unspecified" not in said, -len(self.vocab.descendants(cls)), said != label, str(cls))
        return sorted(self.candidates[label], key=key)[0]

    def topic(self, practice: URIRef) -> URIRef | None:
        return self.vocab.topic_of(practice)
