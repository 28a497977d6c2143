"""Loading an Open Terms Archive import with its drafts into the embedded in-memory store, as `privacy-kg
query --extra-kg` opens it: kg/ plus the import's quads/ (each service's latest version), and the import's
history-compact/ (every version of each service; --extra-kg never loads it), in a fresh process so that the peak RSS is the load's own.

    python -m benchmarks.ota_load [--import local/ota] [--out benchmarks/results/ota-load.json]

Also times one query over the whole history: per service, how many drafted statements each version holds."""

from __future__ import annotations

import argparse
import json
import platform
import resource
import time
from pathlib import Path

from privacy_kg.build import quad_files
from privacy_kg.ota.graphs import HISTORY_DIR
from privacy_kg.store import bulk_load, open_store

PER_VERSION = """PREFIX pk: <https://w3id.org/privacy-kg/ontology#>
SELECT ?v (COUNT(?p) AS ?statements) WHERE { GRAPH ?g { ?c pk:inVersion ?v . ?p pk:hasEvidence ?c } } GROUP BY ?v"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--import", dest="folder", type=Path, default=Path("local/ota"))
    parser.add_argument("--kg", type=Path, default=Path("kg"))
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/ota-load.json"))
    args = parser.parse_args()
    compact = sorted((args.folder / HISTORY_DIR).glob("*/*.nq"))
    files = quad_files(args.kg) + quad_files(args.folder) + compact
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    clock, cpu = time.monotonic(), time.process_time()
    store = open_store(args.kg, extra=[args.folder])
    bulk_load(store, compact)
    seconds, cpu_seconds = time.monotonic() - clock, time.process_time() - cpu
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    clock = time.monotonic()
    versions = sum(1 for _ in store.query(PER_VERSION))
    query_seconds = time.monotonic() - clock
    result = {
        "what": "kg/ + the import's quads/ and history-compact/ loaded into pyoxigraph's in-memory store (store.open_store)",
        "files": len(files), "bytes": sum(f.stat().st_size for f in files),
        "quads": len(store), "named_graphs": sum(1 for _ in store.named_graphs()),
        "seconds": round(seconds, 1), "cpu_seconds": round(cpu_seconds, 1),
        "quads_per_second": round(len(store) / seconds) if seconds else None,
        "peak_rss_mb": round(rss / 1024), "rss_before_load_mb": round(rss_before / 1024),
        "query_statements_per_version": {"versions": versions, "seconds": round(query_seconds, 1)},
        "machine": {"cpus": __import__("os").cpu_count(), "python": platform.python_version()},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
