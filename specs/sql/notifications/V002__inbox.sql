-- The inbox of the notifications consumer: one row per event id it has applied, written in
-- the same transaction as the event's effect. Delivery is at least once; an event id found
-- here was applied already, so a redelivery changes nothing.
CREATE TABLE notifications.inbox (
    event_id UUID PRIMARY KEY,
    event_type TEXT NOT NULL,
    received_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Housekeeping prunes old entries by age.
CREATE INDEX inbox_received_at_idx ON notifications.inbox (received_at);
