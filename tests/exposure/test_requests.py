"""From a finding to a request that cites the right law, its clock, the overdue list, re-checks
that catch re-listings, and the exposure report."""

from __future__ import annotations

import email
import email.policy
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from civicshield.app import CivicShield
from civicshield.domain.errors import InvalidInputError, PermissionDeniedError
from civicshield.domain.exposure import FindingStatus, RemovalRequest, RequestState
from civicshield.domain.models import Role, User
from tests.exposure.fixtures import serve

PAGE = ("<html><body><p>Council gossip: the mayor lives at 4127 Larkspur Ln Apt 2B, "
        "the house with the red door.</p></body></html>")
THREAT_STATEMENT = ("After the council vote on 3 October a man came to the house at night and "
                    "the police took a report.")


def _fill(body: str) -> str:
    return (body.replace("[[describe the threat or the fear for the safety of the official or of "
                         "anyone living at the address]]", THREAT_STATEMENT)
            .replace("[[signature]]", "Elena Marsh"))


@pytest.fixture
def site(tmp_path: Path) -> tuple[Path, str]:
    root = tmp_path / "gossip"
    root.mkdir()
    (root / "post.html").write_text(PAGE)
    return root, ""


def _sent_general_request(service: CivicShield, admin: User, finding_id: int) -> RemovalRequest:
    """A general request about a finding, signed and marked sent now."""
    request = service.exposure.draft(admin, finding_id=finding_id, basis_id="general")
    service.exposure.edit(admin, request.id, subject_line=request.subject,
                          body=_fill(request.body))
    return service.exposure.mark(admin, request.id, RequestState.SENT)


def _address_finding(service: CivicShield, admin: User, url: str) -> int:
    service.exposure.scan(admin, local_files=True, targets=[url])
    found = [f for f in service.exposure.findings(admin) if f.kind == "home_address"]
    assert len(found) == 1
    return found[0].id


def test_a_finding_becomes_a_california_demand_that_comes_due(
        exposure_service: CivicShield, admin: User, site: tuple[Path, str]) -> None:
    root, _ = site
    with serve(root) as base:
        finding_id = _address_finding(exposure_service, admin, base + "/post.html")
    view = exposure_service.exposure.finding(admin, finding_id)
    assert view.addressee_kind == "business"
    assert view.bases[0].kind == "ca-7928-215"

    request = exposure_service.exposure.draft(admin, finding_id=finding_id,
                                              agent="City of Riverton")
    assert request.basis == "ca-7928-215"
    assert "California Government Code section 7928.215" in request.body
    assert "within 48 hours" in request.body
    assert "4127 Larkspur Ln Apt 2B" in request.body
    assert "designated agent of Elena Marsh, Mayor of Riverton" in request.body
    assert "remains in force for 4 years" in request.body
    assert exposure_service.exposure.findings(admin)[0].status == FindingStatus.REQUESTED

    with pytest.raises(InvalidInputError, match=r"parts to fill in.*threat"):
        exposure_service.exposure.mark(admin, request.id, RequestState.SENT)
    exposure_service.exposure.edit(admin, request.id, subject_line=request.subject,
                                   body=_fill(request.body))
    sent_at = datetime.now(UTC) - timedelta(days=3)
    sent = exposure_service.exposure.mark(admin, request.id, RequestState.SENT, when=sent_at,
                                          note="sent by certified mail")
    assert sent.due_at == sent_at + timedelta(hours=48)
    overdue = exposure_service.exposure.requests(admin, overdue=True)
    assert [r.id for r in overdue] == [request.id]
    assert [e.state for e in sent.events] == [RequestState.DRAFTED, RequestState.SENT]

    exposure_service.exposure.mark(admin, request.id, RequestState.ACKNOWLEDGED)
    assert exposure_service.exposure.requests(admin, overdue=True)  # acknowledged, still late
    exposure_service.exposure.mark(admin, request.id, RequestState.REMOVED)
    assert exposure_service.exposure.requests(admin, overdue=True) == []


def test_a_request_sent_today_is_not_overdue(exposure_service: CivicShield, admin: User,
                                             site: tuple[Path, str]) -> None:
    root, _ = site
    with serve(root) as base:
        finding_id = _address_finding(exposure_service, admin, base + "/post.html")
    request = exposure_service.exposure.draft(admin, finding_id=finding_id, basis_id="general")
    exposure_service.exposure.edit(admin, request.id, subject_line=request.subject,
                                   body=_fill(request.body))
    sent = exposure_service.exposure.mark(admin, request.id, RequestState.SENT)
    assert sent.due_at is not None and sent.due_at - datetime.now(UTC) > timedelta(days=29)
    assert exposure_service.exposure.requests(admin, overdue=True) == []


