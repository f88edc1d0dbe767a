-- orders: how an order ships and what shipping costs (API v2), added so that v1 keeps
-- working unchanged (expand/contract, ADR 0045).
--
-- Expand only: two new columns with defaults, nothing dropped, renamed or narrowed. Rows
-- written before this migration, and rows v1 writes after it, are standard shipping at no
-- charge, which is exactly what v1 promised. total_amount keeps its v1 meaning, the sum of
-- the lines; v2's totals.total is total_amount + shipping_amount.

ALTER TABLE orders.orders
ADD COLUMN shipping_method TEXT NOT NULL DEFAULT 'standard' CHECK (
    shipping_method IN ('standard', 'express')
),
ADD COLUMN shipping_amount BIGINT NOT NULL DEFAULT 0 CHECK (shipping_amount >= 0);
