"""The password hygiene report as a PDF: the score, what to fix first and how, the reuse groups,
every finding, and the trend across audits. No password or hash of one is in it."""

from __future__ import annotations

from datetime import tzinfo

from civicshield.domain.hygiene import ISSUE_ORDER, POLICIES, AuditRecord, HygieneFinding, Issue
from civicshield.reports.pdf import html_to_pdf, render_template


def report_html(record: AuditRecord, findings: list[HygieneFinding],
                groups: list[list[HygieneFinding]], trend: list[AuditRecord],
                zone: tzinfo) -> str:
    """The report as HTML (every value escaped)."""
    by_issue = {issue: [f for f in findings if f.issue is issue] for issue in Issue}
    first = [(issue, ISSUE_ORDER[issue], len(items)) for issue, items in
             sorted(by_issue.items(), key=lambda pair: ISSUE_ORDER[pair[0]][0]) if items]
    return render_template(
        "hygiene.html", r=record, first=first, groups=groups, findings=findings,
        trend=trend, words={i: ISSUE_ORDER[i][1] for i in Issue},
        policy=POLICIES.get(record.policy),
        when=lambda d: d.astimezone(zone).strftime("%d %B %Y %H:%M"))


def report_pdf(record: AuditRecord, findings: list[HygieneFinding],
               groups: list[list[HygieneFinding]], trend: list[AuditRecord],
               zone: tzinfo) -> bytes:
    """The report as PDF bytes."""
    return html_to_pdf(report_html(record, findings, groups, trend, zone))
