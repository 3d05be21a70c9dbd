"""Accounts, their users and their API keys (write, public, private)."""
