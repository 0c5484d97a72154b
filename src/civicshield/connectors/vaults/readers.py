"""Readers for password-manager exports: each turns one export file into ``VaultEntry`` objects
held in memory, and knows its format from the file itself.

Formats: Bitwarden JSON (unencrypted) and CSV, 1Password 1PUX and CSV, LastPass CSV, Chrome,
Edge and Firefox CSV, Apple Passwords CSV, KeePass 2 XML (through defusedxml: entity expansion
and external entities refused) and KDBX (pykeepass, with the database password asked for and
never stored), Dashlane CSV and Proton Pass CSV. A wrong, truncated or hostile file raises one
``InvalidInputError`` line naming the format expected and what was found.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from civicshield.connectors.base import archive_problem
from civicshield.domain.errors import InvalidInputError
from civicshield.domain.hygiene import MAX_EXPORT_BYTES, VaultEntry

MAX_BYTES = MAX_EXPORT_BYTES
#: Most logins read from one export.
MAX_ENTRIES = 200_000
KDBX_MAGIC = b"\x03\xd9\xa2\x9a"


@dataclass(frozen=True)
class VaultFormat:
    """One export format: its name, what the user calls it, and its reader."""

    name: str
    label: str
    read: Callable[[Path, str, str], list[VaultEntry]]


def _time(value: Any) -> datetime | None:
    """An export's timestamp: ISO 8601, Unix seconds or milliseconds; None when absent."""
    if value in (None, "", 0, "0"):
        return None
    try:
        if isinstance(value, int | float) or str(value).isdigit():
            number = float(value)
            return datetime.fromtimestamp(number / 1000 if number > 1e11 else number, UTC)
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    except (ValueError, OSError, OverflowError):
        return None


def _entry(name: str, url: str, username: str, password: str, **extra: Any) -> VaultEntry:
    return VaultEntry(name=(name or url or "(no name)").strip()[:300], url=url.strip()[:2000],
                      username=username.strip()[:320], password=password, **extra)


def _limited(rows: Iterator[VaultEntry], source: str) -> list[VaultEntry]:
    found = []
    for entry in rows:
        found.append(entry)
        if len(found) > MAX_ENTRIES:
            raise InvalidInputError(f"{source}: more than {MAX_ENTRIES:,} logins; split it")
    return found


# ---- CSV formats, told apart by their header --------------------------------------------------
@dataclass(frozen=True)
class CsvLayout:
    """Which columns hold what in one manager's CSV export."""

    name: str
    label: str
    required: frozenset[str]
    title: str
    url: str
    username: str
    password: str
    totp: str = ""
    folder: str = ""
    modified: str = ""
    created: str = ""
    kind: str = ""  # a column naming the item type, when the export mixes types
    login_kinds: frozenset[str] = frozenset()


CSV_LAYOUTS: tuple[CsvLayout, ...] = (
    CsvLayout("bitwarden-csv", "Bitwarden CSV",
              frozenset({"folder", "type", "name", "login_uri", "login_username",
                         "login_password"}), "name", "login_uri", "login_username",
              "login_password", totp="login_totp", folder="folder", kind="type",
              login_kinds=frozenset({"login"})),
    CsvLayout("proton-pass-csv", "Proton Pass CSV",
              frozenset({"type", "name", "url", "email", "username", "password", "vault"}),
              "name", "url", "username", "password", totp="totp", folder="vault",
              modified="modifyTime", created="createTime", kind="type",
              login_kinds=frozenset({"login"})),
    CsvLayout("dashlane-csv", "Dashlane CSV",
              frozenset({"username", "username2", "title", "password", "url"}),
              "title", "url", "username", "password", totp="otpSecret", folder="category"),
    CsvLayout("lastpass-csv", "LastPass CSV",
              frozenset({"url", "username", "password", "extra", "name", "grouping"}),
              "name", "url", "username", "password", totp="totp", folder="grouping"),
    CsvLayout("firefox-csv", "Firefox CSV",
              frozenset({"url", "username", "password", "httpRealm", "formActionOrigin",
                         "guid"}), "url", "url", "username", "password",
              modified="timePasswordChanged", created="timeCreated"),
    CsvLayout("1password-csv", "1Password CSV",
              frozenset({"Title", "Username", "Password", "OTPAuth", "Favorite", "Archived"}),
              "Title", "Url", "Username", "Password", totp="OTPAuth"),
    CsvLayout("apple-passwords-csv", "Apple Passwords CSV",
              frozenset({"Title", "URL", "Username", "Password", "OTPAuth"}), "Title", "URL",
              "Username", "Password", totp="OTPAuth"),
    CsvLayout("chrome-csv", "Chrome or Edge CSV",
              frozenset({"name", "url", "username", "password"}), "name", "url", "username",
              "password"),
)


