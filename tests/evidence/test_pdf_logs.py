"""The PDF renderer's own warnings never reach the logs: they quote the document, and the
document is attacker-written message text (issue 20, item 7). Run in a fresh interpreter with
the application's logging at DEBUG (pytest attaches its own capture to every logger)."""

from __future__ import annotations

import subprocess
import sys

SECRET = "4127-larkspur-lane"
SCRIPT = f"""
import logging, sys
logging.basicConfig(level=logging.DEBUG, stream=sys.stderr)
from civicshield.reports.pdf import html_to_pdf
pdf = html_to_pdf('<p>hello</p><img src="http://{SECRET}.example/x.png">'
                  '<p style="colour: {SECRET}">text</p>')
print(pdf[:4].decode())
"""


def test_renderer_warnings_do_not_reach_the_logs() -> None:
    run = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                         timeout=120, check=True)
    assert run.stdout.strip() == "%PDF"
    assert SECRET not in run.stderr
