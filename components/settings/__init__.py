"""The Settings page's sections: one module each, owning its ids and callbacks.

pages/settings.py lists them in order; a new section is one module here plus one entry there.
Each module exposes `section()`, returning one dmc.Paper.
"""
