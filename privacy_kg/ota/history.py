"""A service's recorded versions -> its history: classify, collapse, recognise flapping.

Classification reads the commit subject (Open Terms Archive's conventions, see
../shared/ota/README.md): `First record of` / `Start tracking` -> first record; `Record new changes of` /
`Update` -> a change by the service; `Refilter` / `Apply technical or declaration upgrade on` -> a
re-extraction by the archive (the service changed nothing).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta

FIRST, CHANGE, TECHNICAL, UNKNOWN = "first-record", "service-change", "technical-upgrade", "unknown"
SUBJECTS = (
    (re.compile(r"^(First record of|Start tracking)\b"), FIRST),
    (re.compile(r"^(Record new changes of|Update)\b"), CHANGE),
    (re.compile(r"^(Refilter|Apply technical or declaration upgrade on)\b"), TECHNICAL),
)
SNAPSHOT = re.compile(r"snapshot (\S+)")
FLAP_DAYS = 7

IDENTICAL, FLAPPING, FLAP_RETURN, DELETED = "identical-after-normalisation", "flapping", "returns-to-earlier-text", "deleted"


def classify(message: str) -> str:
    subject = message.splitlines()[0] if message else ""
    return next((kind for pattern, kind in SUBJECTS if pattern.match(subject)), UNKNOWN)


def snapshot(message: str) -> str | None:
    """The snapshot the version was extracted from: a contrib-snapshots commit URL, a mongo:// id or a sha."""
    m = SNAPSHOT.search(message)
    return m.group(1) if m else None


_MARKDOWN_TRIVIA = [
    (re.compile(r"!?\[([^\]]*)\]\([^)]*\)"), r"\1"),    # links and images -> their text
    (re.compile(r"(?m)^\s{0,3}(#{1,6}|>|[-*+]|\d+[.)])\s+"), ""),  # heading, quote, list markers
    (re.compile(r"(\*\*|__|\*|_|`|~~)"), ""),             # emphasis, code, strike-through
    (re.compile(r"(?m)^\s*([-*_]\s*){3,}$"), ""),       # horizontal rules
    (re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>])"), r"\1"),  # Markdown escapes
    (re.compile(r"\s+"), " "),
]


def normalise(text: str) -> str:
    """The text as a reader sees it: NFKC, Markdown markup and whitespace differences removed."""
    text = unicodedata.normalize("NFKC", text).replace("\u00a0", " ")
    for pattern, replacement in _MARKDOWN_TRIVIA:
        text = pattern.sub(replacement, text)
    return text.strip()


def decode(data: bytes) -> tuple[str, bool]:
    """(text, was UTF-8). Not UTF-8: read as Windows-1252 (what such pages mostly are), bytes it lacks as U+FFFD."""
    try:
        return data.decode("utf-8"), True
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), False


@dataclass
class Version:
    commit: str
    authored: str
    recorded: str
    message: str
    path: str
    text: str
    utf8: bool
    classification: str = field(init=False)
    key: str = field(init=False)           # sha256 of the normalised text

    def __post_init__(self):
        self.classification = classify(self.message)
        self.key = hashlib.sha256(normalise(self.text).encode()).hexdigest()

    @property
    def when(self) -> datetime:
        return datetime.fromisoformat(self.recorded)


@dataclass
class History:
    kept: list[Version]
    skipped: list[tuple[Version, str]]     # (version, reason)


def history(versions: list[Version], flap_days: int = FLAP_DAYS) -> History:
    """Keep the versions whose text a reader would see as new. A version identical (after normalisation) to
    the kept one before it is skipped; a text that comes back to an earlier kept text within `flap_days` of
    leaving it makes the versions in between flapping (skipped) and the return too."""
    kept: list[Version] = []
    skipped: list[tuple[Version, str]] = []
    window = timedelta(days=flap_days)
    for v in versions:
        if kept and v.key == kept[-1].key:
            skipped.append((v, IDENTICAL))
            continue
        earlier = next((i for i in range(len(kept) - 2, -1, -1) if kept[i].key == v.key), None)
        if earlier is not None and v.when - kept[earlier + 1].when <= window:
            skipped += [(flap, FLAPPING) for flap in kept[earlier + 1:]]
            del kept[earlier + 1:]
            skipped.append((v, FLAP_RETURN))
            continue
        kept.append(v)
    skipped.sort(key=lambda s: (s[0].recorded, s[0].commit))
    return History(kept, skipped)
