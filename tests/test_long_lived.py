"""privacy_kg/long_lived.py: loaded values are cached and frozen out of the cyclic GC, and what the cache
drops is still freed (an rdflib graph is full of reference cycles)."""

import gc
import weakref

from privacy_kg import long_lived


class Node:
    def __init__(self):
        self.me = self  # a reference cycle: only the cyclic collector frees it


def test_values_are_cached_and_frozen():
    calls = []

    @long_lived.cache(maxsize=2)
    def load(key):
        calls.append(key)
        return Node()

    try:
        first = load("a")
        assert load("a") is first and calls == ["a"]
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_what_the_cache_dropped_is_freed_at_the_next_load():
    @long_lived.cache(maxsize=1)
    def load(key):
        return Node()

    try:
        dropped = weakref.ref(load("a"))
        load("b")  # "a" leaves the cache: a frozen cycle, garbage
        load("c")  # this load unfreezes and collects first
        assert dropped() is None
    finally:
        gc.unfreeze()
