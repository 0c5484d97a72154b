"""The domain core: plain Python, no web, database or HTTP imports."""
