"""The docs are tested: every command, setting, hook and import format is documented."""

from __future__ import annotations

import inspect
from pathlib import Path

import click
import pytest

from civicshield import hookspecs
from civicshield.cli import main
from civicshield.config import SETTINGS
from tests.factories import IMPORTERS

ROOT = Path(__file__).parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _commands(group: click.Group, prefix: str = "") -> list[str]:
    names = []
    context = click.Context(group)
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        assert command is not None, name
        names.append(f"{prefix}{name}")
        if isinstance(command, click.Group):
            names += _commands(command, f"{prefix}{name} ")
    return names


@pytest.mark.parametrize("command", _commands(main))
def test_every_command_is_in_the_readme(command: str) -> None:
    assert f"civicshield {command}" in README


@pytest.mark.parametrize("setting", [s.name for s in SETTINGS])
def test_every_setting_is_in_the_configuration_doc(setting: str) -> None:
    doc = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    assert f"CIVICSHIELD_{setting.upper()}" in doc


@pytest.mark.parametrize("hook", [n for n, f in inspect.getmembers(hookspecs, inspect.isfunction)
                                  if n.startswith("civicshield_")])
def test_every_hook_is_in_the_plugins_doc(hook: str) -> None:
    assert hook in (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("fmt", sorted(IMPORTERS))
def test_every_import_format_is_in_the_readme(fmt: str) -> None:
    assert f"`{fmt}`" in README


def test_the_readme_names_the_two_setup_commands() -> None:
    assert "make demo" in README and "make test" in README
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
