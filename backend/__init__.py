"""Tally's backend: pure Python, no Dash. Layers: api -> services -> {store, counters}."""
