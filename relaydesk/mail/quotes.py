"""Find where the quoted history of a reply starts, so the UI can fold it away.

The new part of a reply comes first; what follows one of these markers is the mail being
answered. We store the offset in the message's text rather than cutting anything off.
"""

import re

REPLY_ABOVE_MARKER = "-- Reply above this line --"

_MARKERS = [
    re.compile(re.escape(REPLY_ABOVE_MARKER), re.IGNORECASE),
    # "On Tue, 4 Jun 2024 at 10:00, Cora <cora@acme.test> wrote:" (may wrap onto two lines)
    re.compile(r"^On\b[^\n]{0,300}(?:\n[^\n]{0,200})?\bwrote:[ \t]*$", re.MULTILINE),
    re.compile(
        r"^Am\b[^\n]{0,300}(?:\n[^\n]{0,200})?\bschrieb[^\n]{0,200}:[ \t]*$", re.MULTILINE
    ),  # fmt: skip
    re.compile(r"^Le\b[^\n]{0,300}(?:\n[^\n]{0,200})?\ba écrit ?:[ \t]*$", re.MULTILINE),
    re.compile(
        r"^-{2,}[ \t]*(?:Original Message|Ursprüngliche Nachricht|Message d'origine)"
        r"[ \t]*-{2,}",
        re.MULTILINE | re.IGNORECASE,
    ),  # fmt: skip
    # Outlook: an underscore rule, or a From: line followed by Sent:/Date: in the next lines.
    re.compile(r"^_{10,}[ \t]*\n(?=From:)", re.MULTILINE),
    re.compile(r"^From:[^\n]*\n(?:[^\n]*\n)?(?:Sent|Date):", re.MULTILINE),
]
_QUOTED_LINE = re.compile(r"^[ \t]*>")


def quote_offset(text: str) -> int | None:
    """The offset in TEXT where quoted history starts, or None when there is none.

    An offset of 0 (everything quoted) is reported as None: there is nothing new to show
    first, so nothing should be folded.
    """
    if not text:
        return None
    candidates = [m.start() for pattern in _MARKERS if (m := pattern.search(text))]
    trailing = _trailing_quote_block(text)
    if trailing is not None:
        candidates.append(trailing)
    candidates = [c for c in candidates if text[:c].strip()]
    return min(candidates) if candidates else None


def _trailing_quote_block(text: str) -> int | None:
    """Start of a block of '>' lines that runs (blank lines aside) to the end of TEXT."""
    offset = len(text)
    start = None
    for line in reversed(text.splitlines(keepends=True)):
        offset -= len(line)
        if _QUOTED_LINE.match(line):
            start = offset
        elif line.strip():
            break
    return start
