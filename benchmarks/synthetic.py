"""A synthetic corpus for benchmarks (not product data): N company folders shaped like the seeds.

Each synthetic company resamples the seeds: its number of clauses is drawn from the seeds' clause
counts; each clause is a seed clause (its quote, statements, modality, exceptions, data types per
practice) drawn with weights that follow the OPP-115 category mix when ../shared/opp115 is present
(read through privacy_kg.opp115.reader; nothing derived from it is written beyond the synthetic
companies themselves, which are generated, never committed); with probability `SWAP`, a statement's
value list for a key is replaced by the same key's values from another seed statement of the same
practice class, so value combinations vary while their distributions stay those of the seeds. The
policy text is the chosen quotes joined by blank lines, so every quote is found and offsets are real.
Deterministic: the same (n, seed) gives byte-identical folders.

    python -m benchmarks.synthetic OUT_DIR -n 100 [--seed 7]
"""

from __future__ import annotations

import argparse
import random
import shutil
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import yaml

from privacy_kg import quotes as text_quotes
from privacy_kg.yaml_input import load_plain

REPO = Path(__file__).resolve().parents[1]
SHARED_OPP115 = REPO.parent / "shared" / "opp115"
SWAP = 0.3
# the topic classes of the ontology and the OPP-115 category each corresponds to
TOPIC_CATEGORY = {
    "CollectionAndUse": "First Party Collection/Use", "ThirdPartySharingAndCollection": "Third Party Sharing/Collection",
    "UserChoiceAndControl": "User Choice/Control", "UserAccessEditDeletion": "User Access, Edit and Deletion",
    "DataRetention": "Data Retention", "DataSecurity": "Data Security", "PolicyChange": "Policy Change",
    "DoNotTrack": "Do Not Track", "ChildrenAndSpecificAudiences": "International and Specific Audiences",
    "PrivacyContact": "Other", "OtherPractice": "Other",
}
SECTORS = ["telecommunications", "voice over IP", "messaging", "retail", "news", "finance", "education", "health"]


@dataclass
class SeedClause:
    company: str
    raw: dict  # id, quote, statements (as in clauses.yaml)
    category: str  # OPP-115 category of its first statement's topic


def _dump(data) -> str:
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return yaml.dump(data, Dumper=dumper, sort_keys=False, allow_unicode=True, width=100)


def seed_clauses(corpus_dir: Path) -> tuple[list[SeedClause], list[int], dict[str, dict]]:
    """Every seed clause with its category, the seeds' clause counts and their named parties."""
    from privacy_kg.namespaces import PK
    from privacy_kg.project import Project

    vocab = Project(REPO).vocabulary
    clauses, counts, parties = [], [], {}
    for folder in sorted(p for p in corpus_dir.iterdir() if (p / "clauses.yaml").exists()):
        raw = load_plain(folder / "clauses.yaml")["clauses"]
        meta = load_plain(folder / "metadata.yaml")
        for key, spec in (meta.get("parties") or {}).items():
            parties.setdefault(key, spec)
        counts.append(len(raw))
        for clause in raw:
            practice = clause["statements"][0]["practice"]
            practice = practice[0] if isinstance(practice, list) else practice
            topic = vocab.topic_of(PK[practice])
            category = TOPIC_CATEGORY.get(str(topic).rsplit("#", 1)[-1], "Other") if topic else "Other"
            clauses.append(SeedClause(folder.name, clause, category))
    return clauses, counts, parties


def opp115_mix(root: Path = SHARED_OPP115) -> Counter | None:
    """Practices per OPP-115 category over the corpus (consolidated annotations), or None if absent."""
    if not (root / "sanitized_policies").is_dir():
        return None
    from privacy_kg.opp115.reader import read_folder

    mix: Counter = Counter()
    for policy in read_folder(root, consolidated=True):
        mix.update(a.category for a in policy.annotations)
    return mix


