"""Demo data: realistic storefront traffic fed through the real ingestion path.

from backend.demo import generate, seed
seed(runtime, account_id, events=1_000_000, days=90)
"""

from backend.demo.seed import seed
from backend.demo.traffic import black_friday, generate

__all__ = ["black_friday", "generate", "seed"]
