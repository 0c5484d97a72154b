"""Token authentication for /api/v1: the caller behind a bearer token."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from civicshield.app import CivicShield
from civicshield.domain.models import User

_bearer = HTTPBearer(auto_error=False, description="An API token from `civicshield users token`")


def _svc(request: Request) -> CivicShield:
    found: CivicShield = request.app.state.service
    return found


def api_user(request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None,
                                                      Depends(_bearer)]) -> User:
    """The user behind the bearer token."""
    user = _svc(request).accounts.api_user(credentials.credentials) if credentials else None
    if user is None:
        raise HTTPException(401, "a valid API token is required",
                            headers={"WWW-Authenticate": "Bearer"})
    return user


Caller = Annotated[User, Depends(api_user)]
