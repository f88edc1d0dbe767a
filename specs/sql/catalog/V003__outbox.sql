-- The catalog publishes product events (ADR 0037), so it gets a transactional outbox like
-- users and orders: written in the same transaction as the change, relayed at least once.
-- Stock taken or returned by an order is written here inside the order's transaction.
CREATE TABLE catalog.outbox (
    id UUID PRIMARY KEY,
    aggregate_type TEXT NOT NULL,
    aggregate_id UUID NOT NULL,
    event_type TEXT NOT NULL,
    payload JSONB NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    published_at TIMESTAMPTZ,
    attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    failed_at TIMESTAMPTZ,
    last_error TEXT,
    sequence BIGINT NOT NULL CHECK (sequence >= 1),
    request_id TEXT CHECK (char_length(request_id) <= 200),
    position BIGINT GENERATED ALWAYS AS IDENTITY
);

CREATE INDEX outbox_pending_idx ON catalog.outbox (position)
WHERE published_at IS NULL AND failed_at IS NULL;

-- The next sequence number of each aggregate (see users V004).
CREATE TABLE catalog.event_sequences (
    aggregate_type TEXT NOT NULL,
    aggregate_id UUID NOT NULL,
    last_sequence BIGINT NOT NULL CHECK (last_sequence >= 1),
    PRIMARY KEY (aggregate_type, aggregate_id)
);

-- Wake the relay on commit (NOTIFY is transactional) instead of making it poll.
CREATE FUNCTION catalog.notify_outbox() RETURNS TRIGGER
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('refarch_outbox', 'catalog');
    RETURN NULL;
END;
$$;

CREATE TRIGGER outbox_notify
AFTER INSERT ON catalog.outbox
FOR EACH STATEMENT EXECUTE FUNCTION catalog.notify_outbox();
