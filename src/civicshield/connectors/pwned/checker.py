"""Is a password in a known breach? Have I Been Pwned's Pwned Passwords, asked with k-anonymity
(only the first 5 hex characters of a password's SHA-1 leave the machine, with the padding
header on so the answer's size says nothing either), or a local copy of its hash list searched
on disk.

Online: one request per prefix however many passwords share it, at most ``CONCURRENCY`` at a
time, retried after a 429 or a 5xx. Offline: the downloadable file of ``SHA1:COUNT`` lines
ordered by hash, searched by binary search over byte offsets without loading it.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import BinaryIO

import httpx

from civicshield.domain.errors import InvalidInputError

RANGE_API = "https://api.pwnedpasswords.com/range/"
CONCURRENCY = 8
ATTEMPTS = 4


def sha1_hex(password: str) -> str:
    """The uppercase hex SHA-1 the list is keyed by (kept in memory only)."""
    return hashlib.sha1(password.encode("utf-8"), usedforsecurity=False).hexdigest().upper()


class BreachCheckError(InvalidInputError):
    """The breach check could not be completed (the audit says so instead of guessing)."""


def check_online(hashes: Iterable[str], client: httpx.Client, *,
                 base: str = RANGE_API) -> dict[str, int]:
    """How often each hash appears in breaches (0: not found), by the range API."""
    wanted = set(hashes)
    prefixes = sorted({h[:5] for h in wanted})
    found: dict[str, int] = {}

    def one(prefix: str) -> dict[str, int]:
        return _range(client, base, prefix)

    with ThreadPoolExecutor(max_workers=CONCURRENCY) as pool:
        for prefix, counts in zip(prefixes, pool.map(one, prefixes), strict=True):
            for suffix, count in counts.items():
                found[prefix + suffix] = count
    return {h: found.get(h, 0) for h in wanted}


def _range(client: httpx.Client, base: str, prefix: str) -> dict[str, int]:
    for attempt in range(ATTEMPTS):
        try:
            response = client.get(base + prefix, headers={"Add-Padding": "true"})
        except httpx.HTTPError as exc:
            if attempt == ATTEMPTS - 1:
                raise BreachCheckError(f"the breach check could not reach {base} "
                                       f"({type(exc).__name__})") from exc
        else:
            if response.status_code == 200:
                return _parse_range(response.text)
            if response.status_code not in (429, 500, 502, 503, 504) or attempt == ATTEMPTS - 1:
                raise BreachCheckError(f"the breach check service answered "
                                       f"{response.status_code}")
            wait = response.headers.get("retry-after", "")
            time.sleep(min(float(wait), 10.0) if wait.replace(".", "").isdigit()
                       else 0.5 * 2 ** attempt)
            continue
        time.sleep(0.5 * 2 ** attempt)
    raise BreachCheckError("the breach check did not answer")


def _parse_range(text: str) -> dict[str, int]:
    counts = {}
    for line in text.splitlines():
        suffix, _, count = line.strip().partition(":")
        if len(suffix) == 35 and count.isdigit() and int(count) > 0:  # padding lines count 0
            counts[suffix.upper()] = int(count)
    return counts


def check_offline(hashes: Iterable[str], path: Path) -> dict[str, int]:
    """How often each hash appears in a local Pwned Passwords file ordered by hash."""
    try:
        size = path.stat().st_size
        handle = path.open("rb")
    except OSError as exc:
        raise BreachCheckError(f"cannot read the breach file {path.name}: {exc.strerror}"
                               ) from exc
    with handle:
        first = handle.readline()
        if not _is_line(first):
            raise BreachCheckError(f"{path.name}: expected lines of 40 hex characters, a colon "
                                   "and a count (the Pwned Passwords file ordered by hash)")
        return {h: _search(handle, size, h.encode()) for h in set(hashes)}


def _is_line(line: bytes) -> bool:
    head, _, count = line.strip().partition(b":")
    return len(head) == 40 and count.isdigit()


def _search(handle: BinaryIO, size: int, wanted: bytes) -> int:
    """Binary search over byte offsets: each probe reads the first line that starts at or after
    the offset (the count, or 0 when the hash is not listed)."""
    low, high = 0, size
    while low < high:
        middle = (low + high) // 2
        if middle:
            handle.seek(middle - 1)
            handle.readline()  # to the first line starting at or after middle
        else:
            handle.seek(0)
        line = handle.readline()
        if not line:
            high = middle
            continue
        key = line[:40].upper()
        if key == wanted:
            count = line.strip().partition(b":")[2]
            return int(count) if count.isdigit() else 1
        if key < wanted:
            low = middle + 1
        else:
            high = middle
    return 0