def test_states_move_only_forward(sqlite_exposure: CivicShield, admin: User,
                                  site: tuple[Path, str]) -> None:
    root, _ = site
    with serve(root) as base:
        finding_id = _address_finding(sqlite_exposure, admin, base + "/post.html")
    request = sqlite_exposure.exposure.draft(admin, finding_id=finding_id, basis_id="general")
    with pytest.raises(InvalidInputError, match="a request that is drafted cannot become removed"):
        sqlite_exposure.exposure.mark(admin, request.id, RequestState.REMOVED)
    with pytest.raises(InvalidInputError, match="does not fit this request"):
        sqlite_exposure.exposure.draft(admin, finding_id=finding_id, basis_id="il-5-ilcs-347")


def test_a_broker_listing_gets_the_statute_and_the_brokers_address(
        sqlite_exposure: CivicShield, admin: User) -> None:
    sqlite_exposure.exposure.mark_broker(admin, "spokeo.com", "found",
                                         listing_url="https://www.spokeo.com/Elena-Marsh/x1")
    request = sqlite_exposure.exposure.draft(admin, broker_id="spokeo.com")
    assert request.basis == "ca-7928-215" and request.addressee == "Spokeo"
    assert request.email_to == "legal@spokeo.com"
    assert "https://www.spokeo.com/Elena-Marsh/x1" in request.body
    optout = sqlite_exposure.exposure.draft(admin, broker_id="spokeo.com",
                                            basis_id="broker-optout")
    assert "https://www.spokeo.com/optout" in optout.body
    drop = sqlite_exposure.exposure.draft(admin, broker_id="spokeo.com", basis_id="ca-drop")
    assert "https://consumer.drop.privacy.ca.gov" in drop.body
    assert "4127 Larkspur Ln Apt 2B, Riverton, CA 95820" in drop.body
    sqlite_exposure.exposure.edit(
        admin, drop.id, subject_line=drop.subject,
        body=drop.body.replace("[[name of the person who filed it]]", "Pat Young"))
    sent = sqlite_exposure.exposure.mark(admin, drop.id, RequestState.SENT,
                                         when=datetime(2026, 9, 1, tzinfo=UTC))
    assert sent.due_at == datetime(2026, 11, 30, tzinfo=UTC)


def test_letters_download_as_text_pdf_and_email_draft(
        sqlite_exposure: CivicShield, admin: User, tmp_path: Path) -> None:
    sqlite_exposure.exposure.mark_broker(admin, "spokeo.com", "found")
    request = sqlite_exposure.exposure.draft(admin, broker_id="spokeo.com")
    _, text, _ = sqlite_exposure.exposure.letter_file(admin, request.id, "txt")
    assert text.decode() == request.body
    _, pdf, media = sqlite_exposure.exposure.letter_file(admin, request.id, "pdf")
    assert media == "application/pdf"
    (tmp_path / "letter.pdf").write_bytes(pdf)
    shown = subprocess.run(["pdftotext", str(tmp_path / "letter.pdf"), "-"], check=True,
                           capture_output=True, text=True).stdout
    assert "7928.215" in shown and "Spokeo" in shown
    _, eml, _ = sqlite_exposure.exposure.letter_file(admin, request.id, "eml")
    message = email.message_from_bytes(eml, policy=email.policy.default)
    assert message["To"] == "legal@spokeo.com"
    assert message["X-Unsent"] == "1"
    assert "7928.215" in message["Subject"]
    with pytest.raises(InvalidInputError, match="txt, pdf or eml"):
        sqlite_exposure.exposure.letter_file(admin, request.id, "docx")


