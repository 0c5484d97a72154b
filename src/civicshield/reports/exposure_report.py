"""The exposure report: how much of the protected person's data is out there, month by month,
what was asked to be removed, what is overdue, and which broker sites were checked.

Pure: from an ``ExposureSummary`` to PDF bytes (WeasyPrint, no network). Kinds and places are
named; the private values themselves never are.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from civicshield.domain.exposure import (
    KINDS,
    BrokerCheck,
    ExposureFinding,
    FindingStatus,
    RemovalRequest,
    RequestEvent,
    RequestState,
)
from civicshield.domain.models import Principal
from civicshield.reports.pdf import html_to_pdf, render_template

#: Months shown in the chart.
MONTHS = 12


@dataclass(frozen=True)
class ExposureSummary:
    """Everything the report shows."""

    principal: Principal
    findings: list[ExposureFinding]
    requests: list[RemovalRequest]
    events: list[RequestEvent]
    checks: list[BrokerCheck]
    catalogue_size: int
    now: datetime


@dataclass(frozen=True)
class MonthRow:
    """One month of the timeline."""

    month: str
    found: int
    removed: int
    relisted: int
    open_at_end: int


def timeline(summary: ExposureSummary) -> list[MonthRow]:
    """New findings, removals and re-listings per month, with what was still exposed at each
    month's end."""
    found = Counter(f.first_seen.strftime("%Y-%m") for f in summary.findings)
    removed = Counter(e.at.strftime("%Y-%m") for e in summary.events
                      if e.state == RequestState.REMOVED)
    relisted = Counter(e.at.strftime("%Y-%m") for e in summary.events
                       if e.state == RequestState.RELISTED)
    months = sorted(set(found) | set(removed) | set(relisted))[-MONTHS:]
    rows, exposed = [], 0
    for month in sorted(set(found) | set(removed) | set(relisted)):
        exposed += found[month] - removed[month] + relisted[month]
        if month in months:
            rows.append(MonthRow(month, found[month], removed[month], relisted[month],
                                 max(0, exposed)))
    return rows


def render_exposure_html(summary: ExposureSummary) -> str:
    """The report as HTML (every value escaped)."""
    rows = timeline(summary)
    peak = max([r.open_at_end for r in rows] + [r.found for r in rows] + [1])
    active = [f for f in summary.findings if f.status != FindingStatus.DISMISSED]
    return render_template(
        "exposure.html", s=summary, rows=rows, peak=peak, kinds=KINDS,
        by_kind=Counter(f.kind for f in active).most_common(),
        by_status=Counter(f.status.value for f in active),
        by_state=Counter(r.state.value for r in summary.requests),
        overdue=[r for r in summary.requests if r.overdue(summary.now)],
        found_on=sum(c.status == "found" for c in summary.checks),
        not_found=sum(c.status == "not_found" for c in summary.checks),
        places=Counter(f.host or "files" for f in active).most_common(15))


def render_exposure_report(summary: ExposureSummary) -> bytes:
    """The report as PDF bytes."""
    return html_to_pdf(render_exposure_html(summary))