def _csv_text(path: Path) -> str:
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInputError(f"{path.name}: expected a CSV export in UTF-8, found bytes that "
                                f"are not text (at byte {exc.start})") from exc


def csv_layout(header: Sequence[str]) -> CsvLayout | None:
    """The layout whose columns the header has (the most specific first)."""
    present = {h.strip() for h in header}
    for layout in CSV_LAYOUTS:
        if layout.required <= present:
            return layout
    return None


def _unknown_columns(source: str, header: Sequence[str]) -> InvalidInputError:
    shown = ", ".join(h for h in header[:8])
    return InvalidInputError(f"{source}: not a password export this version reads: the columns "
                             f"are {shown or 'missing'} (expected, for example, Bitwarden's "
                             "folder,type,name,login_uri,... or Chrome's "
                             "name,url,username,password)")


def read_csv(path: Path, source: str, _password: str = "") -> list[VaultEntry]:
    """Any of the CSV exports."""
    text = _csv_text(path)
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    try:
        header = reader.fieldnames or []
    except csv.Error as exc:
        raise InvalidInputError(f"{source}: expected a CSV export, but line 1 is not CSV "
                                f"({exc})") from exc
    layout = csv_layout(header)
    if layout is None:
        raise _unknown_columns(source, header)
    return _limited(_csv_rows(reader, layout, source), source)


def _csv_rows(reader: csv.DictReader[str], layout: CsvLayout, source: str
              ) -> Iterator[VaultEntry]:
    try:
        for row in reader:
            if None in row:
                raise InvalidInputError(f"{source}, line {reader.line_num}: more fields than "
                                        f"the {layout.label} header names")
            if layout.kind and (row.get(layout.kind) or "").strip().lower() not in \
                    layout.login_kinds:
                continue
            password = row.get(layout.password) or ""
            if not password:
                continue
            yield _entry(row.get(layout.title) or "", row.get(layout.url) or "",
                         row.get(layout.username) or row.get("email") or "", password,
                         has_totp=bool((row.get(layout.totp) or "").strip()) if layout.totp
                         else False, folder=(row.get(layout.folder) or "") if layout.folder
                         else "", modified=_time(row.get(layout.modified)) if layout.modified
                         else None, created=_time(row.get(layout.created)) if layout.created
                         else None)
    except csv.Error as exc:
        raise InvalidInputError(f"{source}, line {reader.line_num}: not valid CSV ({exc})"
                                ) from exc


# ---- Bitwarden JSON ---------------------------------------------------------------------------
def _json(path: Path, source: str, expected: str) -> Any:
    try:
        return json.loads(path.read_bytes())
    except RecursionError as exc:
        raise InvalidInputError(f"{source}: expected {expected}, found JSON nested too deep"
                                ) from exc
    except ValueError as exc:
        raise InvalidInputError(f"{source}: expected {expected}, found text that is not "
                                f"complete JSON ({str(exc)[:80]})") from exc


def read_bitwarden_json(path: Path, source: str, _password: str = "") -> list[VaultEntry]:
    """Bitwarden's JSON export (File → Export vault → .json); an encrypted one is refused."""
    data = _json(path, source, "a Bitwarden JSON export")
    if not isinstance(data, dict) or ("items" not in data and "encrypted" not in data):
        raise InvalidInputError(f"{source}: expected a Bitwarden JSON export (an object with "
                                "'items'), found something else")
    if data.get("encrypted"):
        raise InvalidInputError(f"{source}: this Bitwarden export is encrypted; export it again "
                                "as .json (not 'encrypted'), audit it, and delete it")
    folders = {f.get("id"): f.get("name", "") for f in data.get("folders") or []
               if isinstance(f, dict)}
    items = data.get("items")
    if not isinstance(items, list):
        raise InvalidInputError(f"{source}: field 'items' is not a list")
    return _limited(_bitwarden_items(items, folders, source), source)


