-- catalog: categories and products with their stock. Stock is changed only by atomic
-- conditional updates (stock = stock - n WHERE stock >= n); the CHECK is the last guard.

CREATE SCHEMA catalog;

CREATE TABLE catalog.categories (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    slug TEXT NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND char_length(slug) <= 64),
    name TEXT NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
    description TEXT CHECK (char_length(description) <= 2000),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- listCategories is ordered by name.
CREATE INDEX categories_name_idx ON catalog.categories (name, id);

CREATE TABLE catalog.products (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    sku TEXT NOT NULL UNIQUE CHECK (sku ~ '^[A-Z0-9][A-Z0-9-]{2,63}$'),
    name TEXT NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
    description TEXT CHECK (char_length(description) <= 5000),
    -- Money in integer minor units with an ISO 4217 code: exact, never a float.
    price_amount BIGINT NOT NULL CHECK (price_amount BETWEEN 0 AND 10000000000),
    currency CHAR(3) NOT NULL DEFAULT 'EUR' CHECK (currency ~ '^[A-Z]{3}$'),
    category_id UUID REFERENCES catalog.categories (id) ON DELETE RESTRICT,
    stock INTEGER NOT NULL DEFAULT 0 CHECK (stock >= 0),
    -- Text search over name (weighted higher) and description for the listProducts q filter.
    search TSVECTOR GENERATED ALWAYS AS (
        setweight(to_tsvector('english'::REGCONFIG, name), 'A')
        || setweight(to_tsvector('english'::REGCONFIG, coalesce(description, '')), 'B')
    ) STORED,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- One index per listProducts filter and sort key; id breaks ties for stable pages.
CREATE INDEX products_name_idx ON catalog.products (name, id);
CREATE INDEX products_price_amount_idx ON catalog.products (price_amount, id);
CREATE INDEX products_created_at_idx ON catalog.products (created_at, id);
CREATE INDEX products_category_id_idx ON catalog.products (category_id, name, id);
CREATE INDEX products_in_stock_idx ON catalog.products (name, id) WHERE stock > 0;
CREATE INDEX products_search_idx ON catalog.products USING gin (search);