def test_recheck_marks_removals_and_relistings(sqlite_exposure: CivicShield, admin: User,
                                               site: tuple[Path, str]) -> None:
    root, _ = site
    with serve(root) as base:
        finding_id = _address_finding(sqlite_exposure, admin, base + "/post.html")
        request = _sent_general_request(sqlite_exposure, admin, finding_id)

        report = sqlite_exposure.exposure.recheck(admin, local_files=True)
        assert report.still_there == [request.id]

        (root / "post.html").write_text("<p>Post removed at the owner's request.</p>")
        report = sqlite_exposure.exposure.recheck(admin, local_files=True, older_than=timedelta(0))
        assert report.now_removed == [request.id]
        assert sqlite_exposure.exposure.request(admin, request.id).state == RequestState.REMOVED

        # checked just now: skipped
        report = sqlite_exposure.exposure.recheck(admin, local_files=True)
        assert report.checked == 0

        (root / "post.html").write_text(PAGE.replace("Apt 2B", "Apartment 2B"))
        report = sqlite_exposure.exposure.recheck(admin, local_files=True, older_than=timedelta(0))
        assert report.relisted == [request.id]
    again = sqlite_exposure.exposure.request(admin, request.id)
    assert again.state == RequestState.RELISTED
    assert again.events[-1].note == "re-check: the data is back"
    assert sqlite_exposure.exposure.finding(admin, finding_id).finding.status == \
        FindingStatus.RELISTED
    assert again.overdue(datetime.now(UTC) + timedelta(days=60))  # waiting for an answer again


def test_a_page_that_is_gone_counts_as_removed(sqlite_exposure: CivicShield, admin: User,
                                               site: tuple[Path, str]) -> None:
    root, _ = site
    with serve(root) as base:
        finding_id = _address_finding(sqlite_exposure, admin, base + "/post.html")
        request = _sent_general_request(sqlite_exposure, admin, finding_id)
        (root / "post.html").unlink()
        report = sqlite_exposure.exposure.recheck(admin, local_files=True)
    assert report.now_removed == [request.id]


def test_the_report_shows_exposure_over_time_without_the_data(
        sqlite_exposure: CivicShield, admin: User, site: tuple[Path, str],
        tmp_path: Path) -> None:
    root, _ = site
    with serve(root) as base:
        finding_id = _address_finding(sqlite_exposure, admin, base + "/post.html")
    request = sqlite_exposure.exposure.draft(admin, finding_id=finding_id, basis_id="general")
    sqlite_exposure.exposure.edit(admin, request.id, subject_line=request.subject,
                                  body=_fill(request.body))
    sqlite_exposure.exposure.mark(admin, request.id, RequestState.SENT,
                                  when=datetime.now(UTC) - timedelta(days=40))
    target = sqlite_exposure.exposure.report(admin, tmp_path / "exposure.pdf")
    text = subprocess.run(["pdftotext", "-layout", str(target), "-"], check=True,
                          capture_output=True, text=True).stdout
    assert "Exposure report: Elena Marsh" in text
    assert "Exposure over time" in text
    assert "Home address" in text
    assert "(overdue)" in text
    assert "Larkspur" not in text and "555" not in text


def test_only_admins_touch_exposure(sqlite_exposure: CivicShield) -> None:
    analyst = User(id=9, username="analyst", role=Role.ANALYST)
    with pytest.raises(PermissionDeniedError):
        sqlite_exposure.exposure.profile(analyst)
    with pytest.raises(PermissionDeniedError):
        sqlite_exposure.exposure.findings(analyst)
    with pytest.raises(PermissionDeniedError):
        sqlite_exposure.exposure.scan(analyst, ["/tmp"])


def test_viewing_the_profile_is_audit_logged_and_it_is_encrypted_at_rest(
        sqlite_exposure: CivicShield, admin: User, site: tuple[Path, str]) -> None:
    principal, profile = sqlite_exposure.exposure.profile(admin)
    assert profile.usernames == ("elena.at.home",) and profile.state == "CA"
    entries = sqlite_exposure.accounts.audit_entries(admin, limit=5)
    assert entries[0].action == "profile.viewed"
    assert entries[0].target == f"principal:{principal.id}"
    root, _ = site
    with serve(root) as base:
        finding_id = _address_finding(sqlite_exposure, admin, base + "/post.html")
    sqlite_exposure.exposure.draft(admin, finding_id=finding_id)
    stored = b"".join(p.read_bytes() for p in sqlite_exposure.settings.data_dir.glob("*.db*"))
    assert stored
    for secret in (b"Larkspur", b"elena.at.home", b"555-0143", b"Oakwood"):
        assert secret not in stored


