"""HTML is read in one pass without a tree (issue 20, item 1: 20,000 nested divs in one email
took 60 s in the tree builder)."""

from __future__ import annotations

import tracemalloc

from civicshield.connectors.base import html_to_text

NESTED = 20_000


def test_deep_nesting_is_read_in_one_pass() -> None:
    html = "<div>" * NESTED + "threat text" + "</div>" * NESTED
    tracemalloc.start()
    try:
        text = html_to_text(html)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert text == "threat text"
    assert peak < 16 * 2**20  # no tree: memory follows the document's size (220 KB)


def test_text_keeps_its_lines_and_drops_what_is_not_shown() -> None:
    html = ("<head><title>x</title></head><p>First &amp; one<br>second</p><div>third</div>"
            "<script>alert(1)</script><style>p{}</style><ul><li>a</li><li>b</li></ul>")
    assert html_to_text(html) == "First & one\nsecond\nthird\na\nb"