def _bitwarden_items(items: list[Any], folders: Mapping[Any, str], source: str
                     ) -> Iterator[VaultEntry]:
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise InvalidInputError(f"{source}: items[{number}] is not an object")
        login = item.get("login")
        if item.get("type") != 1 or not isinstance(login, dict) or not login.get("password"):
            continue
        uris = [u.get("uri", "") for u in login.get("uris") or [] if isinstance(u, dict)]
        yield _entry(str(item.get("name") or ""), str(uris[0] if uris else ""),
                     str(login.get("username") or ""), str(login["password"]),
                     has_totp=bool(login.get("totp")),
                     has_passkey=bool(login.get("fido2Credentials")),
                     folder=folders.get(item.get("folderId"), ""),
                     modified=_time(login.get("passwordRevisionDate")
                                    or item.get("revisionDate")),
                     created=_time(item.get("creationDate")))


# ---- 1Password 1PUX ---------------------------------------------------------------------------
def read_1pux(path: Path, source: str, _password: str = "") -> list[VaultEntry]:
    """1Password's .1pux export: a ZIP holding export.data (JSON)."""
    try:
        with zipfile.ZipFile(path) as archive:
            info = archive.getinfo("export.data")
            problem = archive_problem([info], MAX_BYTES)
            if problem is not None:
                raise InvalidInputError(f"{source}: {problem}")
            raw = archive.read(info)
    except KeyError as exc:
        raise InvalidInputError(f"{source}: expected a 1Password .1pux export, found a ZIP "
                                "without export.data") from exc
    except zipfile.BadZipFile as exc:
        raise InvalidInputError(f"{source}: expected a 1Password .1pux export (a ZIP file), "
                                "found a damaged or truncated file") from exc
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise InvalidInputError(f"{source}: export.data is not complete JSON") from exc
    return _limited(_onepassword_items(data, source), source)


def _onepassword_items(data: Any, source: str) -> Iterator[VaultEntry]:
    if not isinstance(data, dict) or not isinstance(data.get("accounts"), list):
        raise InvalidInputError(f"{source}: export.data has no 'accounts' list")
    for account in data["accounts"]:
        for vault in (account or {}).get("vaults") or []:
            vault_name = str(((vault or {}).get("attrs") or {}).get("name", ""))
            for item in (vault or {}).get("items") or []:
                entry = _onepassword_item(item, vault_name)
                if entry is not None:
                    yield entry


def _onepassword_item(item: Any, vault: str) -> VaultEntry | None:
    if not isinstance(item, dict) or item.get("state") == "archived":
        return None
    details, overview = item.get("details") or {}, item.get("overview") or {}
    fields = {f.get("designation"): f.get("value", "") for f in details.get("loginFields") or []
              if isinstance(f, dict)}
    password = fields.get("password") or details.get("password") or ""
    if not password:
        return None
    has_totp = any(isinstance((f or {}).get("value"), dict) and "totp" in f["value"]
                   for s in details.get("sections") or [] for f in (s or {}).get("fields") or [])
    return _entry(str(overview.get("title") or ""), str(overview.get("url") or ""),
                  str(fields.get("username") or ""), str(password), has_totp=has_totp,
                  has_passkey=bool(details.get("passkey")), folder=vault,
                  modified=_time(item.get("updatedAt")), created=_time(item.get("createdAt")))


# ---- KeePass ------------------------------------------------------------------------------------
def read_keepass_xml(path: Path, source: str, _password: str = "") -> list[VaultEntry]:
    """KeePass 2 XML export, parsed with defusedxml (entities and DTDs refused)."""
    from defusedxml import ElementTree
    from defusedxml.common import DefusedXmlException

    try:
        root = ElementTree.parse(str(path), forbid_dtd=True).getroot()
    except DefusedXmlException as exc:
        raise InvalidInputError(f"{source}: expected a KeePass XML export, found XML with "
                                "entities or a DTD, which is refused") from exc
    except ElementTree.ParseError as exc:
        raise InvalidInputError(f"{source}: expected a KeePass XML export, found XML that is "
                                f"not well formed ({exc})") from exc
    if root.tag != "KeePassFile":
        raise InvalidInputError(f"{source}: expected a KeePass XML export (<KeePassFile>), "
                                f"found <{root.tag[:40]}>")
    return _limited(_keepass_xml_entries(root), source)