def test_a_broker_that_lists_the_person_again_is_counted(
        sqlite_exposure: CivicShield, admin: User, site: tuple[Path, str]) -> None:
    root, _ = site
    with serve(root) as base:
        sqlite_exposure.exposure.mark_broker(admin, "spokeo.com", "found",
                                             listing_url=base + "/post.html")
        request = sqlite_exposure.exposure.draft(admin, broker_id="spokeo.com",
                                                 basis_id="broker-optout")
        sqlite_exposure.exposure.edit(admin, request.id, subject_line=request.subject,
                                      body=_fill(request.body))
        sqlite_exposure.exposure.mark(admin, request.id, RequestState.SENT)
        sqlite_exposure.exposure.mark(admin, request.id, RequestState.REMOVED)
        assert sqlite_exposure.exposure.relistings(admin) == {}
        report = sqlite_exposure.exposure.recheck(admin, local_files=True)
    assert report.relisted == [request.id]
    assert sqlite_exposure.exposure.relistings(admin) == {"spokeo.com": 1}


def test_a_deleted_file_is_not_taken_for_a_removal(sqlite_exposure: CivicShield, admin: User,
                                                   tmp_path: Path) -> None:
    draft = tmp_path / "agenda-draft.txt"
    draft.write_text("Permit holder at 4127 Larkspur Ln Apt 2B.")
    sqlite_exposure.exposure.scan(admin, local_files=True, targets=[str(draft)])
    finding = sqlite_exposure.exposure.findings(admin)[0]
    request = _sent_general_request(sqlite_exposure, admin, finding.id)
    draft.unlink()
    report = sqlite_exposure.exposure.recheck(admin, local_files=True)
    assert report.now_removed == [] and report.checked == 1
    assert report.errors == [f"{draft}: cannot be read again (No such file or directory)"]
    assert sqlite_exposure.exposure.request(admin, request.id).state == RequestState.SENT


def test_a_california_demand_is_listed_for_renewal_before_it_lapses(
        sqlite_exposure: CivicShield, admin: User, site: tuple[Path, str]) -> None:
    root, _ = site
    with serve(root) as base:
        finding_id = _address_finding(sqlite_exposure, admin, base + "/post.html")
    demand = sqlite_exposure.exposure.draft(admin, finding_id=finding_id)
    sqlite_exposure.exposure.edit(admin, demand.id, subject_line=demand.subject,
                                  body=_fill(demand.body))
    sent_at = datetime.now(UTC) - timedelta(days=4 * 365 - 20)
    sent = sqlite_exposure.exposure.mark(admin, demand.id, RequestState.SENT, when=sent_at)
    assert sqlite_exposure.exposure.lapses(sent) == sent_at.replace(year=sent_at.year + 4)
    assert [r.id for r, _ in sqlite_exposure.exposure.renewals(admin)] == [demand.id]
    general = _sent_general_request(sqlite_exposure, admin, finding_id)
    assert sqlite_exposure.exposure.lapses(general) is None  # no law limits a plain request


def test_an_agency_is_asked_under_the_agency_rule(sqlite_exposure: CivicShield, admin: User,
                                                  tmp_path: Path) -> None:
    packet = tmp_path / "agenda-packet.txt"
    packet.write_text("Permit holder: 4127 Larkspur Ln Apt 2B.")
    sqlite_exposure.exposure.scan(admin, local_files=True, targets=[str(packet)])
    finding = sqlite_exposure.exposure.findings(admin)[0]
    view = sqlite_exposure.exposure.finding(admin, finding.id)
    assert view.addressee == "The publisher of agenda-packet.txt"
    assert [b.kind for b in view.bases] == ["ca-7928-205", "general"]
    request = sqlite_exposure.exposure.draft(admin, finding_id=finding.id)
    assert ("Under California Government Code section 7928.205, I demand that you remove this "
            "information without delay") in request.body


def test_a_scan_that_finds_removed_data_again_relists_its_request(
        sqlite_exposure: CivicShield, admin: User, site: tuple[Path, str]) -> None:
    root, _ = site
    with serve(root) as base:
        finding_id = _address_finding(sqlite_exposure, admin, base + "/post.html")
        request = _sent_general_request(sqlite_exposure, admin, finding_id)
        sqlite_exposure.exposure.mark(admin, request.id, RequestState.REMOVED)
        report = sqlite_exposure.exposure.scan(admin, [base + "/post.html"])
    assert report.new_findings == 0 and report.seen_again == 1
    again = sqlite_exposure.exposure.request(admin, request.id)
    assert again.state == RequestState.RELISTED
    assert again.events[-1].note == "a scan found the data again"
    assert sqlite_exposure.exposure.finding(admin, finding_id).finding.status == \
        FindingStatus.RELISTED
