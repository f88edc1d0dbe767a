-- orders: orders with a snapshot of what was bought, idempotency keys and the outbox.
-- user_id and product_id refer to other services' data, so they carry no foreign key.

CREATE SCHEMA orders;

CREATE TABLE orders.orders (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id UUID NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (
        status IN ('pending', 'paid', 'shipped', 'delivered', 'cancelled')
    ),
    total_amount BIGINT NOT NULL CHECK (total_amount >= 0),
    currency CHAR(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    shipping_address JSONB NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- listMyOrders (owner, optional status), listAllOrders (optional status / user_id).
CREATE INDEX orders_user_id_created_at_idx ON orders.orders (user_id, created_at, id);
CREATE INDEX orders_user_id_status_created_at_idx ON orders.orders (
    user_id, status, created_at, id
);
CREATE INDEX orders_status_created_at_idx ON orders.orders (status, created_at, id);
CREATE INDEX orders_created_at_idx ON orders.orders (created_at, id);

-- Lines keep sku, name and price as they were when the order was placed.
CREATE TABLE orders.order_items (
    order_id UUID NOT NULL REFERENCES orders.orders (id) ON DELETE CASCADE,
    line_no SMALLINT NOT NULL CHECK (line_no BETWEEN 1 AND 50),
    product_id UUID NOT NULL,
    sku TEXT NOT NULL,
    name TEXT NOT NULL,
    quantity INTEGER NOT NULL CHECK (quantity BETWEEN 1 AND 100),
    unit_amount BIGINT NOT NULL CHECK (unit_amount >= 0),
    line_amount BIGINT NOT NULL CHECK (line_amount = unit_amount * quantity),
    PRIMARY KEY (order_id, line_no),
    UNIQUE (order_id, product_id)
);

-- Idempotency-Key per user: the first request claims the key (in_flight) in its own
-- committed step, then records the response it produced (done) for replays.
CREATE TABLE orders.idempotency_keys (
    user_id UUID NOT NULL,
    key TEXT NOT NULL CHECK (char_length(key) BETWEEN 1 AND 255),
    request_hash TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('in_flight', 'done')),
    response_status SMALLINT,
    response_body JSONB,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, key),
    CHECK ((state = 'done') = (response_status IS NOT NULL))
);

-- Old keys are pruned by age.
CREATE INDEX idempotency_keys_created_at_idx ON orders.idempotency_keys (created_at);

CREATE TABLE orders.outbox (
    id UUID PRIMARY KEY,
    aggregate_type TEXT NOT NULL,
    aggregate_id UUID NOT NULL,
    event_type TEXT NOT NULL,
    payload JSONB NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    published_at TIMESTAMPTZ
);

CREATE INDEX outbox_unpublished_idx ON orders.outbox (created_at)
WHERE published_at IS NULL;

-- Wake the relay on commit (NOTIFY is transactional) instead of making it poll.
CREATE FUNCTION orders.notify_outbox() RETURNS TRIGGER
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('refarch_outbox', 'orders');
    RETURN NULL;
END;
$$;

CREATE TRIGGER outbox_notify
AFTER INSERT ON orders.outbox
FOR EACH STATEMENT EXECUTE FUNCTION orders.notify_outbox();
