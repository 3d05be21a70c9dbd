"""Accounts, users and keys at the backend level, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from backend.accounts import keys, users
from backend.accounts.service import create_account
from backend.store.db import utcnow
from backend.store.models import ApiKey, LoginAttempt, User

PASSWORD = "correct horse battery"


@pytest.fixture
def acc(db):
    with db.session() as s:
        return create_account(s, "Acme", email="Owner@Acme.test", password=PASSWORD)


def test_an_account_starts_with_a_user_and_one_live_key_of_each_kind(db, acc):
    with db.session() as s:
        infos = keys.list_keys(s, acc.id)
        user = s.scalar(select(User).where(User.account_id == acc.id))
    assert sorted(k.kind for k in infos) == ["private", "public", "write"]
    assert all(k.active for k in infos)
    assert user.email == "owner@acme.test" == acc.login["email"]
    assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash


def test_secret_keys_are_stored_only_as_hashes(db, acc):
    with db.session() as s:
        rows = {k.kind: k for k in s.scalars(select(ApiKey).where(ApiKey.account_id == acc.id))}
    for kind, raw in (("write", acc.write_key), ("private", acc.private_key)):
        row = rows[kind]
        assert row.key_hash == keys.hash_key(raw) and row.public_text is None
        assert raw not in (row.prefix, row.label, row.key_hash)
    assert rows["public"].public_text == acc.public_key


def test_authenticate_checks_kind_and_revocation(db, acc):
    with db.session() as s:
        assert keys.authenticate(s, "private", acc.private_key) == acc.id
        assert keys.authenticate(s, "write", acc.private_key) is None
        assert keys.authenticate(s, "public", acc.write_key) is None
        assert keys.authenticate(s, "private", "tk_unknown") is None
        assert keys.authenticate(s, "private", "") is None
        assert keys.authenticate(s, "private", acc.private_key + "x" * 300) is None
        private_id = next(k.id for k in keys.list_keys(s, acc.id) if k.kind == "private")
        keys.revoke_key(s, acc.id, private_id)
    with db.session() as s:
        assert keys.authenticate(s, "private", acc.private_key) is None


def test_the_request_path_key_check_agrees_with_authenticate(db, acc):
    # key_account runs the same query on a raw pooled connection (every /v1 request).
    cases = [
        ("private", acc.private_key),
        ("write", acc.private_key),
        ("write", acc.write_key),
        ("public", acc.write_key),
        ("write", "tw_unknown"),
        ("write", ""),
        ("write", None),
        ("write", acc.write_key + "x" * 300),
    ]
    with db.session() as s:
        expected = [keys.authenticate(s, kind, raw) for kind, raw in cases]
    assert [keys.key_account(db.lookups, kind, raw) for kind, raw in cases] == expected
    assert expected[0] == expected[2] == acc.id and expected.count(None) == 6
    with db.session() as s:
        write_id = next(k.id for k in keys.list_keys(s, acc.id) if k.kind == "write")
        keys.revoke_key(s, acc.id, write_id)
    assert keys.key_account(db.lookups, "write", acc.write_key) is None  # at once, no cache


def test_the_key_check_outlives_a_connection_the_database_dropped(pg_database):
    """On PostgreSQL the key check's connections are not pinged before use (one round trip a
    request): one the server closed since (a restart, an idle timeout) is replaced at once."""
    from sqlalchemy import text

    from backend.store.db import Database

    db = Database(pg_database)
    try:
        with db.session() as s:
            acc = create_account(s, "Dropped", email=None, password=PASSWORD)
        conn = db.lookups.raw_connection()  # the connection the next check will be handed
        pid = conn.driver_connection.info.backend_pid
        conn.close()
        with db.session() as s:
            assert s.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        assert keys.key_account(db.lookups, "write", acc.write_key) == acc.id
        conn = db.lookups.raw_connection()
        assert conn.driver_connection.info.backend_pid != pid
        conn.close()
    finally:
        db.dispose()


def test_rotate_keeps_kind_and_label_and_the_public_key_follows(db, acc):
    with db.session() as s:
        public_id = next(k.id for k in keys.list_keys(s, acc.id) if k.kind == "public")
        new = keys.rotate_key(s, acc.id, public_id)
    with db.session() as s:
        infos = {k.id: k for k in keys.list_keys(s, acc.id)}
        assert not infos[public_id].active
        newest = max(infos.values(), key=lambda k: k.id)
        assert (newest.kind, newest.label, newest.public_text) == ("public", "default", new)
        assert keys.public_key(s, acc.id) == new
        assert [k.kind for k in keys.list_keys(s, acc.id, include_revoked=False)].count(
            "public"
        ) == 1


def test_keys_of_another_account_cannot_be_touched(db, acc):
    with db.session() as s:
        other = create_account(s, "Other")
        theirs = keys.list_keys(s, other.id)[0].id
        with pytest.raises(keys.UnknownKey):
            keys.revoke_key(s, acc.id, theirs)
        with pytest.raises(keys.UnknownKey):
            keys.rotate_key(s, acc.id, theirs)
    with db.session() as s:
        assert all(k.active for k in keys.list_keys(s, other.id))


@pytest.mark.parametrize("label", ["x" * 101, "tab\there", "nul\x00", 42])
def test_unstorable_labels_are_refused(db, acc, label):
    with pytest.raises(keys.InvalidLabel), db.session() as s:
        keys.create_key(s, acc.id, "write", label)


def test_unknown_kind_is_refused(db, acc):
    with pytest.raises(ValueError, match="key kind"), db.session() as s:
        keys.create_key(s, acc.id, "admin")


def test_verify_login(db, acc):
    with db.session() as s:
        assert (
            users.verify_login(s, " OWNER@acme.test", PASSWORD, ip="1.2.3.4").account_id == acc.id
        )
        assert users.verify_login(s, "owner@acme.test", "wrong", ip="1.2.3.4") is None
        assert users.verify_login(s, "nobody@acme.test", PASSWORD, ip="1.2.3.4") is None
        assert users.verify_login(s, "owner@acme.test\x00", PASSWORD, ip="1.2.3.4") is None


def test_the_rate_limit_forgets_old_failures(db, acc):
    with db.session() as s:
        for _ in range(users.MAX_FAILURES_PER_EMAIL):
            users.verify_login(s, "owner@acme.test", "wrong", ip="5.6.7.8")
    with pytest.raises(users.RateLimited) as exc, db.session() as s:
        users.verify_login(s, "owner@acme.test", PASSWORD, ip="9.9.9.9")
    assert exc.value.retry_after == int(users.LOGIN_WINDOW.total_seconds())
    with db.session() as s:  # the window passes
        for attempt in s.scalars(select(LoginAttempt)):
            attempt.at = utcnow() - users.LOGIN_WINDOW - timedelta(seconds=1)
    with db.session() as s:
        assert users.verify_login(s, "owner@acme.test", PASSWORD, ip="5.6.7.8") is not None


@pytest.mark.parametrize(
    "email, password, message",
    [
        ("not-an-email", "pw", "e-mail"),
        ("a\x00@b.test", "pw", "e-mail"),
        ("a@b.test", "", "password"),
    ],
)
def test_create_user_refuses_unusable_credentials(db, acc, email, password, message):
    with pytest.raises(ValueError, match=message), db.session() as s:
        users.create_user(s, acc.id, email, password)


def test_one_email_one_user(db, acc):
    with pytest.raises(ValueError, match="already exists"), db.session() as s:
        create_account(s, "Again", email="owner@ACME.test")


def test_generated_logins_are_usable(db):
    with db.session() as s:
        made = create_account(s, "  Spaced  Name!  ")
    assert made.name == "Spaced  Name!"
    assert "@" in made.login["email"] and len(made.login["password"]) >= 12
    with db.session() as s:
        assert users.verify_login(s, made.login["email"], made.login["password"]) is not None
    with pytest.raises(ValueError, match="must not be empty"), db.session() as s:
        create_account(s, "   ")
