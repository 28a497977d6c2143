"""The benchmark's arithmetic on measured rows (issue 19 item 4): the projection to 1,000,000 policies on 64
cores (workers' CPU spread over the cores, the client's serial, quads at each store's load rate) and dask's
overhead against the local pool. Figures worked out by hand from the rows below."""

from __future__ import annotations

import sys

import pytest

from conftest import REPO

sys.path.insert(0, str(REPO))  # the benchmarks package
from benchmarks import cluster  # noqa: E402
from benchmarks.projection import projection  # noqa: E402

N = 1000
ROWS = [  # what benchmarks.run records, for N = 1,000 companies on dask-local
    {"stage": "build", "executor": "dask-local", "cpu_s": 40.0, "client_cpu_s": 4.0, "wall_s": 21.0},
    {"stage": "validate", "executor": "dask-local", "cpu_s": 30.0, "client_cpu_s": 2.0, "wall_s": 19.0},
    {"stage": "compare: build", "executor": "local", "cpu_s": 99.0, "client_cpu_s": 99.0, "wall_s": 20.0},
    {"stage": "compare: validate", "executor": "local", "cpu_s": 99.0, "client_cpu_s": 99.0, "wall_s": 16.0},
    {"stage": "reference", "triples": 2_200_000, "wall_s": 11.0},
    {"stage": "fill", "triples": 2_200_000, "wall_s": 22.0},
    {"stage": "virtuoso", "triples": 2_200_000, "wall_s": 50.0, "note": "failed: the loader refused x.nq"},
]


def test_projection_spreads_the_workers_cpu_and_keeps_the_clients_serial():
    p = projection(ROWS, N, {"build": "build", "validate": "validate"},
                   {"disk": "fill", "oxigraph": "reference", "virtuoso": "virtuoso"}, "reference", "dask-local")
    assert p["per_company_cpu_s"] == {"build": {"workers_cpu_s": 0.036, "client_cpu_s": 0.004},
                                      "validate": {"workers_cpu_s": 0.028, "client_cpu_s": 0.002}}
    # 1e6 x 0.064 s / 64 cores = 1,000 s of workers, plus 1e6 x 0.006 s = 6,000 s of client: 7,000 s
    assert p["build_validate_hours"] == round(7000 / 3600, 2) and p["of_which_client_hours"] == round(6000 / 3600, 2)
    assert p["quads"] == 2_200_000_000 and p["quads_per_company"] == 2200
    # 200,000 quads/s on disk: 11,000 s; 100,000/s filling: 22,000 s; a failed load gives no rate
    assert p["load_rates_quads_per_s"] == {"disk": 100_000, "oxigraph": 200_000}
    assert p["load_hours"] == {"disk": round(22000 / 3600, 2), "oxigraph": round(11000 / 3600, 2)}


def test_dask_overhead_is_the_ratio_of_build_and_validate_walls():
    rows = [dict(r) for r in ROWS]
    cluster.overhead(rows, N, ("build", "validate"))
    row = rows[-1]
    assert row["stage"] == cluster.OVERHEAD
    assert row["ratio"] == pytest.approx(40 / 36, abs=1e-3)
    assert "build x1.05, validate x1.19" in row["note"] and "(met)" in row["note"]
