"""The dashboard's screenshots in docs/images, at a desktop's width and a phone's.

    python -m tests.web.screenshots docs/images      (or: make screenshots)

Built on the demo workspace (tests.web.office), seen by an analyst (an admin for the exposure
pages), in Debian's Chromium.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from tests.conftest import make_settings
from tests.web.conftest import PASSWORD
from tests.web.office import build_office, office_settings
from tests.web.test_browser import CHROMIUM, CHROMIUM_ARGS, serving

WIDTHS = {"": (1280, 860), "-phone": (390, 844)}


def main(target: Path) -> None:
    """Write every screenshot into ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        office = build_office(office_settings(make_settings(Path(folder) / "data")))
        shots = {"queue": ("analyst", "/queue"),
                 "message": ("analyst", f"/messages/{office.message}"),
                 "sender": ("analyst", f"/senders/{office.sender}"),
                 "incident": ("analyst", f"/incidents/{office.incident}"),
                 "import-columns": ("analyst", f"/import/jobs/{office.job}/0/map"),
                 "exposure": ("admin", "/exposure"),
                 "exposure-brokers": ("admin", "/exposure/brokers")}
        with serving(office.service) as base, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for suffix, (width, height) in WIDTHS.items():
                for who in ("analyst", "admin"):
                    tab = browser.new_page(viewport={"width": width, "height": height})
                    tab.goto(base + "/login")
                    tab.fill("input[name=username]", who)
                    tab.fill("input[name=password]", PASSWORD)
                    tab.click("button[type=submit]")
                    tab.wait_for_url("**/queue")
                    for name, (role, address) in shots.items():
                        if role == who:
                            tab.goto(base + address)
                            tab.screenshot(path=str(target / f"{name}{suffix}.png"))
                    tab.close()
            browser.close()


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/images"))
