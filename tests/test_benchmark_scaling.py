"""benchmarks/scaling.py: a stage's growth between two N, scaled to a tenfold N, and its power-law projection."""

import json

import pytest

from benchmarks.scaling import growth, load


def _result(tmp_path, n, rows):
    path = tmp_path / f"n{n}.json"
    path.write_text(json.dumps({"rows": [{"companies": n, **r} for r in rows]}))
    return load(path)


def test_growth_per_tenfold_and_projection(tmp_path):
    small = _result(tmp_path, 1000, [{"stage": "build", "wall_s": 10.0}, {"stage": "queries", "wall_s": 2.0},
                                     {"stage": "only small", "wall_s": 1.0}])
    large = _result(tmp_path, 10000, [{"stage": "build", "wall_s": 100.0}, {"stage": "build", "wall_s": 999.0},
                                      {"stage": "queries", "wall_s": 50.0}, {"stage": "skipped", "note": "skipped"}])
    rows = {r["stage"]: r for r in growth(small, large, to=100000)}
    assert set(rows) == {"build", "queries"}  # a stage timed at one N only, or not timed, has no growth
    assert rows["build"]["wall_s_n10000"] == 100.0  # the first row of a stage: the primary executor's
    assert rows["build"]["per_tenfold"] == 10.0 and rows["build"]["within_target"]
    assert rows["build"]["projected_wall_s_n100000"] == pytest.approx(1000.0)
    assert rows["queries"]["per_tenfold"] == 25.0 and not rows["queries"]["within_target"]
    assert rows["queries"]["projected_wall_s_n100000"] == pytest.approx(1250.0)
