"""Message bodies in Markdown's safe subset: what each part renders as, what stays text, and
that a body without Markdown is only escaped, reads the same, and is rendered once."""

import html
import re

import pytest
from hypothesis import example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from rooms import markdown
from rooms.models import Message
from rooms.posting import post_message
from rooms.templatetags import message_format

LINK = 'rel="nofollow noopener noreferrer"'


@pytest.mark.parametrize(
    ("body", "shown"),
    [
        ("so *very* **bold** _too_", "so <em>very</em> <strong>bold</strong> <em>too</em>"),
        ("run `make test` now", "run <code>make test</code> now"),
        ("one\ntwo", "one<br>\ntwo"),
        ("first\n\nsecond", "<p>first</p>\n<p>second</p>\n"),
        ("> quoted\n> still", "<blockquote>\n<p>quoted<br>\nstill</p>\n</blockquote>\n"),
        ("- milk\n- eggs", "<ul>\n<li>milk</li>\n<li>eggs</li>\n</ul>\n"),
        ("3. three\n4. four", '<ol start="3">\n<li>three</li>\n<li>four</li>\n</ol>\n'),
        (
            "[the docs](https://example.com/a)",
            f'<a href="https://example.com/a" {LINK}>the docs</a>',
        ),
        ("<https://example.com>", f'<a href="https://example.com" {LINK}>https://example.com</a>'),
        (
            "see www.example.com/x?a=1&b=2",
            f'see <a href="http://www.example.com/x?a=1&amp;b=2" {LINK}>'
            "www.example.com/x?a=1&amp;b=2</a>",
        ),
    ],
)
def test_the_subset_renders(body, shown):
    assert markdown.as_html(body) == shown


def test_a_fenced_code_block_keeps_its_layout_and_shows_html_as_text():
    body = 'Traceback:\n```python\n<b>def</b> f():\n    return "x"\n```'

    assert markdown.as_html(body) == (
        '<p>Traceback:</p>\n<pre><code>&lt;b&gt;def&lt;/b&gt; f():\n    return "x"\n</code></pre>\n'
    )


@pytest.mark.parametrize(
    "body",
    [
        "# not a heading",
        "| a | b |\n|---|---|",
        "<b>raw html</b> & <i>more</i>",
        "[home](/rooms/lobby/)",
        "[x](javascript:alert(1))",
        "[x](data:text/html,hi)",
        "<data:text/html,hi>",
        "<mailto:a@example.com> and a@example.com",
        "README.md and settings.py",
        "&lt;entities&gt; stay as typed",
        "***",
    ],
)
def test_what_the_subset_leaves_out_shows_as_typed(body):
    shown = markdown.as_html(body)

    assert set(re.findall(r"<(\w+)", shown)) <= {"br"}
    assert html.unescape(shown.replace("<br>\n", "\n")) == body


def test_an_image_is_never_loaded_its_address_is_a_plain_link():
    shown = markdown.as_html("![cat](https://example.com/cat.png)")

    assert shown == f'!<a href="https://example.com/cat.png" {LINK}>cat</a>'


@pytest.mark.parametrize(
    "body", ["hello there", "it's 5 > 3 & fine", "a #hashtag, 100% sure; (really)!"]
)
def test_a_body_without_markdown_never_reaches_the_parser(body, monkeypatch):
    monkeypatch.setattr(markdown, "markdown_html", lambda body: pytest.fail("parsed"))

    assert html.unescape(markdown.as_html(body)) == body


# Words, spaces and punctuation, with now and then what starts a block or ends a line.
plain_pieces = st.one_of(
    st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=8),
    st.sampled_from([" ", "- ", "+", "1. ", "2)", "> ", "#", ".", ":", "@", "\r", "\0", "    "]),
    st.sampled_from(["www.", "http://", "//", "example.org", "a.b.COM/x", "ftp://", "mailto:"]),
)
maybe_plain_bodies = st.lists(plain_pieces, max_size=8).map("".join)


@given(body=maybe_plain_bodies)
@example(body="1.5 is fine")
@example(body="a - b + c > d")
@hypothesis_settings(max_examples=1000, deadline=None)
def test_a_plain_body_reads_as_its_markdown_would(body):
    body = body.strip()  # as every body is saved
    if markdown.is_plain(body):
        assert html.unescape(markdown.as_html(body)) == html.unescape(markdown.markdown_html(body))


@pytest.mark.django_db
def test_a_multi_line_post_shows_its_line_breaks_on_the_page(alice_client, room):
    alice_client.post("/rooms/lobby/messages/", {"body": "line one\r\nline two\r\n- a\r\n- b"})

    page = alice_client.get("/rooms/lobby/").text

    assert Message.objects.get().body == "line one\nline two\n- a\n- b"
    assert "line one<br>\nline two" in page
    assert "<li>a</li>" in page


@pytest.mark.django_db
def test_a_body_is_rendered_once_however_often_it_is_shown(
    client, room, alice, monkeypatch, unlimited_posting
):
    rendered = []
    as_html = message_format.as_html
    monkeypatch.setattr(
        message_format, "as_html", lambda body: rendered.append(body) or as_html(body)
    )
    post_message(room, alice, "*posted* once")

    for _ in range(3):
        assert "<em>posted</em> once" in client.get("/rooms/lobby/").text

    assert rendered == ["*posted* once"]
