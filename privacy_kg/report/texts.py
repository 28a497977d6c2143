"""The policy texts that the clause offsets index. The graph names each text's file (dcterms:source) and
its SHA-256; a text is shown only when it is the one the graph was built from, since offsets into another
text would highlight the wrong words.

Sources: `corpus/<slug>/policy.txt` in the project; `OPP-115 sanitized_policies/<file>.html` (the HTML
file verbatim, which OPP-115's offsets index), read from an OPP-115 folder when one is given."""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass
from pathlib import Path

OPP115_PREFIX = "OPP-115 "
# in OPP-115's sanitized HTML: a tag, a character reference, or the "|||" between segments
MARKUP = re.compile(r"</?(\w*)[^>]*>|&#?\w+;|\|\|\|")
BREAKS = {"br", "p", "div", "li", "ul", "ol", "tr", "table", "h1", "h2", "h3", "h4", "h5", "h6"}


@dataclass(frozen=True)
class PolicyText:
    text: str | None
    problem: str = ""  # why there is no text, or why it is not shown
    html: bool = False  # the text is HTML (OPP-115's sanitized policies): show it with readable_html


def readable_html(text: str) -> list[str]:
    """What to show for each character of an HTML text, so that offsets into the HTML still mark the right
    words: a tag shows as nothing (a line break for block tags), a character reference as its character,
    OPP-115's "|||" segment separator as a blank line; the first character of each stands for it."""
    shown = list(text)
    for match in MARKUP.finditer(text):
        start, end = match.span()
        token = match.group(0)
        if token == "|||":
            first = "\n\n"
        elif token.startswith("&"):
            first = html.unescape(token)
        else:
            first = "\n" if match.group(1).lower() in BREAKS else ""
        shown[start:end] = [first] + [""] * (end - start - 1)
    return shown


class PolicyTexts:
    def __init__(self, root: Path, opp115: Path | None = None):
        self.root = root.resolve()
        self.opp115 = opp115

    def get(self, source: str, sha256: str) -> PolicyText:
        if source.startswith(OPP115_PREFIX):
            found = self._opp115_text(source[len(OPP115_PREFIX):])
        elif source.startswith("corpus/"):
            found = self._corpus_text(source)
        else:
            found = PolicyText(None, f"the graph names no policy text this report can read ({source or 'none'})")
        if found.text is not None and sha256 and hashlib.sha256(found.text.encode("utf-8")).hexdigest() != sha256:
            return PolicyText(None, f"{source} has changed since the graph was built (its SHA-256 differs), so the "
                                    "offsets may not fit it: run `privacy-kg build`")
        return found

    def _corpus_text(self, source: str) -> PolicyText:
        return _read(self.root, self.root / "corpus", source)

    def _opp115_text(self, name: str) -> PolicyText:
        if self.opp115 is None:
            return PolicyText(None, f"the text is OPP-115's {name}: pass --opp115 FOLDER to show it")
        found = _read(self.opp115.resolve(), self.opp115.resolve(), name)
        return PolicyText(found.text, found.problem, html=name.endswith(".html"))


def _read(base: Path, allowed: Path, relative: str) -> PolicyText:
    """The UTF-8 text of base/relative, which must lie inside `allowed` (never trust a path from data)."""
    path = (base / relative).resolve()
    if not path.is_relative_to(allowed):
        return PolicyText(None, f"{relative} is outside {allowed}")
    try:
        return PolicyText(path.read_bytes().decode("utf-8"))
    except FileNotFoundError:
        return PolicyText(None, f"{path} does not exist")
    except UnicodeDecodeError:
        return PolicyText(None, f"{path} is not UTF-8")
