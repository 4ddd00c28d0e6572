"""Unicode's bidirectional controls, taken out of what people type.

An override or isolate (U+202A-U+202E, U+2066-U+2069) shows text in another order than it is
read in: `https://exa`, U+202E, `mple.com/gpj.exe` shows as a link ending in `exe.jpg`. The
marks (U+200E, U+200F, U+061C) are invisible too, and would hide inside a link's address.
"""

import re

# Unicode's Bidi_Control property, all twelve of it.
BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def without_bidi_controls(text):
    return BIDI_CONTROLS.sub("", text)
