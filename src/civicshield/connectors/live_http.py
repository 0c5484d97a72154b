"""What the live connectors that speak HTTP share: one client that reaches public addresses only,
and server answers turned into SourceError worded for the person who has to act."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from civicshield import __version__
from civicshield.domain.errors import SourceError
from civicshield.domain.ports import Reach
from civicshield.network import BlockedAddressError, guarded_client

USER_AGENT = f"civicshield-intake/{__version__}"


def make_client(reach: Reach, transport: httpx.BaseTransport | None = None) -> httpx.Client:
    """A client for one source: the given transport (recorded answers in tests), else one that
    reaches public addresses and the hosts allowed by name."""
    if transport is not None:
        return httpx.Client(transport=transport, headers={"User-Agent": USER_AGENT},
                            timeout=30.0)
    return guarded_client(reach.allowed_hosts, user_agent=USER_AGENT, ca_file=reach.ca_file)


def retry_after(response: httpx.Response) -> float | None:
    """The seconds a 429 or 503 asked us to wait (Retry-After as seconds or a date, or
    x-ratelimit-reset as a Unix time), when it said."""
    value = response.headers.get("retry-after", "").strip()
    if value.isdigit():
        return float(value)
    if value:
        try:
            return max(0.0, (parsedate_to_datetime(value) - datetime.now(UTC)).total_seconds())
        except (TypeError, ValueError):
            return None
    reset = response.headers.get("ratelimit-reset") or response.headers.get("x-ratelimit-reset")
    if reset and reset.isdigit():
        stamp = float(reset)
        return max(0.0, stamp - datetime.now(UTC).timestamp()) if stamp > 1e9 else stamp
    return None


def checked(response: httpx.Response, server: str) -> httpx.Response:
    """The response when it succeeded; SourceError saying what to do otherwise."""
    status = response.status_code
    if status < 400:
        return response
    if status in (401, 403):
        raise SourceError(f"{server} refused the access token (it expired or was revoked): "
                          "give a new one on the intake page", retryable=False)
    if status == 429:
        raise SourceError(f"{server} asked us to slow down (rate limit)",
                          retry_after=retry_after(response))
    if status >= 500:
        raise SourceError(f"{server} had a problem of its own (it answered {status})",
                          retry_after=retry_after(response))
    raise SourceError(f"{server} refused the request (it answered {status})", retryable=False)


def json_of(response: httpx.Response, server: str) -> Any:
    """The JSON body of a successful response."""
    try:
        return checked(response, server).json()
    except ValueError as exc:
        raise SourceError(f"{server} sent something that is not JSON") from exc


def dropped(exc: httpx.HTTPError, server: str) -> SourceError:
    """A connection problem, in words."""
    if isinstance(exc, BlockedAddressError):
        return SourceError(f"{exc} (an operator can allow it with "
                           "CIVICSHIELD_ALLOWED_LOCAL_HOSTS)", retryable=False)
    return SourceError(f"lost the connection to {server} ({type(exc).__name__})")
