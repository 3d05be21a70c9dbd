"""Signup forms: schema, versions and publishing, storefront submissions, double opt-in.

Models live in backend/store/form_models.py; the storefront script in assets/embed/.
"""
