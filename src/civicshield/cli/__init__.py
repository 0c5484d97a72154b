"""The command line: the main group, with one module per capability (mirroring services/).

``workspace`` (init, serve, demo), ``triage`` (import, analyze, classify, queue), ``principals``,
``accounts`` (users), ``incidents`` (incidents and evidence), ``exposure``, ``intake`` (live
sources), ``alerts``, ``safety`` and ``hygiene``.
"""

from __future__ import annotations

import logging

import click

from civicshield.cli import (
    accounts,
    alerts,
    exposure,
    hygiene,
    incidents,
    intake,
    principals,
    safety,
    triage,
    workspace,
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="civicshield")
def main() -> None:
    """civicshield: triage and document online attacks on public officials."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")


for command in (
    workspace.init,
    triage.import_,
    triage.analyze,
    triage.classify,
    triage.queue,
    workspace.serve,
    accounts.users,
    principals.principals,
    incidents.incidents,
    incidents.evidence,
    workspace.demo,
    exposure.exposure,
    intake.intake,
    alerts.alerts,
    safety.safety,
    hygiene.hygiene,
):
    main.add_command(command)
