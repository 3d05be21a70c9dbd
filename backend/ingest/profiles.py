"""Resolve the profile of each message in bulk: by userId, then e-mail, then anonymousId.

identify (or any message carrying a userId / e-mail) merges an anonymous profile into the
known one: its events, lists and aliases move over and the anonymous profile goes away.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session, make_transient_to_detached

from backend.store.models import Event, ListMember, Profile, ProfileAlias
from backend.store.touches import events_rewritten, touch


def _email(traits: dict) -> str | None:
    value = traits.get("email")
    if isinstance(value, str) and "@" in value and len(value) <= 320:
        return value.strip().lower()
    return None


class ProfileResolver:
    def __init__(self, session: Session, account_id: str, msgs: list[dict]):
        self.s = session
        self.account_id = account_id
        uids = {m["u"] for m in msgs if m["u"]}
        anons = {m["a"] for m in msgs if m["a"]}
        emails = {e for m in msgs if (e := _email(m["tr"]))}
        self.by_uid: dict[str, Profile] = {}
        self.by_email: dict[str, Profile] = {}
        self.by_anon: dict[str, Profile] = {}
        self.new_aliases: dict[str, Profile] = {}
        self._merged_into: dict[int, Profile] = {}  # id(merged-away object) -> survivor
        self._seen: dict[tuple, Profile] = {}  # (userId, anonymousId, e-mail) -> profile
        self._spans: dict[int, list] = {}  # id(profile) -> [profile, first, last, country]
        # id(profile) -> a profile first seen in this pass, outside the session until
        # finish() inserts them all at once: through the ORM's unit of work each cost ~40 us,
        # a seventh of a pass of storefront traffic, where most visitors are new.
        self._new: dict[int, Profile] = {}
        for chunk in _chunks(sorted(uids)):
            for p in session.scalars(
                select(Profile).where(
                    Profile.account_id == account_id, Profile.external_id.in_(chunk)
                )
            ):
                self._remember(p)
        for chunk in _chunks(sorted(emails)):
            for p in session.scalars(
                select(Profile).where(Profile.account_id == account_id, Profile.email.in_(chunk))
            ):
                self._remember(p)
        for chunk in _chunks(sorted(anons)):
            rows = session.execute(
                select(ProfileAlias.anonymous_id, Profile)
                .join(Profile, Profile.id == ProfileAlias.profile_id)
                .where(ProfileAlias.account_id == account_id, ProfileAlias.anonymous_id.in_(chunk))
            )
            for anon, p in rows:
                self._remember(p)
                self.by_anon[anon] = p

    def _remember(self, p: Profile) -> None:
        if p.external_id:
            self.by_uid[p.external_id] = p
        if p.email:
            self.by_email[p.email] = p

    def resolve(self, m: dict, ts: datetime, country: str | None) -> Profile:
        uid, anon = m["u"], m["a"]
        traits = m["tr"]
        email = _email(traits) if traits else None
        key = (uid, anon, email)
        if not traits:
            p = self._seen.get(key)
            if p is not None:
                # This identity was resolved earlier in the pass and there is nothing new to
                # merge or alias: only its seen-span moves (the common case by far).
                p = self.final(p)
                self._touch(p, ts, country)
                return p
        p = self.by_uid.get(uid) if uid else None
        if p is None and email:
            p = self.by_email.get(email)
        anon_p = self.by_anon.get(anon) if anon else None
        if p is None:
            if anon_p is not None and (not uid or anon_p.external_id in (None, uid)):
                p = anon_p
        elif anon_p is not None and anon_p is not p and self._mergeable(anon_p, p):
            self._merge(anon_p, p)
        if p is None:
            p = Profile(account_id=self.account_id, traits={}, first_seen=ts, last_seen=ts)
            self._new[id(p)] = p
        if uid and not p.external_id:
            p.external_id = uid
            self.by_uid[uid] = p
        if email and not p.email and email not in self.by_email:
            p.email = email
            self.by_email[email] = p
        if anon and anon not in self.by_anon:
            self.by_anon[anon] = p
            self.new_aliases[anon] = p
        if traits and m["t"] in ("identify", "alias", "track", "page", "screen"):
            merged = {**(p.traits or {}), **traits}
            if merged != p.traits:
                p.traits = merged
        self._seen[key] = p
        self._touch(p, ts, country)
        return p

    def _touch(self, p: Profile, ts: datetime, country: str | None) -> None:
        """Move the profile's first/last seen and country, in a plain list until finish():
        setting ORM attributes per event cost more than the rest of the fold."""
        span = self._spans.get(id(p))
        if span is None:
            span = self._spans[id(p)] = [p, p.first_seen, p.last_seen, p.country]
        if country and (span[2] is None or ts >= span[2] or not span[3]):
            span[3] = country
        if span[1] is None or ts < span[1]:
            span[1] = ts
        if span[2] is None or ts > span[2]:
            span[2] = ts

    def _apply(self, p: Profile) -> None:
        span = self._spans.pop(id(p), None)
        if span is None:
            return
        _, first, last, country = span
        if p.first_seen != first:
            p.first_seen = first
        if p.last_seen != last:
            p.last_seen = last
        if p.country != country:
            p.country = country

    def finish(self) -> None:
        """Write the seen-spans back to the profiles, insert the new profiles and aliases."""
        for span in list(self._spans.values()):
            self._apply(span[0])
        self._insert(list(self._new.values()))
        self._new.clear()
        self.write_aliases()

    def _insert(self, profiles: list[Profile], track: bool = False) -> None:
        """Insert new profiles in one statement and give them their ids. With track, they
        join the session too, so later changes to them are written (a merge in mid-pass);
        otherwise they are done with: only their ids are read after finish()."""
        if not profiles:
            return
        table = Profile.__table__
        rows = [
            {
                "account_id": p.account_id,
                "external_id": p.external_id,
                "email": p.email,
                "traits": p.traits,
                "country": p.country,
                "first_seen": p.first_seen,
                "last_seen": p.last_seen,
            }
            for p in profiles
        ]
        ids = self.s.scalars(
            insert(table).returning(table.c.id, sort_by_parameter_order=True), rows
        ).all()
        for p, pid in zip(profiles, ids, strict=True):
            p.id = pid
            if track:
                make_transient_to_detached(p)
                self.s.add(p)

    @staticmethod
    def _mergeable(anon_p: Profile, known: Profile) -> bool:
        # Never merge two known people (a shared device): only an anonymous profile folds in.
        return anon_p.external_id is None and (anon_p.email is None or anon_p.email == known.email)

    def _merge(self, src: Profile, dst: Profile) -> None:
        self._apply(src)
        self._apply(dst)
        src_is_new = self._new.pop(id(src), None) is not None
        if not src_is_new:  # a new one has nothing in the store yet: nothing to move
            if self._new.pop(id(dst), None) is not None:
                self._insert([dst], track=True)  # src's events and aliases move to its id
            self.s.flush()  # both need ids
            moved = self.s.execute(
                update(Event).where(Event.profile_id == src.id).values(profile_id=dst.id)
            ).rowcount
            if moved:  # events changed owner: segment column caches reload
                events_rewritten(self.s, self.account_id)
            touch(self.s, self.account_id, [dst.id])  # its events and lists: re-evaluate it
            self.s.execute(
                update(ProfileAlias)
                .where(ProfileAlias.profile_id == src.id)
                .values(profile_id=dst.id)
            )
            have = set(
                self.s.scalars(select(ListMember.list_id).where(ListMember.profile_id == dst.id))
            )
            for lm in self.s.scalars(select(ListMember).where(ListMember.profile_id == src.id)):
                if lm.list_id in have:
                    self.s.delete(lm)
                else:
                    lm.profile_id = dst.id
        dst.traits = {**(src.traits or {}), **(dst.traits or {})}
        dst.country = dst.country or src.country
        dst.first_seen = min(dst.first_seen, src.first_seen)
        dst.last_seen = max(dst.last_seen, src.last_seen)
        self._merged_into[id(src)] = dst
        for anon, p in list(self.by_anon.items()):
            if p is src:
                self.by_anon[anon] = dst
        for anon, p in list(self.new_aliases.items()):
            if p is src:
                self.new_aliases[anon] = dst
        if not src_is_new:
            self.s.flush()
            self.s.execute(delete(Profile).where(Profile.id == src.id))
            self.s.expunge(src)

    def final(self, p: Profile) -> Profile:
        """The profile an earlier resolve() answer now lives on (after merges)."""
        while id(p) in self._merged_into:
            p = self._merged_into[id(p)]
        return p

    def write_aliases(self) -> None:
        """Insert the aliases first seen in this batch (after profiles have ids)."""
        if not self.new_aliases:
            return
        self.s.flush()
        self.s.execute(
            ProfileAlias.__table__.insert(),
            [
                {"account_id": self.account_id, "anonymous_id": a, "profile_id": p.id}
                for a, p in self.new_aliases.items()
            ],
        )


def _chunks(items: list, size: int = 500):
    for i in range(0, len(items), size):
        yield items[i : i + size]
