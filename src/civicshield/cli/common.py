"""What every command shares: settings and service on demand, and plain error messages."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import click

from civicshield.config import Settings, load_settings
from civicshield.domain.errors import CivicShieldError, ImportFailure

if TYPE_CHECKING:
    from civicshield.app import CivicShield


class Failure(click.ClickException):
    """A plain error for the terminal about bad input (exit status 1)."""

    exit_code = 1

    def show(self, file: Any = None) -> None:
        """Print 'error: …' without click's decoration."""
        click.echo(f"error: {self.message}", err=True)


class SetupFailure(Failure):
    """The workspace or its settings are not usable yet (exit status 2)."""

    exit_code = 2


class _Context:
    def __init__(self) -> None:
        self._settings: Settings | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            try:
                self._settings = load_settings()
            except CivicShieldError as exc:
                raise SetupFailure(str(exc)) from exc
            logging.getLogger("civicshield").setLevel(self._settings.log_level)
        return self._settings

    def service(self) -> CivicShield:
        try:
            from civicshield.app import CivicShield  # the store, when a command needs it

            return CivicShield.open(self.settings)
        except CivicShieldError as exc:
            raise SetupFailure(str(exc)) from exc


pass_ctx = click.make_pass_decorator(_Context, ensure=True)


def _guard(call: Any) -> Any:
    try:
        return call()
    except ImportFailure as exc:
        raise Failure(f"{exc}\nNothing from this file was stored.") from exc
    except CivicShieldError as exc:
        raise Failure(str(exc)) from exc
