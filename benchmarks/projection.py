"""From one N's measured rows to 1,000,000 policies on 64 cores: the per-company CPU seconds of build and
validate (split into the workers' share, which spreads over the cores, and the client's, which does not:
staging, the merged Turtle, writing kg/) and the measured load rates of the stores (quads/s)."""

from __future__ import annotations

POLICIES = 1_000_000
CORES = 64
LAYOUT = (f"{CORES} dask worker processes of 1 thread each on one scheduler (e.g. 8 machines x 8 workers), the "
          "project on a shared file system; one client writes kg/ (its CPU does not spread over the workers)")
ASSUMES = ("per-company costs stay flat with N (the benchmark measures about 10x per 10x) and the workers' CPU "
           "spreads perfectly; a store loads at its rate measured here, on one machine")


def projection(rows: list[dict], n: int, stages: dict[str, str], loads: dict[str, str], quads_stage: str,
               executor: str) -> dict:
    """`stages`: label -> stage name of the pipeline rows to project (build, validate); `loads`: label -> stage
    name of a store's load row; `quads_stage`: the row whose triples count the export's quads."""
    found = {r["stage"]: r for r in rows if r.get("executor", executor) == executor}
    per_company = {}
    for label, stage in stages.items():
        row = found[stage]
        client = row.get("client_cpu_s", 0.0)
        per_company[label] = {"workers_cpu_s": (row["cpu_s"] - client) / n, "client_cpu_s": client / n}
    workers = sum(c["workers_cpu_s"] for c in per_company.values())
    client = sum(c["client_cpu_s"] for c in per_company.values())
    quads = found[quads_stage]["triples"] / n * POLICIES
    rates = {label: found[s]["triples"] / found[s]["wall_s"] for label, s in loads.items()
             if s in found and found[s].get("triples") and found[s].get("wall_s") and "failed" not in found[s].get("note", "")}
    return {
        "from_companies": n, "executor": executor, "policies": POLICIES, "cores": CORES, "layout": LAYOUT,
        "assumes": ASSUMES,
        "per_company_cpu_s": {label: {k: round(v, 4) for k, v in c.items()} for label, c in per_company.items()},
        "build_validate_hours": round((POLICIES * workers / CORES + POLICIES * client) / 3600, 2),
        "of_which_client_hours": round(POLICIES * client / 3600, 2),
        "quads": round(quads), "quads_per_company": round(quads / POLICIES),
        "load_rates_quads_per_s": {label: round(r) for label, r in rates.items()},
        "load_hours": {label: round(quads / r / 3600, 2) for label, r in rates.items()},
    }


def text(p: dict) -> str:
    costs = "; ".join(f"{label} {c['workers_cpu_s'] * 1000:.0f} ms workers + {c['client_cpu_s'] * 1000:.1f} ms client"
                      for label, c in p["per_company_cpu_s"].items())
    lines = [f"Projection to {p['policies']:,} policies on {p['cores']} cores (from N = {p['from_companies']:,}, "
             f"{p['executor']}):",
             f"  layout: {p['layout']}",
             f"  assumes: {p['assumes']}",
             f"  per company: {costs}",
             f"  build + validate: {p['build_validate_hours']} h (of which {p['of_which_client_hours']} h the client's "
             f"serial share)",
             f"  export: {p['quads']:,} quads ({p['quads_per_company']:,} a company)"]
    lines += [f"  load, {label}: {p['load_hours'][label]} h at {rate:,} quads/s"
              for label, rate in p["load_rates_quads_per_s"].items()]
    return "\n".join(lines)
