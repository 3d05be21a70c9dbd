"""Flows: definitions (schema), enrollment on live events, the step engine, actions."""
