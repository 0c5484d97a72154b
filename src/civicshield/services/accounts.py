"""Staff accounts: users and roles, passwords, logins and sessions, API tokens, the audit log."""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from datetime import datetime, timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from civicshield.domain.access import cli_actor, require
from civicshield.domain.errors import InvalidInputError, NotFoundError
from civicshield.domain.models import ApiToken, AuditEntry, Credential, Role, User
from civicshield.services.context import ServiceContext

_HASHER = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """A hash to check a password against when the user does not exist (so that the answer
    takes as long either way); made once, when first needed."""
    return _HASHER.hash("civicshield-timing-guard")
#: Passwords shorter than this are refused.
MIN_PASSWORD_LENGTH = 12
#: What a user name may hold: safe in a URL, a log line and an audit entry.
USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
#: Failed logins counted over this window ...
THROTTLE_WINDOW = timedelta(minutes=15)
#: ... after which an account is refused for the rest of the window ...
MAX_FAILURES_PER_ACCOUNT = 5
#: ... and an address (many accounts tried from one place) too.
MAX_FAILURES_PER_ADDRESS = 20


class LoginRefusedError(InvalidInputError):
    """A login refused for a reason the person can act on (throttled, or a used one-time
    password); the message says what to do."""


def generated_password() -> str:
    """A random password of 20 URL-safe characters that never starts with a dash (a password
    such as "-x..." reads as an option on a command line)."""
    while True:
        password = secrets.token_urlsafe(15)
        if not password.startswith("-"):
            return password


