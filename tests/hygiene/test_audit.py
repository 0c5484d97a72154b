"""The audit on the real store: the same results from every export format, weak, reused (within
one export and across the office's staff), two-factor login, insecure and personal logins,
exclusions, and the uploaded file deleted once read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from civicshield.app import CivicShield
from civicshield.domain.access import cli_actor
from civicshield.domain.errors import InvalidInputError
from civicshield.domain.hygiene import Issue
from tests.hygiene.conftest import KDBX_PASSWORD, VAULTS

EXPECTED = {
    (Issue.REUSED, "facebook.com"), (Issue.REUSED, "x.com"),
    (Issue.WEAK, "riverton.gov"), (Issue.WEAK, "rivertonhistory.org"),
    (Issue.INSECURE_URL, "rivertonhistory.org"),
    (Issue.NO_2FA, "facebook.com"), (Issue.NO_2FA, "x.com"), (Issue.NO_2FA, "google.com"),
    (Issue.NO_2FA, "chase.com"), (Issue.MIXED_VAULT, "chase.com"),
}


def pairs(view) -> set[tuple[Issue, str]]:  # type: ignore[no-untyped-def]
    return {(f.issue, f.domain) for f in view.findings if f.issue is not Issue.NO_PASSKEY}


def test_every_format_gives_the_same_audit(sqlite_service: CivicShield,
                                           every_sample: dict[str, tuple[Path, str]]) -> None:
    results = {}
    for name, (path, _) in every_sample.items():
        view = sqlite_service.hygiene.audit(cli_actor(), path, "Elena Marsh",
                                            kdbx_password=KDBX_PASSWORD)
        results[name] = pairs(view)
        assert view.record.entries == 6, name
    assert all(found == EXPECTED for found in results.values()), {
        n: sorted(r ^ EXPECTED) for n, r in results.items() if r != EXPECTED}


def test_what_each_finding_says(sqlite_service: CivicShield) -> None:
    view = sqlite_service.hygiene.audit(cli_actor(), VAULTS / "bitwarden.json", "Elena Marsh")
    weak = {f.domain: f.detail for f in view.of(Issue.WEAK)}
    assert "name or year from the person's own life" in weak["riverton.gov"]
    assert "10 characters (the policy asks for 16)" in weak["riverton.gov"]
    groups = view.reuse_groups
    assert len(groups) == 1 and sorted(f.domain for f in groups[0]) == ["facebook.com", "x.com"]
    assert "also used on 1 other site(s): x.com" in next(
        f.detail for f in view.of(Issue.REUSED) if f.domain == "facebook.com")
    no_2fa = next(f.detail for f in view.of(Issue.NO_2FA) if f.domain == "facebook.com")
    assert "authenticator apps" in no_2fa and "facebook.com/help" in no_2fa
    assert view.findings[0].issue is Issue.REUSED  # most urgent first (no breach check here)
    assert view.record.score == 60  # 240 points lost over 6 logins (ISSUE_COST)


def test_reuse_across_the_office_staff(sqlite_service: CivicShield, tmp_path: Path) -> None:
    shared = "Riverton-Staff-Shared-77"
    for person, site in (("Jamie Cho", "https://www.dropbox.com/login"),
                         ("Marcus Webb", "https://www.linkedin.com/login")):
        path = tmp_path / f"{person}.csv"
        path.write_text(f"name,url,username,password\n{site},{site},{person},{shared}\n",
                        encoding="utf-8")
        view = sqlite_service.hygiene.audit(cli_actor(), path, person)
    reused = view.of(Issue.REUSED)
    assert reused and "also used by Jamie Cho" in reused[0].detail
    sqlite_service.hygiene.new_round(cli_actor())  # a new round: the key changes
    path = tmp_path / "again.csv"
    path.write_text(f"name,url,username,password\nx,https://x.com,m,{shared}\n", encoding="utf-8")
    assert not sqlite_service.hygiene.audit(cli_actor(), path, "Marcus Webb").of(Issue.REUSED)


def test_policies_and_the_person_s_own_words(sqlite_service: CivicShield,
                                             tmp_path: Path) -> None:
    path = tmp_path / "one.csv"
    path.write_text("name,url,username,password\nsite,https://example.org,dana,Whitfield2024!\n"
                    "other,https://example.net,dana,kT9#mQ2!vX7@pL\n", encoding="utf-8")
    view = sqlite_service.hygiene.audit(cli_actor(), path, "Dana Whitfield", policy_name="basic")
    weak = {f.domain for f in view.of(Issue.WEAK)}
    assert weak == {"example.org"}  # the name makes it guessable; the random one passes
    with pytest.raises(InvalidInputError, match="unknown password policy"):
        sqlite_service.hygiene.audit(cli_actor(), path, "Dana", policy_name="lenient")


def test_exclusions_set_a_finding_aside_with_a_reason(sqlite_service: CivicShield) -> None:
    sqlite_service.hygiene.exclude(cli_actor(), Issue.NO_2FA, "google.com",
                                   "uses a security key kept in the safe", days=30)
    view = sqlite_service.hygiene.audit(cli_actor(), VAULTS / "bitwarden.json", "Elena Marsh")
    assert (Issue.NO_2FA, "google.com") not in pairs(view)
    assert (Issue.NO_2FA, "x.com") in pairs(view)
    excluded = sqlite_service.hygiene.exclusions(cli_actor())
    assert excluded[0].reason == "uses a security key kept in the safe"
    with pytest.raises(InvalidInputError, match="say why"):
        sqlite_service.hygiene.exclude(cli_actor(), Issue.WEAK, "x.com", " ")


def test_the_uploaded_file_is_deleted_once_read_also_on_error(sqlite_service: CivicShield,
                                                              tmp_path: Path) -> None:
    good = tmp_path / "upload-1"
    good.write_bytes((VAULTS / "bitwarden.csv").read_bytes())
    sqlite_service.hygiene.audit(cli_actor(), good, "Elena Marsh", delete_file=True)
    assert not good.exists()
    broken = tmp_path / "upload-2"
    broken.write_text(json.dumps({"encrypted": True, "data": "2.x"}), encoding="utf-8")
    with pytest.raises(InvalidInputError, match="encrypted"):
        sqlite_service.hygiene.audit(cli_actor(), broken, "Elena Marsh", delete_file=True)
    assert not broken.exists()


def test_reports_carry_no_secret(sqlite_service: CivicShield, tmp_path: Path) -> None:
    view = sqlite_service.hygiene.audit(cli_actor(), VAULTS / "bitwarden.json", "Elena Marsh")
    text = sqlite_service.hygiene.csv_report(cli_actor(), view.record.id)
    assert "Password used on other sites too" in text and "facebook.com" in text
    pdf = sqlite_service.hygiene.pdf_report(cli_actor(), view.record.id)
    assert pdf.startswith(b"%PDF")
    for secret in ("Marsh2024!", "Correct-Horse-Battery-9", "summer"):
        assert secret not in text
    formula = tmp_path / "formula.csv"
    formula.write_text("name,url,username,password\n=HYPERLINK(\"x\"),https://a.org,=cmd|x,p1\n",
                       encoding="utf-8")
    view = sqlite_service.hygiene.audit(cli_actor(), formula, "Elena Marsh")
    assert "\n=" not in sqlite_service.hygiene.csv_report(cli_actor(), view.record.id)


def test_old_passwords_where_the_export_has_dates(sqlite_service: CivicShield,
                                                  tmp_path: Path) -> None:
    data = json.loads((VAULTS / "bitwarden.json").read_text())
    data["items"][5]["login"]["passwordRevisionDate"] = "2019-02-01T00:00:00.000Z"
    path = tmp_path / "dated.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    view = sqlite_service.hygiene.audit(cli_actor(), path, "Elena Marsh")
    assert [(f.domain, f.detail) for f in view.of(Issue.OLD)] == [
        ("google.com", "last changed 2019-02-01")]