class Generator:
    def __init__(self, corpus_dir: Path = REPO / "corpus", seed: int = 7, use_opp115: bool = True):
        self.clauses, self.counts, self.parties = seed_clauses(corpus_dir)
        self.seed = seed
        mix = opp115_mix() if use_opp115 else None
        seeds_mix = Counter(c.category for c in self.clauses)
        # weight = target share of the clause's category / its share among the seed clauses
        target = mix if mix else seeds_mix
        total_t, total_s = sum(target.values()), sum(seeds_mix.values())
        self.weights = [(target.get(c.category, 0) / total_t or 1e-3) / (seeds_mix[c.category] / total_s) for c in self.clauses]
        self.by_practice: dict[str, list[dict]] = {}
        for c in self.clauses:
            for st in c.raw["statements"]:
                self.by_practice.setdefault(repr(st["practice"]), []).append(st)
        self.mix_source = "OPP-115" if mix else "seeds"

    def company(self, index: int) -> tuple[str, dict, dict, str]:
        """(slug, metadata, clauses document, policy text) of synthetic company `index`."""
        rng = random.Random(self.seed * 1_000_003 + index)
        slug = f"synthetic-{index:06d}"
        n = rng.choice(self.counts) + rng.randint(-5, 5)
        chosen = rng.choices(self.clauses, weights=self.weights, k=max(5, n))
        quotes, clauses, seals = [], [], set()
        for k, seed in enumerate(chosen):
            clause = {"id": f"{seed.raw['id']}-{k}", "quote": seed.raw["quote"], "statements": []}
            for st in seed.raw["statements"]:
                st = dict(st)
                for key in [key for key in st if key not in ("practice", "modality", "note")]:
                    if rng.random() < SWAP:
                        donors = [d for d in self.by_practice[repr(st["practice"])] if key in d]
                        st[key] = rng.choice(donors)[key]
                seals.update(st.get("seals", []) if isinstance(st.get("seals", []), list) else [st["seals"]])
                clause["statements"].append(st)
            quotes.append(" ".join(seed.raw["quote"].split()))
            clauses.append(clause)
        text = "\n\n".join(quotes) + "\n"
        start = 0
        for clause, quote in zip(clauses, quotes):  # a quote found more than once says which: its own paragraph
            clause["quote"] = quote
            found = [s for s, _ in text_quotes.occurrences(text, quote)]
            if len(found) > 1:
                clause["occurrence"] = found.index(start) + 1
            start += len(quote) + 2
        meta = {"name": f"Synthetic Company {index}", "website": f"https://{slug}.example/", "sector": rng.choice(SECTORS),
                "source_url": f"https://{slug}.example/privacy", "archived_on": f"20{rng.randint(0, 9):02d}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
                "seals": sorted(seals), "parties": self.parties}
        return slug, meta, {"clauses": clauses}, text

    def write(self, out_dir: Path, n: int, start: int = 0) -> list[Path]:
        folders = []
        for index in range(start, start + n):
            slug, meta, clauses, text = self.company(index)
            folder = out_dir / slug
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "policy.txt").write_text(text, encoding="utf-8")
            (folder / "metadata.yaml").write_text(_dump(meta), encoding="utf-8")
            (folder / "clauses.yaml").write_text(_dump(clauses), encoding="utf-8")
            folders.append(folder)
        return folders


def make_project(root: Path, n: int, seed: int = 7, use_opp115: bool = True) -> Path:
    """A project folder (ontology, mappings, synthetic corpus of n companies) at root."""
    if root.exists():
        shutil.rmtree(root)
    for folder in ("ontology", "mappings"):
        shutil.copytree(REPO / folder, root / folder)
    Generator(seed=seed, use_opp115=use_opp115).write(root / "corpus", n)
    return root


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", type=Path, help="project folder to create (replaced if it exists)")
    parser.add_argument("-n", type=int, default=100, help="companies")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-opp115", action="store_true", help="ignore ../shared/opp115 (category mix of the seeds)")
    args = parser.parse_args()
    make_project(args.out, args.n, args.seed, not args.no_opp115)
    print(f"{args.n} synthetic companies in {args.out / 'corpus'}")


if __name__ == "__main__":
    main()
