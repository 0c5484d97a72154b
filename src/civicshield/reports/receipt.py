"""Ledger receipts: the chain head, signed, on one printable page that a witness (a police
liaison, the city attorney) keeps; and reading a head back from a receipt or a packet.

A receipt holds a block between BEGIN and END lines: base64 of canonical JSON with the head,
the per-incident heads and the public key, then the Ed25519 signature of that JSON.
"""

from __future__ import annotations

import base64
import binascii
import json
import tempfile
import zipfile
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from civicshield.crypto import EvidenceSigner, key_fingerprint, signature_valid
from civicshield.domain.custody import Anchor
from civicshield.domain.errors import InvalidInputError
from civicshield.domain.evidence import LedgerEntry
from civicshield.reports.packet import verify_packet

BEGIN = "-----BEGIN CIVICSHIELD LEDGER RECEIPT-----"
END = "-----END CIVICSHIELD LEDGER RECEIPT-----"
_WIDTH = 64


def receipt_payload(entries: Sequence[LedgerEntry], public_hex: str, made_at: datetime,
                    made_by: str) -> dict[str, Any]:
    """The facts a receipt signs: the last entry, each incident's last entry and the key."""
    heads: dict[str, list[Any]] = {}
    for entry in entries:
        heads[str(entry.incident_id)] = [entry.seq, entry.hash]
    last = entries[-1] if entries else None
    return {"format": 1, "made_at": made_at.isoformat(), "made_by": made_by,
            "head_seq": last.seq if last else 0, "head_hash": last.hash if last else "",
            "incidents": heads, "public_key": public_hex}


def render_receipt(payload: dict[str, Any], signer: EvidenceSigner, office: str) -> str:
    """The printable receipt, signed."""
    body = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode("utf-8")
    block = base64.b64encode(body).decode("ascii")
    signature = signer.sign(body)
    lines = [
        "civicshield chain-of-custody receipt",
        "=====================================",
        "",
        f"Office: {office}",
        f"Made: {payload['made_at']} by {payload['made_by']}",
        f"Last ledger entry: {payload['head_seq']}",
        f"Its hash: {payload['head_hash']}",
        f"Incidents covered: {len(payload['incidents'])}",
        f"Evidence key fingerprint: {signer.fingerprint}",
        "",
        "Keep this page (or this file) somewhere the office cannot change it. Later, anyone can",
        "prove that the office's chain of custody still holds everything it held today, with",
        "nothing rewritten or removed:",
        "",
        "    civicshield evidence verify --against THIS-FILE",
        "",
        BEGIN,
        *[block[i:i + _WIDTH] for i in range(0, len(block), _WIDTH)],
        "signature: " + signature,
        END,
        "",
    ]
    return "\n".join(lines)


def read_anchor(path: Path) -> Anchor:
    """The head a receipt file, an unpacked packet folder or a packet ZIP recorded; a receipt
    or packet whose signature does not hold is refused with one plain line."""
    if path.is_dir():
        return _packet_anchor(path, path.name)
    if zipfile.is_zipfile(path):
        with tempfile.TemporaryDirectory() as folder, zipfile.ZipFile(path) as archive:
            for member in archive.infolist():
                target = (Path(folder) / member.filename).resolve()
                if not target.is_relative_to(Path(folder).resolve()) or member.file_size > 1 << 30:
                    raise InvalidInputError(f"{path.name}: member {member.filename!r} is not "
                                            "part of an evidence packet")
            archive.extractall(folder)
            return _packet_anchor(Path(folder), path.name)
    return _receipt_anchor(path)


def _packet_anchor(folder: Path, name: str) -> Anchor:
    checked = verify_packet(folder)
    if not checked.ok:
        raise InvalidInputError(f"packet {name} does not verify, so it cannot vouch for the "
                                f"ledger: {checked.problems[0]}")
    head = {k.strip(): v.strip() for k, _, v in (
        line.partition(":") for line in (folder / "HEAD.txt").read_text("utf-8").splitlines()[1:])}
    try:
        return Anchor(f"packet {name} (made {head['made at'][:10]})", int(head["ledger entry"]),
                      head["entry hash"], head["evidence key"])
    except (KeyError, ValueError) as exc:
        raise InvalidInputError(f"packet {name}: HEAD.txt is incomplete") from exc


def _receipt_anchor(path: Path) -> Anchor:
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInputError(f"{path.name}: not a ledger receipt or evidence packet") from exc
    if BEGIN not in text or END not in text:
        raise InvalidInputError(f"{path.name}: not a ledger receipt or evidence packet (no "
                                "receipt block)")
    block = text.split(BEGIN, 1)[1].split(END, 1)[0].strip().splitlines()
    signature = next((ln.split(":", 1)[1].strip() for ln in block
                      if ln.startswith("signature:")), "")
    try:
        body = base64.b64decode("".join(ln for ln in block if not ln.startswith("signature:")),
                                validate=True)
        payload = json.loads(body)
        anchor = Anchor(f"the receipt of {str(payload['made_at'])[:10]}",
                        int(payload["head_seq"]), str(payload["head_hash"]),
                        str(payload["public_key"]),
                        {int(k): (int(v[0]), str(v[1])) for k, v in payload["incidents"].items()})
    except (binascii.Error, ValueError, KeyError, TypeError, IndexError) as exc:
        raise InvalidInputError(f"{path.name}: the receipt block is damaged") from exc
    if not signature_valid(anchor.public_hex, body, signature):
        raise InvalidInputError(f"{path.name}: the receipt's signature does not match its "
                                f"contents (key {key_fingerprint(anchor.public_hex)}): it was "
                                "altered")
    return anchor
