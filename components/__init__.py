"""Reusable Dash UI. Each widget owns its ids and callbacks; data comes from backend."""
