"""The command line: the main group, with one module per capability (mirroring services/).

``workspace`` (init, serve, demo), ``triage`` (import, analyze, classify, queue), ``principals``,
``accounts`` (users), ``incidents`` (incidents and evidence), ``exposure``, ``intake`` (live
sources), ``alerts``, ``safety`` and ``hygiene``. A command's module is imported when that
command runs (or when the help lists every command), so a command starts without the others.
"""

from __future__ import annotations

import importlib
import logging

import click

#: Every command: its name and where it is defined (module in this package, attribute).
COMMANDS: dict[str, tuple[str, str]] = {
    "init": ("workspace", "init"),
    "import": ("triage", "import_"),
    "analyze": ("triage", "analyze"),
    "classify": ("triage", "classify"),
    "queue": ("triage", "queue"),
    "serve": ("workspace", "serve"),
    "users": ("accounts", "users"),
    "principals": ("principals", "principals"),
    "incidents": ("incidents", "incidents"),
    "evidence": ("incidents", "evidence"),
    "demo": ("workspace", "demo"),
    "exposure": ("exposure", "exposure"),
    "intake": ("intake", "intake"),
    "alerts": ("alerts", "alerts"),
    "safety": ("safety", "safety"),
    "hygiene": ("hygiene", "hygiene"),
}


class _Commands(click.Group):
    """The main group, loading each command's module when the command is asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        where = COMMANDS.get(cmd_name)
        if where is None:
            return None
        command = getattr(importlib.import_module(f"civicshield.cli.{where[0]}"), where[1])
        assert isinstance(command, click.Command)
        return command


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="civicshield")
def main() -> None:
    """civicshield: triage and document online attacks on public officials."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
