"""Account creation: the account, its first user and one key of each kind."""

from __future__ import annotations

import re
import secrets
from dataclasses import asdict, dataclass

from sqlalchemy.orm import Session

from backend.accounts.keys import create_key
from backend.accounts.users import create_user
from backend.dashboards.service import create_overview
from backend.store.models import Account

DEFAULT_DIMENSIONS = ["utm_campaign", "utm_source", "$flow", "$form", "$email"]


@dataclass(frozen=True)
class NewAccount:
    id: str
    name: str
    write_key: str
    public_key: str
    private_key: str
    login: dict[str, str]

    def as_dict(self) -> dict:
        return asdict(self)


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40] or "account"


def create_account(
    session: Session, name: str, email: str | None = None, password: str | None = None
) -> NewAccount:
    name = (name or "").strip()
    if not name:
        raise ValueError("account name must not be empty")
    account = Account(name=name[:200], dimensions=list(DEFAULT_DIMENSIONS))
    session.add(account)
    session.flush()
    email = email or f"admin@{_slug(name)}-{account.id[4:10]}.tally.local"
    password = password or secrets.token_urlsafe(12)
    create_user(session, account.id, email, password)
    create_overview(session, account.id)  # every account starts with a useful dashboard
    return NewAccount(
        id=account.id,
        name=account.name,
        write_key=create_key(session, account.id, "write", "default"),
        public_key=create_key(session, account.id, "public", "default"),
        private_key=create_key(session, account.id, "private", "default"),
        login={"email": email.strip().lower(), "password": password},
    )
