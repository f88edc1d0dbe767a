-- notifications: what the platform told each user. Filled only by the event consumer,
-- which is idempotent: one notification per event id, however often it is delivered.

CREATE SCHEMA notifications;

CREATE TABLE notifications.notifications (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id UUID NOT NULL,
    type TEXT NOT NULL CHECK (
        type IN ('welcome', 'order_confirmation', 'order_status_changed')
    ),
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    data JSONB NOT NULL DEFAULT '{}'::JSONB,
    event_id UUID NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- listMyNotifications: newest first, optionally filtered by type.
CREATE INDEX notifications_user_id_created_at_idx ON notifications.notifications (
    user_id, created_at, id
);
CREATE INDEX notifications_user_id_type_created_at_idx ON notifications.notifications (
    user_id, type, created_at, id
);
