"""Users: argon2 password hashes, login checks, and a login rate limit shared by all workers."""

from __future__ import annotations

from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from backend.store.db import utcnow
from backend.store.models import LoginAttempt, User

_hasher = PasswordHasher()
# A dummy hash so that an unknown e-mail costs as much time as a wrong password.
_DUMMY = _hasher.hash("not-a-real-password")

LOGIN_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_IP = 20
MAX_FAILURES_PER_EMAIL = 10
MAX_PASSWORD = 4096  # longer is a mistake or an attempt to burn CPU


class RateLimited(Exception):
    """Too many failed logins; `retry_after` is in seconds."""

    def __init__(self, retry_after: int):
        super().__init__(f"too many failed logins; try again in {retry_after} s")
        self.retry_after = retry_after


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _clean_email(email: object) -> str:
    return email.strip().lower() if isinstance(email, str) else ""


def _storable(email: str) -> bool:
    # PostgreSQL refuses NUL in text, and the column holds 320 characters.
    return 0 < len(email) <= 320 and not any(ord(c) < 32 for c in email)


def create_user(session: Session, account_id: str, email: str, password: str) -> User:
    email = _clean_email(email)
    if not _storable(email) or "@" not in email:
        raise ValueError(f"not a usable e-mail address: {email!r}")
    if not password:
        raise ValueError("the password must not be empty")
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise ValueError(f"a user with e-mail {email} already exists")
    user = User(account_id=account_id, email=email, password_hash=hash_password(password))
    session.add(user)
    session.flush()
    return user


def _check_rate(session: Session, ip: str, email: str) -> None:
    since = utcnow() - LOGIN_WINDOW
    limits = ((f"ip:{ip}", MAX_FAILURES_PER_IP), (f"email:{email}", MAX_FAILURES_PER_EMAIL))
    for subject, limit in limits:
        n = session.scalar(
            select(func.count()).where(LoginAttempt.subject == subject, LoginAttempt.at >= since)
        )
        if n >= limit:
            raise RateLimited(int(LOGIN_WINDOW.total_seconds()))


def verify_login(session: Session, email: str, password: str, ip: str = "?") -> User | None:
    """The user for these credentials, or None; raises RateLimited past the limits."""
    email = _clean_email(email)
    if not _storable(email):
        email = "?"  # never matches a user; still counted against the IP
    ip = ip[:64]
    _check_rate(session, ip, email)
    user = session.scalar(select(User).where(User.email == email))
    if not isinstance(password, str) or len(password) > MAX_PASSWORD:
        password = ""
    try:
        _hasher.verify(user.password_hash if user else _DUMMY, password)
        ok = user is not None
    except (VerificationError, InvalidHashError):
        ok = False
    if ok:
        session.execute(delete(LoginAttempt).where(LoginAttempt.subject == f"email:{email}"))
        return user
    session.add_all([LoginAttempt(subject=f"ip:{ip}"), LoginAttempt(subject=f"email:{email}")])
    session.execute(delete(LoginAttempt).where(LoginAttempt.at < utcnow() - LOGIN_WINDOW))
    return None
