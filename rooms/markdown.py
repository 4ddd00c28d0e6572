"""Message bodies as a safe subset of Markdown: emphasis, inline code, fenced and indented code,
quotes, lists and http(s) links. No headings, images, tables or raw HTML: HTML typed in a body
is shown as text.

markdown-it-py parses (with only the rules of the subset on) and ammonia (nh3) then keeps only
the tags and attributes that subset makes, so nothing else reaches a page whatever the parser
does. A body without any Markdown or link character is only escaped.
"""

import re

import nh3
from django.utils.html import escape
from markdown_it import MarkdownIt

# The tlds Django's urlize linked bare names with, so README.md and settings.py stay text.
BARE_LINK_TLDS = ["com", "edu", "gov", "int", "mil", "net", "org"]
LINK_SCHEMES = ("http://", "https://")
TAGS = {"p", "br", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li", "a"}
# "*": none on every element (ammonia's default lets title and lang on any).
ATTRIBUTES = {"*": set(), "a": {"href"}, "ol": {"start"}}
LINK_REL = "nofollow noopener noreferrer"

# What the subset could turn into markup: its inline characters, a line break (breaks,
# indented code, the start of a block on a later line), what markdown-it rewrites (\r, NUL),
# or a block marker at the start (quote, list item, indented code).
MARKUP_HINT = re.compile(r"[*_`~\\\[<\n\r\t\0]|^(?:>|[-+](?:\s|$)|\d{1,9}[.)](?:\s|$)| {4})")
# What every link linkify-it could find holds: an http(s) address's //, or a bare name's
# www. or tld. A regex this small, not linkify-it's own pretest, which costs a plain body
# several times its escaping.
LINK_HINT = re.compile(r"//|www\.|\.(?:" + "|".join(BARE_LINK_TLDS) + ")", re.IGNORECASE)


def subset_parser():
    parser = MarkdownIt("zero", {"breaks": True, "linkify": True, "html": False})
    parser.enable(["newline", "escape", "backticks", "emphasis", "link", "autolink", "linkify"])
    parser.enable(["code", "fence", "blockquote", "list"])
    # markdown-it refuses only some schemes (javascript:, data:...): links here are http(s).
    parser.validateLink = lambda url: url.lower().startswith(LINK_SCHEMES)
    parser.linkify.tlds(BARE_LINK_TLDS, False).set({"fuzzy_email": False})
    return parser


PARSER = subset_parser()

# What is not prose, where `@name` is no mention: code (inline, fenced, indented) and a link's
# text. prose() keeps the rest of the token stream; on the page the `mentions` filter passes
# over the elements those render to (rooms/templatetags/message_format.py). test_mentions
# holds the two to agreeing.
NOT_PROSE_ELEMENTS = ("a", "code")


def is_plain(body):
    """Whether `body` reads the same as Markdown as it does as text: then escaping is enough."""
    return not MARKUP_HINT.search(body) and not LINK_HINT.search(body)


def as_html(body):
    """`body` (a message as typed) as safe HTML."""
    if is_plain(body):
        return escape(body)
    return nh3.clean(
        markdown_html(body),
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes={"http", "https"},
        # Nor relative: markdown-it links [x]() to "", this very page.
        url_relative="deny",
        link_rel=LINK_REL,
    )


def markdown_html(body):
    """The parser's HTML: a body of one paragraph as its inline content only, as plain bodies
    show, so a line of text reads alike however it was rendered."""
    tokens = PARSER.parse(body)
    if [token.type for token in tokens] == ["paragraph_open", "inline", "paragraph_close"]:
        return PARSER.renderer.renderInline(tokens[1].children, PARSER.options, {})
    return PARSER.renderer.render(tokens, PARSER.options, {})


def prose(body):
    """The runs of `body`'s text that read as prose: its inline text tokens outside links
    (code spans are tokens of their own; code blocks have no inline content)."""
    if is_plain(body):
        return [body]
    runs = []
    for token in PARSER.parse(body):
        links = 0
        for child in token.children or ():
            links += {"link_open": 1, "link_close": -1}.get(child.type, 0)
            if child.type == "text" and not links:
                runs.append(child.content)
    return runs
