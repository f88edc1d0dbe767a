"""``make bench``: the reference implementation against a minimal bare-ASGI baseline."""
