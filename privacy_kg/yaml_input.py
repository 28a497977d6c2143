"""The one way the project reads a YAML file that people edit (corpus, mappings).

A safe loader (no Python objects) that also refuses what PyYAML accepts silently or dangerously:
- a key given twice in one mapping (PyYAML keeps the last: a second `clauses:` dropped every clause
  before it), reported with the line of the second key;
- a file over MAX_FILE_BYTES, a document whose aliases expand to more than MAX_NODES nodes ("billion
  laughs": PyYAML shares the aliased objects, but anything that walks or prints them expands them), or
  one nested deeper than MAX_DEPTH;
- timestamps stay text (`2009-13-45` made PyYAML raise ValueError): the schema of each file checks them.
Every mapping records the line it starts on under LINE and the line of each key (`key_line`), so the
loaders point into the file. Problems are returned as `Problem`s; no exception escapes but OSError."""

from __future__ import annotations

import reprlib
from pathlib import Path
from typing import Any

import yaml

from privacy_kg.problems import InputError, Problem

LINE = "__line__"
UNREADABLE = object()  # what read_yaml returns for a file it could not read (the problem is recorded)
MAX_FILE_BYTES = 8 << 20  # the largest seed file is 32 KB
MAX_NODES = 1_000_000  # scalars, sequences and mappings once aliases are expanded
MAX_DEPTH = 100
_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser when present: 10x faster


class LinedDict(dict):
    """A YAML mapping that knows the line of each of its keys."""

    key_lines: dict

    def line(self, key: Any = None) -> int | None:
        """The line of `key` (of the mapping itself when the key is absent or None)."""
        return getattr(self, "key_lines", {}).get(key) or self.get(LINE)


class _Refused(yaml.YAMLError):
    def __init__(self, line: int | None, message: str):
        super().__init__(message)
        self.line, self.message = line, message


class _Loader(_Base):
    def get_single_data(self):
        node = self.get_single_node()
        if node is None:
            return None
        _check_size(node)
        return self.construct_document(node)

    def construct_mapping(self, node, deep=False):
        lines: dict[Any, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key, line = self.construct_object(key_node, deep=True), key_node.start_mark.line + 1
            try:
                first = lines.setdefault(key, line)
            except TypeError:
                continue  # an unhashable key: PyYAML's own error names it
            if first != line:
                raise _Refused(line, f"duplicate key {shorten(key)} (first at line {first}); keep one")
        mapping = LinedDict(super().construct_mapping(node, deep=deep))
        mapping.key_lines = lines
        mapping[LINE] = node.start_mark.line + 1
        return mapping


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_str)
_Loader.add_constructor("tag:yaml.org,2002:map", lambda loader, node: (yield loader.construct_mapping(node, deep=True)))


def _check_size(root) -> None:
    """Refuse a node graph whose expansion (aliases copied out) is too big or too deep, without expanding it."""
    sizes: dict[int, int] = {}
    stack = [(root, 1, False)]
    while stack:  # post-order, iterative: a deep document must not exhaust Python's stack
        node, depth, done = stack.pop()
        if id(node) in sizes and not done:
            continue
        if depth > MAX_DEPTH:
            raise _Refused(node.start_mark.line + 1, f"nested more than {MAX_DEPTH} levels deep")
        children = [c for pair in node.value for c in pair] if isinstance(node, yaml.MappingNode) else (
            node.value if isinstance(node, yaml.SequenceNode) else [])
        if done:
            sizes[id(node)] = size = 1 + sum(sizes[id(c)] for c in children)
            if size > MAX_NODES:
                raise _Refused(node.start_mark.line + 1, f"the document expands to more than {MAX_NODES:,} values "
                                                         "(aliases of aliases?); write the values out")
            continue
        stack.append((node, depth, True))
        stack.extend((c, depth + 1, False) for c in children if id(c) not in sizes)


def parse(text: str, path: Path | str) -> tuple[Any, Problem | None]:
    """The data of a YAML document, or UNREADABLE and the problem."""
    try:
        return yaml.load(text, Loader=_Loader), None
    except _Refused as e:
        return UNREADABLE, Problem(str(path), e.line, None, e.message)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = mark.line + 1 if mark else None
        return UNREADABLE, Problem(str(path), line, None, f"malformed YAML: {shorten(getattr(e, 'problem', None) or e, 200, text=True)}")
    except RecursionError:
        return UNREADABLE, Problem(str(path), None, None, f"nested more than {MAX_DEPTH} levels deep")


def read_yaml(path: Path, problems: list[Problem]) -> Any:
    """The data of a YAML file, or UNREADABLE with its problem appended to `problems`."""
    problem = None
    try:
        if path.is_dir():
            problem = Problem(str(path), None, None, "is a folder, not a file")
        elif path.stat().st_size > MAX_FILE_BYTES:
            problem = Problem(str(path), None, None, f"is larger than {MAX_FILE_BYTES >> 20} MB")
        else:
            data, problem = parse(path.read_bytes().decode("utf-8-sig"), path)
            if problem is None:
                return data
    except FileNotFoundError:
        problem = Problem(str(path), None, None, "file is missing")
    except UnicodeDecodeError as e:
        problem = Problem(str(path), None, None, f"not UTF-8 (byte {e.start})")
    problems.append(problem)
    return UNREADABLE


def plain(data: Any) -> Any:
    """Data read by this module without its line bookkeeping: plain dicts and lists."""
    if isinstance(data, dict):
        return {k: plain(v) for k, v in data.items() if k != LINE}
    if isinstance(data, list):
        return [plain(v) for v in data]
    return data


def load_plain(path: Path) -> Any:
    """A YAML file as plain data, through the same checks, for tools that need no line numbers (benchmarks);
    InputError naming the file (and line) on any problem."""
    problems: list[Problem] = []
    data = read_yaml(path, problems)
    if problems:
        raise InputError(problems)
    return plain(data)


_repr = reprlib.Repr()
_repr.maxstring, _repr.maxother, _repr.maxlevel, _repr.maxlist, _repr.maxdict = 80, 80, 3, 6, 4


def shorten(value: Any, limit: int = 80, text: bool = False) -> str:
    """A value as an error message shows it, on one line: repr'd (or str'd with `text`, whitespace
    collapsed), bounded in work and length, without LINE bookkeeping."""
    if isinstance(value, dict):
        value = {k: v for k, v in list(value.items())[:8] if k != LINE}
    shown = " ".join(str(value).split()) if text else _repr.repr(value)
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"
