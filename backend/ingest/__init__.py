"""Event ingestion: validation, durable spool, dedup, pre-aggregation, geolocation.

ing = ingestor(runtime)
ing.accept(account_id, messages, ip)   # validated and on disk when it returns
ing.drain()                            # fold everything spooled into the stores
"""

from backend.ingest.service import Ingestor, ingestor

__all__ = ["Ingestor", "ingestor"]
