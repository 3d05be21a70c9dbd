"""Campaigns: one-off e-mails to lists and segments, A/B tested, sent exactly once
(docs/campaigns.md)."""
