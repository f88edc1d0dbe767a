-- The event envelope (ADR 0037): every event carries a sequence per aggregate (1, 2, 3, ...
-- without gaps, in commit order), the X-Request-ID of the API call that caused it (NULL for
-- background jobs) and a position that orders the relay's scan.
-- The counter row of an aggregate is locked by the transaction that takes the next number,
-- so a second transaction on the same aggregate waits and numbers after the first commits.
CREATE TABLE users.event_sequences (
    aggregate_type TEXT NOT NULL,
    aggregate_id UUID NOT NULL,
    last_sequence BIGINT NOT NULL CHECK (last_sequence >= 1),
    PRIMARY KEY (aggregate_type, aggregate_id)
);

ALTER TABLE users.outbox
ADD COLUMN sequence BIGINT,
ADD COLUMN request_id TEXT CHECK (char_length(request_id) <= 200),
ADD COLUMN position BIGINT GENERATED ALWAYS AS IDENTITY;

-- Events written before this migration are numbered in the order they were created.
UPDATE users.outbox AS o SET sequence = numbered.n
FROM (
    SELECT
        id,
        row_number() OVER (
            PARTITION BY aggregate_type, aggregate_id ORDER BY created_at, id
        ) AS n
    FROM users.outbox
) AS numbered
WHERE o.id = numbered.id;

INSERT INTO users.event_sequences (aggregate_type, aggregate_id, last_sequence)
SELECT
    aggregate_type,
    aggregate_id,
    max(sequence) AS last_sequence
FROM users.outbox
GROUP BY aggregate_type, aggregate_id;

ALTER TABLE users.outbox
ALTER COLUMN sequence SET NOT NULL,
ADD CONSTRAINT outbox_sequence_positive CHECK (sequence >= 1);

-- The relay reads pending events in position order (commit order per aggregate).
DROP INDEX users.outbox_pending_idx;

CREATE INDEX outbox_pending_idx ON users.outbox (position)
WHERE published_at IS NULL AND failed_at IS NULL;
