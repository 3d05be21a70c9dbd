"""`tally loadtest`: open-model load runs against a real Tally, with SLOs and an exactness check.

The generator (Locust user classes, gevent) runs in its own process (generator.py) so that
gevent's monkey-patching never touches the rest of Tally; this package's other modules are
plain Python that the CLI process uses: profiles, the throwaway target, the ledger check,
SLO evaluation and the report. See docs/loadtest.md.
"""
