"""HTML safety: stored HTML is sanitized, plain text is escaped."""

import pytest

from relaydesk.core.html import html_to_text, sanitize_html, text_to_html


@pytest.mark.parametrize(
    ("dirty", "forbidden"),
    [
        ("<script>alert(1)</script>hello", ["<script", "alert(1)"]),
        ("<SCRIPT SRC=//evil.example/x.js></SCRIPT>", ["script", "evil"]),
        ('<p onclick="steal()">hi</p>', ["onclick", "steal"]),
        ('<img src="x.png" onerror="steal()">', ["onerror", "steal"]),
        ('<a href="javascript:alert(1)">x</a>', ["javascript"]),
        ('<a href="JaVaScRiPt:alert(1)">x</a>', ["alert"]),
        ('<a href="java&#x09;script:alert(1)">x</a>', ["alert"]),
        ('<a href="vbscript:msgbox(1)">x</a>', ["vbscript"]),
        ('<img src="data:image/svg+xml;base64,PHN2Zz4=">', ["data:"]),
        ('<p style="background:url(javascript:alert(1))">x</p>', ["style", "javascript"]),
        ("<style>body{display:none}</style>text", ["<style", "display:none"]),
        ('<iframe src="https://evil.example"></iframe>', ["iframe", "evil"]),
        ('<form action="/steal"><input name="password"></form>', ["<form", "<input"]),
        ('<svg onload="alert(1)"><circle/></svg>', ["svg", "onload"]),
        ('<object data="x.swf"></object><embed src="y">', ["object", "embed"]),
        ('<meta http-equiv="refresh" content="0;url=https://evil.example">', ["meta", "evil"]),
        ('<base href="https://evil.example/">', ["base", "evil"]),
        ('<div id="login" class="btn">x</div>', ['id="login"', "class="]),
        ("<!-- comment --><p>x</p>", ["comment"]),
    ],
)
def test_dangerous_markup_is_removed(dirty, forbidden):
    clean = sanitize_html(dirty)
    for piece in forbidden:
        assert piece.lower() not in clean.lower(), clean


@pytest.mark.parametrize(
    ("markup", "kept"),
    [
        ("<p>Hello <strong>bold</strong> and <em>em</em></p>", None),
        ("<ul><li>one</li><li>two</li></ul>", None),
        ("<ol><li>first</li></ol>", None),
        ("<blockquote>quoted</blockquote>", None),
        ("<pre><code>print(1)</code></pre>", None),
        ("<h2>Title</h2>", None),
        ('<table><thead><tr><th scope="col">A</th></tr></thead><tbody><tr><td colspan="2">1'
         "</td></tr></tbody></table>", None),
        ("line<br>break", None),
        ('<img src="https://example.com/a.png" alt="screenshot">', None),
        ('<img src="cid:part1@example.com" alt="inline">', None),
        ('<a href="mailto:help@example.com">mail us</a>',
         '<a href="mailto:help@example.com" rel="noopener noreferrer nofollow">mail us</a>'),
        ('<a href="https://example.com/kb/1" title="KB">article</a>',
         '<a href="https://example.com/kb/1" title="KB" rel="noopener noreferrer nofollow">'
         "article</a>"),
    ],
)  # fmt: skip
def test_safe_markup_is_kept(markup, kept):
    assert sanitize_html(markup) == (kept or markup)


def test_links_cannot_open_with_the_opener():
    clean = sanitize_html('<a href="https://example.com" rel="opener" target="_blank">x</a>')
    assert 'rel="noopener noreferrer nofollow"' in clean
    assert "opener" not in clean.replace("noopener", "")


def test_sanitize_handles_empty_and_none():
    assert sanitize_html("") == ""
    assert sanitize_html(None) == ""


def test_text_to_html_escapes_everything():
    html = text_to_html('<script>alert("x")</script> & <b>bold</b>')
    assert "<script" not in html and "<b>" not in html
    assert html == (
        "<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;</p>"
    )


def test_text_to_html_keeps_paragraphs_and_line_breaks():
    assert text_to_html("Hello,\nline two\n\n\nSecond paragraph\n") == (
        "<p>Hello,<br>line two</p><p>Second paragraph</p>"
    )
    assert text_to_html("   ") == ""
    assert text_to_html(None) == ""


def test_html_to_text_is_readable():
    text = html_to_text(
        "<p>Hello&nbsp;there &amp; welcome</p><ul><li>one</li><li>two</li></ul>"
        "<p>Line<br>break</p><p></p><p></p><p></p><p>end</p>"
    )
    assert text == "Hello\xa0there & welcome\n\none\ntwo\n\nLine\nbreak\n\nend"


def test_html_to_text_reads_mail_client_divs_as_lines():
    assert html_to_text("<div>Hi,</div><div><br></div><div>it broke.</div><div>Bo</div>") == (
        "Hi,\n\nit broke.\nBo"
    )


def test_round_trip_text_survives():
    original = "Dear team,\n\nThe <printer> says: 50% & rising.\nThanks"
    assert html_to_text(text_to_html(original)) == original
