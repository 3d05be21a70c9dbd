"""The campaign editor: compose (subject, preview text, body with placeholders), audience,
smart sending, an optional A/B test of subjects; a live preview for a chosen profile and a
live recipient count; save, send a test, send now or schedule in the account's time zone."""

from __future__ import annotations

import dash_mantine_components as dmc
from dash import Input, Output, State, callback, ctx, html, no_update

from backend.campaigns import preview, service
from backend.errors import TallyError
from backend.store.db import utcnow
from components.context import account_id, runtime

FIELDS = [
    Input("cmp-name", "value"),
    Input("cmp-subject", "value"),
    Input("cmp-preview-text", "value"),
    Input("cmp-body", "value"),
    Input("cmp-lists", "value"),
    Input("cmp-segments", "value"),
    Input("cmp-ex-lists", "value"),
    Input("cmp-ex-segments", "value"),
    Input("cmp-smart", "value"),
    Input("cmp-ab-on", "checked"),
    Input("cmp-ab-subjects", "value"),
    Input("cmp-ab-percent", "value"),
    Input("cmp-ab-wait", "value"),
    Input("cmp-ab-by", "value"),
]


def definition(
    name,
    subject,
    pre,
    body,
    lists,
    segs,
    xlists,
    xsegs,
    smart,
    ab_on,
    ab_subjects,
    ab_pct,
    ab_wait,
    ab_by,
) -> dict:
    d = {
        "name": name or "",
        "subject": subject or "",
        "preview_text": pre or None,
        "body": body or "",
        "audience": {
            "lists": lists or [],
            "segments": [int(x) for x in segs or []],
            "exclude_lists": xlists or [],
            "exclude_segments": [int(x) for x in xsegs or []],
        },
        "smart_sending_hours": int(smart) if smart not in (None, "") else 16,
    }
    if ab_on:
        d["ab"] = {
            "subjects": [x.strip() for x in (ab_subjects or "").splitlines() if x.strip()],
            "test_percent": ab_pct or 20,
            "pick_after_minutes": ab_wait if ab_wait is not None else 60,
            "by": ab_by or "opens",
        }
    return d


def _problems(exc: TallyError) -> list[str]:
    return [str(p) for p in getattr(exc, "problems", None) or [exc.message]]


def _multi(id_, label, data, value):
    return dmc.MultiSelect(
        id=id_,
        label=label,
        data=data,
        value=value,
        searchable=True,
        clearable=True,
        placeholder="None",
    )


def editor(c: dict, lists: list[str], segments: list[tuple[int, str]], tz: str):
    aud = c.get("audience") or {}
    segs = [{"value": str(i), "label": n} for i, n in segments]
    ab = c.get("ab") or {}
    form = dmc.Stack(
        [
            dmc.TextInput(
                id="cmp-name", debounce=400, label="Name", value=c["name"], required=True
            ),
            dmc.TextInput(
                id="cmp-subject",
                debounce=400,
                label="Subject",
                value=c["subject"],
                required=True,
                description="Placeholders: {{ first_name }}, {{ email }}, any trait",
            ),
            dmc.TextInput(
                id="cmp-preview-text",
                debounce=400,
                label="Preview text",
                value=c.get("preview_text") or "",
            ),
            dmc.Textarea(
                id="cmp-body",
                debounce=400,
                label="Body",
                value=c["body"],
                autosize=True,
                minRows=8,
                description="Plain text; links become tracked links",
            ),
            html.H2("Audience", className="section-title"),
            _multi("cmp-lists", "Send to lists", lists, aud.get("lists") or []),
            _multi(
                "cmp-segments",
                "Send to segments",
                segs,
                [str(x) for x in aud.get("segments") or []],
            ),
            _multi("cmp-ex-lists", "Don't send to lists", lists, aud.get("exclude_lists") or []),
            _multi(
                "cmp-ex-segments",
                "Don't send to segments",
                segs,
                [str(x) for x in aud.get("exclude_segments") or []],
            ),
            dmc.NumberInput(
                id="cmp-smart",
                label="Smart sending: skip who got e-mail in the last N hours (0: off)",
                value=c["smart_sending_hours"],
                min=0,
                max=720,
            ),
            html.Div(id="cmp-count", role="status", **{"aria-live": "polite"}),
            html.H2("A/B test of subjects", className="section-title"),
            dmc.Switch(id="cmp-ab-on", label="Test 2 to 4 subjects", checked=bool(ab)),
            dmc.Textarea(
                id="cmp-ab-subjects",
                debounce=400,
                label="Subjects, one a line",
                value="\n".join(ab.get("subjects") or []),
                autosize=True,
                minRows=2,
            ),
            dmc.Group(
                [
                    dmc.NumberInput(
                        id="cmp-ab-percent",
                        label="Test share (%)",
                        value=ab.get("test_percent", 20),
                        min=1,
                        max=100,
                    ),
                    dmc.NumberInput(
                        id="cmp-ab-wait",
                        label="Pick the winner after (minutes)",
                        value=ab.get("pick_after_minutes", 60),
                        min=0,
                    ),
                    dmc.Select(
                        id="cmp-ab-by",
                        label="Winner by",
                        value=ab.get("by", "opens"),
                        data=[
                            {"value": "opens", "label": "Opens"},
                            {"value": "clicks", "label": "Clicks"},
                        ],
                    ),
                ]
            ),
        ]
    )
    actions = dmc.Stack(
        [
            html.Div(id="cmp-message", role="alert"),
            dmc.Group(
                [
                    dmc.Button("Save draft", id="cmp-save", variant="default"),
                    dmc.Button("Send now", id="cmp-send-now"),
                ]
            ),
            dmc.Group(
                [
                    dmc.TextInput(
                        id="cmp-send-at", label=f"Send at ({tz})", placeholder="2026-11-27 09:00"
                    ),
                    dmc.Button("Schedule", id="cmp-schedule", variant="light"),
                ],
                align="flex-end",
            ),
        ]
    )
    side = dmc.Stack(
        [
            html.H2("Preview", className="section-title"),
            dmc.TextInput(
                id="cmp-preview-profile",
                label="As this profile gets it (e-mail)",
                placeholder="someone@example.com",
                debounce=400,
            ),
            dmc.Paper(id="cmp-preview", withBorder=True, p="md", radius="md"),
            dmc.Group(
                [
                    dmc.TextInput(
                        id="cmp-test-to", label="Send a test to", placeholder="you@example.com"
                    ),
                    dmc.Button("Send test", id="cmp-test-send", variant="light"),
                ],
                align="flex-end",
            ),
            actions,
        ]
    )
    return dmc.Grid(
        [
            dmc.GridCol(form, span={"base": 12, "md": 7}),
            dmc.GridCol(side, span={"base": 12, "md": 5}),
        ],
        gutter="xl",
        maw=1200,
    )


