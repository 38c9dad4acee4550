"""Every HTML body we store passes through here: email and rich text are hostile input."""

import html
import re

import nh3

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "div", "dl", "dt", "em",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "ol", "p",
    "pre", "q", "s", "small", "span", "strong", "sub", "sup", "table", "tbody", "td",
    "tfoot", "th", "thead", "tr", "u", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "abbr": {"title"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel", "cid"}

# Paragraph-like blocks end with a blank line; lines (div, as mail clients write each line,
# list items, table rows, <br>) with a line break.
_PARAGRAPH_END = re.compile(r"</(p|h[1-6]|blockquote|pre|ul|ol|table)>", re.IGNORECASE)
_LINE_END = re.compile(r"</(div|li|tr)>|<br\s*/?>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")
_BLANK_LINES = re.compile(r"\n{3,}")


def sanitize_html(value: str) -> str:
    """Return VALUE with scripts, event handlers, styles and unknown tags removed."""
    return nh3.clean(
        value or "",
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )


def html_to_text(value: str) -> str:
    """A readable plain-text version of (already sanitized) HTML, for search and mail."""
    text = _LINE_END.sub("\n", _PARAGRAPH_END.sub("\n\n", value or ""))
    text = html.unescape(_TAG.sub("", text))
    return _BLANK_LINES.sub("\n\n", text).strip()


def text_to_html(value: str) -> str:
    """Plain text as safe HTML: escaped, paragraphs and line breaks kept."""
    paragraphs = re.split(r"\n{2,}", (value or "").strip())
    return "".join(
        "<p>" + html.escape(p).replace("\n", "<br>") + "</p>" for p in paragraphs if p.strip()
    )
