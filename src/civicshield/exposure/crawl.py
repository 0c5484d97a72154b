"""Fetch single pages and crawl a site politely: same host only, robots.txt obeyed (its
Crawl-delay too), a depth and a page limit, and a pause between requests.

Nothing here runs unless a person asked for that address to be scanned. Every request (each
redirect and each re-check included) goes to a public address only: the host is resolved first,
and a name that resolves to a loopback, private, link-local, shared, reserved or cloud-metadata
address is refused, unless an admin named that host in the `exposure_allowed_hosts` setting. The
connection then goes to the address that was checked, so a second DNS answer cannot move it.
"""

from __future__ import annotations

import time
import urllib.robotparser
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import urldefrag, urljoin, urlsplit

import httpx

from civicshield import __version__
from civicshield.exposure.extract import Extracted, ExtractError, extract, kind_of
from civicshield.network import (  # noqa: F401 - public_address is part of this API
    BlockedAddressError,
    PublicOnlyTransport,
    public_address,
)

USER_AGENT = f"civicshield-exposure-scan/{__version__} (self-hosted privacy audit)"
#: Largest response read; bigger documents are reported and skipped.
MAX_BYTES = 25 * 1024 * 1024
TIMEOUT = httpx.Timeout(20.0, connect=10.0)


@dataclass(frozen=True)
class CrawlLimits:
    """How far and how fast a crawl goes."""

    depth: int = 2
    max_pages: int = 200
    delay: float = 1.0  # seconds between requests to one site (robots.txt may ask for more)


@dataclass(frozen=True)
class Page:
    """A fetched document: where it ended up, its bytes and what it says."""

    url: str
    content: bytes
    extracted: Extracted


class FetchError(RuntimeError):
    """A page that could not be fetched; the message names the address."""


class RedirectedError(FetchError):
    """A crawl asked not to follow redirects, and the page sent it elsewhere."""

    def __init__(self, url: str, target: str) -> None:
        super().__init__(f"{url}: redirects to {target}")
        self.target = target


def make_client(allowed_hosts: frozenset[str] = frozenset()) -> httpx.Client:
    """An HTTP client that says who it is, follows redirects, and reaches public addresses
    only (and the hosts an admin allowed by name)."""
    return httpx.Client(headers={"User-Agent": USER_AGENT}, timeout=TIMEOUT,
                        follow_redirects=True, transport=PublicOnlyTransport(allowed_hosts))


def fetch(client: httpx.Client, url: str, *, follow: bool = True) -> tuple[str, str, bytes]:
    """One address: (final URL, content type, bytes); FetchError on failure. With
    ``follow=False`` a redirect raises ``RedirectedError`` instead of being followed."""
    try:
        with client.stream("GET", url, follow_redirects=follow) as response:
            if response.is_redirect and not follow:
                raise RedirectedError(url, urljoin(url, response.headers.get("location", "")))
            if response.status_code >= 400:
                raise FetchError(f"{url}: the site answered {response.status_code}")
            declared = int(response.headers.get("content-length") or 0)
            if declared > MAX_BYTES:
                raise FetchError(f"{url}: larger than {MAX_BYTES // 2**20} MB, skipped")
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > MAX_BYTES:
                    raise FetchError(f"{url}: larger than {MAX_BYTES // 2**20} MB, skipped")
                chunks.append(chunk)
            return str(response.url), response.headers.get("content-type", ""), b"".join(chunks)
    except BlockedAddressError as exc:
        raise FetchError(f"{url}: not fetched: {exc}") from exc
    except httpx.HTTPError as exc:
        raise FetchError(f"{url}: cannot be fetched ({type(exc).__name__})") from exc


def fetch_page(client: httpx.Client, url: str, *, follow: bool = True) -> Page:
    """Fetch and read one address."""
    final, content_type, content = fetch(client, url, follow=follow)
    try:
        return Page(final, content, extract(final, content, content_type))
    except ExtractError as exc:
        raise FetchError(str(exc)) from exc


class Robots:
    """robots.txt rules per site, fetched once."""

    def __init__(self, client: httpx.Client) -> None:
        self.client = client
        self._rules: dict[str, urllib.robotparser.RobotFileParser] = {}

    def _for(self, url: str) -> urllib.robotparser.RobotFileParser:
        parts = urlsplit(url)
        site = f"{parts.scheme}://{parts.netloc}"
        if site not in self._rules:
            rules = urllib.robotparser.RobotFileParser(site + "/robots.txt")
            try:
                response = self.client.get(site + "/robots.txt")
                status = response.status_code
                text = response.text if status < 400 else ""
            except httpx.HTTPError:
                status, text = 599, ""
            # A site that forbids reading its robots.txt forbids crawling (RFC 9309, 2.3.1.3).
            rules.parse(["User-agent: *", "Disallow: /"] if status in (401, 403)
                        else text.splitlines())
            self._rules[site] = rules
        return self._rules[site]

    def allowed(self, url: str) -> bool:
        """Whether the site lets us fetch this address."""
        return self._for(url).can_fetch(USER_AGENT, url)

    def delay(self, url: str) -> float:
        """The site's Crawl-delay for us, or 0."""
        value = self._for(url).crawl_delay(USER_AGENT)
        return float(value) if value else 0.0


def crawl(client: httpx.Client, start: str, limits: CrawlLimits,
          on_error: Callable[[str], None],
          sleep: Callable[[float], None] = time.sleep) -> Iterator[Page]:
    """Pages of one site, breadth first from ``start``: links on the same host only, robots.txt
    obeyed, at most ``limits.max_pages`` pages ``limits.depth`` links deep."""
    robots = Robots(client)
    host = urlsplit(start).netloc.lower()
    queue: deque[tuple[str, int]] = deque([(urldefrag(start)[0], 0)])
    seen = {queue[0][0]}
    fetched = 0
    pause = max(limits.delay, robots.delay(start))
    while queue and fetched < limits.max_pages:
        url, depth = queue.popleft()
        if not robots.allowed(url):
            on_error(f"{url}: robots.txt asks crawlers not to fetch it, skipped")
            continue
        if fetched:
            sleep(pause)
        fetched += 1
        try:
            page = fetch_page(client, url, follow=False)  # never follow a redirect off the site
        except RedirectedError as moved:
            if not _enqueue(moved.target, depth, host, seen, queue):
                on_error(f"{moved}: another site, not followed")
            continue
        except FetchError as exc:
            on_error(str(exc))
            continue
        yield page
        if depth < limits.depth:
            for link in page.extracted.links:
                _enqueue(urljoin(page.url, link.strip()), depth + 1, host, seen, queue)


def _enqueue(url: str, depth: int, host: str, seen: set[str],
             queue: deque[tuple[str, int]]) -> bool:
    """Queue a page of the same site not seen yet; False for another site."""
    target = urldefrag(url)[0]
    parts = urlsplit(target)
    if parts.scheme not in ("http", "https") or parts.netloc.lower() != host:
        return False
    if target not in seen and _worth_fetching(target):
        seen.add(target)
        queue.append((target, depth))
    return True


def _worth_fetching(url: str) -> bool:
    """Pages and documents the scanner reads; images, archives and media are left alone."""
    path = urlsplit(url).path
    last = path.rsplit("/", 1)[-1]
    return "." not in last or bool(kind_of(last)) or last.endswith((".php", ".asp", ".aspx",
                                                                     ".jsp"))
