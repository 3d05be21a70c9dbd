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


class RateLimited(Exception):
    """Too many failed logins; `retry_after` is in seconds."""

    def __init__(self, retry_after: int):
        super().__init__(f"too many failed logins; try again in {retry_after} s")
        self.retry_after = retry_after


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def create_user(session: Session, account_id: str, email: str, password: str) -> User:
    user = User(account_id=account_id, email=email.strip().lower(), password_hash=hash_password(password))
    session.add(user)
    session.flush()
    return user


def _check_rate(session: Session, ip: str, email: str) -> None:
    since = utcnow() - LOGIN_WINDOW
    for subject, limit in ((f"ip:{ip}", MAX_FAILURES_PER_IP), (f"email:{email}", MAX_FAILURES_PER_EMAIL)):
        n = session.scalar(
            select(func.count()).where(LoginAttempt.subject == subject, LoginAttempt.at >= since)
        )
        if n >= limit:
            raise RateLimited(int(LOGIN_WINDOW.total_seconds()))


def verify_login(session: Session, email: str, password: str, ip: str = "?") -> User | None:
    """The user for these credentials, or None; raises RateLimited past the limits."""
    email = (email or "").strip().lower()
    _check_rate(session, ip, email)
    user = session.scalar(select(User).where(User.email == email))
    try:
        _hasher.verify(user.password_hash if user else _DUMMY, password or "")
        ok = user is not None
    except (VerificationError, InvalidHashError):
        ok = False
    if ok:
        session.execute(delete(LoginAttempt).where(LoginAttempt.subject == f"email:{email}"))
        return user
    session.add_all([LoginAttempt(subject=f"ip:{ip}"), LoginAttempt(subject=f"email:{email}")])
    session.execute(delete(LoginAttempt).where(LoginAttempt.at < utcnow() - LOGIN_WINDOW))
    return None
