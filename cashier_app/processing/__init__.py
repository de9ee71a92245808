"""The processing protocol v20 (seed 003): typed answers, request bodies, the async client."""
