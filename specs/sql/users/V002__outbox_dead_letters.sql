-- Dead letters (SEC-013): an event the consumer rejects as malformed, or fails on five
-- times, is set aside (failed_at, last_error) instead of being retried forever and
-- filling the relay's batches. attempts counts the failures so far.
-- The V001 partial index (WHERE published_at IS NULL) still serves the relay's
-- "published_at IS NULL AND failed_at IS NULL" scan: its predicate is implied by the query.
ALTER TABLE users.outbox
ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
ADD COLUMN failed_at TIMESTAMPTZ,
ADD COLUMN last_error TEXT;
