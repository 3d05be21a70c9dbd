"""Widgets of the Lists pages: the lists table, a list's growth and sources, its members,
and the CSV importer (each module owns its ids and callbacks)."""
