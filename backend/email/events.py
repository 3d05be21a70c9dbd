"""The Segment messages Tally records about its own e-mail. They go through ingestion like
any other event (so counters, dashboards and segments see them), each with a messageId
derived from what it is about, so a retry is never counted twice."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

RECEIVED = "Received Email"
OPENED = "Opened Email"
CLICKED = "Clicked Email"
UNSUBSCRIBED = "Unsubscribed"
BOUNCED = "Bounced Email"
COMPLAINED = "Marked Email as Spam"
EMAIL_METRICS = (RECEIVED, OPENED, CLICKED, UNSUBSCRIBED, BOUNCED, COMPLAINED)


def identity(profile) -> dict:
    """Segment identity fields that ingestion resolves back to this profile without a
    lookup here: its userId, else its e-mail (ingestion resolves by e-mail before
    anonymousId; the anonymousId only satisfies the message format)."""
    if profile.external_id:
        return {"userId": profile.external_id}
    ident: dict = {"anonymousId": f"tally-profile-{profile.id}"}
    if profile.email:
        ident["traits"] = {"email": profile.email}
    return ident


EMAIL_DIMENSION = "$email"  # counted for every account (migration email_0002)
MACHINE_SUFFIX = "~machine"


def email_key(source: dict) -> str:
    """The e-mail an event is about, as a counter dimension value: "f12:welcome" (flow 12,
    node welcome) or "c7:A" (campaign 7, variant A)."""
    if source.get("campaign") is not None:
        return f"c{source['campaign']}:{source.get('variant') or ''}"
    return f"f{source.get('flow')}:{source.get('node')}"


def source_properties(source: dict) -> dict:
    """{"campaign": id, "variant"?} or {"flow": id, "node": id} as event properties. The
    `$flow`/`$node` copies are what flows' per-node numbers have always counted by."""
    if source.get("campaign") is not None:
        props = {"campaign": str(source["campaign"])}
        if source.get("variant"):
            props["variant"] = str(source["variant"])
    else:
        props = {"flow": str(source.get("flow")), "node": str(source.get("node"))}
        props["$flow"], props["$node"] = props["flow"], props["node"]
    props[EMAIL_DIMENSION] = email_key(source)
    return props


def _iso(at: datetime | None) -> str:
    at = at or datetime.now(UTC)
    if at.tzinfo is not None:
        at = at.astimezone(UTC).replace(tzinfo=None)
    return at.isoformat() + "Z"


def email_event(
    metric: str,
    ident: dict,
    source: dict,
    message_id: str,
    *,
    subject: str | None = None,
    at: datetime | None = None,
    **props,
) -> dict:
    """One track message about an e-mail. `message_id` must name this very occurrence."""
    properties = source_properties(source)
    if subject is not None:
        properties["subject"] = subject
    properties.update({k: v for k, v in props.items() if v is not None})
    if properties.get("machine"):  # scanners' opens and clicks are counted apart
        properties[EMAIL_DIMENSION] += MACHINE_SUFFIX
    return {
        "type": "track",
        "event": metric,
        **ident,
        "messageId": message_id[:200],
        "timestamp": _iso(at),
        "properties": properties,
    }


def received(profile, source, message_key, subject, at=None) -> dict:
    return email_event(
        RECEIVED, identity(profile), source, f"email-{message_key}-received", subject=subject, at=at
    )


def opened(ident, source, message_key, subject, machine: bool, at=None) -> dict:
    """One per e-mail and kind: a person's first open, and a scanner's, each count once
    (ingestion drops the repeats by messageId), so opens are opened e-mails."""
    return email_event(
        OPENED,
        ident,
        source,
        f"email-{message_key}-open-{'machine' if machine else 'human'}",
        subject=subject,
        at=at,
        machine=bool(machine),
    )


def clicked(ident, source, message_key, subject, url, machine: bool, at=None) -> dict:
    """One per e-mail, link and kind (person or scanner): clicks are links clicked."""
    link = hashlib.sha256(url.encode("utf-8", "replace")).hexdigest()[:12]
    return email_event(
        CLICKED,
        ident,
        source,
        f"email-{message_key}-click-{link}-{'machine' if machine else 'human'}",
        subject=subject,
        at=at,
        url=url,
        machine=bool(machine),
    )


def unsubscribed(profile, source, message_id, subject=None, at=None, **props) -> dict:
    return email_event(
        UNSUBSCRIBED, identity(profile), source, message_id, subject=subject, at=at, **props
    )


def bounced(profile, source, message_id, status, diagnostic, permanent=True, at=None) -> dict:
    return email_event(
        BOUNCED,
        identity(profile),
        source,
        message_id,
        at=at,
        status=status,
        diagnostic=(diagnostic or "")[:300] or None,
        permanent=permanent,
    )


def complained(profile, source, message_id, at=None, feedback_type="abuse") -> dict:
    return email_event(
        COMPLAINED, identity(profile), source, message_id, at=at, feedback_type=feedback_type
    )
