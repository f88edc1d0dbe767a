"""The reference implementation: one ASGI app serving every v1 spec on PostgreSQL."""