@callback(
    Output("cmp-count", "children"),
    Output("cmp-preview", "children"),
    *FIELDS,
    Input("cmp-preview-profile", "value"),
)
def live(*values):
    d = definition(*values[:-1])
    who = (values[-1] or "").strip()
    with runtime().db.session() as s:
        try:
            n = service.recipient_count(s, account_id(), d, utcnow())
            count = (
                f"{n['recipients'] - n['skipped']:,} recipients now"
                f" ({n['skipped']:,} skipped by smart sending, "
                f"{n['suppressed']:,} suppressed left out)"
            )
        except TallyError as exc:
            count = "; ".join(_problems(exc))
        try:
            p = preview.preview(s, account_id(), {**d, "profile_email": who or None}, None)
            shown = [
                dmc.Text(f"To: {p['to']}", size="sm", c="dimmed"),
                html.H3(p["subject"], id="cmp-preview-subject"),
                dmc.Text(p["preview_text"], size="sm", c="dimmed"),
                html.Pre(p["text"], id="cmp-preview-text-body", style={"whiteSpace": "pre-wrap"}),
            ]
        except TallyError as exc:
            shown = dmc.Alert("; ".join(_problems(exc)), color="red", title="Cannot render")
    return count, shown


@callback(
    Output("cmp-message", "children"),
    Output("cmp-go", "href"),
    Input("cmp-save", "n_clicks"),
    Input("cmp-send-now", "n_clicks"),
    Input("cmp-schedule", "n_clicks"),
    Input("cmp-test-send", "n_clicks"),
    State("cmp-id", "data"),
    State("cmp-send-at", "value"),
    State("cmp-test-to", "value"),
    State("cmp-preview-profile", "value"),
    *[State(i.component_id, i.component_property) for i in FIELDS],
    prevent_initial_call=True,
)
def act(_s, _n, _sch, _t, cid, send_at, test_to, who, *values):
    d = definition(*values)
    rt, acc = runtime(), account_id()
    try:
        with rt.db.session() as s:
            if ctx.triggered_id == "cmp-test-send":
                r = preview.send_test(
                    s,
                    acc,
                    {**d, "to": test_to, "profile_email": (who or "").strip() or None},
                    rt.settings,
                )
                return dmc.Alert(f"Test sent to {r['to']}.", color="green"), no_update
            service.update(s, acc, cid, d)
            if ctx.triggered_id == "cmp-save":
                return dmc.Alert("Saved.", color="green"), no_update
            body = {}
            if ctx.triggered_id == "cmp-schedule":
                body = {"send_at": (send_at or "").strip().replace(" ", "T")}
            service.send(s, acc, cid, body, utcnow())
        return no_update, f"/campaigns/{cid}"
    except TallyError as exc:
        return dmc.Alert(
            html.Ul([html.Li(p) for p in _problems(exc)]), color="red", title="Not done"
        ), no_update
