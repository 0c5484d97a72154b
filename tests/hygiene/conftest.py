"""Sample exports in every supported format, the same six logins in each."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest

VAULTS = Path(__file__).parents[1] / "samples" / "vaults"
KDBX_PASSWORD = "open-sesame-kdbx"
#: File name -> the format it must be told as.
SAMPLES = {
    "bitwarden.json": "bitwarden-json", "bitwarden.csv": "bitwarden-csv",
    "1password.csv": "1password-csv", "lastpass.csv": "lastpass-csv",
    "chrome.csv": "chrome-csv", "edge.csv": "chrome-csv", "firefox.csv": "firefox-csv",
    "apple-passwords.csv": "apple-passwords-csv", "keepass.xml": "keepass-xml",
    "dashlane-credentials.csv": "dashlane-csv", "proton-pass.csv": "proton-pass-csv",
}
LOGINS = {  # (site, user name, password) of the six logins in every sample
    ("riverton.gov", "emarsh", "Marsh2024!"),
    ("facebook.com", "elena.marsh.home@example.net", "Correct-Horse-Battery-9"),
    ("x.com", "ElenaForRiverton", "Correct-Horse-Battery-9"),
    ("chase.com", "elenam1975", "t7#Vq9!rLm2@xZp4&Wd8kR"),
    ("rivertonhistory.org", "emarsh", "summer"),
    ("google.com", "elena.marsh.home@example.net", "q8$Ln2!vTz6#Wp3@Hs9mYc"),
}


def make_1pux(folder: Path) -> Path:
    """The 1PUX sample: its export.data and export.attributes in a ZIP, as 1Password writes."""
    target = folder / "1password.1pux"
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in ("export.attributes", "export.data"):
            archive.write(VAULTS / "1pux" / name, name)
    return target


def make_kdbx(folder: Path) -> Path:
    """A KeePass database with the six logins, written by pykeepass."""
    from pykeepass import create_database

    target = folder / "mayor.kdbx"
    database = create_database(str(target), password=KDBX_PASSWORD)
    for site, user, password in sorted(LOGINS):
        url = {"riverton.gov": "https://portal.riverton.gov/login",
               "rivertonhistory.org": "http://forum.rivertonhistory.org/login",
               "chase.com": "https://secure.chase.com/",
               "google.com": "https://accounts.google.com/"}.get(site, f"https://{site}/")
        database.add_entry(database.root_group, f"{site} {user}", user, password, url=url)
    database.save()
    return target


@pytest.fixture
def every_sample(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    """Every sample as a file of its own in a temporary folder, with its expected format."""
    found = {}
    for name, fmt in SAMPLES.items():
        copy = tmp_path / name
        shutil.copy(VAULTS / name, copy)
        found[name] = (copy, fmt)
    found["1password.1pux"] = (make_1pux(tmp_path), "1pux")
    found["mayor.kdbx"] = (make_kdbx(tmp_path), "kdbx")
    return found
