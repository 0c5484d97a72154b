"""The packet's PDF report, rendered from an HTML template by WeasyPrint, offline.

WeasyPrint is given a URL fetcher that refuses everything, so rendering never touches the
network; the template carries its own CSS and uses only local system fonts.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from civicshield.domain.detection import label_name
from civicshield.domain.evidence import EvidenceItem, Notice
from civicshield.reports.contents import CapturedMessage, PacketContents, Summary

#: Messages shown in full; the timeline table lists up to TIMELINE_ROWS (timeline.csv has all).
FULL_MESSAGES = 200
TIMELINE_ROWS = 1000
#: Chain-of-custody rows in the report (ledger.jsonl holds every entry).
CUSTODY_ROWS = 500
#: Senders listed with their account ids (timeline.csv has every one).
ACCOUNT_ROWS = 50

_ENV = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                   autoescape=select_autoescape(["html"]))
_ENV.filters["label"] = label_name


#: WeasyPrint and the font library it uses log warnings that quote the document ("Failed to load
#: image at '...'", unknown CSS with its text), and the document is message text written by
#: attackers about the protected person. Their loggers are kept out of the application's logs.
for _name in ("weasyprint", "fontTools"):
    _quiet = logging.getLogger(_name)
    _quiet.addHandler(logging.NullHandler())
    _quiet.propagate = False


class NetworkRefusedError(ValueError):
    """Raised for any resource the report tries to load."""


def _refuse(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    raise NetworkRefusedError(f"the report may not load {url!r}")


def _fetcher() -> Any:
    """A URL fetcher that refuses every resource. Newer WeasyPrint expects a URLFetcher object
    (a bare function crashes it as soon as a document names a resource); older takes a
    function."""
    try:
        from weasyprint.urls import URLFetcher
    except ImportError:  # WeasyPrint before URLFetcher became a class
        return _refuse

    class Refusing(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            return _refuse(url)

    return Refusing()


def render_html(contents: PacketContents, summary: Summary,
                shown: Sequence[CapturedMessage], attachments: Sequence[EvidenceItem]) -> str:
    """The report as HTML (every value escaped)."""
    zone = contents.zone
    entries = contents.entries
    return _ENV.get_template("report.html").render(
        c=contents, incident=contents.incident, f=contents.fields, summary=summary,
        timeline=shown, full=shown[:FULL_MESSAGES], attachments=attachments,
        categories=summary.categories.most_common(), senders=summary.senders.most_common(20),
        more_senders=max(0, len(summary.senders) - 20),
        accounts=summary.top_accounts(ACCOUNT_ROWS),
        more_accounts=max(0, len(summary.accounts) - ACCOUNT_ROWS),
        custody=entries[:CUSTODY_ROWS], more_custody=max(0, len(entries) - CUSTODY_ROWS),
        head=entries[-1] if entries else None,
        notices=[Notice.from_dict(n) for n in contents.fields.get("notices", [])],
        utc=lambda d: d.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
        local=lambda d: _local_time(d, zone), zone_name=_zone_name(zone))


def render_report(contents: PacketContents, summary: Summary,
                  shown: Sequence[CapturedMessage], attachments: Sequence[EvidenceItem]) -> bytes:
    """The report as PDF bytes."""
    return html_to_pdf(render_html(contents, summary, shown, attachments))


def _local_time(when: datetime, zone: tzinfo) -> str:
    local = when.astimezone(zone)
    return local.strftime("%Y-%m-%d %H:%M:%S ") + (local.tzname() or "")


def _zone_name(zone: tzinfo) -> str:
    return getattr(zone, "key", None) or str(zone)


def letter_pdf(title: str, body: str) -> bytes:
    """A letter (plain text, kept line for line) as PDF bytes."""
    return html_to_pdf(_ENV.get_template("letter.html").render(title=title, body=body))


def render_template(name: str, **context: Any) -> str:
    """One of the report templates as HTML (autoescaped)."""
    return _ENV.get_template(name).render(**context)


def html_to_pdf(html: str) -> bytes:
    """HTML to PDF bytes, offline."""
    from weasyprint import HTML

    return bytes(HTML(string=html, url_fetcher=_fetcher(), base_url=None).write_pdf())