def _keepass_xml_entries(root: Any) -> Iterator[VaultEntry]:
    for group in root.iter("Group"):
        group_name = group.findtext("Name") or ""
        for entry in group.findall("Entry"):
            values = {s.findtext("Key") or "": s.findtext("Value") or ""
                      for s in entry.findall("String")}
            if not values.get("Password"):
                continue
            times = entry.find("Times")
            yield _entry(values.get("Title", ""), values.get("URL", ""),
                         values.get("UserName", ""), values["Password"],
                         has_totp=bool(values.get("otp") or values.get("TimeOtp-Secret-Base32")),
                         folder=group_name,
                         modified=_time(times.findtext("LastModificationTime"))
                         if times is not None else None,
                         created=_time(times.findtext("CreationTime"))
                         if times is not None else None)


def read_kdbx(path: Path, source: str, password: str = "") -> list[VaultEntry]:
    """A KeePass database (.kdbx), opened with the password given for this audit only."""
    from construct import ConstructError
    from pykeepass import PyKeePass
    from pykeepass.exceptions import CredentialsError, HeaderChecksumError, PayloadChecksumError

    if not password:
        raise InvalidInputError(f"{source}: this is a KeePass database; give its password to "
                                "open it (it is used for this audit only and not kept)")
    try:
        database = PyKeePass(str(path), password=password)
    except CredentialsError as exc:
        raise InvalidInputError(f"{source}: the KeePass password is not right") from exc
    except (HeaderChecksumError, PayloadChecksumError, ConstructError, OSError,
            ValueError) as exc:
        raise InvalidInputError(f"{source}: expected a KeePass database, found a damaged or "
                                "truncated file") from exc
    return _limited((_entry(e.title or "", e.url or "", e.username or "", e.password,
                            has_totp=bool(e.otp), folder=e.group.name if e.group else "",
                            modified=e.mtime, created=e.ctime)
                     for e in database.entries if e.password), source)


FORMATS: dict[str, VaultFormat] = {f.name: f for f in (
    VaultFormat("bitwarden-json", "Bitwarden JSON", read_bitwarden_json),
    VaultFormat("1pux", "1Password 1PUX", read_1pux),
    VaultFormat("keepass-xml", "KeePass XML", read_keepass_xml),
    VaultFormat("kdbx", "KeePass database (KDBX)", read_kdbx),
    *(VaultFormat(layout.name, layout.label, read_csv) for layout in CSV_LAYOUTS),
)}


def detect(path: Path) -> str:
    """The export's format, told from its first bytes (and a CSV's header)."""
    if path.stat().st_size > MAX_BYTES:
        raise InvalidInputError(f"{path.name}: larger than {MAX_BYTES // 2**20} MB; a password "
                                "export is far smaller")
    with path.open("rb") as handle:
        head = handle.read(4096)
    if head.startswith(KDBX_MAGIC):
        return "kdbx"
    if head.startswith(b"PK\x03\x04"):
        return "1pux"
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"{"):
        return "bitwarden-json"
    if stripped.startswith(b"<"):
        return "keepass-xml"
    first = stripped.split(b"\n", 1)[0].decode("utf-8", "replace")
    header = next(csv.reader([first]), [])
    layout = csv_layout(header)
    if layout is not None:
        return layout.name
    if len(header) > 1:
        raise _unknown_columns(path.name, header)
    raise InvalidInputError(f"{path.name}: cannot tell which password manager made this file "
                            f"(it starts with {first[:60]!r}); export again as CSV, Bitwarden "
                            "JSON, 1PUX, KeePass XML or KDBX")


def read_export(path: Path, *, name: str = "", fmt: str = "",
                password: str = "") -> tuple[str, list[VaultEntry]]:
    """The format and the logins of one export."""
    source = name or path.name
    chosen = fmt or detect(path)
    found = FORMATS.get(chosen)
    if found is None:
        raise InvalidInputError(f"unknown export format {chosen!r} "
                                f"({', '.join(sorted(FORMATS))})")
    return chosen, found.read(path, source, password)
