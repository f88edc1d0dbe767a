"""notifications: turns platform events into messages a user can read (welcome, orders)."""