def token_hash(token: str) -> str:
    """Tokens are stored only as their SHA-256."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class Accounts:
    """Who may log in, with which role, and what they did."""

    def __init__(self, context: ServiceContext) -> None:
        self.context = context

    # ---- users -------------------------------------------------------------------------
    def add_user(self, actor: User, username: str, role: Role,
                 password: str | None = None) -> tuple[User, str]:
        """Create a staff account; returns it with its password (generated when not given)."""
        require(actor, Role.ADMIN)
        username = username.strip()
        if not USERNAME.fullmatch(username):
            raise InvalidInputError("a user name is 1 to 100 letters, digits, dots, dashes or "
                                    "underscores, starting with a letter or digit")
        one_time = password is None
        password = password or generated_password()
        _check_password(password, username)
        with self.context.transaction(write=True) as repo:
            user = repo.add_user(username, _HASHER.hash(password), role.value,
                                 one_time=one_time)
            repo.audit(actor.username, "user.added", f"user:{user.id}",
                       json.dumps({"username": username, "role": role.value}))
        return user, password

    def users(self, actor: User) -> list[User]:
        """Every staff account (admins only)."""
        require(actor, Role.ADMIN)
        with self.context.transaction() as repo:
            return repo.users()

    def update_user(self, actor: User, username: str, *, role: Role | None = None,
                    disabled: bool | None = None) -> User:
        """Change another account's role or status (admins only)."""
        require(actor, Role.ADMIN)
        with self.context.transaction(write=True) as repo:
            found = repo.user_by_name(username)
            if found is None:
                raise NotFoundError(f"no user named {username!r}")
            repo.update_user(found[0].id, role=role.value if role else None, disabled=disabled)
            repo.audit(actor.username, "user.updated", f"user:{found[0].id}",
                       json.dumps({"role": role.value if role else None, "disabled": disabled}))
            return repo.user(found[0].id)

    def reset_password(self, actor: User, username: str, password: str | None = None) -> str:
        """Set a new password (admins, or the user for themself); ends their sessions and
        revokes their API tokens. A generated password is one-time: it works for one login,
        which must choose a new one."""
        if actor.username != username:
            require(actor, Role.ADMIN)
        one_time = password is None
        password = password or generated_password()
        _check_password(password, username)
        with self.context.transaction(write=True) as repo:
            found = repo.user_by_name(username)
            if found is None:
                raise NotFoundError(f"no user named {username!r}")
            repo.update_user(found[0].id, password_hash=_HASHER.hash(password),
                             password_state=Credential.ONE_TIME if one_time else Credential.CHOSEN)
            repo.clear_login_failures(f"account:{username}")
            repo.audit(actor.username, "user.password_changed", f"user:{found[0].id}")
        return password

    def set_blur(self, actor: User, *, blur: bool) -> None:
        """A user's own choice to blur abusive text until clicked."""
        with self.context.transaction(write=True) as repo:
            repo.update_user(actor.id, blur_abusive=blur)
            repo.audit(actor.username, "user.preferences", f"user:{actor.id}",
                       json.dumps({"blur_abusive": blur}))

    def ensure_admin(self) -> str | None:
        """Create the first admin with a one-time password if there is no user yet."""
        with self.context.transaction(write=True) as repo:
            if repo.users():
                return None
        return self.add_user(cli_actor(), "admin", Role.ADMIN)[1]

    # ---- logins and sessions -----------------------------------------------------------
    def authenticate(self, username: str, password: str, address: str = "") -> User | None:
        """The user if the password is right and the account enabled; None otherwise.

        Failed logins are counted per account and per address (``address``, the client's):
        past MAX_FAILURES_PER_ACCOUNT or MAX_FAILURES_PER_ADDRESS within THROTTLE_WINDOW,
        logins are refused with LoginRefusedError until the window has passed, right password
        or not. A one-time password works once: that login must choose a new password
        (``User.must_change_password``), and the same password is refused afterwards."""
        now = self.context.clock()
        since = now - THROTTLE_WINDOW
        keys = [f"account:{username[:100]}"] + ([f"address:{address}"] if address else [])
        with self.context.transaction(write=True) as repo:
            repo.prune_login_failures(since)
            if repo.login_failures(keys[0], since) >= MAX_FAILURES_PER_ACCOUNT:
                repo.audit(username[:100] or "?", "login.throttled", "session")
                raise LoginRefusedError(
                    "Too many failed logins for this account. Wait 15 minutes and try again, "
                    "or ask an admin to set a new password.")
            if address and repo.login_failures(keys[1], since) >= MAX_FAILURES_PER_ADDRESS:
                repo.audit(username[:100] or "?", "login.throttled", "session")
                raise LoginRefusedError(
                    "Too many failed logins from this computer. Wait 15 minutes and try again.")
        with self.context.transaction(write=False) as repo:
            found = repo.user_by_name(username)
        # the slow hash is checked holding no lock: other work goes on meanwhile
        good = found is not None and _verify(found[1], password) and not found[0].disabled
        if found is None:
            _verify(_dummy_hash(), password)
        with self.context.transaction(write=True) as repo:
            if not good:
                for key in keys:
                    repo.add_login_failure(key, now)
                repo.audit(username[:100] or "?", "login.failed", "session")
                return None
            assert found is not None
            user, stored = found
            state = repo.password_state(user.id)
            if state == Credential.USED:
                repo.audit(user.username, "login.failed", "session",
                           json.dumps({"why": "one-time password used before"}))
                raise LoginRefusedError(
                    "This one-time password has been used already. Ask an admin for a new one.")
            repo.clear_login_failures(keys[0])
            if state == Credential.ONE_TIME:
                repo.update_user(user.id, password_state=Credential.USED)
            elif _HASHER.check_needs_rehash(stored):
                repo.update_user(user.id, password_hash=_HASHER.hash(password))
            repo.audit(user.username, "login", "session")
            return repo.user(user.id)

    def change_own_password(self, user: User, current: str, new: str) -> None:
        """A user replaces their own password after confirming the current one (a used
        one-time password counts as current here: this is what it is for). A wrong current
        password counts as a failed login."""
        _check_password(new, user.username)
        with self.context.transaction(write=True) as repo:
            found = repo.user_by_name(user.username)
            if found is None or not _verify(found[1], current):
                repo.add_login_failure(f"account:{user.username}", self.context.clock())
                raise InvalidInputError("the current password is not right")
            if _verify(found[1], new):
                raise InvalidInputError("choose a new password, not the one you have now")
        self.reset_password(user, user.username, new)

    def start_session(self, user: User) -> tuple[str, str]:
        """A new session token (for the cookie) and its CSRF token."""
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        expires = self.context.clock() + timedelta(hours=self.context.settings.session_hours)
        with self.context.transaction(write=True) as repo:
            repo.add_session(token_hash(token), user.id, csrf, expires)
        return token, csrf

    def session(self, token: str) -> tuple[User, str] | None:
        """The user and CSRF token behind a session cookie, if it is live."""
        with self.context.transaction() as repo:
            return repo.session(token_hash(token), self.context.clock())

    def end_session(self, token: str, actor: User) -> None:
        """Log out."""
        with self.context.transaction(write=True) as repo:
            repo.drop_session(token_hash(token))
            repo.audit(actor.username, "logout", "session")

    # ---- API tokens and the audit log --------------------------------------------------
    def create_api_token(self, actor: User, username: str, name: str) -> str:
        """A new API token for a user; only its hash is kept, so show it once."""
        if actor.username != username:
            require(actor, Role.ADMIN)
        token = "cs_" + secrets.token_urlsafe(32)
        with self.context.transaction(write=True) as repo:
            found = repo.user_by_name(username)
            if found is None:
                raise NotFoundError(f"no user named {username!r}")
            repo.add_api_token(token_hash(token), found[0].id, name)
            repo.audit(actor.username, "api_token.created", f"user:{found[0].id}",
                       json.dumps({"name": name}))
        return token

    def api_tokens(self, actor: User, username: str | None = None) -> list[ApiToken]:
        """API tokens (never their values): a user's own, or anyone's for admins."""
        if username is None or actor.username != username:
            require(actor, Role.ADMIN)
        with self.context.transaction() as repo:
            if username is None:
                return repo.api_tokens()
            found = repo.user_by_name(username)
            if found is None:
                raise NotFoundError(f"no user named {username!r}")
            return repo.api_tokens(found[0].id)

    def revoke_api_token(self, actor: User, token_id: int) -> ApiToken:
        """Revoke one API token (admins, or its owner); it stops working at once."""
        with self.context.transaction(write=True) as repo:
            token = next((t for t in repo.api_tokens() if t.id == token_id), None)
            if token is None:
                raise NotFoundError(f"no API token with id {token_id}")
            if token.username != actor.username:
                require(actor, Role.ADMIN)
            repo.revoke_api_token(token_id)
            repo.audit(actor.username, "api_token.revoked", f"api_token:{token_id}",
                       json.dumps({"username": token.username, "name": token.name}))
        return token

    def api_user(self, token: str) -> User | None:
        """The user an API token belongs to."""
        with self.context.transaction() as repo:
            return repo.user_for_api_token(token_hash(token))

    def audit_entries(self, actor: User, *, limit: int = 200, offset: int = 0,
                      person: str = "", action: str = "", since: datetime | None = None,
                      until: datetime | None = None) -> list[AuditEntry]:
        """The audit log, newest first, narrowed by person, kind of action and dates
        (admins only)."""
        require(actor, Role.ADMIN)
        with self.context.transaction(write=False) as repo:
            return repo.audit_entries(limit, offset, actor=person, action=action, since=since,
                                      until=until)

    def audit_people(self, actor: User) -> list[str]:
        """Everyone the audit log names (for its filter)."""
        require(actor, Role.ADMIN)
        with self.context.transaction(write=False) as repo:
            return repo.audit_actors()


def _verify(stored: str, password: str) -> bool:
    try:
        return _HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def _check_password(password: str, username: str = "") -> None:
    """Long enough, and not easy to guess (zxcvbn, with the user name and this product's name
    tried first)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInputError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    from zxcvbn import zxcvbn

    judged = zxcvbn(password[:64], user_inputs=[username, "civicshield"])
    if judged["score"] < 3:
        hint = judged["feedback"].get("warning") or "it follows a common pattern"
        raise InvalidInputError(f"this password would be easy to guess ({hint.rstrip('.')}); "
                                "four or five unrelated words make a strong one")
