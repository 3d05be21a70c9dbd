"""Privacy requests on one profile: export everything held on the person (export.py), erase
it (erase.py), and the audit of both (audit.py). docs/privacy.md says what and why."""
