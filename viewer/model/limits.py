"""The limits a timeline file must keep within, in one place for both of the loader's paths.

Each is far beyond what a real timeline needs, and each is checked before the work it guards,
so that no file can make a load take long or use much memory. docs/format.md lists them under
"Limits"; a file past one is refused with a message that names it.
"""

from __future__ import annotations

MAX_FILE_BYTES = 190 * 1024 * 1024  # the timeline file itself
MAX_SOURCE_BYTES = 8 * 1024 * 1024  # one source file: a long book is about 2 MiB
MAX_SOURCES_TOTAL_BYTES = 64 * 1024 * 1024  # all distinct source files together
MAX_SOURCES = 10_000  # entries in `sources` (one file may be listed under several ids)
MAX_CATEGORIES = 1_000  # categories listed and made by events together: one lane each
# Characters of source text that the quote searches may go through in all, each distinct
# (source, quote) searched once: about a second and a half of str.find. 128 quotes missing
# from a source of the largest size use it up; a few thousand found in articles do not.
MAX_SEARCH_CHARS = 1 << 30

# The longest each text field may be, in characters. A reference (a citation's `source`, an
# entry of `disputed_by`) has no limit of its own: it must equal an id, which has one.
MAX_CHARS = {
    "id": 1_000,
    "label": 1_000,
    "category": 1_000,
    "file": 1_000,
    "outlet": 1_000,
    "author": 1_000,
    "title": 10_000,
    "summary": 10_000,
    "quote": 10_000,
    "url": 10_000,
    "note": 100_000,
    "description": 100_000,
}
