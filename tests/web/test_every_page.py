"""Every page of the dashboard, at a phone's width (390 px) and a desktop's, in a real
Chromium: it answers, nothing scrolls sideways, and axe-core finds no serious or critical
accessibility problem."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute

from civicshield.web.app import PAGE_ROUTERS
from tests.conftest import make_settings
from tests.web.conftest import PASSWORD
from tests.web.office import Office, build_office, office_settings
from tests.web.test_browser import CHROMIUM, CHROMIUM_ARGS, serving

pytestmark = pytest.mark.browser
AXE = Path(os.environ.get("CIVICSHIELD_AXE_JS", Path(__file__).parents[2] / ".cache" / "axe" /
                          "node_modules" / "axe-core" / "axe.min.js"))
WIDTHS = {"phone": (390, 844), "desktop": (1280, 900)}
#: Routes that answer with a file, a redirect or JSON, not a page.
NOT_PAGES = {"/", "/messages/{message_id}/raw", "/exposure/report.pdf",
             "/exposure/requests/{request_id}/letter.{fmt}"}


def pages(office: Office) -> dict[str, str]:
    """Every page's route and the address it is opened at."""
    return {
        "/login": "/login", "/queue": "/queue", "/queue/recent": "/queue/recent",
        "/messages/{message_id}": f"/messages/{office.message}",
        "/senders": "/senders?q=voss",
        "/senders/{sender_id}": f"/senders/{office.sender}",
        "/senders/{sender_id}/merge": f"/senders/{office.sender}/merge?other="
                                      f"{office.other_sender}",
        "/import": "/import", "/import/jobs/{job_id}": f"/import/jobs/{office.job}",
        "/import/jobs/{job_id}/{index:int}/map": f"/import/jobs/{office.job}/0/map",
        "/alerts": "/alerts", "/alerts/rules": "/alerts/rules",
        "/alerts/{alert_id}": f"/alerts/{office.alert}",
        "/incidents": "/incidents", "/incidents/{incident_id}": f"/incidents/{office.incident}",
        "/incidents/{incident_id}/letters/{kind}": f"/incidents/{office.incident}/letters/"
                                                   "preservation",
        "/hygiene": "/hygiene", "/hygiene/{audit_id:int}": f"/hygiene/{office.audit}",
        "/hygiene/accounts": "/hygiene/accounts",
        "/hygiene/accounts/{account_id}": f"/hygiene/accounts/{office.account}",
        "/intake": "/intake", "/safety": "/safety", "/settings": "/settings",
        "/admin/users": "/admin/users", "/admin/audit": "/admin/audit",
        "/exposure": "/exposure", "/exposure/profile": "/exposure/profile",
        "/exposure/findings/{finding_id}": f"/exposure/findings/{office.finding}",
        "/exposure/brokers": "/exposure/brokers", "/exposure/requests": "/exposure/requests",
        "/exposure/overdue": "/exposure/overdue",
        "/exposure/requests/{request_id}": f"/exposure/requests/{office.request}",
        "/exposure/laws": "/exposure/laws",
    }


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Office:
    return build_office(office_settings(make_settings(tmp_path_factory.mktemp("office") /
                                                      "data")))


@pytest.fixture(scope="module")
def browser_context(office: Office) -> Iterator[tuple[Any, str]]:
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CIVICSHIELD_REQUIRE_BROWSER") == "1":
            pytest.fail("Chromium is required (CIVICSHIELD_REQUIRE_BROWSER=1) but not installed")
        pytest.skip("Chromium is not installed")
    from playwright.sync_api import sync_playwright

    with serving(office.service) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser, base
        browser.close()


def test_every_page_is_in_the_list(office: Office) -> None:
    routes = {r.path for router in PAGE_ROUTERS for r in router.routes
              if isinstance(r, APIRoute) and "GET" in r.methods}
    assert len(routes) > 30
    assert routes - NOT_PAGES == set(pages(office))


def _axe(tab: Any) -> list[str]:
    if not AXE.exists():
        if os.environ.get("CIVICSHIELD_REQUIRE_AXE") == "1":
            pytest.fail(f"axe-core is required (CIVICSHIELD_REQUIRE_AXE=1) but {AXE} is missing")
        pytest.skip("axe-core is not installed (npm install --prefix .cache/axe axe-core)")
    tab.add_script_tag(path=str(AXE))
    found = tab.evaluate("""async () => {
        const result = await axe.run(document, {resultTypes: ["violations"]});
        return result.violations.filter(v => v.impact === "serious" || v.impact === "critical")
            .map(v => v.id + ": " + v.help + " (" + v.nodes.slice(0, 3).map(
                n => n.target.join(" ")).join(", ") + ")");
    }""")
    return list(found)


@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_every_page_at_phone_and_desktop_width(browser_context: tuple[Any, str],
                                               office: Office, width: str) -> None:
    browser, base = browser_context
    size = WIDTHS[width]
    context = browser.new_context(viewport={"width": size[0], "height": size[1]},
                                  bypass_csp=True)  # so that axe-core can be injected
    tab = context.new_page()
    problems: list[str] = []
    try:
        tab.goto(base + "/login")
        problems += [f"/login: {p}" for p in _axe(tab)]
        tab.fill("input[name=username]", "admin")
        tab.fill("input[name=password]", PASSWORD)
        tab.click("button[type=submit]")
        tab.wait_for_url("**/queue")
        for route, address in pages(office).items():
            if route == "/login":
                continue
            answer = tab.goto(base + address)
            assert answer is not None and answer.status == 200, (address, answer)
            wide = tab.evaluate("document.documentElement.scrollWidth")
            if wide > size[0]:
                problems.append(f"{address}: {wide} px wide, scrolls sideways at {size[0]} px")
            problems += [f"{address}: {p}" for p in _axe(tab)]
    finally:
        context.close()
    assert not problems, "\n".join(problems)
