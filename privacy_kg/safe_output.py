"""Text from data or servers made safe to print: control characters escaped (a quote holding ESC must
not drive the terminal) and passwords in URLs (user:password@host) redacted."""

from __future__ import annotations

import re

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # C0 (but tab, newline), DEL, C1
LINE_BREAKS = re.compile(r"[\n\r]")
USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*://)[^/?#@\s]*@")


def printable(text: str, one_line: bool = False) -> str:
    """`text` with every control character written as an escape (\\x1b); with one_line, line breaks too."""
    text = CONTROL.sub(_escape, str(text))
    return LINE_BREAKS.sub(_escape, text) if one_line else text


def _escape(match: re.Match) -> str:
    return match.group().encode("unicode_escape").decode("ascii")


def redact(text: str) -> str:
    """Every URL's userinfo (user:password@) replaced by ***@."""
    return USERINFO.sub(r"\1***@", str(text))


def has_userinfo(url: str) -> bool:
    return bool(USERINFO.match(url.strip()))


def safe(text: object) -> str:
    """A message for the terminal: URLs redacted, control characters escaped, on one line."""
    return printable(redact(str(text)), one_line=True)


def printable_json(text: str) -> str:
    """JSON text (json.dumps already escapes C0 characters) with DEL and C1 characters escaped as \\u00XX."""
    return CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
