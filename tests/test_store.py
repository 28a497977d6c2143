"""The embedded store: the export's quads/ files loaded as one stream, in memory or on disk (kept in step
incrementally: tests/test_store_disk.py)."""

from __future__ import annotations

import gc
import io

from privacy_kg.build import quad_files
from privacy_kg.store import Concatenated, open_store
from store_helpers import copy_export


def quad_lines(kg_dir) -> set[str]:
    return {line for path in quad_files(kg_dir) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")}


def test_files_are_read_in_order_as_one_stream_across_empty_ones(tmp_path):
    paths = []
    for name, data in (("a", b"first\n"), ("b", b""), ("c", b"second\nthird\n")):
        paths.append(tmp_path / name)
        paths[-1].write_bytes(data)
    assert io.BufferedReader(Concatenated(paths), 4).read() == b"first\nsecond\nthird\n"


def test_the_store_holds_every_quad_of_every_file(tmp_path):
    project = copy_export(tmp_path)
    expected = quad_lines(project.kg_dir)
    for store in (open_store(project.kg_dir), open_store(project.kg_dir, tmp_path / "db")):
        assert len(store) == len(expected)
        graphs = {g.value.rsplit("/", 1)[-1] for g in store.named_graphs()}
        assert graphs == {p.stem for p in quad_files(project.kg_dir)} | {"class-hierarchy"}  # ontology.nq holds two
        del store
        gc.collect()  # closes the on-disk store before it is reopened
