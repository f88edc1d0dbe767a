-- analytics: the read model of the platform's events, in DuckDB (ADR 0047).
-- Written only by the analytics event consumer; it holds facts, never running totals,
-- and every report aggregates them when asked, so late, repeated or out-of-order events
-- still give exact figures. No table refers to another service's database.

-- The ledger of applied events: an event id is recorded in the transaction that applies
-- the event, so a redelivery finds it and changes nothing (exactly-once effect).
CREATE TABLE applied_events (
    event_id UUID PRIMARY KEY,
    event_type VARCHAR NOT NULL,
    aggregate_id UUID NOT NULL,
    sequence BIGINT NOT NULL CHECK (sequence >= 1),
    occurred_at TIMESTAMPTZ NOT NULL,
    applied_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp
);

-- One row per order.placed: the order as it was placed.
CREATE TABLE orders (
    order_id UUID PRIMARY KEY,
    user_id UUID NOT NULL,
    placed_at TIMESTAMPTZ NOT NULL,
    currency VARCHAR NOT NULL,
    total_amount BIGINT NOT NULL CHECK (total_amount >= 0)
);

-- The lines of each order; a product appears once per order (the orders API refuses
-- repeats). No key: the ledger already stops a second copy, and bulk appends stay cheap.
CREATE TABLE order_lines (
    order_id UUID NOT NULL,
    product_id UUID NOT NULL,
    quantity INTEGER NOT NULL CHECK (quantity >= 1),
    unit_amount BIGINT NOT NULL CHECK (unit_amount >= 0)
);

-- Each state an order reached after pending, once, with when (the state machine never
-- revisits a state), from order.status_changed and order.cancelled.
CREATE TABLE order_states (
    order_id UUID NOT NULL,
    status VARCHAR NOT NULL CHECK (status IN ('paid', 'shipped', 'delivered', 'cancelled')),
    from_status VARCHAR NOT NULL,
    reached_at TIMESTAMPTZ NOT NULL,
    reason VARCHAR,
    PRIMARY KEY (order_id, status)
);

-- Accounts: when they registered and their latest role. *_sequence is the per-user
-- sequence of the event that set the value: an older event never overwrites a newer one.
CREATE TABLE customers (
    user_id UUID PRIMARY KEY,
    registered_at TIMESTAMPTZ,
    role VARCHAR,
    role_sequence BIGINT NOT NULL DEFAULT 0,
    deleted BOOLEAN NOT NULL DEFAULT FALSE
);

-- Products: latest details and stock, each with the sequence of the event that set it.
CREATE TABLE products (
    product_id UUID PRIMARY KEY,
    sku VARCHAR,
    name VARCHAR,
    category_id UUID,
    price_amount BIGINT,
    currency VARCHAR,
    details_sequence BIGINT NOT NULL DEFAULT 0,
    stock INTEGER,
    stock_sequence BIGINT NOT NULL DEFAULT 0
);
