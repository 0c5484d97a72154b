"""The web application factory: dashboard, JSON API, security headers and error pages."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from civicshield.app import CivicShield
from civicshield.domain.errors import (
    CivicShieldError,
    ImportFailure,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
)
from civicshield.web import (
    account,
    alerts,
    exposure,
    hygiene,
    imports,
    incidents,
    intake,
    safety,
    views,
)
from civicshield.web.api import create_api
from civicshield.web.auth import LoginRequired, PasswordChangeRequired, login_redirect
from civicshield.web.render import page

#: The dashboard's pages, one router per capability (tests open every GET route in them).
PAGE_ROUTERS = (account.router, views.router, imports.router, incidents.router, exposure.router,
                alerts.router, intake.router, safety.router, hygiene.router)

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
#: Sent over HTTPS only: browsers then refuse plain HTTP to this host for a year.
HSTS = "max-age=31536000; includeSubDomains"
_STATUS = {NotFoundError: 404, PermissionDeniedError: 403, InvalidInputError: 400,
           ImportFailure: 422}


def _status(exc: CivicShieldError) -> int:
    return next((code for kind, code in _STATUS.items() if isinstance(exc, kind)), 400)


def create_app(service: CivicShield) -> FastAPI:
    """Build the ASGI application around a service."""
    app = FastAPI(title="civicshield", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.service = service
    app.mount("/static", StaticFiles(directory=str(Path(__file__).parent / "static")),
              name="static")
    api = create_api()
    api.state.service = service
    _api_errors(api)
    app.mount("/api/v1", api)
    for router in PAGE_ROUTERS:
        app.include_router(router)
    _page_errors(app)

    @app.middleware("http")
    async def security_headers(request: Request,
                               call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        response = await call_next(request)
        response.headers.update(SECURITY_HEADERS)
        if request.url.scheme == "https":  # behind a proxy: uvicorn --proxy-headers sets it
            response.headers["Strict-Transport-Security"] = HSTS
        if not request.url.path.startswith("/static/"):
            response.headers["Cache-Control"] = "no-store"
        return response

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


def _page_errors(app: FastAPI) -> None:
    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> Response:
        return RedirectResponse(login_redirect(exc.next_path), status_code=303)

    @app.exception_handler(PasswordChangeRequired)
    async def password_change(request: Request, exc: PasswordChangeRequired) -> Response:
        return RedirectResponse("/settings?must=password", status_code=303)

    @app.exception_handler(CivicShieldError)
    async def domain_error(request: Request, exc: CivicShieldError) -> Response:
        return page(request, "error.html", status_code=_status(exc), message=str(exc))

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        message = exc.detail if isinstance(exc.detail, str) else "That page cannot be shown."
        if exc.status_code == 404:
            message = "There is no such page."
        return page(request, "error.html", status_code=exc.status_code, message=message)

    @app.exception_handler(RequestValidationError)
    async def bad_form(request: Request, exc: RequestValidationError) -> Response:
        fields = ", ".join(str(e["loc"][-1]) for e in exc.errors())
        return page(request, "error.html", status_code=400,
                    message=f"Some of what was sent is missing or not valid: {fields}.")


def _api_errors(api: FastAPI) -> None:
    @api.exception_handler(CivicShieldError)
    async def domain_error(request: Request, exc: CivicShieldError) -> Response:
        body: dict[str, object] = {"detail": str(exc)}
        if isinstance(exc, ImportFailure):
            body.update(file=exc.source, line=exc.line, record=exc.record, field=exc.field,
                        problem=exc.problem)
        return JSONResponse(body, status_code=_status(exc))
