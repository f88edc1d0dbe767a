-- Email delivery (ADR 0041). The notifications service keeps its own copy of each
-- recipient's address, fed by user events, so it never reads the users schema, and a
-- delivery queue, one row per notification, that a background sender works through.

-- Who gets mail: written only by the consumer of user.registered, user.updated and
-- user.deleted. A deleted user keeps a row without an address (a tombstone), so a
-- notification that arrives after the deletion is recognised and never mailed.
-- changed_at is the occurred_at of the last user event applied: a redelivered older
-- event never overwrites a newer address.
CREATE TABLE notifications.recipients (
    user_id UUID PRIMARY KEY,
    email TEXT,
    first_name TEXT,
    changed_at TIMESTAMPTZ NOT NULL,
    deleted_at TIMESTAMPTZ,
    CONSTRAINT recipients_address_unless_deleted CHECK (
        (email IS NULL) = (deleted_at IS NOT NULL)
    )
);

-- The delivery queue: an outbox of emails. A row is pending until exactly one of
-- delivered_at (the relay accepted it), failed_at (a permanent bounce, or too many
-- temporary failures: the dead letter) or cancelled_at (the recipient was deleted first)
-- is set. attempts counts sends tried, next_attempt_at spaces retries out (exponential
-- backoff). message_id is derived from the notification id and is the same on every
-- attempt, so a receiver can drop the duplicate of a resend after a crash.
CREATE TABLE notifications.deliveries (
    notification_id UUID PRIMARY KEY REFERENCES notifications.notifications (id)
    ON DELETE CASCADE,
    user_id UUID NOT NULL,
    message_id TEXT NOT NULL UNIQUE,
    attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_error TEXT,
    delivered_at TIMESTAMPTZ,
    failed_at TIMESTAMPTZ,
    cancelled_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT deliveries_one_outcome CHECK (
        num_nonnulls(delivered_at, failed_at, cancelled_at) <= 1
    )
);

-- The sender's scan: pending deliveries that are due, oldest first.
CREATE INDEX deliveries_pending_next_attempt_at_idx ON notifications.deliveries (
    next_attempt_at
) WHERE delivered_at IS NULL AND failed_at IS NULL AND cancelled_at IS NULL;

-- user.deleted cancels that user's pending deliveries.
CREATE INDEX deliveries_pending_user_id_idx ON notifications.deliveries (
    user_id
) WHERE delivered_at IS NULL AND failed_at IS NULL AND cancelled_at IS NULL;
