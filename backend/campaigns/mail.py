"""The campaign's side of the e-mail layer: each recipient's e-mail through compose (the one
path every marketing e-mail takes: tracking, unsubscribe headers, DKIM), suppression checked
at the moment of sending, and `Received Email` recorded through ingestion."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.campaigns import ab
from backend.email import events
from backend.email.compose import EmailContext, Outgoing, compose, message_key
from backend.email.render import placeholders, render
from backend.email.suppression import can_email
from backend.store.campaign_models import HOLD, Campaign
from backend.store.models import Account, Profile
from backend.store.privacy_models import erased_checker


def source(c: Campaign, variant: str) -> dict:
    if variant == HOLD:
        variant = c.winner or "A"
    return {"campaign": c.id, "variant": variant}


class CampaignMail:
    """`prepare` and `on_sent` for the Sender, over one runtime's settings and ingestion."""

    def __init__(self, settings, emit: Callable[[str, list[dict]], None]):
        self.settings = settings
        self.emit = emit
        self._contexts: dict[str, EmailContext] = {}

    def context(self, s: Session, account_id: str) -> EmailContext:
        ctx = self._contexts.get(account_id)
        if ctx is None:
            account = s.get(Account, account_id)
            ctx = self._contexts[account_id] = EmailContext.for_account(self.settings, account)
        return ctx

    def prepare(self, s: Session, c: Campaign, variant: str):
        ctx = self.context(s, c.account_id)
        subject, body, preview = ab.subject_of(c, variant), c.body, c.preview_text
        src = source(c, variant)

        erased = erased_checker(s, c.account_id)  # people erased on request (privacy)

        def one(profile: Profile, email: str) -> Outgoing | None:
            if not can_email(profile):  # unsubscribed since the campaign started
                return None
            if erased(profile.email):  # the address of an erased person, come back
                return None
            return compose(
                ctx, profile, subject=subject, body=body, source=src, preview_text=preview
            )

        return one

    def on_sent(self, c: Campaign, sent: list, profiles: dict[int, Profile] | None) -> None:
        """`sent`: [(item, reply, outgoing or None)]. Recovery has no outgoing: the key is
        deterministic and the subject is rendered again."""
        msgs = []
        for item, _reply, out in sent:
            src = source(c, item.variant)
            profile = profiles.get(item.profile_id) if profiles else None
            if profile is None:
                continue
            if out is not None:
                key, subject = out.message_key, out.subject
            else:
                key = message_key(src, item.profile_id)
                known = self._contexts.get(c.account_id)  # its currency, for | money
                ctx = placeholders(profile.traits, None, profile.email, known and known.currency)
                subject = " ".join(render(ab.subject_of(c, item.variant), ctx, "subject").split())
            msgs.append(events.received(profile, src, key, subject))
        if msgs:
            self.emit(c.account_id, msgs)


def load_profiles(s: Session, ids: list[int]) -> dict[int, Profile]:
    return {p.id: p for p in s.scalars(select(Profile).where(Profile.id.in_(ids)))}
