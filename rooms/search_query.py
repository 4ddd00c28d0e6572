"""What a search asks for: the form that checks /search/'s parameters, and the words and
filters (`from:username`, `in:room-slug`) read from its text."""

import re
from dataclasses import dataclass

from django import forms

from rooms.search_index import NEWEST

QUERY_MAX_LENGTH = 200
MAX_WORDS = 10
# A word is a run of letters and digits, as both databases' tokenizers read them; anything
# else a query holds (quotes, operators, brackets) only separates words.
WORD = re.compile(r"[^\W_]+")
FILTERS = {"from": "author", "in": "room"}
FILTER = re.compile(r"(?i)(from|in):(.*)")


@dataclass(frozen=True)
class Query:
    words: tuple = ()
    author: str | None = None  # a username, from:
    room: str | None = None  # a room's slug, in:

    def __bool__(self):
        return bool(self.words or self.author or self.room)


def parse(text):
    """The Query `text` asks; a ValidationError says what in it cannot be read."""
    words, filters = [], {}
    for part in text.split():
        if (found := FILTER.fullmatch(part)) is None:
            words += WORD.findall(part)
            continue
        name, value = found.group(1).lower(), found.group(2).removeprefix("#")
        if not value:
            example = "from:alice" if name == "from" else "in:lobby"
            raise forms.ValidationError(f"Say what {name}: filters by, as in {example}.")
        if FILTERS[name] in filters:
            raise forms.ValidationError(f"Use {name}: once at most.")
        filters[FILTERS[name]] = value
    if len(words) > MAX_WORDS:
        raise forms.ValidationError(f"Search for {MAX_WORDS} words at most.")
    return Query(words=tuple(words), **filters)


class SearchForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=QUERY_MAX_LENGTH,
        error_messages={
            "max_length": f"Search for {QUERY_MAX_LENGTH} characters at most "
            "(this has %(show_value)s)."
        },
    )
    # The newest message of the page before: results continue with older ones.
    before = forms.IntegerField(required=False, min_value=1, max_value=NEWEST)

    def clean_q(self):
        return parse(self.cleaned_data["q"])
