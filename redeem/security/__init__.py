"""Response headers, rate limits, request-origin checks and keyed hashes."""
