"""orders: placing orders (with idempotency keys), reading them, cancelling and fulfilment."""
