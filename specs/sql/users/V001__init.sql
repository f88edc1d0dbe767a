-- users: accounts, refresh tokens, login throttling state and the outbox of user events.
-- Everything that must hold across worker processes lives here, not in process memory.

CREATE SCHEMA users;

CREATE TABLE users.users (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    email TEXT NOT NULL CHECK (char_length(email) BETWEEN 3 AND 254),
    password_hash TEXT NOT NULL,
    first_name TEXT NOT NULL CHECK (char_length(first_name) BETWEEN 1 AND 100),
    last_name TEXT NOT NULL CHECK (char_length(last_name) BETWEEN 1 AND 100),
    phone TEXT CHECK (phone ~ '^\+[1-9][0-9]{1,14}$'),
    role TEXT NOT NULL DEFAULT 'customer' CHECK (role IN ('customer', 'admin')),
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- The email is stored as given but unique regardless of case; also serves login and the
-- listUsers email filter, which both compare lower(email).
CREATE UNIQUE INDEX users_email_lower_key ON users.users (lower(email));

-- listUsers: newest first, optionally filtered by role.
CREATE INDEX users_created_at_idx ON users.users (created_at, id);
CREATE INDEX users_role_created_at_idx ON users.users (role, created_at, id);

-- Refresh tokens are stored as SHA-256 hashes only; a leaked table cannot be replayed.
-- family_id links every rotation of one login, so reuse of a revoked token can revoke all.
CREATE TABLE users.refresh_tokens (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id UUID NOT NULL REFERENCES users.users (id) ON DELETE CASCADE,
    token_hash BYTEA NOT NULL UNIQUE CHECK (octet_length(token_hash) = 32),
    family_id UUID NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    revoked_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX refresh_tokens_user_id_idx ON users.refresh_tokens (user_id);
CREATE INDEX refresh_tokens_family_id_idx ON users.refresh_tokens (family_id);

-- Login throttling: failures counted per bucket ('account:<lower(email)>', 'ip:<address>')
-- in fixed windows, so the limit holds across every worker process.
CREATE TABLE users.login_failures (
    bucket TEXT NOT NULL,
    window_start TIMESTAMPTZ NOT NULL,
    failures INTEGER NOT NULL CHECK (failures > 0),
    PRIMARY KEY (bucket, window_start)
);

-- Expired windows are pruned by age.
CREATE INDEX login_failures_window_start_idx ON users.login_failures (window_start);

-- Transactional outbox: written in the same transaction as the change it describes,
-- relayed at least once to consumers that de-duplicate by id (the event id).
CREATE TABLE users.outbox (
    id UUID PRIMARY KEY,
    aggregate_type TEXT NOT NULL,
    aggregate_id UUID NOT NULL,
    event_type TEXT NOT NULL,
    payload JSONB NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    published_at TIMESTAMPTZ
);

CREATE INDEX outbox_unpublished_idx ON users.outbox (created_at)
WHERE published_at IS NULL;

-- Wake the relay on commit (NOTIFY is transactional) instead of making it poll.
CREATE FUNCTION users.notify_outbox() RETURNS TRIGGER
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('refarch_outbox', 'users');
    RETURN NULL;
END;
$$;

CREATE TRIGGER outbox_notify
AFTER INSERT ON users.outbox
FOR EACH STATEMENT EXECUTE FUNCTION users.notify_outbox();
