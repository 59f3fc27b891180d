"""Rendering: highlighted code, tables, admonitions, anchors; and nothing unsafe survives."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from lms.content.render import render_inline, render_markdown, sanitize
from tests.xss import XSS_VECTORS

SAFE_TAGS = {
    "a",
    "blockquote",
    "br",
    "code",
    "del",
    "details",
    "div",
    "em",
    "h2",
    "h3",
    "img",
    "li",
    "ol",
    "p",
    "pre",
    "span",
    "strong",
    "summary",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
    "kbd",
}
URL_ATTRIBUTES = {"href", "src"}


class _Elements(HTMLParser):
    """Every element and attribute a browser would build from the HTML."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def assert_inert(html: str) -> None:
    parser = _Elements()
    parser.feed(html)
    for tag, attrs in parser.found:
        assert tag in SAFE_TAGS, f"<{tag}> survived in {html!r}"
        for name, value in attrs.items():
            assert not name.startswith("on"), f"{name} survived in {html!r}"
            assert name not in {"style", "srcdoc", "background", "formaction"}, html
            if name in URL_ATTRIBUTES and value:
                # As a browser's URL parser does: drop tabs and newlines, trim controls and spaces.
                cleaned = re.sub(r"[\t\n\r]", "", value).strip("\x00\x20")
                match = re.match(r"([a-zA-Z][a-zA-Z0-9+.-]*):", cleaned)
                scheme = match.group(1).lower() if match else ""
                assert scheme in {"", "http", "https", "mailto"}, f"{value!r} in {html!r}"


@pytest.mark.parametrize("vector", XSS_VECTORS)
def test_markdown_cannot_carry_script(vector):
    assert_inert(render_markdown(f"Some text.\n\n{vector}\n\nMore text.").html)


@pytest.mark.parametrize("vector", XSS_VECTORS)
def test_inline_markdown_for_quiz_text_is_sanitized_too(vector):
    assert_inert(render_inline(vector))


def test_the_checker_itself_catches_script():
    with pytest.raises(AssertionError):
        assert_inert('<img src="x" onerror="alert(1)">')
    with pytest.raises(AssertionError):
        assert_inert('<a href="javascript:alert(1)">x</a>')


def test_code_is_highlighted_with_pygments_classes():
    html = render_markdown("```python\nfor x in range(3):\n    print(x)\n```").html
    assert '<div class="highlight">' in html
    assert '<span class="k">for</span>' in html


def test_code_is_escaped_not_executed():
    html = render_markdown("```html\n<script>alert(1)</script>\n```").html
    assert "<script>" not in html
    assert "&lt;" in html and "script" in html


def test_tables_align_with_classes_not_inline_styles():
    html = render_markdown("| a | b |\n|:--|--:|\n| 1 | 2 |").html
    assert '<th class="align-left">a</th>' in html
    assert '<td class="align-right">2</td>' in html
    assert "style=" not in html


def test_admonitions():
    html = render_markdown('!!! warning "Mind the gap"\n    Stand back.').html
    assert '<div class="admonition warning">' in html
    assert '<p class="admonition-title">Mind the gap</p>' in html


def test_heading_anchors_and_table_of_contents():
    rendered = render_markdown("## First part\n\ntext\n\n### A detail\n\n## Second `part`")
    assert '<h2 id="first-part">' in rendered.html
    assert 'href="#first-part"' in rendered.html
    assert rendered.toc == [
        {"id": "first-part", "name": "First part", "level": 2},
        {"id": "a-detail", "name": "A detail", "level": 3},
        {"id": "second-part", "name": "Second part", "level": 2},
    ]


def test_a_heading_permalink_sits_beside_its_heading_and_names_the_section():
    # Inside the heading, the link made every heading read "Kinds of data#" (and named it "#").
    html = render_markdown("## Kinds of `data` & more\n\ntext\n\n#### Deeper").html
    assert (
        '<div class="heading-anchor heading-anchor-h2">'
        '<h2 id="kinds-of-data-more">Kinds of <code>data</code> &amp; more</h2>'
        '<a class="headerlink" href="#kinds-of-data-more" rel="noopener noreferrer">'
        '<span class="visually-hidden">Link to section: Kinds of data &amp; more</span></a></div>'
    ) in html
    assert '<h4 id="deeper">Deeper</h4><a class="headerlink" href="#deeper"' in html
    assert ">#<" not in html
    headings = re.findall(r"<h([2-6])[^>]*>(.*?)</h\1>", html)
    assert len(headings) == 2 and not any("<a" in inner for _, inner in headings)


def test_a_heading_inside_an_admonition_gets_its_permalink_too():
    html = render_markdown("!!! note\n    ### Inside\n\n    text").html
    assert '<div class="admonition note">' in html
    assert '<h3 id="inside">Inside</h3><a class="headerlink" href="#inside"' in html


def test_code_blocks_and_tables_can_be_scrolled_from_the_keyboard():
    html = render_markdown("```python\nx = 1\n```\n\n    indented\n\n| a |\n|---|\n| 1 |").html
    assert html.count('<pre tabindex="0">') == 2
    assert '<table tabindex="0">' in html


def test_authors_cannot_set_tabindex():
    html = render_markdown('<p tabindex="1">first</p>\n\n<pre tabindex="-1">x</pre>').html
    assert 'tabindex="1"' not in html and 'tabindex="-1"' not in html
    assert '<pre tabindex="0">x</pre>' in html


def test_external_links_are_kept_with_safe_rel():
    html = render_markdown("[NCSC](https://www.ncsc.gov.uk/)").html
    assert '<a href="https://www.ncsc.gov.uk/" rel="noopener noreferrer">NCSC</a>' in html


def test_sanitize_keeps_harmless_markup():
    assert sanitize("<p><strong>ok</strong> <kbd>Ctrl</kbd></p>") == (
        "<p><strong>ok</strong> <kbd>Ctrl</kbd></p>"
    )


def test_inline_render_drops_the_paragraph():
    assert render_inline("Use `print()` **now**") == "Use <code>print()</code> <strong>now</strong>"


def test_contents_entries_are_plain_text_for_the_page_to_escape_once():
    rendered = render_markdown("## Tom & Jerry <em>now</em>\n\ntext\n\n## 1 < 2")
    assert [entry["name"] for entry in rendered.toc] == ["Tom & Jerry now", "1 < 2"]
