"""Fixtures for the exposure tests: a workspace whose principal has the exposure profile."""

from __future__ import annotations

import pytest

from civicshield.app import CivicShield
from civicshield.domain.models import User
from tests.exposure.fixtures import EXPOSURE_PROFILE


@pytest.fixture
def exposure_service(service: CivicShield, admin: User) -> CivicShield:
    """The shared service (SQLite and PostgreSQL) with the exposure profile."""
    service.principals.set_profile(admin, "mayor", EXPOSURE_PROFILE)
    return service


@pytest.fixture
def sqlite_exposure(sqlite_service: CivicShield, admin: User) -> CivicShield:
    """The SQLite service with the exposure profile."""
    sqlite_service.principals.set_profile(admin, "mayor", EXPOSURE_PROFILE)
    return sqlite_service
