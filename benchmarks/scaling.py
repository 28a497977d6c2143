"""How each stage grows with N, from two result files of benchmarks.run (benchmarks/results/*-n<N>.json), and
what that growth projects for a larger N.

    python -m benchmarks.scaling benchmarks/results/A-n1000.json benchmarks/results/B-n10000.json [--to 100000]

Per stage present in both: wall time at each N, the growth factor scaled to a tenfold N (issue 19's target: at
most 11x per stage from 10,000 to 100,000), and, with --to, the wall time projected at that N by the measured
power law (wall ~ N^k, k from the two points). A projection, not a measurement: it says so in its rows."""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

TARGET_PER_TENFOLD = 11.0


def load(path: Path) -> tuple[int, dict[str, dict]]:
    """N and the rows by stage (the first row of a stage: the primary executor's) of one result file."""
    rows = json.loads(path.read_text(encoding="utf-8"))["rows"]
    n = rows[0]["companies"]
    by_stage: dict[str, dict] = {}
    for row in rows:
        by_stage.setdefault(row["stage"], row)
    return n, by_stage


def growth(small: tuple[int, dict[str, dict]], large: tuple[int, dict[str, dict]], to: int | None = None) -> list[dict]:
    """One row per stage timed at both N."""
    (n1, rows1), (n2, rows2) = small, large
    found = []
    for stage, row in rows2.items():
        before = rows1.get(stage)
        if not before or not before.get("wall_s") or not row.get("wall_s"):
            continue
        ratio = row["wall_s"] / before["wall_s"]
        k = math.log(ratio) / math.log(n2 / n1)
        entry = {"stage": stage, f"wall_s_n{n1}": before["wall_s"], f"wall_s_n{n2}": row["wall_s"],
                 "exponent": round(k, 2), "per_tenfold": round(10 ** k, 1),
                 "within_target": 10 ** k <= TARGET_PER_TENFOLD}
        if to:
            entry[f"projected_wall_s_n{to}"] = round(row["wall_s"] * (to / n2) ** k, 1)
        found.append(entry)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("small", type=Path, help="the result file of the smaller N")
    parser.add_argument("large", type=Path, help="the result file of the larger N")
    parser.add_argument("--to", type=int, help="project each stage's wall time to this N")
    args = parser.parse_args()
    small, large = load(args.small), load(args.large)
    for row in growth(small, large, args.to):
        projected = f", projected {row[f'projected_wall_s_n{args.to}']:.0f} s at N = {args.to:,}" if args.to else ""
        print(f"{row['stage'][:60]:60}  {row[f'wall_s_n{small[0]}']:9.1f} s -> {row[f'wall_s_n{large[0]}']:9.1f} s  "
              f"x{row['per_tenfold']:<6} per tenfold ({'within' if row['within_target'] else 'above'} "
              f"{TARGET_PER_TENFOLD:g}x){projected}")


if __name__ == "__main__":
    main()
