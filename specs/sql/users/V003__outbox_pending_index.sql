-- The relay scans only events that are neither published nor set aside (V002). Keep
-- set-aside events out of its index too, so a pile of dead letters never slows the scan.
DROP INDEX users.outbox_unpublished_idx;

CREATE INDEX outbox_pending_idx ON users.outbox (created_at)
WHERE published_at IS NULL AND failed_at IS NULL;
