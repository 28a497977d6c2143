"""What a process loads once and keeps (the ontology, the shapes, their compiled tables): cached, and moved
out of the cyclic garbage collector's way.

These are millions of tracked objects (rdflib graphs and terms), and every full collection walks them all,
for nothing: they live as long as the process. gc.freeze() after loading them made one company's build
15-20% faster (153-171 ms -> 133-139 ms, 40 synthetic companies in one process). Garbage is collected first,
so no cycle of the loading is frozen with them; objects frozen are still freed by their reference counts."""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable


def cache(maxsize: int) -> Callable:
    """functools.lru_cache, with each newly loaded value frozen (gc.freeze) with everything alive then."""
    def wrap(load: Callable) -> Callable:
        @functools.lru_cache(maxsize=maxsize)
        @functools.wraps(load)
        def loaded(*args):
            value = load(*args)
            gc.collect()
            gc.freeze()
            return value
        return loaded
    return wrap
