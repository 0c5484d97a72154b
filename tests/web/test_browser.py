"""The dashboard in a real headless Chromium (Debian's), driven by Playwright."""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import uvicorn

from civicshield.app import CivicShield
from civicshield.web.app import create_app
from tests.pg_server import free_port
from tests.web.conftest import PASSWORD

pytestmark = pytest.mark.browser
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


@contextmanager
def serving(shield: CivicShield) -> Iterator[str]:
    """The dashboard of ``shield`` served by uvicorn on a free loopback port."""
    port = free_port()
    config = uvicorn.Config(create_app(shield), host="127.0.0.1", port=port,
                            log_level="warning")
    instance = uvicorn.Server(config)
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not instance.started and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        instance.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def server(web_service: CivicShield) -> Iterator[str]:
    with serving(web_service) as base:
        yield base


@pytest.fixture
def page(server: str) -> Iterator[Any]:
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CIVICSHIELD_REQUIRE_BROWSER") == "1":
            pytest.fail("Chromium is required (CIVICSHIELD_REQUIRE_BROWSER=1) but not installed")
        pytest.skip("Chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        tab = browser.new_page(viewport={"width": 1280, "height": 900})
        tab.dialogs = []  # type: ignore[attr-defined]
        tab.on("dialog", lambda d: (tab.dialogs.append(d.message), d.dismiss()))  # type: ignore[attr-defined]
        tab.base = server  # type: ignore[attr-defined]
        yield tab
        browser.close()


def expect(locator: Any) -> Any:
    """Playwright's auto-waiting assertions."""
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


def log_in(page: Any, username: str) -> None:
    page.goto(page.base + "/queue")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/queue")


def test_log_in_and_see_the_queue_worst_first(page: Any) -> None:
    log_in(page, "analyst")
    assert "threat" in page.locator("tr.row").first.inner_text()
    page.locator("nav[aria-label='Queue views']").get_by_role("link", name="All",
                                                         exact=True).click()
    page.wait_for_url("**/queue?state=all")
    priorities = [float(v) for v in page.locator("[data-priority]").evaluate_all(
        "els => els.map(e => e.dataset.priority)")]
    assert len(priorities) >= 5
    assert priorities == sorted(priorities, reverse=True)


def test_reveal_a_blurred_message(page: Any) -> None:
    log_in(page, "viewer")
    first = page.locator("tr.row").first
    text = first.locator("[data-text]")
    assert "blurred" in text.get_attribute("class")
    # a solid cover, not a blur a short phrase can be read through: the text has no colour
    assert text.evaluate("e => getComputedStyle(e).color") == "rgba(0, 0, 0, 0)"
    first.locator("[data-reveal]").click()
    assert "blurred" not in text.get_attribute("class")
    assert text.evaluate("e => getComputedStyle(e).color") != "rgba(0, 0, 0, 0)"


def test_bulk_action_with_clicks_and_keyboard(page: Any) -> None:
    log_in(page, "analyst")
    rows_before = page.locator("tr.row").count()
    page.locator("tr.row input[type=checkbox]").nth(0).check()
    page.locator("tr.row input[type=checkbox]").nth(1).check()
    assert page.locator("[data-selected-count]").inner_text() == "2 selected"
    page.click("button[value=reviewed]")
    expect(page.locator("tr.row")).to_have_count(rows_before - 2)
    page.keyboard.press("j")
    page.keyboard.press("e")  # escalate the focused row
    expect(page.locator("tr.row")).to_have_count(rows_before - 3)
    page.goto(page.base + "/queue?state=escalated")
    expect(page.locator("tr.row")).to_have_count(1)


def test_attacker_markup_in_a_message_stays_inert_text(page: Any) -> None:
    log_in(page, "viewer")
    page.goto(page.base + "/queue?state=all&label=harassment")
    row = page.locator("tr.row", has_text="onerror").first
    row.locator("[data-reveal]").click()
    shown = row.locator("[data-text]").inner_text()
    assert '<script>alert("x")</script>' in shown
    assert page.locator("tr.row img").count() == 0
    row.locator("a.open").click()
    page.wait_for_load_state()
    assert page.locator(".message-text script, .message-text img").count() == 0
    time.sleep(0.3)
    assert page.dialogs == []  # no alert() ever ran


def test_admin_scans_an_upload_and_drafts_a_removal_request(page: Any, tmp_path: Any,
                                                            web_service: CivicShield) -> None:
    from dataclasses import replace

    from civicshield.domain.access import cli_actor
    from tests.conftest import PROFILE

    web_service.principals.set_profile(cli_actor(), "mayor",
                                       replace(PROFILE, state="CA", role="mayor"))
    leak = tmp_path / "leak.html"
    leak.write_text("<p>She lives at 4127 Larkspur Lane #2B <img src=x onerror=alert(3)></p>")
    log_in(page, "admin")
    page.click("text=Exposure")
    page.set_input_files("input[name=files]", str(leak))
    page.click("form[action='/exposure/scan'] button[type=submit]")
    page.wait_for_url("**/exposure?scanned=*")
    page.click("a:has-text('Home address')")
    expect(page.locator("input[name=basis]").first).to_be_checked()
    page.click("text=Draft the request")
    page.wait_for_url("**/exposure/requests/*")
    expect(page.locator("textarea[name=body]")).to_contain_text("4127 Larkspur Lane #2B")
    expect(page.locator(".notice.error")).to_contain_text("[[signature]]")
    time.sleep(0.3)
    assert page.dialogs == []  # the uploaded page's markup never ran


def test_admin_scans_a_whole_folder_from_the_browser(page: Any, tmp_path: Any,
                                                     web_service: CivicShield) -> None:
    from dataclasses import replace

    from civicshield.domain.access import cli_actor
    from tests.conftest import PROFILE
    from tests.exposure.fixtures import build_folder

    web_service.principals.set_profile(cli_actor(), "mayor",
                                       replace(PROFILE, state="CA", role="mayor"))
    folder = build_folder(tmp_path / "packets")
    log_in(page, "admin")
    page.goto(page.base + "/exposure")
    page.set_input_files("input[webkitdirectory]", str(folder))
    page.click("form[action='/exposure/scan'] button[type=submit]")
    page.wait_for_url("**/exposure?scanned=*")
    expect(page.locator("body")).to_contain_text("1 file(s) of other kinds left out")
    rows = page.locator("table tbody tr").count()
    assert rows >= 10  # the folder's seeded variants, each a finding
    shown = page.locator("code[title='upload:packets/minutes.docx']").first
    expect(shown).to_have_text("minutes.docx")  # the file by its name, the path on hover


def test_the_banner_leads_to_the_alert_and_an_analyst_acknowledges_it(
        page: Any, web_service: CivicShield) -> None:
    from datetime import UTC, datetime

    from civicshield.domain.access import cli_actor

    assert web_service.alerts.fire_since(cli_actor(), datetime(2026, 1, 1, tzinfo=UTC)) > 0
    log_in(page, "analyst")
    banner = page.locator(".alert-banner a")
    expect(banner).to_contain_text("need")
    banner.click()
    page.wait_for_url("**/alerts")
    page.locator("table a[href^='/alerts/']").first.click()
    expect(page.locator("h2", has_text="Every message in this alert")).to_be_visible()
    page.click("text=Acknowledge: I am handling this")
    expect(page.locator(".facts")).to_contain_text("acknowledged by analyst")
    expect(page.locator(".alert-banner")).to_have_count(0)  # nothing waits for someone now


@pytest.fixture
def hygiene_server(web_service: CivicShield, tmp_path: Any) -> Iterator[str]:
    """The dashboard with a local copy of the breach list (the offline check)."""
    import hashlib
    from dataclasses import replace

    listing = tmp_path / "pwned.txt"
    lines = sorted(f"{hashlib.sha1(p.encode(), usedforsecurity=False).hexdigest().upper()}:{n}"
                   for p, n in (("summer", 1203441), ("Correct-Horse-Battery-9", 3),
                                ("unrelated", 9)))
    listing.write_text("\n".join(lines) + "\n", encoding="ascii")
    settings = replace(web_service.settings, pwned_file=listing)
    with serving(CivicShield.build(replace(web_service.context, settings=settings))) as base:
        yield base


def test_an_analyst_audits_a_bitwarden_export_and_sees_what_to_fix(
        page: Any, hygiene_server: str) -> None:
    from pathlib import Path

    page.base = hygiene_server
    log_in(page, "analyst")
    page.click("text=Passwords")
    page.wait_for_url("**/hygiene")
    export = Path(__file__).parents[1] / "samples" / "vaults" / "bitwarden.json"
    page.set_input_files("input[name=export]", str(export))
    page.fill("input[name=person]", "Elena Marsh")
    page.select_option("select[name=breach_check]", "offline")
    page.click("button:has-text('Audit')")
    page.wait_for_url("**/hygiene/*")
    expect(page.locator("h1")).to_contain_text("Elena Marsh")
    fix_first = page.locator("ol.fix-first li")
    expect(fix_first.first).to_contain_text("Password found in a data breach")
    expect(page.locator(".reuse-group")).to_have_count(1)
    expect(page.locator(".reuse-group")).to_contain_text("facebook.com")
    expect(page.locator(".reuse-group")).to_contain_text("x.com")
    expect(page.locator("#weak")).to_contain_text("riverton.gov")
    expect(page.locator("#breached")).to_contain_text("rivertonhistory.org")
    expect(page.locator("#no_2fa")).to_contain_text("google.com")
    assert "Correct-Horse-Battery-9" not in page.content()


def test_a_message_page_takes_r_and_opens_an_incident_with_a_suggested_severity(
        page: Any, web_service: CivicShield) -> None:
    from civicshield.domain.access import cli_actor
    from civicshield.domain.ports import QueueFilter

    threat = next(m for m in web_service.triage.queue(QueueFilter(), limit=50,
                                                       viewer=cli_actor())[0]
                  if "threat" in m.flags)
    log_in(page, "analyst")
    page.goto(f"{page.base}/messages/{threat.id}")
    page.wait_for_load_state("load")
    with page.expect_navigation():
        page.keyboard.press("r")
    assert web_service.triage.message(threat.id).review_state.value == "reviewed"
    page.click("text=Open an incident with this message")
    chosen = page.locator("select[name=severity] option:checked")
    expect(chosen).to_contain_text("(suggested)")
    assert chosen.get_attribute("value") in ("high", "critical")
    page.click("button:has-text('Open incident')")
    page.wait_for_url("**/incidents/*")
    expect(page.locator("body")).to_contain_text(chosen.get_attribute("value") or "high")


def test_first_login_with_a_one_time_password_forces_a_new_one(
        page: Any, web_service: CivicShield) -> None:
    from civicshield.domain.access import cli_actor
    from civicshield.domain.models import Role

    _, one_time = web_service.accounts.add_user(cli_actor(), "clerk", Role.ANALYST)
    page.goto(page.base + "/queue")
    page.fill("input[name=username]", "clerk")
    page.fill("input[name=password]", one_time)
    page.click("button[type=submit]")
    expect(page.locator(".notice[role=alert]")).to_contain_text("one-time password")
    page.goto(page.base + "/queue")  # nothing else opens until the password is changed
    expect(page.locator("h2", has_text="Choose your own password")).to_be_visible()
    page.fill("input[name=current]", one_time)
    page.fill("input[name=new]", "password12345")  # long enough, but guessable
    page.click("button:has-text('Set my password')")
    expect(page.locator(".notice.error")).to_be_visible()
    page.fill("input[name=current]", one_time)
    page.fill("input[name=new]", "lantern orbit tidal 47 quince")
    page.click("button:has-text('Set my password')")
    page.wait_for_url("**/login*")  # signed out: in again with the new password
    page.fill("input[name=username]", "clerk")
    page.fill("input[name=password]", one_time)
    page.click("button[type=submit]")
    expect(page.locator(".notice.error, .error")).to_be_visible()  # the one-time one is spent
    page.fill("input[name=username]", "clerk")
    page.fill("input[name=password]", "lantern orbit tidal 47 quince")
    page.click("button[type=submit]")
    page.wait_for_url("**/queue")
    expect(page.locator("h1")).to_have_text("Triage queue")


def test_a_contact_form_is_dropped_on_the_import_page_matched_and_imported(
        page: Any, web_service: CivicShield) -> None:
    from pathlib import Path

    form = Path(__file__).parents[1] / "samples" / "forms" / "city-contact-form.csv"
    log_in(page, "analyst")
    page.click("nav >> text=Import")
    page.wait_for_url("**/import")
    # drop the file on the page as a person would drag it from their desktop
    page.evaluate("""content => {
        const data = new DataTransfer();
        data.items.add(new File([content], "city-contact-form.csv", {type: "text/csv"}));
        document.dispatchEvent(new DragEvent("drop", {dataTransfer: data, bubbles: true}));
    }""", form.read_text(encoding="utf-8"))
    expect(page.locator("[data-chosen]")).to_contain_text("1 chosen: city-contact-form.csv")
    page.click("button:has-text('Import')")
    page.wait_for_url("**/import/jobs/*")
    page.click("text=Match the columns")
    expect(page.locator("table.preview")).to_contain_text("needs a light")
    assert page.locator("select[name=col_created_at]").input_value() == "Submitted"
    page.select_option("select[name=col_author_name]", ["Name"])
    page.fill("input[name=source_name]", "City contact form")
    page.click("button:has-text('Import with these columns')")
    page.wait_for_url("**/import/jobs/*")
    expect(page.locator(".import-file .notice")).to_contain_text("2 added", timeout=30_000)
    page.click("text=See what needs a person")
    expect(page.locator("tr.row", has_text="Gary Voss").first).to_be_visible()


def test_find_a_sender_by_email_merge_the_suggested_match_then_undo(
        page: Any, web_service: CivicShield, tmp_path: Any) -> None:
    import json

    from civicshield.domain.access import cli_actor

    export = tmp_path / "two-ways.jsonl"
    export.write_text("\n".join(json.dumps(r) for r in [
        {"id": "f1", "platform": "webform", "created_at": "2026-10-20T10:00:00Z",
         "author_id": "gary.voss@example.org", "author_name": "Gary Voss",
         "text": "Fix my parking ticket"},
        {"id": "m1", "platform": "email", "created_at": "2026-10-21T10:00:00Z",
         "author_id": "gary.voss@example.org", "author_name": "Gary Voss",
         "text": "I wrote about the ticket already"}]) + "\n", encoding="utf-8")
    web_service.triage.import_file(cli_actor(), export)
    log_in(page, "analyst")
    page.click("nav >> text=Senders")
    page.fill("input[name=q]", "gary.voss@example.org")
    page.keyboard.press("Enter")
    page.locator("table a", has_text="Gary Voss").first.click()
    suggestions = page.locator(".suggestions")
    expect(suggestions).to_contain_text("the same email address (gary.voss@example.org)")
    suggestions.locator("text=Review and merge").first.click()
    expect(page.locator("h1")).to_have_text("Are these one person?")
    page.click("button:has-text('Yes, merge them')")
    expect(page.locator(".toast")).to_contain_text("Merged: 1 identity added")
    expect(page.locator("section", has_text="Identities of this sender").locator(
        "tbody tr")).to_have_count(2)
    page.keyboard.press("u")  # undo, from the keyboard
    page.wait_for_load_state()
    expect(page.locator("section", has_text="Identities of this sender").locator(
        "tbody tr")).to_have_count(1)


def test_dismiss_then_undo_from_the_toast_and_the_queue_at_phone_width(
        page: Any, web_service: CivicShield) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, "analyst")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    expect(page.locator("nav#site-menu")).to_be_hidden()  # the menu folds behind a button
    page.click("button[data-menu]")
    expect(page.locator("nav#site-menu")).to_be_visible()
    page.click("button[data-menu]")
    rows = page.locator("tr.row")
    before = rows.count()
    assert before >= 2
    first = rows.first.get_attribute("data-id")
    rows.first.locator("input[type=checkbox]").check()
    page.click("button[value=dismissed]")
    expect(page.locator(".toast")).to_contain_text("1 message dismissed.")
    expect(rows).to_have_count(before - 1)
    page.click(".toast button:has-text('Undo')")
    expect(rows).to_have_count(before)
    assert rows.first.get_attribute("data-id") == first
    rows.nth(0).locator("input[type=checkbox]").check()
    rows.nth(1).locator("input[type=checkbox]").check()
    page.click("button[value=dismissed]")
    expect(page.locator("h1")).to_have_text("Dismiss 2 messages?")  # asks once
    page.click("button:has-text('Dismiss 2 messages')")
    expect(page.locator(".toast")).to_contain_text("2 messages dismissed.")
    page.click(".toast >> text=Recently changed")
    expect(page.locator("table")).to_contain_text("Dismissed")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
