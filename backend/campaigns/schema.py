"""A campaign's JSON definition (docs/api.md, "Campaigns"): checked and normalised before
anything is stored, so a template that does not render is refused when saved or sent, never
found out while sending."""

from __future__ import annotations

from typing import Any

from backend.email.render import TemplateInvalid, placeholders, render
from backend.errors import Invalid

AUDIENCE_KEYS = ("lists", "segments", "exclude_lists", "exclude_segments")
AB_BY = ("opens", "clicks")
MAX_ID = 2**63  # a store id is a signed 64-bit integer
SAMPLE = placeholders({"first_name": "Ada", "last_name": "Lovelace"}, {}, "ada@example.com")


def template_problem(field: str, source: str) -> str | None:
    """Compile and render `source` for a sample profile: syntax, unknown filters and errors
    raised while rendering all show up here, with the field's name."""
    try:
        render(source, SAMPLE, field)
    except TemplateInvalid as exc:
        return "; ".join(str(p) for p in exc.problems) or f"{field}: {exc.message}"
    return None


def _names(value: Any, field: str, problems: list[str]) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        problems.append(f"audience.{field}: must be a list of list names")
        return []
    return list(dict.fromkeys(v.strip() for v in value))


def _ids(value: Any, field: str, problems: list[str]) -> list[int]:
    if value is None:
        return []
    ok = isinstance(value, list) and all(
        ((isinstance(v, int) and not isinstance(v, bool)) or (isinstance(v, str) and v.isdigit()))
        and 0 < int(v) < MAX_ID
        for v in value
    )
    if not ok:
        problems.append(f"audience.{field}: must be a list of segment ids")
        return []
    return list(dict.fromkeys(int(v) for v in value))


def parse_audience(raw: Any, problems: list[str]) -> dict:
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        problems.append("audience: must be an object with lists and segments")
        raw = {}
    unknown = sorted(set(raw) - set(AUDIENCE_KEYS))
    if unknown:
        problems.append(f"audience: unknown keys {', '.join(unknown)}")
    out = {
        "lists": _names(raw.get("lists"), "lists", problems),
        "segments": _ids(raw.get("segments"), "segments", problems),
        "exclude_lists": _names(raw.get("exclude_lists"), "exclude_lists", problems),
        "exclude_segments": _ids(raw.get("exclude_segments"), "exclude_segments", problems),
    }
    return out


def _ab(raw: Any, problems: list[str]) -> dict | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        problems.append("ab: must be an object with subjects, test_percent, ...")
        return None
    subjects = raw.get("subjects")
    if not isinstance(subjects, list) or not 2 <= len(subjects) <= 4:
        problems.append("ab.subjects: two to four subjects")
        subjects = []
    for i, subj in enumerate(subjects):
        if not isinstance(subj, str) or not subj.strip():
            problems.append(f"ab.subjects[{i}]: must not be empty")
        elif p := template_problem(f"ab.subjects[{i}]", subj):
            problems.append(p)
    pct = raw.get("test_percent", 20)
    if isinstance(pct, bool) or not isinstance(pct, int | float) or not 1 <= pct <= 100:
        problems.append("ab.test_percent: a number from 1 to 100")
        pct = 20
    wait = raw.get("pick_after_minutes", 60)
    if isinstance(wait, bool) or not isinstance(wait, int | float) or not 0 <= wait <= 10080:
        problems.append("ab.pick_after_minutes: minutes from 0 to 10080 (a week)")
        wait = 60
    by = raw.get("by", "opens")
    if by not in AB_BY:
        problems.append("ab.by: 'opens' or 'clicks'")
    return {
        "subjects": [str(s).strip() for s in subjects],
        "test_percent": pct,
        "pick_after_minutes": wait,
        "by": by,
    }


def validate(body: dict, *, for_send: bool = False) -> dict:
    """The normalised definition, or Invalid naming every problem. A draft may lack an
    audience; a campaign being sent may not (`for_send`)."""
    problems: list[str] = []
    name = body.get("name")
    if not isinstance(name, str) or not name.strip():
        problems.append("name: must not be empty")
    elif len(name) > 200:
        problems.append("name: at most 200 characters")
    subject = body.get("subject")
    if not isinstance(subject, str) or not subject.strip():
        problems.append("subject: must not be empty")
        subject = ""
    elif p := template_problem("subject", subject):
        problems.append(p)
    preview = body.get("preview_text")
    if preview is not None and not isinstance(preview, str):
        problems.append("preview_text: must be text")
        preview = None
    elif preview and (p := template_problem("preview_text", preview)):
        problems.append(p)
    text = body.get("body")
    if not isinstance(text, str) or not text.strip():
        problems.append("body: must not be empty")
        text = ""
    elif p := template_problem("body", text):
        problems.append(p)
    hours = body.get("smart_sending_hours", 16)
    if isinstance(hours, bool) or not isinstance(hours, int) or not 0 <= hours <= 720:
        problems.append("smart_sending_hours: whole hours from 0 (off) to 720")
        hours = 16
    audience = parse_audience(body.get("audience"), problems)
    if for_send and not (audience["lists"] or audience["segments"]):
        problems.append("audience: include at least one list or segment")
    ab = _ab(body.get("ab"), problems)
    if problems:
        raise Invalid(problems=problems)
    return {
        "name": name.strip(),
        "subject": subject.strip(),
        "preview_text": preview or None,
        "body": text,
        "audience": audience,
        "smart_sending_hours": hours,
        "ab": ab,
    }
